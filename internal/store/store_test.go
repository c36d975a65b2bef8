package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/memdb/contract"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// note is a small entity used to exercise the generic layer.
type note struct {
	store.Item
	Title string `dynamo:"Title"`
}

func newNote(group, id, title string) *note {
	return &note{Item: store.Item{PK: "NOTEGROUP#" + group, SK: "NOTE#" + id, Type: "note"}, Title: title}
}

func newStore(t testing.TB) (*store.Store, *testcloud.Env) {
	env := testcloud.New(t)
	return store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey), env
}

// raw is the backend under a store, for reading items as stored.
type raw struct {
	db    dynamodbiface.DynamoDBAPI
	table string
}

// both runs a store test on DynamoDB Local and on memdb (see
// internal/memdb/contract): the store must behave alike on the two.
func both(t *testing.T, f func(t *testing.T, s *store.Store, r raw)) {
	contract.Each(t, func(t *testing.T, db dynamodbiface.DynamoDBAPI, table string) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		f(t, store.New(db, table, key), raw{db, table})
	})
}

func TestCreateGetAndDuplicate(t *testing.T) { both(t, testCreateGetAndDuplicate) }

func testCreateGetAndDuplicate(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	n := newNote("g", "1", "hello")
	if err := s.Create(ctx, n, nil); err != nil {
		t.Fatal(err)
	}
	if n.Version != 1 {
		t.Fatalf("version %d", n.Version)
	}
	var got note
	if err := s.Get(ctx, n.PK, n.SK, &got); err != nil || got.Title != "hello" || got.Version != 1 || got.Type != "note" {
		t.Fatalf("get: %v %+v", err, got)
	}
	taken := domain.Errorf(domain.Conflict, "that handle is taken")
	err := s.Create(ctx, newNote("g", "1", "again"), taken)
	if !errors.Is(err, taken) {
		t.Fatalf("duplicate create: %v", err)
	}
	if err := s.Get(ctx, "NOTEGROUP#g", "NOTE#missing", &got); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("missing item: %v", err)
	}
}

// Two writers read the same version; the second write is a domain conflict
// and does not overwrite the first.
func TestOptimisticConcurrencyConflict(t *testing.T) { both(t, testOptimisticConcurrencyConflict) }

func testOptimisticConcurrencyConflict(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	n := newNote("g", "occ", "v1")
	if err := s.Create(ctx, n, nil); err != nil {
		t.Fatal(err)
	}
	var a, b note
	_ = s.Get(ctx, n.PK, n.SK, &a)
	_ = s.Get(ctx, n.PK, n.SK, &b)
	a.Title = "from a"
	if err := s.Save(ctx, &a); err != nil {
		t.Fatal(err)
	}
	b.Title = "from b"
	err := s.Save(ctx, &b)
	if domain.ErrorCode(err) != domain.Conflict || !errors.Is(err, store.ErrVersionConflict) {
		t.Fatalf("want version conflict, got %v", err)
	}
	if b.Version != 1 {
		t.Fatalf("failed save must not bump the in-memory version, got %d", b.Version)
	}
	var got note
	_ = s.Get(ctx, n.PK, n.SK, &got)
	if got.Title != "from a" || got.Version != 2 {
		t.Fatalf("stored %+v", got)
	}
}

// Many concurrent increments through Save with retry never lose an update.
func TestConcurrentSavesNeverLoseUpdates(t *testing.T) { both(t, testConcurrentSavesNeverLoseUpdates) }

