package pages

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/tag"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/store"
)

// Server-rendered group pages. They work without JavaScript: every action
// is a form posting to a page route that redirects back (303) with a notice,
// or re-renders the form with errors next to the fields.

// groupFieldLabels name the group forms' fields in error lists (catalog keys).
var groupFieldLabels = map[string]string{
	"name": "page.group.form.name", "handle": "page.group.form.handle", "description": "page.group.form.description",
	"privacy": "page.group.form.privacy", "emails": "page.group.inv.addresses", "role": "page.group.col.role",
	"message": "page.group.col.message", "version": "page.group.form.version",
}

// groupForm records err on f with the group forms' labels, in pr's language.
func groupForm(pr *i18n.Printer, f *formState, err error) int {
	status := f.fail(pr, err)
	for i, m := range f.List {
		field := m.Field
		if strings.HasPrefix(field, "emails[") {
			field = "emails"
		}
		if k, ok := groupFieldLabels[field]; ok {
			f.List[i].Label = pr.T(k)
		}
		if field != m.Field {
			f.List[i].Field = field
			if _, seen := f.Fields[field]; !seen {
				f.Fields[field] = m.Message
			}
		}
	}
	return status
}

// groupFormFail re-renders a form with the error, or shows the error page
// for errors a form cannot carry.
func (s *Server) groupFormFail(w http.ResponseWriter, r *http.Request, err error, f *formState, render func(status int)) {
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound, domain.Unsupported, domain.TooLarge:
		s.PageError(w, r, err)
		return
	}
	render(groupForm(s.web.Printer(r), f, err))
}

var groupNotices = map[string]string{
	"created":   "page.group.notice.created",
	"joined":    "page.group.notice.joined",
	"left":      "page.group.notice.left",
	"requested": "page.group.notice.requested",
	"invited":   "page.group.notice.invited",
	"resent":    "page.group.notice.resent",
	"revoked":   "page.group.notice.revoked",
	"reset":     "page.group.notice.reset",
	"approved":  "page.group.notice.approved",
	"denied":    "page.group.notice.denied",
	"role":      "page.group.notice.role",
	"removed":   "page.group.notice.removed",
	"saved":     "page.group.notice.saved",
	"tag-added": "page.group.notice.tag_added",
	"tag-saved": "page.group.notice.tag_saved",
	"tag-gone":  "page.group.notice.tag_gone",
}

// groupNotice is the confirmation ?done= asks for, in the reader's language.
func (s *Server) groupNotice(r *http.Request) string {
	if k, ok := groupNotices[r.URL.Query().Get("done")]; ok {
		return s.web.Printer(r).T(k)
	}
	return ""
}

func groupURL(id string, parts ...string) string {
	return "/groups/" + url.PathEscape(id) + strings.Join(parts, "")
}

// groupPostForm parses the form of a page POST; it fails with the error page.
func (s *Server) groupPostForm(w http.ResponseWriter, r *http.Request) bool {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return false
	}
	return true
}

// pagePostForm is groupPostForm for a page that shows a list over its bound
// on its form rather than the error page: the form is read, listErr is the
// bound it breaks (the handler does no other work with it than re-render).
func (s *Server) pagePostForm(w http.ResponseWriter, r *http.Request) (listErr error, ok bool) {
	if err := httpx.ReadForm(w, r); err != nil {
		s.PageError(w, r, err)
		return nil, false
	}
	return httpx.BoundForm(r, httpx.ListsOf(r.Context())), true
}

// ---- list and create ----

type groupListData struct {
	Groups []group.Group
	Next   string
	Notice string
}

