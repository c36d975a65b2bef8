package pages

// The poll forms: creating and editing a poll's definition (type, options,
// timing, vote share, voters), adding options and voters, and reading each
// back from the posted form.

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

// The poll form's vote-share requirements, specified voters and "voters may
// add options", and the poll page's voter list and "add an option" form.
// Everything is decided by the decision core; these only translate forms.

// voteShareRows is how many requirement rows the form offers (the core
// allows poll.MaxRequirements).
const voteShareRows = poll.MaxRequirements

// maxFormMembers bounds the members offered as voters on the forms.
const maxFormMembers = 100

// voteShareRow is one requirement row of the poll form.
type voteShareRow struct {
	N                          int
	Option, Measure, Op, Value string
}

// voterChoice is a member offered as a voter (checkbox or select).
type voterChoice struct {
	ID, Name string
	Checked  bool
}

// voteShareValues writes d's requirements into the form's values: the
// option by its label, so that it survives the options being rewritten.
func voteShareValues(d poll.Definition, v map[string]string) {
	for i, r := range d.Settings.VoteShare {
		n := strconv.Itoa(i + 1)
		label := r.OptionID
		if o, ok := d.Option(r.OptionID); ok && o.Label != "" {
			label = o.Label
		}
		v["vs_option_"+n], v["vs_measure_"+n], v["vs_op_"+n] = label, string(r.Measure), string(r.Op)
		v["vs_threshold_"+n] = strconv.FormatFloat(r.Threshold, 'f', -1, 64)
	}
	v["voters_may_add_options"] = onOff(d.Settings.VotersMayAddOptions)
	v["specified_voters_only"] = onOff(d.Settings.SpecifiedVotersOnly)
	v["thread_guests_may_vote"] = onOff(d.Settings.ThreadGuestsMayVote)
}

// voteShareForm returns the form's requirement rows for the template.
func voteShareForm(v map[string]string) []voteShareRow {
	rows := make([]voteShareRow, 0, voteShareRows)
	for i := 1; i <= voteShareRows; i++ {
		n := strconv.Itoa(i)
		r := voteShareRow{N: i, Option: v["vs_option_"+n], Measure: v["vs_measure_"+n], Op: v["vs_op_"+n], Value: v["vs_threshold_"+n]}
		if r.Measure == "" {
			r.Measure = string(poll.MeasureVoterPercent)
		}
		if r.Op == "" {
			r.Op = string(poll.AtLeast)
		}
		rows = append(rows, r)
	}
	return rows
}

// presetsByID lets a vote-share row name a preset option as the form shows
// it, in the reader's language ("Zustimmung"): such a row is rewritten to
// the preset's id, which voteShareFromForm accepts beside its label.
func presetsByID(pr *i18n.Printer, form url.Values) {
	for i := 1; i <= voteShareRows; i++ {
		key := "vs_option_" + strconv.Itoa(i)
		v := strings.TrimSpace(form.Get(key))
		for _, id := range proposalPresets {
			if v != "" && strings.EqualFold(v, pr.T("poll.option."+id)) {
				form.Set(key, id)
			}
		}
	}
}

// voteShareFromForm reads the requirement rows into d (options already
// built from the form). A row names its option by label (or preset name).
func voteShareFromForm(d *poll.Definition, form url.Values, fe *domain.FieldErrors) {
	if !d.Type.AllowsVoteShare() {
		return
	}
	_, rows := form["vs_rows"]
	if _, shown := form["vs_option_1"]; !shown && !rows {
		return // a form without the rows (an older page) keeps what is set
	}
	var rs []poll.Requirement
	for i := 1; i <= voteShareRows; i++ {
		n := strconv.Itoa(i)
		label := strings.TrimSpace(form.Get("vs_option_" + n))
		if label == "" {
			continue
		}
		var id string
		for _, o := range d.Options {
			if strings.EqualFold(o.Label, label) || o.ID == label {
				id = o.ID
				break
			}
		}
		if id == "" {
			fe.Add("vote_share", "requirement %d: %q is not one of the options", i, label)
			continue
		}
		th, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(form.Get("vs_threshold_"+n)), "%")), 64)
		if err != nil {
			fe.Add("vote_share", "requirement %d: the percent must be a number like 50 or 66.67", i)
			continue
		}
		rs = append(rs, poll.Requirement{OptionID: id, Measure: poll.Measure(form.Get("vs_measure_" + n)),
			Op: poll.Comparison(form.Get("vs_op_" + n)), Threshold: th})
	}
	d.Settings.VoteShare = rs
}

// groupMembers lists up to maxFormMembers members of a group for the
// forms (those who may list them; nobody else is offered anything).
func (s *Server) groupMembers(ctx context.Context, gid string) []group.Member {
	pg, err := s.groups.Members(ctx, gid, "", maxFormMembers)
	if err != nil {
		return nil
	}
	return pg.Items
}

