package poll

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // meeting time zones must validate on Lambda images without zoneinfo

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

// Normalize returns a copy of d in canonical form: title and labels cleaned
// as single lines and details as a body (text.Line, text.Block); meeting option starts in UTC (all-day options at midnight UTC of
// their calendar date) and sorted in time order. It never fails; Validate*
// reports what is still wrong.
func Normalize(d Definition) Definition {
	d.Title = text.Line(d.Title)
	d.Details = text.Block(d.Details)
	d.Settings.TimeZone = strings.TrimSpace(d.Settings.TimeZone)
	d.Options = slices.Clone(d.Options)
	for i := range d.Options {
		o := &d.Options[i]
		o.ID = strings.TrimSpace(o.ID)
		o.Label = text.Line(o.Label)
		if o.AllDay && !o.Start.IsZero() {
			o.Start = time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day(), 0, 0, 0, 0, time.UTC)
		} else if !o.Start.IsZero() {
			o.Start = o.Start.UTC().Round(0)
		}
	}
	if d.Type == TypeMeeting {
		loc := meetingLocation(d.Settings)
		slices.SortStableFunc(d.Options, func(a, b Option) int {
			return optionInstant(a, loc).Compare(optionInstant(b, loc))
		})
	}
	if d.Settings.ClosingAt != nil {
		c := d.Settings.ClosingAt.UTC().Round(0)
		d.Settings.ClosingAt = &c
	}
	d.Settings.VoteShare = slices.Clone(d.Settings.VoteShare)
	return d
}

// meetingLocation is the poll's zone, UTC when missing or invalid.
func meetingLocation(s Settings) *time.Location {
	if loc, err := loadZone(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("no zone")
	}
	return time.LoadLocation(name)
}

// optionInstant is the instant a meeting option sorts by: its start, or for
// an all-day option midnight of its date in the poll's time zone.
func optionInstant(o Option, loc *time.Location) time.Time {
	if o.AllDay {
		return time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day(), 0, 0, 0, 0, loc)
	}
	return o.Start
}

// ValidateNew normalizes and validates a definition for a new poll. A poll
// created with closing_at is opened at once, so closing_at must be after
// now; without closing_at it is a draft.
func ValidateNew(d Definition, now time.Time) (Definition, error) {
	d = Normalize(d)
	var fe domain.FieldErrors
	validateDefinition(d, &fe)
	if c := d.Settings.ClosingAt; c != nil && !c.After(now) {
		fe.Add("settings.closing_at", "must be in the future")
	}
	return d, fe.Err()
}

// ValidateEdit normalizes and validates next as the new definition of a poll
// whose current definition is old and state st. Beyond every creation rule:
//
//   - the type never changes;
//   - a closed poll only accepts title and details changes (Conflict otherwise);
//   - anonymous can never be turned off, and can be turned on only while no
//     ballot exists (existing ballots are linked to their voters);
//   - hide_results is never relaxed from until_closed;
//   - closing_at: setting it on a draft publishes the poll (must be in the
//     future); an open poll keeps one (it cannot go back to draft) and a
//     changed value must be in the future;
//   - once ballots exist: options may be added but existing ones are never
//     removed, relabelled, re-timed or reordered; the ballot rules (min/max
//     choices, score range, dots, none of the above, can respond maybe) are
//     frozen; ranked_choice N (min_choices clamped to the option count) must
//     not change.
func ValidateEdit(old, next Definition, st State, now time.Time) (Definition, error) {
	old, next = Normalize(old), Normalize(next)
	status := StatusOf(old.Settings, st, now)
	if next.Type != old.Type {
		return next, domain.Validation(domain.FieldError{Field: "type", Message: "cannot be changed"})
	}
	if status == StatusClosed {
		a, b := old, next
		a.Title, a.Details, b.Title, b.Details = "", "", "", ""
		if !definitionsEqual(a, b) {
			return next, domain.Errorf(domain.Conflict, "a closed poll only accepts title and details changes; reopen it first")
		}
	}
	var fe domain.FieldErrors
	validateDefinition(next, &fe)
	os, ns := old.Settings, next.Settings
	if os.Anonymous && !ns.Anonymous {
		fe.Add("settings.anonymous", "cannot be turned off")
	}
	if !os.Anonymous && ns.Anonymous && st.ballotsMayExist() {
		fe.Add("settings.anonymous", "cannot be turned on %s", st.afterVotes())
	}
	if os.HideResults == HideUntilClosed && ns.HideResults != HideUntilClosed {
		fe.Add("settings.hide_results", "cannot be relaxed once until_closed")
	}
	if status != StatusClosed {
		switch {
		case status == StatusOpen && ns.ClosingAt == nil:
			fe.Add("settings.closing_at", "an open poll cannot go back to draft")
		case ns.ClosingAt != nil && !timePtrEqual(os.ClosingAt, ns.ClosingAt) && !ns.ClosingAt.After(now):
			fe.Add("settings.closing_at", "must be in the future")
		}
	}
	if st.ballotsMayExist() {
		validateFrozen(old, next, st.afterVotes(), &fe)
	}
	return next, fe.Err()
}

