package decision_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// reportMeter adds per-operation DynamoDB calls and capacity units (as in
// internal/store's benchmarks; make bench prints them).
func reportMeter(b *testing.B, m *metering.Meter) metering.Snapshot {
	s := m.Snapshot()
	b.ReportMetric(float64(s.DynamoDBCalls)/float64(b.N), "ddb-calls/op")
	b.ReportMetric(s.ReadUnits/float64(b.N), "rcu/op")
	b.ReportMetric(s.WriteUnits/float64(b.N), "wcu/op")
	return s
}

// Seeding writes the items directly (BatchWriteItem), bypassing the API:
// members of the group, ballots of the poll and the matching tally.
type seedMember struct {
	PK, SK, Type, GroupID, UserID string
	Role                          authz.Role
	Version                       int64
}

type seedBallot struct {
	PK, SK, Type, PollID, UserID string
	Choices                      []poll.Choice
	CastAt, UpdatedAt            time.Time
	Version                      int64
}

var seedSeq atomic.Int64

func (f *fixture) batchPut(items []any) {
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	sem := make(chan struct{}, 8)
	for chunk := range slices.Chunk(items, 25) {
		wg.Add(1)
		sem <- struct{}{}
		go func(chunk []any) {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := f.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(context.Background()); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		}(chunk)
	}
	wg.Wait()
	select {
	case err := <-errs:
		f.t.Fatal(err)
	default:
	}
}

// seedMembers adds n members to gid and returns their user ids.
func (f *fixture) seedMembers(gid string, n int) []string {
	uids := make([]string, n)
	items := make([]any, n)
	for i := range uids {
		uids[i] = fmt.Sprintf("seed%d%s", seedSeq.Add(1), f.tag)
		items[i] = &seedMember{PK: "GROUP#" + gid, SK: "MEMBER#" + uids[i], Type: "membership", GroupID: gid, UserID: uids[i], Role: authz.RoleMember, Version: 1}
	}
	f.batchPut(items)
	f.must(f.st.Update("GROUP#"+gid, "GROUP").Add("MemberCount", n).Run(context.Background()))
	return uids
}

// seededPoll creates a proposal with n ballots (and n members) and its tally.
func (f *fixture) seededPoll(gid string, n int) decision.Poll {
	p := f.create(f.as("ann"), gid, f.definition(poll.TypeProposal, nil))
	uids := f.seedMembers(gid, n)
	opts := []string{"agree", "abstain", "disagree", "block"}
	items := make([]any, n)
	ballots := make([]poll.Ballot, n)
	now := time.Now().UTC()
	for i, uid := range uids {
		ballots[i] = one(opts[i%len(opts)])
		items[i] = &seedBallot{PK: "POLL#" + p.ID, SK: "BALLOT#" + uid, Type: "ballot", PollID: p.ID, UserID: uid,
			Choices: ballots[i].Choices, CastAt: now, UpdatedAt: now, Version: 1}
	}
	f.batchPut(items)
	u := f.st.Update("POLL#"+p.ID, "TALLY")
	i := 0
	for k, v := range poll.Recount(poll.TypeProposal, ballots).Attributes() {
		u.SetExpr("$ = ?", dynamo.ExpressionLiteral{Expression: fmt.Sprintf("#n%d", i), AttributeNames: map[string]*string{fmt.Sprintf("#n%d", i): &k}}, v)
		i++
	}
	f.must(u.Run(context.Background()))
	return p
}

