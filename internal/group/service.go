package group

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Config are the dependencies of the Service.
type Config struct {
	Store  storage
	People People
	Mail   mail.Sender
	// MailFrom is the From of invitation emails ("Quorum <notifications@...>").
	MailFrom string
	// BaseURL is the public origin links in emails point to.
	BaseURL *url.URL
	// SigningKey is the root secret; invitation and join-link keys derive from it.
	SigningKey []byte
	Log        *slog.Logger
	// Now defaults to time.Now (tests move the clock).
	Now func() time.Time
	// OnMemberLeft, if set, runs after someone left or was removed from a
	// group (the decision core withdraws their ballots from its open
	// polls). The membership is already gone: its error is logged.
	OnMemberLeft func(ctx context.Context, gid, uid string) error
	// Audit records admin actions in the group's record, in the action's
	// own transaction (audit.Service). Nil records nothing (unit tests).
	Audit Recorder
	// Catalog words the emails in their reader's language (nil: a new one).
	Catalog *i18n.Catalog
	// DeleteGrace is how long a deleted group can be restored before it
	// is erased (0: DefaultDeleteGrace).
	DeleteGrace time.Duration
}

// Recorder adds an admin action's entry to the transaction that does it.
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

// Service implements groups. Every method reads the actor from ctx.
type Service struct {
	st        storage
	people    People
	mail      mail.Sender
	from      string
	base      string
	inviteKey []byte
	joinKey   []byte
	log       *slog.Logger
	now       func() time.Time
	onLeft    func(ctx context.Context, gid, uid string) error
	audit     Recorder
	cat       *i18n.Catalog
	grace     time.Duration
	eraser    GroupEraser
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, people: c.People, mail: c.Mail, from: c.MailFrom, log: c.Log, now: c.Now, onLeft: c.OnMemberLeft,
		inviteKey: secrets.DeriveKey(c.SigningKey, "group-invitation"),
		joinKey:   secrets.DeriveKey(c.SigningKey, "group-join-link")}
	if c.BaseURL != nil {
		s.base = strings.TrimRight(c.BaseURL.String(), "/")
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.audit = c.Audit
	if s.audit == nil {
		s.audit = audit.Discard
	}
	s.cat = c.Catalog
	if s.cat == nil {
		s.cat = i18n.New()
	}
	s.grace = c.DeleteGrace
	if s.grace <= 0 {
		s.grace = DefaultDeleteGrace
	}
	return s
}

// Errors with meaning for the user.
var (
	ErrHandleTaken   = &domain.Error{Code: domain.Conflict, Message: "handle: is already taken", Fields: []domain.FieldError{{Field: "handle", Message: "is already taken"}}}
	ErrLastAdmin     = domain.Errorf(domain.Conflict, "a group must keep at least one admin: make someone else an admin first")
	ErrChanged       = domain.Errorf(domain.Conflict, "this membership changed in the meantime; reload and try again")
	ErrNoMember      = domain.Errorf(domain.NotFound, "that person is not a member of this group")
	ErrNoRequest     = domain.Errorf(domain.NotFound, "there is no such membership request")
	ErrNoInvitation  = domain.Errorf(domain.NotFound, "there is no such invitation")
	ErrRequested     = domain.Errorf(domain.Conflict, "you have already asked to join this group; an admin will answer")
	ErrInviteInvalid = domain.Errorf(domain.NotFound, "this invitation link is not valid: it may have been revoked or mistyped")
	ErrInviteUsed    = domain.Errorf(domain.Gone, "this invitation has already been used")
	ErrInviteExpired = domain.Errorf(domain.Gone, "this invitation has expired: ask the group for a new one")
	ErrLinkInvalid   = domain.Errorf(domain.NotFound, "this join link is not valid: it may have been reset or mistyped")
	ErrWrongEmail    = domain.Errorf(domain.Forbidden, "this invitation was sent to another email address: sign in with that address to accept it")
)

// ---- facts and authorization ----

// loaded is a group with the facts about the actor.
type loaded struct {
	g      *groupItem
	parent *groupItem
	member *memberItem // nil when not a member
	facts  authz.GroupFacts
}

func (s *Service) getGroup(ctx context.Context, gid string) (*groupItem, error) {
	if !ids.Valid(gid) {
		return nil, authz.ErrHidden
	}
	var g groupItem
	if err := s.st.Get(ctx, tabledef.GroupPK(gid), groupSK, &g); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, authz.ErrHidden
		}
		return nil, err
	}
	return &g, nil
}

func (s *Service) getMember(ctx context.Context, gid, uid string) (*memberItem, error) {
	if uid == "" {
		return nil, nil
	}
	var m memberItem
	err := s.st.Get(ctx, tabledef.GroupPK(gid), memberSK(uid), &m)
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// load reads the group and the actor's relation to it (membership, parent
// and parent membership). A missing group answers like a hidden one.
func (s *Service) load(ctx context.Context, a authz.Actor, gid string) (*loaded, error) {
	c := cacheFrom(ctx, a)
	if c == nil {
		return s.loadUncached(ctx, a, gid)
	}
	l, err := cached(c, c.loads, gid, func() (*loaded, error) { return s.loadUncached(ctx, a, gid) })
	if err != nil {
		return nil, err
	}
	cp := *l // callers set the facts' Target and Guest
	return &cp, nil
}

func (s *Service) loadUncached(ctx context.Context, a authz.Actor, gid string) (*loaded, error) {
	if !ids.Valid(gid) {
		return nil, authz.ErrHidden
	}
	g, m, err := s.readGroupAndMember(ctx, gid, actorUID(a))
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, authz.ErrHidden
	}
	return s.loadWith(ctx, a, g, m)
}

