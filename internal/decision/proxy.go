package decision

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Proxy voting (docs/polls.md#proxy-voting, docs/data-model.md patterns
// 41a-41e). When the group allows it (authz.Flags.ProxyVoting, the action
// authz.PollProxy), a member (the grantor) gives their proxy to another
// member (the grantee): for one poll, or for every poll of the group until
// they revoke it. The grantee may then cast, change and withdraw the
// grantor's ballot; the ballot is the grantor's (one per voter, the tally
// is unchanged) and records who cast it (ballotItem.ProxyID).
//
// Rules, each checked here:
//   - never in anonymous polls (a ballot cast for someone names them);
//   - at most one proxy per grantor per poll: a standing grant (GROUP# item)
//     or a grant for the poll (POLL# item), never both (ErrProxyExists);
//   - no chains: a grantee who has given their own proxy cannot receive one,
//     a grantor who holds proxies of others cannot give theirs
//     (ErrProxyChain); a vote with a proxy reads only the grantor's grant,
//     never one the grantor holds, so no vote ever passes on;
//   - the grantor's own vote ends the proxy for that poll (an ended marker
//     POLL#<pid>/PROXY#<grantor> shadows a standing grant), and a proxy
//     never replaces a ballot the grantor cast themselves (ErrGrantorVoted);
//   - both must be members when the ballot is written (conditions in the
//     vote transaction), and a member who leaves loses the proxies they gave
//     and held (endProxiesOf).
//
// Every grant, use and revocation adds an entry to the group's audit log
// in its own transaction.

const (
	prefixProxy = "PROXY#"
	// MaxProxiesHeld bounds the proxies one member holds in a group (for
	// one poll: standing ones plus those for the poll).
	MaxProxiesHeld = 10
	// proxyScan bounds the GSI1 page read to list held proxies.
	proxyScan = 100
)

func proxySK(uid string) string { return prefixProxy + uid }

// proxiesHeld is the GSI1 partition of the grants held by grantee in gid.
func proxiesHeld(gid, grantee string) string { return "PROXIES#" + gid + "#" + grantee }

// proxyItem: a grant. Standing: PK=GROUP#<gid> SK=PROXY#<grantor>;
// for one poll: PK=POLL#<pid> SK=PROXY#<grantor>. An active grant carries
// GSI1PK=PROXIES#<gid>#<grantee> GSI1SK=<grantor>#<pid or "*">; an ended
// one (poll items only: the grantor voted or revoked for that poll) has no
// GSI1 keys and Ended set.
type proxyItem struct {
	store.Item
	GroupID   string     `dynamo:"GroupID"`
	PollID    string     `dynamo:"PollID,omitempty"`
	GrantorID string     `dynamo:"GrantorID"`
	GranteeID string     `dynamo:"GranteeID,omitempty"`
	CreatedAt time.Time  `dynamo:"CreatedAt"`
	Ended     bool       `dynamo:"Ended,omitempty"`
	EndedAt   *time.Time `dynamo:"EndedAt,omitempty"`
}

func (p *proxyItem) view() Proxy {
	return Proxy{GroupID: p.GroupID, PollID: p.PollID, GrantorID: p.GrantorID, GranteeID: p.GranteeID, CreatedAt: p.CreatedAt}
}

// Proxy is a grant as its grantor and grantee see it.
type Proxy struct {
	GroupID string `json:"group_id"`
	// PollID is the poll the proxy is for; empty for every poll of the
	// group (a standing proxy).
	PollID    string    `json:"poll_id,omitempty"`
	GrantorID string    `json:"grantor_id"`
	GranteeID string    `json:"grantee_id"`
	CreatedAt time.Time `json:"created_at"`
}

// HeldProxy is someone the actor may vote for in a poll.
type HeldProxy struct {
	GrantorID string `json:"grantor_id"`
	// Standing: the grant covers every poll of the group.
	Standing bool `json:"standing"`
	// Ballot is the grantor's ballot as the actor cast it, if they did.
	Ballot *poll.Ballot `json:"ballot,omitempty"`
}

// PollProxies is the actor's side of proxy voting in one poll.
type PollProxies struct {
	// Allowed: the group allows proxy voting, the actor is a member and the
	// poll is not anonymous.
	Allowed bool `json:"allowed"`
	// Given is the actor's proxy that covers this poll, if any.
	Given *Proxy `json:"given,omitempty"`
	// Ended: the actor's proxy for this poll ended (they voted themselves
	// or revoked it for this poll).
	Ended bool `json:"ended,omitempty"`
	// Held are the members the actor may vote for here (at most
	// MaxProxiesHeld).
	Held []HeldProxy `json:"held"`
}

// GroupProxies is the actor's side of proxy voting in a group.
type GroupProxies struct {
	Allowed bool `json:"allowed"`
	// Given is the actor's standing proxy, if any.
	Given *Proxy `json:"given,omitempty"`
	// Held are the grants the actor holds (standing and for single polls,
	// at most proxyScan).
	Held []Proxy `json:"held"`
	// GivenPolls are the actor's proxies for single open polls of the
	// group (among its newest 200 polls).
	GivenPolls []Proxy `json:"given_polls"`
	// Titles are the titles of the group's open polls (among its newest
	// 200) by id: a grant for a poll not named here is for a closed poll.
	Titles map[string]string `json:"poll_titles"`
}

// Errors of proxy voting.
var (
	ErrProxyAnonymous = domain.Errorf(domain.Conflict, "proxies are never used in anonymous polls")
	ErrProxyExists    = domain.Errorf(domain.Conflict, "you have already given a proxy that covers this poll: revoke it first")
	ErrProxyChain     = domain.Errorf(domain.Conflict, "proxies do not pass on: someone who holds proxies cannot give theirs, and someone who gave theirs cannot hold any")
	ErrProxyFull      = domain.Errorf(domain.Conflict, "that member already holds as many proxies as a member may")
	ErrNoProxy        = domain.Errorf(domain.Forbidden, "you do not hold this member's proxy for this poll")
	ErrNoProxyGiven   = domain.Errorf(domain.NotFound, "you have not given a proxy here")
	ErrGrantorVoted   = domain.Errorf(domain.Conflict, "this member has voted themselves in this poll: their proxy has ended")
	ErrSelfVoted      = domain.Errorf(domain.Conflict, "you have voted yourself in this poll: withdraw your vote before giving your proxy")
	ErrProxyGrantee   = domain.Validation(domain.FieldError{Field: "grantee_id", Message: "must be another member of the group"})
	// ErrGrantorNotEligible: the grantor is not among the poll's voters.
	ErrGrantorNotEligible = domain.Errorf(domain.Forbidden, "this member is not among the voters of this poll")
)

// NoticeProxyVoted tells the grantor that their proxy voted for them
// (ActorID).
const NoticeProxyVoted NoticeKind = "poll.proxy_voted"

// Recorder adds an action's entry to the group's audit log in the
// transaction that does it (*audit.Service).
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

func (s *Service) record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, uid string, details map[string]string) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Record(ctx, tx, gid, action, audit.Target{Kind: "member", ID: uid}, details)
}

