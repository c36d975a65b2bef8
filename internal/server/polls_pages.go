package server

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/chart"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// Server-rendered poll pages. They work without JavaScript: the poll form
// asks for the type first and then shows the fields of that type; every
// action is a form posting to a page route that redirects back (303) with
// a notice, or renders the poll page again with errors next to the form.
// Results, charts and ballots come only from the core's gated calls.

var pollTypeInfo = map[poll.Type][2]string{
	poll.TypeProposal:     {"Proposal", "Agree, abstain, disagree or block a proposal."},
	poll.TypePoll:         {"Poll", "Choose one or several options; optionally none of the above."},
	poll.TypeCount:        {"Count", "Who is in? People accept or decline, against a target."},
	poll.TypeCheck:        {"Check", "A quick temperature check: looks good, not sure, concerned."},
	poll.TypeScore:        {"Score", "Rate every option on a scale."},
	poll.TypeRankedChoice: {"Ranked choice", "Rank the top options; also counted by Condorcet and STV."},
	poll.TypeDotVote:      {"Dot vote", "Spread a budget of dots over the options."},
	poll.TypeMeeting:      {"Meeting", "Find a time: yes, maybe or no for each date or time."},
	poll.TypeQuestion:     {"Question", "Ask an open question; everyone answers in words."},
}

func pollTypeName(t poll.Type) string {
	if i, ok := pollTypeInfo[t]; ok {
		return i[0]
	}
	return string(t)
}

var pollNotices = map[string]string{
	"created":       "Your poll is ready.",
	"draft":         "Saved as a draft. Only you can see it until you set a closing time.",
	"saved":         "Poll saved.",
	"voted":         "Your vote was counted.",
	"changed":       "Your vote was changed.",
	"withdrawn":     "Your vote was withdrawn. You are undecided again.",
	"closed":        "The poll is closed. Write an outcome to tell everyone what was decided.",
	"extended":      "The closing time was moved.",
	"reopened":      "The poll is open again.",
	"reminded":      "A reminder was sent to the undecided voters.",
	"outcome":       "The outcome was saved.",
	"deleted":       "The draft was deleted.",
	"option":        "The option was added.",
	"voter_added":   "The voter was added.",
	"voter_removed": "The voter was removed; their vote, if any, was withdrawn.",
	"announced":     "The people you chose were notified, according to their notification settings.",
}

var pollFieldLabels = map[string]string{
	"title": "Title", "details": "Details", "options": "Options", "closing_at": "Closing time", "hide_results": "Hide results",
	"anonymous": "Anonymous", "reason_mode": "Reasons", "reason_max_length": "Reason length limit", "min_choices": "Minimum choices",
	"max_choices": "Maximum choices", "min_score": "Lowest score", "max_score": "Highest score", "dots_per_person": "Dots per person",
	"shuffle_options": "Shuffle options", "none_of_the_above": "None of the above", "quorum_percent": "Quorum",
	"count_target": "Target", "meeting_duration": "Meeting length", "time_zone": "Time zone", "can_respond_maybe": "Allow maybe",
	"reminder_audience": "Closing reminder", "seats": "Seats", "type": "Type", "choices": "Your vote", "reason": "Reason",
	"receipt": "Receipt", "statement": "Outcome", "review_on": "Review date", "meeting_option_id": "Chosen time", "version": "Version",
	"vote_share": "Vote-share requirements", "voters_may_add_options": "Voters may add options",
	"specified_voters_only": "Only chosen voters", "voters": "Voters", "voter": "Voters", "label": "New option", "user_id": "Voter",
	"thread_guests_may_vote": "Guests of the thread may vote",
}

// pollForm records err on f: settings.x and options[3].label become the
// form's field names, with readable labels.
func pollForm(f *formState, err error) int {
	status := f.fail(err)
	f.Fields = map[string]string{}
	for i, m := range f.List {
		field := strings.TrimPrefix(m.Field, "settings.")
		switch {
		case strings.HasPrefix(field, "options"), strings.HasPrefix(field, "vote_share"):
			field = strings.SplitN(field, "[", 2)[0]
		case strings.HasPrefix(field, "choices"):
			field = "choices"
		}
		if l, ok := pollFieldLabels[field]; ok {
			f.List[i].Label = l
		}
		f.List[i].Field = field
		if _, seen := f.Fields[field]; !seen {
			f.Fields[field] = m.Message
		}
	}
	notifyField(f)
	return status
}

func pollURL(pid string, parts ...string) string {
	return "/polls/" + url.PathEscape(pid) + strings.Join(parts, "")
}

// viewerZone is the signed-in viewer's time zone (UTC otherwise).
func (s *Server) viewerZone(r *http.Request) *time.Location {
	if u := s.Viewer(r); u != nil && u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

const localInput = "2006-01-02T15:04"

func fmtLocal(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format(localInput)
}

func fmtWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// parseLocal reads a datetime-local value in loc.
func parseLocal(field, v string, loc *time.Location) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{localInput, "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return &t, nil
		}
	}
	return nil, domain.Validation(domain.FieldError{Field: field, Message: "must be a date and time like 2026-05-04T17:00"})
}

// ---- the poll form (create and edit) ----

type pollTypeChoice struct {
	Type        poll.Type
	Name, About string
}

type pollFormData struct {
	Group   *group.Group
	Poll    *decision.Poll
	Edit    bool
	Type    poll.Type
	Name    string
	Types   []pollTypeChoice
	Form    *formState
	Zone    string
	Presets []presetChoice
	// Flags of the type, for the template.
	FreeOptions, Meeting, Proposal, Question, Anonymous, AnonLocked, Shuffle, None, Choices, Score, Ranked, Dots, Count bool
	Action                                                                                                              string
	// VoteShare offers requirement rows (proposal, poll); AddOptions the
	// "voters may add options" setting; Members the voters to choose from
	// when creating a poll.
	VoteShare     bool
	VoteShareRows []voteShareRow
	AddOptions    bool
	Members       []voterChoice
	// InThread: the poll is (will be) in a thread, whose guests it may
	// invite to vote.
	InThread bool
	// Notify is whom to tell when the poll opens (new polls and drafts).
	Notify *notifyForm
}

type presetChoice struct {
	ID, Label string
	Checked   bool
}

var proposalPresets = []string{poll.OptionAgree, poll.OptionAbstain, poll.OptionDisagree, poll.OptionBlock, poll.OptionConsent, poll.OptionObjection}