// loadFor is load for a group item already read.
func (s *Service) loadFor(ctx context.Context, a authz.Actor, g *groupItem) (*loaded, error) {
	m, err := s.getMember(ctx, g.ID, actorUID(a))
	if err != nil {
		return nil, err
	}
	return s.loadWith(ctx, a, g, m)
}

// actorUID is the user id whose membership decides for a: "" when signed out.
func actorUID(a authz.Actor) string {
	if !a.Authenticated() {
		return ""
	}
	return a.UserID
}

// loadWith completes the facts of group g for a with their membership m
// (nil if none): a subgroup's parent and the parent membership are one more
// BatchGetItem.
func (s *Service) loadWith(ctx context.Context, a authz.Actor, g *groupItem, m *memberItem) (*loaded, error) {
	l := &loaded{g: g, facts: authz.GroupFacts{GroupID: g.ID, Privacy: g.Privacy, Flags: g.Flags.Flags(), Deleting: g.DeletingAt != nil}}
	if m != nil {
		l.member, l.facts.Role = m, m.Role
	}
	if g.ParentID == "" {
		return l, nil
	}
	p, pm, err := s.readGroupAndMember(ctx, g.ParentID, actorUID(a))
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		// An orphaned subgroup is as hidden as a subgroup of a secret parent.
		l.facts.ParentID, l.facts.ParentPrivacy = g.ParentID, authz.Secret
	default:
		l.parent = p
		l.facts.ParentID, l.facts.ParentPrivacy = p.ID, p.Privacy
		l.facts.Deleting = l.facts.Deleting || p.DeletingAt != nil
		if pm != nil {
			l.facts.ParentRole = pm.Role
		}
	}
	return l, nil
}

// readGroupAndMember reads group gid and uid's membership of it in one
// strongly consistent BatchGetItem (the group item alone when uid is "").
// A missing group or membership is nil.
func (s *Service) readGroupAndMember(ctx context.Context, gid, uid string) (*groupItem, *memberItem, error) {
	g, m, _, err := s.readGroupMemberLevel(ctx, gid, uid, false)
	return g, m, err
}

// readGroupMemberLevel is readGroupAndMember that, with level, also reads
// uid's notification level for the group in the same BatchGetItem ("" when
// unset).
func (s *Service) readGroupMemberLevel(ctx context.Context, gid, uid string, level bool) (*groupItem, *memberItem, string, error) {
	keys := []store.Key{{PK: tabledef.GroupPK(gid), SK: groupSK}}
	levelSK := tabledef.NotifyLevelSK(tabledef.GroupPK(gid)) // internal/notify's item
	var along []store.Key
	if uid != "" {
		keys = append(keys, store.Key{PK: tabledef.GroupPK(gid), SK: memberSK(uid)})
		lk := store.Key{PK: tabledef.UserPK(uid), SK: levelSK}
		switch {
		case level:
			keys = append(keys, lk)
		case store.ReadCacheOn(ctx):
			// Within a read-only request the level rides along when the
			// group is read (one small item): a page that shows the group's
			// notification menu (the thread page, the thread list) finds it
			// read with the policy's facts.
			along = append(along, lk)
		}
	}
	// Within a read-only request the items read before are not read again
	// (store.WithReadCache): every question a page asks the policy about
	// the same group shares one read.
	items, err := store.BatchGetAlong(ctx, s.st.Table(), keys, along)
	if err != nil {
		return nil, nil, "", err
	}
	var g *groupItem
	var m *memberItem
	var lvl string
	for _, it := range items {
		if sk, _ := it[tabledef.SK].(*types.AttributeValueMemberS); sk != nil && sk.Value == levelSK {
			if l, _ := it["Level"].(*types.AttributeValueMemberS); l != nil {
				lvl = l.Value
			}
			continue
		}
		var into any
		switch sk, _ := it[tabledef.SK].(*types.AttributeValueMemberS); {
		case sk == nil:
			continue
		case sk.Value == groupSK:
			g = new(groupItem)
			into = g
		case uid != "" && sk.Value == memberSK(uid):
			m = new(memberItem)
			into = m
		default:
			continue
		}
		if err := dynamo.UnmarshalItem(it, into); err != nil {
			return nil, nil, "", domain.Wrap(domain.Internal, err, "stored item is unreadable")
		}
	}
	return g, m, lvl, nil
}

// Authorize decides action on group gid (and target, for thread, poll and
// comment actions) for the actor of ctx. Later packages (threads, polls)
// call it so the one policy decides their operations too. A missing group
// is ErrHidden.
func (s *Service) Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error {
	a := authz.ActorFrom(ctx)
	l, err := s.load(ctx, a, gid)
	if err != nil {
		return err
	}
	l.facts.Target = target
	if l.member == nil && a.Authenticated() && target.ID != "" {
		if l.facts.Guest, err = s.guestGrants(ctx, gid, a.UserID); err != nil {
			return err
		}
	}
	return authz.Group(a, action, l.facts)
}

