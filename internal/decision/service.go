// Package decision stores polls and ballots and runs their life cycle: the
// storage and service layer over the pure rules of internal/poll. Every
// ballot write is one DynamoDB transaction that writes the ballot and ADDs
// its delta to the poll's tally item, conditioned on the poll being open and
// the voter being eligible, so results are read from one item and always
// equal a recount of the ballots (docs/data-model.md, patterns 31-41).
//
// Every Service method reads the actor from ctx (authz.ActorFrom) and asks
// the group policy (authz.Group, through the group service's facts). The
// System methods (Tick, Recount, WithdrawMember) run with system authority
// for the scheduler, commands and the group service; never expose them over
// HTTP.
package decision

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// Policy is the group service's authorization entry point
// (*group.Service implements it).
type Policy interface {
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
}

// Groups is what this core asks the group core, which owns groups and
// memberships (*group.Service implements it). Reads that must ride in
// this core's own batch or transaction (the vote: 1 transaction + at most
// 2 reads) use group.GroupKey, group.MembershipKey and group.RequireMember
// instead, so the layout still lives in internal/group.
type Groups interface {
	Policy
	// MemberIDs lists all of a group's members (system read: admin
	// actions, notices, the close; never on the vote path).
	MemberIDs(ctx context.Context, gid string) ([]string, error)
	// GuestGrantsOf lists up to limit of a person's guest grants (one
	// query, once per read-only request: the dashboard's threads ask them
	// too; a grant alone decides nothing, the policy is asked).
	GuestGrantsOf(ctx context.Context, uid string, limit int) ([]group.GuestOf, error)
}

// Config are the dependencies of the Service.
type Config struct {
	Store  storage
	Groups Groups
	// Notifier receives reminders (closing soon, manual, outcome review);
	// nil discards them.
	Notifier Notifier
	// Fanout writes the jobs that tell a whole group (a poll opened or
	// announced); nil tells nobody.
	Fanout Fanouter
	// Threads checks a poll's thread and receives its timeline items; nil
	// means polls cannot be placed in threads.
	Threads Threads
	// Audit adds entries to the group's record of actions in the
	// transaction of what they record (proxy grants, uses, revocations, a
	// reopening); nil records nothing (unit tests).
	Audit Recorder
	Log   *slog.Logger
	// Now defaults to time.Now (tests move the clock).
	Now func() time.Time
	// MaxVoteAttempts bounds the re-read-and-retry loop of a ballot write
	// that lost a race (default 8).
	MaxVoteAttempts int
	// Tags are the groups' tags (nil: a tag.Service on Store and Groups).
	Tags *tag.Service
	// Renderer renders the polls' details (nil: render.New()).
	Renderer *render.Renderer
}

// Service implements polls, ballots, results and outcomes.
type Service struct {
	st       storage
	groups   Groups
	notifier Notifier
	fanout   Fanouter
	threads  Threads
	audit    Recorder
	log      *slog.Logger
	now      func() time.Time
	attempts int
	tags     *tag.Service
	r        *render.Renderer
	// fault, set only by tests (export_test.go), makes a member's
	// withdrawal fail.
	fault func(gid, uid string) error
	// between, set only by tests (export_test.go), runs after a ballot
	// write has read the ballot and before its transaction, so that a test
	// can interleave other writes of the same ballot.
	between func(op string)
}

// raced runs the test hook between a ballot write's read and its transaction.
func (s *Service) raced(op string) {
	if s.between != nil {
		s.between(op)
	}
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, groups: c.Groups, notifier: c.Notifier, fanout: c.Fanout, threads: c.Threads, audit: c.Audit, log: c.Log, now: c.Now, attempts: c.MaxVoteAttempts, tags: c.Tags}
	if s.tags == nil {
		s.tags = tag.New(tag.Config{Store: c.Store, Policy: c.Groups, Now: c.Now, Log: c.Log})
	}
	s.tags.Own(tag.Poll, s) // the tags' purge asks this core to write its items' Tags
	if s.audit == nil {
		s.audit = audit.Discard
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.notifier == nil {
		s.notifier = NopNotifier{}
	}
	if s.fanout == nil {
		s.fanout = NopFanouter{}
	}
	if s.attempts <= 0 {
		s.attempts = 8
	}
	if s.r = c.Renderer; s.r == nil {
		s.r = render.New()
	}
	return s
}

