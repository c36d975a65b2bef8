package poll

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Tally attribute names. The tally item of a poll holds one Number attribute
// per counter, at the top level of the item, so a ballot write updates it
// with a single "ADD #a0 :a0, #a1 :a1, ..." (names through
// ExpressionAttributeNames, so the dots are not document paths; ADD creates a
// missing attribute from 0):
//
//	decided              ballots that currently exist
//	nota                 ballots choosing "none of the above"
//	t.<option>           total: sum of the scores given to the option
//	v.<option>           voters: ballots giving the option a non-zero score
//	                     (meeting: any answer, including no)
//	c.<score>.<option>   ballots giving the option exactly this score
//	                     (meeting, score and ranked_choice only)
//
// Option ids never contain a dot and scores are non-negative integers, so
// every name parses unambiguously. Other attributes of the item (keys,
// version...) must not use these names or contain a dot.
const (
	AttrDecided      = "decided"
	AttrNone         = "nota"
	attrTotalPrefix  = "t."
	attrVoterPrefix  = "v."
	attrScorePrefix  = "c."
	MaxDeltaEntries  = 4*MaxOptions + 2 // upper bound of len(Delta(...))
	maxScoreKeyValue = MaxDotsPerPerson // largest score any ballot can carry
)

// AttrTotal is the attribute holding the total of an option.
func AttrTotal(optionID string) string { return attrTotalPrefix + optionID }

// AttrVoters is the attribute holding the voter count of an option.
func AttrVoters(optionID string) string { return attrVoterPrefix + optionID }

// AttrScoreCount is the attribute counting ballots that gave optionID score.
func AttrScoreCount(score int, optionID string) string {
	return attrScorePrefix + strconv.Itoa(score) + "." + optionID
}

// TallyDelta maps tally attribute names to the amounts to ADD. Zero entries
// are never present.
type TallyDelta map[string]int64

// Keys returns the attribute names in sorted order, for a deterministic
// UpdateExpression.
func (d TallyDelta) Keys() []string { return slices.Sorted(maps.Keys(d)) }

// OptionTally is the running count of one option.
type OptionTally struct {
	Total  int64 `json:"total"`
	Voters int64 `json:"voters"`
	// ScoreCounts[s] = ballots giving the option score s (meeting, score,
	// ranked_choice).
	ScoreCounts map[int]int64 `json:"score_counts,omitempty"`
}

// Tally is the running count of a poll: what the tally item holds.
type Tally struct {
	Decided        int64                  `json:"decided"`
	NoneOfTheAbove int64                  `json:"none_of_the_above"`
	Options        map[string]OptionTally `json:"options"`
}

// counters lists the contributions of one canonical ballot: everything a
// ballot adds when cast and subtracts when withdrawn.
func counters(t Type, b *Ballot, sign int64, into TallyDelta) {
	if b == nil {
		return
	}
	into[AttrDecided] += sign
	if b.NoneOfTheAbove {
		into[AttrNone] += sign
	}
	for _, c := range b.Choices {
		into[AttrTotal(c.OptionID)] += sign * int64(c.Score)
		if c.Score != 0 || t == TypeMeeting {
			into[AttrVoters(c.OptionID)] += sign
		}
		if t.CountsScores() {
			into[AttrScoreCount(c.Score, c.OptionID)] += sign
		}
	}
}

// Delta returns the increments that turn the tally of a poll of type t with
// the voter's previous ballot prev into the tally with next: cast (prev nil),
// change (both) or withdraw (next nil). Both ballots must be canonical
// (PrepareBallot; a stored ballot stays canonical). The result depends only
// on the two ballots, never on other voters, so its cost is O(options).
// Applying the deltas of any sequence of writes to an empty tally equals
// Recount of the final ballots.
func Delta(t Type, prev, next *Ballot) TallyDelta {
	d := TallyDelta{}
	counters(t, prev, -1, d)
	counters(t, next, +1, d)
	maps.DeleteFunc(d, func(_ string, v int64) bool { return v == 0 })
	return d
}

