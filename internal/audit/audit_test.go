package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// admins is a policy where only "u-admin" may read records.
type admins struct{}

func (admins) Authorize(ctx context.Context, _ string, _ authz.Action, _ authz.Target) error {
	if authz.ActorFrom(ctx).UserID != "u-admin" {
		return authz.Forbidden("only admins can read the record")
	}
	return nil
}

type fixture struct {
	t     *testing.T
	db    dynamodbiface.DynamoDBAPI
	table string
	st    *store.Store
	svc   *audit.Service
	gid   string
	admin context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	def := tabledef.MainTable("audit")
	db, err := memdb.NewWithTable(def, memdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("test-signing-key-0123456789abcdef")
	st := store.New(db, def.Name, key)
	return &fixture{t: t, db: db, table: def.Name, st: st, svc: audit.New(st, key, admins{}, nil, nil), gid: ids.New(),
		admin: authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: "u-admin", SessionID: "s"})}
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// record writes one entry in its own transaction, as an action would.
func (f *fixture) record(action audit.Action, target audit.Target, details map[string]string) {
	f.t.Helper()
	tx := f.st.Tx()
	f.must(f.svc.Record(f.admin, tx, f.gid, action, target, details))
	f.must(tx.Run(context.Background(), ""))
}

func (f *fixture) sealAll() {
	f.t.Helper()
	if _, err := f.svc.Seal(context.Background(), f.gid, 1000); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) verify() audit.Report {
	f.t.Helper()
	rep, err := f.svc.Verify(f.admin, f.gid)
	f.must(err)
	return rep
}

// history records n varied entries and seals them.
func (f *fixture) history(n int) {
	f.t.Helper()
	for i := 1; i <= n; i++ {
		f.record(audit.RoleChanged, audit.Target{Kind: "member", ID: fmt.Sprintf("u-%d", i)}, map[string]string{"from": "member", "to": "admin"})
	}
	f.sealAll()
}

func (f *fixture) key(seq int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "AUDIT#" + f.gid},
		"SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("E#%012d", seq)},
	}
}

func TestRecordedActionsFormAChainThatVerifies(t *testing.T) {
	f := newFixture(t)
	f.record(audit.SettingsChanged, audit.Target{Kind: "group", ID: f.gid}, map[string]string{"fields": "name,privacy"})
	if rep := f.verify(); !rep.OK || rep.Pending != 1 || rep.Entries != 0 {
		t.Fatalf("before sealing: %+v", rep)
	}
	f.history(4)
	rep := f.verify()
	if !rep.OK || rep.Entries != 5 || rep.Head != 5 || rep.Pending != 0 {
		t.Fatalf("after sealing five entries: %+v", rep)
	}
	page, err := f.svc.List(f.admin, f.gid, "", 3)
	f.must(err)
	if len(page.Entries) != 3 || page.Entries[0].Seq != 5 || page.Next == "" {
		t.Fatalf("first page, newest first: %+v", page)
	}
	first := page.Entries[2]
	if first.Seq != 3 || first.ActorID != "u-admin" || first.Action != audit.RoleChanged || first.Details["to"] != "admin" || first.Hash == "" {
		t.Fatalf("entry 3: %+v", first)
	}
	page, err = f.svc.List(f.admin, f.gid, page.Next, 3)
	f.must(err)
	if len(page.Entries) != 2 || page.Entries[1].Seq != 1 || page.Entries[1].Action != audit.SettingsChanged || page.Next != "" {
		t.Fatalf("second page: %+v", page)
	}
}