// voterChoices offers the group's members as voters, checked when chosen.
func voterChoices(pr *i18n.Printer, members []group.Member, chosen []string) []voterChoice {
	on := map[string]bool{}
	for _, id := range chosen {
		on[id] = true
	}
	out := make([]voterChoice, 0, len(members))
	for _, m := range members {
		name := m.Name
		if name == "" {
			name = pr.T("page.poll.someone")
		}
		out = append(out, voterChoice{ID: m.UserID, Name: name, Checked: on[m.UserID]})
	}
	return byName(out)
}

// byName sorts people for a list to pick from: by name, ignoring case.
func byName(cs []voterChoice) []voterChoice {
	slices.SortStableFunc(cs, func(a, b voterChoice) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Name, b.Name))
	})
	return cs
}

// guestChoices offers the guests of thread tid as voters, when the viewer
// may list them (those who may add guests).
func (s *Server) guestChoices(ctx context.Context, pr *i18n.Printer, tid string, chosen []string) []voterChoice {
	if tid == "" || s.discussions == nil {
		return nil
	}
	guests, err := s.discussions.Guests(ctx, tid)
	if err != nil {
		return nil
	}
	on := map[string]bool{}
	for _, id := range chosen {
		on[id] = true
	}
	out := make([]voterChoice, 0, len(guests))
	for _, g := range guests {
		out = append(out, voterChoice{ID: g.UserID, Name: pr.T("page.pollform.guest_name", "Name", pr.Isolate(g.Name)), Checked: on[g.UserID]})
	}
	return byName(out)
}

// ---- the poll page ----

// pollVoters fills the page's list of specified voters and, for poll
// admins of a poll that is not closed, the members who could be added.
func (s *Server) pollVoters(ctx context.Context, pr *i18n.Printer, d *pollPageData) {
	p := d.Poll
	if !p.Definition.Settings.SpecifiedVotersOnly {
		return
	}
	d.Specified = true
	vs, err := s.decisions.Voters(ctx, p.ID, "", 100)
	if err != nil {
		return
	}
	names := map[string]string{}
	var members []group.Member
	if d.Group != nil {
		members = s.groupMembers(ctx, p.GroupID)
		for _, m := range members {
			names[m.UserID] = m.Name
		}
	}
	guests := s.guestChoices(ctx, pr, p.ThreadID, nil)
	for _, g := range guests {
		names[g.ID] = g.Name
	}
	// Guests of the thread the viewer may not list are named by their
	// accounts (a chosen voter is a member or a guest).
	var unknown []string
	for _, v := range vs.Items {
		if _, ok := names[v.UserID]; !ok {
			unknown = append(unknown, v.UserID)
		}
	}
	for id, name := range s.names(ctx, unknown) {
		names[id] = name
	}
	is := map[string]bool{}
	for _, v := range vs.Items {
		is[v.UserID] = true
		name := names[v.UserID]
		if name == "" {
			name = pr.T("page.poll.someone")
		}
		d.Voters = append(d.Voters, voterChoice{ID: v.UserID, Name: name})
	}
	byName(d.Voters)
	d.MoreVoters = vs.Next != ""
	if d.Admin && p.Status != poll.StatusClosed {
		d.ManageVoters = true
		for _, m := range members {
			if !is[m.UserID] {
				d.Addable = append(d.Addable, voterChoice{ID: m.UserID, Name: m.Name})
			}
		}
		byName(d.Addable)
		for _, g := range guests {
			if !is[g.ID] {
				d.Addable = append(d.Addable, g)
			}
		}
	}
}

// pollAddOptionSubmit adds an option from the poll page (voters where the
// poll allows it; poll admins).
func (s *Server) PollAddOptionSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "option", func(ctx context.Context, pid string) error {
		p, err := s.decisions.Get(ctx, pid)
		if err != nil {
			return err
		}
		opt, err := optionFromForm(p.Definition, r.PostFormValue("label"))
		if err != nil {
			return err
		}
		_, err = s.decisions.AddOption(ctx, pid, opt)
		return err
	})
}

// optionFromForm reads a new option: a label, or for a meeting a date
// (2026-05-04) or a date and time (2026-05-04 17:00) in its time zone.
func optionFromForm(d poll.Definition, v string) (poll.Option, error) {
	v = strings.TrimSpace(v)
	if d.Type != poll.TypeMeeting {
		return poll.Option{Label: v}, nil
	}
	zone, err := time.LoadLocation(d.Settings.TimeZone)
	if err != nil || d.Settings.TimeZone == "" {
		zone = time.UTC
	}
	if day, err := time.ParseInLocation("2006-01-02", v, time.UTC); err == nil {
		return poll.Option{Start: day, AllDay: true}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", strings.Replace(v, "T", " ", 1), zone); err == nil {
		return poll.Option{Start: t}, nil
	}
	return poll.Option{}, domain.Validation(domain.FieldError{Field: "label", Message: "must be a date like 2026-05-04 or a time like 2026-05-04 17:00"})
}