// proxyAt decodes the grant item at (pk, sk) among items (nil if absent).
func proxyAt(items map[key]dynamo.Item, pk, sk string) (*proxyItem, error) {
	raw, ok := items[key{pk, sk}]
	if !ok {
		return nil, nil
	}
	var p proxyItem
	if err := unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// effectiveProxy is uid's proxy in the loaded poll (its POLL# and the
// group's GROUP# PROXY# items read): the grant for the poll, else the
// standing one unless an ended marker shadows it. ended reports the marker.
func effectiveProxy(l *loaded, uid string) (grant *proxyItem, ended bool, err error) {
	pp, err := proxyAt(l.items, tabledef.PollPK(l.p.ID), proxySK(uid))
	if err != nil {
		return nil, false, err
	}
	if pp != nil {
		if pp.Ended {
			return nil, true, nil
		}
		return pp, false, nil
	}
	gp, err := proxyAt(l.ac.items, tabledef.GroupPK(l.p.GroupID), proxySK(uid))
	return gp, false, err
}

// heldScan lists the active grants held by grantee in gid (GSI1, eventually
// consistent: for listing and the no-chain check at grant time; votes read
// the grantor's items strongly consistently).
func (s *Service) heldScan(ctx context.Context, gid, grantee string) ([]proxyItem, error) {
	var out []proxyItem
	err := s.st.Table().Get(tabledef.GSI1PK, proxiesHeld(gid, grantee)).Index(tabledef.GSI1).Limit(proxyScan).All(ctx, &out)
	if err != nil {
		return nil, store.Classify(err)
	}
	return out, nil
}

// inPoll keeps the grants of held that may cover poll pid.
func inPoll(held []proxyItem, pid string) []proxyItem {
	var out []proxyItem
	for _, h := range held {
		if h.PollID == "" || h.PollID == pid {
			out = append(out, h)
		}
	}
	return out
}

func memberIn(items map[key]dynamo.Item, gid, uid string) bool {
	raw, ok := items[memberKey(gid, uid)]
	if !ok {
		return false
	}
	_, valid, err := group.DecodeMembership(raw)
	return err == nil && valid
}

// ---- granting and revoking ----

// GrantProxy gives the actor's proxy to grantee: for poll pid (in group
// gid; pid "" for every poll of the group until revoked). Errors:
// Unauthorized, NotFound (group or poll invisible), Forbidden (proxy voting
// off, not a member), Invalid (grantee), Conflict (ErrProxyAnonymous,
// ErrProxyExists, ErrProxyChain, ErrProxyFull, ErrSelfVoted,
// ErrPollClosed).
func (s *Service) GrantProxy(ctx context.Context, gid, pid, grantee string) (Proxy, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return Proxy{}, authz.ErrSignIn
	}
	if !ids.Valid(grantee) || grantee == a.UserID {
		return Proxy{}, ErrProxyGrantee
	}
	now := s.now().UTC()
	groupKeys := []string{proxySK(a.UserID), proxySK(grantee)}
	var (
		l        *loaded
		gitems   map[key]dynamo.Item
		mine     *proxyItem // the grant the actor has that covers the scope
		theirs   *proxyItem // the grantee's own grant (a chain)
		existing *proxyItem // the poll item to replace (an ended marker)
	)
	if pid != "" {
		var err error
		if l, err = s.loadWith(ctx, pid, []string{ballotSK(a.UserID), proxySK(a.UserID), proxySK(grantee)}, groupKeys, grantee); err != nil {
			return Proxy{}, err
		}
		if err := s.authorizeView(ctx, l); err != nil {
			return Proxy{}, err
		}
		if gid != "" && gid != l.p.GroupID {
			return Proxy{}, authz.ErrHidden
		}
		gid, gitems = l.p.GroupID, l.ac.items
		if err := s.authorize(ctx, l.ac, l.p, authz.PollProxy); err != nil {
			return Proxy{}, err
		}
		if l.def.Settings.Anonymous {
			return Proxy{}, ErrProxyAnonymous
		}
		if err := checkOpen(l, now); err != nil {
			return Proxy{}, err
		}
		if raw, ok := l.item(ballotSK(a.UserID)); ok {
			var b ballotItem
			if err := unmarshal(raw, &b); err != nil {
				return Proxy{}, err
			}
			if b.ProxyID == "" {
				return Proxy{}, ErrSelfVoted
			}
		}
		if existing, err = proxyAt(l.items, tabledef.PollPK(pid), proxySK(a.UserID)); err != nil {
			return Proxy{}, err
		}
		if mine, _, err = effectiveProxy(l, a.UserID); err != nil {
			return Proxy{}, err
		}
		if theirs, _, err = effectiveProxy(l, grantee); err != nil {
			return Proxy{}, err
		}
		if theirs == nil {
			// Who gave a proxy for every poll receives none, even where
			// it ended (as the transaction checks).
			if theirs, err = proxyAt(gitems, tabledef.GroupPK(gid), proxySK(grantee)); err != nil {
				return Proxy{}, err
			}
		}
	} else {
		if !ids.Valid(gid) {
			return Proxy{}, authz.ErrHidden
		}
		if err := s.groups.Authorize(ctx, gid, authz.PollProxy, authz.Target{}); err != nil {
			return Proxy{}, err
		}
		keys := []key{memberKey(gid, grantee)}
		for _, sk := range groupKeys {
			keys = append(keys, key{tabledef.GroupPK(gid), sk})
		}
		var err error
		if gitems, err = s.getMany(ctx, keys...); err != nil {
			return Proxy{}, err
		}
		if mine, err = proxyAt(gitems, tabledef.GroupPK(gid), proxySK(a.UserID)); err != nil {
			return Proxy{}, err
		}
		if theirs, err = proxyAt(gitems, tabledef.GroupPK(gid), proxySK(grantee)); err != nil {
			return Proxy{}, err
		}
	}
	if !memberIn(gitems, gid, grantee) {
		return Proxy{}, ErrProxyGrantee
	}
	if mine != nil {
		return Proxy{}, ErrProxyExists
	}
	if theirs != nil {
		return Proxy{}, ErrProxyChain
	}
	held, err := s.heldScan(ctx, gid, a.UserID)
	if err != nil {
		return Proxy{}, err
	}
	if pid != "" {
		held = inPoll(held, pid)
	}
	if len(held) > 0 {
		return Proxy{}, ErrProxyChain
	}
	theirsHeld, err := s.heldScan(ctx, gid, grantee)
	if err != nil {
		return Proxy{}, err
	}
	if pid != "" {
		theirsHeld = inPoll(theirsHeld, pid)
	}
	if len(theirsHeld) >= MaxProxiesHeld {
		return Proxy{}, ErrProxyFull
	}
	g := &proxyItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: proxySK(a.UserID), Type: "proxy_grant",
		GSI1PK: proxiesHeld(gid, grantee), GSI1SK: a.UserID + "#*"},
		GroupID: gid, PollID: pid, GrantorID: a.UserID, GranteeID: grantee, CreatedAt: now}
	if pid != "" {
		g.PK, g.Type, g.GSI1SK = tabledef.PollPK(pid), "poll_proxy", a.UserID+"#"+pid
	}
	tx := s.st.Tx()
	if existing != nil {
		// Replacing an ended marker (it is one: mine was nil).
		g.Version = max(existing.Version, 1)
		tx.SaveIf(g, "attribute_exists($)", "Ended")
	} else {
		tx.Create(g, ErrProxyExists)
	}
	// Both are members as the grant is written; the grantee has not given
	// their proxy meanwhile (the standing item; theirs for the poll was read
	// with the poll).
	group.RequireMember(tx, gid, grantee, ErrProxyGrantee)
	group.RequireMember(tx, gid, a.UserID, authz.ErrNotMember)
	tx.Check(tabledef.GroupPK(gid), proxySK(grantee), "attribute_not_exists($)", ErrProxyChain, tabledef.PK)
	if pid != "" {
		// The standing item of the actor's, absent as read (a marker shadows
		// it only when existing is set: then nothing to check).
		if existing == nil {
			tx.Check(tabledef.GroupPK(gid), proxySK(a.UserID), "attribute_not_exists($)", ErrProxyExists, tabledef.PK)
		}
	}
	if err := s.record(ctx, tx, gid, audit.ProxyGranted, grantee, map[string]string{"poll": pid}); err != nil {
		return Proxy{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		if store.Contention(err) || errors.Is(err, store.ErrVersionConflict) {
			return Proxy{}, ErrBusy
		}
		return Proxy{}, err
	}
	return g.view(), nil
}

