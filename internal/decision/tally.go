package decision

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The tally of a poll (docs/data-model.md, pattern 32). This file is the
// only code that reads or writes it.
//
// Polls created since sharding (pollItem.TallyShards > 0) count in
// tallyShards items PK=POLL#<pid> SK=TALLY#<k>; a ballot write ADDs its
// delta to one shard picked at random per attempt, so concurrent votes on
// one poll rarely touch the same item (on AWS two transactions on one item
// cancel each other). Each shard carries a copy of the poll's Status,
// ClosingAtMs and DefVersion, so the vote's condition is checked on the
// shard it writes and the poll item is not a hot item either; every write
// that changes those on the poll updates every shard in the same
// transaction (syncShards).
//
// Counter names on a shard are short: "d" (decided), "x" (none of the
// above), and per option slot s (the option's index in
// pollItem.TallySlots, stable while ballots exist) "t<s>" (total) and
// "v<s>" (voters), or for meeting polls "c<score>_<s>" (yes, maybe, no:
// total and voters follow from them). Score and ranked-choice polls keep no
// score distribution while open: it is computed at close from the ballots
// (finalizeItem), as Schulze and STV are.
//
// Polls created before sharding (TallyShards 0) keep counting in their
// single item SK=TALLY with the poll package's names (poll.TallyDelta),
// checked against the poll item. Readers always add up TALLY and the
// shards, so no poll's figures change.

// tallyShards is the number of tally shards of a new poll. A poll's
// creation writes them all in one transaction beside up to 2 x
// MaxVotersAtCreate voter items, the poll and an idempotency record:
// 8 keeps it within DynamoDB's 100 items.
const tallyShards = 8

const prefixShard = "TALLY#"

func shardSK(k int) string { return prefixShard + strconv.Itoa(k) }

// tallyKeys are the sort keys a reader of the tally asks for: the legacy
// item and every shard (missing ones cost nothing but the key).
func tallyKeys() []string {
	keys := make([]string, 0, tallyShards+1)
	keys = append(keys, skTally)
	for k := range tallyShards {
		keys = append(keys, shardSK(k))
	}
	return keys
}

// tallyKeysOf are tallyKeys as full keys of poll pid.
func tallyKeysOf(pid string) []key {
	var keys []key
	for _, sk := range tallyKeys() {
		keys = append(keys, key{tabledef.PollPK(pid), sk})
	}
	return keys
}

// shardItem: PK=POLL#<pid> SK=TALLY#<k>. Counters are top-level Number
// attributes written only by ADD; the rest are copies of the poll's.
type shardItem struct {
	store.Item
	PollID      string `dynamo:"PollID"`
	Status      string `dynamo:"Status"`
	ClosingAtMs int64  `dynamo:"ClosingAtMs"`
	DefVersion  int64  `dynamo:"DefVersion"`
}

// newShards returns the shards of a new poll p.
func newShards(p *pollItem) []*shardItem {
	out := make([]*shardItem, p.TallyShards)
	for k := range out {
		out[k] = &shardItem{Item: store.Item{PK: tabledef.PollPK(p.ID), SK: shardSK(k), Type: "tally_shard"}, PollID: p.ID,
			Status: p.Status, ClosingAtMs: p.ClosingAtMs, DefVersion: p.DefVersion}
	}
	return out
}

// nextSlots returns the option slots after an edit to next: options still
// there keep their order, new ones are appended. An option disappears only
// from a poll without ballots (poll.ValidateEdit), whose counters are all
// zero, so the slots that move carry nothing.
func nextSlots(slots []string, next poll.Definition) []string {
	ids := make(map[string]bool, len(next.Options))
	for _, o := range next.Options {
		ids[o.ID] = true
	}
	out := make([]string, 0, len(next.Options))
	have := map[string]bool{}
	for _, id := range slots {
		if ids[id] {
			out = append(out, id)
			have[id] = true
		}
	}
	for _, o := range next.Options {
		if !have[o.ID] {
			out = append(out, o.ID)
		}
	}
	return out
}

// keepsDistribution: the shards of a poll of type t count each score
// (meeting: yes, maybe and no are its figures).
func keepsDistribution(t poll.Type) bool { return t == poll.TypeMeeting }