func (s *Server) pollFormData(r *http.Request, g *group.Group, p *decision.Poll, t poll.Type, f *formState) pollFormData {
	d := pollFormData{Group: g, Poll: p, Edit: p != nil, Type: t, Name: pollTypeName(t), Form: f, Zone: s.viewerZone(r).String()}
	for _, tt := range poll.Types() {
		d.Types = append(d.Types, pollTypeChoice{Type: tt, Name: pollTypeInfo[tt][0], About: pollTypeInfo[tt][1]})
	}
	if t.Valid() {
		d.FreeOptions = t.FreeOptions() && t != poll.TypeMeeting
		d.Meeting = t == poll.TypeMeeting
		d.Proposal = t == poll.TypeProposal
		d.Question = t == poll.TypeQuestion
		d.Anonymous = t.AllowsAnonymous()
		d.AnonLocked = p != nil && p.Definition.Settings.Anonymous
		d.Shuffle = t.AllowsShuffle()
		d.None = t.AllowsNoneOfTheAbove()
		d.Choices = t == poll.TypePoll
		d.Score = t == poll.TypeScore
		d.Ranked = t == poll.TypeRankedChoice
		d.Dots = t == poll.TypeDotVote
		d.Count = t == poll.TypeCount
		d.VoteShare = t.AllowsVoteShare()
		d.VoteShareRows = voteShareForm(f.Values)
		d.AddOptions = t.FreeOptions()
		tid := f.Values["thread_id"]
		if p != nil {
			tid = p.ThreadID
		}
		d.InThread = tid != ""
		if p == nil && g != nil {
			var chosen []string
			for k := range f.Values {
				if id, ok := strings.CutPrefix(k, "voter:"); ok {
					chosen = append(chosen, id)
				}
			}
			d.Members = append(voterChoices(s.groupMembers(r.Context(), g.ID), chosen), s.guestChoices(r.Context(), tid, chosen)...)
		}
		if p == nil || p.Status == poll.StatusDraft {
			if d.Notify = s.notifyFormFor(r.Context(), g, tid, f, f.Values["notify_shown"] == "", ""); d.Notify != nil {
				d.Notify.Later = true
			}
		}
		if d.Proposal {
			for _, id := range proposalPresets {
				d.Presets = append(d.Presets, presetChoice{ID: id, Label: poll.PresetLabel(id), Checked: f.Values["opt_"+id] != ""})
			}
		}
	}
	if p != nil {
		d.Action = pollURL(p.ID, "/edit")
	} else if g != nil {
		d.Action = groupURL(g.ID, "/polls")
	}
	return d
}

func (s *Server) renderPollForm(w http.ResponseWriter, r *http.Request, status int, d pollFormData) {
	title := "New poll"
	switch {
	case d.Edit:
		title = "Edit " + d.Poll.Definition.Title
	case d.Type.Valid():
		title = "New " + strings.ToLower(d.Name)
	}
	s.web.Page(w, r, status, "poll_form", title, d)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// formValues are the form's values for a definition (the defaults of a new
// poll, or the poll being edited).
func formValues(d poll.Definition, loc *time.Location) map[string]string {
	st := d.Settings
	v := map[string]string{
		"type": string(d.Type), "title": d.Title, "details": d.Details,
		"closing_at": fmtLocal(st.ClosingAt, loc), "hide_results": string(st.HideResults), "anonymous": onOff(st.Anonymous),
		"reason_mode": string(st.ReasonMode), "reason_max_length": strconv.Itoa(st.ReasonMaxLength),
		"min_choices": strconv.Itoa(st.MinChoices), "max_choices": strconv.Itoa(st.MaxChoices),
		"min_score": strconv.Itoa(st.MinScore), "max_score": strconv.Itoa(st.MaxScore), "dots_per_person": strconv.Itoa(st.DotsPerPerson),
		"shuffle_options": onOff(st.ShuffleOptions), "none_of_the_above": onOff(st.NoneOfTheAbove),
		"quorum_percent": strconv.Itoa(st.QuorumPercent), "count_target": strconv.Itoa(st.CountTarget),
		"meeting_duration": strconv.Itoa(st.MeetingDuration), "time_zone": st.TimeZone, "can_respond_maybe": onOff(st.CanRespondMaybe),
		"reminder_audience": string(st.ReminderAudience), "seats": strconv.Itoa(st.Seats),
	}
	var lines []string
	for _, o := range d.Options {
		switch {
		case d.Type == poll.TypeProposal && poll.PresetLabel(o.ID) != "" && o.Label == poll.PresetLabel(o.ID):
			v["opt_"+o.ID] = "on"
		case d.Type == poll.TypeMeeting:
			lines = append(lines, meetingLine(d, o))
		case d.Type.FreeOptions() || d.Type == poll.TypeProposal:
			lines = append(lines, o.Label)
		}
	}
	v["options"] = strings.Join(lines, "\n")
	voteShareValues(d, v)
	return v
}

// meetingLine writes a meeting option as the form reads it back.
func meetingLine(d poll.Definition, o poll.Option) string {
	if o.AllDay {
		return o.Start.UTC().Format("2006-01-02")
	}
	loc, err := time.LoadLocation(d.Settings.TimeZone)
	if err != nil || d.Settings.TimeZone == "" {
		loc = time.UTC
	}
	return o.Start.In(loc).Format("2006-01-02 15:04")
}

// defFromForm builds a definition from the poll form. base is the poll
// being edited (its option ids are kept for unchanged labels or times, and
// settings the form does not show are kept), or the defaults of the type.
func defFromForm(t poll.Type, form url.Values, loc *time.Location, base *poll.Definition) (poll.Definition, error) {
	var d poll.Definition
	if base != nil {
		d = *base
	} else {
		d = poll.Definition{Type: t, Options: poll.DefaultOptions(t), Settings: poll.DefaultSettings(t)}
	}
	var fe domain.FieldErrors
	get := func(k string) string { return form.Get(k) }
	num := func(k string, into *int) {
		v := strings.TrimSpace(get(k))
		if v == "" {
			if _, shown := form[k]; shown {
				*into = 0
			}
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add(k, "must be a whole number")
			return
		}
		*into = n
	}
	on := func(k string) bool { return get(k) != "" }
	d.Title, d.Details = get("title"), get("details")
	st := &d.Settings
	at, err := parseLocal("closing_at", get("closing_at"), loc)
	if err != nil {
		fe.Add("closing_at", "must be a date and time like 2026-05-04T17:00")
	} else if at != nil || base == nil || base.Settings.ClosingAt == nil {
		st.ClosingAt = at
	}
	if v := get("hide_results"); v != "" {
		st.HideResults = poll.HideResults(v)
	}
	if v := get("reason_mode"); v != "" && t != poll.TypeQuestion { // answers are the point of a question
		st.ReasonMode = poll.ReasonMode(v)
	}
	if v := get("reminder_audience"); v != "" {
		st.ReminderAudience = poll.ReminderAudience(v)
	}
	num("reason_max_length", &st.ReasonMaxLength)
	num("quorum_percent", &st.QuorumPercent)
	if t.AllowsAnonymous() {
		st.Anonymous = on("anonymous")
	}
	if t.AllowsShuffle() {
		st.ShuffleOptions = on("shuffle_options")
	}
	if t.AllowsNoneOfTheAbove() {
		st.NoneOfTheAbove = on("none_of_the_above")
	}
	switch t {
	case poll.TypePoll:
		num("min_choices", &st.MinChoices)
		num("max_choices", &st.MaxChoices)
	case poll.TypeRankedChoice:
		num("min_choices", &st.MinChoices)
		num("seats", &st.Seats)
	case poll.TypeScore:
		num("min_score", &st.MinScore)
		num("max_score", &st.MaxScore)
	case poll.TypeDotVote:
		num("dots_per_person", &st.DotsPerPerson)
	case poll.TypeCount:
		num("count_target", &st.CountTarget)
	case poll.TypeMeeting:
		num("meeting_duration", &st.MeetingDuration)
		st.TimeZone = strings.TrimSpace(get("time_zone"))
		st.CanRespondMaybe = on("can_respond_maybe")
	}

	var existing []poll.Option
	if base != nil {
		existing = base.Options
	}
	lines := formLines(get("options"))
	switch {
	case t == poll.TypeProposal:
		var opts []poll.Option
		for _, id := range proposalPresets {
			if on("opt_" + id) {
				opts = append(opts, poll.Option{ID: id, Label: poll.PresetLabel(id)})
			}
		}
		opts = append(opts, optionsByLabel(lines, existing, opts)...)
		d.Options = opts
	case t == poll.TypeMeeting:
		zone, zerr := time.LoadLocation(st.TimeZone)
		if zerr != nil || st.TimeZone == "" {
			zone = time.UTC
		}
		var opts []poll.Option
		for i, l := range lines {
			o := poll.Option{}
			if day, err := time.ParseInLocation("2006-01-02", l, time.UTC); err == nil {
				o.Start, o.AllDay = day, true
			} else if ts, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(l, "T", " ", 1), zone); err == nil {
				o.Start = ts
			} else {
				fe.Add("options", "line %d (%q) must be a date like 2026-05-04 or a time like 2026-05-04 17:00", i+1, l)
				continue
			}
			for _, e := range existing {
				if e.AllDay == o.AllDay && e.Start.Equal(o.Start) {
					o.ID, o.Label = e.ID, e.Label
				}
			}
			opts = append(opts, o)
		}
		ids := poll.NewOptionIDs(existing, opts)
		for i := range opts {
			if opts[i].ID == "" {
				opts[i].ID = ids.Next()
			}
		}
		d.Options = opts
	case t.FreeOptions():
		d.Options = optionsByLabel(lines, existing, nil)
	}
	// Settings of the form's second part; forms without it keep them.
	if on("more_settings") {
		if t.FreeOptions() {
			st.VotersMayAddOptions = on("voters_may_add_options")
		}
		st.SpecifiedVotersOnly = on("specified_voters_only")
		st.ThreadGuestsMayVote = on("thread_guests_may_vote")
	}
	voteShareFromForm(&d, form, &fe)
	if err := fe.Err(); err != nil {
		return d, err
	}
	return d, nil
}

