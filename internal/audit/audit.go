// Package audit keeps each group's record of admin actions: settings and
// permission changes, role changes, member removals, exports, deletions,
// edits of other people's content, held-mail decisions.
//
// The record is append-only and tamper-evident. An action writes its entry
// in its own transaction (Record), so the entry exists exactly when the
// action happened. Entries are then linked into a chain (Seal), in the order
// they are sealed: each sealed entry carries its sequence number and an
// HMAC-SHA256, under a key derived from the installation's signing key, of
// the previous entry's hash and its own content. Verify walks the chain and
// reports the first place where an entry was edited, removed or inserted;
// someone who can write to the table but does not hold the signing key
// cannot repair the chain after an edit.
//
// Items (PK AUDIT#<gid>):
//
//	P#<time>#<id>  an entry waiting to be sealed; GSI2PK=AUDITSEAL GSI2SK=<gid>#<SK>
//	E#<seq>        a sealed entry (seq zero-padded to 12 digits, so it sorts)
//	HEAD           the chain's last sequence number and hash
//
// Sealing moves an entry from P# to E# and advances HEAD in one transaction
// conditioned on HEAD's sequence number, so concurrent sealers never fork
// the chain. The stream consumer seals a group's entries within seconds of
// the action; the scheduler seals whatever it missed (SealPending).
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Action names what an admin did.
type Action string

// Actions recorded.
const (
	SettingsChanged   Action = "group.settings.changed"   // name, handle, description, privacy, permissions
	JoinLinkReset     Action = "group.join_link.reset"    // the old join link stopped working
	RoleChanged       Action = "member.role.changed"      // details: from, to
	MemberRemoved     Action = "member.removed"           // target: the person
	RequestApproved   Action = "member.request.approved"  // target: the person
	RequestDenied     Action = "member.request.denied"    // target: the person
	InvitationRevoked Action = "invitation.revoked"       // target: the invitation
	ContentEdited     Action = "content.edited"           // someone else's thread or comment; details: kind
	ContentDeleted    Action = "content.deleted"          // someone else's comment, or a thread
	ContentRemoved    Action = "content.removed"          // all comments of a member removed (moderation); target: the person
	HeldMailAllowed   Action = "held_mail.allowed"        // target: the held message
	HeldMailDiscarded Action = "held_mail.discarded"      // target: the held message
	SenderBlocked     Action = "held_mail.sender_blocked" // target: the held message
	SenderUnblocked   Action = "held_mail.sender_removed" // target: the rule
	GroupExported     Action = "group.exported"           // details: format
	GroupDeleted      Action = "group.deleted"            // an admin deleted the group (grace period until details.purge_at)
	GroupRestored     Action = "group.restored"           // an admin restored the group during its grace period
	GroupImported     Action = "group.imported"           // created from an export archive; details: import, threads, polls
	PollReopened      Action = "poll.reopened"            // a closed poll opened again; target: the poll
	AccountDeleted    Action = "member.account.deleted"   // a member deleted their account; no actor, no target id
	TagCreated        Action = "tag.created"              // target: the tag; details: colour (never the name)
	TagChanged        Action = "tag.changed"              // target: the tag; details: renamed, colour
	TagDeleted        Action = "tag.deleted"              // target: the tag
	TemplateSaved     Action = "template.saved"           // target: the template; details: kind, from (poll/thread id)
	TemplateEdited    Action = "template.edited"          // target: the template
	TemplateDeleted   Action = "template.deleted"         // target: the template
	TemplatesArranged Action = "templates.arranged"       // the order of the group's templates, or which built-in ones are hidden
	// Proxy voting (internal/decision, proxy.go). Target: the other person
	// (member); details: poll (empty for a proxy for every poll), and for
	// ProxyEnded the reason (own_vote, member_left).
	ProxyGranted   Action = "proxy.granted"          // the actor gave their proxy to the target
	ProxyRevoked   Action = "proxy.revoked"          // the actor took back the proxy they gave the target
	ProxyUsed      Action = "proxy.used"             // the actor voted for the target with the target's proxy
	ProxyEnded     Action = "proxy.ended"            // the proxy of the actor (or, member_left, of a removed member) ended
	ProxyWithdrawn Action = "proxy.withdrawn"        // the actor withdrew the target's vote with the target's proxy
	ThreadMovedOut Action = "thread.moved_out"       // a thread left for another group; details: to
	ThreadMovedIn  Action = "thread.moved_in"        // a thread came from another group; details: from
	CommentsForked Action = "thread.comments_forked" // comments forked into a new thread; details: from, count
)