func testConcurrentSavesNeverLoseUpdates(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	n := newNote("g", "counter", "0")
	if err := s.Create(ctx, n, nil); err != nil {
		t.Fatal(err)
	}
	const workers, each = 6, 5
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				for {
					var cur note
					if err := s.Get(ctx, n.PK, n.SK, &cur); err != nil {
						t.Error(err)
						return
					}
					var v int
					fmt.Sscan(cur.Title, &v)
					cur.Title = fmt.Sprint(v + 1)
					err := s.Save(ctx, &cur)
					if err == nil {
						break
					}
					if !errors.Is(err, store.ErrVersionConflict) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	var got note
	_ = s.Get(ctx, n.PK, n.SK, &got)
	if got.Title != fmt.Sprint(workers*each) || got.Version != int64(workers*each+1) {
		t.Fatalf("lost updates: %+v", got)
	}
}

// A transaction whose second condition fails writes nothing, and returns the
// domain error attached to the failing operation.
func TestTransactionAllOrNothing(t *testing.T) { both(t, testTransactionAllOrNothing) }

func testTransactionAllOrNothing(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	existing := newNote("tx", "taken", "already here")
	if err := s.Create(ctx, existing, nil); err != nil {
		t.Fatal(err)
	}
	other := newNote("tx", "other", "already here")
	if err := s.Create(ctx, other, nil); err != nil {
		t.Fatal(err)
	}
	emailTaken := domain.Errorf(domain.Conflict, "that email address is already registered")
	fresh := newNote("tx", "fresh", "should not persist")
	// (One operation per item: DynamoDB rejects a transaction with two on
	// one item, though DynamoDB Local lets it through when a condition fails.)
	err := s.Tx().
		Create(fresh, nil).
		Create(newNote("tx", "taken", "dup"), emailTaken).
		Update(s.Update(other.PK, other.SK).Set("Title", "changed"), nil).
		Run(ctx, "")
	if !errors.Is(err, emailTaken) {
		t.Fatalf("want the failing op's error, got %v", err)
	}
	var got note
	if err := s.Get(ctx, fresh.PK, fresh.SK, &got); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("partial write: fresh item exists (%v)", err)
	}
	_ = s.Get(ctx, other.PK, other.SK, &got)
	if got.Title != "already here" {
		t.Fatalf("partial write: update applied: %+v", got)
	}
	if fresh.Version != 1 {
		// Create sets version 1 in memory before the write; the item is not stored.
		t.Logf("fresh version %d", fresh.Version)
	}

	// A Check on a missing item with its own error.
	notMember := domain.Errorf(domain.Forbidden, "you are not a member of this group")
	err = s.Tx().
		Check("NOTEGROUP#tx", "NOTE#nobody", "attribute_exists($)", notMember, tabledef.PK).
		Put(newNote("tx", "p", "x")).
		Run(ctx, "")
	if !errors.Is(err, notMember) {
		t.Fatalf("check failure: %v", err)
	}

	// A successful transaction with optimistic Save bumps the version.
	var cur note
	_ = s.Get(ctx, existing.PK, existing.SK, &cur)
	cur.Title = "saved in tx"
	if err := s.Tx().Save(&cur).Create(newNote("tx", "ok", "ok"), nil).Run(ctx, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if cur.Version != 2 {
		t.Fatalf("version after tx %d", cur.Version)
	}
	// Retrying the same logical request with the same token is a no-op success.
	var again note
	_ = s.Get(ctx, existing.PK, existing.SK, &again)
	if again.Title != "saved in tx" {
		t.Fatalf("tx not applied: %+v", again)
	}
}

func TestTransactionTooLarge(t *testing.T) { both(t, testTransactionTooLarge) }

func testTransactionTooLarge(t *testing.T, s *store.Store, _ raw) {
	tx := s.Tx()
	for i := 0; i <= store.MaxTxItems; i++ {
		tx.Put(newNote("big", fmt.Sprint(i), "x"))
	}
	if err := tx.Run(context.Background(), ""); domain.ErrorCode(err) != domain.Internal {
		t.Fatalf("want internal error for >100 items, got %v", err)
	}
}

// Ephemeral items carry a numeric TTL attribute; once past it they read as
// not found even before DynamoDB's sweep deletes them.
func TestTTLAttribute(t *testing.T) { both(t, testTTLAttribute) }

func testTTLAttribute(t *testing.T, s *store.Store, r raw) {
	ctx := context.Background()
	n := newNote("ttl", "1", "ephemeral")
	expiry := time.Now().Add(15 * time.Minute)
	n.ExpireAt(expiry)
	if err := s.Create(ctx, n, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(r.table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: n.PK}, "SK": &types.AttributeValueMemberS{Value: n.SK},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ttl, ok := raw.Item[tabledef.TTLAttribute].(*types.AttributeValueMemberN)
	if !ok || ttl.Value != fmt.Sprint(expiry.Unix()) {
		t.Fatalf("TTL attribute %#v", raw.Item[tabledef.TTLAttribute])
	}
	old := newNote("ttl", "2", "expired")
	old.ExpireAt(time.Now().Add(-time.Second))
	if err := s.Create(ctx, old, nil); err != nil {
		t.Fatal(err)
	}
	var got note
	if err := s.Get(ctx, old.PK, old.SK, &got); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("expired item readable: %v", err)
	}
	// Permanent items have no TTL attribute at all.
	perm := newNote("ttl", "3", "permanent")
	_ = s.Create(ctx, perm, nil)
	raw, _ = r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.table),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: perm.PK}, "SK": &types.AttributeValueMemberS{Value: perm.SK}}})
	if _, has := raw.Item[tabledef.TTLAttribute]; has {
		t.Fatal("permanent item has a TTL")
	}
}

func TestPaginationAndTamperedCursors(t *testing.T) { both(t, testPaginationAndTamperedCursors) }

