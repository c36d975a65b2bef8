package pages

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// The group page is the group's hub: its description and people, then one
// of four tabs (threads, decisions, members, files) chosen by ?tab= so that
// it works without JavaScript. Each tab reads one bounded page of its list
// and links to the next ("more"), so the page's DynamoDB calls do not grow
// with the group (TestGroupHubCallsAreBounded).

// Tabs of the group page.
const (
	tabThreads   = "threads"
	tabDecisions = "decisions"
	tabMembers   = "members"
	tabFiles     = "files"
)

// Page sizes of the hub's tabs, and the people shown above them.
const (
	hubThreads  = 20
	hubPolls    = 20
	hubMembers  = 50
	hubFileScan = 25 // threads whose files one page of the files tab shows
	hubFaces    = 8
)

type hubTab struct {
	Key, Label, URL string
	Current         bool
}

type hubMember struct {
	avatarView
	Email  string // only for those who may see it (the core leaves it out otherwise)
	Role   authz.Role
	Joined time.Time
}

type hubDecision struct {
	ID, Title, Type, Status, When string
	Open                          bool
	Outcome                       template.HTML // rendered (decision.Outcome.StatementHTML)
	ThreadID                      string
	Tags                          []tag.Tag
}

type hubFile struct {
	ThreadID, ThreadTitle string
	discussion.FileRef
	SizeText string
}

func (s *Server) GroupPage(w http.ResponseWriter, r *http.Request) {
	// A read-only page: the policy's facts of the group are read once.
	r = r.WithContext(group.WithRequestCache(r.Context()))
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderGroupShow(w, r, http.StatusOK, g, newForm(nil))
}

func (s *Server) renderGroupShow(w http.ResponseWriter, r *http.Request, status int, g group.Group, req *formState) {
	d := groupShowData{Group: g, Notice: s.groupNotice(r), Request: req, MemberCount: -1}
	if g.MemberCount != nil {
		d.MemberCount = *g.MemberCount
	}
	if g.ParentID != "" {
		if p, err := s.groups.Get(r.Context(), g.ParentID); err == nil {
			d.Parent = &p
		}
	} else if subs, err := s.groups.Subgroups(r.Context(), g.ID); err == nil {
		d.Subgroups = subs
	}
	if r.Method == http.MethodGet {
		if err := s.hub(r, &d); err != nil {
			s.PageError(w, r, err)
			return
		}
	}
	s.web.Page(w, r, status, "group_show", g.Name, d)
}