// authorized loads group gid for the actor of ctx and asks the policy
// whether they may do action; it returns the actor and what was loaded.
func (s *Service) authorized(ctx context.Context, gid string, action authz.Action) (authz.Actor, *loaded, error) {
	a := authz.ActorFrom(ctx)
	l, err := s.load(ctx, a, gid)
	if err != nil {
		return a, nil, err
	}
	if err := authz.Group(a, action, l.facts); err != nil {
		return a, nil, err
	}
	return a, l, nil
}

// Facts returns the policy facts of group gid for the actor of ctx.
func (s *Service) Facts(ctx context.Context, gid string) (authz.GroupFacts, error) {
	l, err := s.load(ctx, authz.ActorFrom(ctx), gid)
	if err != nil {
		return authz.GroupFacts{}, err
	}
	return l.facts, nil
}

// present renders the group for the actor: counts only where allowed, the
// list of allowed actions.
func present(a authz.Actor, l *loaded) Group {
	v := l.g.view()
	if !authz.Can(a, authz.GroupSeeMemberCount, l.facts) {
		v.MemberCount, v.AdminCount = nil, nil
	}
	v.MyRole = l.facts.Role
	for _, action := range authz.GroupActions {
		switch action {
		case authz.ThreadView, authz.ThreadComment, authz.PollVote, authz.PollBallotsView, authz.ThreadEditOwn, authz.CommentEditOwn,
			authz.CommentDeleteOwn, authz.ContentAdminEdit, authz.PollAdmin, authz.CommentDelete:
			continue // need a target
		}
		if authz.Can(a, action, l.facts) {
			v.Actions = append(v.Actions, action)
		}
	}
	if v.Actions == nil {
		v.Actions = []authz.Action{}
	}
	return v
}

// ---- groups ----

// Create creates a group with the actor as its first admin. With ParentID
// it creates a subgroup: only admins of the parent may, and a subgroup
// cannot have subgroups. Errors: Unauthorized (anonymous), Invalid (fields),
// Conflict (handle taken), NotFound (parent invisible), Forbidden.
func (s *Service) Create(ctx context.Context, in CreateInput) (Group, error) {
	return s.create(ctx, in, "")
}

// create is Create with the new group's id fixed (an import, import.go)
// or random (""); with a fixed id a group already there is ErrImported.
func (s *Service) create(ctx context.Context, in CreateInput, fixedID string) (Group, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Group(a, authz.GroupCreate, authz.GroupFacts{}); err != nil {
		return Group{}, err
	}
	var fe domain.FieldErrors
	name := text.CheckLine(&fe, "name", in.Name, 1, MaxName)
	desc := text.CheckBlock(&fe, "description", in.Description, 0, MaxDescription)
	privacy := authz.Privacy(strings.TrimSpace(in.Privacy))
	if privacy == "" {
		privacy = authz.Closed
	}
	if !privacy.Valid() {
		fe.Add("privacy", "must be open, closed or secret")
	}
	handle, autoHandle := NormaliseHandle(in.Handle), false
	if handle == "" && name != "" {
		handle, autoHandle = slug(name), true
	}
	if handle != "" {
		checkHandle(&fe, "handle", handle)
	}
	var parent *loaded
	if in.ParentID != "" {
		var err error
		if parent, err = s.load(ctx, a, in.ParentID); err != nil {
			return Group{}, err
		}
		if err := authz.Group(a, authz.GroupCreateSubgroup, parent.facts); err != nil {
			return Group{}, err
		}
		if parent.g.Privacy == authz.Secret && privacy == authz.Open {
			fe.Add("privacy", "a subgroup of a secret group cannot be open")
		}
	}
	if err := fe.Err(); err != nil {
		return Group{}, err
	}

	// A secret group's handle carries a random suffix: handles are unique
	// across all groups, so a guessable one would reveal on collision that
	// the secret group exists. (Its email address is unguessable too.)
	base := handle
	if privacy == authz.Secret {
		handle, autoHandle = secretHandle(base), true
	}
	now := s.now().UTC()
	for attempt := 0; ; attempt++ {
		g := &groupItem{
			Item: store.Item{PK: "", SK: groupSK, Type: "group"},
			ID:   cmp.Or(fixedID, ids.New()), Name: name, Handle: handle, Description: desc, Privacy: privacy,
			Flags: storeFlags(in.Permissions.Apply(authz.DefaultFlags(privacy))), MemberCount: 1, AdminCount: 1,
			JoinNonce: ids.New(), CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now,
		}
		g.PK = tabledef.GroupPK(g.ID)
		if parent != nil {
			// Set before the put below: the item is marshalled when added.
			g.ParentID = parent.g.ID
			g.GSI1PK, g.GSI1SK = "SUBGROUPS#"+parent.g.ID, tabledef.GroupPK(g.ID)
		}
		var exists error
		if fixedID != "" {
			exists = ErrImported
		}
		tx := s.st.Tx().Create(g, exists).
			Create(&handleItem{Item: store.Item{PK: handlePK(handle), SK: handleSK, Type: "handle"}, GroupID: g.ID}, ErrHandleTaken).
			Create(newMember(g.ID, a.UserID, authz.RoleAdmin, "created", "", now), nil)
		if parent != nil {
			tx.Check(tabledef.GroupPK(parent.g.ID), groupSK, "attribute_exists($) AND attribute_not_exists($)", ErrNoSubgroupParent, tabledef.PK, "ParentID").
				Check(tabledef.GroupPK(parent.g.ID), memberSK(a.UserID), "$ = ?", authz.ErrAdminOnly, "Role", authz.RoleAdmin)
		}
		err := tx.Run(ctx, "")
		if errors.Is(err, ErrHandleTaken) && autoHandle && attempt < 4 {
			if privacy == authz.Secret {
				handle = secretHandle(base)
			} else {
				handle = trimHandle(slug(name), 34) + "-" + ids.New()[:4]
			}
			continue
		}
		if err != nil {
			return Group{}, err
		}
		s.log.InfoContext(ctx, "group created", "group_id", g.ID, "subgroup", g.ParentID != "")
		l, err := s.loadFor(ctx, a, g)
		if err != nil {
			return Group{}, err
		}
		return present(a, l), nil
	}
}

