package pages

// The templates page of a group (start from one; admins save, order, hide
// and delete), and what the thread and poll forms take from a template
// (?template=): the form opens prefilled with the template's guide above
// it, and nothing is created until the person submits it.

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

type templateRow struct {
	process.Template
	StartURL    string
	First, Last bool // among the group's own templates (the move buttons)
	KindName    string
	Manage      bool // the viewer may arrange and delete templates
}

type templatesPageData struct {
	Group     group.Group
	Own       []templateRow
	BuiltIn   []templateRow
	CanManage bool
	Notice    string
	// Save is the "save as a template" form (admins, ?from=poll:<id> or
	// thread:<id>); SaveKind says which.
	Save     *formState
	SaveKind string
	// SavePoll is the thread's poll the form offers to include (with_poll).
	SavePoll *decision.Poll
}

// templateNotices are the notices of the templates page after
// ?done=<name>; their text is page.templates.notice.<name>.
var templateNotices = map[string]bool{"saved": true, "deleted": true, "arranged": true, "edited": true}

// templateStartURL is where starting from t leads: the thread or poll
// form, prefilled.
func templateStartURL(gid string, t process.Template) string {
	if t.Kind == process.KindThread {
		return groupURL(gid, "/threads/new?template="+t.ID)
	}
	return groupURL(gid, "/polls/new?template="+t.ID)
}

func (s *Server) TemplatesPage(w http.ResponseWriter, r *http.Request) {
	s.renderTemplates(w, r, http.StatusOK, nil)
}

func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, status int, save *formState) {
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	list, err := s.templates.List(r.Context(), g.ID, s.templateLang(r))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	pr := s.web.Printer(r)
	d := templatesPageData{Group: g, CanManage: list.CanManage}
	if done := r.URL.Query().Get("done"); templateNotices[done] {
		d.Notice = pr.T("page.templates.notice." + done)
	}
	canThread, canPoll := g.Can(string(authz.ThreadStart)), g.Can(string(authz.PollStart))
	for _, t := range list.Templates {
		row := templateRow{Template: t, KindName: pr.T("page.templates.kind_thread"), Manage: list.CanManage}
		if t.Kind == process.KindPoll && t.Poll != nil {
			row.KindName = pollTypeText(pr, t.Poll.Type)
		} else if t.Poll != nil {
			row.KindName = pr.T("page.f17c.kind_thread_poll", "Kind", pollTypeText(pr, t.Poll.Type))
		}
		if (t.Kind == process.KindThread && canThread) || (t.Kind == process.KindPoll && canPoll && s.decisions != nil) {
			row.StartURL = templateStartURL(g.ID, t)
		}
		if t.BuiltIn {
			d.BuiltIn = append(d.BuiltIn, row)
		} else {
			d.Own = append(d.Own, row)
		}
	}
	if n := len(d.Own); n > 0 {
		d.Own[0].First, d.Own[n-1].Last = true, true
	}
	if from := r.URL.Query().Get("from"); save == nil && from != "" && list.CanManage {
		save = s.saveForm(r, from)
	}
	if save != nil {
		d.Save = save
		var id string
		d.SaveKind, id, _ = strings.Cut(save.Values["from"], ":")
		if d.SaveKind == "thread" {
			d.SavePoll = s.threadSavePoll(r, g.ID, id)
		}
	}
	s.web.Page(w, r, status, "group_templates", pr.T("page.templates.page_title", "Group", pr.Isolate(g.Name)), d)
}

// saveForm prefills the "save as a template" form from the thread or poll
// named by from (as the viewer may read it).
func (s *Server) saveForm(r *http.Request, from string) *formState {
	f := newForm(map[string]string{"from": from, "closing_days": strconv.Itoa(process.DefaultClosing)})
	kind, id, _ := strings.Cut(from, ":")
	switch kind {
	case "poll":
		if s.decisions != nil {
			if p, err := s.decisions.Get(r.Context(), id); err == nil {
				f.Values["name"] = p.Definition.Title
				f.Values["closing_days"] = strconv.Itoa(pollDays(&p))
			}
		}
	case "thread":
		if s.discussions != nil {
			if t, err := s.discussions.Thread(r.Context(), id); err == nil {
				f.Values["name"] = t.Title
			}
		}
		if p := s.threadSavePoll(r, r.PathValue("id"), id); p != nil {
			f.Values["with_poll"] = p.ID // offered ticked
			f.Values["closing_days"] = strconv.Itoa(pollDays(p))
		}
	}
	return f
}

func (s *Server) TemplateSaveSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	gid := r.PathValue("id")
	in := process.Input{From: r.PostFormValue("from"), Name: r.PostFormValue("name"), Guide: r.PostFormValue("guide")}
	if strings.HasPrefix(in.From, "thread:") {
		in.WithPoll = r.PostFormValue("with_poll")
	}
	if strings.HasPrefix(in.From, "poll:") || in.WithPoll != "" {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("closing_days")))
		if err != nil {
			n = -1 // refused by the core with its message
		}
		in.ClosingDays = n
	}
	if in.From == "" {
		s.PageError(w, r, domain.Validation(domain.FieldError{Field: "from", Message: "names no thread or poll to save"}))
		return
	}
	if _, err := s.templates.Create(r.Context(), gid, in); err != nil {
		switch domain.ErrorCode(err) {
		case domain.Invalid, domain.Conflict:
			f := newForm(formFromPost(r))
			status := f.fail(s.web.Printer(r), err)
			s.renderTemplates(w, r, status, f)
		default:
			s.PageError(w, r, err)
		}
		return
	}
	redirect(w, r, groupURL(gid, "/templates?done=saved"))
}