func (s *Server) GroupsPage(w http.ResponseWriter, r *http.Request) {
	cursor, _, err := handlerkit.GroupPageParams(r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	page, err := s.groups.Mine(r.Context(), cursor, 50)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.web.Page(w, r, http.StatusOK, "group_list", s.web.Printer(r).T("page.group.list.title"), groupListData{Groups: page.Items, Next: page.Next, Notice: s.groupNotice(r)})
}

type groupNewData struct {
	Form   *formState
	Parent *group.Group
}

func (s *Server) renderGroupNew(w http.ResponseWriter, r *http.Request, status int, d groupNewData) {
	p := s.web.Printer(r)
	title := p.T("page.group.new_group")
	if d.Parent != nil {
		title = p.T("page.group.new_subgroup_of", "Group", p.Isolate(d.Parent.Name))
	}
	s.web.Page(w, r, status, "group_new", title, d)
}

func (s *Server) GroupNewPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	d := groupNewData{Form: newForm(map[string]string{"privacy": "closed"})}
	if pid := r.URL.Query().Get("parent"); pid != "" {
		p, err := s.groups.Get(r.Context(), pid)
		if err == nil && !p.Can(string(authz.GroupCreateSubgroup)) {
			// The policy's verdict, as listed in the group's actions.
			err = domain.Errorf(domain.Forbidden, "you cannot create a subgroup of %s", p.Name)
		}
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		d.Parent = &p
		d.Form.Values["parent_id"] = p.ID
	}
	s.renderGroupNew(w, r, http.StatusOK, d)
}

func (s *Server) GroupCreateSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	in := group.CreateInput{Name: r.PostFormValue("name"), Handle: r.PostFormValue("handle"),
		Description: r.PostFormValue("description"), Privacy: r.PostFormValue("privacy"), ParentID: r.PostFormValue("parent_id")}
	g, err := s.groups.Create(r.Context(), in)
	if err != nil {
		f := newForm(map[string]string{"name": in.Name, "handle": in.Handle, "description": in.Description,
			"privacy": in.Privacy, "parent_id": in.ParentID})
		s.groupFormFail(w, r, err, f, func(status int) {
			d := groupNewData{Form: f}
			if in.ParentID != "" {
				if p, err := s.groups.Get(r.Context(), in.ParentID); err == nil {
					d.Parent = &p
				}
			}
			s.renderGroupNew(w, r, status, d)
		})
		return
	}
	redirect(w, r, groupURL(g.ID)+"?done=created")
}

// ---- group page and membership actions ----

type groupShowData struct {
	Group     group.Group
	Parent    *group.Group
	Subgroups []group.Group
	Notice    string
	Request   *formState
	// The hub (groups_hub.go): the tabs the viewer may see, the one shown
	// and its page of items, a few members' faces, the primary actions.
	Tabs      []hubTab
	Tab       string
	Faces     []avatarView
	Threads   []discussion.Thread
	Decisions []hubDecision
	Members   []hubMember
	Files     []hubFile
	More      string
	Paged     bool
	CanThread bool
	CanPoll   bool
	// TagFilter is the tag the threads or decisions tab is filtered by.
	TagFilter *tag.Tag
	// CanTemplates: the hub offers "Start from a template" (templates_pages.go).
	CanTemplates bool
	// MemberCount is the group's size when the viewer may see it (-1 if not).
	MemberCount int64
}

func (s *Server) GroupJoinSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.groups.Join(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"))+"?done=joined")
}

func (s *Server) GroupLeaveSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.groups.Leave(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/groups?done=left")
}

func (s *Server) GroupRequestSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	id := r.PathValue("id")
	msg := r.PostFormValue("message")
	if err := s.groups.RequestMembership(r.Context(), id, msg); err != nil {
		f := newForm(map[string]string{"message": msg})
		s.groupFormFail(w, r, err, f, func(status int) {
			g, gerr := s.groups.Get(r.Context(), id)
			if gerr != nil {
				s.PageError(w, r, gerr)
				return
			}
			s.renderGroupShow(w, r, status, g, f)
		})
		return
	}
	redirect(w, r, groupURL(id)+"?done=requested")
}

// ---- members ----

type groupMembersData struct {
	Group   group.Group
	Members []memberRow
	Next    string
	Notice  string
	Error   string
	Me      string
}

