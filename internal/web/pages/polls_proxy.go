package server

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
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
)

// proxyRoutes are the proxy routes, added to the poll routes.
func (s *Server) proxyRoutes() []Route {
	return []Route{
		{Pattern: "GET /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.apiPollProxy},
		{Pattern: "PUT /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.apiGrantPollProxy},
		{Pattern: "DELETE /api/v1/polls/{pid}/proxy", Access: Token, Handler: s.apiRevokePollProxy},
		{Pattern: "GET /api/v1/groups/{id}/proxy", Access: Token, Handler: s.apiGroupProxy},
		{Pattern: "PUT /api/v1/groups/{id}/proxy", Access: Token, Handler: s.apiGrantGroupProxy},
		{Pattern: "DELETE /api/v1/groups/{id}/proxy", Access: Token, Handler: s.apiRevokeGroupProxy},
		{Pattern: "POST /polls/{pid}/proxy", Access: Session, Page: true, Handler: s.pollProxySubmit},
		{Pattern: "POST /polls/{pid}/proxy/revoke", Access: Session, Page: true, Handler: s.pollProxyRevokeSubmit},
		{Pattern: "POST /polls/{pid}/proxy/withdraw", Access: Session, Page: true, Handler: s.pollProxyWithdrawSubmit},
		{Pattern: "GET /groups/{id}/proxies", Access: Session, Page: true, Handler: s.proxiesPage},
		{Pattern: "POST /groups/{id}/proxies/revoke", Access: Session, Page: true, Handler: s.proxiesRevokeSubmit},
	}
}

type proxyBody struct {
	GranteeID string `json:"grantee_id"`
}

func (s *Server) apiPollProxy(w http.ResponseWriter, r *http.Request) {
	pp, err := s.decisions.PollProxiesOf(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, pp)
}

func (s *Server) apiGroupProxy(w http.ResponseWriter, r *http.Request) {
	gp, err := s.decisions.GroupProxiesOf(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, gp)
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request, gid, pid string) {
	var in proxyBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.GrantProxy(r.Context(), gid, pid, in.GranteeID)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (s *Server) apiGrantPollProxy(w http.ResponseWriter, r *http.Request) {
	s.apiGrant(w, r, "", r.PathValue("pid"))
}

func (s *Server) apiGrantGroupProxy(w http.ResponseWriter, r *http.Request) {
	if !ids.Valid(r.PathValue("id")) {
		s.pollAPIFail(w, r, authz.ErrHidden)
		return
	}
	s.apiGrant(w, r, r.PathValue("id"), "")
}

func (s *Server) apiRevokePollProxy(w http.ResponseWriter, r *http.Request) {
	if err := s.decisions.RevokeProxy(r.Context(), "", r.PathValue("pid")); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiRevokeGroupProxy(w http.ResponseWriter, r *http.Request) {
	if err := s.decisions.RevokeProxy(r.Context(), r.PathValue("id"), ""); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

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
	pp, err := s.decisions.PollProxiesOf(ctx, p.ID)
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
func (s *Server) pollProxySubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_given", func(ctx context.Context, pid string) error {
		grantee := r.PostFormValue("grantee_id")
		if r.PostFormValue("scope") == "group" {
			p, err := s.decisions.Get(ctx, pid)
			if err != nil {
				return err
			}
			_, err = s.decisions.GrantProxy(ctx, p.GroupID, "", grantee)
			return err
		}
		_, err := s.decisions.GrantProxy(ctx, "", pid, grantee)
		return err
	})
}

// pollProxyRevokeSubmit takes the viewer's proxy back: for this poll only,
// or (scope=group) their proxy for every poll.
func (s *Server) pollProxyRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_revoked", func(ctx context.Context, pid string) error {
		if r.PostFormValue("scope") == "group" {
			p, err := s.decisions.Get(ctx, pid)
			if err != nil {
				return err
			}
			return s.decisions.RevokeProxy(ctx, p.GroupID, "")
		}
		return s.decisions.RevokeProxy(ctx, "", pid)
	})
}

// pollProxyWithdrawSubmit withdraws the vote the viewer cast for the
// member "for" with their proxy (decision.WithdrawFor).
func (s *Server) pollProxyWithdrawSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "proxy_withdrawn", func(ctx context.Context, pid string) error {
		return s.decisions.WithdrawFor(ctx, pid, r.PostFormValue("for"))
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