// optionsByLabel turns labels into options, keeping the id of an existing
// option with the same label and giving new ones fresh ids.
func optionsByLabel(labels []string, existing, taken []poll.Option) []poll.Option {
	ids := poll.NewOptionIDs(existing, taken)
	out := make([]poll.Option, 0, len(labels))
	for _, l := range labels {
		o := poll.Option{Label: l}
		for _, e := range existing {
			if strings.EqualFold(e.Label, l) && poll.PresetLabel(e.ID) == "" {
				o.ID = e.ID
			}
		}
		if o.ID == "" {
			o.ID = ids.Next()
		}
		out = append(out, o)
	}
	return out
}

func (s *Server) pollGroup(ctx context.Context, gid string) (*group.Group, error) {
	g, err := s.groups.Get(ctx, gid)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

func (s *Server) pollNewPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.pageError(w, r, err)
		return
	}
	g, err := s.pollGroup(r.Context(), r.PathValue("id"))
	if err == nil && !g.Can(string(authz.PollStart)) {
		err = authz.Forbidden("you cannot start polls in " + g.Name)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	t := poll.Type(r.URL.Query().Get("type"))
	f := newForm(nil)
	if t.Valid() {
		f.Values = formValues(poll.New(t), s.viewerZone(r))
		f.Values["closing_at"] = time.Now().In(s.viewerZone(r)).Add(7 * 24 * time.Hour).Truncate(time.Hour).Format(localInput)
		if t == poll.TypeMeeting {
			f.Values["time_zone"] = s.viewerZone(r).String()
		}
	} else {
		t = ""
	}
	// Started from a thread: the poll will belong to it (the core checks
	// that the thread is in this group and visible to the author).
	if th := r.URL.Query().Get("thread"); th != "" && len(th) <= 64 {
		if f.Values == nil {
			f.Values = map[string]string{}
		}
		f.Values["thread_id"] = th
	}
	s.renderPollForm(w, r, http.StatusOK, s.pollFormData(r, g, nil, t, f))
}

func (s *Server) pollCreateSubmit(w http.ResponseWriter, r *http.Request) {
	listErr, ok := s.pagePostForm(w, r)
	if !ok {
		return
	}
	gid := r.PathValue("id")
	t := poll.Type(r.PostFormValue("type"))
	loc := s.viewerZone(r)
	f := newForm(formFromPost(r))
	fail := func(err error) {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.pageError(w, r, err)
			return
		}
		g, gerr := s.pollGroup(r.Context(), gid)
		if gerr != nil {
			if listErr != nil { // the bound is the answer, whatever the group
				gerr = listErr
			}
			s.pageError(w, r, gerr)
			return
		}
		status := pollForm(f, err)
		if !t.Valid() {
			t = ""
		}
		s.renderPollForm(w, r, status, s.pollFormData(r, g, nil, t, f))
	}
	if listErr != nil {
		fail(listErr)
		return
	}
	if !t.Valid() {
		fail(domain.Validation(domain.FieldError{Field: "type", Message: "choose a kind of poll"}))
		return
	}
	d, err := defFromForm(t, r.PostForm, loc, nil)
	if err != nil {
		fail(err)
		return
	}
	var voters []string
	if d.Settings.SpecifiedVotersOnly {
		voters = votersFromForm(r.PostForm)
		for _, id := range voters {
			f.Values["voter:"+id] = "on"
		}
	}
	notifyValues(r.PostForm, f.Values)
	var aud *notify.Audience
	if d.Settings.ClosingAt != nil { // a draft notifies nobody
		aud = audienceFromForm(r.PostForm)
	}
	p, err := s.decisions.Create(r.Context(), decision.CreateInput{GroupID: gid, ThreadID: r.PostFormValue("thread_id"), Definition: d,
		Voters: voters, Notify: aud})
	if err != nil {
		fail(err)
		return
	}
	done := "created"
	if p.Status == poll.StatusDraft {
		done = "draft"
	}
	redirect(w, r, pollURL(p.ID)+"?done="+done)
}

