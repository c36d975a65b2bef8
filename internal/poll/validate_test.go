package poll

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

func TestDefaults(t *testing.T) {
	for _, typ := range Types() {
		d := def(typ, 3, nil)
		if _, err := ValidateNew(d, now); err != nil {
			t.Errorf("%s: defaults should be valid: %v", typ, fieldsOf(err))
		}
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	all := DefaultSettings(TypeProposal)
	check("hide_results", all.HideResults, HideOff)
	check("reason_mode", all.ReasonMode, ReasonOptional)
	check("reason_max_length", all.ReasonMaxLength, 500)
	check("reminder", all.ReminderAudience, RemindUndecided)
	check("anonymous", all.Anonymous, false)
	check("proposal options", strings.Join(ids(DefaultOptions(TypeProposal)), ","), "agree,abstain,disagree,block")
	check("count options", strings.Join(ids(DefaultOptions(TypeCount)), ","), "accept,decline")
	check("check options", strings.Join(ids(DefaultOptions(TypeCheck)), ","), "looks_good,not_sure,concerned")
	check("poll min", DefaultSettings(TypePoll).MinChoices, 1)
	check("poll max", DefaultSettings(TypePoll).MaxChoices, 1)
	check("count target", DefaultSettings(TypeCount).CountTarget, 5)
	check("score min", DefaultSettings(TypeScore).MinScore, 0)
	check("score max", DefaultSettings(TypeScore).MaxScore, 5)
	check("ranked N", DefaultSettings(TypeRankedChoice).MinChoices, 3)
	check("seats", DefaultSettings(TypeRankedChoice).Seats, 1)
	check("dots", DefaultSettings(TypeDotVote).DotsPerPerson, 8)
	check("maybe", DefaultSettings(TypeMeeting).CanRespondMaybe, true)
	check("tz", DefaultSettings(TypeMeeting).TimeZone, "UTC")
	check("question reason", DefaultSettings(TypeQuestion).ReasonMode, ReasonRequired)
	for _, typ := range Types() {
		check(string(typ)+" order", typ.DefaultOrder(), map[Type]ResultOrder{
			TypeProposal: OrderOptions, TypeCount: OrderOptions, TypeCheck: OrderOptions,
			TypePoll: OrderTotalDesc, TypeScore: OrderTotalDesc, TypeRankedChoice: OrderTotalDesc, TypeDotVote: OrderTotalDesc,
			TypeMeeting: OrderTime, TypeQuestion: OrderNone}[typ])
	}
}

func TestValidateNew(t *testing.T) {
	tests := []struct {
		name  string
		typ   Type
		n     int
		mod   func(*Definition)
		field string // "" = valid
	}{
		// common
		{"unknown type", Type("vote"), 0, nil, "type"},
		{"title required", TypePoll, 2, func(d *Definition) { d.Title = "   " }, "title"},
		{"title too long", TypePoll, 2, func(d *Definition) { d.Title = strings.Repeat("x", 251) }, "title"},
		{"title 250 ok", TypePoll, 2, func(d *Definition) { d.Title = strings.Repeat("é", 250) }, ""},
		{"closing in the past", TypePoll, 2, func(d *Definition) { d.Settings.ClosingAt = at(-1) }, "settings.closing_at"},
		{"closing now", TypePoll, 2, func(d *Definition) { c := now; d.Settings.ClosingAt = &c }, "settings.closing_at"},
		{"draft without closing", TypePoll, 2, func(d *Definition) { d.Settings.ClosingAt = nil }, ""},
		{"bad hide", TypePoll, 2, func(d *Definition) { d.Settings.HideResults = "later" }, "settings.hide_results"},
		{"bad reason mode", TypePoll, 2, func(d *Definition) { d.Settings.ReasonMode = "" }, "settings.reason_mode"},
		{"reason limit off", TypePoll, 2, func(d *Definition) { d.Settings.ReasonMaxLength = 0 }, ""},
		{"reason limit negative", TypePoll, 2, func(d *Definition) { d.Settings.ReasonMaxLength = -1 }, "settings.reason_max_length"},
		{"reason limit too big", TypePoll, 2, func(d *Definition) { d.Settings.ReasonMaxLength = MaxReasonLength + 1 }, "settings.reason_max_length"},
		{"required reason limit 5", TypePoll, 2, func(d *Definition) {
			d.Settings.ReasonMode, d.Settings.ReasonMaxLength = ReasonRequired, 5
		}, "settings.reason_max_length"},
		{"required reason limit 6", TypePoll, 2, func(d *Definition) {
			d.Settings.ReasonMode, d.Settings.ReasonMaxLength = ReasonRequired, 6
		}, ""},
		{"bad reminder", TypePoll, 2, func(d *Definition) { d.Settings.ReminderAudience = "" }, "settings.reminder_audience"},
		{"quorum 100", TypePoll, 2, func(d *Definition) { d.Settings.QuorumPercent = 100 }, ""},
		{"quorum 101", TypePoll, 2, func(d *Definition) { d.Settings.QuorumPercent = 101 }, "settings.quorum_percent"},
		{"quorum negative", TypePoll, 2, func(d *Definition) { d.Settings.QuorumPercent = -1 }, "settings.quorum_percent"},
		// options
		{"too many options", TypePoll, MaxOptions + 1, nil, "options"},
		{"max options", TypePoll, MaxOptions, nil, ""},
		{"duplicate label", TypePoll, 2, func(d *Definition) { d.Options[1].Label = " a0 " }, "options[1].label"},
		{"duplicate id", TypePoll, 2, func(d *Definition) { d.Options[1].ID = "o1" }, "options[1].id"},
		{"bad id", TypePoll, 2, func(d *Definition) { d.Options[1].ID = "a.b" }, "options[1].id"},
		{"reserved id", TypePoll, 2, func(d *Definition) { d.Options[1].ID = "none_of_the_above" }, "options[1].id"},
		{"empty label", TypePoll, 2, func(d *Definition) { d.Options[0].Label = " " }, "options[0].label"},
		{"long label", TypePoll, 2, func(d *Definition) { d.Options[0].Label = strings.Repeat("x", 151) }, "options[0].label"},
		{"label only invisible characters", TypePoll, 2, func(d *Definition) { d.Options[0].Label = "\u200b\u202e\u2066" }, "options[0].label"},
		{"title only invisible characters", TypePoll, 2, func(d *Definition) { d.Title = "\u200b\u200d\ufeff" }, "title"},
		{"start on non-meeting", TypePoll, 2, func(d *Definition) { d.Options[0].Start = now }, "options[0].start"},
		// proposal
		{"proposal custom labels", TypeProposal, 0, func(d *Definition) {
			d.Options = []Option{{ID: OptionConsent, Label: "Consent"}, {ID: OptionObjection, Label: "Objection"}, {ID: "o1", Label: "Needs work"}}
		}, ""},
		{"proposal one option", TypeProposal, 0, func(d *Definition) { d.Options = d.Options[:1] }, "options"},
		{"proposal vote share", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 66.67}}
		}, ""},
		{"proposal vote share unknown option", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "yes", Measure: MeasureScorePercent, Op: AtLeast, Threshold: 50}}
		}, "settings.vote_share[0].option_id"},
		{"vote share 3 decimals", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: MeasureVoterPercent, Op: AtMost, Threshold: 33.333}}
		}, "settings.vote_share[0].threshold"},
		{"vote share bad op", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: MeasureVoterPercent, Op: ">", Threshold: 50}}
		}, "settings.vote_share[0].op"},
		{"vote share bad measure", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: "total", Op: AtLeast, Threshold: 50}}
		}, "settings.vote_share[0].measure"},
		{"vote share over 100", TypeProposal, 0, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "agree", Measure: MeasureVoterPercent, Op: AtLeast, Threshold: 100.01}}
		}, "settings.vote_share[0].threshold"},
		{"vote share on score", TypeScore, 2, func(d *Definition) {
			d.Settings.VoteShare = []Requirement{{OptionID: "o1", Measure: MeasureVoterPercent, Op: AtLeast, Threshold: 50}}
		}, "settings.vote_share"},
		{"proposal anonymous", TypeProposal, 0, func(d *Definition) { d.Settings.Anonymous = true }, ""},
		{"proposal min choices", TypeProposal, 0, func(d *Definition) { d.Settings.MinChoices = 1 }, "settings.min_choices"},
		{"proposal shuffle", TypeProposal, 0, func(d *Definition) { d.Settings.ShuffleOptions = true }, "settings.shuffle_options"},
		{"proposal voters add", TypeProposal, 0, func(d *Definition) { d.Settings.VotersMayAddOptions = true }, "settings.voters_may_add_options"},
		// poll
		{"poll one option", TypePoll, 1, nil, ""},
		{"poll no options", TypePoll, 0, nil, "options"},
		{"poll multiple", TypePoll, 4, func(d *Definition) { d.Settings.MinChoices, d.Settings.MaxChoices = 2, 4 }, ""},
		{"poll min 0", TypePoll, 4, func(d *Definition) { d.Settings.MinChoices = 0 }, "settings.min_choices"},
		{"poll min > max", TypePoll, 4, func(d *Definition) { d.Settings.MinChoices, d.Settings.MaxChoices = 3, 2 }, "settings.max_choices"},
		{"poll max > options", TypePoll, 2, func(d *Definition) { d.Settings.MaxChoices = 3 }, "settings.max_choices"},
		{"poll nota", TypePoll, 2, func(d *Definition) { d.Settings.NoneOfTheAbove = true }, ""},
		{"poll shuffle", TypePoll, 2, func(d *Definition) { d.Settings.ShuffleOptions = true }, ""},
		// count
		{"count anonymous", TypeCount, 0, func(d *Definition) { d.Settings.Anonymous = true }, "settings.anonymous"},
		{"count target 0", TypeCount, 0, func(d *Definition) { d.Settings.CountTarget = 0 }, "settings.count_target"},
		{"count custom labels", TypeCount, 0, func(d *Definition) { d.Options[0].Label = "I'm in" }, ""},
		{"count extra option", TypeCount, 0, func(d *Definition) { d.Options = append(d.Options, Option{ID: "maybe", Label: "Maybe"}) }, "options"},
		{"count target on poll", TypePoll, 2, func(d *Definition) { d.Settings.CountTarget = 5 }, "settings.count_target"},
		// check
		{"check wrong options", TypeCheck, 0, func(d *Definition) { d.Options = d.Options[:2] }, "options"},
		{"check anonymous ok", TypeCheck, 0, func(d *Definition) { d.Settings.Anonymous = true }, ""},
		// score
		{"score 1..10", TypeScore, 2, func(d *Definition) { d.Settings.MinScore, d.Settings.MaxScore = 1, 10 }, ""},
		{"score negative min", TypeScore, 2, func(d *Definition) { d.Settings.MinScore = -1 }, "settings.min_score"},
		{"score empty range", TypeScore, 2, func(d *Definition) { d.Settings.MinScore, d.Settings.MaxScore = 3, 3 }, "settings.max_score"},
		{"score max too big", TypeScore, 2, func(d *Definition) { d.Settings.MaxScore = 101 }, "settings.max_score"},
		{"score range on poll", TypePoll, 2, func(d *Definition) { d.Settings.MaxScore = 5 }, "settings.max_score"},
		{"score nota", TypeScore, 2, func(d *Definition) { d.Settings.NoneOfTheAbove = true }, "settings.none_of_the_above"},
		// ranked choice
		{"ranked one option", TypeRankedChoice, 1, nil, "options"},
		{"ranked two options N clamped", TypeRankedChoice, 2, nil, ""},
		{"ranked N 0", TypeRankedChoice, 4, func(d *Definition) { d.Settings.MinChoices = 0 }, "settings.min_choices"},
		{"ranked max choices", TypeRankedChoice, 4, func(d *Definition) { d.Settings.MaxChoices = 2 }, "settings.max_choices"},
		{"ranked seats 0", TypeRankedChoice, 4, func(d *Definition) { d.Settings.Seats = 0 }, "settings.seats"},
		{"ranked seats 3 of 4", TypeRankedChoice, 4, func(d *Definition) { d.Settings.Seats = 3 }, ""},
		{"ranked seats = options", TypeRankedChoice, 4, func(d *Definition) { d.Settings.Seats = 4 }, "settings.seats"},
		{"seats on poll", TypePoll, 4, func(d *Definition) { d.Settings.Seats = 1 }, "settings.seats"},
		{"ranked nota", TypeRankedChoice, 3, func(d *Definition) { d.Settings.NoneOfTheAbove = true }, ""},
		// dot vote
		{"dots 0", TypeDotVote, 3, func(d *Definition) { d.Settings.DotsPerPerson = 0 }, "settings.dots_per_person"},
		{"dots 1", TypeDotVote, 3, func(d *Definition) { d.Settings.DotsPerPerson = 1 }, ""},
		{"dots on score", TypeScore, 3, func(d *Definition) { d.Settings.DotsPerPerson = 8 }, "settings.dots_per_person"},
		// meeting
		{"meeting anonymous", TypeMeeting, 2, func(d *Definition) { d.Settings.Anonymous = true }, "settings.anonymous"},
		{"meeting bad zone", TypeMeeting, 2, func(d *Definition) { d.Settings.TimeZone = "Mars/Olympus" }, "settings.time_zone"},
		{"meeting empty zone", TypeMeeting, 2, func(d *Definition) { d.Settings.TimeZone = "" }, "settings.time_zone"},
		{"meeting Local zone", TypeMeeting, 2, func(d *Definition) { d.Settings.TimeZone = "Local" }, "settings.time_zone"},
		{"meeting Paris", TypeMeeting, 2, func(d *Definition) { d.Settings.TimeZone = "Europe/Paris" }, ""},
		{"meeting duration negative", TypeMeeting, 2, func(d *Definition) { d.Settings.MeetingDuration = -1 }, "settings.meeting_duration"},
		{"meeting duration 0", TypeMeeting, 2, func(d *Definition) { d.Settings.MeetingDuration = 0 }, ""},
		{"meeting no start (sorted first)", TypeMeeting, 2, func(d *Definition) { d.Options[1].Start = time.Time{} }, "options[0].start"},
		{"meeting duplicate time", TypeMeeting, 2, func(d *Definition) { d.Options[1].Start = d.Options[0].Start.In(time.FixedZone("x", 3600)) }, "options[1].start"},
		{"meeting duplicate day", TypeMeeting, 2, func(d *Definition) {
			d.Options[0].AllDay, d.Options[1].AllDay = true, true
		}, "options[1].start"},
		{"meeting day and time same day", TypeMeeting, 2, func(d *Definition) { d.Options[0].AllDay = true }, ""},
		{"meeting no options", TypeMeeting, 0, nil, "options"},
		{"maybe on poll", TypePoll, 2, func(d *Definition) { d.Settings.CanRespondMaybe = true }, "settings.can_respond_maybe"},
		{"time zone on poll", TypePoll, 2, func(d *Definition) { d.Settings.TimeZone = "UTC" }, "settings.time_zone"},
		{"meeting shuffle", TypeMeeting, 2, func(d *Definition) { d.Settings.ShuffleOptions = true }, "settings.shuffle_options"},
		{"meeting voters add", TypeMeeting, 2, func(d *Definition) { d.Settings.VotersMayAddOptions = true }, ""},
		// question
		{"question", TypeQuestion, 0, nil, ""},
		{"question with options", TypeQuestion, 0, func(d *Definition) { d.Options = labelled(2) }, "options"},
		{"question optional reason", TypeQuestion, 0, func(d *Definition) { d.Settings.ReasonMode = ReasonOptional }, "settings.reason_mode"},
		{"question anonymous", TypeQuestion, 0, func(d *Definition) { d.Settings.Anonymous = true }, "settings.anonymous"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ValidateNew(def(tc.typ, tc.n, tc.mod), now)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("want valid, got %v", fieldsOf(err))
			case tc.field != "" && !hasField(err, tc.field):
				t.Fatalf("want an error on %s, got %v", tc.field, fieldsOf(err))
			}
		})
	}
}

