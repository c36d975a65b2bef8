// Package poll is the pure decision-rule core of Quorum's polls: poll types,
// settings and their defaults, validation of poll definitions and of edits,
// the lifecycle (draft, open, extend, close early, reopen), ballot
// validation, exact O(1) tally deltas, result figures, the ranked-choice
// extras (Schulze and STV) and the one results-visibility check. It does no
// I/O: the storage and HTTP layers are built on it. docs/decisions-engine.md
// describes every rule and formula; the shared design's decisions.md is the
// reference it implements.
//
// # Model
//
// A Definition is what the author defines: Type, Title, Details, Options and
// Settings. Start a new poll from New(type) (DefaultOptions + DefaultSettings)
// and overlay user input; ValidateNew and ValidateEdit normalize (trim, meeting
// options in UTC and time order) and return domain.Validation errors naming
// fields as in the API ("settings.max_choices", "options[2].label").
// Lifecycle state that is not part of the definition (ClosedAt, the number of
// ballots) is a State; StatusOf derives draft/open/closed, treating a passed
// closing_at as closed even before the scheduler records it.
//
// A Ballot is one voter's latest answer. PrepareBallot validates it against
// the definition and returns its canonical form, which is what gets stored
// and what the tally functions read.
//
// # Tallies
//
// The tally is a set of integer counters stored as top-level Number
// attributes of one item ("decided", "nota", "t.<option>", "v.<option>",
// "c.<score>.<option>"). Delta(type, prev, next) returns the increments of
// one cast (prev nil), change, or withdrawal (next nil); the storage layer
// applies them with a single ADD UpdateExpression in the ballot's
// transaction, conditioned on the stored ballot still being prev. Deltas are
// linear, so applying the deltas of any sequence of writes to an empty tally
// equals Recount of the final ballots (tested with randomized sequences over
// every type). ComputeResults turns a Tally plus the eligible count into
// every figure; percents are computed at read time, 0 when a denominator is 0.
//
// # Ranked choice
//
// Besides the truncated Borda totals in the tally, ComputeRankedChoice runs
// Schulze (Condorcet) and STV (Droop quota, weighted inclusive Gregory
// transfers in exact rationals, forward-then-option-order tie-breaks) over
// the final ballots when the poll closes.
//
// # Visibility
//
// ResultsVisible is the one check for hide_results. Every surface calls it
// before showing anything derived from the tally or from other voters'
// ballots; poll admins get no exception.
package poll
