package decision

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Stored items (docs/data-model.md, patterns 31-41). Everything about one
// poll lives in the partition POLL#<pid>.

const (
	skPoll    = "POLL"
	skTally   = "TALLY"
	skResults = "RESULTS"
	skOutcome = "OUTCOME"

	prefixBallot  = "BALLOT#"
	prefixSealed  = "SEALED#"
	prefixVoted   = "VOTED#"
	prefixVoter   = "VOTER#"
	prefixReceipt = "RECEIPT#"

	// GSI2 work queues of the scheduler.
	queueOpen     = "OPEN"     // open polls by closing time (pattern 38)
	queueFinalize = "FINALIZE" // closed polls whose results are not frozen yet
	queueReview   = "REVIEW"   // outcomes by review date
)

func ballotSK(uid string) string     { return prefixBallot + uid }
func votedSK(uid string) string      { return prefixVoted + uid }
func voterSK(uid string) string      { return prefixVoter + uid }
func receiptSK(uid string) string    { return prefixReceipt + uid }
func sealedSK(hash string) string    { return prefixSealed + hash }
func pollsOfGroup(gid string) string { return "POLLS#" + gid }

// timeKey renders t for a sort key: fixed width, so strings sort like times.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// pollItem: PK=POLL#<pid> SK=POLL; GSI1 POLLS#<gid> / <created>#<pid>; while
// open GSI2 OPEN / <closing_at>#<pid>, between close and freezing GSI2
// FINALIZE / <closed_at>#<pid>.
type pollItem struct {
	store.Item
	ID       string `dynamo:"ID"`
	GroupID  string `dynamo:"GroupID"`
	ThreadID string `dynamo:"ThreadID,omitempty"`
	AuthorID string `dynamo:"AuthorID"`
	// Def is the poll.Definition as JSON (the rules core's own encoding).
	Def string `dynamo:"Def"`
	// Status is draft | open | closed as recorded; the effective status also
	// looks at the clock (poll.StatusOf).
	Status string `dynamo:"Status"`
	// ClosingAtMs mirrors settings.closing_at (epoch ms, 0 for drafts) for
	// the vote transaction's condition.
	ClosingAtMs int64      `dynamo:"ClosingAtMs"`
	ClosedAt    *time.Time `dynamo:"ClosedAt,omitempty"`
	// DefVersion changes with every change of the definition; a ballot
	// prepared against another definition is retried.
	DefVersion int64 `dynamo:"DefVersion"`
	// VoterCount counts VOTER# items (specified voters only).
	VoterCount int64 `dynamo:"VoterCount"`
	// ReminderFor is the ClosingAtMs the closing-soon reminder was sent for
	// (an extension re-arms it).
	ReminderFor int64 `dynamo:"ReminderFor,omitempty"`
	// Finalized is set once results are frozen and receipts written.
	Finalized bool `dynamo:"Finalized,omitempty"`
	// TallyShards is the number of tally shards (tally.go); 0 for polls
	// created before sharding, which count in their single TALLY item.
	TallyShards int `dynamo:"TallyShards,omitempty"`
	// TallySlots are the option ids in the order of their shard counters.
	TallySlots []string `dynamo:"TallySlots,omitempty"`
	// Tags are ids of the group's tags (written only through tags.go, with
	// the tag index in the same transaction; internal/tag).
	Tags []string `dynamo:"Tags,set,omitempty"`
	// The details' @mentions (mentions.go), as a thread description's:
	// DetailsHTML is the details rendered with the mentions linked by the
	// fan-out job, valid while DetailsRV equals render.Version and
	// DetailsSum is the sum of the details (detailsSum); Mentions are the
	// people they were found to mention.
	DetailsHTML string    `dynamo:"DetailsHTML,omitempty"`
	DetailsRV   int       `dynamo:"DetailsRV,omitempty"`
	DetailsSum  string    `dynamo:"DetailsSum,omitempty"`
	Mentions    []string  `dynamo:"Mentions,set,omitempty"`
	CreatedAt   time.Time `dynamo:"CreatedAt"`
	UpdatedAt   time.Time `dynamo:"UpdatedAt"`
}