// RevokeProxy takes back the actor's proxy: the standing one (pid ""), or
// the one that covers poll pid (a grant for the poll, or the standing one
// for this poll only: an ended marker). A ballot the grantee already cast
// stays, as the grantor's ballot, until the grantor changes it. Anyone may
// revoke their own proxy, even once proxy voting was turned off.
func (s *Service) RevokeProxy(ctx context.Context, gid, pid string) error {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return authz.ErrSignIn
	}
	now := s.now().UTC()
	tx := s.st.Tx()
	var grantee string
	if pid != "" {
		if gid != "" {
			// Named by its group (the proxies page): the group first, so
			// that a hidden group answers as a missing one.
			if !ids.Valid(gid) {
				return authz.ErrHidden
			}
			if err := s.groups.Authorize(ctx, gid, authz.GroupView, authz.Target{}); err != nil {
				return err
			}
		}
		l, err := s.loadWith(ctx, pid, []string{proxySK(a.UserID)}, []string{proxySK(a.UserID)})
		if err != nil {
			return err
		}
		if err := s.authorizeView(ctx, l); err != nil {
			return err
		}
		if gid != "" && gid != l.p.GroupID {
			return authz.ErrHidden
		}
		gid = l.p.GroupID
		g, _, err := effectiveProxy(l, a.UserID)
		if err != nil {
			return err
		}
		if g == nil {
			return ErrNoProxyGiven
		}
		grantee = g.GranteeID
		s.endMarker(tx, l, a.UserID, now)
	} else {
		if !ids.Valid(gid) {
			return authz.ErrHidden
		}
		if err := s.groups.Authorize(ctx, gid, authz.GroupView, authz.Target{}); err != nil {
			return err
		}
		var g proxyItem
		if err := s.st.Get(ctx, tabledef.GroupPK(gid), proxySK(a.UserID), &g); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoProxyGiven
			}
			return err
		}
		grantee = g.GranteeID
		tx.Delete(s.st.DeleteOp(tabledef.GroupPK(gid), proxySK(a.UserID)).If("$ = ?", tabledef.Version, g.Version), ErrBusy)
	}
	if err := s.record(ctx, tx, gid, audit.ProxyRevoked, grantee, map[string]string{"poll": pid}); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}

