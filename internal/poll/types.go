package poll

import (
	"time"

	"github.com/quorum-app/quorum/internal/domain"
)

// Type is the kind of a poll; it fixes the shape of options and ballots, the
// validation rules and the default order of results.
type Type string

// Poll types, as in docs/decisions-engine.md.
const (
	TypeProposal     Type = "proposal"
	TypePoll         Type = "poll"
	TypeCount        Type = "count"
	TypeCheck        Type = "check"
	TypeScore        Type = "score"
	TypeRankedChoice Type = "ranked_choice"
	TypeDotVote      Type = "dot_vote"
	TypeMeeting      Type = "meeting"
	TypeQuestion     Type = "question"
)

// Types lists every poll type in a stable order.
func Types() []Type {
	return []Type{TypeProposal, TypePoll, TypeCount, TypeCheck, TypeScore,
		TypeRankedChoice, TypeDotVote, TypeMeeting, TypeQuestion}
}

// Valid reports whether t is a known poll type.
func (t Type) Valid() bool {
	switch t {
	case TypeProposal, TypePoll, TypeCount, TypeCheck, TypeScore,
		TypeRankedChoice, TypeDotVote, TypeMeeting, TypeQuestion:
		return true
	}
	return false
}

// HasOptions reports whether polls of type t have options (all but question).
func (t Type) HasOptions() bool { return t != TypeQuestion }

// FreeOptions reports whether the author writes the options (as opposed to
// the fixed sets of count and check, and the chosen set of a proposal).
func (t Type) FreeOptions() bool {
	switch t {
	case TypePoll, TypeScore, TypeRankedChoice, TypeDotVote, TypeMeeting:
		return true
	}
	return false
}

// AllowsAnonymous reports whether a poll of type t may be anonymous.
func (t Type) AllowsAnonymous() bool {
	return t != TypeCount && t != TypeMeeting && t != TypeQuestion
}

// AllowsNoneOfTheAbove reports whether "none of the above" may be enabled.
func (t Type) AllowsNoneOfTheAbove() bool { return t == TypePoll || t == TypeRankedChoice }

// AllowsVoteShare reports whether vote-share requirements may be set.
func (t Type) AllowsVoteShare() bool { return t == TypeProposal || t == TypePoll }

// AllowsShuffle reports whether options may be shown in a per-viewer order.
func (t Type) AllowsShuffle() bool {
	switch t {
	case TypePoll, TypeScore, TypeRankedChoice, TypeDotVote:
		return true
	}
	return false
}

// CountsScores reports whether the tally keeps, per option, how many
// ballots gave each score ("c.<score>.<option>"): meeting (yes/maybe/no),
// score (the distribution of ratings, including 0) and ranked_choice (how
// many ballots put the option at each rank).
func (t Type) CountsScores() bool {
	return t == TypeMeeting || t == TypeScore || t == TypeRankedChoice
}

// ResultOrder is the default order of result rows.
type ResultOrder string

// Result orders.
const (
	OrderOptions   ResultOrder = "option_order"
	OrderTotalDesc ResultOrder = "total_desc"
	OrderTime      ResultOrder = "time_order"
	OrderNone      ResultOrder = "none"
)

// DefaultOrder is the default order of the result rows of type t.
func (t Type) DefaultOrder() ResultOrder {
	switch t {
	case TypeProposal, TypeCount, TypeCheck:
		return OrderOptions
	case TypePoll, TypeScore, TypeRankedChoice, TypeDotVote:
		return OrderTotalDesc
	case TypeMeeting:
		return OrderTime
	}
	return OrderNone
}

// HideResults says when results become visible; see ResultsVisible.
type HideResults string

// Hide-results modes.
const (
	HideOff         HideResults = "off"
	HideUntilVote   HideResults = "until_vote"
	HideUntilClosed HideResults = "until_closed"
)

// Valid reports whether h is a known mode.
func (h HideResults) Valid() bool {
	return h == HideOff || h == HideUntilVote || h == HideUntilClosed
}

// ReasonMode says whether a ballot may or must carry a reason.
type ReasonMode string

// Reason modes.
const (
	ReasonDisabled ReasonMode = "disabled"
	ReasonOptional ReasonMode = "optional"
	ReasonRequired ReasonMode = "required"
)

