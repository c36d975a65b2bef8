package process

import "github.com/quorum-app/quorum/internal/poll"

// builtin is one of the processes every group can start from. Its name and
// guide are catalog messages (process.<key>.name, process.<key>.guide) in
// every language; the rest is fixed here.
type builtin struct {
	key  string
	kind Kind
	// def is the poll's definition (poll kinds): type, options, settings;
	// no title, no closing time (the person writes the one, the template's
	// ClosingDays gives the other).
	def         func() poll.Definition
	closingDays int
}

// builtins are the built-in processes, in the order they are offered.
var builtins = []builtin{
	// The advice, consent and consensus processes are a thread with a
	// poll in it: the thread to discuss, the poll to gather advice or
	// decide (its title is the thread's unless the template names one).
	{key: "advice", kind: KindThread, closingDays: 7, def: func() poll.Definition {
		return poll.New(poll.TypeQuestion)
	}},
	{key: "consent", kind: KindThread, closingDays: 7, def: func() poll.Definition {
		d := poll.New(poll.TypeProposal)
		d.Options = presetOptions(poll.OptionConsent, poll.OptionObjection)
		return d
	}},
	{key: "consensus", kind: KindThread, closingDays: 7, def: func() poll.Definition {
		return poll.New(poll.TypeProposal) // agree, abstain, disagree, block
	}},
	{key: "gradients", kind: KindPoll, closingDays: 7, def: func() poll.Definition {
		d := poll.New(poll.TypeScore)
		d.Settings.MinScore, d.Settings.MaxScore = 1, 8
		return d
	}},
	{key: "dot_vote", kind: KindPoll, closingDays: 7, def: func() poll.Definition {
		return poll.New(poll.TypeDotVote)
	}},
	{key: "ranked", kind: KindPoll, closingDays: 7, def: func() poll.Definition {
		return poll.New(poll.TypeRankedChoice)
	}},
	{key: "check_in", kind: KindPoll, closingDays: 3, def: func() poll.Definition {
		return poll.New(poll.TypeCheck)
	}},
	{key: "time_poll", kind: KindPoll, closingDays: 5, def: func() poll.Definition {
		return poll.New(poll.TypeMeeting)
	}},
	{key: "question_round", kind: KindPoll, closingDays: 7, def: func() poll.Definition {
		return poll.New(poll.TypeQuestion)
	}},
	{key: "election", kind: KindPoll, closingDays: 7, def: func() poll.Definition {
		d := poll.New(poll.TypeRankedChoice)
		d.Settings.Seats = 2
		d.Settings.ReasonMode = poll.ReasonDisabled
		return d
	}},
}

// builtinByKey returns the built-in process named key.
func builtinByKey(key string) (builtin, bool) {
	for _, b := range builtins {
		if b.key == key {
			return b, true
		}
	}
	return builtin{}, false
}

// BuiltinKeys lists the keys of the built-in processes (tests, docs).
func BuiltinKeys() []string {
	out := make([]string, len(builtins))
	for i, b := range builtins {
		out[i] = b.key
	}
	return out
}

func presetOptions(idList ...string) []poll.Option {
	out := make([]poll.Option, len(idList))
	for i, id := range idList {
		out[i] = poll.Option{ID: id, Label: poll.PresetLabel(id)}
	}
	return out
}