func TestNormalizeMeeting(t *testing.T) {
	d := def(TypeMeeting, 0, func(d *Definition) {
		paris, _ := time.LoadLocation("Europe/Paris")
		d.Settings.TimeZone = "Europe/Paris"
		d.Options = []Option{
			{ID: "late", Start: time.Date(2030, 6, 2, 15, 0, 0, 0, paris)},
			{ID: "day", Start: time.Date(2030, 6, 2, 22, 30, 0, 0, time.FixedZone("x", -7200)), AllDay: true},
			{ID: "early", Start: time.Date(2030, 6, 1, 9, 0, 0, 0, paris)},
		}
	})
	got := mustValid(t, d)
	if strings.Join(ids(got.Options), ",") != "early,day,late" {
		t.Fatalf("order %v", ids(got.Options))
	}
	if day := got.Options[1].Start; !day.Equal(time.Date(2030, 6, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("all-day start %v", day)
	}
	if got.Options[2].Start.Location() != time.UTC {
		t.Fatal("starts are stored in UTC")
	}
}

func TestValidateEdit(t *testing.T) {
	open := State{}
	voted := State{Decided: 3}
	closed := State{ClosedAt: at(-1), Decided: 3}
	tests := []struct {
		name  string
		base  Definition
		st    State
		mod   func(*Definition)
		field string // "" valid; "!conflict" a Conflict error
	}{
		{"no change", def(TypePoll, 3, nil), voted, nil, ""},
		{"type change", def(TypePoll, 3, nil), open, func(d *Definition) { d.Type = TypeScore }, "type"},
		{"anonymous off", def(TypeProposal, 0, func(d *Definition) { d.Settings.Anonymous = true }), open,
			func(d *Definition) { d.Settings.Anonymous = false }, "settings.anonymous"},
		{"anonymous on before votes", def(TypeProposal, 0, nil), open,
			func(d *Definition) { d.Settings.Anonymous = true }, ""},
		{"anonymous on after votes", def(TypeProposal, 0, nil), voted,
			func(d *Definition) { d.Settings.Anonymous = true }, "settings.anonymous"},
		{"hide relaxed from until_closed", def(TypePoll, 2, func(d *Definition) { d.Settings.HideResults = HideUntilClosed }), open,
			func(d *Definition) { d.Settings.HideResults = HideUntilVote }, "settings.hide_results"},
		{"hide tightened", def(TypePoll, 2, nil), voted,
			func(d *Definition) { d.Settings.HideResults = HideUntilClosed }, ""},
		{"hide until_vote relaxed to off", def(TypePoll, 2, func(d *Definition) { d.Settings.HideResults = HideUntilVote }), voted,
			func(d *Definition) { d.Settings.HideResults = HideOff }, ""},
		{"open back to draft", def(TypePoll, 2, nil), open, func(d *Definition) { d.Settings.ClosingAt = nil }, "settings.closing_at"},
		{"closing moved to the past", def(TypePoll, 2, nil), open, func(d *Definition) { d.Settings.ClosingAt = at(-2) }, "settings.closing_at"},
		{"closing moved earlier but future", def(TypePoll, 2, nil), open, func(d *Definition) { d.Settings.ClosingAt = at(2) }, ""},
		{"publish draft", def(TypePoll, 2, func(d *Definition) { d.Settings.ClosingAt = nil }), open,
			func(d *Definition) { d.Settings.ClosingAt = at(5) }, ""},
		{"publish draft in the past", def(TypePoll, 2, func(d *Definition) { d.Settings.ClosingAt = nil }), open,
			func(d *Definition) { d.Settings.ClosingAt = at(-5) }, "settings.closing_at"},
		{"add option after votes", def(TypePoll, 2, nil), voted,
			func(d *Definition) { d.Options = append(d.Options, Option{ID: "o3", Label: "New"}) }, ""},
		{"remove option after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Options = d.Options[:2] }, "options"},
		{"remove option before votes", def(TypePoll, 3, nil), open, func(d *Definition) { d.Options = d.Options[:2] }, ""},
		{"relabel after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Options[0].Label = "Other" }, "options[0]"},
		{"relabel before votes", def(TypePoll, 3, nil), open, func(d *Definition) { d.Options[0].Label = "Other" }, ""},
		{"reorder after votes", def(TypePoll, 3, nil), voted, func(d *Definition) {
			d.Options[0], d.Options[1] = d.Options[1], d.Options[0]
		}, "options"},
		{"max choices after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Settings.MaxChoices = 2 }, "settings.max_choices"},
		{"max choices before votes", def(TypePoll, 3, nil), open, func(d *Definition) { d.Settings.MaxChoices = 2 }, ""},
		{"score range after votes", def(TypeScore, 3, nil), voted, func(d *Definition) { d.Settings.MaxScore = 10 }, "settings.max_score"},
		{"dots after votes", def(TypeDotVote, 3, nil), voted, func(d *Definition) { d.Settings.DotsPerPerson = 10 }, "settings.dots_per_person"},
		{"maybe after votes", def(TypeMeeting, 3, nil), voted, func(d *Definition) { d.Settings.CanRespondMaybe = false }, "settings.can_respond_maybe"},
		{"nota after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Settings.NoneOfTheAbove = true }, "settings.none_of_the_above"},
		{"meeting add earlier time after votes", def(TypeMeeting, 2, nil), voted, func(d *Definition) {
			d.Options = append(d.Options, Option{ID: "o9", Start: now.Add(time.Hour)})
		}, ""},
		{"ranked add option keeps N", def(TypeRankedChoice, 3, nil), voted, func(d *Definition) {
			d.Options = append(d.Options, Option{ID: "o4", Label: "D"})
		}, ""},
		{"ranked add option changes N", def(TypeRankedChoice, 2, nil), voted, func(d *Definition) {
			d.Options = append(d.Options, Option{ID: "o3", Label: "C"})
		}, "options"},
		{"reason mode change after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Settings.ReasonMode = ReasonRequired }, ""},
		{"seats change while open", def(TypeRankedChoice, 4, nil), voted, func(d *Definition) { d.Settings.Seats = 2 }, ""},
		{"voter set after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Settings.SpecifiedVotersOnly = true }, "settings.specified_voters_only"},
		{"voter set before votes", def(TypePoll, 3, nil), open, func(d *Definition) { d.Settings.SpecifiedVotersOnly = true }, ""},
		{"guests invited after votes", def(TypePoll, 3, nil), voted, func(d *Definition) { d.Settings.ThreadGuestsMayVote = true }, "settings.thread_guests_may_vote"},
		{"guests invited before votes", def(TypePoll, 3, nil), open, func(d *Definition) { d.Settings.ThreadGuestsMayVote = true }, ""},
		{"guests and chosen voters", def(TypePoll, 3, nil), open, func(d *Definition) {
			d.Settings.ThreadGuestsMayVote, d.Settings.SpecifiedVotersOnly = true, true
		}, "settings.thread_guests_may_vote"},
		// Hidden from the editor: as if ballots existed, whatever they are.
		{"remove option, ballots hidden", def(TypePoll, 3, nil), State{BallotsHidden: true}, func(d *Definition) { d.Options = d.Options[:2] }, "options"},
		{"anonymous on, ballots hidden", def(TypeProposal, 0, nil), State{BallotsHidden: true}, func(d *Definition) { d.Settings.Anonymous = true }, "settings.anonymous"},
		{"add option, ballots hidden", def(TypePoll, 2, nil), State{BallotsHidden: true},
			func(d *Definition) { d.Options = append(d.Options, Option{ID: "o3", Label: "New"}) }, ""},
		{"closed: title ok", def(TypePoll, 3, nil), closed, func(d *Definition) { d.Title = "Better title" }, ""},
		{"closed: options conflict", def(TypePoll, 3, nil), closed, func(d *Definition) {
			d.Options = append(d.Options, Option{ID: "o4", Label: "D"})
		}, "!conflict"},
		{"closed: settings conflict", def(TypePoll, 3, nil), closed, func(d *Definition) { d.Settings.QuorumPercent = 10 }, "!conflict"},
		{"closing passed counts as closed", def(TypePoll, 3, func(d *Definition) { d.Settings.ClosingAt = at(-1) }), open,
			func(d *Definition) { d.Settings.ClosingAt = at(10) }, "!conflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := Normalize(tc.base)
			next.Options = append([]Option(nil), next.Options...)
			if tc.mod != nil {
				tc.mod(&next)
			}
			_, err := ValidateEdit(tc.base, next, tc.st, now)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("want valid, got %v", fieldsOf(err))
			case tc.field == "!conflict":
				if domain.ErrorCode(err) != domain.Conflict {
					t.Fatalf("want conflict, got %v", fieldsOf(err))
				}
			case tc.field != "" && !hasField(err, tc.field):
				t.Fatalf("want an error on %s, got %v", tc.field, fieldsOf(err))
			}
		})
	}
}

func TestAddOption(t *testing.T) {
	d := mustValid(t, def(TypePoll, 2, nil))
	st := State{Decided: 1}
	o := Option{ID: NextOptionID(d.Options), Label: "Third"}
	if o.ID != "o3" {
		t.Fatalf("next id %q", o.ID)
	}
	if _, err := ValidateAddOption(d, o, st, now, false); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("voters may not add: %v", err)
	}
	got, err := ValidateAddOption(d, o, st, now, true)
	if err != nil || len(got.Options) != 3 {
		t.Fatalf("admin add: %v", fieldsOf(err))
	}
	d.Settings.VotersMayAddOptions = true
	if _, err := ValidateAddOption(d, Option{ID: "o3", Label: "a0"}, st, now, false); !hasField(err, "options[2].label") {
		t.Fatalf("duplicate label: %v", fieldsOf(err))
	}
	if _, err := ValidateAddOption(d, o, State{ClosedAt: at(-1)}, now, false); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("closed: %v", err)
	}
	if got := NextOptionID([]Option{{ID: "agree"}, {ID: "o7"}, {ID: "o07"}, {ID: "ox"}, {ID: "o+9"}, {ID: "o-3"}, {ID: "o9999999999"}}); got != "o8" {
		t.Fatalf("next id %q", got)
	}
	ids := NewOptionIDs([]Option{{ID: "o2"}}, []Option{{ID: "o5"}, {ID: "agree"}})
	if a, b, c := ids.Next(), ids.Next(), ids.Next(); a != "o6" || b != "o7" || c != "o8" {
		t.Fatalf("ids %s %s %s", a, b, c)
	}
	if got := NewOptionIDs().Next(); got != "o1" {
		t.Fatalf("first id %q", got)
	}
}

func TestLifecycle(t *testing.T) {
	d := mustValid(t, def(TypePoll, 2, nil))
	open := State{}
	closed := State{ClosedAt: at(-1)}

	if s := StatusOf(d.Settings, open, now); s != StatusOpen {
		t.Fatalf("status %s", s)
	}
	draft := d
	draft.Settings.ClosingAt = nil
	if s := StatusOf(draft.Settings, open, now); s != StatusDraft {
		t.Fatalf("status %s", s)
	}
	if s := StatusOf(d.Settings, open, *d.Settings.ClosingAt); s != StatusClosed {
		t.Fatalf("at closing time: %s", s)
	}
	if s := StatusOf(d.Settings, closed, now); s != StatusClosed {
		t.Fatalf("status %s", s)
	}

	// extend
	if _, err := Extend(d, open, *at(10), now); !hasField(err, "settings.closing_at") {
		t.Fatalf("extend earlier: %v", err)
	}
	ext, err := Extend(d, open, *at(100), now)
	if err != nil || !ext.Settings.ClosingAt.Equal(*at(100)) {
		t.Fatalf("extend: %v", err)
	}
	if _, err := Extend(d, closed, *at(100), now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("extend closed: %v", err)
	}
	if _, err := Extend(draft, open, *at(100), now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("extend draft: %v", err)
	}
	// close early
	if err := CloseEarly(d, open, now); err != nil {
		t.Fatal(err)
	}
	if err := CloseEarly(d, closed, now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("close closed: %v", err)
	}
	if err := CloseEarly(draft, open, now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("close draft: %v", err)
	}
	// reopen
	if _, err := Reopen(d, open, *at(10), now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("reopen open: %v", err)
	}
	if _, err := Reopen(d, closed, *at(-10), now); !hasField(err, "settings.closing_at") {
		t.Fatalf("reopen in the past: %v", err)
	}
	re, err := Reopen(d, closed, *at(10), now)
	if err != nil || !re.Settings.ClosingAt.Equal(*at(10)) {
		t.Fatalf("reopen: %v", err)
	}
	anon := d
	anon.Settings.Anonymous = true
	if _, err := Reopen(anon, closed, *at(10), now); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("reopen anonymous: %v", err)
	}
	// reminder
	if when, ok := ClosingSoonAt(d.Settings); !ok || !when.Equal(d.Settings.ClosingAt.Add(-24*time.Hour)) {
		t.Fatalf("closing soon %v %v", when, ok)
	}
	nobody := d.Settings
	nobody.ReminderAudience = RemindNobody
	if _, ok := ClosingSoonAt(nobody); ok {
		t.Fatal("nobody gets no reminder")
	}
}

// TestTextFieldsAreCleaned: the title and option labels go through the one
// single-line cleaner, details and reasons through the body cleaner
// (internal/text), whatever the entry point (new poll, edit, added option,
// ballot).
func TestTextFieldsAreCleaned(t *testing.T) {
	const dirty = " \u202eTrojan\u200b\tTitle\u2066 e\u0301 "
	clean := text.Line(dirty)
	if clean != "Trojan Title é" {
		t.Fatalf("text.Line = %q", clean)
	}
	d := def(TypePoll, 2, func(d *Definition) {
		d.Title = dirty
		d.Details = "Line one\r\n\u202eline two \u200f(RTL mark kept)"
		d.Options[1].Label = "\u200bSecond\noption\u202c"
	})
	got, err := ValidateNew(d, now)
	if err != nil {
		t.Fatal(fieldsOf(err))
	}
	if got.Title != clean || got.Options[1].Label != "Second option" || got.Details != "Line one\nline two \u200f(RTL mark kept)" {
		t.Fatalf("new poll not cleaned: %+q %+q %+q", got.Title, got.Options[1].Label, got.Details)
	}
	next := got
	next.Title = "\u2067Edited\u2069 title\x00"
	next.Options = append([]Option{}, got.Options...)
	next.Options[0].Label = "First\u200d"
	edited, err := ValidateEdit(got, next, State{}, now)
	if err != nil {
		t.Fatal(fieldsOf(err))
	}
	if edited.Title != "Edited title" || edited.Options[0].Label != "First" {
		t.Fatalf("edit not cleaned: %+q %+q", edited.Title, edited.Options[0].Label)
	}
	added, err := ValidateAddOption(edited, Option{ID: "o9", Label: "\u202eAdded\u200b"}, State{}, now, true)
	if err != nil {
		t.Fatal(fieldsOf(err))
	}
	if l := added.Options[len(added.Options)-1].Label; l != "Added" {
		t.Fatalf("added option not cleaned: %+q", l)
	}
	// Labels that differ only by invisible characters or normalisation are duplicates.
	dup := def(TypePoll, 2, func(d *Definition) { d.Options[0].Label, d.Options[1].Label = "Caf\u00e9", "Cafe\u0301\u200b" })
	if _, err := ValidateNew(dup, now); !hasField(err, "options[1].label") {
		t.Fatalf("look-alike labels accepted: %v", fieldsOf(err))
	}
	b, err := PrepareBallot(got, Ballot{Choices: []Choice{{OptionID: got.Options[0].ID, Score: 1}}, Reason: "\u202eBecause\r\n👩🏽\u200d💻 \u200fمرحبا"})
	if err != nil {
		t.Fatal(fieldsOf(err))
	}
	if b.Reason != "Because\n👩🏽\u200d💻 \u200fمرحبا" {
		t.Fatalf("reason not cleaned: %+q", b.Reason)
	}
}
