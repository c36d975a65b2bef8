package decision_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// worstSize is the DynamoDB size of an item with every Number at its
// largest int64 (19 digits: 11 bytes), whatever it holds now: the size the
// item reaches with that many counters after any number of votes.
func worstSize(it map[string]types.AttributeValue) int {
	n := 0
	for name, av := range it {
		n += len(name)
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberN:
			n += 11
		case *types.AttributeValueMemberBOOL:
			n++
		default:
			n += 400 << 10 // a tally item holds no other kind
		}
	}
	return n
}

// tallyItems returns the raw tally items of a poll (legacy TALLY and
// shards) by sort key.
func (f *fixture) tallyItems(pid string) map[string]map[string]types.AttributeValue {
	out := map[string]map[string]types.AttributeValue{}
	for _, it := range f.scanPartition(pid) {
		if sk := it["SK"].(*types.AttributeValueMemberS).Value; strings.HasPrefix(sk, "TALLY") {
			out[sk] = it
		}
	}
	return out
}

func (f *fixture) scanPartition(pid string) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, it := range f.scanAll() {
		if it["PK"].(*types.AttributeValueMemberS).Value == "POLL#"+pid {
			out = append(out, it)
		}
	}
	return out
}

// maxDefinition is a poll of type t at its largest: 50 options with ids of
// 32 characters and the widest scores.
func (f *fixture) maxDefinition(t poll.Type) poll.Definition {
	d := f.definition(t, nil)
	if t.FreeOptions() {
		d.Options = nil
		start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
		for i := range poll.MaxOptions {
			o := poll.Option{ID: fmt.Sprintf("%s%02d", strings.Repeat("x", poll.MaxOptionIDLength-2), i), Label: fmt.Sprintf("Option %d", i)}
			if t == poll.TypeMeeting {
				o.Start = start.Add(time.Duration(i) * time.Hour)
			}
			d.Options = append(d.Options, o)
		}
	}
	s := &d.Settings
	switch t {
	case poll.TypePoll:
		s.MinChoices, s.MaxChoices, s.NoneOfTheAbove = 1, poll.MaxOptions, true
	case poll.TypeScore:
		s.MinScore, s.MaxScore = 0, poll.MaxScoreValue
	case poll.TypeDotVote:
		s.DotsPerPerson = poll.MaxDotsPerPerson
	case poll.TypeRankedChoice:
		s.MinChoices, s.NoneOfTheAbove = poll.MaxOptions, true
	case poll.TypeMeeting:
		s.CanRespondMaybe = true
	}
	return d
}

// maxBallots are ballots that, together, create every counter of a poll
// of type t (every option with every kind of answer it has a counter for).
func maxBallots(d poll.Definition) []poll.Ballot {
	all := func(score func(i int) int) poll.Ballot {
		var b poll.Ballot
		for i, o := range d.Options {
			b.Choices = append(b.Choices, poll.Choice{OptionID: o.ID, Score: score(i)})
		}
		return b
	}
	switch d.Type {
	case poll.TypePoll:
		return []poll.Ballot{all(func(int) int { return 1 }), {NoneOfTheAbove: true}}
	case poll.TypeScore:
		return []poll.Ballot{all(func(int) int { return poll.MaxScoreValue })}
	case poll.TypeDotVote:
		return []poll.Ballot{all(func(i int) int {
			return map[bool]int{true: poll.MaxDotsPerPerson - len(d.Options) + 1, false: 1}[i == 0]
		})}
	case poll.TypeRankedChoice:
		return []poll.Ballot{all(func(i int) int { return len(d.Options) - i }), {NoneOfTheAbove: true}}
	case poll.TypeMeeting:
		return []poll.Ballot{all(func(int) int { return poll.MeetingYes }), all(func(int) int { return poll.MeetingMaybe }),
			all(func(int) int { return poll.MeetingNo })}
	case poll.TypeQuestion:
		return []poll.Ballot{{Reason: "Because."}}
	}
	var out []poll.Ballot
	for _, o := range d.Options {
		out = append(out, one(o.ID))
	}
	return out
}