// ErrNoSubgroupParent: the parent is gone or is itself a subgroup.
var ErrNoSubgroupParent = domain.Errorf(domain.Forbidden, "a subgroup cannot have subgroups of its own")

// secretHandle appends 8 random base32 characters (40 bits) to base, within
// the 40-character limit of handles.
func secretHandle(base string) string {
	if base = trimHandle(base, 31); base == "" {
		base = "group"
	}
	return base + "-" + ids.New()[:8]
}

func trimHandle(h string, n int) string {
	if len(h) > n {
		h = strings.Trim(h[:n], "-")
	}
	return h
}

// Get returns the group as the actor may see it. Secret groups answer
// NotFound to non-members, exactly like missing ones.
func (s *Service) Get(ctx context.Context, gid string) (Group, error) {
	a, l, err := s.authorized(ctx, gid, authz.GroupView)
	if err != nil {
		return Group{}, err
	}
	return s.got(ctx, a, l), nil
}

// GetWithLevel is Get that also reads the actor's notification level for
// the group (MyLevel) in the BatchGetItem of the group and the membership:
// a page that shows the setting pays no extra call for it. It reads past
// the request cache (the cache's loads carry no level).
func (s *Service) GetWithLevel(ctx context.Context, gid string) (Group, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(gid) {
		return Group{}, authz.ErrHidden
	}
	g, m, lvl, err := s.readGroupMemberLevel(ctx, gid, actorUID(a), true)
	if err != nil {
		return Group{}, err
	}
	if g == nil {
		return Group{}, authz.ErrHidden
	}
	l, err := s.loadWith(ctx, a, g, m)
	if err != nil {
		return Group{}, err
	}
	if err := authz.Group(a, authz.GroupView, l.facts); err != nil {
		return Group{}, err
	}
	v := s.got(ctx, a, l)
	v.MyLevel = lvl
	return v, nil
}

// got presents a group the actor may view, with their pending request.
func (s *Service) got(ctx context.Context, a authz.Actor, l *loaded) Group {
	gid := l.g.ID
	g := present(a, l)
	if l.member == nil && a.Authenticated() && l.g.Privacy == authz.Closed {
		var r requestItem
		if err := s.st.Get(ctx, tabledef.GroupPK(gid), requestSK(a.UserID), &r); err == nil {
			g.RequestPending = true
		}
	}
	return g
}

// ByHandle resolves a handle to a group id (subject to the same visibility).
func (s *Service) ByHandle(ctx context.Context, handle string) (Group, error) {
	handle = NormaliseHandle(handle)
	if !handleRE().MatchString(handle) {
		return Group{}, authz.ErrHidden
	}
	gid, ok, err := s.GroupIDByHandle(ctx, handle)
	if err != nil {
		return Group{}, err
	}
	if !ok {
		return Group{}, authz.ErrHidden
	}
	return s.Get(ctx, gid)
}

// GroupIDByHandle returns the id of the group that holds a normalised
// handle, whatever the group's visibility and without asking who reads:
// it is for routing (mail to <handle>@<mail domain>, internal/inbox), and
// what is then done with the group is authorized by its own operation.
// ok is false when no group holds the handle.
func (s *Service) GroupIDByHandle(ctx context.Context, handle string) (gid string, ok bool, err error) {
	var h handleItem
	err = s.st.Get(ctx, handlePK(handle), handleSK, &h)
	switch domain.ErrorCode(err) {
	case "":
		return h.GroupID, true, nil
	case domain.NotFound:
		return "", false, nil
	default:
		return "", false, err
	}
}

// membershipsQuery is the query of uid's memberships (pattern 17: GSI1
// USER#<uid> / MEMBER#).
func (s *Service) membershipsQuery(uid string) *dynamo.Query {
	return s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).Range(tabledef.GSI1SK, dynamo.BeginsWith, memberSK(""))
}

