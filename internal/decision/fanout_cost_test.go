package decision_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Opening a poll announced to the group costs the same DynamoDB calls for
// 50 members as for 500: the request writes the poll and one fan-out job;
// the job then tells each member once that the poll opened.
func TestOpenPollCostDoesNotGrowWithTheGroup(t *testing.T) {
	calls := map[int]int{}
	for _, n := range []int{50, 500} {
		f := memFixtureWith(t, memdb.Options{})
		notes := notify.New(f.st, nil)
		f.svc = decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now,
			Fanout: cores.PollNotifier{Notifications: notes}})
		gid := f.group(authz.Closed, "ann")
		member := func(i int) string { return fmt.Sprintf("m%05d%s", i, f.tag) }
		now := time.Now().UTC()
		for start := 0; start < n; start += 25 {
			var items []any
			for i := start; i < min(start+25, n); i++ {
				items = append(items, map[string]any{
					tabledef.PK: "GROUP#" + gid, tabledef.SK: "MEMBER#" + member(i), tabledef.GSI1PK: "USER#" + member(i),
					tabledef.GSI1SK: "MEMBER#" + gid, "Type": "membership", tabledef.Version: 1,
					"GroupID": gid, "UserID": member(i), "Role": string(authz.RoleMember), "JoinedAt": now, "Via": "link",
				})
			}
			_, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background())
			f.must(err)
		}
		ctx, m := metering.NewContext(f.as("ann"))
		p, err := f.svc.Create(ctx, decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil),
			Notify: &notify.Audience{Group: true}})
		f.must(err)
		s := m.Snapshot()
		calls[n] = s.DynamoDBCalls
		t.Logf("%d members: opening a poll costs %d DynamoDB calls %v", n, s.DynamoDBCalls, s.Operations)
		fan := &notify.Fanouts{N: notes, Members: cores.FanoutMembers{Groups: f.groups}}
		r, err := fan.Sweep(context.Background(), time.Now().Add(time.Hour), 10)
		if err != nil || r.Jobs != 1 || r.Told != n {
			t.Fatalf("%d members: the job told %+v (%v), want %d", n, r, err, n)
		}
		for _, i := range []int{0, n - 1} {
			l, err := notes.List(authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: member(i)}), "", 10)
			f.must(err)
			if len(l.Items) != 1 || l.Items[0].Kind != notify.PollOpened || l.Items[0].PollID != p.ID {
				t.Fatalf("%d members: member %d has %+v, want one poll_opened", n, i, l.Items)
			}
		}
	}
	// Two policy batch gets (poll.start, group.announce) and one transaction
	// of the poll, its tally shards and its fan-out job.
	const openPollCalls = 3
	if calls[50] != openPollCalls || calls[500] != openPollCalls {
		t.Errorf("opening a poll costs %d calls at 50 members, %d at 500; want %d", calls[50], calls[500], openPollCalls)
	}
}

// remindGroup is a group of ann and n members (seeded as internal/group
// stores memberships) with an open proposal in which members 0..9 voted;
// its reminders go through a real fan-out job (cores.PollNotifier).
type remindGroup struct {
	f      *fixture
	notes  *notify.Service
	fan    *notify.Fanouts
	gid    string
	pid    string
	member func(i int) string
}

func newRemindGroup(t testing.TB, n int) *remindGroup {
	t.Helper()
	f := memFixtureWith(t, memdb.Options{})
	notes := notify.New(f.st, nil)
	f.svc = decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now,
		Fanout: cores.PollNotifier{Notifications: notes}})
	gid := f.group(authz.Closed, "ann")
	member := func(i int) string { return fmt.Sprintf("m%05d%s", i, f.tag) }
	now := time.Now().UTC()
	for start := 0; start < n; start += 25 {
		var items []any
		for i := start; i < min(start+25, n); i++ {
			items = append(items, map[string]any{
				tabledef.PK: "GROUP#" + gid, tabledef.SK: "MEMBER#" + member(i), tabledef.GSI1PK: "USER#" + member(i),
				tabledef.GSI1SK: "MEMBER#" + gid, "Type": "membership", tabledef.Version: 1,
				"GroupID": gid, "UserID": member(i), "Role": string(authz.RoleMember), "JoinedAt": now, "Via": "link",
			})
		}
		_, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background())
		f.must(err)
	}
	p, err := f.svc.Create(f.as("ann"), decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil),
		Notify: &notify.Audience{}})
	f.must(err)
	for i := range 10 {
		_, err := f.svc.Vote(authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: member(i)}), p.ID,
			decision.VoteInput{Ballot: one("agree")})
		f.must(err)
	}
	g := &remindGroup{f: f, notes: notes, gid: gid, pid: p.ID, member: member,
		fan: &notify.Fanouts{N: notes, Members: cores.FanoutMembers{Groups: f.groups}, Ballots: f.svc}}
	g.sweep(t) // the poll's own job
	return g
}