func TestVerifyFindsWhereTheChainWasTamperedWith(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		tamper func(f *fixture)
		at     int64
		says   string
	}{
		{"an entry's action edited", func(f *fixture) {
			_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(f.table), Key: f.key(3),
				UpdateExpression:          aws.String("SET #a = :v"),
				ExpressionAttributeNames:  map[string]string{"#a": "Action"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: string(audit.MemberRemoved)}}})
			f.must(err)
		}, 3, "entry 3 was changed"},
		{"an entry's details edited", func(f *fixture) {
			_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(f.table), Key: f.key(2),
				UpdateExpression:          aws.String("SET Details.#t = :v"),
				ExpressionAttributeNames:  map[string]string{"#t": "to"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "member"}}})
			f.must(err)
		}, 2, "entry 2 was changed"},
		{"an entry removed", func(f *fixture) {
			_, err := f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.table), Key: f.key(4)})
			f.must(err)
		}, 4, "entry 4 is missing"},
		{"the last entry removed", func(f *fixture) {
			_, err := f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.table), Key: f.key(5)})
			f.must(err)
		}, 5, "entries at the end were removed"},
		{"an entry's hash recomputed without the key", func(f *fixture) {
			_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(f.table), Key: f.key(1),
				UpdateExpression:          aws.String("SET #h = :v"),
				ExpressionAttributeNames:  map[string]string{"#h": "Hash"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: strings.Repeat("0", 64)}}})
			f.must(err)
		}, 1, "entry 1 was changed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.history(5)
			if rep := f.verify(); !rep.OK {
				t.Fatalf("untouched chain: %+v", rep)
			}
			c.tamper(f)
			rep := f.verify()
			if rep.OK || rep.BrokenAt != c.at || !strings.Contains(rep.Problem, c.says) {
				t.Fatalf("want broken at %d (%q), got %+v", c.at, c.says, rep)
			}
		})
	}
}

func TestConcurrentSealersNeverForkTheChain(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 40; i++ {
		f.record(audit.MemberRemoved, audit.Target{Kind: "member", ID: fmt.Sprintf("u-%d", i)}, nil)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := f.svc.Seal(context.Background(), f.gid, 7); err != nil && domain.ErrorCode(err) != domain.Conflict {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	f.sealAll()
	rep := f.verify()
	if !rep.OK || rep.Entries != 40 || rep.Pending != 0 {
		t.Fatalf("after concurrent sealing: %+v", rep)
	}
}

func TestSealPendingSealsEveryGroup(t *testing.T) {
	f := newFixture(t)
	other := ids.New()
	f.record(audit.JoinLinkReset, audit.Target{Kind: "group", ID: f.gid}, nil)
	tx := f.st.Tx()
	f.must(f.svc.Record(f.admin, tx, other, audit.JoinLinkReset, audit.Target{Kind: "group", ID: other}, nil))
	f.must(tx.Run(context.Background(), ""))
	n, err := f.svc.SealPending(context.Background(), 100)
	f.must(err)
	if n != 2 {
		t.Fatalf("sealed %d entries, want 2", n)
	}
	for _, gid := range []string{f.gid, other} {
		rep, err := f.svc.Verify(f.admin, gid)
		f.must(err)
		if !rep.OK || rep.Entries != 1 {
			t.Fatalf("group %s: %+v", gid, rep)
		}
	}
}

func TestAnEntryIsWrittenOnlyWithItsAction(t *testing.T) {
	f := newFixture(t)
	tx := f.st.Tx()
	f.must(f.svc.Record(f.admin, tx, f.gid, audit.SettingsChanged, audit.Target{Kind: "group", ID: f.gid}, nil))
	// The action's own condition fails: nothing is written, the entry neither.
	tx.Check("GROUP#"+f.gid, "GROUP", "attribute_exists(PK)", domain.Errorf(domain.NotFound, "no such group"))
	if err := tx.Run(context.Background(), ""); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("want the action's error, got %v", err)
	}
	if rep := f.verify(); rep.Pending != 0 || rep.Entries != 0 {
		t.Fatalf("a failed action left an entry: %+v", rep)
	}
}

func TestOnlyThoseThePolicyAllowsReadTheRecord(t *testing.T) {
	f := newFixture(t)
	f.history(1)
	member := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: "u-member", SessionID: "s"})
	if _, err := f.svc.List(member, f.gid, "", 10); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a member listed the record: %v", err)
	}
	if _, err := f.svc.Verify(member, f.gid); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a member verified the record: %v", err)
	}
}

func TestRecordRefusesEntriesThatCarryText(t *testing.T) {
	f := newFixture(t)
	long := map[string]string{"note": strings.Repeat("x", audit.MaxDetailBytes)}
	if err := f.svc.Record(f.admin, f.st.Tx(), f.gid, audit.ContentEdited, audit.Target{Kind: "comment", ID: "c"}, long); err == nil {
		t.Fatal("a long detail was accepted")
	}
	if err := f.svc.Record(f.admin, f.st.Tx(), "not an id", audit.ContentEdited, audit.Target{Kind: "comment"}, nil); err == nil {
		t.Fatal("an entry without a valid group was accepted")
	}
}
