package search

import (
	"context"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/search/source"
)

// Kind is what a search hit is (declared with what the index asks of the
// items' owners, internal/search/source).
type Kind = source.Kind

// The kinds of indexed content.
const (
	KindThread  = source.KindThread  // a thread's title and description
	KindComment = source.KindComment // a comment or reply
	KindPoll    = source.KindPoll    // a poll's title, details and options
	KindReason  = source.KindReason  // the reason given with a vote
	KindOutcome = source.KindOutcome // a poll's outcome statement
)

// Kinds lists every Kind.
var Kinds = source.Kinds

// kindCode is the one-letter form of k stored on postings.
func kindCode(k Kind) string {
	switch k {
	case KindThread:
		return "t"
	case KindComment:
		return "c"
	case KindPoll:
		return "p"
	case KindReason:
		return "r"
	case KindOutcome:
		return "o"
	}
	return "?"
}

func kindOfCode(c string) Kind {
	for _, k := range Kinds {
		if kindCode(k) == c {
			return k
		}
	}
	return ""
}

// Hide is a poll's hide_results setting as stored.
type Hide string

// Poll settings that decide whether reasons may be shown (poll.HideResults).
const (
	HideOff         Hide = "off"
	HideUntilVote   Hide = "until_vote"
	HideUntilClosed Hide = "until_closed"
)

// PollState is what a hit's poll looks like at query time: the caller needs
// it to apply the results rule (poll.ResultsVisible) to reasons.
type PollState struct {
	ID          string
	Status      string // draft, open or closed, as of the query (a passed closing time is closed)
	Anonymous   bool
	HideResults Hide
	AuthorID    string
	ClosingAt   time.Time
}

// Scope is what the searcher may see, computed by the caller from the
// authorization policy (never by the index): the groups whose content they
// may view (member, an open group, a parent's member where the subgroup lets
// them), the threads and polls they are a guest of. Anything outside it is
// never read. UserID is the searcher ("" when signed out): their own drafts
// are theirs to find.
type Scope struct {
	UserID  string
	Groups  []string
	Threads []Grant
	Polls   []Grant
}

// Grant is access to one thread or poll of a group (a guest's).
type Grant struct {
	GroupID string
	ID      string
}

// MaxScope bounds the groups and grants one search may cover.
const MaxScope = 100

// Status filters by whether the thread or poll a hit belongs to is open.
type Status string

// Status filter values.
const (
	StatusAny    Status = ""
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Filters narrow a search; every filter set must hold (an exact match).
type Filters struct {
	Groups   []string // only these groups (each must be in the scope)
	ThreadID string   // only this thread (and the polls in it)
	Kinds    []Kind   // only these kinds
	AuthorID string   // only content written by this person (never anonymous reasons)
	Status   Status   // open or closed thread / poll
	Tags     []string // every one of these tags (on the thread or poll)
	From, To time.Time
}

// Query is one search.
type Query struct {
	Text string
	// Languages of the searcher, preferred first (the interface language,
	// Accept-Language). The languages of the groups' content are added.
	Languages []string
	// Prefix matches the last word as a prefix (search as you type).
	Prefix  bool
	Filters Filters
	// Limit is the page size (default DefaultLimit, at most MaxLimit).
	Limit int
	// Cursor continues a previous page (Results.Next).
	Cursor string
}

// Page sizes and depth.
const (
	DefaultLimit = 20
	MaxLimit     = 50
	// MaxDepth bounds how far pages go into the ranked candidates.
	MaxDepth = 1000
)

// Hit is one result. Links: a thread hit is ThreadID; a comment is
// ThreadID + CommentID; a poll, reason or outcome is PollID (and ThreadID
// when the poll is in a thread).
type Hit struct {
	Kind       Kind
	GroupID    string
	ThreadID   string
	PollID     string
	CommentID  string
	AuthorID   string // "" for reasons in anonymous polls
	AuthorName string // the name stored with the item when written ("" if none)
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Open       bool       // the thread or poll it belongs to is open
	Poll       *PollState // for polls, reasons and outcomes
	Tags       []string
	Score      float64
	// Title is the thread's or poll's title, Passage the best matching part
	// of the text; both with the matches marked.
	Title   Passage
	Passage Passage

	docID string
}

// Fragment is a run of text, matched or not.
type Fragment struct {
	Text  string
	Match bool
}

// Passage is text with the words that matched marked.
type Passage []Fragment

// String is the plain text of the passage.
func (p Passage) String() string {
	var b strings.Builder
	for _, f := range p {
		b.WriteString(f.Text)
	}
	return b.String()
}

// HTML renders the passage with every character escaped and each match in
// a <mark> element: nothing of the indexed text can become markup.
func (p Passage) HTML() template.HTML {
	var b strings.Builder
	for _, f := range p {
		if f.Match {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(f.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(f.Text))
		}
	}
	return template.HTML(b.String()) // #nosec G203 -- every fragment is escaped just above
}

// Results are one page of hits. Next continues with the next page ("" at
// the end).
type Results struct {
	Hits []Hit
	Next string
}

// Visibility is the caller's last word on each hit, asked in batches after
// the index has applied the scope: the policy's view of the group, thread
// or poll, the results rule for reasons (poll.ResultsVisible with whether
// the searcher has voted), erased authors. It returns one bool per hit.
// The index never shows a hit for which it did not answer true.
type Visibility interface {
	CanSee(ctx context.Context, hits []Hit) ([]bool, error)
}