// endMarker adds to tx the ended marker of uid's proxy in the loaded poll
// (replacing a grant for the poll, or shadowing the standing one).
func (s *Service) endMarker(tx *store.Tx, l *loaded, uid string, now time.Time) {
	m := &proxyItem{Item: store.Item{PK: tabledef.PollPK(l.p.ID), SK: proxySK(uid), Type: "poll_proxy", Version: 1},
		GroupID: l.p.GroupID, PollID: l.p.ID, GrantorID: uid, CreatedAt: now, Ended: true, EndedAt: &now}
	tx.Put(m)
}

// endOwnProxy adds to a ballot write of the actor's own the end of their
// proxy for the poll, when one covers it (the items were read with the
// ballot: no extra call), with its audit entry.
func (s *Service) endOwnProxy(ctx context.Context, tx *store.Tx, l *loaded, now time.Time) error {
	if l.def.Settings.Anonymous {
		return nil
	}
	uid := l.ac.a.UserID
	g, _, err := effectiveProxy(l, uid)
	if err != nil || g == nil {
		return err
	}
	s.endMarker(tx, l, uid, now)
	return s.record(ctx, tx, l.p.GroupID, audit.ProxyEnded, g.GranteeID, map[string]string{"poll": l.p.ID, "reason": "own_vote"})
}