// Valid reports whether m is a known mode.
func (m ReasonMode) Valid() bool {
	return m == ReasonDisabled || m == ReasonOptional || m == ReasonRequired
}

// ReminderAudience is who receives the closing-soon reminder.
type ReminderAudience string

// Reminder audiences.
const (
	RemindNobody    ReminderAudience = "nobody"
	RemindAuthor    ReminderAudience = "author"
	RemindUndecided ReminderAudience = "undecided"
	RemindEveryone  ReminderAudience = "everyone"
)

// Valid reports whether a is a known audience.
func (a ReminderAudience) Valid() bool {
	return a == RemindNobody || a == RemindAuthor || a == RemindUndecided || a == RemindEveryone
}

// Measure is the figure a vote-share requirement tests.
type Measure string

// Measures of a vote-share requirement.
const (
	MeasureScorePercent Measure = "score_percent"
	MeasureVoterPercent Measure = "voter_percent"
)

// Comparison is the operator of a vote-share requirement.
type Comparison string

// Comparisons.
const (
	AtLeast Comparison = ">="
	AtMost  Comparison = "<="
)

// Requirement is a vote-share requirement on one option (proposal, poll):
// the option passes when Measure compared by Op with Threshold holds.
// Threshold is a percent with at most two decimals (e.g. 50, 66.67).
type Requirement struct {
	OptionID  string     `json:"option_id"`
	Measure   Measure    `json:"measure"`
	Op        Comparison `json:"op"`
	Threshold float64    `json:"threshold"`
}

// Option is one choice of a poll. ID is stable for the life of the poll and
// never contains a dot (it is part of tally attribute names). Meeting options
// carry Start: an instant, or (AllDay) a calendar date stored as midnight UTC.
type Option struct {
	ID     string    `json:"id"`
	Label  string    `json:"label"`
	Start  time.Time `json:"start,omitzero"`
	AllDay bool      `json:"all_day,omitempty"`
}

// Settings are the per-poll rules. Start from DefaultSettings(type) and
// overlay the user's input: fields that do not apply to a type must keep
// their zero value (validation rejects them otherwise).
type Settings struct {
	// ClosingAt is when voting ends; nil makes the poll a draft.
	ClosingAt *time.Time `json:"closing_at,omitempty"`
	// Anonymous seals ballots; can never be turned off.
	Anonymous bool `json:"anonymous"`
	// HideResults: off | until_vote | until_closed (never relaxed from until_closed).
	HideResults HideResults `json:"hide_results"`
	// ReasonMode: disabled | optional | required (required: > 5 visible characters).
	ReasonMode ReasonMode `json:"reason_mode"`
	// ReasonMaxLength limits a reason in characters (runes); 0 turns the
	// per-poll limit off (MaxReasonLength still applies). Default 500.
	ReasonMaxLength int `json:"reason_max_length"`
	// MinChoices, MaxChoices: poll (how many options a ballot picks);
	// MinChoices alone is N for ranked_choice (default 3, clamped to the
	// number of options).
	MinChoices int `json:"min_choices"`
	MaxChoices int `json:"max_choices"`
	// MinScore, MaxScore: score range (score polls; default 0..5).
	MinScore int `json:"min_score"`
	MaxScore int `json:"max_score"`
	// DotsPerPerson: dot_vote budget (default 8).
	DotsPerPerson int `json:"dots_per_person"`
	// ShuffleOptions shows options in a per-viewer order (poll, score,
	// ranked_choice, dot_vote); results keep the canonical order.
	ShuffleOptions bool `json:"shuffle_options"`
	// VotersMayAddOptions lets voters add options while open (free-option types).
	VotersMayAddOptions bool `json:"voters_may_add_options"`
	// NoneOfTheAbove offers an exclusive "none of the above" (poll, ranked_choice).
	NoneOfTheAbove bool `json:"none_of_the_above"`
	// SpecifiedVotersOnly restricts voting to invitees instead of the group.
	SpecifiedVotersOnly bool `json:"specified_voters_only"`
	// ThreadGuestsMayVote adds the guests of the poll's thread to a
	// whole-group voter set (polls in a thread only; see InVoterSet).
	ThreadGuestsMayVote bool `json:"thread_guests_may_vote"`
	// QuorumPercent of eligible voters who must vote; 0 = no quorum.
	QuorumPercent int `json:"quorum_percent"`
	// VoteShare requirements (proposal, poll).
	VoteShare []Requirement `json:"vote_share,omitempty"`
	// CountTarget is the number of accepts a count poll aims for (default 5).
	CountTarget int `json:"count_target"`
	// MeetingDuration in minutes (meeting; 0 = not set; default 60).
	MeetingDuration int `json:"meeting_duration"`
	// TimeZone is the IANA zone of a meeting poll (default "UTC").
	TimeZone string `json:"time_zone,omitempty"`
	// CanRespondMaybe allows "maybe" answers (meeting; default true).
	CanRespondMaybe bool `json:"can_respond_maybe"`
	// ReminderAudience of the closing-soon reminder (default undecided).
	ReminderAudience ReminderAudience `json:"reminder_audience"`
	// Seats elected by STV (ranked_choice; default 1).
	Seats int `json:"seats"`
}

