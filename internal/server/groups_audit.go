package server

import (
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/links"
)

// The record of admin actions: GET /api/v1/groups/{id}/audit (a page,
// newest first), GET /api/v1/groups/{id}/audit/verify, and the admins'
// page. The audit core decides who may read (authz.GroupViewAudit).

var errAuditOff = domain.Errorf(domain.Unavailable, "the record of admin actions is not available on this server")

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.groupAPIFail(w, r, errAuditOff)
		return
	}
	cursor, limit, err := groupPageParams(r)
	if err == nil {
		var page audit.Page
		if page, err = s.audit.List(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.groupAPIFail(w, r, errAuditOff)
		return
	}
	rep, err := s.audit.Verify(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	audit.Entry
	Actor  string // the actor's name ("" if the account is gone)
	What   string // the action in words
	Target string // the person or thing, in words
	Link   string // where the target is, when it still exists ("" otherwise)
	Facts  string // details in words
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
	audit.SettingsChanged:   "changed the group's settings",
	audit.JoinLinkReset:     "reset the join link",
	audit.RoleChanged:       "changed the role of",
	audit.MemberRemoved:     "removed",
	audit.RequestApproved:   "approved the request to join of",
	audit.RequestDenied:     "denied the request to join of",
	audit.InvitationRevoked: "revoked an invitation",
	audit.ContentEdited:     "edited",
	audit.ContentDeleted:    "deleted",
	audit.ContentRemoved:    "removed all the comments of",
	audit.HeldMailAllowed:   "posted a held email",
	audit.HeldMailDiscarded: "discarded a held email",
	audit.SenderBlocked:     "blocked the sender of a held email",
	audit.SenderUnblocked:   "removed a sender rule",
	audit.GroupExported:     "exported the group",
	audit.GroupImported:     "imported the group from an export",
	audit.GroupDeleted:      "deleted the group",
	audit.GroupRestored:     "restored the group",
	audit.AccountDeleted:    "deleted their account",
	audit.TagCreated:        "added a tag",
	audit.TagChanged:        "changed a tag",
	audit.TagDeleted:        "deleted a tag",
	audit.TemplateSaved:     "saved a template",
	audit.TemplateEdited:    "edited a template",
	audit.TemplateDeleted:   "deleted a template",
	audit.TemplatesArranged: "arranged the templates",
	audit.ProxyGranted:      "gave their proxy to",
	audit.ProxyRevoked:      "took back their proxy from",
	audit.ProxyUsed:         "voted by proxy for",
	audit.ProxyEnded:        "ended the proxy they gave to",
	audit.ProxyWithdrawn:    "withdrew by proxy the vote of",
	audit.ThreadMovedOut:    "moved to another group",
	audit.ThreadMovedIn:     "moved into this group",
	audit.CommentsForked:    "forked comments into",
	audit.PollReopened:      "reopened",
}

func (s *Server) groupAuditPage(w http.ResponseWriter, r *http.Request) {
	if s.audit == nil {
		s.pageError(w, r, errAuditOff)
		return
	}
	id := r.PathValue("id")
	g, err := s.groups.Get(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	cursor, _, err := groupPageParams(r)
	var page audit.Page
	if err == nil {
		page, err = s.audit.List(r.Context(), id, cursor, 50)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := groupAuditData{Group: g, Next: page.Next}
	if r.URL.Query().Get("verify") == "1" {
		rep, err := s.audit.Verify(r.Context(), id)
		if err != nil {
			s.pageError(w, r, err)
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
	names := s.names(r.Context(), ids)
	name := func(uid string) string { return names[uid] }
	row := func(e audit.Entry) auditRow {
		x := auditRow{Entry: e, Actor: name(e.ActorID), What: auditWords[e.Action]}
		if x.What == "" {
			x.What = string(e.Action)
		}
		if e.Action == audit.AccountDeleted {
			x.Actor = "A member" // the entry names nobody (#16)
			return x
		}
		switch e.Target.Kind {
		case "member":
			x.Target = name(e.Target.ID)
			if x.Target == "" {
				x.Target = "a former member"
			}
		case "thread":
			x.Target = "a thread"
			if e.Action != audit.ContentDeleted {
				x.Link = links.Thread(e.Target.ID)
			}
		case "poll":
			x.Target, x.Link = "a closed poll", links.Poll(e.Target.ID)
		case "comment":
			x.Target = "a comment"
			if by := name(e.Details["author"]); by != "" {
				x.Target = "a comment by " + by
			}
			if t := e.Details["thread"]; t != "" && e.Action != audit.ContentDeleted {
				x.Link = links.Comment(t, e.Target.ID)
			}
		}
		switch e.Action {
		case audit.RoleChanged:
			x.Facts = "from " + e.Details["from"] + " to " + e.Details["to"]
		case audit.SettingsChanged:
			x.Facts = settingsFacts(e.Details)
		case audit.TemplateSaved, audit.TemplateEdited:
			x.Facts = "starts a " + e.Details["kind"]
		case audit.TemplatesArranged:
			x.Facts = e.Details["templates"] + " of the group's own, " + e.Details["hidden"] + " built-in hidden"
		case audit.ProxyGranted, audit.ProxyRevoked, audit.ProxyUsed, audit.ProxyEnded, audit.ProxyWithdrawn:
			proxyAuditRow(&x, e, name)
		}
		return x
	}
	for _, e := range page.Pending {
		d.Pending = append(d.Pending, row(e))
	}
	for _, e := range page.Entries {
		d.Rows = append(d.Rows, row(e))
	}
	s.web.Page(w, r, http.StatusOK, "group_audit", "Record of admin actions: "+g.Name, d)
}

// settingsFacts lists what a settings change changed.
func settingsFacts(d map[string]string) string {
	out := ""
	add := func(s string) {
		if out != "" {
			out += "; "
		}
		out += s
	}
	if f := d["fields"]; f != "" {
		add("changed: " + strings.ReplaceAll(f, ",", ", "))
	}
	if p := d["privacy"]; p != "" {
		add("privacy " + p)
	}
	for _, f := range groupFlagFields {
		if v, ok := d["permission."+f.Name]; ok {
			add(f.Label + ": " + v)
		}
	}
	return out
}