// hub fills the tabs and the tab asked for in ?tab= (the first one the
// viewer may see by default).
func (s *Server) hub(r *http.Request, d *groupShowData) error {
	ctx, g := r.Context(), &d.Group
	q := r.URL.Query()
	content := g.Can(string(authz.GroupViewContent)) && s.groupThreads != nil
	members := g.Can(string(authz.GroupListMembers))
	d.CanThread = content && g.Can(string(authz.ThreadStart))
	d.CanPoll = content && s.groupDecisions != nil && g.Can(string(authz.PollStart))
	d.CanTemplates = s.templates != nil && (d.CanThread || d.CanPoll)
	var keys []string
	pr := s.web.Printer(r)
	labels := map[string]string{}
	for _, k := range []string{tabThreads, tabDecisions, tabMembers, tabFiles} {
		labels[k] = pr.T("page.group.tab." + k)
	}
	if content {
		keys = append(keys, tabThreads)
		if s.groupDecisions != nil {
			keys = append(keys, tabDecisions)
		}
	}
	if members {
		keys = append(keys, tabMembers)
	}
	if content {
		keys = append(keys, tabFiles)
	}
	t := q.Get("tab")
	if _, known := labels[t]; t != "" && !known {
		return domain.Validation(domain.FieldError{Field: "tab", Message: "is not a section of a group's page"})
	}
	if len(keys) == 0 {
		return nil // someone who may see none of them: the page invites them to join
	}
	// A section the viewer may not see (a link from a member) shows the first one.
	d.Tab = keys[0]
	for _, k := range keys {
		if k == t {
			d.Tab = t
		}
	}
	for _, k := range keys {
		d.Tabs = append(d.Tabs, hubTab{Key: k, Label: labels[k], URL: groupURL(g.ID, "?tab="+k), Current: k == d.Tab})
	}
	cursor, _, err := handlerkit.GroupPageParams(r)
	if err != nil {
		return err
	}
	// ?tag= filters the threads and decisions tabs (the tag's index: a
	// page of tagged items, never a read of the whole group).
	tagID := q.Get("tag")
	if tagID != "" && d.Tab != tabThreads && d.Tab != tabDecisions {
		tagID = ""
	}
	more := func(next string) string {
		if next == "" {
			return ""
		}
		u := "?tab=" + d.Tab + "&cursor=" + url.QueryEscape(next)
		if tagID != "" {
			u += "&tag=" + url.QueryEscape(tagID)
		}
		return groupURL(g.ID, u)
	}
	d.Paged = cursor != ""
	if members && (d.Tab != tabMembers || cursor != "") {
		page, err := s.groups.Members(ctx, g.ID, "", hubFaces)
		if err != nil {
			return err
		}
		for _, m := range page.Items {
			d.Faces = append(d.Faces, faceOf(m.UserID, m.Name, m.Avatar))
		}
	}
	switch d.Tab {
	case tabThreads:
		var page store.Page[discussion.Thread]
		if tagID != "" {
			page, err = s.groupThreads.TaggedThreads(ctx, g.ID, tagID, cursor, hubThreads)
		} else {
			page, err = s.groupThreads.Threads(ctx, g.ID, cursor, hubThreads)
		}
		if err != nil {
			return err
		}
		d.Threads, d.More = page.Items, more(page.Next)
	case tabDecisions:
		var page store.Page[decision.Decision]
		if tagID != "" {
			page, err = s.groupDecisions.TaggedDecisions(ctx, g.ID, tagID, cursor, hubPolls)
		} else {
			page, err = s.groupDecisions.Decisions(ctx, g.ID, cursor, hubPolls)
		}
		if err != nil {
			return err
		}
		d.Decisions, d.More = hubDecisions(page.Items, s.web.Printer(r), time.Now()), more(page.Next)
	case tabMembers:
		page, err := s.groups.Members(ctx, g.ID, cursor, hubMembers)
		if err != nil {
			return err
		}
		for i, m := range page.Items {
			d.Members = append(d.Members, hubMember{avatarView: faceOf(m.UserID, m.Name, m.Avatar), Email: m.Email, Role: m.Role, Joined: m.JoinedAt})
			if cursor == "" && i < hubFaces {
				d.Faces = append(d.Faces, faceOf(m.UserID, m.Name, m.Avatar))
			}
		}
		d.More = more(page.Next)
	case tabFiles:
		page, err := s.groupThreads.Threads(ctx, g.ID, cursor, hubFileScan)
		if err != nil {
			return err
		}
		for _, t := range page.Items {
			for _, f := range t.Files {
				d.Files = append(d.Files, hubFile{ThreadID: t.ID, ThreadTitle: t.Title, FileRef: f, SizeText: sizeTextIn(s.web.Printer(r), f.Size)})
			}
		}
		d.More = more(page.Next)
	}
	if tagID != "" {
		// The filter's name and colour (only when filtering: one read).
		ts, err := s.tags.List(ctx, g.ID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.ID == tagID {
				d.TagFilter = &t
			}
		}
	}
	return nil
}

