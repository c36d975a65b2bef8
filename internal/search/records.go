package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The table items the index follows (docs/data-model.md, patterns 22, 25,
// 31, 33, 34, 40). Their attributes are decoded here from the raw images,
// without the owning cores' types: the index depends on the stored layout,
// which the data model documents, not on the cores' code.

// attrs is one image of a table item.
type attrs map[string]events.DynamoDBAttributeValue

func (a attrs) str(name string) string {
	v, ok := a[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}

func (a attrs) num(name string) int64 {
	v, ok := a[name]
	if !ok || v.DataType() != events.DataTypeNumber {
		return 0
	}
	n, err := strconv.ParseInt(v.Number(), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v.Number(), 64)
		if ferr != nil {
			return 0
		}
		return int64(f)
	}
	return n
}

func (a attrs) boolean(name string) bool {
	v, ok := a[name]
	return ok && v.DataType() == events.DataTypeBoolean && v.Boolean()
}

func (a attrs) time(name string) time.Time {
	s := a.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func (a attrs) strings(name string) []string {
	v, ok := a[name]
	if !ok {
		return nil
	}
	switch v.DataType() {
	case events.DataTypeStringSet:
		return v.StringSet()
	case events.DataTypeList:
		var out []string
		for _, e := range v.List() {
			if e.DataType() == events.DataTypeString {
				out = append(out, e.String())
			}
		}
		return out
	}
	return nil
}

// ref names the document a table item becomes, from its key alone (so a
// REMOVE record, which may carry only keys, is understood too).
type ref struct {
	kind      Kind
	id        string // document id
	threadID  string
	pollID    string
	commentID string
	userID    string // the voter of a (not anonymous) ballot
}

// parentID is the document holding a child's group (and, for reasons,
// the poll's anonymity): the thread of a comment, the poll of a reason
// or outcome.
func (r ref) parentID() string {
	switch r.kind {
	case KindComment:
		return threadDocID(r.threadID)
	case KindReason, KindOutcome:
		return pollDocID(r.pollID)
	}
	return ""
}

func threadDocID(tid string) string { return "t." + tid }
func pollDocID(pid string) string   { return "p." + pid }

var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`) }) // compiled on first use, not at every cold start

// refOf classifies a table key. ok is false for items the index ignores.
func refOf(pk, sk string, img attrs) (ref, bool) {
	switch {
	case strings.HasPrefix(pk, tabledef.ThreadPrefix):
		tid := pk[len(tabledef.ThreadPrefix):]
		if !idPattern().MatchString(tid) {
			return ref{}, false
		}
		if sk == "THREAD" {
			return ref{kind: KindThread, id: threadDocID(tid), threadID: tid}, true
		}
		if cid, ok := strings.CutPrefix(sk, "ITEM#"); ok && idPattern().MatchString(cid) {
			// Timeline items are comments or events; a REMOVE with keys only
			// is treated as a comment (removing a document that never
			// existed is harmless).
			if k := img.str("Kind"); k != "" && k != "comment" {
				return ref{}, false
			}
			return ref{kind: KindComment, id: "c." + tid + "." + cid, threadID: tid, commentID: cid}, true
		}
	case strings.HasPrefix(pk, tabledef.PollPrefix):
		pid := pk[len(tabledef.PollPrefix):]
		if !idPattern().MatchString(pid) {
			return ref{}, false
		}
		switch {
		case sk == "POLL":
			return ref{kind: KindPoll, id: pollDocID(pid), pollID: pid}, true
		case sk == "OUTCOME":
			return ref{kind: KindOutcome, id: "o." + pid, pollID: pid}, true
		case strings.HasPrefix(sk, "BALLOT#"):
			uid := sk[len("BALLOT#"):]
			if !idPattern().MatchString(uid) {
				return ref{}, false
			}
			return ref{kind: KindReason, id: "b." + pid + "." + uid, pollID: pid, userID: uid}, true
		case strings.HasPrefix(sk, "SEALED#"):
			// The sealed ballot's key holds the hash of its receipt; the
			// document id is a hash of that, so no hit carries it.
			h := sha256.Sum256([]byte(sk))
			return ref{kind: KindReason, id: "s." + pid + "." + hex.EncodeToString(h[:12]), pollID: pid}, true
		}
	}
	return ref{}, false
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

// pollDef is the part of the stored poll definition (the poll core's
// JSON in Def) that is searched or decides visibility.
type pollDef struct {
	Title   string `json:"title"`
	Details string `json:"details"`
	Options []struct {
		Label string `json:"label"`
	} `json:"options"`
	Settings struct {
		ClosingAt   *time.Time `json:"closing_at"`
		Anonymous   bool       `json:"anonymous"`
		HideResults Hide       `json:"hide_results"`
	} `json:"settings"`
}

// decode builds the document of an image (nil image: the item is gone).
// The returned doc lacks what only the parent knows (group, thread of a
// poll's children). It is Deleted when the item is gone or soft-deleted,
// or has nothing to search.
func decode(r ref, img attrs, md *render.Renderer) *doc {
	d := &doc{ID: r.id, Kind: r.kind, ThreadID: r.threadID, PollID: r.pollID, CommentID: r.commentID}
	if img == nil {
		d.Deleted = true
		return d
	}
	d.Ord = order{Major: img.num("Version")}
	switch r.kind {
	case KindThread:
		d.GroupID = img.str("GroupID")
		d.Title, d.Body = img.str("Title"), plain(md, img.str("Description"))
		d.AuthorID, d.Author = img.str("AuthorID"), img.str("AuthorName")
		d.Created, d.Updated = img.time("CreatedAt"), img.time("UpdatedAt")
		d.Closed, d.Deleted = img.boolean("Closed"), img.boolean("Deleted")
		d.Tags = img.strings("Tags")
	case KindComment:
		// Set on a comment by a thread's move (discussion/move.go): it
		// wins over the thread's document, which may not be updated yet.
		d.GroupID = img.str("GroupID")
		d.AuthorID, d.Author = img.str("ActorID"), img.str("ActorName")
		d.Body = plain(md, img.str("Body"))
		d.Created = img.time("At")
		d.Updated = d.Created
		if e := img.time("EditedAt"); e.After(d.Updated) {
			d.Updated = e
		}
		d.Deleted = img.boolean("Deleted") || img.boolean("Removed") || d.Body == ""
	case KindPoll:
		d.GroupID, d.ThreadID = img.str("GroupID"), img.str("ThreadID")
		d.AuthorID = img.str("AuthorID")
		d.Created, d.Updated = img.time("CreatedAt"), img.time("UpdatedAt")
		d.Status = img.str("Status")
		if ms := img.num("ClosingAtMs"); ms > 0 {
			d.ClosingAt = time.UnixMilli(ms).UTC()
		}
		var def pollDef
		if err := json.Unmarshal([]byte(img.str("Def")), &def); err != nil {
			d.Deleted = true // unreadable: nothing is shown rather than a guess
			return d
		}
		d.Title, d.Body = def.Title, plain(md, def.Details)
		labels := make([]string, 0, len(def.Options))
		for _, o := range def.Options {
			labels = append(labels, o.Label)
		}
		d.Options = strings.Join(labels, "\n")
		d.Anonymous, d.Hide = def.Settings.Anonymous, def.Settings.HideResults
		if d.Hide == "" {
			d.Hide = HideOff
		}
		d.Tags = img.strings("Tags")
	case KindReason:
		// GroupID, like a comment's, is set by a thread's move
		// (decision.RefilePollSearch): it wins over the poll's document.
		d.GroupID = img.str("GroupID")
		d.Body = plain(md, img.str("Reason"))
		if r.userID != "" { // a named ballot; sealed ones have no voter and no time
			d.AuthorID = img.str("UserID")
			d.Created, d.Updated = img.time("CastAt"), img.time("UpdatedAt")
			d.Ord = order{Major: d.Updated.UnixMilli(), Minor: img.num("Version")}
		}
		d.Deleted = d.Body == ""
	case KindOutcome:
		d.GroupID = img.str("GroupID") // set by a move, as a reason's
		d.Body = plain(md, img.str("Statement"))
		d.AuthorID = img.str("AuthorID")
		d.Created, d.Updated = img.time("CreatedAt"), img.time("UpdatedAt")
		d.Deleted = d.Body == ""
	}
	return d
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// plain is the text of Markdown as a reader sees it: rendered and
// sanitised by the same renderer the pages use, then stripped of markup.
func plain(md *render.Renderer, src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	h := string(md.Markdown(src))
	h = tagPattern.ReplaceAllString(h, " ")
	return strings.Join(strings.Fields(html.UnescapeString(h)), " ")
}