// Entry is one recorded action.
type Entry struct {
	// Seq is the entry's place in the chain (0 while not sealed yet).
	Seq     int64             `json:"seq,omitempty"`
	ID      string            `json:"id"`
	GroupID string            `json:"group_id"`
	At      time.Time         `json:"at"`
	ActorID string            `json:"actor_id"`
	Action  Action            `json:"action"`
	Target  Target            `json:"target"`
	Details map[string]string `json:"details,omitempty"`
	// Hash is the chain's HMAC after this entry (hex; "" while pending).
	Hash string `json:"hash,omitempty"`
}

// Target is what the action was done to. Kind is one of: group, member,
// invitation, thread, comment, poll, held_mail, sender, tag.
type Target struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
}

// Limits on what an entry may carry: entries hold ids and short facts
// (roles, field names), never text people wrote.
const (
	MaxDetails     = 16
	MaxDetailBytes = 200
)

const (
	pkPrefix   = "AUDIT#"
	skHead     = "HEAD"
	pendingPfx = "P#"
	sealedPfx  = "E#"
	sealQueue  = "AUDITSEAL"
	// sealBatch entries are sealed per transaction (3 operations each,
	// plus HEAD: within DynamoDB's 100).
	sealBatch = 30
	// MaxPageSize bounds one page of List.
	MaxPageSize = 100
)

func recordPK(gid string) string { return pkPrefix + gid }
func sealedSK(seq int64) string  { return fmt.Sprintf("%s%012d", sealedPfx, seq) }

// Policy answers whether the actor may do action in group gid (the group
// service's Authorize).
type Policy interface {
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
}

// Service records, seals, lists and verifies group audit records.
type Service struct {
	st     storage
	key    []byte
	policy Policy
	now    func() time.Time
	log    *slog.Logger
}

// New returns the service. signingKey is the installation's root key (the
// chain key is derived from it); policy decides who may read a record.
func New(st storage, signingKey []byte, policy Policy, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, key: secrets.DeriveKey(signingKey, "audit-chain"), policy: policy, now: now, log: log}
}

// item is an entry as stored (pending or sealed).
type item struct {
	store.Item
	ID      string            `dynamo:"ID"`
	GroupID string            `dynamo:"GroupID"`
	At      time.Time         `dynamo:"At"`
	ActorID string            `dynamo:"ActorID"`
	Action  string            `dynamo:"Action"`
	TKind   string            `dynamo:"TargetKind"`
	TID     string            `dynamo:"TargetID,omitempty"`
	Details map[string]string `dynamo:"Details,omitempty"`
	Seq     int64             `dynamo:"Seq,omitempty"`
	Prev    string            `dynamo:"Prev,omitempty"`
	Hash    string            `dynamo:"Hash,omitempty"`
}

type headItem struct {
	store.Item
	Seq  int64  `dynamo:"Seq"`
	Hash string `dynamo:"Hash"`
}

func (it *item) entry() Entry {
	return Entry{Seq: it.Seq, ID: it.ID, GroupID: it.GroupID, At: it.At.UTC(), ActorID: it.ActorID, Action: Action(it.Action),
		Target: Target{Kind: it.TKind, ID: it.TID}, Details: it.Details, Hash: it.Hash}
}