// shardDelta renames a poll.TallyDelta into shard counters.
func shardDelta(t poll.Type, slots []string, d poll.TallyDelta) (poll.TallyDelta, error) {
	slot := make(map[string]int, len(slots))
	for i, id := range slots {
		slot[id] = i
	}
	out := make(poll.TallyDelta, len(d))
	for name, n := range d {
		switch {
		case name == poll.AttrDecided:
			out["d"] += n
		case name == poll.AttrNone:
			out["x"] += n
		default:
			kind, rest, _ := strings.Cut(name, ".")
			score := ""
			if kind == "c" {
				score, rest, _ = strings.Cut(rest, ".")
			}
			s, ok := slot[rest]
			if !ok {
				return nil, domain.Errorf(domain.Internal, "tally: option %q has no slot", rest)
			}
			switch {
			case kind == "c" && keepsDistribution(t):
				out["c"+score+"_"+strconv.Itoa(s)] += n
			case kind == "c", keepsDistribution(t):
				// Computed at close (score, ranked choice) or from the
				// score counts (meeting).
			default:
				out[kind+strconv.Itoa(s)] += n
			}
		}
	}
	return out, nil
}

// fromShard renames the counters of a shard back into poll.Tally
// attribute names (other attributes are ignored).
func fromShard(t poll.Type, slots []string, nums map[string]int64, into map[string]int64) error {
	for name, n := range nums {
		if name == "" || !(name[0] >= 'a' && name[0] <= 'z') {
			continue // keys, copies of the poll, Version
		}
		if name == "d" || name == "x" {
			into[map[string]string{"d": poll.AttrDecided, "x": poll.AttrNone}[name]] += n
			continue
		}
		score, s := "", name[1:]
		if name[0] == 'c' {
			score, s, _ = strings.Cut(name[1:], "_")
		}
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(slots) || (name[0] != 't' && name[0] != 'v' && name[0] != 'c') {
			return fmt.Errorf("malformed tally shard counter %q", name)
		}
		id := slots[i]
		switch name[0] {
		case 't':
			into[poll.AttrTotal(id)] += n
		case 'v':
			into[poll.AttrVoters(id)] += n
		default:
			sc, err := strconv.Atoi(score)
			if err != nil {
				return fmt.Errorf("malformed tally shard counter %q", name)
			}
			into[poll.AttrScoreCount(sc, id)] += n
			if t == poll.TypeMeeting { // every answer is a voter; yes counts 2, maybe 1
				into[poll.AttrVoters(id)] += n
				into[poll.AttrTotal(id)] += int64(sc) * n
			}
		}
	}
	return nil
}

// readTally adds up the poll's tally from the items read with tallyKeys.
// The shards of a score or ranked-choice poll hold no score counts: the
// result has none (see ComputeResults' callers).
func readTally(p *pollItem, d poll.Definition, items map[key]dynamo.Item) (poll.Tally, error) {
	attrs := map[string]int64{}
	if it, ok := items[key{tabledef.PollPK(p.ID), skTally}]; ok {
		maps.Copy(attrs, numbers(it))
	}
	if p.TallyShards > 0 {
		if d.Type.CountsScores() && !keepsDistribution(d.Type) {
			maps.DeleteFunc(attrs, func(k string, _ int64) bool { return strings.HasPrefix(k, "c.") })
		}
		for k := range tallyShards {
			if it, ok := items[key{tabledef.PollPK(p.ID), shardSK(k)}]; ok {
				if err := fromShard(d.Type, p.TallySlots, numbers(it), attrs); err != nil {
					return poll.Tally{}, domain.Wrap(domain.Internal, err, "stored tally is unreadable")
				}
			}
		}
	}
	tl, err := poll.TallyFromAttributes(attrs)
	if err != nil {
		return poll.Tally{}, domain.Wrap(domain.Internal, err, "stored tally is unreadable")
	}
	return tl, nil
}

// liveDistribution reports whether the live tally of p holds score counts
// (false for sharded score and ranked-choice polls until close).
func liveDistribution(p *pollItem, d poll.Definition) bool {
	return p.TallyShards == 0 || keepsDistribution(d.Type)
}

// tally reads the tally of a loaded poll (load with tallyKeys()).
func (l *loaded) tally() (poll.Tally, error) { return readTally(l.p, l.def, l.items) }

// decidedByItem returns the decided count of each tally item read, by sort
// key (items not there count 0), for an edit's "no vote meanwhile" checks.
func (l *loaded) decidedByItem() map[string]int64 {
	out := map[string]int64{}
	for _, sk := range tallyKeys() {
		if it, ok := l.item(sk); ok {
			n := numbers(it)
			out[sk] = n[poll.AttrDecided] + n["d"]
		}
	}
	return out
}

