package pages

// Proxy voting (docs/polls.md#proxy-voting): the API of a member's proxies
// in a poll and in a group, the poll page's proxy panel (give, revoke, the
// members one may vote for) and the "vote for" form. The decision core
// decides everything (decision.GrantProxy, RevokeProxy, Vote with For).

import (
	"context"
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
)

// ---- pages ----

// proxyPanel is the poll page's "Proxy" section for a signed-in member of
// a group that allows proxy voting (nil otherwise).
type proxyPanel struct {
	// Given names whom the viewer's proxy for this poll is with, Standing
	// when it is their proxy for every poll.
	Given    string
	Standing bool
	// Ended: their proxy for this poll ended (they voted or revoked it).
	Ended bool
	// Grantees are the members the viewer may give their proxy to
	// (offered while the poll is open and they gave none).
	Grantees []voterChoice
	Open     bool
	Voted    bool
	// Held are the members the viewer may vote for.
	Held []heldLink
}

type heldLink struct {
	ID, Name string
	Standing bool
	// Voted: the viewer has cast a ballot for them (VoteText says what).
	Voted    bool
	VoteText string
}

// pollProxyPanel fills d.Proxy (and, with ?for= or a posted "for", the
// vote form for that member) for the poll page.
func (s *Server) pollProxyPanel(ctx context.Context, r *http.Request, d *pollPageData) {
	p := d.Poll
	if !d.SignedIn || p.Status == poll.StatusDraft || p.Definition.Settings.Anonymous {
		return
	}
	pp, err := s.pollProxies.PollProxiesOf(ctx, p.ID)
	if err != nil || !pp.Allowed {
		return
	}
	panel := &proxyPanel{Open: p.Status == poll.StatusOpen, Voted: d.Mine.Voted && d.Mine.CastBy == "", Ended: pp.Ended}
	var uids []string
	if pp.Given != nil {
		uids = append(uids, pp.Given.GranteeID)
	}
	for _, h := range pp.Held {
		uids = append(uids, h.GrantorID)
	}
	names := s.manyNames(ctx, uids)
	name := func(uid string) string {
		if n := names[uid]; n != "" {
			return n
		}
		return "Someone"
	}
	if pp.Given != nil {
		panel.Given, panel.Standing = name(pp.Given.GranteeID), pp.Given.PollID == ""
	} else if panel.Open && len(pp.Held) == 0 && !panel.Voted {
		self := authz.ActorFrom(ctx).UserID
		for _, m := range s.groupMembers(ctx, p.GroupID) {
			if m.UserID != self {
				n := m.Name
				if n == "" {
					n = "Someone"
				}
				panel.Grantees = append(panel.Grantees, voterChoice{ID: m.UserID, Name: n})
			}
		}
		byName(panel.Grantees)
	}
	forID := r.URL.Query().Get("for")
	if v := r.PostFormValue("for"); v != "" {
		forID = v
	}
	for _, h := range pp.Held {
		l := heldLink{ID: h.GrantorID, Name: name(h.GrantorID), Standing: h.Standing, Voted: h.Ballot != nil}
		if h.Ballot != nil {
			l.VoteText = ballotText(s.web.Printer(r), p.Definition, *h.Ballot)
		}
		panel.Held = append(panel.Held, l)
		if h.GrantorID == forID && panel.Open {
			mine := decision.MyBallot{Eligible: true, Voted: h.Ballot != nil, Ballot: h.Ballot}
			d.Vote = s.voteFormFor(r, p, mine, nil, nil)
			d.Vote.For, d.Vote.ForName = h.GrantorID, l.Name
		}
	}
	d.Proxy = panel
}

// pollProxySubmit gives the viewer's proxy: for this poll (scope=poll) or
// for every poll of the group (scope=group).
func (s *Server) PollProxySubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_given", func(ctx context.Context, pid string) error {
		grantee := r.PostFormValue("grantee_id")
		if r.PostFormValue("scope") == "group" {
			p, err := s.pollProxies.Get(ctx, pid)
			if err != nil {
				return err
			}
			_, err = s.pollProxies.GrantProxy(ctx, p.GroupID, "", grantee)
			return err
		}
		_, err := s.pollProxies.GrantProxy(ctx, "", pid, grantee)
		return err
	})
}

// pollProxyRevokeSubmit takes the viewer's proxy back: for this poll only,
// or (scope=group) their proxy for every poll.
func (s *Server) PollProxyRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_revoked", func(ctx context.Context, pid string) error {
		if r.PostFormValue("scope") == "group" {
			p, err := s.pollProxies.Get(ctx, pid)
			if err != nil {
				return err
			}
			return s.pollProxies.RevokeProxy(ctx, p.GroupID, "")
		}
		return s.pollProxies.RevokeProxy(ctx, "", pid)
	})
}

// pollProxyWithdrawSubmit withdraws the vote the viewer cast for the
// member "for" with their proxy (decision.WithdrawFor).
func (s *Server) PollProxyWithdrawSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_withdrawn", func(ctx context.Context, pid string) error {
		return s.pollProxies.WithdrawFor(ctx, pid, r.PostFormValue("for"))
	})
}

// proxyCardLinks are the card's "Vote for Ada" links.
func proxyCardLinks(c decision.Card, names map[string]string) []heldLink {
	var out []heldLink
	for _, h := range c.Proxies {
		n := names[h.GrantorID]
		if n == "" {
			n = "Someone"
		}
		out = append(out, heldLink{ID: h.GrantorID, Name: n, Standing: h.Standing, Voted: h.Ballot != nil})
	}
	return out
}

// votedForURL is where a vote cast with a proxy returns.
func votedForURL(pid string) string {
	return pollURL(pid) + "?" + url.Values{"done": {"voted_for"}}.Encode() + "#proxy-title"
}

// proxyAuditRow words a proxy entry of the group's audit log: whose
// proxy, which scope, why it ended.
func proxyAuditRow(pr *i18n.Printer, x *auditRow, e audit.Entry, name func(string) string) {
	scope := pr.T("page.group.audit.proxy_every")
	if e.Details["poll"] != "" {
		scope = pr.T("page.group.audit.proxy_one")
	}
	switch {
	case e.Action == audit.ProxyEnded && e.Details["reason"] == "member_left":
		// A system action: the target gave it, to the grantee named.
		x.Actor, x.What = "Quorum", pr.T("page.group.audit.proxy_ended_of")
		to := name(e.Details["grantee"])
		if to == "" {
			to = pr.T("page.group.audit.a_former_member")
		}
		x.Facts = pr.T("page.group.audit.proxy_left", "Scope", scope, "Name", pr.Isolate(to))
	case e.Action == audit.ProxyEnded:
		x.Facts = pr.T("page.group.audit.proxy_self", "Scope", scope)
	default:
		x.Facts = scope
	}
}