func (s *Server) GroupMembersPage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupMembers(w, r, http.StatusOK, "")
}

func (s *Server) renderGroupMembers(w http.ResponseWriter, r *http.Request, status int, problem string) {
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	cursor, _, err := handlerkit.GroupPageParams(r)
	var page store.Page[group.Member]
	if err == nil {
		page, err = s.groups.Members(r.Context(), id, cursor, 100)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.web.Page(w, r, status, "group_members", s.web.Printer(r).T("page.group.members_of", "Group", s.web.Printer(r).Isolate(g.Name)), groupMembersData{Group: g, Members: memberRows(page.Items),
		Next: page.Next, Notice: s.groupNotice(r), Error: problem, Me: authz.ActorFrom(r.Context()).UserID})
}

// groupMemberFail shows a refused member action (last admin, forbidden)
// on the members page; other failures get the error page.
func (s *Server) groupMemberFail(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorCode(err) {
	case domain.Conflict, domain.Forbidden, domain.Invalid:
		s.renderGroupMembers(w, r, httpx.Status(domain.ErrorCode(err)), s.errorText(r, err))
	default:
		s.PageError(w, r, err)
	}
}

func (s *Server) GroupRoleSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	_, err := s.groups.SetRole(r.Context(), r.PathValue("id"), r.PathValue("uid"), authz.Role(r.PostFormValue("role")))
	if err != nil {
		s.groupMemberFail(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/members")+"?done=role")
}

func (s *Server) GroupRemoveSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.groups.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("uid")); err != nil {
		s.groupMemberFail(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/members")+"?done=removed")
}

// ---- invitations and the join link ----

type groupInvitationsData struct {
	Group       group.Group
	Invitations []group.Invitation
	Next        string
	JoinLink    string
	CanReset    bool
	Form        *formState
	Results     []group.InviteResult
	Notice      string
}

func (s *Server) renderGroupInvitations(w http.ResponseWriter, r *http.Request, status int, f *formState, results []group.InviteResult) {
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	page, err := s.groups.Invitations(r.Context(), id, "", 100)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := groupInvitationsData{Group: g, Invitations: page.Items, Next: page.Next, Form: f, Results: results,
		Notice: s.groupNotice(r), CanReset: g.Can(string(authz.GroupResetJoinLink))}
	if link, err := s.groups.JoinLink(r.Context(), id); err == nil {
		d.JoinLink = link
	}
	if d.Form == nil {
		d.Form = newForm(map[string]string{"role": "member"})
	}
	s.web.Page(w, r, status, "group_invitations", s.web.Printer(r).T("page.group.inv.page_title", "Group", s.web.Printer(r).Isolate(g.Name)), d)
}

func (s *Server) GroupInvitationsPage(w http.ResponseWriter, r *http.Request) {
	s.renderGroupInvitations(w, r, http.StatusOK, nil, takeInviteResults(w, r))
}

// SplitGroupEmails accepts addresses separated by commas, semicolons, spaces or lines.
func SplitGroupEmails(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (s *Server) GroupInviteSubmit(w http.ResponseWriter, r *http.Request) {
	listErr, ok := s.pagePostForm(w, r)
	if !ok {
		return
	}
	in := group.InviteInput{Role: r.PostFormValue("role"), Message: r.PostFormValue("message")}
	f := newForm(map[string]string{"emails": r.PostFormValue("emails"), "role": in.Role, "message": in.Message})
	render := func(status int) { s.renderGroupInvitations(w, r, status, f, nil) }
	if listErr != nil {
		// Too many addresses: shown on the form when the group is visible.
		if _, err := s.groups.Get(r.Context(), r.PathValue("id")); err != nil {
			s.PageError(w, r, listErr)
			return
		}
		s.groupFormFail(w, r, listErr, f, render)
		return
	}
	in.Emails = SplitGroupEmails(r.PostFormValue("emails"))
	res, err := s.groups.Invite(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.groupFormFail(w, r, err, f, render)
		return
	}
	// Post/Redirect/Get: what happened to each address rides the once
	// cookie (never the URL) to the invitations page, shown once; a list
	// too long for a cookie leaves the notice and the pending list.
	if raw, err := json.Marshal(inviteOutcomes(res)); err == nil {
		if v := base64.RawURLEncoding.EncodeToString(raw); len(v) <= httpx.MaxOnce {
			httpx.SetOnceCookie(w, "invites-"+r.PathValue("id"), v)
		}
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/invitations")+"?done=invited")
}

// inviteOutcome is one address's result, as the once cookie carries it.
type inviteOutcome struct {
	E string `json:"e"`
	S string `json:"s"`
}

func inviteOutcomes(res []group.InviteResult) []inviteOutcome {
	out := make([]inviteOutcome, len(res))
	for i, x := range res {
		out[i] = inviteOutcome{E: x.Email, S: x.Status}
	}
	return out
}

// takeInviteResults reads the results GroupInviteSubmit handed over (nil
// if none).
func takeInviteResults(w http.ResponseWriter, r *http.Request) []group.InviteResult {
	v := httpx.TakeOnceCookie(w, r, "invites-"+r.PathValue("id"))
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if v == "" || err != nil {
		return nil
	}
	var got []inviteOutcome
	if json.Unmarshal(raw, &got) != nil {
		return nil
	}
	res := make([]group.InviteResult, 0, len(got))
	for _, o := range got {
		res = append(res, group.InviteResult{Email: o.E, Status: o.S})
	}
	return res
}

func (s *Server) GroupResendSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.groups.ResendInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/invitations")+"?done=resent")
}

func (s *Server) GroupRevokeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.groups.RevokeInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/invitations")+"?done=revoked")
}

func (s *Server) GroupResetLinkSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := s.groups.ResetJoinLink(r.Context(), r.PathValue("id")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/invitations")+"?done=reset")
}

// ---- requests ----

type groupRequestsData struct {
	Group    group.Group
	Requests []group.Request
	Next     string
	Notice   string
}

func (s *Server) GroupRequestsPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	cursor, _, err := handlerkit.GroupPageParams(r)
	var page store.Page[group.Request]
	if err == nil {
		page, err = s.groups.Requests(r.Context(), id, cursor, 100)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.web.Page(w, r, http.StatusOK, "group_requests", s.web.Printer(r).T("page.group.req.title", "Group", s.web.Printer(r).Isolate(g.Name)),
		groupRequestsData{Group: g, Requests: page.Items, Next: page.Next, Notice: s.groupNotice(r)})
}

func (s *Server) GroupApproveSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.groups.ApproveRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/requests")+"?done=approved")
}

func (s *Server) GroupDenySubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.groups.DenyRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/requests")+"?done=denied")
}