func (p *pollItem) def() (poll.Definition, error) {
	var d poll.Definition
	if err := json.Unmarshal([]byte(p.Def), &d); err != nil {
		return d, domain.Wrap(domain.Internal, err, "stored poll is unreadable")
	}
	return d, nil
}

func encodeDef(d poll.Definition) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// setSchedule sets the status, closing time and GSI2 keys from d (drafts
// and open polls; closing is done by closeUpdate).
func (p *pollItem) setSchedule(d poll.Definition) {
	p.GSI2PK, p.GSI2SK, p.ClosingAtMs = "", "", 0
	p.Status = string(poll.StatusDraft)
	if c := d.Settings.ClosingAt; c != nil {
		p.Status = string(poll.StatusOpen)
		p.ClosingAtMs = c.UnixMilli()
		p.GSI2PK, p.GSI2SK = queueOpen, timeKey(*c)+"#"+p.ID
	}
}

func (p *pollItem) state(decided int64) poll.State {
	return poll.State{ClosedAt: p.ClosedAt, Decided: decided}
}

// resultsItem: PK=POLL#<pid> SK=RESULTS: the results frozen at close.
type resultsItem struct {
	store.Item
	PollID   string           `dynamo:"PollID"`
	Tally    map[string]int64 `dynamo:"Tally"`
	Eligible int64            `dynamo:"Eligible"`
	// Ranked is poll.RankedChoiceResults as JSON (ranked_choice only).
	Ranked   string    `dynamo:"Ranked,omitempty"`
	FrozenAt time.Time `dynamo:"FrozenAt"`
}

// ballotItem: PK=POLL#<pid> SK=BALLOT#<uid> (polls that are not anonymous).
type ballotItem struct {
	store.Item
	PollID         string        `dynamo:"PollID"`
	UserID         string        `dynamo:"UserID"`
	Choices        []poll.Choice `dynamo:"Choices"`
	NoneOfTheAbove bool          `dynamo:"NoneOfTheAbove,omitempty"`
	Reason         string        `dynamo:"Reason,omitempty"`
	CastAt         time.Time     `dynamo:"CastAt"`
	UpdatedAt      time.Time     `dynamo:"UpdatedAt"`
	// CastID is a random id of this cast, kept by every change. A ballot
	// withdrawn and cast again is a new item whose Version starts at 1
	// again: writes conditioned on the ballot they read check both (see
	// sameCast). Ballots cast before it existed have none.
	CastID string `dynamo:"CastID,omitempty"`
	// ProxyID is the member who cast this ballot for UserID with their
	// proxy (proxy.go); empty when UserID cast it.
	ProxyID string `dynamo:"ProxyID,omitempty"`
	// History are the earlier stances of this cast, oldest first, at most
	// MaxBallotHistory (history.go).
	History []pastStance `dynamo:"History,omitempty"`
}

func (b *ballotItem) ballot() poll.Ballot {
	return poll.Ballot{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason}
}

// sameCast is the condition, beside the version, that the stored ballot is
// the cast that was read (ABA: withdrawn and cast again in between would
// otherwise pass a condition on the version, and the tally would take a
// delta computed from a ballot that is no longer there).
func sameCast(castID string) (string, []any) {
	if castID == "" {
		return "attribute_not_exists($)", []any{"CastID"}
	}
	return "$ = ?", []any{"CastID", castID}
}

// deleteBallot adds to tx the delete of uid's ballot as it was read (at
// version, of the cast castID); errStale when it changed since.
func (s *Service) deleteBallot(tx *store.Tx, pid, uid string, version int64, castID string) {
	expr, args := sameCast(castID)
	tx.Delete(s.st.DeleteOp(tabledef.PollPK(pid), ballotSK(uid)).If("$ = ?", tabledef.Version, version).If(expr, args...), errStale)
}

// sealedItem: PK=POLL#<pid> SK=SEALED#<sha256(receipt)>: an anonymous
// ballot. It holds no user id and no time (a time could be matched with the
// participation record's).
type sealedItem struct {
	store.Item
	PollID         string        `dynamo:"PollID"`
	Choices        []poll.Choice `dynamo:"Choices"`
	NoneOfTheAbove bool          `dynamo:"NoneOfTheAbove,omitempty"`
	Reason         string        `dynamo:"Reason,omitempty"`
}

