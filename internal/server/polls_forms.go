package server

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
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

// voteShareFromForm reads the requirement rows into d (options already
// built from the form). A row names its option by label (or preset name).
func voteShareFromForm(d *poll.Definition, form url.Values, fe *domain.FieldErrors) {
	if !d.Type.AllowsVoteShare() {
		return
	}
	if _, shown := form["vs_option_1"]; !shown {
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
func voterChoices(members []group.Member, chosen []string) []voterChoice {
	on := map[string]bool{}
	for _, id := range chosen {
		on[id] = true
	}
	out := make([]voterChoice, 0, len(members))
	for _, m := range members {
		name := m.Name
		if name == "" {
			name = "Someone"
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
func (s *Server) guestChoices(ctx context.Context, tid string, chosen []string) []voterChoice {
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
		out = append(out, voterChoice{ID: g.UserID, Name: g.Name + " (guest of the thread)", Checked: on[g.UserID]})
	}
	return byName(out)
}

// ---- the poll page ----

// pollVoters fills the page's list of specified voters and, for poll
// admins of a poll that is not closed, the members who could be added.
func (s *Server) pollVoters(ctx context.Context, d *pollPageData) {
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
	guests := s.guestChoices(ctx, p.ThreadID, nil)
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
			name = "Someone"
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
func (s *Server) pollAddOptionSubmit(w http.ResponseWriter, r *http.Request) {
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
func (s *Server) pollAddVoterSubmit(w http.ResponseWriter, r *http.Request) {
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
func (s *Server) pollRemoveVoterSubmit(w http.ResponseWriter, r *http.Request) {
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