// formFromPost keeps the posted values for re-rendering a form.
func formFromPost(r *http.Request) map[string]string {
	v := map[string]string{}
	for k, vs := range r.PostForm {
		if len(vs) > 0 {
			v[k] = vs[0]
		}
	}
	return v
}

func (s *Server) pollEditPage(w http.ResponseWriter, r *http.Request) {
	p, g, err := s.pollForAdmin(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := newForm(formValues(p.Definition, s.viewerZone(r)))
	s.renderPollForm(w, r, http.StatusOK, s.pollFormData(r, g, &p, p.Definition.Type, f))
}

// pollForAdmin loads a poll for its edit form; whether the viewer may edit
// is decided by the core on submit, the page only shows it to poll admins.
func (s *Server) pollForAdmin(r *http.Request) (decision.Poll, *group.Group, error) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		return decision.Poll{}, nil, err
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		return p, nil, err
	}
	g, _ := s.pollGroup(r.Context(), p.GroupID)
	if !s.pollAdmin(r, p) {
		return p, g, decision.ErrPollAdminOnly
	}
	return p, g, nil
}

// pollAdmin asks the policy whether the viewer is one of the poll's admins
// (authz.PollAdmin, the rule the decision core enforces), to decide which
// controls the page shows.
func (s *Server) pollAdmin(r *http.Request, p decision.Poll) bool {
	a := authz.ActorFrom(r.Context())
	if !a.Authenticated() {
		return false
	}
	target := authz.Target{Kind: "poll", ID: p.ID, ThreadID: p.ThreadID, Author: a.UserID == p.AuthorID}
	return s.groups.Authorize(r.Context(), p.GroupID, authz.PollAdmin, target) == nil
}

func (s *Server) pollEditSubmit(w http.ResponseWriter, r *http.Request) {
	listErr, ok := s.pagePostForm(w, r)
	if !ok {
		return
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		if listErr != nil { // the bound is the answer, whatever the poll
			err = listErr
		}
		s.pageError(w, r, err)
		return
	}
	f := newForm(formFromPost(r))
	notifyValues(r.PostForm, f.Values)
	var d poll.Definition
	err = listErr
	if err == nil {
		d, err = defFromForm(p.Definition.Type, r.PostForm, s.viewerZone(r), &p.Definition)
	}
	if err == nil {
		var version int64
		if v := r.PostFormValue("version"); v != "" {
			version, _ = strconv.ParseInt(v, 10, 64)
		}
		var aud *notify.Audience
		if p.Status == poll.StatusDraft && d.Settings.ClosingAt != nil { // publishing
			aud = audienceFromForm(r.PostForm)
		}
		_, err = s.decisions.Update(r.Context(), p.ID, decision.UpdateInput{Definition: d, Version: version, Notify: aud})
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound, domain.Forbidden:
			s.pageError(w, r, err)
			return
		}
		g, _ := s.pollGroup(r.Context(), p.GroupID)
		status := pollForm(f, err)
		s.renderPollForm(w, r, status, s.pollFormData(r, g, &p, p.Definition.Type, f))
		return
	}
	redirect(w, r, pollURL(p.ID)+"?done=saved")
}

// ---- list ----

type pollListItem struct {
	ID, Title, Type, Status, When string
}

type pollListData struct {
	Group  *group.Group
	Polls  []pollListItem
	Next   string
	Notice string
}