// ---- voting with a proxy ----

// proxyVoteOnce is voteOnce for a ballot the actor casts for in.For with
// their proxy: the same two reads (the grantor's ballot, voter entry and
// grants with the poll; their membership and standing grant with the
// group) and one transaction: the ballot (ProxyID set), the tally delta,
// the grantor's eligibility, both memberships, the grant as read and the
// audit entry. The grantor is told afterwards.
func (s *Service) proxyVoteOnce(ctx context.Context, pid string, in VoteInput) (VoteResult, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		if !ids.Valid(pid) {
			return VoteResult{}, authz.ErrHidden
		}
		return VoteResult{}, authz.ErrSignIn
	}
	if in.Receipt != "" {
		return VoteResult{}, ErrProxyAnonymous
	}
	grantor := in.For
	l, grant, err := s.loadProxied(ctx, pid, grantor)
	if err != nil {
		return VoteResult{}, err
	}
	now := s.now().UTC()
	if err := checkOpen(l, now); err != nil {
		return VoteResult{}, err
	}
	next, err := poll.PrepareBallot(l.def, in.Ballot)
	if err != nil {
		return VoteResult{}, err
	}
	var prev *poll.Ballot
	p := l.p
	b := &ballotItem{Item: store.Item{PK: tabledef.PollPK(p.ID), SK: ballotSK(grantor), Type: "ballot"}, PollID: p.ID, UserID: grantor,
		Choices: next.Choices, NoneOfTheAbove: next.NoneOfTheAbove, Reason: next.Reason, CastAt: now, UpdatedAt: now, ProxyID: a.UserID}
	tx := s.st.Tx()
	if raw, ok := l.item(ballotSK(grantor)); ok {
		var old ballotItem
		if err := unmarshal(raw, &old); err != nil {
			return VoteResult{}, err
		}
		if old.ProxyID == "" {
			return VoteResult{}, ErrGrantorVoted
		}
		ob := old.ballot()
		prev = &ob
		b.Version, b.CastAt, b.CastID = old.Version, old.CastAt, old.CastID
		expr, args := sameCast(old.CastID)
		tx.SaveIf(b, expr, args...)
	} else {
		b.CastID = ids.New()
		tx.Create(b, errStale)
	}
	if err := s.count(tx, p, l.def, poll.Delta(l.def.Type, prev, &next), &now); err != nil {
		return VoteResult{}, err
	}
	proxyChecks(tx, l, grant, grantor, a.UserID)
	if err := s.record(ctx, tx, p.GroupID, audit.ProxyUsed, grantor, map[string]string{"poll": p.ID}); err != nil {
		return VoteResult{}, err
	}
	s.raced("proxy")
	if err := tx.Run(ctx, ""); err != nil {
		return VoteResult{}, err
	}
	n := Notice{Kind: NoticeProxyVoted, ActorID: a.UserID, PollID: p.ID, GroupID: p.GroupID, ThreadID: p.ThreadID,
		Title: l.def.Title, Recipients: []string{grantor}, ClosingAt: l.def.Settings.ClosingAt}
	if err := s.notifier.Notify(ctx, n); err != nil {
		s.log.WarnContext(ctx, "proxy vote notice failed", "poll_id", p.ID, "err", err)
	}
	return VoteResult{Ballot: next, Changed: prev != nil}, nil
}