// Every tally item of every poll type stays within 4 KB at the type's
// largest settings, whatever the counts: the shards of a poll hold short
// counter names, no score distribution for score and ranked-choice polls
// (computed at close), and derive a meeting's totals from yes/maybe/no.
func TestTallyItemSizeAtMaxSettings(t *testing.T) {
	f := newFixture(t)
	voters := []string{"v0", "v1", "v2", "v3", "v4", "v5"}
	gid := f.group(authz.Open, "ann", voters...)
	for _, typ := range poll.Types() {
		t.Run(string(typ), func(t *testing.T) {
			f.t = t
			d := f.maxDefinition(typ)
			p := f.create(f.as("ann"), gid, d)
			for i, b := range maxBallots(p.Definition) {
				_, err := f.svc.Vote(f.as(voters[i]), p.ID, decision.VoteInput{Ballot: b})
				f.must(err)
			}
			items := f.tallyItems(p.ID)
			if _, legacy := items["TALLY"]; legacy || len(items) != 8 {
				t.Fatalf("tally items %d (legacy TALLY %v)", len(items), legacy)
			}
			// Each ballot went to one shard; any shard may come to hold
			// every counter: the worst is all of them in one item.
			all := map[string]types.AttributeValue{}
			for _, it := range items {
				for name, av := range it {
					all[name] = av
				}
			}
			size := worstSize(all)
			if size > 4096 {
				t.Errorf("a tally shard reaches %d bytes", size)
			}
			t.Logf("%s: a tally shard reaches %d bytes at worst (%d attributes, %d options)", typ, size, len(all), len(p.Definition.Options))
			f.recountClean(p.ID)
		})
	}
}

// legacy turns a new poll into one created before sharding: no shards, an
// empty TALLY item (as Create wrote it then), no slots.
func (f *fixture) legacy(pid string) {
	f.t.Helper()
	ctx := context.Background()
	for k := range 8 {
		f.must(f.st.Table().Delete(tabledef.PK, "POLL#"+pid).Range(tabledef.SK, fmt.Sprintf("TALLY#%d", k)).Run(ctx))
	}
	f.must(f.st.Update("POLL#"+pid, "POLL").Remove("TallyShards", "TallySlots").Run(ctx))
	f.must(f.st.Table().Put(map[string]any{"PK": "POLL#" + pid, "SK": "TALLY", "Type": "tally", "PollID": pid, "Version": 1}).Run(ctx))
}

// Polls created before sharding keep counting in their single TALLY item
// (with its score counts while open) and their figures never change;
// editing, closing and reopening them works as before.
func TestLegacyTallyKeepsCounting(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	p := f.create(f.as("ann"), gid, f.definition(poll.TypeScore, nil))
	f.legacy(p.ID)
	for _, v := range []struct {
		who   string
		score int
	}{{"bob", 4}, {"cat", 2}, {"bob", 5}} {
		_, err := f.svc.Vote(f.as(v.who), p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: v.score}}}})
		f.must(err)
	}
	items := f.tallyItems(p.ID)
	if len(items) != 1 || items["TALLY"] == nil {
		t.Fatalf("legacy poll's tally items: %v", items)
	}
	r, err := f.svc.Results(f.as("ann"), p.ID)
	f.must(err)
	a := r.Results.Options[0]
	if a.ID != "a" || a.Total != 7 || a.Voters != 2 || a.ScoreCounts[5] != 1 || a.ScoreCounts[2] != 1 {
		t.Fatalf("legacy results %+v", a)
	}
	d := p.Definition
	d.Options = append(d.Options, poll.Option{ID: "d", Label: "Delta"})
	cur, err := f.svc.Get(f.as("ann"), p.ID)
	f.must(err)
	_, err = f.svc.Update(f.as("ann"), p.ID, decision.UpdateInput{Definition: d, Version: cur.Version})
	f.must(err)
	_, err = f.svc.Vote(f.as("ann"), p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "d", Score: 3}}}})
	f.must(err)
	f.recountClean(p.ID)
	_, err = f.svc.Close(f.as("ann"), p.ID)
	f.must(err)
	r, err = f.svc.Results(f.as("ann"), p.ID)
	f.must(err)
	if !r.Frozen || r.Results.Decided != 3 {
		t.Fatalf("frozen legacy results %+v", r.Results)
	}
	if len(f.tallyItems(p.ID)) != 1 {
		t.Fatal("a legacy poll gained shards")
	}
}

