package decision

import (
	"context"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The search index follows polls (POLL#<pid> / POLL), the reasons of named
// and sealed ballots (BALLOT#<uid>, SEALED#<hash>) and outcomes (OUTCOME)
// from the table's stream and reindexes a group's polls; it asks this core,
// as their owner, to recognise, decode and read them (source.Owner), so
// their layout stays here (docs/data-model.md, "Who owns what").

// SearchRef implements source.Owner.
func (s *Service) SearchRef(pk, sk string, _ source.Image) (source.Ref, bool) {
	pid, ok := strings.CutPrefix(pk, tabledef.PollPrefix)
	if !ok || pid == "" {
		return source.Ref{}, false
	}
	switch {
	case sk == skPoll:
		return source.Ref{Kind: source.KindPoll, PollID: pid}, true
	case sk == skOutcome:
		return source.Ref{Kind: source.KindOutcome, PollID: pid}, true
	case strings.HasPrefix(sk, prefixBallot) && len(sk) > len(prefixBallot):
		return source.Ref{Kind: source.KindReason, PollID: pid, VoterID: sk[len(prefixBallot):]}, true
	case strings.HasPrefix(sk, prefixSealed):
		// The key holds the hash of the voter's receipt: the index keeps
		// only a hash of it, so no hit carries it.
		return source.Ref{Kind: source.KindReason, PollID: pid, Sealed: sk}, true
	}
	return source.Ref{}, false
}

// movedTo is the group a thread's move writes on a poll's ballots, sealed
// ballots and outcome (RefilePollSearch): the index prefers it to the
// poll's document, which may not be moved yet.
type movedTo struct {
	GroupID string `dynamo:"GroupID"`
}

// SearchItem implements source.Owner. An image that does not decode (or a
// poll whose definition does not) is Deleted: search shows nothing rather
// than a guess.
func (s *Service) SearchItem(r source.Ref, img source.Image) source.Item {
	var m movedTo
	if err := dynamo.UnmarshalItem(img, &m); err != nil {
		return source.Item{Deleted: true}
	}
	switch {
	case r.Kind == source.KindPoll:
		var p pollItem
		if err := dynamo.UnmarshalItem(img, &p); err != nil {
			return source.Item{Deleted: true}
		}
		return pollSource(&p)
	case r.Kind == source.KindReason && r.VoterID != "":
		var b ballotItem
		if err := dynamo.UnmarshalItem(img, &b); err != nil {
			return source.Item{Deleted: true}
		}
		return source.Item{GroupID: m.GroupID, AuthorID: b.UserID, Body: b.Reason, Created: b.CastAt,
			Updated: b.UpdatedAt, Version: b.Version}
	case r.Kind == source.KindReason:
		// A sealed ballot has no voter and no time.
		var b sealedItem
		if err := dynamo.UnmarshalItem(img, &b); err != nil {
			return source.Item{Deleted: true}
		}
		return source.Item{GroupID: m.GroupID, Body: b.Reason, Version: b.Version}
	case r.Kind == source.KindOutcome:
		var o outcomeItem
		if err := dynamo.UnmarshalItem(img, &o); err != nil {
			return source.Item{Deleted: true}
		}
		return source.Item{GroupID: m.GroupID, AuthorID: o.AuthorID, Body: o.Statement, Created: o.CreatedAt,
			Updated: o.UpdatedAt, Version: o.Version}
	}
	return source.Item{Deleted: true}
}

func pollSource(p *pollItem) source.Item {
	it := source.Item{GroupID: p.GroupID, ThreadID: p.ThreadID, AuthorID: p.AuthorID, Created: p.CreatedAt,
		Updated: p.UpdatedAt, Version: p.Version, Status: p.Status, Tags: p.Tags}
	if p.ClosingAtMs > 0 {
		it.ClosingAt = time.UnixMilli(p.ClosingAtMs).UTC()
	}
	d, err := p.def()
	if err != nil {
		it.Deleted = true
		return it
	}
	it.Title, it.Body = d.Title, d.Details
	it.Options = make([]string, 0, len(d.Options))
	for _, o := range d.Options {
		it.Options = append(it.Options, o.Label)
	}
	it.Anonymous, it.Hide = d.Settings.Anonymous, string(d.Settings.HideResults)
	return it
}

// SearchRead implements source.Owner: the poll, ballot, sealed ballot or
// outcome r names as it is now (one GetItem), nil when it is gone.
func (s *Service) SearchRead(ctx context.Context, r source.Ref) (*source.Item, error) {
	sk := skPoll
	switch {
	case r.Kind == source.KindOutcome:
		sk = skOutcome
	case r.Kind == source.KindReason && r.VoterID != "":
		sk = ballotSK(r.VoterID)
	case r.Kind == source.KindReason:
		sk = r.Sealed
	}
	img, err := source.Read(ctx, s.st, tabledef.PollPK(r.PollID), sk)
	if err != nil || img == nil {
		return nil, err
	}
	it := s.SearchItem(r, img)
	return &it, nil
}

// SearchNext implements source.Owner: group gid's polls in the order of
// their creation (GSI1 POLLS#<gid>).
func (s *Service) SearchNext(ctx context.Context, gid, cursor string) (part, next string, err error) {
	return source.Next(ctx, s.st, pollsOfGroup(gid), cursor)
}

// SearchPage implements source.Owner: a page of a poll's partition.
func (s *Service) SearchPage(ctx context.Context, part, after string, limit int) ([]source.Image, bool, error) {
	return source.Page(ctx, s.st, part, after, limit)
}