// pollAddVoterSubmit adds a specified voter (poll admins).
func (s *Server) PollAddVoterSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "voter_added", func(ctx context.Context, pid string) error {
		uid := strings.TrimSpace(r.PostFormValue("user_id"))
		if uid == "" {
			return domain.Validation(domain.FieldError{Field: "user_id", Message: "choose a member"})
		}
		return s.decisions.AddVoter(ctx, pid, uid)
	})
}

// pollRemoveVoterSubmit removes a specified voter (poll admins); their
// ballot, if any, is withdrawn.
func (s *Server) PollRemoveVoterSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "voter_removed", func(ctx context.Context, pid string) error {
		return s.decisions.RemoveVoter(ctx, pid, r.PathValue("uid"))
	})
}

// votersFromForm are the voters chosen on the creation form.
func votersFromForm(form url.Values) []string {
	var out []string
	for _, v := range form["voter"] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

const localInput = "2006-01-02T15:04"

func fmtLocal(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format(localInput)
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

type pollTypeChoice struct {
	Type        poll.Type
	Name, About string
}

type pollFormData struct {
	Group *group.Group
	Poll  *decision.Poll
	Edit  bool
	Type  poll.Type
	Name  string
	// NewTitle is the heading of a new poll of the type ("New proposal").
	NewTitle string
	Types    []pollTypeChoice
	Form     *formState
	Zone     string
	Presets  []presetChoice
	// Flags of the type, for the template.
	FreeOptions, Meeting, Proposal, Question, Anonymous, AnonLocked, Shuffle, None, Choices, Score, Ranked, Dots, Count bool
	Action                                                                                                              string
	// Started is the template the form was opened from (its guide shows
	// above the form); Templates are the poll templates offered beside the
	// kinds of poll.
	Started   *startedFrom
	Templates []templateChoice
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
	// Tags is the tag picker of a new poll (tags_forms.go); an existing
	// poll's tags change on its "Edit tags" page.
	Tags *tagFields
	// The form's steps (polls_forms_preview.go): the vote-share rows shown
	// (VoteShareShown of them, AddRule while more are allowed), whether
	// "More settings" starts open, and the card previewed.
	VoteShareShown int
	AddRule        bool
	MoreOpen       bool
	Preview        *pollPreview
}

type presetChoice struct {
	ID, Label string
	Checked   bool
}

var proposalPresets = []string{poll.OptionAgree, poll.OptionAbstain, poll.OptionDisagree, poll.OptionBlock, poll.OptionConsent, poll.OptionObjection}

func (s *Server) pollFormData(r *http.Request, g *group.Group, p *decision.Poll, t poll.Type, f *formState) pollFormData {
	pr := s.web.Printer(r)
	d := pollFormData{Group: g, Poll: p, Edit: p != nil, Type: t, Name: pollTypeText(pr, t), Form: f, Zone: s.viewerZone(r).String()}
	for _, tt := range poll.Types() {
		d.Types = append(d.Types, pollTypeChoice{Type: tt, Name: pollTypeText(pr, tt), About: pollTypeAbout(pr, tt)})
	}
	if t.Valid() {
		d.NewTitle = pr.T("page.pollform.new." + string(t))
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
		d.VoteShareShown = voteShareShown(f.Values, f.Values["form_action"] == formActionAddRule)
		d.VoteShareRows = voteShareForm(f.Values)[:d.VoteShareShown]
		d.AddRule = d.VoteShareShown < voteShareRows
		d.MoreOpen = moreOpen(f)
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
			d.Members = append(voterChoices(pr, s.groupMembers(r.Context(), g.ID), chosen), s.guestChoices(r.Context(), pr, tid, chosen)...)
		}
		if p == nil && g != nil {
			d.Tags = s.tagFieldsFor(r.Context(), g.ID, f)
		}
		if p == nil || p.Status == poll.StatusDraft {
			if d.Notify = s.notifyFormFor(r.Context(), g, tid, f, f.Values["notify_shown"] == "", ""); d.Notify != nil {
				d.Notify.Later = true
			}
		}
		if d.Proposal {
			for _, id := range proposalPresets {
				d.Presets = append(d.Presets, presetChoice{ID: id, Label: pr.T("poll.option." + id), Checked: f.Values["opt_"+id] != ""})
			}
		}
	}
	if p != nil {
		d.Action = pollURL(p.ID, "/edit")
	} else if g != nil {
		d.Action = groupURL(g.ID, "/polls")
		if t.Valid() {
			d.Started = s.templateGuide(r, g.ID, f.Values["template"])
		} else {
			d.Templates = s.pollTemplates(r, g)
			if th := f.Values["thread_id"]; th != "" {
				// From a thread: the poll started from a template is the
				// thread's too.
				for i := range d.Templates {
					d.Templates[i].URL += "&" + url.Values{"thread": {th}}.Encode()
				}
			}
		}
	}
	return d
}

func (s *Server) renderPollForm(w http.ResponseWriter, r *http.Request, status int, d pollFormData) {
	pr := s.web.Printer(r)
	title := pr.T("page.pollform.new_title")
	switch {
	case d.Edit:
		title = pr.T("page.pollform.edit_named", "Title", pr.Isolate(d.Poll.Definition.Title))
	case d.Type.Valid():
		title = d.NewTitle
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
	lines := httpx.FormLines(get("options"))
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

func (s *Server) PollNewPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	g, err := s.pollGroup(r.Context(), r.PathValue("id"))
	if err == nil {
		err = mayStartPoll(r, g)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	t := poll.Type(r.URL.Query().Get("type"))
	f := newForm(nil)
	// Started from a template: the form opens prefilled (templates_pages.go).
	st, err := s.templateStart(r, g.ID, r.URL.Query().Get("template"), process.KindPoll)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if st != nil {
		t = s.pollFormFromTemplate(r, st, f)
	} else if t.Valid() {
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

func (s *Server) PollCreateSubmit(w http.ResponseWriter, r *http.Request) {
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
			s.PageError(w, r, err)
			return
		}
		g, gerr := s.pollGroup(r.Context(), gid)
		if gerr != nil {
			if listErr != nil { // the bound is the answer, whatever the group
				gerr = listErr
			}
			s.PageError(w, r, gerr)
			return
		}
		status := pollForm(s.web.Printer(r), f, err)
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
	if r.PostFormValue("form_action") != "" { // "Add a rule", "Preview": nothing saved
		g, err := s.pollGroup(r.Context(), gid)
		if err == nil {
			err = mayStartPoll(r, g)
		}
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		if s.pollFormStep(w, r, g, nil, t, f) {
			return
		}
	}
	presetsByID(s.web.Printer(r), r.PostForm)
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
	tagValues(r.PostForm, f.Values)
	var aud *notify.Audience
	if d.Settings.ClosingAt != nil { // a draft notifies nobody
		aud = audienceFromForm(r.PostForm)
	}
	p, err := s.decisions.Create(r.Context(), decision.CreateInput{GroupID: gid, ThreadID: r.PostFormValue("thread_id"), Definition: d,
		Voters: voters, Notify: aud, Tags: pickedTags(r)})
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

func (s *Server) PollEditPage(w http.ResponseWriter, r *http.Request) {
	p, g, err := s.pollForAdmin(r)
	if err != nil {
		s.PageError(w, r, err)
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

// pollAdmin: the viewer is one of the poll's admins, asked of the decision
// core (authz.PollAdmin, the rule it enforces), to decide which controls
// the page shows.
func (s *Server) pollAdmin(r *http.Request, p decision.Poll) bool {
	return s.decisions.CanAdmin(r.Context(), p)
}

func (s *Server) PollEditSubmit(w http.ResponseWriter, r *http.Request) {
	listErr, ok := s.pagePostForm(w, r)
	if !ok {
		return
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		if listErr != nil { // the bound is the answer, whatever the poll
			err = listErr
		}
		s.PageError(w, r, err)
		return
	}
	f := newForm(formFromPost(r))
	if listErr == nil && r.PostFormValue("form_action") != "" { // "Add a rule", "Preview": nothing saved
		if !s.pollAdmin(r, p) {
			s.PageError(w, r, decision.ErrPollAdminOnly)
			return
		}
		g, _ := s.pollGroup(r.Context(), p.GroupID)
		if s.pollFormStep(w, r, g, &p, p.Definition.Type, f) {
			return
		}
	}
	notifyValues(r.PostForm, f.Values)
	var d poll.Definition
	err = listErr
	if err == nil {
		presetsByID(s.web.Printer(r), r.PostForm)
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
			s.PageError(w, r, err)
			return
		}
		g, _ := s.pollGroup(r.Context(), p.GroupID)
		status := pollForm(s.web.Printer(r), f, err)
		s.renderPollForm(w, r, status, s.pollFormData(r, g, &p, p.Definition.Type, f))
		return
	}
	redirect(w, r, pollURL(p.ID)+"?done=saved")
}