// The shards' copies of the poll's status, closing time and definition
// version follow every change of them, so votes are refused and accepted
// exactly as the poll says; score counts of a score poll appear at close.
func TestShardsFollowThePoll(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	ann, bob := f.as("ann"), f.as("bob")
	p := f.create(ann, gid, f.definition(poll.TypeScore, nil))
	vote := func(who context.Context, id string, score int) error {
		_, err := f.svc.Vote(who, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: id, Score: score}}}})
		return err
	}
	same := func(step string) {
		t.Helper()
		var pollItem map[string]types.AttributeValue
		shards := 0
		for _, it := range f.scanPartition(p.ID) {
			if it["SK"].(*types.AttributeValueMemberS).Value == "POLL" {
				pollItem = it
			}
		}
		for sk, it := range f.tallyItems(p.ID) {
			shards++
			for _, a := range []string{"Status", "ClosingAtMs", "DefVersion"} {
				if fmt.Sprint(it[a]) != fmt.Sprint(pollItem[a]) {
					t.Fatalf("%s: %s %s is %v, the poll's %v", step, sk, a, it[a], pollItem[a])
				}
			}
		}
		if shards != 8 {
			t.Fatalf("%s: %d shards", step, shards)
		}
	}
	same("create")
	f.must(vote(bob, "a", 4))
	r, err := f.svc.Results(ann, p.ID)
	f.must(err)
	if o := r.Results.Options[0]; o.Total != 4 || o.ScoreCounts != nil {
		t.Fatalf("open score poll results %+v", o)
	}
	// A new option in front of the others: counters keep their slots.
	d := p.Definition
	d.Options = append([]poll.Option{{ID: "z", Label: "Zeta"}}, d.Options...)
	cur, err := f.svc.Get(ann, p.ID)
	f.must(err)
	_, err = f.svc.Update(ann, p.ID, decision.UpdateInput{Definition: d, Version: cur.Version})
	f.must(err)
	same("update")
	f.must(vote(f.as("cat"), "z", 1))
	later := f.clock.Now().Add(100 * time.Hour)
	_, err = f.svc.Extend(ann, p.ID, later)
	f.must(err)
	same("extend")
	f.clock.Add(80 * time.Hour) // past the first closing time, before the new one
	f.must(vote(bob, "a", 5))
	f.recountClean(p.ID)
	_, err = f.svc.Close(ann, p.ID)
	f.must(err)
	same("close")
	if err := vote(bob, "a", 1); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("vote on a closed poll: %v", err)
	}
	r, err = f.svc.Results(ann, p.ID)
	f.must(err)
	byID := map[string]poll.OptionResult{}
	for _, o := range r.Results.Options {
		byID[o.ID] = o
	}
	if a, z := byID["a"], byID["z"]; !r.Frozen || a.Total != 5 || a.ScoreCounts[5] != 1 || z.Total != 1 || z.ScoreCounts[1] != 1 {
		t.Fatalf("frozen results %+v", r.Results.Options)
	}
	_, err = f.svc.Reopen(ann, p.ID, f.clock.Now().Add(10*time.Hour))
	f.must(err)
	same("reopen")
	f.must(vote(bob, "b", 3))
	f.recountClean(p.ID)
	f.clock.Add(11 * time.Hour)
	rep, err := f.svc.Tick(context.Background(), f.clock.Now())
	f.must(err)
	if rep.Closed != 1 {
		t.Fatalf("tick %+v", rep)
	}
	same("scheduled close")
	r, err = f.svc.Results(ann, p.ID)
	f.must(err)
	if o := r.Results.Options; !r.Frozen || r.Results.Decided != 2 {
		t.Fatalf("results after the scheduled close %+v", o)
	}
}

// memFixture is a fixture on the in-memory store with AWS's transaction
// conflicts: a transaction touching an item another one holds is cancelled
// (DynamoDB Local never does), each stays in flight for hold. The client
// retries conflicts as the deployed one does (awsclient.NewRetryer), but
// without the SDK's retry quota: deployed, each concurrent voter is served
// by a Lambda instance of its own with its own quota, while here one
// client serves them all and would run out of it.
func memFixture(t testing.TB, hold time.Duration) *fixture {
	t.Helper()
	retryer := awsclient.NewRetryer(func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.None })
	return memFixtureWith(t, memdb.Options{Conflicts: true, Hold: hold, Retryer: retryer})
}

// memFixtureWith is a fixture on the in-memory store with opts.
func memFixtureWith(t testing.TB, opts memdb.Options) *fixture {
	t.Helper()
	prefix := testcloud.RandomPrefix()
	def := tabledef.MainTable(prefix)
	db, err := memdb.NewWithTable(def, opts)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(strings.Repeat("k", 32))
	st := store.New(db, def.Name, key)
	f := &fixture{t: t, st: st, clock: testkit.NewLiveClock(), notes: &recorder{}, tag: prefix}
	f.wire(key)
	return f
}