// Mine lists the groups the actor belongs to, with their role.
func (s *Service) Mine(ctx context.Context, cursor string, limit int) (store.Page[Group], error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return store.Page[Group]{}, err
	}
	var page store.Page[memberItem]
	var err error
	if cursor == "" && limit == MaxDashboardGroups && store.ReadCacheOn(ctx) {
		// The dashboard's first page: the one GroupsOf serves too, read
		// once per request (mylists.go).
		page, err = s.myMemberships(ctx, a.UserID)
	} else {
		page, err = store.QueryPage[memberItem](ctx, s.st, s.membershipsQuery(a.UserID), "groups-of:"+a.UserID, cursor, limit)
	}
	if err != nil {
		return store.Page[Group]{}, err
	}
	out := store.Page[Group]{Items: []Group{}, Next: page.Next}
	if len(page.Items) == 0 {
		return out, nil
	}
	keys := make([]store.Key, 0, len(page.Items))
	roles := map[string]authz.Role{}
	for _, m := range page.Items {
		keys = append(keys, store.Key{PK: tabledef.GroupPK(m.GroupID), SK: groupSK})
		roles[m.GroupID] = m.Role
	}
	// Groups the request read already (the dashboard asks the policy about
	// each first) are not read again (store.WithReadCache).
	items, err := store.BatchGet(ctx, s.st.Table(), keys)
	if err != nil {
		return store.Page[Group]{}, err
	}
	byID := map[string]*groupItem{}
	for _, it := range items {
		g := new(groupItem)
		if err := dynamo.UnmarshalItem(it, g); err != nil {
			return store.Page[Group]{}, domain.Wrap(domain.Internal, err, "stored item is unreadable")
		}
		byID[g.ID] = g
	}
	for _, m := range page.Items {
		g, ok := byID[m.GroupID]
		if !ok {
			continue
		}
		// Membership in the group is all the facts a member's own list
		// needs; the policy still decides each field.
		if g.DeletingAt != nil && roles[g.ID] != authz.RoleAdmin {
			continue // deleted: hidden from all but its admins (delete.go)
		}
		l := &loaded{g: g, facts: authz.GroupFacts{GroupID: g.ID, Privacy: g.Privacy, Flags: g.Flags.Flags(), Role: roles[g.ID], ParentID: g.ParentID, ParentPrivacy: authz.Open, Deleting: g.DeletingAt != nil}}
		out.Items = append(out.Items, present(a, l))
	}
	return out, nil
}

// Subgroups lists the subgroups of gid the actor may see.
func (s *Service) Subgroups(ctx context.Context, gid string) ([]Group, error) {
	a := authz.ActorFrom(ctx)
	parent, err := s.load(ctx, a, gid)
	if err != nil {
		return nil, err
	}
	if err := authz.Group(a, authz.GroupViewSubgroupsOf, parent.facts); err != nil {
		return nil, err
	}
	var subs []groupItem
	err = s.st.Table().Get(tabledef.GSI1PK, "SUBGROUPS#"+gid).Index(tabledef.GSI1).Limit(store.MaxPageSize).All(ctx, &subs)
	if err != nil {
		return nil, store.Classify(err)
	}
	// The actor's memberships of all the subgroups in one BatchGetItem (it
	// was one GetItem per subgroup).
	members := map[string]*memberItem{}
	if a.UserID != "" && len(subs) > 0 {
		keys := make([]store.Key, len(subs))
		for i := range subs {
			keys[i] = store.Key{PK: tabledef.GroupPK(subs[i].ID), SK: memberSK(a.UserID)}
		}
		items, err := store.BatchGet(ctx, s.st.Table(), keys)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			m := new(memberItem)
			if err := dynamo.UnmarshalItem(it, m); err != nil {
				return nil, domain.Wrap(domain.Internal, err, "stored item is unreadable")
			}
			members[m.GroupID] = m
		}
	}
	out := []Group{}
	for i := range subs {
		sg := &subs[i]
		f := authz.GroupFacts{GroupID: sg.ID, Privacy: sg.Privacy, Flags: sg.Flags.Flags(), ParentID: gid,
			ParentPrivacy: parent.g.Privacy, ParentRole: parent.facts.Role}
		m := members[sg.ID]
		if m != nil {
			f.Role = m.Role
		}
		l := &loaded{g: sg, parent: parent.g, member: m, facts: f}
		if authz.Can(a, authz.GroupView, f) {
			out = append(out, present(a, l))
		}
	}
	return out, nil
}