// Definition is everything the author defines about a poll: the pure part
// of a poll record, without ids, group, author or timestamps.
type Definition struct {
	Type     Type     `json:"type"`
	Title    string   `json:"title"`
	Details  string   `json:"details"`
	Options  []Option `json:"options"`
	Settings Settings `json:"settings"`
}

// Limits.
const (
	MaxOptions           = 50    // options per poll; bounds the size of a tally delta
	MaxOptionLabelLength = 150   // characters of a free-text option label
	MaxOptionIDLength    = 32    // characters of an option id
	MaxTitleLength       = 250   // characters of a poll title
	MaxDetailsLength     = 20000 // characters of the poll details
	MaxReasonLength      = 10000 // hard cap on a reason, even with the per-poll limit off
	DefaultReasonLength  = 500   // the per-poll reason limit, on by default
	MinRequiredReason    = 5     // a required reason needs MORE than this many visible characters
	MaxScoreValue        = 100   // upper bound of max_score
	MaxDotsPerPerson     = 1000
	MaxCountTarget       = 100000
	MaxMeetingDuration   = 7 * 24 * 60 // minutes
	MaxRequirements      = 10
	MaxRankedChoiceN     = MaxOptions
	DefaultCountTarget   = 5
	DefaultRankedN       = 3
	DefaultDots          = 8
	DefaultMaxScore      = 5
	DefaultMeetingMins   = 60
	DefaultSeats         = 1
	ClosingSoonLead      = 24 * time.Hour // closing-soon reminder lead time
)

// Preset option ids. Proposal options are any of the proposal presets (or
// custom options); count and check have fixed sets.
const (
	OptionAgree      = "agree"
	OptionAbstain    = "abstain"
	OptionDisagree   = "disagree"
	OptionBlock      = "block"
	OptionConsent    = "consent"
	OptionObjection  = "objection"
	OptionAccept     = "accept"
	OptionDecline    = "decline"
	OptionLooksGood  = "looks_good"
	OptionNotSure    = "not_sure"
	OptionConcerned  = "concerned"
	DefaultTimeZone  = "UTC"
	noneOfTheAboveID = "none_of_the_above" // reserved: never an option id
)

// PresetLabel is the default label of a preset option id ("" if none).
func PresetLabel(id string) string {
	switch id {
	case OptionAgree:
		return "Agree"
	case OptionAbstain:
		return "Abstain"
	case OptionDisagree:
		return "Disagree"
	case OptionBlock:
		return "Block"
	case OptionConsent:
		return "Consent"
	case OptionObjection:
		return "Objection"
	case OptionAccept:
		return "Accept"
	case OptionDecline:
		return "Decline"
	case OptionLooksGood:
		return "Looks good"
	case OptionNotSure:
		return "Not sure"
	case OptionConcerned:
		return "Concerned"
	}
	return ""
}

func presets(ids ...string) []Option {
	out := make([]Option, len(ids))
	for i, id := range ids {
		out[i] = Option{ID: id, Label: PresetLabel(id)}
	}
	return out
}

// fixedOptionIDs are the exact option ids of types with a fixed option set.
func fixedOptionIDs(t Type) []string {
	switch t {
	case TypeCount:
		return []string{OptionAccept, OptionDecline}
	case TypeCheck:
		return []string{OptionLooksGood, OptionNotSure, OptionConcerned}
	}
	return nil
}

