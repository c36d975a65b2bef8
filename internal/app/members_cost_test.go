package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// membersCost is an open group with n members besides its admin, built
// through the application's cores on the local cloud.
type membersCost struct {
	a     *app.API
	admin context.Context
	gid   string
}

func newMembersCost(t testing.TB, n int) *membersCost {
	env := testcloud.Fast(t)
	ctx := context.Background()
	a, err := app.NewAPIWith(ctx, env.Config, env.Clients, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	user := func(i int) context.Context {
		return testkit.NewPersonWithEmail(t, a.Accounts, fmt.Sprint("Member ", i), fmt.Sprintf("%s-m%d@example.org", env.Prefix, i)).Ctx
	}
	c := &membersCost{a: a, admin: user(-1)}
	g, err := a.Groups.Create(c.admin, group.CreateInput{Name: "Members", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	c.gid = g.ID
	link, err := a.Groups.JoinLink(c.admin, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, err := a.Groups.JoinViaLink(user(i), token); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return c
}

// page reads the first page of members as the admin and returns its
// DynamoDB calls.
func (c *membersCost) page(t testing.TB) (metering.Snapshot, []group.Member) {
	ctx, m := metering.NewContext(c.admin)
	p, err := c.a.Groups.Members(ctx, c.gid, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return m.Snapshot(), p.Items
}

// maxMembersPageCalls is the goal of issue 14: a page of members costs at
// most 3 DynamoDB calls whatever the size of the group (the group and the
// reader's membership, the page, its people).
const maxMembersPageCalls = 3

func TestMembersPageCostDoesNotGrowWithTheGroup(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 120} {
		c := newMembersCost(t, n)
		s, items := c.page(t)
		t.Logf("%d members: first page of %d costs %d DynamoDB calls %v", n+1, len(items), s.DynamoDBCalls, s.Operations)
		if want := min(n+1, 100); len(items) != want {
			t.Fatalf("%d members: page of %d, want %d", n+1, len(items), want)
		}
		for _, m := range items {
			if m.Name == "" || m.Email == "" {
				t.Fatalf("the admin sees %+v without name or address", m)
			}
		}
		if s.DynamoDBCalls > maxMembersPageCalls {
			t.Errorf("%d members: a page costs %d DynamoDB calls, goal ≤ %d", n+1, s.DynamoDBCalls, maxMembersPageCalls)
		}
	}
}

// BenchmarkMembersPage reads the first page of members of a group of 50
// and of 1,000 (issue 14: ≤ 3 calls whatever the size; it was one user
// read per member, 54 calls at 5,000). Any group above 100 members reads a
// full page, so 1,000 costs what 5,000 does (measured: 3 calls, 59 RCU at
// both) while seeding in a fifth of the time.
func BenchmarkMembersPage(b *testing.B) {
	for _, n := range []int{50, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := newMembersCost(b, n-1)
			var calls int
			var rcu float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, _ := c.page(b)
				calls += s.DynamoDBCalls
				rcu += s.ReadUnits
			}
			b.ReportMetric(float64(calls)/float64(b.N), "ddb-calls/op")
			b.ReportMetric(rcu/float64(b.N), "rcu/op")
			b.ReportMetric(float64(calls)/float64(b.N), fmt.Sprintf("calls:goal<=%d", maxMembersPageCalls))
		})
	}
}
