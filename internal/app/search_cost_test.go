package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// searchCost is a member of a closed subgroup (so the policy reads the
// parent too) whose threads, comments and polls match "budget", written by
// several people and indexed by a reindex of the group.
type searchCost struct {
	a      *app.API
	ctx    context.Context
	gid    string
	people []context.Context
	n      int
}

func newSearchCost(t testing.TB) *searchCost {
	env := testcloud.Fast(t)
	ctx := context.Background()
	a, err := app.NewAPIWith(ctx, env.Config, env.Clients, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := &searchCost{a: a}
	for i := 0; i < 3; i++ {
		c.people = append(c.people, testkit.NewPersonWithEmail(t, a.Accounts, fmt.Sprint("Person ", i), fmt.Sprintf("%s-cost%d@example.org", env.Prefix, i)).Ctx)
	}
	c.ctx = c.people[0]
	parent, err := a.Groups.Create(c.ctx, group.CreateInput{Name: "Parent", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := a.Groups.Create(c.ctx, group.CreateInput{Name: "Treasurers", Privacy: "closed", ParentID: parent.ID})
	if err != nil {
		t.Fatal(err)
	}
	c.gid = g.ID
	link, err := a.Groups.JoinLink(c.ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, who := range c.people[1:] {
		if _, err := a.Groups.JoinViaLink(who, token); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// add writes n more threads matching "budget" (each with a comment by
// one of the people; every third with a poll) and reindexes the group.
func (c *searchCost) add(t testing.TB, n int) {
	for i := 0; i < n; i++ {
		c.n++
		who := c.people[c.n%len(c.people)]
		th, err := c.a.Discussions.StartThread(who, discussion.StartInput{GroupID: c.gid, Title: fmt.Sprintf("Topic %d", c.n)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.a.Discussions.Comment(who, th.ID, discussion.CommentInput{Body: fmt.Sprintf("The budget for item %d", c.n)}); err != nil {
			t.Fatal(err)
		}
		if c.n%3 == 0 {
			d := poll.New(poll.TypeProposal)
			d.Title = fmt.Sprintf("Approve budget %d?", c.n)
			if _, err := c.a.Decisions.Create(who, decision.CreateInput{GroupID: c.gid, ThreadID: th.ID, Definition: d}); err != nil {
				t.Fatal(err)
			}
		}
	}
	x := search.NewIndexer(c.a.Search.Index, nil)
	for done := false; !done; {
		rep, err := x.Reindex(context.Background(), search.ReindexRequest{GroupID: c.gid})
		if err != nil {
			t.Fatal(err)
		}
		done = rep.Done
	}
}

// search runs one search of "budget" (a page of limit) and returns its cost.
func (c *searchCost) search(t testing.TB, inGroup bool, limit int) (metering.Snapshot, int) {
	ctx, m := metering.NewContext(c.ctx)
	q := search.Query{Text: "budget", Limit: limit}
	if inGroup {
		q.Filters.Groups = []string{c.gid}
	}
	res, err := c.a.Search.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return m.Snapshot(), len(res.Hits)
}

// maxSearchCalls bounds the DynamoDB calls of one search page whatever
// the number of results: the scope (groups of the member, subgroups,
// guest grants, the policy's facts of each group once), the index
// (statistics, postings, documents) and the visibility of a page (one
// batch of threads, one of authors, one read per poll).
const maxSearchCalls = 24

// TestSearchCostDoesNotGrowWithTheResults: one search request costs a
// bounded number of DynamoDB calls, the same for 6 matching threads as
// for 18 (a page of 6): the policy's facts of a group are read once per request, the
// threads and authors of a page in one batch each.
func TestSearchCostDoesNotGrowWithTheResults(t *testing.T) {
	t.Parallel()
	c := newSearchCost(t)
	c.add(t, 6)
	var before [2]int
	for i, inGroup := range []bool{false, true} {
		s, hits := c.search(t, inGroup, 6)
		t.Logf("6 matching threads, group filter %v: %d hits, %d DynamoDB calls %v", inGroup, hits, s.DynamoDBCalls, s.Operations)
		if hits != 6 || s.DynamoDBCalls > maxSearchCalls {
			t.Errorf("%d hits cost %d calls, want at most %d", hits, s.DynamoDBCalls, maxSearchCalls)
		}
		before[i] = s.DynamoDBCalls
	}
	c.add(t, 12)
	for i, inGroup := range []bool{false, true} {
		s, hits := c.search(t, inGroup, 6)
		t.Logf("18 matching threads, group filter %v: %d hits, %d DynamoDB calls %v", inGroup, hits, s.DynamoDBCalls, s.Operations)
		if hits != 6 || s.DynamoDBCalls > before[i]+2 {
			t.Errorf("with three times the results a page costs %d calls, was %d", s.DynamoDBCalls, before[i])
		}
	}
}

// BenchmarkSearchRequest: the DynamoDB calls and read units of one search
// request (a page of 20 of 60 matching threads and polls by three people
// in a subgroup), through the application as GET /api/v1/search runs it,
// on DynamoDB Local.
func BenchmarkSearchRequest(b *testing.B) {
	c := newSearchCost(b)
	c.add(b, 60)
	for _, inGroup := range []bool{false, true} {
		name := "AllMyGroups"
		if inGroup {
			name = "OneGroup"
		}
		b.Run(name, func(b *testing.B) {
			var calls int
			var rcu float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, _ := c.search(b, inGroup, 20)
				calls += s.DynamoDBCalls
				rcu += s.ReadUnits
			}
			b.ReportMetric(float64(calls)/float64(b.N), "ddb-calls/op")
			b.ReportMetric(rcu/float64(b.N), "rcu/op")
		})
	}
}