func (s *Server) pollListPage(w http.ResponseWriter, r *http.Request) {
	cursor, _, err := groupPageParams(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	g, err := s.pollGroup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	page, err := s.decisions.List(r.Context(), g.ID, cursor, 50)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	loc := s.viewerZone(r)
	d := pollListData{Group: g, Next: page.Next, Notice: pollNotices[r.URL.Query().Get("done")]}
	for _, p := range page.Items {
		it := pollListItem{ID: p.ID, Title: p.Definition.Title, Type: pollTypeName(p.Definition.Type), Status: string(p.Status)}
		switch {
		case p.Status == poll.StatusOpen && p.Definition.Settings.ClosingAt != nil:
			it.When = "closes " + fmtWhen(*p.Definition.Settings.ClosingAt, loc)
		case p.Status == poll.StatusClosed && p.ClosedAt != nil:
			it.When = "closed " + fmtWhen(*p.ClosedAt, loc)
		case p.Status == poll.StatusClosed && p.Definition.Settings.ClosingAt != nil:
			it.When = "closed " + fmtWhen(*p.Definition.Settings.ClosingAt, loc)
		}
		d.Polls = append(d.Polls, it)
	}
	s.web.Page(w, r, http.StatusOK, "poll_list", "Polls of "+g.Name, d)
}

// ---- the poll page ----

type voteOption struct {
	ID, Label  string
	Checked    bool
	Value      string // score or dots
	Answer     int    // meeting: 2 yes, 1 maybe, 0 no, -1 none
	Rank       int    // ranked choice: 1..N, 0 unranked
	First      bool
	Last       bool
	FieldID    string
	FieldName  string
	AnswerName string
}

type voteForm struct {
	Form                       *formState
	Type                       string
	Radio, Checks, Scores      bool
	Ranked, Dots, Meeting      bool
	Question                   bool
	Options                    []voteOption
	NoneOffered, None          bool
	Reason                     string
	ReasonOff, ReasonRequired  bool
	ReasonMax                  int
	Order                      string
	N                          int
	Budget, Used, Left         int
	MinScore, MaxScore         int
	Maybe                      bool
	Zone                       string
	Anonymous, Voted, Changing bool
	Receipt                    string
	MinChoices, MaxChoices     int
}

type resultRow struct {
	Label, Total, Voters, Average, ScorePct, VoterPct string
	Yes, Maybe, No                                    string
	Ranks                                             string
}

type ballotRow struct {
	Name, Vote, Reason, When string
}

type pollPageData struct {
	Poll       decision.Poll
	Group      *group.Group
	TypeName   string
	Status     string
	When       string
	Zone       string
	Notice     string
	Admin      bool
	SignedIn   bool
	CanVote    bool
	Mine       decision.MyBallot
	MineText   string
	Vote       *voteForm
	Receipt    string
	Hidden     *decision.Hidden
	HasResults bool
	Chart      template.HTML
	Rows       []resultRow
	Extra      []string
	Summary    []string
	Ranked     []string
	Meeting    bool
	Ballots    []ballotRow
	MoreVotes  bool
	Outcome    *decision.Outcome
	OutcomeAt  string
	ICS        bool
	OutForm    *formState
	Meetings   []voteOption
	Action     *formState
	NowLocal   string
	Reopenable bool
	Anonymous  bool
	Question   bool
	// Specified voters (polls with chosen voters only): the list, and for
	// poll admins of a poll that is not closed the members to add.
	Specified    bool
	Voters       []voterChoice
	MoreVoters   bool
	ManageVoters bool
	Addable      []voterChoice
	// CanAddOption shows "add an option" (voters where the poll allows it,
	// poll admins); MeetingOption asks for a date or time instead of a label.
	CanAddOption  bool
	MeetingOption bool
	OptionZone    string
	// BallotsNote says why the list of votes is not shown to a viewer who
	// sees the results (a guest who is not a voter).
	BallotsNote string
	// Announce is the "Notify people" form (nil for drafts and for viewers
	// who may notify nobody); AnnounceForm carries a failed one.
	Announce     *notifyForm
	AnnounceForm *formState
}

func (s *Server) pollPage(w http.ResponseWriter, r *http.Request) {
	s.renderPoll(w, r, http.StatusOK, nil)
}

// renderPoll renders the poll page; edit adjusts the data (form errors, a
// receipt to show once, the ranked order being edited).
func (s *Server) renderPoll(w http.ResponseWriter, r *http.Request, status int, edit func(*pollPageData)) {
	ctx := r.Context()
	pid := r.PathValue("pid")
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	g, _ := s.pollGroup(ctx, p.GroupID) // guests of the poll's thread may not see the group
	a := authz.ActorFrom(ctx)
	loc := s.viewerZone(r)
	d := pollPageData{Poll: p, Group: g, TypeName: pollTypeName(p.Definition.Type), Status: string(p.Status), Zone: loc.String(),
		Notice: pollNotices[r.URL.Query().Get("done")], Admin: s.pollAdmin(r, p), SignedIn: a.Authenticated(),
		Anonymous: p.Definition.Settings.Anonymous, Question: p.Definition.Type == poll.TypeQuestion,
		Meeting: p.Definition.Type == poll.TypeMeeting, NowLocal: time.Now().In(loc).Add(7 * 24 * time.Hour).Truncate(time.Hour).Format(localInput)}
	st := p.Definition.Settings
	switch {
	case p.Status == poll.StatusOpen && st.ClosingAt != nil:
		d.When = "Closes " + fmtWhen(*st.ClosingAt, loc)
	case p.Status == poll.StatusClosed && p.ClosedAt != nil:
		d.When = "Closed " + fmtWhen(*p.ClosedAt, loc)
	case p.Status == poll.StatusClosed && st.ClosingAt != nil:
		d.When = "Closed " + fmtWhen(*st.ClosingAt, loc)
	case p.Status == poll.StatusDraft:
		d.When = "Draft: only you can see it. Set a closing time to open it."
	}
	d.Reopenable = p.Status == poll.StatusClosed && !st.Anonymous
	if a.Authenticated() {
		if m, err := s.decisions.Mine(ctx, pid); err == nil {
			d.Mine = m
			if m.Ballot != nil {
				d.MineText = ballotText(p.Definition, *m.Ballot)
			}
		}
		// Voters, and (to change or withdraw) whoever has a ballot.
		d.CanVote = p.Status == poll.StatusOpen && (d.Mine.Eligible || d.Mine.Voted)
	}
	if d.CanVote {
		d.Vote = s.voteFormFor(r, p, d.Mine, nil, nil)
	}
	s.pollVoters(ctx, &d)
	d.CanAddOption = p.Status == poll.StatusOpen && p.Definition.Type.FreeOptions() && (d.Admin || (d.CanVote && st.VotersMayAddOptions))
	d.MeetingOption, d.OptionZone = d.Meeting, zoneName(p.Definition)

	// Results, through the one gate.
	res, err := s.decisions.Results(ctx, pid)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Hidden = res.Hidden
	if res.Hidden == nil && res.Results != nil {
		d.HasResults = true
		s.fillResults(&d, p, res)
		bl, err := s.decisions.Ballots(ctx, pid, "", 100)
		if domain.ErrorCode(err) == domain.Forbidden {
			d.BallotsNote = "The list of votes and reasons is for the group's members and this poll's voters."
		}
		if err == nil && bl.Hidden == nil {
			named := s.ballotsWithNames(ctx, bl)
			for _, b := range named.Items {
				row := ballotRow{Name: b.Name, Vote: ballotText(p.Definition, poll.Ballot{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove}), Reason: b.Reason}
				if p.Definition.Settings.Anonymous {
					row.Name = "Anonymous voter"
				} else if row.Name == "" {
					row.Name = "Someone"
				}
				if b.UpdatedAt != nil {
					row.When = fmtWhen(*b.UpdatedAt, loc)
				}
				d.Ballots = append(d.Ballots, row)
			}
			d.MoreVotes = bl.Next != ""
		}
	}
	if o, err := s.decisions.GetOutcome(ctx, pid); err == nil {
		d.Outcome = &o
		if opt, ok := p.Definition.Option(o.MeetingOptionID); ok && p.Definition.Type == poll.TypeMeeting {
			d.OutcomeAt = optionLabel(p.Definition, opt) + " (" + zoneName(p.Definition) + ")"
			d.ICS = true
		}
	}
	if d.Admin && p.Status == poll.StatusClosed {
		vals := map[string]string{}
		if d.Outcome != nil {
			vals["statement"] = d.Outcome.Statement
			vals["meeting_option_id"] = d.Outcome.MeetingOptionID
			vals["version"] = strconv.FormatInt(d.Outcome.Version, 10)
			if d.Outcome.ReviewOn != nil {
				vals["review_on"] = d.Outcome.ReviewOn.In(loc).Format("2006-01-02")
			}
		}
		d.OutForm = newForm(vals)
		if d.Meeting {
			for _, o := range p.Definition.Options {
				d.Meetings = append(d.Meetings, voteOption{ID: o.ID, Label: optionLabel(p.Definition, o), Checked: vals["meeting_option_id"] == o.ID})
			}
		}
	}
	if edit != nil {
		edit(&d)
	}
	if a.Authenticated() && p.Status != poll.StatusDraft {
		// "Notify people": the list of people on request (or after a
		// failed attempt, with its choices), so that the page reads them
		// only then.
		af, link := d.AnnounceForm, ""
		if af == nil {
			af = newForm(nil)
			if r.URL.Query().Get("notify") != "people" {
				link = pollURL(p.ID) + "?notify=people#notify"
			}
		}
		if d.Announce = s.notifyFormFor(ctx, g, p.ThreadID, af, false, link); d.Announce != nil {
			d.Announce.Action, d.Announce.Button = pollURL(p.ID, "/announce"), "Notify"
			d.Announce.Open = d.Announce.Open || link == ""
		}
	}
	s.web.Page(w, r, status, "poll_show", p.Definition.Title, d)
}

func zoneName(d poll.Definition) string {
	if d.Settings.TimeZone == "" {
		return "UTC"
	}
	return d.Settings.TimeZone
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

// fillResults turns the gated results into the chart, the table and the
// summary lines.
func (s *Server) fillResults(d *pollPageData, p decision.Poll, v decision.ResultsView) {
	def := p.Definition
	res := v.Results
	label := func(o poll.OptionResult) string {
		if opt, ok := def.Option(o.ID); ok {
			return optionLabel(def, opt)
		}
		return o.Label
	}
	title := "Results of " + def.Title
	desc := fmt.Sprintf("%d of %d voters have voted.", res.Decided, res.Eligible)
	for _, o := range res.Options {
		row := resultRow{Label: label(o), Total: strconv.FormatInt(o.Total, 10), Voters: strconv.FormatInt(o.Voters, 10),
			Average: strconv.FormatFloat(o.Average, 'f', 2, 64), ScorePct: pct(o.ScorePercent), VoterPct: pct(o.VoterPercent)}
		if def.Type == poll.TypeMeeting {
			row.Yes = strconv.FormatInt(o.ScoreCounts[poll.MeetingYes], 10)
			row.Maybe = strconv.FormatInt(o.ScoreCounts[poll.MeetingMaybe], 10)
			row.No = strconv.FormatInt(o.ScoreCounts[poll.MeetingNo], 10)
		}
		if len(o.RankCounts) > 0 {
			parts := make([]string, len(o.RankCounts))
			for i, c := range o.RankCounts {
				parts[i] = fmt.Sprintf("%d× #%d", c, i+1)
			}
			row.Ranks = strings.Join(parts, ", ")
		}
		d.Rows = append(d.Rows, row)
	}
	for _, x := range res.Rows {
		name := "Undecided"
		if x.Kind == poll.RowNoneOfTheAbove {
			name = "None of the above"
		}
		d.Extra = append(d.Extra, fmt.Sprintf("%s: %d (%s of eligible voters)", name, x.Voters, pct(x.VoterPercent)))
	}
	d.Summary = append(d.Summary, fmt.Sprintf("%d of %d eligible voters have voted.", res.Decided, res.Eligible))
	if q := res.Quorum; q != nil {
		state := "not reached"
		if q.Reached {
			state = "reached"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("Quorum of %d%% (%d voters): %s.", q.Percent, q.Required, state))
	}
	if t := res.Target; t != nil {
		state := "not reached yet"
		if t.Reached {
			state = "reached"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("%d of the %d accepts aimed for (%s): %s.", t.Accepts, t.Target, pct(t.Percent), state))
	}
	for _, vs := range res.VoteShare {
		name := vs.OptionID
		if o, ok := def.Option(vs.OptionID); ok {
			name = o.Label
		}
		state := "not met"
		if vs.Passed {
			state = "met"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("Requirement %s %s %s %v%%: %s (%s).", name, strings.ReplaceAll(string(vs.Measure), "_", " "), vs.Op, vs.Threshold, state, pct(vs.Value)))
	}
	if rc := v.RankedChoice; rc != nil {
		names := func(ids []string) string {
			out := make([]string, 0, len(ids))
			for _, id := range ids {
				if o, ok := def.Option(id); ok {
					out = append(out, o.Label)
				}
			}
			if len(out) == 0 {
				return "none"
			}
			return strings.Join(out, ", ")
		}
		d.Ranked = append(d.Ranked, "Condorcet (Schulze) winners: "+names(rc.Schulze.Winners)+".")
		d.Ranked = append(d.Ranked, fmt.Sprintf("Single transferable vote (%d seat(s), Droop quota): elected %s.", rc.STV.Seats, names(rc.STV.Elected)))
	}

	id := "poll-" + p.ID
	switch def.Type {
	case poll.TypeProposal, poll.TypeCheck, poll.TypeCount:
		segs := make([]chart.Segment, 0, len(res.Options))
		for _, o := range res.Options {
			segs = append(segs, chart.Segment{Label: label(o), Value: float64(o.Total), Text: fmt.Sprintf("%d (%s)", o.Total, pct(o.ScorePercent))})
		}
		d.Chart = chart.Stacked(id, title, desc+" Share of votes per option.", segs)
	case poll.TypeMeeting:
		cols := []string{"Yes", "Maybe", "No"}
		if !def.Settings.CanRespondMaybe {
			cols = []string{"Yes", "No"}
		}
		rows := make([]chart.GridRow, 0, len(res.Options))
		for _, o := range res.Options {
			counts := []int64{o.ScoreCounts[poll.MeetingYes], o.ScoreCounts[poll.MeetingMaybe], o.ScoreCounts[poll.MeetingNo]}
			if !def.Settings.CanRespondMaybe {
				counts = []int64{counts[0], counts[2]}
			}
			rows = append(rows, chart.GridRow{Label: label(o), Counts: counts})
		}
		d.Chart = chart.Grid(id, title, desc+" Answers per time, in "+zoneName(def)+".", cols, rows)
	case poll.TypeQuestion:
	default:
		unit := map[poll.Type]string{poll.TypePoll: "votes", poll.TypeScore: "points", poll.TypeRankedChoice: "points", poll.TypeDotVote: "dots"}[def.Type]
		bars := make([]chart.Bar, 0, len(res.Options))
		for _, o := range res.Options {
			text := fmt.Sprintf("%d %s", o.Total, unit)
			if def.Type == poll.TypeScore {
				text = fmt.Sprintf("%d (avg %.1f)", o.Total, o.Average)
			}
			bars = append(bars, chart.Bar{Label: label(o), Value: float64(o.Total), Text: text})
		}
		d.Chart = chart.Bars(id, title, desc+" Total "+unit+" per option, largest first.", bars)
	}
}

// ballotText describes a ballot in words.
func ballotText(d poll.Definition, b poll.Ballot) string {
	if b.NoneOfTheAbove {
		return "None of the above"
	}
	name := func(id string) string {
		if o, ok := d.Option(id); ok {
			return optionLabel(d, o)
		}
		return id
	}
	var parts []string
	for i, c := range b.Choices {
		switch d.Type {
		case poll.TypeScore:
			parts = append(parts, fmt.Sprintf("%s: %d", name(c.OptionID), c.Score))
		case poll.TypeDotVote:
			parts = append(parts, fmt.Sprintf("%s: %d dots", name(c.OptionID), c.Score))
		case poll.TypeRankedChoice:
			parts = append(parts, fmt.Sprintf("%d. %s", i+1, name(c.OptionID)))
		case poll.TypeMeeting:
			ans := map[int]string{poll.MeetingYes: "yes", poll.MeetingMaybe: "maybe", poll.MeetingNo: "no"}[c.Score]
			parts = append(parts, name(c.OptionID)+": "+ans)
		default:
			parts = append(parts, name(c.OptionID))
		}
	}
	if len(parts) == 0 {
		if d.Type == poll.TypeQuestion {
			return "Answered"
		}
		return "No choice"
	}
	return strings.Join(parts, "; ")
}

// voteFormFor builds the vote form: from the posted form when given
// (re-rendering after an error or a move), else from the viewer's ballot.
func (s *Server) voteFormFor(r *http.Request, p decision.Poll, mine decision.MyBallot, posted *poll.Ballot, order []string) *voteForm {
	def := p.Definition
	st := def.Settings
	vf := &voteForm{Form: newForm(nil), Type: string(def.Type), NoneOffered: st.NoneOfTheAbove,
		ReasonOff: st.ReasonMode == poll.ReasonDisabled, ReasonRequired: st.ReasonMode == poll.ReasonRequired,
		ReasonMax: st.ReasonMaxLength, Budget: st.DotsPerPerson, MinScore: st.MinScore, MaxScore: st.MaxScore,
		Maybe: st.CanRespondMaybe, Zone: zoneName(def), Anonymous: st.Anonymous, Voted: mine.Voted,
		MinChoices: st.MinChoices, MaxChoices: st.MaxChoices, N: def.RankedN()}
	if vf.ReasonMax == 0 {
		vf.ReasonMax = poll.MaxReasonLength
	}
	switch def.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		vf.Radio = true
	case poll.TypePoll:
		vf.Radio = st.MaxChoices <= 1
		vf.Checks = !vf.Radio
	case poll.TypeScore:
		vf.Scores = true
	case poll.TypeRankedChoice:
		vf.Ranked = true
	case poll.TypeDotVote:
		vf.Dots = true
	case poll.TypeMeeting:
		vf.Meeting = true
	case poll.TypeQuestion:
		vf.Question = true
	}
	b := posted
	if b == nil && mine.Ballot != nil {
		b = mine.Ballot
	}
	scores := map[string]int{}
	ranks := map[string]int{}
	if b != nil {
		vf.None = b.NoneOfTheAbove
		vf.Reason = b.Reason
		for i, c := range b.Choices {
			scores[c.OptionID] = c.Score
			ranks[c.OptionID] = i + 1
		}
	}
	a := authz.ActorFrom(r.Context())
	opts := poll.DisplayOrder(def, poll.ShuffleSeed(p.ID, a.UserID))
	if def.Type == poll.TypeRankedChoice {
		opts = rankedOrder(def, opts, order, b)
	}
	for i, o := range opts {
		vo := voteOption{ID: o.ID, Label: optionLabel(def, o), FieldID: "opt-" + o.ID, Answer: -1}
		sc, has := scores[o.ID]
		switch {
		case vf.Radio || vf.Checks:
			vo.Checked = has
		case vf.Scores:
			if has {
				vo.Value = strconv.Itoa(sc)
			}
			vo.FieldName = "score." + o.ID
		case vf.Dots:
			vo.Value = "0"
			if has {
				vo.Value = strconv.Itoa(sc)
				vf.Used += sc
			}
			vo.FieldName = "dots." + o.ID
		case vf.Meeting:
			if has {
				vo.Answer = sc
			}
			vo.AnswerName = "answer." + o.ID
		case vf.Ranked:
			if i < vf.N {
				vo.Rank = i + 1
			}
			vo.First, vo.Last = i == 0, i == len(opts)-1
		}
		vf.Options = append(vf.Options, vo)
	}
	if vf.Ranked {
		ids := make([]string, len(opts))
		for i, o := range opts {
			ids[i] = o.ID
		}
		vf.Order = strings.Join(ids, ",")
	}
	vf.Left = vf.Budget - vf.Used
	return vf
}

// rankedOrder is the order of a ranked-choice form: the posted order when
// it names every option once, else the ballot's ranking first, then the
// rest in display order.
func rankedOrder(d poll.Definition, display []poll.Option, order []string, b *poll.Ballot) []poll.Option {
	byID := map[string]poll.Option{}
	for _, o := range d.Options {
		byID[o.ID] = o
	}
	if len(order) == len(d.Options) {
		out := make([]poll.Option, 0, len(order))
		seen := map[string]bool{}
		for _, id := range order {
			o, ok := byID[id]
			if !ok || seen[id] {
				out = nil
				break
			}
			seen[id] = true
			out = append(out, o)
		}
		if out != nil {
			return out
		}
	}
	var out []poll.Option
	seen := map[string]bool{}
	if b != nil {
		for _, c := range b.Choices {
			if o, ok := byID[c.OptionID]; ok && !seen[c.OptionID] {
				out = append(out, o)
				seen[c.OptionID] = true
			}
		}
	}
	for _, o := range display {
		if !seen[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

// ballotFromForm reads the vote form of any type. Numbers that do not parse
// are field errors; every other rule is the core's.
func ballotFromForm(d poll.Definition, form url.Values) (poll.Ballot, []string, error) {
	var fe domain.FieldErrors
	b := poll.Ballot{Reason: form.Get("reason"), NoneOfTheAbove: form.Get("none") != ""}
	var order []string
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck, poll.TypePoll:
		for _, id := range form["choice"] {
			if id == "none_of_the_above" {
				b.NoneOfTheAbove = true
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: id, Score: 1})
		}
	case poll.TypeScore, poll.TypeDotVote:
		prefix := "score."
		if d.Type == poll.TypeDotVote {
			prefix = "dots."
		}
		for _, o := range d.Options {
			v := strings.TrimSpace(form.Get(prefix + o.ID))
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add("choices", "%s: must be a whole number", o.Label)
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: o.ID, Score: n})
		}
	case poll.TypeRankedChoice:
		order = formCommas(form.Get("order"))
		if !b.NoneOfTheAbove {
			for i, id := range order {
				if i >= d.RankedN() {
					break
				}
				b.Choices = append(b.Choices, poll.Choice{OptionID: id})
			}
		}
	case poll.TypeMeeting:
		for _, o := range d.Options {
			v := form.Get("answer." + o.ID)
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add("choices", "%s: choose yes, maybe or no", optionLabel(d, o))
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: o.ID, Score: n})
		}
	}
	return b, order, fe.Err()
}

