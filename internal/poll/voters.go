package poll

// Relation is how one person stands to a poll: to its group, to its thread
// and to its list of chosen voters.
type Relation struct {
	// Member: a member of the poll's group.
	Member bool
	// ThreadGuest: a guest of the thread the poll is in (never true for a
	// poll outside a thread).
	ThreadGuest bool
	// Chosen: on the list of voters of a poll with specified voters only.
	Chosen bool
}

// InVoterSet is the one definition of a poll's voter set, which every
// figure and rule follows: the vote's eligibility check, `eligible` (the
// number of people in the set), the undecided list, reminders, the
// participation receipts written at close, and withdrawals (whoever leaves
// the set while the poll is open has their ballot withdrawn).
//
//   - With specified voters only: the chosen voters, each still a member of
//     the group or a guest of the poll's thread.
//   - Otherwise: every member of the group, and, when the poll's settings
//     invite them (thread_guests_may_vote), the guests of its thread.
//
// A thread guest therefore votes only where the poll includes them; seeing
// the poll (it is part of their thread) does not make them a voter.
func InVoterSet(s Settings, r Relation) bool {
	switch {
	case !r.Member && !r.ThreadGuest:
		return false
	case s.SpecifiedVotersOnly:
		return r.Chosen
	}
	return r.Member || s.ThreadGuestsMayVote
}