// Update changes settings (admins only) if in.Version is still current;
// otherwise Conflict. Changing the handle moves the handle item in the same
// transaction.
func (s *Service) Update(ctx context.Context, gid string, in UpdateInput) (Group, error) {
	_, l, err := s.authorized(ctx, gid, authz.GroupEditSettings)
	if err != nil {
		return Group{}, err
	}
	var fe domain.FieldErrors
	if in.Version <= 0 {
		fe.Add("version", "is required: send the version you read")
	}
	g := *l.g
	if in.Name != nil {
		g.Name = text.CheckLine(&fe, "name", *in.Name, 1, MaxName)
	}
	if in.Description != nil {
		g.Description = text.CheckBlock(&fe, "description", *in.Description, 0, MaxDescription)
	}
	if in.Privacy != nil {
		g.Privacy = authz.Privacy(strings.TrimSpace(*in.Privacy))
		if !g.Privacy.Valid() {
			fe.Add("privacy", "must be open, closed or secret")
		} else if l.parent != nil && l.parent.Privacy == authz.Secret && g.Privacy == authz.Open {
			fe.Add("privacy", "a subgroup of a secret group cannot be open")
		}
	}
	newHandle := ""
	if in.Handle != nil {
		if h := NormaliseHandle(*in.Handle); h != g.Handle {
			checkHandle(&fe, "handle", h)
			newHandle = h
			if g.Privacy == authz.Secret && h != "" {
				newHandle = secretHandle(h)
			}
		}
	}
	g.Flags = storeFlags(in.Permissions.Apply(g.Flags.Flags()))
	if err := fe.Err(); err != nil {
		return Group{}, err
	}
	if in.Version != l.g.Version {
		return Group{}, store.ErrVersionConflict
	}
	now := s.now().UTC()
	u := s.st.Update(tabledef.GroupPK(gid), groupSK).
		Set("Name", g.Name).Set("Description", g.Description).Set("Privacy", g.Privacy).Set("Flags", g.Flags).
		Set("UpdatedAt", now).Add(tabledef.Version, 1).If("$ = ?", tabledef.Version, in.Version)
	tx := s.st.Tx().Update(u, store.ErrVersionConflict)
	if newHandle != "" {
		u.Set("Handle", newHandle)
		tx.Delete(s.st.DeleteOp(handlePK(l.g.Handle), handleSK).If("$ = ?", "GroupID", gid), store.ErrVersionConflict).
			Create(&handleItem{Item: store.Item{PK: handlePK(newHandle), SK: handleSK, Type: "handle"}, GroupID: gid}, ErrHandleTaken)
	}
	if changed := settingsChanged(l.g, &g, newHandle); len(changed) > 0 {
		if err := s.audit.Record(ctx, tx, gid, audit.SettingsChanged, audit.Target{Kind: "group", ID: gid}, changed); err != nil {
			return Group{}, err
		}
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Group{}, err
	}
	s.log.InfoContext(ctx, "group settings changed", "group_id", gid)
	return s.Get(ctx, gid)
}

// ---- members ----

// Members lists members (paginated). Emails are shown to those who may
// manage members. Cost: the group and the actor's membership (one
// BatchGetItem, one more for a subgroup's parent), the page, and the page's
// people in one BatchGetItem: 3 calls whatever the size of the group.
func (s *Service) Members(ctx context.Context, gid, cursor string, limit int) (store.Page[Member], error) {
	var people map[string]Person
	return groupPage(ctx, s, gid, authz.GroupListMembers, memberSK(""), "members", cursor, limit,
		func(page []memberItem) (err error) {
			people, err = peopleOf(ctx, s, page, func(m memberItem) string { return m.UserID })
			return err
		},
		func(a authz.Actor, l *loaded, m memberItem) (Member, error) {
			mem := Member{UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt, Via: m.Via}
			if p, ok := people[m.UserID]; ok {
				mem.Name, mem.Avatar = p.Name, p.Avatar
				if authz.Can(a, authz.GroupRemoveMember, l.facts) { // only those who manage members see addresses
					mem.Email = p.Email
				}
			}
			return mem, nil
		})
}

// peopleOf reads the people a page of items names, in one call.
func peopleOf[I any](ctx context.Context, s *Service, page []I, uid func(I) string) (map[string]Person, error) {
	ids := make([]string, 0, len(page))
	for _, it := range page {
		ids = append(ids, uid(it))
	}
	return s.people.UsersByID(ctx, ids)
}