type costStats struct {
	median   time.Duration
	capacity float64
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// ratioBenchmark runs op against polls with 10 and 10,000 ballots and
// reports the ratios of median latency and capacity units (10,000 / 10) as
// a final sub-benchmark whose name carries them (make bench prints names).
func ratioBenchmark(b *testing.B, op func(f *fixture, gid string, p decision.Poll, b *testing.B, i int, ctx context.Context) error,
	prepare func(f *fixture, gid string, n int) []context.Context) {
	f := newFixture(b)
	gid := f.group(authz.Open, "ann")
	stats := map[int]costStats{}
	for _, n := range []int{10, 10000} {
		p := f.seededPoll(gid, n)
		b.Run(fmt.Sprintf("ballots=%d", n), func(b *testing.B) {
			b.StopTimer()
			actors := prepare(f, gid, b.N)
			ctx, m := metering.NewContext(context.Background())
			lat := make([]time.Duration, 0, b.N)
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				c := authz.WithActor(ctx, authz.ActorFrom(actors[i]))
				t0 := time.Now()
				if err := op(f, gid, p, b, i, c); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			s := reportMeter(b, m)
			b.ReportMetric(float64(median(lat).Nanoseconds()), "median-ns")
			stats[n] = costStats{median: median(lat), capacity: s.CapacityUnits() / float64(b.N)}
		})
	}
	lr := float64(stats[10000].median) / float64(max(stats[10].median, 1))
	cr := stats[10000].capacity / max(stats[10].capacity, 1e-9)
	b.Logf("10,000 vs 10 ballots: median latency ratio %.2f, capacity ratio %.2f", lr, cr)
	b.Run(fmt.Sprintf("ratio_10000_vs_10:latency=%.2f,capacity=%.2f", lr, cr), func(b *testing.B) {
		b.ReportMetric(lr, "latency-ratio")
		b.ReportMetric(cr, "capacity-ratio")
	})
}

// BenchmarkCastVote: a new member casts a ballot. Asserts at most one
// transaction and two reads per vote.
func BenchmarkCastVote(b *testing.B) {
	ratioBenchmark(b, func(f *fixture, gid string, p decision.Poll, b *testing.B, i int, ctx context.Context) error {
		m := metering.FromContext(ctx)
		before := m.Snapshot()
		_, err := f.svc.Vote(ctx, p.ID, decision.VoteInput{Ballot: one([]string{"agree", "disagree"}[i%2])})
		after := m.Snapshot()
		tx := after.Operations["DynamoDB.TransactWriteItems"] - before.Operations["DynamoDB.TransactWriteItems"]
		calls := after.DynamoDBCalls - before.DynamoDBCalls
		if err == nil && (tx != 1 || calls-tx > 2) {
			b.Fatalf("vote cost: %d transactions, %d reads", tx, calls-tx)
		}
		return err
	}, func(f *fixture, gid string, n int) []context.Context {
		uids := f.seedMembers(gid, n)
		out := make([]context.Context, n)
		for i, u := range uids {
			out[i] = authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u})
		}
		return out
	})
}

// BenchmarkResults: a member reads the results.
func BenchmarkResults(b *testing.B) {
	ratioBenchmark(b, func(f *fixture, gid string, p decision.Poll, b *testing.B, i int, ctx context.Context) error {
		r, err := f.svc.Results(ctx, p.ID)
		if err == nil && (r.Results == nil || r.Results.Decided < 10) {
			return fmt.Errorf("results %+v", r)
		}
		return err
	}, func(f *fixture, gid string, n int) []context.Context {
		out := make([]context.Context, n)
		for i := range out {
			out[i] = f.as("ann")
		}
		return out
	})
}

// BenchmarkCards: a member reads a poll's thread card with its latest
// reasons and the voters it names (decision.Card.Voters, for the thread's
// participants): one query page of ballots, whatever their number.
func BenchmarkCards(b *testing.B) {
	ratioBenchmark(b, func(f *fixture, gid string, p decision.Poll, b *testing.B, i int, ctx context.Context) error {
		cs, err := f.svc.Cards(ctx, []string{p.ID}, 3)
		if err == nil && (len(cs) != 1 || len(cs[0].Voters) < 10 || len(cs[0].Voters) > 100) {
			return fmt.Errorf("cards %d, voters %d", len(cs), len(cs[0].Voters))
		}
		return err
	}, func(f *fixture, gid string, n int) []context.Context {
		out := make([]context.Context, n)
		for i := range out {
			out[i] = f.as("ann")
		}
		return out
	})
}