// validateFrozen checks the rules that protect ballots already cast; after
// ends each message (State.afterVotes).
func validateFrozen(old, next Definition, after domain.Term, fe *domain.FieldErrors) {
	pos := make(map[string]int, len(next.Options))
	for i, o := range next.Options {
		pos[o.ID] = i
	}
	last := -1
	for _, o := range old.Options {
		i, ok := pos[o.ID]
		switch {
		case !ok:
			fe.Add("options", "option %q cannot be removed %s", o.ID, after)
			continue
		case next.Options[i].Label != o.Label || !next.Options[i].Start.Equal(o.Start) || next.Options[i].AllDay != o.AllDay:
			fe.Add(fmt.Sprintf("options[%d]", i), "option %q cannot be changed %s", o.ID, after)
		case i < last:
			fe.Add("options", "existing options cannot be reordered %s", after)
		}
		last = max(last, i)
	}
	os, ns := old.Settings, next.Settings
	frozen := []struct {
		field    string
		old, new any
	}{
		{"settings.min_choices", os.MinChoices, ns.MinChoices},
		{"settings.max_choices", os.MaxChoices, ns.MaxChoices},
		{"settings.min_score", os.MinScore, ns.MinScore},
		{"settings.max_score", os.MaxScore, ns.MaxScore},
		{"settings.dots_per_person", os.DotsPerPerson, ns.DotsPerPerson},
		{"settings.none_of_the_above", os.NoneOfTheAbove, ns.NoneOfTheAbove},
		{"settings.can_respond_maybe", os.CanRespondMaybe, ns.CanRespondMaybe},
		// The voter set: ballots of people it would drop cannot stay.
		{"settings.specified_voters_only", os.SpecifiedVotersOnly, ns.SpecifiedVotersOnly},
		{"settings.thread_guests_may_vote", os.ThreadGuestsMayVote, ns.ThreadGuestsMayVote},
	}
	for _, f := range frozen {
		if f.old != f.new {
			fe.Add(f.field, "cannot be changed %s", after)
		}
	}
	if old.Type == TypeRankedChoice && old.RankedN() != next.RankedN() {
		fe.Add("options", "would change the number of ranked choices (%d) %s", old.RankedN(), after)
	}
}

// ValidateAddOption returns d with opt added, for a voter (byPollAdmin
// false: the poll must be open and allow voters to add options) or a poll
// admin (through the same edit rules as ValidateEdit). The caller assigns
// opt.ID, e.g. with NextOptionID.
func ValidateAddOption(d Definition, opt Option, st State, now time.Time, byPollAdmin bool) (Definition, error) {
	status := StatusOf(d.Settings, st, now)
	if !byPollAdmin {
		if status != StatusOpen {
			return d, domain.Errorf(domain.Conflict, "the poll is not open")
		}
		if !d.Settings.VotersMayAddOptions {
			return d, domain.Errorf(domain.Forbidden, "voters may not add options to this poll")
		}
	}
	next := d
	next.Options = append(slices.Clone(d.Options), opt)
	return ValidateEdit(d, next, st, now)
}

// NextOptionID returns an id not used by opts: "o<n>" with n one more than
// the largest such number in use. Ids are never reused while options exist;
// an option is only ever removed while no ballot exists, when its tally is 0.
func NextOptionID(opts []Option) string { return NewOptionIDs(opts).Next() }

// OptionIDs hands out ids for new options, like NextOptionID but for many
// at once: each option given is read once, each id costs the same, so
// assigning ids is linear in the number of options.
type OptionIDs struct{ last int }

// NewOptionIDs starts after the largest "o<n>" of the given options.
func NewOptionIDs(lists ...[]Option) *OptionIDs {
	g := &OptionIDs{}
	for _, opts := range lists {
		for _, o := range opts {
			if n, ok := optionNumber(o.ID); ok {
				g.last = max(g.last, n)
			}
		}
	}
	return g
}