// DefaultOptions are the options a new poll of type t starts with:
// agree/abstain/disagree/block for proposals, the fixed sets of count and
// check, none for the others.
func DefaultOptions(t Type) []Option {
	switch t {
	case TypeProposal:
		return presets(OptionAgree, OptionAbstain, OptionDisagree, OptionBlock)
	case TypeCount, TypeCheck:
		return presets(fixedOptionIDs(t)...)
	}
	return nil
}

// DefaultSettings are the settings a new poll of type t starts with, exactly
// as in decisions.md. Fields that do not apply to t are zero.
func DefaultSettings(t Type) Settings {
	s := Settings{
		HideResults:      HideOff,
		ReasonMode:       ReasonOptional,
		ReasonMaxLength:  DefaultReasonLength,
		ReminderAudience: RemindUndecided,
	}
	switch t {
	case TypePoll:
		s.MinChoices, s.MaxChoices = 1, 1
	case TypeCount:
		s.CountTarget = DefaultCountTarget
	case TypeScore:
		s.MinScore, s.MaxScore = 0, DefaultMaxScore
	case TypeRankedChoice:
		s.MinChoices = DefaultRankedN
		s.Seats = DefaultSeats
	case TypeDotVote:
		s.DotsPerPerson = DefaultDots
	case TypeMeeting:
		s.MeetingDuration = DefaultMeetingMins
		s.TimeZone = DefaultTimeZone
		s.CanRespondMaybe = true
	case TypeQuestion:
		s.ReasonMode = ReasonRequired
	}
	return s
}

// New returns a draft definition of type t with default options and settings.
func New(t Type) Definition {
	return Definition{Type: t, Options: DefaultOptions(t), Settings: DefaultSettings(t)}
}

// RankedN is N for a ranked_choice poll: min_choices clamped to the number
// of options (each ballot ranks exactly N options; 1st gets N points).
// It is 0 for other types.
func (d Definition) RankedN() int {
	if d.Type != TypeRankedChoice {
		return 0
	}
	return min(d.Settings.MinChoices, len(d.Options))
}

// Option returns the option with id and whether it exists.
func (d Definition) Option(id string) (Option, bool) {
	for _, o := range d.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Status is where a poll is in its life.
type Status string

// Statuses.
const (
	StatusDraft  Status = "draft"
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// State is the part of a stored poll that the rules need besides its
// definition: when it was closed (nil while not closed) and how many ballots
// currently exist (the tally's "decided").
type State struct {
	ClosedAt *time.Time
	Decided  int64
	// BallotsHidden: whether ballots exist is hidden from the person making
	// the change, so it is validated as if they did (see EditState).
	BallotsHidden bool
}

// ballotsMayExist reports whether the rules that protect cast ballots apply.
func (st State) ballotsMayExist() bool { return st.Decided > 0 || st.BallotsHidden }

// afterVotes ends an edit-rule message: why a change is refused.
func (st State) afterVotes() domain.Term {
	if st.BallotsHidden {
		return domain.Term{Kind: "phrase", Name: "once_open_hidden", English: "once the poll is open while its results are hidden from you"}
	}
	return domain.Term{Kind: "phrase", Name: "after_votes", English: "after votes were cast"}
}

// Term is the poll type as a term of an error message ("does not apply to
// %s polls"): its name in the reader's language (catalog key
// page.i18n.poll_type.<type>), the type's code in English.
func (t Type) Term() domain.Term { return domain.Term{Kind: "poll_type", Name: string(t)} }

// StatusOf derives the status: closed once ClosedAt is set or closing_at has
// passed (even before the scheduler records the close, so that no vote is
// accepted late), draft without closing_at, open otherwise.
func StatusOf(s Settings, st State, now time.Time) Status {
	switch {
	case st.ClosedAt != nil:
		return StatusClosed
	case s.ClosingAt == nil:
		return StatusDraft
	case !now.Before(*s.ClosingAt):
		return StatusClosed
	}
	return StatusOpen
}

// ClosingSoonAt is when the closing-soon reminder is due, false for drafts
// and when the audience is nobody.
func ClosingSoonAt(s Settings) (time.Time, bool) {
	if s.ClosingAt == nil || s.ReminderAudience == RemindNobody {
		return time.Time{}, false
	}
	return s.ClosingAt.Add(-ClosingSoonLead), true
}
