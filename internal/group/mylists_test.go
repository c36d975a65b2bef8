package group_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
)

// queryCounter counts the Query calls made through it.
type queryCounter struct {
	dynamodbiface.DynamoDBAPI
	n atomic.Int64
}

func (q *queryCounter) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	q.n.Add(1)
	return q.DynamoDBAPI.Query(ctx, in, o...)
}

// A dashboard asks for the viewer's groups and guest grants from two cores
// with their own bounds: within a read-only request each list is one
// Query, every caller gets the first of it it asked for, and a write reads
// again.
func TestDashboardListsReadOnce(t *testing.T) {
	f := newFixture(t)
	alice, a := f.user("Alice")
	bob, b := f.user("Bob")
	var made []string
	for _, name := range []string{"One", "Two", "Three"} {
		made = append(made, f.create(alice, name+" "+f.tag, authz.Open).ID)
	}
	other := f.create(bob, "Hosts "+f.tag, authz.Secret)
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		f.must(f.st.Create(context.Background(), group.NewThreadGuest(other.ID, ids.New(), a.ID, b.ID, at.Add(time.Duration(i)*time.Minute)), nil))
	}

	qc := &queryCounter{DynamoDBAPI: f.env.Clients.DynamoDB}
	st := store.New(qc, f.env.Config.Table, f.env.Config.SigningKey)
	svc := group.New(group.Config{Store: st, People: f.people, SigningKey: f.env.Config.SigningKey, Now: f.clock.Now})
	queries := func(want int64, what string) {
		t.Helper()
		if got := qc.n.Swap(0); got != want {
			t.Errorf("%s: %d queries, want %d", what, got, want)
		}
	}

	rc := store.WithReadCache(alice)
	two, err := svc.GroupsOf(rc, a.ID, 2)
	f.must(err)
	all, err := svc.GroupsOf(rc, a.ID, group.MaxDashboardGroups)
	f.must(err)
	mine, err := svc.Mine(rc, "", group.MaxDashboardGroups)
	f.must(err)
	queries(1, "GroupsOf twice and Mine's first page")
	if len(two) != 2 || !slices.Equal(two, all[:2]) || len(all) != 3 {
		t.Errorf("GroupsOf = %v (limit 2), %v (limit 50)", two, all)
	}
	var mineIDs []string
	for _, g := range mine.Items {
		mineIDs = append(mineIDs, g.ID)
	}
	if !slices.Equal(mineIDs, all) || mine.Next != "" {
		t.Errorf("Mine = %v next %q, want %v", mineIDs, mine.Next, all)
	}
	sorted := slices.Sorted(slices.Values(all))
	if want := slices.Sorted(slices.Values(made)); !slices.Equal(sorted, want) {
		t.Errorf("GroupsOf = %v, want %v", sorted, want)
	}

	one, err := svc.GuestGrantsOf(rc, a.ID, 1)
	f.must(err)
	both, err := svc.GuestGrantsOf(rc, a.ID, group.MaxDashboardGrants)
	f.must(err)
	queries(1, "GuestGrantsOf twice")
	if len(one) != 1 || len(both) != 2 || one[0] != both[0] || both[0].GroupID != other.ID || both[0].Kind != "thread" {
		t.Errorf("GuestGrantsOf = %+v (limit 1), %+v (limit 200)", one, both)
	}
	// What a caller gets is its own: changing it changes no other answer.
	one[0].ID = "changed"
	if again, err := svc.GuestGrantsOf(rc, a.ID, 1); err != nil || again[0].ID == "changed" {
		t.Errorf("GuestGrantsOf after a caller changed its answer = %+v, %v", again, err)
	}
	queries(0, "GuestGrantsOf a third time")

	// Another first page than the shared one reads on its own.
	if p, err := svc.Mine(rc, "", 2); err != nil || len(p.Items) != 2 || p.Next == "" {
		t.Errorf("Mine limit 2 = %+v, %v; want 2 groups and a cursor", p, err)
	}
	queries(1, "Mine with another limit")

	// A write through the store forgets both lists.
	if _, err := svc.Create(rc, group.CreateInput{Name: "Four " + f.tag, Privacy: string(authz.Open)}); err != nil {
		t.Fatal(err)
	}
	qc.n.Store(0)
	if gids, err := svc.GroupsOf(rc, a.ID, group.MaxDashboardGroups); err != nil || len(gids) != 4 {
		t.Errorf("GroupsOf after a new group = %v, %v; want 4", gids, err)
	}
	if _, err := svc.GuestGrantsOf(rc, a.ID, 10); err != nil {
		t.Fatal(err)
	}
	queries(2, "both lists after a write")

	// Without a read cache every call reads.
	for i := 0; i < 2; i++ {
		if _, err := svc.GroupsOf(alice, a.ID, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GuestGrantsOf(alice, a.ID, 10); err != nil {
			t.Fatal(err)
		}
	}
	queries(4, "both lists twice without a read cache")
}
