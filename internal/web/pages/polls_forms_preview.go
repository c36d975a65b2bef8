package pages

// The poll form's steps that save nothing: "Add a rule" (one more
// vote-share row, the form re-rendered keeping what was typed) and
// "Preview" (the form re-rendered with the poll's card as the thread will
// show it). Both are plain posts of the form, so they work without
// JavaScript; whether the viewer may start (or edit) the poll is checked
// as on the form's page.

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
)

// The form's non-saving steps (the form_action button pressed).
const (
	formActionAddRule = "add_rule"
	formActionPreview = "preview"
)

// voteShareShown is how many requirement rows the form shows: the rows
// filled in (up to the last one), at least what the form showed before
// (vs_rows), one more when "Add a rule" was pressed; never more than the
// core allows. A poll without requirements shows none.
func voteShareShown(v map[string]string, addOne bool) int {
	n := 0
	for i := 1; i <= voteShareRows; i++ {
		if v["vs_option_"+strconv.Itoa(i)] != "" || v["vs_threshold_"+strconv.Itoa(i)] != "" {
			n = i
		}
	}
	if shown, err := strconv.Atoi(v["vs_rows"]); err == nil && shown > n {
		n = shown
	}
	if addOne {
		n++
	}
	return min(max(n, 0), voteShareRows)
}

// pollPreview is the card of a poll not yet saved, as the thread will
// show it.
type pollPreview struct {
	TypeName, When, Left string
	Title                string
	// DetailsHTML are the details as the card shows them: the Markdown
	// rendered by the renderer the decision core stores them with
	// (cardMarkdown), sanitised; never the source (no literal ** or tags).
	DetailsHTML template.HTML
	Anonymous   bool
	Vote        *voteForm
}

// cardMarkdown renders a preview's details as the decision core renders a
// poll's (render.New: decision.Options.Renderer's default). Mentions stay
// text until the poll is saved (the core links them then).
var cardMarkdown = render.New()

// moreSettingsFields are the form's fields inside "More settings": an
// error on one of them opens it.
var moreSettingsFields = map[string]bool{
	"hide_results": true, "anonymous": true, "reason_mode": true, "reason_max_length": true, "shuffle_options": true,
	"quorum_percent": true, "reminder_audience": true, "voters_may_add_options": true, "specified_voters_only": true,
	"thread_guests_may_vote": true, "voters": true, "vote_share": true, "tags": true, "notify": true,
}

// moreOpen says whether "More settings" starts open: after "Add a rule",
// or when one of its fields has an error.
func moreOpen(f *formState) bool {
	if f.Values["form_action"] == formActionAddRule {
		return true
	}
	for k := range f.Fields {
		if moreSettingsFields[k] {
			return true
		}
	}
	return false
}

// pollFormStep handles "Add a rule" and "Preview" on the create form
// (p nil, in group g) or the edit form of p; it reports whether it did.
func (s *Server) pollFormStep(w http.ResponseWriter, r *http.Request, g *group.Group, p *decision.Poll, t poll.Type, f *formState) bool {
	step := r.PostFormValue("form_action")
	if step != formActionAddRule && step != formActionPreview {
		return false
	}
	f.Values["form_action"] = step
	notifyValues(r.PostForm, f.Values)
	tagValues(r.PostForm, f.Values)
	for _, id := range votersFromForm(r.PostForm) {
		f.Values["voter:"+id] = "on"
	}
	status := http.StatusOK
	var preview *pollPreview
	if step == formActionPreview {
		var base *poll.Definition
		if p != nil {
			base = &p.Definition
		}
		presetsByID(s.web.Printer(r), r.PostForm)
		d, err := defFromForm(t, r.PostForm, s.viewerZone(r), base)
		if err == nil && p == nil {
			d, err = poll.ValidateNew(d, time.Now())
		}
		if err != nil {
			status = pollForm(s.web.Printer(r), f, err)
		} else {
			preview = s.previewCard(r, d)
		}
	}
	data := s.pollFormData(r, g, p, t, f)
	data.Preview = preview
	s.renderPollForm(w, r, status, data)
	return true
}

// previewCard builds the card of definition d as an open poll nobody has
// voted in yet.
func (s *Server) previewCard(r *http.Request, d poll.Definition) *pollPreview {
	pr := s.web.Printer(r)
	p := decision.Poll{ID: "preview", Definition: d, Status: poll.StatusOpen}
	pv := &pollPreview{TypeName: pollTypeText(pr, d.Type), Title: d.Title, Anonymous: d.Settings.Anonymous,
		Vote: s.voteFormFor(r, p, decision.MyBallot{}, nil, nil)}
	if d.Details != "" {
		pv.DetailsHTML = cardMarkdown.Markdown(d.Details)
	}
	pv.Vote.Prefix = "preview-"
	if at := d.Settings.ClosingAt; at != nil {
		pv.When = pr.T("page.poll.closes_at", "When", whenText(pr, *at))
		pv.Left = timeLeftText(pr, *at, time.Now())
	}
	return pv
}

// mayStartPoll is the form page's check, for its steps: the viewer is
// signed in and may start polls in g.
func mayStartPoll(r *http.Request, g *group.Group) error {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		return err
	}
	if !g.Can(string(authz.PollStart)) {
		return domain.Errorf(domain.Forbidden, "you cannot start polls in %s", g.Name)
	}
	return nil
}