// loadProxied reads poll pid for a ballot the actor writes or withdraws
// for grantor with their proxy (the grantor's ballot, voter entry and
// grants with the poll; their membership and standing grant with the
// group) and checks the rules of proxy voting: the actor sees the poll and
// may use proxies there, the poll is not anonymous, grantor's effective
// proxy for it is with the actor (ErrGrantorVoted when it ended), the
// actor gave none of their own (no chains) and grantor is a voter.
func (s *Service) loadProxied(ctx context.Context, pid, grantor string) (*loaded, *proxyItem, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(grantor) {
		return nil, nil, ErrNoProxy
	}
	l, err := s.loadWith(ctx, pid, []string{ballotSK(grantor), voterSK(grantor), proxySK(grantor), proxySK(a.UserID)},
		[]string{proxySK(grantor), proxySK(a.UserID)}, grantor)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return nil, nil, err
	}
	if err := s.authorize(ctx, l.ac, l.p, authz.PollProxy); err != nil {
		return nil, nil, err
	}
	if l.def.Settings.Anonymous {
		return nil, nil, ErrProxyAnonymous
	}
	grant, ended, err := effectiveProxy(l, grantor)
	if err != nil {
		return nil, nil, err
	}
	if ended {
		return nil, nil, ErrGrantorVoted
	}
	if grant == nil || grant.GranteeID != a.UserID || !memberIn(l.ac.items, l.p.GroupID, grantor) {
		return nil, nil, ErrNoProxy
	}
	if own, _, err := effectiveProxy(l, a.UserID); err != nil || own != nil {
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, ErrProxyChain
	}
	_, chosen := l.item(voterSK(grantor))
	if !poll.InVoterSet(l.def.Settings, poll.Relation{Member: true, Chosen: chosen}) {
		return nil, nil, ErrGrantorNotEligible
	}
	return l, grant, nil
}