func (g *remindGroup) sweep(t testing.TB) notify.FanoutReport {
	t.Helper()
	r, err := g.fan.Sweep(context.Background(), time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// remind sends a manual reminder as ann and returns its DynamoDB calls.
func (g *remindGroup) remind(t testing.TB) metering.Snapshot {
	t.Helper()
	ctx, m := metering.NewContext(g.f.as("ann"))
	r, err := g.f.svc.Remind(ctx, g.pid)
	if err != nil || !r.Sending {
		t.Fatalf("remind: %+v %v", r, err)
	}
	return m.Snapshot()
}

func (g *remindGroup) reminders(t testing.TB, uid string) int {
	t.Helper()
	l, err := g.notes.List(authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: uid}), "", 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range l.Items {
		if it.Kind == notify.PollReminder && it.PollID == g.pid {
			n++
		}
	}
	return n
}

// remindCalls is what a manual reminder costs whatever the size of the
// group: the poll's partition (one BatchGetItem), the group and the
// admin's membership for the policy (one BatchGetItem) and one
// transaction of the fan-out job. Who has not voted is decided by the
// job, batch by batch.
const remindCalls = 3

// A poll admin's reminder to the undecided costs the same DynamoDB calls
// for 50 members as for 500 (issue 14: it read every member and every
// ballot and wrote the notifications inside the request). Its job reminds
// exactly the undecided, once even when run again, and a reminder still
// pending when the poll closes reminds nobody.
func TestRemindCostDoesNotGrowWithTheGroup(t *testing.T) {
	for _, n := range []int{50, 500} {
		g := newRemindGroup(t, n)
		s := g.remind(t)
		t.Logf("%d members: a reminder costs %d DynamoDB calls %v", n, s.DynamoDBCalls, s.Operations)
		if s.DynamoDBCalls != remindCalls {
			t.Errorf("%d members: a reminder costs %d DynamoDB calls, want %d", n, s.DynamoDBCalls, remindCalls)
		}
		if got := g.reminders(t, g.member(n-1)); got != 0 {
			t.Fatalf("%d members: reminded inside the request", n)
		}
		if r := g.sweep(t); r.Jobs != 1 || r.Told != n-10+1 { // the undecided members and ann
			t.Errorf("%d members: the reminder's job %+v, want %d told", n, r, n-10+1)
		}
		g.sweep(t)
		for i, want := range map[int]int{0: 0, 9: 0, 10: 1, n - 1: 1} {
			if got := g.reminders(t, g.member(i)); got != want {
				t.Errorf("%d members: member %d has %d reminders, want %d", n, i, got, want)
			}
		}
		// Pending when the poll closes: nobody hears of it.
		g.remind(t)
		_, err := g.f.svc.Close(g.f.as("ann"), g.pid)
		g.f.must(err)
		if r := g.sweep(t); r.Told != 0 {
			t.Errorf("%d members: a reminder after closing told %d", n, r.Told)
		}
	}
}

// BenchmarkRemindGroupSize: a manual reminder to the undecided voters in
// a group of 5,000 over one of 50 (the request; the job finds them).
func BenchmarkRemindGroupSize(b *testing.B) {
	small, large := newRemindGroup(b, 50), newRemindGroup(b, 5000)
	var ts, tl time.Duration
	var calls int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			t0 := time.Now()
			if (i+k)%2 == 0 {
				small.remind(b)
				ts += time.Since(t0)
			} else {
				calls += large.remind(b).DynamoDBCalls
				tl += time.Since(t0)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(calls)/float64(b.N), "ddb-calls/op")
	b.ReportMetric(float64(tl)/float64(ts), "ratio-5000/50:goal<=1.2")
}

// A poll with more specified voters than one job may name
// (notify.MaxFanoutPeople) is reminded by several jobs written together:
// every undecided voter once.
func TestRemindManySpecifiedVoters(t *testing.T) {
	g := newRemindGroup(t, 10)
	f := g.f
	p, err := f.svc.Create(f.as("ann"), decision.CreateInput{GroupID: g.gid,
		Definition: f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.SpecifiedVotersOnly = true }),
		Notify:     &notify.Audience{}})
	f.must(err)
	n := notify.MaxFanoutPeople + 250
	for start := 0; start < n; start += 25 {
		var items []any
		for i := start; i < min(start+25, n); i++ {
			items = append(items, map[string]any{tabledef.PK: "POLL#" + p.ID, tabledef.SK: "VOTER#" + g.member(i),
				"Type": "poll_voter", tabledef.Version: 1, "UserID": g.member(i)})
		}
		_, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background())
		f.must(err)
	}
	g.sweep(t)
	g.pid = p.ID
	g.remind(t)
	r := g.sweep(t)
	if r.Jobs != 2 || r.Told != n {
		t.Fatalf("the reminder's jobs %+v, want 2 jobs telling %d", r, n)
	}
	for _, i := range []int{0, n - 1} {
		if got := g.reminders(t, g.member(i)); got != 1 {
			t.Errorf("voter %d has %d reminders", i, got)
		}
	}
}