// checkNoVotes adds to tx the checks that no ballot was written to the
// poll's tally since l was read: the legacy TALLY item's decided count,
// and, through syncShards, each shard's. It returns the per-shard counts
// for syncShards.
func checkNoVotes(tx *store.Tx, l *loaded, onFail error) map[string]int64 {
	dec := l.decidedByItem()
	tx.Check(tabledef.PollPK(l.p.ID), skTally, "attribute_not_exists($) OR $ = ?", onFail, poll.AttrDecided, poll.AttrDecided, dec[skTally])
	return dec
}

// syncShards adds to tx the update of every shard's copy of p's Status,
// ClosingAtMs and DefVersion (as p now holds them). With decided (from
// checkNoVotes), each is also conditioned on its decided count being the
// one read, failing with onFail.
func (s *Service) syncShards(tx *store.Tx, p *pollItem, decided map[string]int64, onFail error) {
	for k := range p.TallyShards {
		u := s.st.Update(tabledef.PollPK(p.ID), shardSK(k)).
			Set("Status", p.Status).Set("ClosingAtMs", p.ClosingAtMs).Set("DefVersion", p.DefVersion)
		if decided != nil {
			u.If("attribute_not_exists($) OR $ = ?", "d", "d", decided[shardSK(k)])
		}
		tx.Update(u, onFail)
	}
}

// count adds a ballot write's tally delta to tx. With open set, the write
// is also conditioned on the poll being open at *open with the definition
// the ballot was prepared against (errPollCheck): on the shard it writes
// (sharded polls) or on the poll item (legacy polls). Without it (removals
// by the system or an admin, whose transactions check the poll item
// themselves) an empty delta adds nothing.
func (s *Service) count(tx *store.Tx, p *pollItem, d poll.Definition, delta poll.TallyDelta, open *time.Time) error {
	const openCond = "$ = ? AND $ > ? AND $ = ?"
	var openArgs []any
	if open != nil {
		openArgs = []any{"Status", string(poll.StatusOpen), "ClosingAtMs", open.UnixMilli(), "DefVersion", p.DefVersion}
	}
	sk, sd := skTally, delta
	if p.TallyShards > 0 {
		var err error
		if sd, err = shardDelta(d.Type, p.TallySlots, delta); err != nil {
			return err
		}
		sk = shardSK(rand.IntN(p.TallyShards)) // #nosec G404 -- load spreading, not a secret
	}
	if len(sd) > 0 {
		u := addDelta(s.st.Update(tabledef.PollPK(p.ID), sk), sd)
		if open != nil && p.TallyShards > 0 {
			u.If(openCond, openArgs...)
		}
		tx.Update(u, errPollCheck)
	}
	switch {
	case open == nil:
	case p.TallyShards == 0:
		tx.Check(tabledef.PollPK(p.ID), skPoll, openCond, errPollCheck, openArgs...)
	case len(sd) == 0:
		tx.Check(tabledef.PollPK(p.ID), sk, openCond, errPollCheck, openArgs...)
	}
	return nil
}

// frozenTally is the tally frozen at close: the stored counters, with the
// score counts of a sharded score or ranked-choice poll computed from its
// ballots (ballots: all of them; read only for those).
func frozenTally(p *pollItem, d poll.Definition, stored poll.Tally, ballots []poll.Ballot) map[string]int64 {
	attrs := stored.Attributes()
	if !liveDistribution(p, d) {
		for k, v := range poll.Recount(d.Type, ballots).Attributes() {
			if strings.HasPrefix(k, "c.") {
				attrs[k] = v
			}
		}
	}
	return attrs
}

// comparable drops from a recount what the live tally of p does not keep.
func comparable(p *pollItem, d poll.Definition, tl poll.Tally) poll.Tally {
	if liveDistribution(p, d) {
		return tl
	}
	for id, o := range tl.Options {
		o.ScoreCounts = nil
		tl.Options[id] = o
	}
	return tl
}

// withoutDistribution removes from live results what the tally does not
// keep (score_counts, rank_counts of sharded score and ranked-choice polls
// before close).
func withoutDistribution(p *pollItem, d poll.Definition, r *poll.Results) {
	if liveDistribution(p, d) {
		return
	}
	for i := range r.Options {
		r.Options[i].ScoreCounts, r.Options[i].RankCounts = nil, nil
	}
}
