package discussion

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The search index follows threads (THREAD#<tid> / THREAD) and comments
// (THREAD#<tid> / ITEM#<id> of Kind comment) from the table's stream and
// reindexes a group's threads; it asks this core, as their owner, to
// recognise, decode and read them (source.Owner), so their layout stays
// here (docs/data-model.md, "Who owns what").

// SearchRef implements source.Owner: a thread or a comment. A timeline
// item whose image says it is an event is not followed; one known by its
// keys alone is taken for a comment (removing a document that never
// existed is harmless).
func (s *Service) SearchRef(pk, sk string, img source.Image) (source.Ref, bool) {
	tid, ok := strings.CutPrefix(pk, tabledef.ThreadPrefix)
	if !ok || tid == "" {
		return source.Ref{}, false
	}
	if sk == threadSK {
		return source.Ref{Kind: source.KindThread, ThreadID: tid}, true
	}
	cid, ok := strings.CutPrefix(sk, itemPrefix)
	if !ok || cid == "" {
		return source.Ref{}, false
	}
	if k, ok := img["Kind"].(*types.AttributeValueMemberS); ok && k.Value != KindComment {
		return source.Ref{}, false
	}
	return source.Ref{Kind: source.KindComment, ThreadID: tid, CommentID: cid}, true
}

// movedTo is the group a thread's move writes on its comments (move.go):
// the index prefers it to the thread's document, which may not be moved
// yet.
type movedTo struct {
	GroupID string `dynamo:"GroupID"`
}

// SearchItem implements source.Owner. An image that does not decode is
// Deleted: search shows nothing rather than a guess.
func (s *Service) SearchItem(r source.Ref, img source.Image) source.Item {
	switch r.Kind {
	case source.KindThread:
		var t threadItem
		if err := dynamo.UnmarshalItem(img, &t); err != nil {
			return source.Item{Deleted: true}
		}
		return source.Item{GroupID: t.GroupID, AuthorID: t.AuthorID, Author: t.AuthorName, Title: t.Title,
			Body: t.Description, Tags: t.Tags, Created: t.CreatedAt, Updated: t.UpdatedAt, Version: t.Version,
			Deleted: t.Deleted, Closed: t.Closed}
	case source.KindComment:
		var c timelineItem
		var m movedTo
		if dynamo.UnmarshalItem(img, &c) != nil || dynamo.UnmarshalItem(img, &m) != nil {
			return source.Item{Deleted: true}
		}
		updated := c.At
		if c.EditedAt.After(updated) {
			updated = c.EditedAt
		}
		return source.Item{GroupID: m.GroupID, AuthorID: c.ActorID, Author: c.ActorName, Body: c.Body,
			Created: c.At, Updated: updated, Version: c.Version, Deleted: c.Deleted || c.Removed}
	}
	return source.Item{Deleted: true}
}

// SearchRead implements source.Owner: the thread or comment r names as it
// is now (one GetItem), nil when it is gone.
func (s *Service) SearchRead(ctx context.Context, r source.Ref) (*source.Item, error) {
	sk := threadSK
	if r.Kind == source.KindComment {
		sk = itemSK(r.CommentID)
	}
	img, err := source.Read(ctx, s.st, tabledef.ThreadPK(r.ThreadID), sk)
	if err != nil || img == nil {
		return nil, err
	}
	it := s.SearchItem(r, img)
	return &it, nil
}

// SearchNext implements source.Owner: group gid's threads in ascending
// order of their place in the group's list (GSI1 THREADS#<gid>), so a
// thread whose activity moves it while a reindex runs moves forward.
func (s *Service) SearchNext(ctx context.Context, gid, cursor string) (part, next string, err error) {
	return source.Next(ctx, s.st, threadsPK(gid), cursor)
}

// SearchPage implements source.Owner: a page of a thread's partition.
func (s *Service) SearchPage(ctx context.Context, part, after string, limit int) ([]source.Image, bool, error) {
	return source.Page(ctx, s.st, part, after, limit)
}