// move applies "up:<id>" or "down:<id>" to a ranked order.
func move(order []string, cmd string) []string {
	dir, id, ok := strings.Cut(cmd, ":")
	if !ok {
		return order
	}
	i := slices.Index(order, id)
	if i < 0 {
		return order
	}
	out := slices.Clone(order)
	switch {
	case dir == "up" && i > 0:
		out[i-1], out[i] = out[i], out[i-1]
	case dir == "down" && i < len(out)-1:
		out[i+1], out[i] = out[i], out[i+1]
	}
	return out
}

func (s *Server) pollVoteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := s.decisions.Get(ctx, r.PathValue("pid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	b, order, perr := ballotFromForm(p.Definition, r.PostForm)
	receipt := strings.TrimSpace(r.PostFormValue("receipt"))
	// A move button of the ranked-choice form reorders without voting.
	if m := r.PostFormValue("move"); m != "" && p.Definition.Type == poll.TypeRankedChoice {
		order = move(order, m)
		s.renderPoll(w, r, http.StatusOK, func(d *pollPageData) {
			if d.Vote != nil {
				d.Vote = s.voteFormFor(r, p, d.Mine, &b, order)
				d.Vote.Receipt = receipt
				d.Vote.Changing = true
			}
		})
		return
	}
	var res decision.VoteResult
	err = perr
	if err == nil {
		res, err = s.decisions.Vote(ctx, p.ID, decision.VoteInput{Ballot: b, Receipt: receipt})
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized:
			s.pageError(w, r, err)
			return
		case domain.NotFound:
			if err != decision.ErrReceipt {
				s.pageError(w, r, err)
				return
			}
		}
		f := newForm(nil)
		status := pollForm(f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) {
			if d.Vote == nil {
				d.Action = f
				return
			}
			d.Vote = s.voteFormFor(r, p, d.Mine, &b, order)
			d.Vote.Form = f
			d.Vote.Receipt = receipt
			d.Vote.Changing = true
		})
		return
	}
	if res.Receipt != "" {
		// Shown once, on this response only: never in a URL or a log.
		s.renderPoll(w, r, http.StatusOK, func(d *pollPageData) {
			d.Receipt = res.Receipt
			d.Notice = pollNotices["voted"]
		})
		return
	}
	done := "voted"
	if res.Changed {
		done = "changed"
	}
	redirect(w, r, pollURL(p.ID)+"?done="+done+"#results-title")
}

