package pages

// A member's proxies in a group (docs/polls.md#proxy-voting): the page
// /groups/{id}/proxies lists the proxy they gave for every poll, those
// they gave for single open polls (each with a button to take it back)
// and the proxies they hold. The decision core reads and decides
// (decision.GroupProxiesOf, RevokeProxy).

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
)

// proxyRow is one proxy on the page: with whom (Name), for which poll
// (PollID and Title; none for every poll).
type proxyRow struct {
	Name, PollID, Title string
	Face                avatarView
}

type proxiesPageData struct {
	Group   group.Group
	Notice  string
	Allowed bool
	// Standing is the viewer's proxy for every poll (the grantee's name,
	// and their avatar).
	Standing     string
	StandingFace avatarView
	// Given are their proxies for single open polls.
	Given []proxyRow
	// HeldAll are the members whose proxy for every poll the viewer
	// holds; Held those for single open polls.
	HeldAll []proxyRow
	Held    []proxyRow
}

func (s *Server) ProxiesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := authz.RequireUser(authz.ActorFrom(ctx)); err != nil {
		s.PageError(w, r, err)
		return
	}
	gid := r.PathValue("id")
	gp, err := s.pollProxies.GroupProxiesOf(ctx, gid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	g, err := s.groups.Get(ctx, gid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	pr := s.web.Printer(r)
	d := proxiesPageData{Group: g, Allowed: gp.Allowed}
	if r.URL.Query().Get("done") == "revoked" {
		d.Notice = pr.T("page.f17b.proxies.revoked")
	}
	var uids []string
	if gp.Given != nil {
		uids = append(uids, gp.Given.GranteeID)
	}
	for _, p := range gp.GivenPolls {
		uids = append(uids, p.GranteeID)
	}
	for _, h := range gp.Held {
		uids = append(uids, h.GrantorID)
	}
	names := s.manyNames(ctx, uids)
	pictures := s.pictureVersions(ctx, uids)
	name := func(uid string) string {
		if n := names[uid]; n != "" {
			return n
		}
		return pr.T("page.poll.someone")
	}
	face := func(uid string) avatarView { return faceOf(uid, names[uid], pictures[uid]) }
	if gp.Given != nil {
		d.Standing, d.StandingFace = name(gp.Given.GranteeID), face(gp.Given.GranteeID)
	}
	for _, p := range gp.GivenPolls {
		d.Given = append(d.Given, proxyRow{Name: name(p.GranteeID), PollID: p.PollID, Title: gp.Titles[p.PollID], Face: face(p.GranteeID)})
	}
	for _, h := range gp.Held {
		switch {
		case h.PollID == "":
			d.HeldAll = append(d.HeldAll, proxyRow{Name: name(h.GrantorID), Face: face(h.GrantorID)})
		case gp.Titles[h.PollID] != "":
			d.Held = append(d.Held, proxyRow{Name: name(h.GrantorID), PollID: h.PollID, Title: gp.Titles[h.PollID], Face: face(h.GrantorID)})
		}
	}
	byTitle := func(a, b proxyRow) int {
		if c := strings.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	}
	slices.SortFunc(d.Given, byTitle)
	slices.SortFunc(d.HeldAll, byTitle)
	slices.SortFunc(d.Held, byTitle)
	s.web.Page(w, r, http.StatusOK, "group_proxies", pr.T("page.f17b.proxies.title", "Group", g.Name), d)
}

// proxiesRevokeSubmit takes back the viewer's proxy: for the poll "poll",
// or (none) their proxy for every poll of the group.
func (s *Server) ProxiesRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	gid := r.PathValue("id")
	if err := s.pollProxies.RevokeProxy(r.Context(), gid, r.PostFormValue("poll")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(gid, "/proxies")+"?"+url.Values{"done": {"revoked"}}.Encode())
}