// groupPage authorizes action on the group, then reads one page of the
// group's items whose sort key starts with prefix (cursor scoped to the list
// and the group), lets prepare read what the whole page needs at once (nil
// for nothing) and maps each item for the caller.
func groupPage[I, V any](ctx context.Context, s *Service, gid string, action authz.Action, prefix, list, cursor string, limit int,
	prepare func(page []I) error, view func(a authz.Actor, l *loaded, item I) (V, error)) (store.Page[V], error) {
	a, l, err := s.authorized(ctx, gid, action)
	if err != nil {
		return store.Page[V]{}, err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, prefix).Consistent(true)
	page, err := store.QueryPage[I](ctx, s.st, q, list+":"+gid, cursor, limit)
	if err != nil {
		return store.Page[V]{}, err
	}
	if prepare != nil && len(page.Items) > 0 {
		if err := prepare(page.Items); err != nil {
			return store.Page[V]{}, err
		}
	}
	out := store.Page[V]{Items: make([]V, 0, len(page.Items)), Next: page.Next}
	for _, item := range page.Items {
		v, err := view(a, l, item)
		if err != nil {
			return store.Page[V]{}, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// groupCond is an extra condition on the group item in a join (DynamoDB
// allows one operation per item in a transaction, so it rides on the count
// update).
type groupCond struct {
	expr   string
	args   []any
	onFail error
}

// joinTx adds a membership and its counts to tx.
func (s *Service) joinTx(tx *store.Tx, gid, uid string, role authz.Role, via, by string, cond *groupCond) {
	u := s.st.Update(tabledef.GroupPK(gid), groupSK).Add("MemberCount", 1)
	if role == authz.RoleAdmin {
		u.Add("AdminCount", 1)
	}
	onFail := error(authz.ErrHidden)
	if cond != nil {
		u.If("attribute_exists($) AND "+cond.expr, append([]any{tabledef.PK}, cond.args...)...)
		onFail = cond.onFail
	} else {
		u.If("attribute_exists($)", tabledef.PK)
	}
	tx.Create(newMember(gid, uid, role, via, by, s.now().UTC()), authz.ErrAlreadyMember).Update(u, onFail)
}

// Join makes the actor a member of an open group.
func (s *Service) Join(ctx context.Context, gid string) (Group, error) {
	a, _, err := s.authorized(ctx, gid, authz.GroupJoin)
	if err != nil {
		return Group{}, err
	}
	tx := s.st.Tx()
	// Still open at the moment of joining.
	s.joinTx(tx, gid, a.UserID, authz.RoleMember, "open", "",
		&groupCond{"$ = ?", []any{"Privacy", authz.Open}, authz.Forbidden("this group is no longer open")})
	if err := tx.Run(ctx, ""); err != nil {
		return Group{}, err
	}
	// A pending request is moot now.
	_ = s.st.Delete(ctx, tabledef.GroupPK(gid), requestSK(a.UserID))
	return s.Get(ctx, gid)
}

// removeTx removes membership m and updates the counts; an admin's removal
// is conditioned on the group keeping another admin.
func (s *Service) removeTx(m *memberItem) *store.Tx {
	u := s.st.Update(tabledef.GroupPK(m.GroupID), groupSK).Add("MemberCount", -1)
	onFail := error(authz.ErrHidden)
	if m.Role == authz.RoleAdmin {
		u.Add("AdminCount", -1).If("$ > ?", "AdminCount", 1)
		onFail = ErrLastAdmin
	} else {
		u.If("attribute_exists($)", tabledef.PK)
	}
	return s.st.Tx().
		Delete(s.st.DeleteOp(m.PK, m.SK).If("$ = ?", "Role", m.Role), ErrChanged).
		Update(u, onFail)
}

// Leave removes the actor from the group. The last admin cannot leave.
func (s *Service) Leave(ctx context.Context, gid string) error {
	a, l, err := s.authorized(ctx, gid, authz.GroupLeave)
	if err != nil {
		return err
	}
	if err := s.removeTx(l.member).Run(ctx, ""); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "member left", "group_id", gid)
	s.memberLeft(ctx, gid, a.UserID)
	return nil
}

// memberLeft runs the OnMemberLeft hook.
func (s *Service) memberLeft(ctx context.Context, gid, uid string) {
	if s.onLeft == nil {
		return
	}
	if err := s.onLeft(ctx, gid, uid); err != nil {
		s.log.ErrorContext(ctx, "member-left hook failed", "group_id", gid, "err", err)
	}
}

// RemoveMember removes someone (admins only; removing oneself is Leave).
func (s *Service) RemoveMember(ctx context.Context, gid, uid string) error {
	a, _, err := s.authorized(ctx, gid, authz.GroupRemoveMember)
	if err != nil {
		return err
	}
	if uid == a.UserID {
		return s.Leave(ctx, gid)
	}
	if !ids.Valid(uid) {
		return ErrNoMember
	}
	m, err := s.getMember(ctx, gid, uid)
	if err != nil {
		return err
	}
	if m == nil {
		return ErrNoMember
	}
	tx := s.removeTx(m)
	if err := s.audit.Record(ctx, tx, gid, audit.MemberRemoved, audit.Target{Kind: "member", ID: uid}, map[string]string{"role": string(m.Role)}); err != nil {
		return err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "member removed", "group_id", gid)
	s.memberLeft(ctx, gid, uid)
	return nil
}

// SetRole promotes or demotes a member (admins only). Demoting the last
// admin fails with ErrLastAdmin, enforced by a condition on AdminCount in
// the same transaction, so concurrent demotions cannot both succeed.
func (s *Service) SetRole(ctx context.Context, gid, uid string, role authz.Role) (Member, error) {
	_, _, err := s.authorized(ctx, gid, authz.GroupChangeRole)
	if err != nil {
		return Member{}, err
	}
	if !role.Valid() {
		return Member{}, domain.Validation(domain.FieldError{Field: "role", Message: "must be admin or member"})
	}
	if !ids.Valid(uid) {
		return Member{}, ErrNoMember
	}
	m, err := s.getMember(ctx, gid, uid)
	if err != nil {
		return Member{}, err
	}
	if m == nil {
		return Member{}, ErrNoMember
	}
	if m.Role != role {
		delta := 1
		g := s.st.Update(tabledef.GroupPK(gid), groupSK)
		onFail := error(authz.ErrHidden)
		if role == authz.RoleMember {
			delta = -1
			g.If("$ > ?", "AdminCount", 1)
			onFail = ErrLastAdmin
		} else {
			g.If("attribute_exists($)", tabledef.PK)
		}
		tx := s.st.Tx().
			Update(s.st.Update(m.PK, m.SK).Set("Role", role).If("$ = ?", "Role", m.Role), ErrChanged).
			Update(g.Add("AdminCount", delta), onFail)
		if err := s.audit.Record(ctx, tx, gid, audit.RoleChanged, audit.Target{Kind: "member", ID: uid},
			map[string]string{"from": string(m.Role), "to": string(role)}); err != nil {
			return Member{}, err
		}
		if err := tx.Run(ctx, ""); err != nil {
			return Member{}, err
		}
		s.log.InfoContext(ctx, "member role changed", "group_id", gid, "role", string(role))
	}
	out := Member{UserID: uid, Role: role, JoinedAt: m.JoinedAt, Via: m.Via}
	if p, err := s.people.UserByID(ctx, uid); err == nil {
		out.Name, out.Email = p.Name, p.Email
	}
	return out, nil
}

// ---- membership requests ----

// RequestMembership asks to join a closed group.
func (s *Service) RequestMembership(ctx context.Context, gid, message string) error {
	a, _, err := s.authorized(ctx, gid, authz.GroupRequestMembership)
	if err != nil {
		return err
	}
	var fe domain.FieldErrors
	msg := text.CheckBlock(&fe, "message", message, 0, MaxMessage)
	if err := fe.Err(); err != nil {
		return err
	}
	r := &requestItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: requestSK(a.UserID), Type: "membership_request"},
		GroupID: gid, UserID: a.UserID, Message: msg, CreatedAt: s.now().UTC()}
	return s.st.Create(ctx, r, ErrRequested)
}

