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
		f.svc = decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.now,
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