// Record adds the entry of an action to tx, the transaction that does the
// action: both happen or neither. The actor comes from ctx; e's ID and At
// are set here. Details are checked (bounded, short); a bad entry is a
// programming error reported as Internal.
func (s *Service) Record(ctx context.Context, tx *store.Tx, gid string, action Action, target Target, details map[string]string) error {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(gid) || action == "" || target.Kind == "" {
		return domain.Errorf(domain.Internal, "audit: incomplete entry %q for group %q", action, gid)
	}
	if len(details) > MaxDetails {
		return domain.Errorf(domain.Internal, "audit: %d details (at most %d)", len(details), MaxDetails)
	}
	for k, v := range details {
		if len(k)+len(v) > MaxDetailBytes {
			return domain.Errorf(domain.Internal, "audit: detail %q is too long", k)
		}
	}
	now := s.now().UTC()
	id := ids.New()
	sk := pendingPfx + now.Format("20060102T150405.000000000Z") + "#" + id
	tx.Create(&item{Item: store.Item{PK: recordPK(gid), SK: sk, Type: "audit_pending", GSI2PK: sealQueue, GSI2SK: gid + "#" + sk},
		ID: id, GroupID: gid, At: now, ActorID: a.UserID, Action: string(action), TKind: target.Kind, TID: target.ID,
		Details: details}, nil)
	return nil
}

// canonical is the content an entry's hash covers, in a fixed order.
func canonical(e Entry) []byte {
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	details := make([][2]string, 0, len(keys))
	for _, k := range keys {
		details = append(details, [2]string{k, e.Details[k]})
	}
	b, _ := json.Marshal([]any{e.Seq, e.ID, e.GroupID, e.At.UTC().Format(time.RFC3339Nano), e.ActorID, string(e.Action),
		e.Target.Kind, e.Target.ID, details})
	return b
}

// link is the chain's hash after e, given the hash before it.
func (s *Service) link(prev string, e Entry) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(prev))
	m.Write([]byte{0})
	m.Write(canonical(e))
	return hex.EncodeToString(m.Sum(nil))
}

// errChainMoved means another sealer advanced the chain first.
var errChainMoved = domain.Errorf(domain.Conflict, "the audit chain moved")

// Seal links up to max pending entries of group gid into its chain, oldest
// first, and returns how many it sealed. Safe to run concurrently and to
// repeat: a sealer that loses the race to HEAD re-reads and goes on.
func (s *Service) Seal(ctx context.Context, gid string, max int) (int, error) {
	if !ids.Valid(gid) {
		return 0, domain.Errorf(domain.Invalid, "invalid group id")
	}
	if max <= 0 {
		max = sealBatch
	}
	sealed := 0
	for attempt := 0; sealed < max && attempt < 5; {
		var pending []item
		err := s.st.Table().Get(tabledef.PK, recordPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, pendingPfx).
			Consistent(true).Limit(min(sealBatch, max-sealed)).All(ctx, &pending)
		if err != nil {
			return sealed, store.Classify(err)
		}
		if len(pending) == 0 {
			return sealed, nil
		}
		var head headItem
		if err := s.st.Get(ctx, recordPK(gid), skHead, &head); err != nil && !errors.Is(err, store.ErrNotFound) {
			return sealed, err
		}
		tx := s.st.Tx()
		seq, hash := head.Seq, head.Hash
		for i := range pending {
			p := &pending[i]
			seq++
			e := p.entry()
			e.Seq = seq
			prev := hash
			hash = s.link(prev, e)
			tx.Delete(s.st.DeleteOp(p.PK, p.SK).If("attribute_exists($)", tabledef.PK), errChainMoved)
			tx.Create(&item{Item: store.Item{PK: p.PK, SK: sealedSK(seq), Type: "audit_entry"}, ID: p.ID, GroupID: p.GroupID,
				At: p.At, ActorID: p.ActorID, Action: p.Action, TKind: p.TKind, TID: p.TID, Details: p.Details,
				Seq: seq, Prev: prev, Hash: hash}, errChainMoved)
		}
		u := s.st.Update(recordPK(gid), skHead).Set("Seq", seq).Set("Hash", hash).Set("Type", "audit_head").
			Add(tabledef.Version, 1)
		if head.Seq == 0 {
			u.If("attribute_not_exists($)", "Seq")
		} else {
			u.If("$ = ?", "Seq", head.Seq)
		}
		tx.Update(u, errChainMoved)
		switch err := tx.Run(ctx, ""); {
		case err == nil:
			sealed += len(pending)
			s.log.InfoContext(ctx, "audit chain head", "group_id", gid, "seq", seq, "hash", hash)
		case errors.Is(err, errChainMoved):
			attempt++ // another sealer got there first: read again
		default:
			return sealed, err
		}
	}
	return sealed, nil
}