// burst has each of voters cast one ballot at once, voter i on
// polls[i%len(polls)]; it returns how long the burst took and the number
// of votes refused as busy (409).
func (f *fixture) burst(polls []decision.Poll, voters []context.Context) (time.Duration, int64) {
	f.t.Helper()
	var busy atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	meters := make([]*metering.Meter, len(voters))
	for i, ctx := range voters {
		wg.Add(1)
		ctx, meters[i] = metering.NewContext(ctx)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.Vote(ctx, polls[i%len(polls)].ID, decision.VoteInput{Ballot: one([]string{"agree", "disagree", "abstain"}[i%3])})
			switch {
			case errors.Is(err, decision.ErrBusy):
				busy.Add(1)
			case err != nil:
				f.t.Errorf("vote %d: %v", i, err)
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(t0)
	calls := map[string]int{}
	for _, m := range meters {
		for op, n := range m.Snapshot().Operations {
			calls[op] += n
		}
	}
	f.t.Logf("burst on %d polls: %v, calls %v", len(polls), took, calls)
	return took, busy.Load()
}

// Two hundred members vote at once on one poll, on a store that cancels
// conflicting transactions as AWS does: every vote is counted, none is
// refused as busy, and the tally equals a recount.
func TestBurstOnOnePollOnConflictingStore(t *testing.T) {
	f := memFixture(t, 10*time.Millisecond)
	gid := f.group(authz.Open, "ann")
	uids := f.seedMembers(gid, 200)
	p := f.create(f.as("ann"), gid, f.definition(poll.TypeProposal, nil))
	voters := make([]context.Context, len(uids))
	for i, u := range uids {
		voters[i] = authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u})
	}
	took, busy := f.burst([]decision.Poll{p}, voters)
	rep := f.recountClean(p.ID)
	t.Logf("200 votes on one poll in %v, %d busy", took, busy)
	if busy != 0 || rep.Ballots != 200 || rep.Stored.Decided != 200 {
		t.Fatalf("busy %d, ballots %d, decided %d", busy, rep.Ballots, rep.Stored.Decided)
	}
}

// BenchmarkBusyPoll: 200 members vote at once on one poll, against 200
// members voting at once on 200 polls (one each), on a store that cancels
// conflicting transactions as AWS does (each transaction in flight 10 ms).
// The goal: the busy poll's throughput at least 0.8 of the spread one's,
// no vote refused as busy (409), and the tally equal to a recount.
func BenchmarkBusyPoll(b *testing.B) {
	const voters = 200
	run := func(polls int) (float64, int64) {
		f := memFixture(b, 10*time.Millisecond)
		gid := f.group(authz.Open, "ann")
		uids := f.seedMembers(gid, voters)
		ps := make([]decision.Poll, polls)
		for i := range ps {
			ps[i] = f.create(f.as("ann"), gid, f.definition(poll.TypeProposal, nil))
		}
		ctxs := make([]context.Context, voters)
		for i, u := range uids {
			ctxs[i] = authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u})
		}
		took, busy := f.burst(ps, ctxs)
		var decided int64
		for _, p := range ps {
			decided += f.recountClean(p.ID).Stored.Decided
		}
		if decided != voters-busy {
			b.Fatalf("%d votes counted, %d accepted", decided, voters-busy)
		}
		return voters / took.Seconds(), busy
	}
	var one, spread []float64
	var busy int64
	for i := 0; i < b.N; i++ {
		t1, b1 := run(1)
		t2, b2 := run(voters)
		one, spread, busy = append(one, t1), append(spread, t2), busy+b1+b2
	}
	mid := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	ratio := mid(one) / mid(spread)
	b.Logf("200 voters: one poll %.0f votes/s, 200 polls %.0f votes/s, ratio %.2f (goal >= 0.8), %d busy (goal 0), recount equal", mid(one), mid(spread), ratio, busy)
	b.Run(fmt.Sprintf("ratio_one_poll_vs_200_polls:throughput=%.2f,goal>=0.80,busy=%d,goal=0,recount=equal", ratio, busy), func(b *testing.B) {
		b.ReportMetric(ratio, "throughput-ratio")
	})
}