// Next returns a new id.
func (g *OptionIDs) Next() string {
	g.last++
	return "o" + strconv.Itoa(g.last)
}

// optionNumber is n of an id "o<n>" written canonically (no sign, no
// leading zero); ids with more than 9 digits are left alone, so the next
// id never overflows.
func optionNumber(id string) (int, bool) {
	digits, ok := strings.CutPrefix(id, "o")
	if !ok || digits == "" || len(digits) > 9 || (digits[0] == '0' && digits != "0") {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Extend moves closing_at of an open poll later.
func Extend(d Definition, st State, closingAt, now time.Time) (Definition, error) {
	if StatusOf(d.Settings, st, now) != StatusOpen {
		return d, domain.Errorf(domain.Conflict, "only an open poll can be extended")
	}
	closingAt = closingAt.UTC().Round(0)
	if !closingAt.After(*d.Settings.ClosingAt) {
		return d, domain.Validation(domain.FieldError{Field: "settings.closing_at", Message: "must be later than the current closing time"})
	}
	d.Settings.ClosingAt = &closingAt
	return d, nil
}

// CloseEarly checks that an open poll may be closed now; the caller records
// now as its ClosedAt (and freezes results).
func CloseEarly(d Definition, st State, now time.Time) error {
	if StatusOf(d.Settings, st, now) != StatusOpen {
		return domain.Errorf(domain.Conflict, "only an open poll can be closed")
	}
	return nil
}

// Reopen returns d with a new closing time for a closed poll; the caller
// clears ClosedAt. Anonymous polls cannot be reopened; closingAt must be in
// the future.
func Reopen(d Definition, st State, closingAt, now time.Time) (Definition, error) {
	if StatusOf(d.Settings, st, now) != StatusClosed {
		return d, domain.Errorf(domain.Conflict, "only a closed poll can be reopened")
	}
	if d.Settings.Anonymous {
		return d, domain.Errorf(domain.Conflict, "anonymous polls cannot be reopened")
	}
	closingAt = closingAt.UTC().Round(0)
	if !closingAt.After(now) {
		return d, domain.Validation(domain.FieldError{Field: "settings.closing_at", Message: "must be in the future"})
	}
	d.Settings.ClosingAt = &closingAt
	return d, nil
}

func timePtrEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func definitionsEqual(a, b Definition) bool {
	if a.Type != b.Type || a.Title != b.Title || a.Details != b.Details || len(a.Options) != len(b.Options) {
		return false
	}
	for i := range a.Options {
		x, y := a.Options[i], b.Options[i]
		if x.ID != y.ID || x.Label != y.Label || x.AllDay != y.AllDay || !x.Start.Equal(y.Start) {
			return false
		}
	}
	sa, sb := a.Settings, b.Settings
	if !timePtrEqual(sa.ClosingAt, sb.ClosingAt) || !slices.Equal(sa.VoteShare, sb.VoteShare) {
		return false
	}
	sa.ClosingAt, sb.ClosingAt, sa.VoteShare, sb.VoteShare = nil, nil, nil, nil
	return reflect.DeepEqual(sa, sb)
}

// validOptionID: 1..32 of [A-Za-z0-9_-]; never the reserved id.
func validOptionID(id string) bool {
	if id == "" || len(id) > MaxOptionIDLength || id == noneOfTheAboveID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func validateDefinition(d Definition, fe *domain.FieldErrors) {
	if !d.Type.Valid() {
		fe.Add("type", "must be one of proposal, poll, count, check, score, ranked_choice, dot_vote, meeting, question")
		return
	}
	switch n := text.Len(d.Title); {
	case n == 0:
		fe.Add("title", "is required")
	case n > MaxTitleLength:
		fe.Add("title", "must be at most %d characters", MaxTitleLength)
	}
	if text.Len(d.Details) > MaxDetailsLength {
		fe.Add("details", "must be at most %d characters", MaxDetailsLength)
	}
	validateOptions(d, fe)
	validateSettings(d, fe)
}

func validateOptions(d Definition, fe *domain.FieldErrors) {
	t, opts := d.Type, d.Options
	switch {
	case t == TypeQuestion:
		if len(opts) > 0 {
			fe.Add("options", "question polls have no options")
		}
		return
	case fixedOptionIDs(t) != nil:
		want := fixedOptionIDs(t)
		ids := make([]string, len(opts))
		for i, o := range opts {
			ids[i] = o.ID
		}
		if !slices.Equal(ids, want) {
			fe.Add("options", "%s polls have exactly the options %s", t.Term(), strings.Join(want, ", "))
			return
		}
	case t == TypeProposal && len(opts) < 2:
		fe.Add("options", "a proposal needs at least 2 options")
	case t == TypeRankedChoice && len(opts) < 2:
		fe.Add("options", "ranked choice needs at least 2 options")
	case len(opts) < 1:
		fe.Add("options", "at least 1 option is required")
	}
	if len(opts) > MaxOptions {
		fe.Add("options", "at most %d options", MaxOptions)
		return
	}
	ids := make(map[string]bool, len(opts))
	labels := make(map[string]bool, len(opts))
	loc := meetingLocation(d.Settings)
	for i, o := range opts {
		f := fmt.Sprintf("options[%d]", i)
		switch {
		case !validOptionID(o.ID):
			fe.Add(f+".id", "must be 1 to %d letters, digits, '_' or '-'", MaxOptionIDLength)
		case ids[o.ID]:
			fe.Add(f+".id", "duplicate option id %q", o.ID)
		}
		ids[o.ID] = true
		n := text.Len(o.Label)
		switch {
		case n == 0 && t != TypeMeeting:
			fe.Add(f+".label", "is required")
		case n > MaxOptionLabelLength:
			fe.Add(f+".label", "must be at most %d characters", MaxOptionLabelLength)
		case n > 0:
			key := strings.ToLower(o.Label)
			if labels[key] {
				fe.Add(f+".label", "duplicate option %q", o.Label)
			}
			labels[key] = true
		}
		if t == TypeMeeting {
			switch {
			case o.Start.IsZero():
				fe.Add(f+".start", "a meeting option needs a date or time")
			case i > 0 && !opts[i-1].Start.IsZero() && !optionInstant(opts[i-1], loc).Before(optionInstant(o, loc)):
				if optionInstant(opts[i-1], loc).Equal(optionInstant(o, loc)) && opts[i-1].AllDay == o.AllDay {
					fe.Add(f+".start", "duplicate date or time")
				} else {
					fe.Add(f+".start", "options must be in time order")
				}
			}
		} else if !o.Start.IsZero() || o.AllDay {
			fe.Add(f+".start", "only meeting options have a date or time")
		}
	}
}

func validateSettings(d Definition, fe *domain.FieldErrors) {
	t, s := d.Type, d.Settings
	na := func(field string) { fe.Add("settings."+field, "does not apply to %s polls", t.Term()) }
	nOpts := len(d.Options)

	if s.Anonymous && !t.AllowsAnonymous() {
		fe.Add("settings.anonymous", "is not allowed for %s polls", t.Term())
	}
	if !s.HideResults.Valid() {
		fe.Add("settings.hide_results", "must be off, until_vote or until_closed")
	}
	switch {
	case !s.ReasonMode.Valid():
		fe.Add("settings.reason_mode", "must be disabled, optional or required")
	case t == TypeQuestion && s.ReasonMode != ReasonRequired:
		fe.Add("settings.reason_mode", "must be required for question polls")
	}
	switch {
	case s.ReasonMaxLength < 0 || s.ReasonMaxLength > MaxReasonLength:
		fe.Add("settings.reason_max_length", "must be between 0 (no limit) and %d", MaxReasonLength)
	case s.ReasonMode == ReasonRequired && s.ReasonMaxLength != 0 && s.ReasonMaxLength <= MinRequiredReason:
		fe.Add("settings.reason_max_length", "must be more than %d when a reason is required", MinRequiredReason)
	}
	if !s.ReminderAudience.Valid() {
		fe.Add("settings.reminder_audience", "must be nobody, author, undecided or everyone")
	}
	if s.QuorumPercent < 0 || s.QuorumPercent > 100 {
		fe.Add("settings.quorum_percent", "must be between 0 and 100")
	}

	// min/max choices
	switch t {
	case TypePoll:
		switch {
		case s.MinChoices < 1:
			fe.Add("settings.min_choices", "must be at least 1")
		case s.MaxChoices < s.MinChoices:
			fe.Add("settings.max_choices", "must be at least min_choices")
		case nOpts > 0 && s.MaxChoices > nOpts:
			fe.Add("settings.max_choices", "must be at most the number of options (%d)", nOpts)
		}
	case TypeRankedChoice:
		if s.MinChoices < 1 || s.MinChoices > MaxRankedChoiceN {
			fe.Add("settings.min_choices", "must be between 1 and %d", MaxRankedChoiceN)
		}
		if s.MaxChoices != 0 {
			na("max_choices")
		}
	default:
		if s.MinChoices != 0 {
			na("min_choices")
		}
		if s.MaxChoices != 0 {
			na("max_choices")
		}
	}
	// score range
	if t == TypeScore {
		switch {
		case s.MinScore < 0:
			fe.Add("settings.min_score", "must be at least 0")
		case s.MaxScore <= s.MinScore:
			fe.Add("settings.max_score", "must be greater than min_score")
		case s.MaxScore > MaxScoreValue:
			fe.Add("settings.max_score", "must be at most %d", MaxScoreValue)
		}
	} else {
		if s.MinScore != 0 {
			na("min_score")
		}
		if s.MaxScore != 0 {
			na("max_score")
		}
	}
	if t == TypeDotVote {
		if s.DotsPerPerson < 1 || s.DotsPerPerson > MaxDotsPerPerson {
			fe.Add("settings.dots_per_person", "must be between 1 and %d", MaxDotsPerPerson)
		}
	} else if s.DotsPerPerson != 0 {
		na("dots_per_person")
	}
	if s.ShuffleOptions && !t.AllowsShuffle() {
		na("shuffle_options")
	}
	if s.VotersMayAddOptions && !t.FreeOptions() {
		na("voters_may_add_options")
	}
	if s.NoneOfTheAbove && !t.AllowsNoneOfTheAbove() {
		na("none_of_the_above")
	}
	if s.ThreadGuestsMayVote && s.SpecifiedVotersOnly {
		fe.Add("settings.thread_guests_may_vote", "does not apply when only chosen voters vote: choose the guests as voters instead")
	}
	if t == TypeCount {
		if s.CountTarget < 1 || s.CountTarget > MaxCountTarget {
			fe.Add("settings.count_target", "must be between 1 and %d", MaxCountTarget)
		}
	} else if s.CountTarget != 0 {
		na("count_target")
	}
	if t == TypeMeeting {
		if s.MeetingDuration < 0 || s.MeetingDuration > MaxMeetingDuration {
			fe.Add("settings.meeting_duration", "must be between 0 (not set) and %d minutes", MaxMeetingDuration)
		}
		if _, err := loadZone(s.TimeZone); err != nil {
			fe.Add("settings.time_zone", "must be an IANA time zone such as Europe/Paris")
		}
	} else {
		if s.MeetingDuration != 0 {
			na("meeting_duration")
		}
		if s.TimeZone != "" {
			na("time_zone")
		}
		if s.CanRespondMaybe {
			na("can_respond_maybe")
		}
	}
	if t == TypeRankedChoice {
		if s.Seats < 1 || (nOpts >= 2 && s.Seats >= nOpts) {
			fe.Add("settings.seats", "must be at least 1 and fewer than the number of options")
		}
	} else if s.Seats != 0 {
		na("seats")
	}
	validateRequirements(d, fe)
}

func validateRequirements(d Definition, fe *domain.FieldErrors) {
	rs := d.Settings.VoteShare
	if len(rs) == 0 {
		return
	}
	if !d.Type.AllowsVoteShare() {
		fe.Add("settings.vote_share", "does not apply to %s polls", d.Type.Term())
		return
	}
	if len(rs) > MaxRequirements {
		fe.Add("settings.vote_share", "at most %d requirements", MaxRequirements)
		return
	}
	for i, r := range rs {
		f := fmt.Sprintf("settings.vote_share[%d]", i)
		if _, ok := d.Option(r.OptionID); !ok {
			fe.Add(f+".option_id", "must be one of the poll's options")
		}
		if r.Measure != MeasureScorePercent && r.Measure != MeasureVoterPercent {
			fe.Add(f+".measure", "must be score_percent or voter_percent")
		}
		if r.Op != AtLeast && r.Op != AtMost {
			fe.Add(f+".op", "must be >= or <=")
		}
		if _, ok := thresholdBP(r.Threshold); !ok {
			fe.Add(f+".threshold", "must be a percent between 0 and 100 with at most 2 decimals")
		}
	}
}

// thresholdBP converts a percent with at most two decimals to basis points
// (hundredths of a percent), so that comparisons are exact integers.
func thresholdBP(p float64) (int64, bool) {
	if math.IsNaN(p) || p < 0 || p > 100 {
		return 0, false
	}
	bp := math.Round(p * 100)
	if math.Abs(p*100-bp) > 1e-6 {
		return 0, false
	}
	return int64(bp), true
}