// Recount computes the tally from the current ballots (each voter's latest).
func Recount(t Type, ballots []Ballot) Tally {
	d := TallyDelta{}
	for i := range ballots {
		counters(t, &ballots[i], +1, d)
	}
	var tl Tally
	if err := tl.Apply(d); err != nil {
		panic(err) // counters only produces well-formed names
	}
	return tl
}

// Apply adds a delta to the tally (what DynamoDB ADD does to the item).
func (tl *Tally) Apply(d TallyDelta) error {
	for _, k := range d.Keys() {
		if err := tl.add(k, d[k]); err != nil {
			return err
		}
	}
	return nil
}

func (tl *Tally) option(id string) OptionTally {
	if tl.Options == nil {
		tl.Options = map[string]OptionTally{}
	}
	return tl.Options[id]
}

func (tl *Tally) add(key string, n int64) error {
	switch {
	case key == AttrDecided:
		tl.Decided += n
	case key == AttrNone:
		tl.NoneOfTheAbove += n
	case strings.HasPrefix(key, attrTotalPrefix), strings.HasPrefix(key, attrVoterPrefix):
		id := key[2:]
		if !validOptionID(id) {
			return fmt.Errorf("poll: malformed tally attribute %q", key)
		}
		o := tl.option(id)
		if key[0] == 't' {
			o.Total += n
		} else {
			o.Voters += n
		}
		tl.Options[id] = o
	case strings.HasPrefix(key, attrScorePrefix):
		score, id, ok := strings.Cut(key[2:], ".")
		s, err := strconv.Atoi(score)
		if !ok || err != nil || s < 0 || s > maxScoreKeyValue || strconv.Itoa(s) != score || !validOptionID(id) {
			return fmt.Errorf("poll: malformed tally attribute %q", key)
		}
		o := tl.option(id)
		if o.ScoreCounts == nil {
			o.ScoreCounts = map[int]int64{}
		}
		o.ScoreCounts[s] += n
		tl.Options[id] = o
	default:
		return fmt.Errorf("poll: unknown tally attribute %q", key)
	}
	return nil
}

// Attributes returns the tally as attribute name -> value, leaving out zeros.
func (tl Tally) Attributes() map[string]int64 {
	m := map[string]int64{}
	put := func(k string, v int64) {
		if v != 0 {
			m[k] = v
		}
	}
	put(AttrDecided, tl.Decided)
	put(AttrNone, tl.NoneOfTheAbove)
	for id, o := range tl.Options {
		put(AttrTotal(id), o.Total)
		put(AttrVoters(id), o.Voters)
		for s, c := range o.ScoreCounts {
			put(AttrScoreCount(s, id), c)
		}
	}
	return m
}

// TallyFromAttributes parses the Number attributes of a tally item. Names
// that are neither "decided", "nota" nor contain a dot (keys, version...) are
// ignored; a malformed tally name is an error.
func TallyFromAttributes(attrs map[string]int64) (Tally, error) {
	var tl Tally
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if k != AttrDecided && k != AttrNone && !strings.Contains(k, ".") {
			continue
		}
		if err := tl.add(k, attrs[k]); err != nil {
			return Tally{}, err
		}
	}
	return tl, nil
}

// Equal reports whether two tallies hold the same counts (zeros and absent
// entries are the same).
func (tl Tally) Equal(u Tally) bool { return maps.Equal(tl.Attributes(), u.Attributes()) }

// Diff lists the attributes where tl and u differ, as "name: a != b", for a
// recount check report.
func (tl Tally) Diff(u Tally) []string {
	a, b := tl.Attributes(), u.Attributes()
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if a[k] != b[k] {
			out = append(out, fmt.Sprintf("%s: %d != %d", k, a[k], b[k]))
		}
	}
	return out
}

// Negative reports whether any counter is below zero (a corrupted tally).
func (tl Tally) Negative() bool {
	for _, v := range tl.Attributes() {
		if v < 0 {
			return true
		}
	}
	return false
}
