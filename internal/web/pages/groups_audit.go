package pages

import (
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/links"
)

// The record of admin actions: GET /api/v1/groups/{id}/audit (a page,
// newest first), GET /api/v1/groups/{id}/audit/verify, and the admins'
// page. The audit core decides who may read (authz.GroupViewAudit).

var errAuditOff = domain.Errorf(domain.Unavailable, "the record of admin actions is not available on this server")

// auditRow is one entry as the page shows it.
type auditRow struct {
	audit.Entry
	Actor  string // the actor's name ("" if the account is gone)
	What   string // the action in words
	Target string // the person or thing, in words
	Link   string // where the target is, when it still exists ("" otherwise)
	Facts  string // details in words
	// Face is the actor's picture or initials (avatars.go).
	Face avatarView
}

type groupAuditData struct {
	Group   group.Group
	Pending []auditRow
	Rows    []auditRow
	Next    string
	Report  *audit.Report
}

// auditWords says each action as a sentence fragment.
var auditWords = map[audit.Action]string{
	audit.SettingsChanged:   "page.group.audit.do.settings_changed",
	audit.JoinLinkReset:     "page.group.audit.do.join_link_reset",
	audit.RoleChanged:       "page.group.audit.do.role_changed",
	audit.MemberRemoved:     "page.group.audit.do.member_removed",
	audit.RequestApproved:   "page.group.audit.do.request_approved",
	audit.RequestDenied:     "page.group.audit.do.request_denied",
	audit.InvitationRevoked: "page.group.audit.do.invitation_revoked",
	audit.ContentEdited:     "page.group.audit.do.content_edited",
	audit.ContentDeleted:    "page.group.audit.do.content_deleted",
	audit.ContentRemoved:    "page.group.audit.do.content_removed",
	audit.HeldMailAllowed:   "page.group.audit.do.held_mail_allowed",
	audit.HeldMailDiscarded: "page.group.audit.do.held_mail_discarded",
	audit.SenderBlocked:     "page.group.audit.do.sender_blocked",
	audit.SenderUnblocked:   "page.group.audit.do.sender_unblocked",
	audit.GroupExported:     "page.group.audit.do.group_exported",
	audit.GroupImported:     "page.group.audit.do.group_imported",
	audit.GroupDeleted:      "page.group.audit.do.group_deleted",
	audit.GroupRestored:     "page.group.audit.do.group_restored",
	audit.AccountDeleted:    "page.group.audit.do.account_deleted",
	audit.TagCreated:        "page.group.audit.do.tag_created",
	audit.TagChanged:        "page.group.audit.do.tag_changed",
	audit.TagDeleted:        "page.group.audit.do.tag_deleted",
	audit.TemplateSaved:     "page.group.audit.do.template_saved",
	audit.TemplateEdited:    "page.group.audit.do.template_edited",
	audit.TemplateDeleted:   "page.group.audit.do.template_deleted",
	audit.TemplatesArranged: "page.group.audit.do.templates_arranged",
	audit.ProxyGranted:      "page.group.audit.do.proxy_granted",
	audit.ProxyRevoked:      "page.group.audit.do.proxy_revoked",
	audit.ProxyUsed:         "page.group.audit.do.proxy_used",
	audit.ProxyEnded:        "page.group.audit.do.proxy_ended",
	audit.ProxyWithdrawn:    "page.group.audit.do.proxy_withdrawn",
	audit.ThreadMovedOut:    "page.group.audit.do.thread_moved_out",
	audit.ThreadMovedIn:     "page.group.audit.do.thread_moved_in",
	audit.CommentsForked:    "page.group.audit.do.comments_forked",
	audit.PollReopened:      "page.group.audit.do.poll_reopened",
}

