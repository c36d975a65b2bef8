// Package source is what the search index (internal/search) asks of the
// owners of the items it follows: internal/discussion for threads and
// comments, internal/decision for polls, the reasons of named and sealed
// ballots, and outcomes (docs/data-model.md, "Who owns what"). Each owner
// implements Owner; the index never reads another owner's item layout.
//
// It is a package of its own, beside the index, so that an owner
// implements it without importing the index, and the index's own tests
// run on the real owners.
package source

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Kind is what an indexed item is (a search hit's kind).
type Kind string

// The kinds of indexed content.
const (
	KindThread  Kind = "thread"  // a thread's title and description
	KindComment Kind = "comment" // a comment or reply
	KindPoll    Kind = "poll"    // a poll's title, details and options
	KindReason  Kind = "reason"  // the reason given with a vote
	KindOutcome Kind = "outcome" // a poll's outcome statement
)

// Kinds lists every Kind.
var Kinds = []Kind{KindThread, KindComment, KindPoll, KindReason, KindOutcome}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Image is a table item as DynamoDB returns it (a read, or a stream
// record's image converted by the index).
type Image = map[string]types.AttributeValue

// Ref names an item the index follows, from its key alone (a removal's
// stream record may carry only keys).
type Ref struct {
	Kind      Kind
	ThreadID  string // a thread's, a comment's
	CommentID string
	PollID    string // a poll's, a reason's, an outcome's
	VoterID   string // the voter of a named ballot ("" for a sealed one)
	// Sealed is, for a sealed ballot, a value unique to it that no hit may
	// carry: the index keeps only a hash of it.
	Sealed string
}

// Item is what the index reads of an item: its text and the facts that
// decide who finds it.
type Item struct {
	// GroupID is the item's group: a thread's and a poll's own; on a
	// comment, reason or outcome the group a move wrote there ("" until
	// one did: the index takes its thread's or poll's).
	GroupID  string
	ThreadID string // a poll's thread ("" for a poll of its own)
	AuthorID string
	Author   string // the name stored with the item ("" if none)
	Title    string // plain text
	Body     string // Markdown, as written
	Options  []string
	Tags     []string
	Created  time.Time
	Updated  time.Time
	// Version counts the item's writes: a newer image has a higher one.
	Version int64
	// Deleted: soft-deleted, removed, or unreadable (nothing is shown
	// rather than a guess).
	Deleted bool
	Closed  bool // a thread
	// Polls.
	Status    string // draft, open or closed, as recorded
	ClosingAt time.Time
	Anonymous bool
	Hide      string // the hide_results setting
}

// Owner is the owner of some of the items the index follows.
type Owner interface {
	// SearchRef recognises, by its key, an item of this owner that the
	// index follows; img, when known, may decide (a timeline event is not a
	// comment). ok is false for any other item.
	SearchRef(pk, sk string, img Image) (r Ref, ok bool)
	// SearchItem decodes the image of the item r names.
	SearchItem(r Ref, img Image) Item
	// SearchRead reads the item r names as it is now (strongly
	// consistent; one GetItem): nil when it is gone.
	SearchRead(ctx context.Context, r Ref) (*Item, error)
	// SearchNext returns the next of group gid's containers (threads, or
	// polls) after cursor ("" the first), in an order where one whose
	// activity moves it during a reindex moves forward: its partition, to
	// read with SearchPage, and the cursor to carry on from. part is ""
	// when none is left. One Query.
	SearchNext(ctx context.Context, gid, cursor string) (part, next string, err error)
	// SearchPage reads up to limit items of partition part whose sort key
	// is after after ("" from the start), in key order (strongly
	// consistent; one Query). more is false at the partition's end.
	SearchPage(ctx context.Context, part, after string, limit int) (items []Image, more bool, err error)
}

// Helpers for owners implementing Owner on their store.

// Next is SearchNext on list, a GSI1 partition that lists a group's
// containers: the first entry after cursor on GSI1SK (one Query of one
// item), its table partition and its GSI1SK.
func Next(ctx context.Context, st store.Tabler, list, cursor string) (part, next string, err error) {
	q := st.Table().Get(tabledef.GSI1PK, list).Index(tabledef.GSI1).SearchLimit(1)
	if cursor != "" {
		q.Range(tabledef.GSI1SK, dynamo.Greater, cursor)
	}
	var it Image
	iter := q.Iter()
	if !iter.Next(ctx, &it) {
		return "", "", store.Classify(iter.Err())
	}
	return str(it, tabledef.PK), str(it, tabledef.GSI1SK), nil
}

// Page is SearchPage on partition part: up to limit items after sort key
// after, in key order (one strongly consistent Query).
func Page(ctx context.Context, st store.Tabler, part, after string, limit int) (items []Image, more bool, err error) {
	q := st.Table().Get(tabledef.PK, part).Consistent(true).SearchLimit(max(limit, 1))
	if after != "" {
		q.Range(tabledef.SK, dynamo.Greater, after)
	}
	iter := q.Iter()
	for {
		var it Image
		if !iter.Next(ctx, &it) {
			break
		}
		items = append(items, it)
	}
	if err := iter.Err(); err != nil {
		return nil, false, store.Classify(err)
	}
	// The whole page was read: this is the response's own key, no guess.
	lek, err := iter.LastEvaluatedKey(ctx)
	if err != nil {
		return nil, false, store.Classify(err)
	}
	return items, len(lek) > 0, nil
}

// Read reads the item at pk, sk (one strongly consistent GetItem): nil
// when there is none.
func Read(ctx context.Context, st store.Tabler, pk, sk string) (Image, error) {
	var it Image
	err := st.Table().Get(tabledef.PK, pk).Range(tabledef.SK, dynamo.Equal, sk).Consistent(true).One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, store.Classify(err)
	}
	return it, nil
}

func str(it Image, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