// SealPending seals the pending entries of every group that has some (the
// scheduler's sweep), at most max entries in all.
func (s *Service) SealPending(ctx context.Context, max int) (int, error) {
	var queued []item
	err := s.st.Table().Get(tabledef.GSI2PK, sealQueue).Index(tabledef.GSI2).Limit(max).All(ctx, &queued)
	if err != nil {
		return 0, store.Classify(err)
	}
	groups := map[string]bool{}
	var order []string
	for _, q := range queued {
		if !groups[q.GroupID] {
			groups[q.GroupID] = true
			order = append(order, q.GroupID)
		}
	}
	total := 0
	for _, gid := range order {
		n, err := s.Seal(ctx, gid, max-total)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Page is one page of a group's record, newest first.
type Page struct {
	// Pending are entries not sealed yet (first page only; normally none
	// for more than a few seconds).
	Pending []Entry `json:"pending,omitempty"`
	Entries []Entry `json:"entries"`
	Next    string  `json:"next,omitempty"`
}

// List returns a page of group gid's record, newest first (admins).
func (s *Service) List(ctx context.Context, gid, cursor string, limit int) (Page, error) {
	if err := s.policy.Authorize(ctx, gid, authz.GroupViewAudit, authz.Target{}); err != nil {
		return Page{}, err
	}
	if limit <= 0 || limit > MaxPageSize {
		limit = MaxPageSize
	}
	var out Page
	if cursor == "" {
		var pending []item
		err := s.st.Table().Get(tabledef.PK, recordPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, pendingPfx).
			Order(dynamo.Descending).Limit(limit).All(ctx, &pending)
		if err != nil {
			return Page{}, store.Classify(err)
		}
		for i := range pending {
			out.Pending = append(out.Pending, pending[i].entry())
		}
	}
	q := s.st.Table().Get(tabledef.PK, recordPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, sealedPfx).Order(dynamo.Descending)
	page, err := store.QueryPage[item](ctx, s.st, q, "audit:"+gid, cursor, limit)
	if err != nil {
		return Page{}, err
	}
	out.Entries = make([]Entry, 0, len(page.Items))
	for i := range page.Items {
		out.Entries = append(out.Entries, page.Items[i].entry())
	}
	out.Next = page.Next
	return out, nil
}

// Report is the result of verifying a group's chain.
type Report struct {
	OK bool `json:"ok"`
	// Entries is how many sealed entries were checked; Head is the
	// sequence number HEAD says the chain ends at.
	Entries int   `json:"entries"`
	Head    int64 `json:"head"`
	// Pending entries are not in the chain yet.
	Pending int `json:"pending"`
	// BrokenAt is the first sequence number where the chain does not hold
	// (0 when OK), and Problem says what is wrong there.
	BrokenAt int64  `json:"broken_at,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// MaxVerified bounds the entries one Verify reads (a group's record grows by
// admin actions only; a longer record is verified by operators in parts).
const MaxVerified = 100000

// Verify recomputes group gid's chain from its first entry and reports the
// first entry that was changed, removed or inserted (admins).
func (s *Service) Verify(ctx context.Context, gid string) (Report, error) {
	if err := s.policy.Authorize(ctx, gid, authz.GroupViewAudit, authz.Target{}); err != nil {
		return Report{}, err
	}
	return s.verify(ctx, gid)
}

func (s *Service) verify(ctx context.Context, gid string) (Report, error) {
	var rep Report
	var head headItem
	if err := s.st.Get(ctx, recordPK(gid), skHead, &head); err != nil && !errors.Is(err, store.ErrNotFound) {
		return rep, err
	}
	rep.Head = head.Seq
	pending, err := s.st.Table().Get(tabledef.PK, recordPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, pendingPfx).
		Consistent(true).Count(ctx)
	if err != nil {
		return rep, store.Classify(err)
	}
	rep.Pending = pending
	fail := func(at int64, format string, a ...any) (Report, error) {
		rep.BrokenAt, rep.Problem = at, fmt.Sprintf(format, a...)
		return rep, nil
	}
	var (
		want = int64(1)
		prev string
		last dynamo.PagingKey
	)
	for {
		var batch []item
		q := s.st.Table().Get(tabledef.PK, recordPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, sealedPfx).
			Consistent(true).SearchLimit(500)
		if last != nil {
			q = q.StartFrom(last)
		}
		next, err := q.AllWithLastEvaluatedKey(ctx, &batch)
		if err != nil {
			return rep, store.Classify(err)
		}
		for i := range batch {
			it := &batch[i]
			seqInKey := strings.TrimLeft(strings.TrimPrefix(it.SK, sealedPfx), "0")
			switch {
			case it.Seq < want:
				return fail(it.Seq, "entry %d appears again (at %s): an entry was copied or inserted", it.Seq, it.SK)
			case it.Seq > want:
				return fail(want, "entry %d is missing: the chain jumps from %d to %d", want, want-1, it.Seq)
			case seqInKey != fmt.Sprint(it.Seq):
				return fail(want, "entry %d is stored under %s: an entry was moved", want, it.SK)
			case it.Prev != prev:
				return fail(want, "entry %d does not follow entry %d: its link to the previous entry was changed", want, want-1)
			case !hmac.Equal([]byte(s.link(prev, it.entry())), []byte(it.Hash)):
				return fail(want, "entry %d was changed after it was recorded: its content does not match its hash", want)
			}
			prev = it.Hash
			want++
			rep.Entries++
			if rep.Entries >= MaxVerified {
				return fail(want, "the record is longer than %d entries: verify it in parts", MaxVerified)
			}
		}
		if next == nil {
			break
		}
		last = next
	}
	switch {
	case head.Seq != want-1:
		return fail(want, "the record ends at entry %d but its head says %d: entries at the end were removed", want-1, head.Seq)
	case head.Hash != prev:
		return fail(want-1, "the head's hash does not match entry %d: the head or the last entry was changed", want-1)
	}
	rep.OK = true
	return rep, nil
}

// StreamConsumer seals a group's new entries as soon as the table's stream
// delivers them (functions/mailer's dispatcher; internal/stream/poll locally).
type StreamConsumer struct{ Audit *Service }

// Wants reports whether r is a new entry waiting to be sealed.
func (c StreamConsumer) Wants(r events.DynamoDBEventRecord) bool {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) {
		return false
	}
	v, ok := r.Change.NewImage[tabledef.GSI2PK]
	return ok && v.DataType() == events.DataTypeString && v.String() == sealQueue
}

// HandleRecords seals the groups of recs; a group that could not be sealed
// fails its records (the scheduler's sweep would seal them later anyway).
func (c StreamConsumer) HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	byGroup := map[string][]string{}
	var order []string
	for _, r := range recs {
		g, ok := r.Change.NewImage["GroupID"]
		if !ok || g.DataType() != events.DataTypeString {
			continue
		}
		gid := g.String()
		if _, seen := byGroup[gid]; !seen {
			order = append(order, gid)
		}
		byGroup[gid] = append(byGroup[gid], r.Change.SequenceNumber)
	}
	var failed []string
	for _, gid := range order {
		if _, err := c.Audit.Seal(ctx, gid, 1000); err != nil {
			c.Audit.log.ErrorContext(ctx, "audit entries not sealed", "group_id", gid, "err", err)
			failed = append(failed, byGroup[gid]...)
		}
	}
	return failed, nil
}

// Discard records nothing: the recorder of cores built without an audit
// record (unit tests of one core).
var Discard discard

type discard struct{}

// Record adds nothing to tx.
func (discard) Record(context.Context, *store.Tx, string, Action, Target, map[string]string) error {
	return nil
}

// PolicyFunc adapts a function to Policy (the group service is built after
// the audit service it records into).
type PolicyFunc func(ctx context.Context, gid string, action authz.Action, target authz.Target) error

// Authorize calls f.
func (f PolicyFunc) Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error {
	return f(ctx, gid, action, target)
}