// proxyChecks adds to a ballot write (or withdrawal) that actor does for
// grantor the conditions that what loadProxied read still holds: the
// grantor is a voter and a member, the actor a member, and the grant is
// the one read (a standing one not shadowed for this poll since).
func proxyChecks(tx *store.Tx, l *loaded, grant *proxyItem, grantor, actor string) {
	p := l.p
	if l.def.Settings.SpecifiedVotersOnly {
		tx.Check(tabledef.PollPK(p.ID), voterSK(grantor), "attribute_exists($)", ErrGrantorNotEligible, tabledef.PK)
	}
	group.RequireMember(tx, p.GroupID, grantor, ErrNoProxy)
	group.RequireMember(tx, p.GroupID, actor, authz.ErrNotMember)
	if grant.PollID != "" {
		tx.Check(tabledef.PollPK(p.ID), proxySK(grantor), "$ = ? AND $ = ?", errStale, tabledef.Version, grant.Version, "GranteeID", actor)
	} else {
		tx.Check(tabledef.GroupPK(p.GroupID), proxySK(grantor), "$ = ?", errStale, "GranteeID", actor).
			Check(tabledef.PollPK(p.ID), proxySK(grantor), "attribute_not_exists($)", errStale, tabledef.PK)
	}
}

// ---- reading ----

// PollProxiesOf is the actor's side of proxy voting in poll pid: whether
// they may use proxies there, the proxy they gave that covers it, and whom
// they may vote for (each with the ballot they cast for them). Cost: the
// two reads of the poll, one GSI1 query for the proxies held and, when
// there are any, one BatchGetItem of the grantors' items.
func (s *Service) PollProxiesOf(ctx context.Context, pid string) (PollProxies, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return PollProxies{}, authz.ErrSignIn
	}
	l, err := s.loadWith(ctx, pid, []string{proxySK(a.UserID)}, []string{proxySK(a.UserID)})
	if err != nil {
		return PollProxies{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return PollProxies{}, err
	}
	return s.pollProxies(ctx, l, nil)
}

// pollProxies fills PollProxies for a loaded poll (the actor's PROXY#
// items read in both partitions). held, when not nil, is the actor's
// grants in the group already scanned (Cards scan once per group).
func (s *Service) pollProxies(ctx context.Context, l *loaded, held []proxyItem) (PollProxies, error) {
	out := PollProxies{Held: []HeldProxy{}}
	if l.def.Settings.Anonymous || s.authorize(ctx, l.ac, l.p, authz.PollProxy) != nil {
		return out, nil
	}
	out.Allowed = true
	uid := l.ac.a.UserID
	g, ended, err := effectiveProxy(l, uid)
	if err != nil {
		return out, err
	}
	out.Ended = ended
	if g != nil {
		v := g.view()
		out.Given = &v
		return out, nil // no chains: who gave theirs holds none here
	}
	if held == nil {
		if held, err = s.heldScan(ctx, l.p.GroupID, uid); err != nil {
			return out, err
		}
	}
	cands := inPoll(held, l.p.ID)
	if len(cands) == 0 {
		return out, nil
	}
	var keys []key
	for _, h := range cands[:min(len(cands), 30)] {
		keys = append(keys, key{tabledef.PollPK(l.p.ID), proxySK(h.GrantorID)}, key{tabledef.PollPK(l.p.ID), ballotSK(h.GrantorID)},
			memberKey(l.p.GroupID, h.GrantorID))
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for _, h := range cands {
		if seen[h.GrantorID] || len(out.Held) >= MaxProxiesHeld || !memberIn(items, l.p.GroupID, h.GrantorID) {
			continue
		}
		pp, err := proxyAt(items, tabledef.PollPK(l.p.ID), proxySK(h.GrantorID))
		if err != nil {
			return out, err
		}
		switch {
		case h.PollID == "" && pp != nil: // shadowed by a marker or a grant for the poll
			continue
		case h.PollID != "" && (pp == nil || pp.Ended || pp.GranteeID != uid):
			continue
		}
		hp := HeldProxy{GrantorID: h.GrantorID, Standing: h.PollID == ""}
		if raw, ok := items[key{tabledef.PollPK(l.p.ID), ballotSK(h.GrantorID)}]; ok {
			var b ballotItem
			if err := unmarshal(raw, &b); err != nil {
				return out, err
			}
			if b.ProxyID == "" {
				continue // they voted themselves
			}
			bb := b.ballot()
			hp.Ballot = &bb
		}
		seen[h.GrantorID] = true
		out.Held = append(out.Held, hp)
	}
	slices.SortFunc(out.Held, func(x, y HeldProxy) int {
		if x.GrantorID < y.GrantorID {
			return -1
		}
		return 1
	})
	return out, nil
}

// GroupProxiesOf is the actor's standing proxy in group gid, their proxies
// for its single open polls (openPollProxies) and the grants they hold
// there (standing and for single polls, at most proxyScan; grants for
// polls may have ended since: PollProxiesOf says for a poll).
func (s *Service) GroupProxiesOf(ctx context.Context, gid string) (GroupProxies, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return GroupProxies{}, authz.ErrSignIn
	}
	if !ids.Valid(gid) {
		return GroupProxies{}, authz.ErrHidden
	}
	if err := s.groups.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return GroupProxies{}, err
	}
	out := GroupProxies{Held: []Proxy{}, Allowed: s.groups.Authorize(ctx, gid, authz.PollProxy, authz.Target{}) == nil}
	var g proxyItem
	switch err := s.st.Get(ctx, tabledef.GroupPK(gid), proxySK(a.UserID), &g); err {
	case nil:
		v := g.view()
		out.Given = &v
	case store.ErrNotFound:
	default:
		return GroupProxies{}, err
	}
	held, err := s.heldScan(ctx, gid, a.UserID)
	if err != nil {
		return GroupProxies{}, err
	}
	for _, h := range held {
		out.Held = append(out.Held, h.view())
	}
	if err := s.openPollProxies(ctx, gid, a.UserID, &out); err != nil {
		return GroupProxies{}, err
	}
	return out, nil
}