func (s *Server) TemplateArrangeSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	gid, tid := r.PathValue("id"), r.PathValue("tid")
	var err error
	switch r.PostFormValue("do") {
	case "up":
		err = s.templates.Move(r.Context(), gid, tid, -1)
	case "down":
		err = s.templates.Move(r.Context(), gid, tid, 1)
	case "hide":
		err = s.templates.SetHidden(r.Context(), gid, tid, true)
	case "show":
		err = s.templates.SetHidden(r.Context(), gid, tid, false)
	default:
		err = domain.Validation(domain.FieldError{Field: "do", Message: "must be up, down, hide or show"})
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(gid, "/templates?done=arranged"))
}

func (s *Server) TemplateDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	gid := r.PathValue("id")
	if err := s.templates.Delete(r.Context(), gid, r.PathValue("tid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(gid, "/templates?done=deleted"))
}

// ---- the thread and poll forms ----

// templateChoice is a template offered on the "new decision" page.
type templateChoice struct {
	Name, Guide, URL string
}

// pollTemplates are the poll templates the viewer may start from in g
// (the "new decision" page offers them beside the kinds of poll).
func (s *Server) pollTemplates(r *http.Request, g *group.Group) []templateChoice {
	if s.templates == nil || g == nil {
		return nil
	}
	list, err := s.templates.List(r.Context(), g.ID, s.templateLang(r))
	if err != nil {
		return nil
	}
	var out []templateChoice
	for _, t := range list.Templates {
		switch {
		case t.Hidden:
		case t.Kind == process.KindPoll:
			out = append(out, templateChoice{Name: t.Name, Guide: t.Guide, URL: templateStartURL(g.ID, t)})
		case t.Poll != nil:
			// A thread with a poll: its poll alone.
			out = append(out, templateChoice{Name: t.Name, Guide: t.Guide, URL: groupURL(g.ID, "/polls/new?template="+t.ID)})
		}
	}
	return out
}

// startedFrom is a template a form was opened from: its name and guide,
// shown above the form, and its id, carried through the form.
type startedFrom struct {
	ID, Name, Guide string
}

// templateStart reads ?template= (or the form's template field) of a
// thread or poll form: nil when none. A template of another kind than the
// form's is refused.
func (s *Server) templateStart(r *http.Request, gid, id string, kind process.Kind) (*process.Start, error) {
	if id == "" || s.templates == nil {
		return nil, nil
	}
	if len(id) > 64 {
		return nil, process.ErrNotFound
	}
	st, err := s.templates.Start(r.Context(), gid, id, s.templateLang(r))
	if err != nil {
		return nil, err
	}
	if kind == process.KindPoll && st.Kind == process.KindThread && st.Poll != nil {
		// A thread template's poll, started on its own (in a thread).
		st.Kind, st.Thread = process.KindPoll, nil
		return &st, nil
	}
	if st.Kind != kind {
		var fe domain.FieldErrors
		fe.Add("template", "starts a %s, not a %s", domain.Term{Kind: "template_kind", Name: string(st.Kind)}, domain.Term{Kind: "template_kind", Name: string(kind)})
		return nil, fe.Err()
	}
	return &st, nil
}

// pollFormFromTemplate fills a new poll form's values from a template.
func (s *Server) pollFormFromTemplate(r *http.Request, st *process.Start, f *formState) poll.Type {
	b := st.Poll
	d := poll.Definition{Type: b.Type, Title: b.Title, Details: b.Details, Options: b.Options, Settings: b.Settings}
	loc := s.viewerZone(r)
	for k, v := range formValues(d, loc) {
		f.Values[k] = v
	}
	if d.Settings.ClosingAt != nil {
		f.Values["closing_at"] = d.Settings.ClosingAt.In(loc).Format(localInput)
	} else {
		f.Values["closing_at"] = time.Now().In(loc).Add(7 * 24 * time.Hour).Truncate(time.Hour).Format(localInput)
	}
	if d.Type == poll.TypeMeeting {
		f.Values["time_zone"] = loc.String()
	}
	f.Values["template"] = st.TemplateID
	return d.Type
}

// templateGuide is the name and guide of the template a form carries
// (its "template" value), for showing again after a failed submit.
func (s *Server) templateGuide(r *http.Request, gid, id string) *startedFrom {
	if id == "" || s.templates == nil || len(id) > 64 {
		return nil
	}
	t, err := s.templates.Get(r.Context(), gid, id, s.templateLang(r))
	if err != nil {
		return nil
	}
	return &startedFrom{ID: t.ID, Name: t.Name, Guide: t.Guide}
}

// templateLang is the language built-in templates are worded in: the
// signed-in viewer's own setting on pages, else the request's
// Accept-Language.
func (s *Server) templateLang(r *http.Request) lang.Lang {
	setting := ""
	if u := s.Viewer(r); u != nil {
		setting = string(u.Lang())
	}
	return i18n.Negotiate(setting, r.Header.Get("Accept-Language"))
}