func (s *Server) GroupAuditPage(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.PageError(w, r, errAuditOff)
		return
	}
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	cursor, _, err := handlerkit.GroupPageParams(r)
	var page audit.Page
	if err == nil {
		page, err = s.audit.List(r.Context(), id, cursor, 50)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := groupAuditData{Group: g, Next: page.Next}
	if r.URL.Query().Get("verify") == "1" {
		rep, err := s.audit.Verify(r.Context(), id)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		d.Report = &rep
	}
	var ids []string
	for _, e := range append(append([]audit.Entry{}, page.Pending...), page.Entries...) {
		ids = append(ids, e.ActorID, e.Details["author"], e.Details["grantee"])
		if e.Target.Kind == "member" {
			ids = append(ids, e.Target.ID)
		}
	}
	names, pictures := s.manyFaces(r.Context(), ids)
	pr := s.web.Printer(r)
	name := func(uid string) string { return names[uid] }
	row := func(e audit.Entry) auditRow {
		x := auditRow{Entry: e, Actor: name(e.ActorID), What: string(e.Action)}
		if x.Actor != "" {
			x.Face = faceOf(e.ActorID, x.Actor, pictures[e.ActorID])
		}
		if k, ok := auditWords[e.Action]; ok {
			x.What = pr.T(k)
		}
		if e.Action == audit.AccountDeleted {
			x.Actor, x.Face = pr.T("page.group.audit.a_member"), avatarView{} // the entry names nobody (#16)
			return x
		}
		switch e.Target.Kind {
		case "member":
			x.Target = name(e.Target.ID)
			if x.Target == "" {
				x.Target = pr.T("page.group.audit.a_former_member")
			}
		case "thread":
			x.Target = pr.T("page.group.audit.a_thread")
			if e.Action != audit.ContentDeleted {
				x.Link = links.Thread(e.Target.ID)
			}
		case "poll":
			x.Target, x.Link = pr.T("page.group.audit.a_closed_poll"), links.Poll(e.Target.ID)
		case "comment":
			x.Target = pr.T("page.group.audit.a_comment")
			if by := name(e.Details["author"]); by != "" {
				x.Target = pr.T("page.group.audit.a_comment_by", "Name", pr.Isolate(by))
			}
			if t := e.Details["thread"]; t != "" && e.Action != audit.ContentDeleted {
				x.Link = links.Comment(t, e.Target.ID)
			}
		}
		switch e.Action {
		case audit.RoleChanged:
			x.Facts = pr.T("page.group.audit.role_from_to", "From", auditRole(pr, e.Details["from"]), "To", auditRole(pr, e.Details["to"]))
		case audit.SettingsChanged:
			x.Facts = settingsFacts(pr, e.Details)
		case audit.TemplateSaved, audit.TemplateEdited:
			x.Facts = pr.T("page.group.audit.starts_a", "Kind", e.Details["kind"])
		case audit.TemplatesArranged:
			x.Facts = pr.T("page.group.audit.arranged", "Own", e.Details["templates"], "Hidden", e.Details["hidden"])
		case audit.ProxyGranted, audit.ProxyRevoked, audit.ProxyUsed, audit.ProxyEnded, audit.ProxyWithdrawn:
			proxyAuditRow(pr, &x, e, name)
		}
		return x
	}
	for _, e := range page.Pending {
		d.Pending = append(d.Pending, row(e))
	}
	for _, e := range page.Entries {
		d.Rows = append(d.Rows, row(e))
	}
	s.web.Page(w, r, http.StatusOK, "group_audit", pr.T("page.group.audit.page_title", "Group", pr.Isolate(g.Name)), d)
}

// settingsFacts lists what a settings change changed.
func settingsFacts(pr *i18n.Printer, d map[string]string) string {
	out := ""
	add := func(s string) {
		if out != "" {
			out += "; "
		}
		out += s
	}
	if f := d["fields"]; f != "" {
		add(pr.T("page.group.audit.changed_fields", "Fields", strings.ReplaceAll(f, ",", ", ")))
	}
	if p := d["privacy"]; p != "" {
		add(pr.T("page.group.audit.privacy", "Change", p))
	}
	for _, f := range groupFlagFields {
		if v, ok := d["permission."+f.Name]; ok {
			add(pr.T("page.group.flag."+f.Name) + ": " + v)
		}
	}
	return out
}

// auditRole words a role named in an entry ("admin", "member"); anything
// else stays as recorded.
func auditRole(pr *i18n.Printer, role string) string {
	if role == "admin" || role == "member" {
		return pr.T("page.group.role." + role)
	}
	return role
}