// endProxiesOf ends the proxies uid gave and held in group gid (they left
// it; system operation): their standing grant and the grants they held
// (at most proxyScan a call; the use-time membership checks make any left
// inert). Grants for single polls that uid gave stay, inert: the vote
// checks the grantor's membership.
func (s *Service) endProxiesOf(ctx context.Context, gid, uid string) error {
	held, err := s.heldScan(ctx, gid, uid)
	if err != nil {
		return err
	}
	var mine proxyItem
	switch err := s.st.Get(ctx, tabledef.GroupPK(gid), proxySK(uid), &mine); err {
	case nil:
		held = append(held, mine)
	case store.ErrNotFound:
	default:
		return err
	}
	for _, g := range held {
		tx := s.st.Tx()
		tx.Delete(s.st.DeleteOp(g.PK, g.SK).If("$ = ?", "GranteeID", g.GranteeID), nil)
		if err := s.record(ctx, tx, gid, audit.ProxyEnded, g.GrantorID, map[string]string{"poll": g.PollID, "reason": "member_left", "grantee": g.GranteeID}); err != nil {
			return err
		}
		if err := tx.Run(ctx, ""); err != nil && !store.Contention(err) && domain.ErrorCode(err) != domain.Conflict {
			return err
		}
	}
	return nil
}

// cardProxies is whom the viewer may vote for in a poll shown as a card
// (Cards): nothing unless the poll is open, not anonymous and the group
// allows the viewer proxies; then one GSI1 query per group (held caches
// it) and, when they hold any, one BatchGetItem per card. The viewer's own
// grant was not read with the card: a viewer who gave theirs is refused
// when voting (ErrProxyChain).
func (s *Service) cardProxies(ctx context.Context, l *loaded, held map[string][]proxyItem) ([]HeldProxy, error) {
	a := l.ac.a
	if !a.Authenticated() || !ids.Valid(a.UserID) || l.def.Settings.Anonymous || checkOpen(l, s.now()) != nil ||
		s.authorize(ctx, l.ac, l.p, authz.PollProxy) != nil {
		return nil, nil
	}
	h, ok := held[l.p.GroupID]
	if !ok {
		var err error
		if h, err = s.heldScan(ctx, l.p.GroupID, a.UserID); err != nil {
			return nil, err
		}
		if h == nil {
			h = []proxyItem{}
		}
		held[l.p.GroupID] = h
	}
	if len(inPoll(h, l.p.ID)) == 0 {
		return nil, nil
	}
	pp, err := s.pollProxies(ctx, l, h)
	return pp.Held, err
}