// Errors with meaning for the user.
var (
	ErrPollClosed     = domain.Errorf(domain.Conflict, "this poll is closed: votes are no longer accepted")
	ErrPollNotOpen    = domain.Errorf(domain.Conflict, "this poll is not open for voting yet")
	ErrNotEligible    = domain.Errorf(domain.Forbidden, "you are not among the voters of this poll")
	ErrNoBallot       = domain.Errorf(domain.NotFound, "you have no ballot in this poll")
	ErrAlreadyVoted   = domain.Errorf(domain.Conflict, "you have already voted in this anonymous poll: use your receipt to change or withdraw your vote")
	ErrReceipt        = domain.Errorf(domain.NotFound, "this receipt does not match a ballot of yours in this poll")
	ErrReceiptNeeded  = domain.Errorf(domain.Invalid, "receipt: is required to change or withdraw an anonymous vote")
	ErrPollAdminOnly  = domain.Errorf(domain.Forbidden, "only the poll's author and group admins can do this")
	ErrNotDraft       = domain.Errorf(domain.Conflict, "only a draft can be deleted")
	ErrNotClosed      = domain.Errorf(domain.Conflict, "an outcome can only be written once the poll is closed")
	ErrBusy           = domain.Errorf(domain.Conflict, "too many changes to this ballot at once; try again")
	ErrVotesMeanwhile = domain.Errorf(domain.Conflict, "votes were cast while you edited this poll; reload and try again")
	ErrAlreadyVoter   = domain.Errorf(domain.Conflict, "that person is already a voter of this poll")
	ErrNoVoter        = domain.Errorf(domain.NotFound, "that person is not a voter of this poll")
	ErrVoterNotMember = domain.Validation(domain.FieldError{Field: "voters", Message: "every voter must be a member of the group or a guest of the poll's thread"})
	ErrSpecifiedOnly  = domain.Errorf(domain.Conflict, "this poll is open to the whole group: it has no list of voters")
	ErrPollClosedEdit = domain.Errorf(domain.Conflict, "this poll is closed")
	ErrResultsHidden  = domain.Errorf(domain.Forbidden, "results of this poll are hidden for now")
	// ErrParticipationHidden: who has voted in an open anonymous poll.
	ErrParticipationHidden = domain.Errorf(domain.Forbidden, "who has voted in an anonymous poll is shown once it closes; reminders still reach the undecided")
	// ErrGuestsNeedThread: thread_guests_may_vote on a poll outside a thread.
	ErrGuestsNeedThread = domain.Validation(domain.FieldError{Field: "settings.thread_guests_may_vote", Message: "only for polls in a thread"})
	// ErrDraftAnnounce: a draft is its author's only.
	ErrDraftAnnounce = domain.Errorf(domain.Conflict, "a draft is visible only to its author: publish it before notifying anyone")
)

// Internal conditions: a failed one means "re-read and try again".
var (
	errStale     = domain.Errorf(domain.Conflict, "the ballot changed meanwhile")
	errPollCheck = domain.Errorf(domain.Conflict, "the poll changed meanwhile")
)