func testPaginationAndTamperedCursors(t *testing.T, s *store.Store, _ raw) {
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		if err := s.Create(ctx, newNote("pg", fmt.Sprintf("%02d", i), fmt.Sprint(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	query := func() *dynamo.Query { return s.Table().Get(tabledef.PK, "NOTEGROUP#pg") }
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		p, err := store.QueryPage[note](ctx, s, query(), "notes:pg", cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.Items {
			all = append(all, n.Title)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if strings.Join(all, ",") != "0,1,2,3,4,5,6" {
		t.Fatalf("pages returned %v", all)
	}

	first, _ := store.QueryPage[note](ctx, s, query(), "notes:pg", "", 3)
	payload, mac, _ := strings.Cut(first.Next, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)/2] == 'A' {
			b[len(b)/2] = 'B'
		} else {
			b[len(b)/2] = 'A'
		}
		return string(b)
	}
	bad := []struct{ name, cursor, scope string }{
		{"garbage", "not-a-cursor", "notes:pg"},
		{"payload changed", flip(payload) + "." + mac, "notes:pg"},
		{"mac changed", payload + "." + flip(mac), "notes:pg"},
		{"other list", first.Next, "notes:other"},
		{"huge", strings.Repeat("a", 5000), "notes:pg"},
		{"empty mac", payload + ".", "notes:pg"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.QueryPage[note](ctx, s, query(), c.scope, c.cursor, 3)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.Invalid || len(de.Fields) != 1 || de.Fields[0].Field != "cursor" {
				t.Fatalf("want invalid cursor error, got %v", err)
			}
		})
	}
}

// Every primitive is metered: calls and consumed capacity reach the Meter in
// the context, transactions count double as in AWS.
func TestMetering(t *testing.T) { both(t, testMetering) }

func testMetering(t *testing.T, s *store.Store, _ raw) {
	ctx, m := metering.NewContext(context.Background())
	n := newNote("m", "1", "x")
	if err := s.Create(ctx, n, nil); err != nil {
		t.Fatal(err)
	}
	var got note
	if err := s.Get(ctx, n.PK, n.SK, &got); err != nil {
		t.Fatal(err)
	}
	snap := m.Snapshot()
	if snap.DynamoDBCalls != 2 || snap.Operations["DynamoDB.PutItem"] != 1 || snap.Operations["DynamoDB.GetItem"] != 1 {
		t.Fatalf("calls %+v", snap)
	}
	if snap.WriteUnits != 1 || snap.ReadUnits != 1 {
		t.Fatalf("capacity %+v", snap)
	}
	m.Reset()
	if err := s.Tx().Put(newNote("m", "2", "x")).Put(newNote("m", "3", "x")).Run(ctx, ""); err != nil {
		t.Fatal(err)
	}
	snap = m.Snapshot()
	// Two small items: AWS (and memdb) bill 2 WCU each in a transaction;
	// DynamoDB Local reports 2 in all. Either way it is metered as one call.
	if snap.DynamoDBCalls != 1 || snap.WriteUnits < 2 || snap.WriteUnits > 4 {
		t.Fatalf("transaction capacity %+v", snap)
	}
}

type mark struct {
	store.Item
	N int64 `dynamo:"N"`
}

// A context with a TxGuard puts the guard's operation into every write of
// the store that may be the effect of a keyed request: transactions, and
// Create and Save, which then run as transactions. The guard's condition
// failing means nothing was written, and its error is returned.
func TestGuardRidesEveryWrite(t *testing.T) { both(t, testGuardRidesEveryWrite) }

func testGuardRidesEveryWrite(t *testing.T, s *store.Store, _ raw) {
	bg := context.Background()
	markPK := "MARK#guard"
	lost := domain.Errorf(domain.Conflict, "lease lost")
	held := store.WithTxGuard(bg, func(tx *store.Tx) {
		tx.Update(s.Update(markPK, "M").Add("N", 1), lost)
	})
	n := newNote("guard", "guarded", "first")
	if err := s.Create(held, n, nil); err != nil {
		t.Fatal(err)
	}
	n.Title = "second"
	if err := s.Save(held, n); err != nil {
		t.Fatal(err)
	}
	if err := s.Tx().Put(newNote("guard", "other", "x")).Run(held, ""); err != nil {
		t.Fatal(err)
	}
	var m mark
	if err := s.Get(bg, markPK, "M", &m); err != nil || m.N != 3 {
		t.Fatalf("the guard rode %d of 3 writes (%v)", m.N, err)
	}

	gone := store.WithTxGuard(bg, func(tx *store.Tx) {
		tx.Update(s.Update(markPK, "M").Add("N", 1).If("$ = ?", "N", -1), lost)
	})
	if err := s.Create(gone, newNote("guard", "refused", "x"), nil); !errors.Is(err, lost) {
		t.Fatalf("create under a lost guard: %v", err)
	}
	var got note
	if err := s.Get(bg, "NOTEGROUP#guard", "NOTE#refused", &got); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("created although the guard failed: %v", err)
	}
	v := n.Version
	n.Title = "third"
	if err := s.Save(gone, n); !errors.Is(err, lost) || n.Version != v {
		t.Fatalf("save under a lost guard: %v (version %d, was %d)", err, n.Version, v)
	}
	if err := s.Get(bg, n.PK, n.SK, &got); err != nil || got.Title != "second" {
		t.Fatalf("stored %q (%v)", got.Title, err)
	}
}
