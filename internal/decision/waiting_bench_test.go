package decision_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
)

// BenchmarkWaiting: a member of two groups with three open polls each
// reads what waits for their vote (the dashboard). Besides the calls and
// capacity it fails above the documented budget for this shape: the guest
// grants (1 Query), the groups and memberships (1 BatchGetItem), one Query
// per group and one BatchGetItem of the ballots: 5 calls.
func BenchmarkWaiting(b *testing.B) {
	f := newFixture(b)
	var gids []string
	for _, admin := range []string{"ann", "amy"} {
		gid := f.group(authz.Closed, admin, "bea")
		gids = append(gids, gid)
		for range 3 {
			f.create(f.as(admin), gid, f.definition(poll.TypeProposal, nil))
		}
	}
	ctx, m := metering.NewContext(f.as("bea"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps, err := f.svc.Waiting(ctx, gids)
		if err != nil || len(ps) != 6 {
			b.Fatal(err, len(ps))
		}
	}
	s := reportMeter(b, m)
	if calls := float64(s.DynamoDBCalls) / float64(b.N); calls > 5 {
		b.Fatalf("Waiting costs %.1f calls, want at most 5", calls)
	}
}