// pollAction runs an admin action of the poll page: success redirects with
// a notice, a refusal renders the page again with the reason.
func (s *Server) pollAction(w http.ResponseWriter, r *http.Request, done string, fn func(ctx context.Context, pid string) error) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	if err := fn(r.Context(), pid); err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.pageError(w, r, err)
			return
		}
		f := newForm(formFromPost(r))
		status := pollForm(f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) { d.Action = f })
		return
	}
	if done == "deleted" {
		return // the handler redirected
	}
	redirect(w, r, pollURL(pid)+"?done="+done)
}

func (s *Server) pollWithdrawSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "withdrawn", func(ctx context.Context, pid string) error {
		return s.decisions.Withdraw(ctx, pid, strings.TrimSpace(r.PostFormValue("receipt")))
	})
}

func (s *Server) pollCloseSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "closed", func(ctx context.Context, pid string) error {
		_, err := s.decisions.Close(ctx, pid)
		return err
	})
}

func (s *Server) closingFromForm(r *http.Request) (time.Time, error) {
	at, err := parseLocal("closing_at", r.PostFormValue("closing_at"), s.viewerZone(r))
	if err != nil {
		return time.Time{}, err
	}
	if at == nil {
		return time.Time{}, domain.Validation(domain.FieldError{Field: "closing_at", Message: "is required"})
	}
	return *at, nil
}

