package pages

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
)

// Whom to notify: the fieldset of the new-thread and poll forms, the
// "Notify people" forms of the thread and poll pages, and the announce
// routes of the API. Who may notify whom is the policy's (group.announce,
// people.notify) and is decided again by the cores; the forms only offer
// what the viewer may choose.

// notifyForm is the "notify" fieldset.
type notifyForm struct {
	// Group: the viewer may notify the whole group (GroupOn: ticked).
	Group, GroupOn bool
	GroupName      string
	// People are the members (and thread guests the viewer may list) who
	// may be chosen, except the viewer.
	People []voterChoice
	// Error is the core's message about the notify field, if any.
	Error string
	// Action and Button make a standalone form (thread and poll pages).
	Action, Button string
	// PeopleLink, when set, offers the list of people on another load of
	// the page instead of listing them (the thread and poll pages keep
	// their DynamoDB calls bounded and few).
	PeopleLink string
	// Later: the thing is a draft; the choice applies when it is published.
	Later bool
	// Open unfolds the list of people (asked for, or some are chosen).
	Open bool
}

// notifyFormFor builds the fieldset for group g (and thread tid, "" for
// none) from the form's values f; fresh forms tick the whole group when
// the viewer may notify it (the default of the cores too). nil when the
// viewer may notify nobody (visitors, guests). peopleLink, when not "",
// links to the list of people instead of reading it.
func (s *Server) notifyFormFor(ctx context.Context, g *group.Group, tid string, f *formState, fresh bool, peopleLink string) *notifyForm {
	if g == nil || (!g.Can(string(authz.GroupAnnounce)) && !g.Can(string(authz.PeopleNotify))) {
		return nil
	}
	nf := &notifyForm{Group: g.Can(string(authz.GroupAnnounce)), GroupName: g.Name}
	nf.GroupOn = nf.Group && (fresh || f.Values["notify_group"] != "")
	if f != nil {
		nf.Error = f.Fields["notify"]
	}
	if !g.Can(string(authz.PeopleNotify)) {
		return nf
	}
	if peopleLink != "" {
		nf.PeopleLink = peopleLink
		return nf
	}
	me := authz.ActorFrom(ctx).UserID
	chosen := func(id string) bool { return f != nil && f.Values["notify_user:"+id] != "" }
	for _, m := range s.groupMembers(ctx, g.ID) {
		if m.UserID == me {
			continue
		}
		name := m.Name
		if name == "" {
			name = "Someone"
		}
		nf.People = append(nf.People, voterChoice{ID: m.UserID, Name: name, Checked: chosen(m.UserID)})
		nf.Open = nf.Open || chosen(m.UserID)
	}
	byName(nf.People)
	if tid != "" && s.discussions != nil {
		if guests, err := s.discussions.Guests(ctx, tid); err == nil {
			var gs []voterChoice
			for _, gu := range guests {
				if gu.UserID != me {
					gs = append(gs, voterChoice{ID: gu.UserID, Name: gu.Name + " (guest)", Checked: chosen(gu.UserID)})
					nf.Open = nf.Open || chosen(gu.UserID)
				}
			}
			nf.People = append(nf.People, byName(gs)...)
		}
	}
	return nf
}

// notifyValues keeps the posted notify choices in v for re-rendering.
func notifyValues(form url.Values, v map[string]string) {
	for _, id := range form["notify_user"] {
		v["notify_user:"+id] = "on"
	}
}

// audienceFromForm reads the notify fieldset: nil when the form did not
// show it (the core's default applies).
func audienceFromForm(form url.Values) *notify.Audience {
	if form.Get("notify_shown") == "" {
		return nil
	}
	a := &notify.Audience{Group: form.Get("notify_group") != ""}
	for _, id := range form["notify_user"] {
		if id = strings.TrimSpace(id); id != "" {
			a.UserIDs = append(a.UserIDs, id)
		}
	}
	return a
}

// notifyField files the core's "notify", "notify.user_ids[3]" errors
// under the form's one "notify" field.
func notifyField(f *formState) {
	for i, m := range f.List {
		if m.Field == "notify" || strings.HasPrefix(m.Field, "notify.") {
			f.List[i].Field, f.List[i].Label = "notify", "Notify"
			if _, seen := f.Fields["notify"]; !seen {
				f.Fields["notify"] = m.Message
			}
		}
	}
}

// ---- API ----

// ---- pages ----

// postedAnnounce reads a "Notify people" form: whom it chose (nobody when
// it shows nothing), and the form to show again beside an error, with the
// choices kept.
func postedAnnounce(form url.Values) (notify.Audience, *formState) {
	var aud notify.Audience
	if a := audienceFromForm(form); a != nil {
		aud = *a
	}
	f := newForm(map[string]string{"notify_group": form.Get("notify_group")})
	notifyValues(form, f.Values)
	return aud, f
}

func (s *Server) ThreadAnnounceSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	aud, f := postedAnnounce(r.PostForm)
	if err := s.discussions.Announce(r.Context(), tid, aud); err != nil {
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadWith(w, r, status, func(d *threadPageData) { d.AnnounceForm = f }) })
		return
	}
	redirect(w, r, threadURL(tid)+"?done=announced")
}

func (s *Server) PollAnnounceSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	aud, f := postedAnnounce(r.PostForm)
	if err := s.decisions.Announce(r.Context(), pid, aud); err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.PageError(w, r, err)
			return
		}
		status := pollForm(s.web.Printer(r), f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) { d.AnnounceForm = f })
		return
	}
	redirect(w, r, pollURL(pid)+"?done=announced")
}