// Poll is a poll as its viewers see it.
type Poll struct {
	ID         string          `json:"id"`
	GroupID    string          `json:"group_id"`
	ThreadID   string          `json:"thread_id,omitempty"`
	AuthorID   string          `json:"author_id"`
	Definition poll.Definition `json:"definition"`
	Status     poll.Status     `json:"status"`
	ClosedAt   *time.Time      `json:"closed_at,omitempty"`
	// VoterCount is the number of specified voters (specified-voters polls).
	VoterCount int64 `json:"voter_count,omitempty"`
	// Finalized: results are frozen and participation receipts written.
	Finalized bool      `json:"finalized,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
	// Tags are the group's tags on the poll, sorted by name.
	Tags []tag.Tag `json:"tags"`
	// DetailsHTML is the details rendered as Markdown, with the mentions
	// linked once the poll's fan-out job has resolved them (stored: any
	// read; otherwise rendered by the reads of one poll, Get and Cards).
	DetailsHTML template.HTML `json:"details_html,omitempty"`
	// tagIDs are the stored ids (showTags resolves them).
	tagIDs []string
}

func (s *Service) present(p *pollItem, d poll.Definition) Poll {
	v := Poll{ID: p.ID, GroupID: p.GroupID, ThreadID: p.ThreadID, AuthorID: p.AuthorID, Definition: d,
		Status: poll.StatusOf(d.Settings, p.state(0), s.now()), ClosedAt: p.ClosedAt, Finalized: p.Finalized,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version, Tags: []tag.Tag{}, tagIDs: p.Tags}
	if d.Settings.SpecifiedVotersOnly {
		v.VoterCount = p.VoterCount
	}
	if render.Current(p.DetailsRV, p.DetailsHTML) && p.DetailsSum == detailsSum(d.Details) {
		v.DetailsHTML = template.HTML(p.DetailsHTML) // #nosec G203 -- rendered and sanitised by render.MarkdownMentions when stored
	}
	return v
}

// ---- reading ----

type key struct{ pk, sk string }

// getMany reads up to 100 items in one strongly consistent BatchGetItem and
// returns them by key; missing items are absent from the map. Within a
// read-only request (store.WithReadCache) an item read before (the poll, the
// viewer's ballot, the group and membership) is not read again.
func (s *Service) getMany(ctx context.Context, keys ...key) (map[key]dynamo.Item, error) {
	ks := make([]store.Key, len(keys))
	for i, k := range keys {
		ks[i] = store.Key{PK: k.pk, SK: k.sk}
	}
	items, err := store.BatchGet(ctx, s.st.Table(), ks)
	if err != nil {
		return nil, err
	}
	out := make(map[key]dynamo.Item, len(items))
	for k, it := range items {
		out[key{k.PK, k.SK}] = it
	}
	return out, nil
}

func unmarshal(it dynamo.Item, out any) error {
	if err := dynamo.UnmarshalItem(it, out); err != nil {
		return domain.Wrap(domain.Internal, err, "stored item is unreadable")
	}
	return nil
}

// access is the actor's relation to a poll's group, read in one batch with
// the group item (pattern 12) and the actor's membership (pattern 16).
type access struct {
	a      authz.Actor
	group  group.Row
	member *group.MemberRole
	// items are the group partition's items read (with any extra asked).
	items map[key]dynamo.Item
}

// loaded is a poll with the other items of its partition asked for, and the
// actor's access to its group: two BatchGetItem calls in all.
type loaded struct {
	p     *pollItem
	def   poll.Definition
	items map[key]dynamo.Item
	ac    *access
}

func (l *loaded) item(sk string) (dynamo.Item, bool) {
	it, ok := l.items[key{tabledef.PollPK(l.p.ID), sk}]
	return it, ok
}

// load reads the poll and the extra items of its partition (one call), then
// the group and the actor's membership (one call). A missing poll is
// authz.ErrHidden, like one the actor may not see.
func (s *Service) load(ctx context.Context, pid string, extra ...string) (*loaded, error) {
	return s.loadWith(ctx, pid, extra, nil)
}

// loadWith is load that also reads the items groupExtra of the group's
// partition in the second call (proxy grants: proxy.go); they are in
// l.ac.items.
//
// people are others whose memberships of the poll's group ride in the
// group read (memberIn).
func (s *Service) loadWith(ctx context.Context, pid string, extra, groupExtra []string, people ...string) (*loaded, error) {
	if !ids.Valid(pid) {
		return nil, authz.ErrHidden
	}
	a := authz.ActorFrom(ctx)
	keys := []key{{tabledef.PollPK(pid), skPoll}}
	if more, grp := aheadKeys(ctx); more != nil {
		extra = append(append([]string{}, extra...), more...)
		groupExtra = append(append([]string{}, groupExtra...), grp...)
	}
	for _, sk := range extra {
		keys = append(keys, key{tabledef.PollPK(pid), sk})
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return nil, err
	}
	p, d, err := pollOf(items, pid)
	if err != nil {
		return nil, err
	}
	ac, err := s.access(ctx, a, p.GroupID, groupExtra, people...)
	if err != nil {
		return nil, err
	}
	return &loaded{p: p, def: d, items: items, ac: ac}, nil
}

// pollOf decodes poll pid from items read in a batch (authz.ErrHidden if
// it is not among them).
func pollOf(items map[key]dynamo.Item, pid string) (*pollItem, poll.Definition, error) {
	raw, ok := items[key{tabledef.PollPK(pid), skPoll}]
	if !ok {
		return nil, poll.Definition{}, authz.ErrHidden
	}
	var p pollItem
	if err := unmarshal(raw, &p); err != nil {
		return nil, poll.Definition{}, err
	}
	d, err := p.def()
	if err != nil {
		return nil, poll.Definition{}, err
	}
	return &p, d, nil
}

func (s *Service) access(ctx context.Context, a authz.Actor, gid string, extra []string, people ...string) (*access, error) {
	keys := []key{groupKey(gid)}
	signedIn := a.Authenticated() && ids.Valid(a.UserID)
	if signedIn {
		keys = append(keys, memberKey(gid, a.UserID))
	}
	for _, sk := range extra {
		keys = append(keys, key{tabledef.GroupPK(gid), sk})
	}
	for _, uid := range people {
		if ids.Valid(uid) {
			keys = append(keys, memberKey(gid, uid))
		}
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return nil, err
	}
	ac := &access{a: a, items: items}
	g, ok := items[keys[0]]
	if !ok {
		return nil, authz.ErrHidden
	}
	if ac.group, err = group.DecodeRow(g); err != nil {
		return nil, err
	}
	if signedIn {
		if m, ok := items[keys[1]]; ok {
			mr, valid, err := group.DecodeMembership(m)
			if err != nil {
				return nil, err
			}
			if valid {
				ac.member = &mr
			}
		}
	}
	return ac, nil
}

// authorize asks the one policy (authz.Group) whether the actor may do
// action on poll p. For members of the poll's group the facts come from the
// items already read (the policy never looks at the parent group for
// members); everyone else goes through the group service, which loads the
// full facts (parent group, guest grants).
func (s *Service) authorize(ctx context.Context, ac *access, p *pollItem, action authz.Action) error {
	return s.authorizeVoter(ctx, ac, p, action, false)
}

// authorizeVoter is authorize with the facts' Target.Voter: whether the
// actor would be in the poll's voter set as a guest of its thread (the
// policy only consults it for guests).
func (s *Service) authorizeVoter(ctx context.Context, ac *access, p *pollItem, action authz.Action, voter bool) error {
	target := authz.Target{Kind: "poll", ID: p.ID, ThreadID: p.ThreadID,
		Author: ac.a.Authenticated() && ac.a.UserID == p.AuthorID, Voter: voter}
	if ac.member != nil {
		return authz.Group(ac.a, action, authz.GroupFacts{
			GroupID: p.GroupID, Privacy: ac.group.Privacy, Flags: ac.group.Flags.Flags(), Role: ac.member.Role,
			ParentID: ac.group.ParentID, Target: target,
		})
	}
	return s.groups.Authorize(ctx, p.GroupID, action, target)
}

// authorizeView: whoever can see the poll's group content (or is a guest of
// the poll or its thread); drafts only their author.
func (s *Service) authorizeView(ctx context.Context, l *loaded) error {
	if err := s.authorize(ctx, l.ac, l.p, authz.ThreadView); err != nil {
		return err
	}
	if l.p.Status == string(poll.StatusDraft) && !(l.ac.a.Authenticated() && l.ac.a.UserID == l.p.AuthorID) {
		return authz.ErrHidden
	}
	return nil
}

// authorizeAdmin: whoever may see the poll and is one of its admins
// (authz.PollAdmin: the poll's author while still a member or guest, and
// the group's admins).
func (s *Service) authorizeAdmin(ctx context.Context, l *loaded) error {
	if err := s.authorizeView(ctx, l); err != nil {
		return err
	}
	if !l.ac.a.Authenticated() {
		return authz.ErrSignIn
	}
	if s.authorize(ctx, l.ac, l.p, authz.PollAdmin) != nil {
		return ErrPollAdminOnly
	}
	return nil
}

// ---- polls ----

// CreateInput creates a poll in a group, optionally in a thread.
type CreateInput struct {
	GroupID    string          `json:"group_id"`
	ThreadID   string          `json:"thread_id,omitempty"`
	Definition poll.Definition `json:"definition"`
	// Voters are the specified voters (settings.specified_voters_only);
	// each must be a member or a guest of the poll's thread. More can be
	// added with AddVoter.
	Voters []string `json:"voters,omitempty"`
	// Notify is whom to tell when the poll opens (notify.Resolve; nil for
	// the default). Not for drafts: they notify when published.
	Notify *notify.Audience `json:"notify,omitempty"`
	// Tags are ids of the group's tags to put on the poll (at most
	// tag.MaxPerItem), written with it; its author is one of its admins,
	// who may tag it (SetPollTags).
	Tags []string `json:"tags,omitempty"`
}

// MaxVotersAtCreate bounds Voters (two transaction items each).
const MaxVotersAtCreate = 45

// Create creates a draft (no closing_at) or an open poll, and tells of an
// open one (noticeOpened). Errors: Unauthorized, NotFound (group
// invisible), Forbidden (may not start polls, or notify whom in.Notify
// names), Invalid (definition, voters, notify).
func (s *Service) Create(ctx context.Context, in CreateInput) (Poll, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(in.GroupID) || (in.ThreadID != "" && !ids.Valid(in.ThreadID)) {
		return Poll{}, authz.ErrHidden
	}
	if err := s.groups.Authorize(ctx, in.GroupID, authz.PollStart, authz.Target{Kind: "thread", ID: in.ThreadID}); err != nil {
		return Poll{}, err
	}
	if err := s.checkThread(ctx, in.GroupID, in.ThreadID); err != nil {
		return Poll{}, err
	}
	now := s.now().UTC()
	d, err := poll.ValidateNew(in.Definition, now)
	if err != nil {
		return Poll{}, err
	}
	voters := slices.Compact(slices.Sorted(slices.Values(in.Voters)))
	if len(voters) > 0 && !d.Settings.SpecifiedVotersOnly {
		return Poll{}, domain.Validation(domain.FieldError{Field: "voters", Message: "only for polls with specified voters only"})
	}
	if len(voters) > MaxVotersAtCreate {
		return Poll{}, domain.Validation(domain.FieldError{Field: "voters", Message: "at most 45 at creation; add more afterwards"})
	}
	for _, v := range voters {
		if !ids.Valid(v) {
			return Poll{}, domain.Validation(domain.FieldError{Field: "voters", Message: "contains an invalid id"})
		}
	}
	if d.Settings.ThreadGuestsMayVote && in.ThreadID == "" {
		return Poll{}, ErrGuestsNeedThread
	}
	rel, err := s.relations(ctx, in.GroupID, in.ThreadID, "", voters)
	if err != nil {
		return Poll{}, err
	}
	var aud notify.Audience
	switch {
	case d.Settings.ClosingAt == nil && in.Notify != nil:
		return Poll{}, errDraftNotify
	case d.Settings.ClosingAt != nil:
		if aud, err = s.audience(ctx, in.GroupID, in.ThreadID, "", in.Notify); err != nil {
			return Poll{}, err
		}
	}
	var tagIDs []string
	var defs map[string]tag.Tag
	if len(in.Tags) > 0 {
		if tagIDs, defs, err = s.tags.Check(ctx, in.GroupID, in.Tags); err != nil {
			return Poll{}, err
		}
	}
	pid := ids.New()
	p := &pollItem{
		Item: store.Item{PK: tabledef.PollPK(pid), SK: skPoll, Type: "poll", GSI1PK: pollsOfGroup(in.GroupID), GSI1SK: timeKey(now) + "#" + pid},
		ID:   pid, GroupID: in.GroupID, ThreadID: in.ThreadID, AuthorID: a.UserID, Def: encodeDef(d),
		DefVersion: 1, VoterCount: int64(len(voters)), CreatedAt: now, UpdatedAt: now,
		TallyShards: tallyShards, TallySlots: nextSlots(nil, d),
	}
	p.setSchedule(d)
	if len(tagIDs) > 0 {
		p.Tags = tagIDs
	}
	tx := s.st.Tx().Create(p, nil)
	s.tags.AddSetOps(tx, tag.Item{Kind: tag.Poll, ID: pid, GroupID: in.GroupID, Created: now}, nil, p.Tags)
	for _, sh := range newShards(p) {
		tx.Create(sh, nil)
	}
	for _, v := range voters {
		tx.Create(&voterItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: voterSK(v), Type: "poll_voter"}, PollID: pid, UserID: v, AddedBy: a.UserID, AddedAt: now}, nil)
		if err := checkVoter(tx, in.GroupID, in.ThreadID, v, rel[v]); err != nil {
			return Poll{}, err
		}
	}
	if p.Status == string(poll.StatusOpen) {
		// The specified voters are written by tx: they are known here.
		if err := s.addOpenedFanout(ctx, tx, p, d, a.UserID, aud, append([]string{}, voters...)); err != nil {
			return Poll{}, err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Poll{}, err
	}
	s.log.InfoContext(ctx, "poll created", "poll_id", pid, "group_id", in.GroupID, "type", d.Type)
	if p.Status == string(poll.StatusOpen) {
		s.appendEvent(ctx, EventOpened, a.UserID, p, d)
	}
	v := s.present(p, d)
	if len(p.Tags) > 0 {
		v.Tags = tag.Resolve(defs, p.Tags)
	}
	return v, nil
}

// Get returns a poll to whoever can see its group's content (or is a guest
// of it or its thread); drafts only to their author.
func (s *Service) Get(ctx context.Context, pid string) (Poll, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return Poll{}, err
	}
	v := []Poll{s.present(l.p, l.def)}
	if err := s.showTags(ctx, v); err != nil {
		return Poll{}, err
	}
	s.withDetails(&v[0])
	return v[0], nil
}

// List returns the polls of a group, newest first (pattern 41); other
// people's drafts are left out.
func (s *Service) List(ctx context.Context, gid, cursor string, limit int) (store.Page[Poll], error) {
	if !ids.Valid(gid) {
		return store.Page[Poll]{}, authz.ErrHidden
	}
	if err := s.groups.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return store.Page[Poll]{}, err
	}
	a := authz.ActorFrom(ctx)
	q := s.st.Table().Get(tabledef.GSI1PK, pollsOfGroup(gid)).Index(tabledef.GSI1).Order(dynamo.Descending)
	page, err := store.QueryPage[pollItem](ctx, s.st, q, "polls:"+gid, cursor, limit)
	if err != nil {
		return store.Page[Poll]{}, err
	}
	out := store.Page[Poll]{Items: []Poll{}, Next: page.Next}
	for i := range page.Items {
		p := &page.Items[i]
		if p.Status == string(poll.StatusDraft) && p.AuthorID != a.UserID {
			continue
		}
		d, err := p.def()
		if err != nil {
			return store.Page[Poll]{}, err
		}
		out.Items = append(out.Items, s.present(p, d))
	}
	if err := s.showTags(ctx, out.Items); err != nil {
		return store.Page[Poll]{}, err
	}
	return out, nil
}

// UpdateInput replaces a poll's definition (poll.ValidateEdit decides what
// may change). Version, if not 0, must be the version the editor read.
type UpdateInput struct {
	Definition poll.Definition `json:"definition"`
	Version    int64           `json:"version,omitempty"`
	// Notify is whom to tell when this edit publishes a draft (nil for the
	// default; see CreateInput.Notify). Not for other edits: Announce.
	Notify *notify.Audience `json:"notify,omitempty"`
}

// errNotifyEdit: notify given with an edit that does not publish a draft.
var errNotifyEdit = domain.Validation(domain.FieldError{Field: "notify",
	Message: "only when publishing a draft; to notify people of an open poll, announce it"})

// Update edits a poll (poll admins). Publishing a draft sets closing_at and
// tells of the poll (noticeOpened).
//
// The edit is checked against poll.EditState: when the results (hence
// whether ballots exist) are hidden from the editor, as if ballots existed,
// so that neither the answer nor a conflict depends on hidden ballots.
func (s *Service) Update(ctx context.Context, pid string, in UpdateInput) (Poll, error) {
	l, err := s.load(ctx, pid, append(tallyKeys(), viewerKeys(authz.ActorFrom(ctx))...)...)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return Poll{}, err
	}
	if in.Version != 0 && in.Version != l.p.Version {
		return Poll{}, store.ErrVersionConflict
	}
	tl, err := l.tally()
	if err != nil {
		return Poll{}, err
	}
	now := s.now().UTC()
	st := poll.EditState(l.def.Settings, l.p.state(tl.Decided), now, l.viewerVoted())
	next, err := poll.ValidateEdit(l.def, in.Definition, st, now)
	if err != nil {
		return Poll{}, err
	}
	if next.Settings.ThreadGuestsMayVote && l.p.ThreadID == "" {
		return Poll{}, ErrGuestsNeedThread
	}
	p := l.p
	wasDraft := p.Status == string(poll.StatusDraft)
	publishing := wasDraft && next.Settings.ClosingAt != nil
	var aud notify.Audience
	switch {
	case in.Notify != nil && !publishing:
		return Poll{}, errNotifyEdit
	case publishing:
		if aud, err = s.audience(ctx, p.GroupID, p.ThreadID, pid, in.Notify); err != nil {
			return Poll{}, err
		}
	}
	p.Def, p.DefVersion, p.UpdatedAt = encodeDef(next), p.DefVersion+1, now
	if p.TallyShards > 0 {
		p.TallySlots = nextSlots(p.TallySlots, next)
	}
	if poll.StatusOf(l.def.Settings, st, now) != poll.StatusClosed {
		p.setSchedule(next)
	}
	tx := s.st.Tx().Save(p)
	var decided map[string]int64
	if !st.BallotsHidden {
		// The edit was validated against this many ballots: a vote landing
		// in between cancels it (and votes prepared against the old
		// definition fail their DefVersion condition and retry). With
		// hidden ballots it was validated as if there were some, which
		// holds for any number.
		decided = checkNoVotes(tx, l, ErrVotesMeanwhile)
	}
	s.syncShards(tx, p, decided, ErrVotesMeanwhile)
	if wasDraft && p.Status == string(poll.StatusOpen) {
		if err := s.addOpenedFanout(ctx, tx, p, next, l.ac.a.UserID, aud, nil); err != nil {
			return Poll{}, err
		}
	} else if !wasDraft && next.Details != l.def.Details {
		// New details: their mentions are resolved again (and linked);
		// the people they named before are not told again.
		if err := s.addMentionFanout(ctx, tx, p, next, l.ac.a.UserID); err != nil {
			return Poll{}, err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Poll{}, err
	}
	if wasDraft && p.Status == string(poll.StatusOpen) {
		s.appendEvent(ctx, EventOpened, l.ac.a.UserID, p, next)
	}
	return s.present(p, next), nil
}

// Extend moves the closing time of an open poll later (poll admins).
func (s *Service) Extend(ctx context.Context, pid string, closingAt time.Time) (Poll, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return Poll{}, err
	}
	now := s.now().UTC()
	next, err := poll.Extend(l.def, l.p.state(0), closingAt, now)
	if err != nil {
		return Poll{}, err
	}
	p := l.p
	p.Def, p.UpdatedAt = encodeDef(next), now
	p.setSchedule(next)
	tx := s.st.Tx().Save(p)
	s.syncShards(tx, p, nil, nil)
	if err := tx.Run(ctx, ""); err != nil {
		return Poll{}, err
	}
	return s.present(p, next), nil
}

// Close closes an open poll now (poll admins) and freezes its results.
func (s *Service) Close(ctx context.Context, pid string) (Poll, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return Poll{}, err
	}
	now := s.now().UTC()
	if err := poll.CloseEarly(l.def, l.p.state(0), now); err != nil {
		return Poll{}, err
	}
	if _, err := s.closePoll(ctx, l.p, now, false); err != nil {
		return Poll{}, err
	}
	if err := s.finalize(ctx, pid); err != nil {
		// Closed all the same: the scheduler finishes freezing.
		s.log.ErrorContext(ctx, "freezing results failed", "poll_id", pid, "err", err)
	}
	closedAt := now
	l.p.Status, l.p.ClosedAt = string(poll.StatusClosed), &closedAt
	s.appendEvent(ctx, EventClosed, l.ac.a.UserID, l.p, l.def)
	return s.Get(ctx, pid)
}

// Reopen opens a closed poll again with a new closing time (group admins
// only, authz.PollReopen, recorded in the group's audit log; never
// anonymous polls; see sealed.go). Frozen results are discarded: the poll
// counts on and its results are hidden again where hide_results says so.
func (s *Service) Reopen(ctx context.Context, pid string, closingAt time.Time) (Poll, error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return Poll{}, err
	}
	if err := s.authorizeReopen(ctx, l); err != nil {
		return Poll{}, err
	}
	now := s.now().UTC()
	next, err := poll.Reopen(l.def, l.p.state(0), closingAt, now)
	if err != nil {
		return Poll{}, err
	}
	p := l.p
	p.Def, p.ClosedAt, p.Finalized, p.ReminderFor, p.UpdatedAt = encodeDef(next), nil, false, 0, now
	p.setSchedule(next)
	tx := s.st.Tx().Save(p).Delete(s.st.DeleteOp(tabledef.PollPK(pid), skResults), nil)
	s.syncShards(tx, p, nil, nil)
	if err := s.recordReopen(ctx, tx, p, closingAt); err != nil {
		return Poll{}, err
	}
	if err = tx.Run(ctx, ""); err != nil {
		return Poll{}, err
	}
	s.appendEvent(ctx, EventReopened, l.ac.a.UserID, p, next)
	return s.present(p, next), nil
}

// DeleteDraft deletes a draft (poll admins). Published polls are closed,
// never deleted.
func (s *Service) DeleteDraft(ctx context.Context, pid string) error {
	l, err := s.load(ctx, pid)
	if err != nil {
		return err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return err
	}
	if l.p.Status != string(poll.StatusDraft) {
		return ErrNotDraft
	}
	err = s.st.Tx().
		Delete(s.st.DeleteOp(tabledef.PollPK(pid), skPoll).If("$ = ? AND $ = ?", "Status", string(poll.StatusDraft), tabledef.Version, l.p.Version), store.ErrVersionConflict).
		Delete(s.st.DeleteOp(tabledef.PollPK(pid), skTally), nil).
		Run(ctx, "")
	if err != nil {
		return err
	}
	if err := s.tags.RemoveAll(ctx, tag.Item{Kind: tag.Poll, ID: pid, GroupID: l.p.GroupID, Created: l.p.CreatedAt}, l.p.Tags); err != nil {
		return err
	}
	// Whatever else the partition holds (specified voters) goes too.
	return s.deletePartition(ctx, pid)
}

func (s *Service) deletePartition(ctx context.Context, pid string) error {
	var keys []struct {
		PK string `dynamo:"PK"`
		SK string `dynamo:"SK"`
	}
	if err := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Project(tabledef.PK, tabledef.SK).All(ctx, &keys); err != nil {
		return store.Classify(err)
	}
	for chunk := range slices.Chunk(keys, 25) {
		ks := make([]dynamo.Keyed, len(chunk))
		for i, k := range chunk {
			ks[i] = dynamo.Keys{k.PK, k.SK}
		}
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Delete(ks...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	return nil
}

// ---- specified voters ----

// checkVoter adds to tx the check that keeps uid, with relation rel, able
// to be a chosen voter: their membership, or else their guest grant to the
// poll's thread; neither is ErrVoterNotMember.
func checkVoter(tx *store.Tx, gid, tid, uid string, rel poll.Relation) error {
	switch {
	case rel.Member:
		group.RequireMember(tx, gid, uid, ErrVoterNotMember)
	case rel.ThreadGuest && tid != "":
		group.RequireGuest(tx, tid, uid, ErrVoterNotMember)
	default:
		return ErrVoterNotMember
	}
	return nil
}

// AddVoter adds a member of the group, or a guest of the poll's thread, to
// a specified-voters poll that is not closed (poll admins).
func (s *Service) AddVoter(ctx context.Context, pid, uid string) error {
	l, err := s.load(ctx, pid)
	if err != nil {
		return err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return err
	}
	if !l.def.Settings.SpecifiedVotersOnly {
		return ErrSpecifiedOnly
	}
	if !ids.Valid(uid) {
		return domain.Validation(domain.FieldError{Field: "user_id", Message: "is not valid"})
	}
	rel, err := s.relations(ctx, l.p.GroupID, l.p.ThreadID, "", []string{uid})
	if err != nil {
		return err
	}
	now := s.now().UTC()
	tx := s.st.Tx().
		Create(&voterItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: voterSK(uid), Type: "poll_voter"}, PollID: pid, UserID: uid, AddedBy: l.ac.a.UserID, AddedAt: now}, ErrAlreadyVoter).
		Update(s.st.Update(tabledef.PollPK(pid), skPoll).Add("VoterCount", 1).If("$ <> ?", "Status", string(poll.StatusClosed)), ErrPollClosedEdit)
	if err := checkVoter(tx, l.p.GroupID, l.p.ThreadID, uid, rel[uid]); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}

// RemoveVoter removes a specified voter (poll admins); their ballot, if
// any, is withdrawn in the same transaction (anonymous polls: see
// WithdrawMember).
func (s *Service) RemoveVoter(ctx context.Context, pid, uid string) error {
	if !ids.Valid(uid) {
		return ErrNoVoter
	}
	for attempt := 0; attempt < s.attempts; attempt++ {
		l, err := s.load(ctx, pid, ballotSK(uid))
		if err != nil {
			return err
		}
		if err := s.authorizeAdmin(ctx, l); err != nil {
			return err
		}
		if !l.def.Settings.SpecifiedVotersOnly {
			return ErrSpecifiedOnly
		}
		tx := s.st.Tx().
			Delete(s.st.DeleteOp(tabledef.PollPK(pid), voterSK(uid)).If("attribute_exists($)", tabledef.PK), ErrNoVoter)
		u := s.st.Update(tabledef.PollPK(pid), skPoll).Add("VoterCount", -1).If("$ <> ?", "Status", string(poll.StatusClosed))
		raw, hasBallot := l.item(ballotSK(uid))
		if hasBallot {
			// Sealed once closed (sealed.go): a ballot is withdrawn only
			// while the poll is open, by its closing time too.
			now := s.now().UTC()
			if poll.StatusOf(l.def.Settings, l.p.state(0), now) != poll.StatusOpen {
				return ErrPollClosedEdit
			}
			cond, args := openAt(now)
			u.If(cond, args...)
		}
		tx.Update(u, ErrPollClosedEdit)
		if hasBallot {
			var b ballotItem
			if err := unmarshal(raw, &b); err != nil {
				return err
			}
			prev := b.ballot()
			s.deleteBallot(tx, pid, uid, b.Version, b.CastID)
			if err := s.count(tx, l.p, l.def, poll.Delta(l.def.Type, &prev, nil), nil); err != nil {
				return err
			}
		}
		s.raced("remove-voter")
		err = tx.Run(ctx, "")
		if errors.Is(err, errStale) {
			continue
		}
		return err
	}
	return ErrBusy
}

// Voter is one specified voter.
type Voter struct {
	UserID  string    `json:"user_id"`
	AddedAt time.Time `json:"added_at"`
}

// Voters lists the specified voters of a poll (anyone who can see it).
func (s *Service) Voters(ctx context.Context, pid, cursor string, limit int) (store.Page[Voter], error) {
	l, err := s.load(ctx, pid)
	if err != nil {
		return store.Page[Voter]{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return store.Page[Voter]{}, err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixVoter)
	page, err := store.QueryPage[voterItem](ctx, s.st, q, "voters:"+pid, cursor, limit)
	if err != nil {
		return store.Page[Voter]{}, err
	}
	out := store.Page[Voter]{Items: make([]Voter, 0, len(page.Items)), Next: page.Next}
	for _, v := range page.Items {
		out.Items = append(out.Items, Voter{UserID: v.UserID, AddedAt: v.AddedAt})
	}
	return out, nil
}
