package search

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/search/source"
)

// The items the index follows belong to other cores (threads and comments
// to internal/discussion; polls, ballots and outcomes to internal/decision).
// Their owners recognise and decode them (source.Owner): the index knows no
// layout but its own (SEARCH#...).

// attrs is one image of a table item, as a stream record carries it.
type attrs map[string]events.DynamoDBAttributeValue

func (a attrs) str(name string) string {
	v, ok := a[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}

// ref names the document an owner's item becomes, from its key alone (so
// a REMOVE record, which may carry only keys, is understood too).
type ref struct {
	source.Ref
	id string // document id
}

// parentID is the document holding a child's group (and, for reasons,
// the poll's anonymity): the thread of a comment, the poll of a reason
// or outcome.
func (r ref) parentID() string {
	switch r.Kind {
	case KindComment:
		return threadDocID(r.ThreadID)
	case KindReason, KindOutcome:
		return pollDocID(r.PollID)
	}
	return ""
}

// parentRef names a child's thread or poll.
func (r ref) parentRef() source.Ref {
	if r.Kind == KindComment {
		return source.Ref{Kind: KindThread, ThreadID: r.ThreadID}
	}
	return source.Ref{Kind: KindPoll, PollID: r.PollID}
}

func threadDocID(tid string) string { return "t." + tid }
func pollDocID(pid string) string   { return "p." + pid }

// refOf asks the owners whether the item at pk, sk (img: its image, nil
// when only keys are known) is one the index follows, and names its
// document. Identifiers that could not be part of a document's keys are
// not followed.
func (ix *Index) refOf(pk, sk string, img source.Image) (ref, bool) {
	for _, o := range []source.Owner{ix.threads, ix.polls} {
		r, ok := o.SearchRef(pk, sk, img)
		if !ok {
			continue
		}
		for _, id := range []string{r.ThreadID, r.CommentID, r.PollID, r.VoterID} {
			if id != "" && !ids.Valid(id) {
				return ref{}, false
			}
		}
		switch r.Kind {
		case KindThread:
			return ref{Ref: r, id: threadDocID(r.ThreadID)}, r.ThreadID != ""
		case KindComment:
			return ref{Ref: r, id: "c." + r.ThreadID + "." + r.CommentID}, r.ThreadID != "" && r.CommentID != ""
		case KindPoll:
			return ref{Ref: r, id: pollDocID(r.PollID)}, r.PollID != ""
		case KindOutcome:
			return ref{Ref: r, id: "o." + r.PollID}, r.PollID != ""
		case KindReason:
			if r.VoterID != "" {
				return ref{Ref: r, id: "b." + r.PollID + "." + r.VoterID}, r.PollID != ""
			}
			// A sealed ballot: the document id is a hash of what names it,
			// so no hit carries it.
			h := sha256.Sum256([]byte(r.Sealed))
			return ref{Ref: r, id: "s." + r.PollID + "." + hex.EncodeToString(h[:12])}, r.PollID != "" && r.Sealed != ""
		}
		return ref{}, false
	}
	return ref{}, false
}

// ownerOf is the owner of the items of kind k.
func (ix *Index) ownerOf(k Kind) source.Owner {
	if k == KindThread || k == KindComment {
		return ix.threads
	}
	return ix.polls
}

// doc is an indexable item, built from a table image and completed with
// its parent's group.
type doc struct {
	ID        string
	Kind      Kind
	GroupID   string
	ThreadID  string
	PollID    string
	CommentID string
	AuthorID  string
	Author    string
	Lang      string
	Title     string
	Body      string
	Options   string
	Tags      []string
	Created   time.Time
	Updated   time.Time
	Ord       order
	Deleted   bool
	// Threads.
	Closed bool
	// Polls.
	Status    string
	ClosingAt time.Time
	Anonymous bool
	Hide      Hide
	// Terms maps each index term to its weight in this document.
	Terms map[string]float64
	// AV is the AnalyzerVersion the stored document was indexed with.
	AV int64
}

// order says which of two versions of an item is newer: the item's
// Version, except for ballots, whose key is reused when a withdrawn vote is
// cast again (Version restarts at 1): there the update time comes first.
// Gone marks the removal of the item: it follows the last version it had.
type order struct {
	Major, Minor int64
	Gone         bool
}

func (o order) after(p order) bool {
	if o.Major != p.Major {
		return o.Major > p.Major
	}
	if o.Minor != p.Minor {
		return o.Minor > p.Minor
	}
	return o.Gone && !p.Gone
}

// decode builds the document of an item as its owner decoded it (nil: the
// item is gone). The returned doc lacks what only the parent knows (group,
// thread of a poll's children). It is Deleted when the item is gone or
// soft-deleted, or has nothing to search.
func decode(r ref, it *source.Item, md *render.Renderer) *doc {
	d := &doc{ID: r.id, Kind: r.Kind, ThreadID: r.ThreadID, PollID: r.PollID, CommentID: r.CommentID}
	if it == nil {
		d.Deleted = true
		return d
	}
	d.Ord = order{Major: it.Version}
	// A comment's, reason's or outcome's group is set by a thread's move
	// (discussion/move.go, decision.RefilePollSearch): it wins over the
	// parent's document, which may not be updated yet.
	d.GroupID = it.GroupID
	d.AuthorID, d.Author = it.AuthorID, it.Author
	d.Created, d.Updated = it.Created.UTC(), it.Updated.UTC()
	d.Deleted = it.Deleted
	switch r.Kind {
	case KindThread:
		d.Title, d.Body = it.Title, plain(md, it.Body)
		d.Closed, d.Tags = it.Closed, it.Tags
	case KindPoll:
		d.ThreadID, d.Status = it.ThreadID, it.Status
		d.ClosingAt = it.ClosingAt
		if d.Deleted {
			return d // unreadable: nothing is shown rather than a guess
		}
		d.Title, d.Body = it.Title, plain(md, it.Body)
		d.Options = strings.Join(it.Options, "\n")
		d.Anonymous, d.Hide = it.Anonymous, Hide(it.Hide)
		if d.Hide == "" {
			d.Hide = HideOff
		}
		d.Tags = it.Tags
	case KindComment, KindReason, KindOutcome:
		d.Body = plain(md, it.Body)
		d.Deleted = d.Deleted || d.Body == ""
		if r.Kind == KindReason && r.VoterID != "" {
			// A ballot's key is reused when a withdrawn vote is cast again
			// (its Version restarts at 1): the update time comes first.
			d.Ord = order{Major: d.Updated.UnixMilli(), Minor: it.Version}
		}
	}
	return d
}

var tagPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) }) // compiled on first use, not at every cold start

// plain is the text of Markdown as a reader sees it: rendered and
// sanitised by the same renderer the pages use, then stripped of markup.
func plain(md *render.Renderer, src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	h := string(md.Markdown(src))
	h = tagPattern().ReplaceAllString(h, " ")
	return strings.Join(strings.Fields(html.UnescapeString(h)), " ")
}