func (b *sealedItem) ballot() poll.Ballot {
	return poll.Ballot{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason}
}

// votedItem: PK=POLL#<pid> SK=VOTED#<uid>: participation in an anonymous
// poll (voted: yes). It holds no choice, no receipt hash and no time; it is
// written once at cast and deleted at withdrawal, so its Version never
// follows the sealed ballot's changes.
type votedItem struct {
	store.Item
	PollID string `dynamo:"PollID"`
	UserID string `dynamo:"UserID"`
}

// voterItem: PK=POLL#<pid> SK=VOTER#<uid>: a specified voter.
type voterItem struct {
	store.Item
	PollID  string    `dynamo:"PollID"`
	UserID  string    `dynamo:"UserID"`
	AddedBy string    `dynamo:"AddedBy"`
	AddedAt time.Time `dynamo:"AddedAt"`
}

// receiptItem: PK=POLL#<pid> SK=RECEIPT#<uid>: participation at close.
type receiptItem struct {
	store.Item
	PollID   string    `dynamo:"PollID"`
	UserID   string    `dynamo:"UserID"`
	Eligible bool      `dynamo:"Eligible"`
	Voted    bool      `dynamo:"Voted"`
	ClosedAt time.Time `dynamo:"ClosedAt"`
}

// outcomeItem: PK=POLL#<pid> SK=OUTCOME; with a future review date also
// GSI2 REVIEW / <review date>#<pid> until the review reminder is sent.
type outcomeItem struct {
	store.Item
	PollID    string `dynamo:"PollID"`
	Statement string `dynamo:"Statement"`
	// HTML is Statement rendered when written (render.Markdown, as a
	// comment's), valid while RenderV equals render.Version; otherwise
	// (written before, imported, or by an older renderer) the statement
	// is rendered again when read.
	HTML            string     `dynamo:"HTML,omitempty"`
	RenderV         int        `dynamo:"RenderV,omitempty"`
	ReviewOn        *time.Time `dynamo:"ReviewOn,omitempty"`
	MeetingOptionID string     `dynamo:"MeetingOptionID,omitempty"`
	AuthorID        string     `dynamo:"AuthorID"`
	CreatedAt       time.Time  `dynamo:"CreatedAt"`
	UpdatedAt       time.Time  `dynamo:"UpdatedAt"`
	ReviewSentAt    *time.Time `dynamo:"ReviewSentAt,omitempty"`
	// Mentions: the people the statement's @mentions named when its
	// mention job last resolved them (mentions.go); an edit does not tell
	// them again.
	Mentions []string `dynamo:"Mentions,set,omitempty"`
}

// groupKey and memberKey are the keys of the group core's items this core
// reads inside its own batches (the vote stays 2 reads); internal/group
// owns their layout and rows (group.Row, group.MemberRole).
func groupKey(gid string) key { k := group.GroupKey(gid); return key{k.PK, k.SK} }

// guestKey is the key of a thread's guest grant (the group core's).
func guestKey(tid, uid string) key  { k := group.GuestKey(tid, uid); return key{k.PK, k.SK} }
func memberKey(gid, uid string) key { k := group.MembershipKey(gid, uid); return key{k.PK, k.SK} }

// ---- identifiers and receipts ----

// receiptHash is what is stored of a receipt (hex SHA-256); "" for input
// that cannot be a receipt.
func receiptHash(receipt string) string {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(receipt))
	if err != nil || len(raw) != 32 {
		return ""
	}
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// ---- raw items ----

// numbers returns the Number attributes of a raw item (the tally counters
// plus Version, which poll.TallyFromAttributes ignores).
func numbers(it dynamo.Item) map[string]int64 {
	out := map[string]int64{}
	for k, av := range it {
		if n, ok := av.(*types.AttributeValueMemberN); ok && k != tabledef.Version && k != tabledef.TTLAttribute {
			if v, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				out[k] = v
			}
		}
	}
	return out
}