// hubDecisions orders a page of decisions: open ones first, the one
// closing soonest on top, with the time left; then the others (closed, and
// the viewer's own drafts) newest first, with their outcomes.
func hubDecisions(ds []decision.Decision, pr *i18n.Printer, now time.Time) []hubDecision {
	when := func(t time.Time) string { return whenText(pr, t) }
	out := make([]hubDecision, 0, len(ds))
	for _, p := range ds {
		h := hubDecision{ID: p.ID, Title: p.Definition.Title, Type: pollTypeText(pr, p.Definition.Type), Status: pr.T("page.group.status." + string(p.Status)),
			Open: p.Status == poll.StatusOpen, ThreadID: p.ThreadID, Tags: p.Tags}
		switch {
		case h.Open && p.Definition.Settings.ClosingAt != nil:
			h.When = timeLeftText(pr, *p.Definition.Settings.ClosingAt, now) + " (" + when(*p.Definition.Settings.ClosingAt) + ")"
		case p.Status == poll.StatusClosed && p.ClosedAt != nil:
			h.When = pr.T("page.group.closed_at", "When", when(*p.ClosedAt))
		case p.Status == poll.StatusClosed && p.Definition.Settings.ClosingAt != nil:
			h.When = pr.T("page.group.closed_at", "When", when(*p.Definition.Settings.ClosingAt))
		}
		if p.Outcome != nil {
			h.Outcome = p.Outcome.StatementHTML
		}
		out = append(out, h)
	}
	closing := func(i int) time.Time { return *ds[i].Definition.Settings.ClosingAt }
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		oa, ob := out[ia].Open && ds[ia].Definition.Settings.ClosingAt != nil, out[ib].Open && ds[ib].Definition.Settings.ClosingAt != nil
		if oa != ob {
			return oa
		}
		if oa {
			return closing(ia).Before(closing(ib))
		}
		return false // the core's order: newest first
	})
	sorted := make([]hubDecision, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

// sizeTextIn is a file's size for the reader: bytes, kB or MB with the
// language's number format.
func sizeTextIn(pr *i18n.Printer, n int64) string {
	switch {
	case n < 1000:
		return pr.N("page.group.size_bytes", int(n))
	case n < 1000*1000:
		return pr.T("page.group.size_kb", "N", pr.Decimal(float64(n)/1000, 1))
	}
	return pr.T("page.group.size_mb", "N", pr.Decimal(float64(n)/1000/1000, 1))
}

// ---- dashboard ----

// Bounds of the dashboard: the groups it lists, the group core's bound for
// a dashboard, so the one read of the viewer's groups serves the recent
// threads too (decision.Waiting looks at the first MaxWaitingGroups of
// them, and the newest MaxWaitingPerGroup polls of each).
const dashboardPollGroups = group.MaxDashboardGroups

type waitingPoll struct {
	ID, Title, Type, Group, GroupID, When string
	Tags                                  []tag.Tag
	// Guest: the viewer votes as a guest of the poll's thread, not a
	// member: the page names no group and shows no tags (nothing of the
	// group beyond the poll).
	Guest bool
}

// waitingPolls lists the open polls of the viewer's groups, and of the
// threads they are a guest of, waiting for their vote (the decision core
// decides which), soonest closing first.
func (s *Server) waitingPolls(ctx context.Context, pr *i18n.Printer, now time.Time) ([]waitingPoll, []group.Group, error) {
	if s.groupDecisions == nil {
		return nil, nil, nil
	}
	page, err := s.groups.Mine(ctx, "", dashboardPollGroups)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	gids := make([]string, 0, len(page.Items))
	for _, g := range page.Items {
		names[g.ID] = g.Name
		gids = append(gids, g.ID)
	}
	ps, err := s.groupDecisions.Waiting(ctx, gids)
	if err != nil {
		return nil, nil, err
	}
	out := make([]waitingPoll, 0, len(ps))
	for _, p := range ps {
		wp := waitingPoll{ID: p.ID, Title: p.Definition.Title, Type: pollTypeText(pr, p.Definition.Type), Group: names[p.GroupID],
			GroupID: p.GroupID, Tags: p.Tags}
		if _, member := names[p.GroupID]; !member {
			wp = waitingPoll{ID: p.ID, Title: p.Definition.Title, Type: pollTypeText(pr, p.Definition.Type), Guest: true}
		}
		if c := p.Definition.Settings.ClosingAt; c != nil {
			wp.When = timeLeftText(pr, *c, now) + " (" + whenText(pr, *c) + ")"
		}
		out = append(out, wp)
	}
	return out, page.Items, nil
}