// ---- settings ----

// groupFlagFields are the settings form's checkboxes, in display order.
var groupFlagFields = []struct{ Name, Label, Hint string }{
	{"members_can_add_members", "Members can add members", "Invite people, share the join link and approve requests."},
	{"members_can_add_guests", "Members can add guests", "Give someone outside the group access to one thread or poll."},
	{"members_can_announce", "Members can announce", "Notify the whole group about a thread or poll."},
	{"members_can_start_threads", "Members can start threads", ""},
	{"members_can_start_polls", "Members can start polls", "Proposals, polls, scores, ranked choice, dot votes, meetings."},
	{"members_can_edit_own_threads", "Members can edit their threads", ""},
	{"members_can_edit_own_comments", "Members can edit and delete their comments", ""},
	{"admins_can_edit_user_content", "Admins can edit other people's content", "Threads and comments written by members."},
	{"parent_members_can_see_threads", "Members of the parent group can see this subgroup's threads", "Only applies to subgroups."},
	{"proxy_voting", "Members can vote by proxy", "A member may give their proxy to another member, for one poll or every poll, and vote themselves at any time. Never in anonymous polls."},
}

type groupFlagField struct {
	Name, Label, Hint string
	Checked           bool
}

type groupSettingsData struct {
	Group  group.Group
	Form   *formState
	Flags  []groupFlagField
	Notice string
	// MailAddress is the group's address (mail to it starts threads); empty
	// without an inbound mail service.
	MailAddress string
}