// Requests lists pending membership requests.
func (s *Service) Requests(ctx context.Context, gid, cursor string, limit int) (store.Page[Request], error) {
	var people map[string]Person
	return groupPage(ctx, s, gid, authz.GroupApproveRequests, "REQUEST#", "requests", cursor, limit,
		func(page []requestItem) (err error) {
			people, err = peopleOf(ctx, s, page, func(r requestItem) string { return r.UserID })
			return err
		},
		func(_ authz.Actor, _ *loaded, r requestItem) (Request, error) {
			req := Request{UserID: r.UserID, Message: r.Message, CreatedAt: r.CreatedAt}
			if p, ok := people[r.UserID]; ok {
				req.Name, req.Email = p.Name, p.Email
			}
			return req, nil
		})
}

// ApproveRequest turns a request into a membership (one transaction) and
// tells the person by email.
func (s *Service) ApproveRequest(ctx context.Context, gid, uid string) error {
	a, l, err := s.authorized(ctx, gid, authz.GroupApproveRequests)
	if err != nil {
		return err
	}
	if !ids.Valid(uid) {
		return ErrNoRequest
	}
	tx := s.st.Tx().Delete(s.st.DeleteOp(tabledef.GroupPK(gid), requestSK(uid)).If("attribute_exists($)", tabledef.PK), ErrNoRequest)
	s.joinTx(tx, gid, uid, authz.RoleMember, "request", a.UserID, nil)
	if err := s.audit.Record(ctx, tx, gid, audit.RequestApproved, audit.Target{Kind: "member", ID: uid}, nil); err != nil {
		return err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return err
	}
	if p, err := s.people.UserByID(ctx, uid); err == nil {
		s.sendApproved(ctx, l.g, p)
	}
	return nil
}

// DenyRequest deletes a request.
func (s *Service) DenyRequest(ctx context.Context, gid, uid string) error {
	_, _, err := s.authorized(ctx, gid, authz.GroupApproveRequests)
	if err != nil {
		return err
	}
	if !ids.Valid(uid) {
		return ErrNoRequest
	}
	tx := s.st.Tx().Delete(s.st.DeleteOp(tabledef.GroupPK(gid), requestSK(uid)).If("attribute_exists($)", tabledef.PK), ErrNoRequest)
	if err := s.audit.Record(ctx, tx, gid, audit.RequestDenied, audit.Target{Kind: "member", ID: uid}, nil); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}

// settingsChanged names what an update changes, for the audit record:
// which fields, the privacy before and after, and each permission turned
// on or off. Values people typed (name, description) are not copied.
func settingsChanged(before, after *groupItem, newHandle string) map[string]string {
	out := map[string]string{}
	var fields []string
	if before.Name != after.Name {
		fields = append(fields, "name")
	}
	if before.Description != after.Description {
		fields = append(fields, "description")
	}
	if newHandle != "" {
		fields = append(fields, "handle")
	}
	if before.Privacy != after.Privacy {
		out["privacy"] = string(before.Privacy) + " → " + string(after.Privacy)
	}
	var b, a map[string]bool
	bj, _ := json.Marshal(before.Flags.Flags())
	aj, _ := json.Marshal(after.Flags.Flags())
	_ = json.Unmarshal(bj, &b)
	_ = json.Unmarshal(aj, &a)
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if a[k] != b[k] {
			out["permission."+k] = map[bool]string{true: "on", false: "off"}[a[k]]
		}
	}
	if len(fields) > 0 {
		out["fields"] = strings.Join(fields, ",")
	}
	return out
}