func (s *Server) pollExtendSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "extended", func(ctx context.Context, pid string) error {
		at, err := s.closingFromForm(r)
		if err == nil {
			_, err = s.decisions.Extend(ctx, pid, at)
		}
		return err
	})
}

func (s *Server) pollReopenSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "reopened", func(ctx context.Context, pid string) error {
		at, err := s.closingFromForm(r)
		if err == nil {
			_, err = s.decisions.Reopen(ctx, pid, at)
		}
		return err
	})
}

func (s *Server) pollRemindSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "reminded", func(ctx context.Context, pid string) error {
		_, err := s.decisions.Remind(ctx, pid)
		return err
	})
}

func (s *Server) pollDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "deleted", func(ctx context.Context, pid string) error {
		p, err := s.decisions.Get(ctx, pid)
		if err != nil {
			return err
		}
		if err := s.decisions.DeleteDraft(ctx, pid); err != nil {
			return err
		}
		redirect(w, r, groupURL(p.GroupID, "/polls")+"?done=deleted")
		return nil
	})
}

func (s *Server) pollOutcomeSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	in := decision.OutcomeInput{Statement: r.PostFormValue("statement"), MeetingOptionID: r.PostFormValue("meeting_option_id")}
	var err error
	if v := strings.TrimSpace(r.PostFormValue("review_on")); v != "" {
		day, perr := time.ParseInLocation("2006-01-02", v, s.viewerZone(r))
		if perr != nil {
			err = domain.Validation(domain.FieldError{Field: "review_on", Message: "must be a date like 2026-09-01"})
		} else {
			at := day.Add(9 * time.Hour) // the morning of that day
			in.ReviewOn = &at
		}
	}
	if v := r.PostFormValue("version"); v != "" {
		in.Version, _ = strconv.ParseInt(v, 10, 64)
	}
	if err == nil {
		_, err = s.decisions.SetOutcome(r.Context(), pid, in)
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.pageError(w, r, err)
			return
		}
		f := newForm(formFromPost(r))
		status := pollForm(f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) {
			if d.OutForm == nil {
				d.Action = f
				return
			}
			d.OutForm = f
			for i := range d.Meetings {
				d.Meetings[i].Checked = d.Meetings[i].ID == in.MeetingOptionID
			}
		})
		return
	}
	redirect(w, r, pollURL(pid)+"?done=outcome#outcome-title")
}

// ---- receipts ----

type receiptData struct {
	Poll   decision.Poll
	Form   *formState
	Result string
	Vote   string
}

func (s *Server) pollReceiptPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.web.Page(w, r, http.StatusOK, "poll_receipt", "Check your receipt", receiptData{Poll: p, Form: newForm(nil)})
}

func (s *Server) pollReceiptSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := receiptData{Poll: p, Form: newForm(nil)} // the receipt is never echoed back
	v, err := s.decisions.VerifyReceipt(r.Context(), p.ID, strings.TrimSpace(r.PostFormValue("receipt")))
	status := http.StatusOK
	if err != nil {
		if c := domain.ErrorCode(err); c == domain.Internal || c == domain.Unavailable || c == domain.Unauthorized {
			s.pageError(w, r, err)
			return
		}
		if err == decision.ErrReceipt {
			err = domain.Validation(domain.FieldError{Field: "receipt", Message: "does not match a ballot in this poll"})
		}
		status = pollForm(d.Form, err)
	} else if v.Counted {
		d.Result = "Your ballot is stored and counted."
		d.Vote = ballotText(p.Definition, v.Ballot)
	}
	s.web.Page(w, r, status, "poll_receipt", "Check your receipt", d)
}