func groupFlagValues(f authz.Flags) map[string]bool {
	return map[string]bool{
		"members_can_add_members": f.MembersCanAddMembers, "members_can_add_guests": f.MembersCanAddGuests,
		"members_can_announce": f.MembersCanAnnounce, "members_can_start_threads": f.MembersCanStartThreads,
		"members_can_start_polls": f.MembersCanStartPolls, "members_can_edit_own_threads": f.MembersCanEditOwnThreads,
		"members_can_edit_own_comments": f.MembersCanEditOwnComments, "admins_can_edit_user_content": f.AdminsCanEditUserContent,
		"parent_members_can_see_threads": f.ParentMembersCanSeeThreads, "proxy_voting": f.ProxyVoting,
	}
}

func (s *Server) renderGroupSettings(w http.ResponseWriter, r *http.Request, status int, g group.Group, f *formState, checked map[string]bool) {
	if f == nil {
		f = newForm(map[string]string{"name": g.Name, "handle": g.Handle, "description": g.Description, "privacy": string(g.Privacy)})
	}
	if checked == nil {
		checked = groupFlagValues(g.Permissions)
	}
	d := groupSettingsData{Group: g, Form: f, Notice: s.groupNotice(r)}
	if s.inbox != nil && s.inbox.Domain() != "" {
		d.MailAddress = g.Handle + "@" + s.inbox.Domain()
	}
	for _, ff := range groupFlagFields {
		if ff.Name == "parent_members_can_see_threads" && !g.IsSubgroup() {
			continue
		}
		pr := s.web.Printer(r)
		fl := groupFlagField{Name: ff.Name, Label: pr.T("page.group.flag." + ff.Name), Checked: checked[ff.Name]}
		if ff.Hint != "" {
			fl.Hint = pr.T("page.group.flag." + ff.Name + "_hint")
		}
		d.Flags = append(d.Flags, fl)
	}
	s.web.Page(w, r, status, "group_settings", s.web.Printer(r).T("page.group.settings_of", "Group", s.web.Printer(r).Isolate(g.Name)), d)
}

func (s *Server) GroupSettingsPage(w http.ResponseWriter, r *http.Request) {
	// The core decides: anonymous visitors are asked to sign in, members
	// who are not admins are refused, outsiders of secret groups get 404.
	err := s.groups.Authorize(r.Context(), r.PathValue("id"), authz.GroupEditSettings, authz.Target{})
	var g group.Group
	if err == nil {
		g, err = s.groups.Get(r.Context(), r.PathValue("id"))
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderGroupSettings(w, r, http.StatusOK, g, nil, nil)
}

func (s *Server) GroupSettingsSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	id := r.PathValue("id")
	var version int64
	for _, c := range r.PostFormValue("version") {
		if c < '0' || c > '9' || version > 1<<40 {
			version = -1
			break
		}
		version = version*10 + int64(c-'0')
	}
	str := func(k string) *string { v := r.PostFormValue(k); return &v }
	checked := map[string]bool{}
	for _, ff := range groupFlagFields {
		checked[ff.Name] = r.PostFormValue(ff.Name) != ""
	}
	b := func(k string) *bool { v := checked[k]; return &v }
	patch := &group.FlagsPatch{
		MembersCanAddMembers: b("members_can_add_members"), MembersCanAddGuests: b("members_can_add_guests"),
		MembersCanAnnounce: b("members_can_announce"), MembersCanStartThreads: b("members_can_start_threads"),
		MembersCanStartPolls: b("members_can_start_polls"), MembersCanEditOwnThreads: b("members_can_edit_own_threads"),
		MembersCanEditOwnComments: b("members_can_edit_own_comments"), AdminsCanEditUserContent: b("admins_can_edit_user_content"),
		ProxyVoting: b("proxy_voting"),
	}
	if _, ok := r.PostForm["parent_members_can_see_threads"]; ok || r.PostFormValue("subgroup") == "1" {
		patch.ParentMembersCanSeeThreads = b("parent_members_can_see_threads")
	}
	in := group.UpdateInput{Version: version, Name: str("name"), Handle: str("handle"), Description: str("description"),
		Privacy: str("privacy"), Permissions: patch}
	if _, err := s.groups.Update(r.Context(), id, in); err != nil {
		f := newForm(map[string]string{"name": *in.Name, "handle": *in.Handle, "description": *in.Description, "privacy": *in.Privacy})
		s.groupFormFail(w, r, err, f, func(status int) {
			g, gerr := s.groups.Get(r.Context(), id)
			if gerr != nil {
				s.PageError(w, r, gerr)
				return
			}
			s.renderGroupSettings(w, r, status, g, f, checked)
		})
		return
	}
	redirect(w, r, groupURL(id, "/settings")+"?done=saved")
}

// ---- invitation and join-link landing pages ----

type groupAcceptData struct {
	Preview   group.InvitationPreview
	Token     string
	Action    string // form action
	SignedIn  bool
	LoginURL  string
	SignupURL string
	Kind      string // invitation or link
	Error     string
}

func (s *Server) groupAcceptPage(w http.ResponseWriter, r *http.Request, kind string, status int, problem string) {
	token := r.PathValue("token")
	var p group.InvitationPreview
	var err error
	action := "/invitations/" + url.PathEscape(token)
	if kind == "link" {
		p, err = s.groups.PreviewJoinLink(r.Context(), token)
		action = "/join/" + url.PathEscape(token)
	} else {
		p, err = s.groups.PreviewInvitation(r.Context(), token)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	next := url.QueryEscape(action)
	s.web.Page(w, r, status, "group_accept", s.web.Printer(r).T("page.group.accept.title", "Group", s.web.Printer(r).Isolate(p.Group.Name)), groupAcceptData{
		Preview: p, Token: token, Action: action, SignedIn: authz.ActorFrom(r.Context()).Authenticated(),
		LoginURL: "/login?next=" + next, SignupURL: "/signup?next=" + next, Kind: kind, Error: problem,
	})
}

func (s *Server) InvitationPage(w http.ResponseWriter, r *http.Request) {
	s.groupAcceptPage(w, r, "invitation", http.StatusOK, "")
}

func (s *Server) JoinLinkPage(w http.ResponseWriter, r *http.Request) {
	s.groupAcceptPage(w, r, "link", http.StatusOK, "")
}

func (s *Server) groupAcceptFail(w http.ResponseWriter, r *http.Request, kind string, err error) {
	switch domain.ErrorCode(err) {
	case domain.Forbidden:
		s.groupAcceptPage(w, r, kind, http.StatusForbidden, s.errorText(r, err))
	case domain.Conflict:
		// Already a member: go to the group.
		if g, gerr := s.groupPreviewID(r, kind); gerr == nil {
			redirect(w, r, groupURL(g))
			return
		}
		s.PageError(w, r, err)
	default:
		s.PageError(w, r, err)
	}
}

func (s *Server) groupPreviewID(r *http.Request, kind string) (string, error) {
	if kind == "link" {
		p, err := s.groups.PreviewJoinLink(r.Context(), r.PathValue("token"))
		return p.Group.ID, err
	}
	p, err := s.groups.PreviewInvitation(r.Context(), r.PathValue("token"))
	return p.Group.ID, err
}

func (s *Server) InvitationSubmit(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.AcceptInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAcceptFail(w, r, "invitation", err)
		return
	}
	redirect(w, r, groupURL(g.ID)+"?done=joined")
}

func (s *Server) JoinLinkSubmit(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.JoinViaLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAcceptFail(w, r, "link", err)
		return
	}
	redirect(w, r, groupURL(g.ID)+"?done=joined")
}
