package memdb_test

// What memdb does beyond DynamoDB Local, so the contract suite cannot
// compare it: transaction conflicts, stream records, the TTL sweep,
// metering switches, copies, concurrency and its clock. Its DynamoDB
// semantics are proven in internal/memdb/contract.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

type item = map[string]types.AttributeValue

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

var def = tabledef.MainTable("test")

func newDB(t *testing.T, opts memdb.Options) *memdb.DB {
	t.Helper()
	db, err := memdb.NewWithTable(def, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func key(pk, sk string) item { return item{"PK": s(pk), "SK": s(sk)} }

func put(t *testing.T, db *memdb.DB, it item) {
	t.Helper()
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(def.Name), Item: it}); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, db *memdb.DB, pk, sk string) item {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(def.Name), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func addTx(pk, sk string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(def.Name), Key: key(pk, sk),
		UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: item{":one": n("1")}}}
}

func reasons(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	var out []string
	for _, r := range tce.CancellationReasons {
		out = append(out, aws.ToString(r.Code))
	}
	return out
}

// A transaction that touches an item of another one in flight is cancelled
// with TransactionConflict; single writes on it fail with
// TransactionConflictException; transactional reads of it are cancelled.
func TestConflicts(t *testing.T) {
	db := newDB(t, memdb.Options{Conflicts: true, Hold: 200 * time.Millisecond})
	ctx := context.Background()
	first := make(chan error)
	go func() {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "tally"), addTx("p", "ann")}})
		first <- err
	}()
	time.Sleep(50 * time.Millisecond) // the first transaction is now in flight
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "bob"), addTx("p", "tally")}})
	if got := fmt.Sprint(reasons(err)); got != "[None TransactionConflict]" {
		t.Fatalf("second transaction: reasons %s (%v)", got, err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(def.Name), Item: key("p", "ann")})
	var tce *types.TransactionConflictException
	if !errors.As(err, &tce) {
		t.Fatalf("put during the transaction: %v", err)
	}
	_, err = db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: aws.String(def.Name), Key: key("p", "tally")}}}})
	if got := fmt.Sprint(reasons(err)); got != "[TransactionConflict]" {
		t.Fatalf("transactional read: %s (%v)", got, err)
	}
	// Plain reads see the last committed state, and other items are free.
	if it := get(t, db, "p", "tally"); it != nil {
		t.Fatalf("uncommitted write visible: %v", it)
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "cid")}}); err != nil {
		t.Fatalf("unrelated transaction: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	if it := get(t, db, "p", "tally"); it["n"].(*types.AttributeValueMemberN).Value != "1" {
		t.Fatalf("tally %v", it)
	}
	if it := get(t, db, "p", "bob"); it != nil {
		t.Fatalf("cancelled transaction wrote %v", it)
	}
	// The store reports the conflict as contention: nothing changed, send it
	// again (503 with Retry-After), and a core may re-read and retry at once.
	st := store.New(db, def.Name, make([]byte, 32))
	go func() {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "tally")}})
		first <- err
	}()
	time.Sleep(50 * time.Millisecond)
	err = st.Tx().Update(st.Update("p", "tally").Add("n", 1), nil).Run(ctx, "")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Unavailable || de.RetryAfter <= 0 || !store.Contention(err) || dynamo.IsCondCheckFailed(err) {
		t.Fatalf("store: %v", err)
	}
	<-first
}

// Without Conflicts, transactions serialise and never collide, as on
// DynamoDB Local.
func TestNoConflictsByDefault(t *testing.T) {
	db := newDB(t, memdb.Options{})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "tally")}})
			if err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 || get(t, db, "p", "tally")["n"].(*types.AttributeValueMemberN).Value != "50" {
		t.Fatalf("%d failed, tally %v", failed.Load(), get(t, db, "p", "tally"))
	}
}

// With the SDK's retryer (the one awsclient installs), conflicting
// transactions are retried as in production.
func TestRetryerRetriesConflicts(t *testing.T) {
	db := newDB(t, memdb.Options{Conflicts: true, Hold: 5 * time.Millisecond, Retryer: awsclient.NewRetryer()})
	var wg sync.WaitGroup
	var ok, cancelled atomic.Int32
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "tally")}})
			if err == nil {
				ok.Add(1)
			} else if reasons(err) != nil {
				cancelled.Add(1)
			} else {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	tally := get(t, db, "p", "tally")["n"].(*types.AttributeValueMemberN).Value
	if fmt.Sprint(ok.Load()) != tally || ok.Load()+cancelled.Load() != 4 || ok.Load() < 2 {
		t.Fatalf("%d committed, %d cancelled after retries, tally %s", ok.Load(), cancelled.Load(), tally)
	}
}

// A token whose transaction is still in flight gets
// TransactionInProgressException; after ten minutes a token can be reused.
func TestClientRequestTokens(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db := newDB(t, memdb.Options{Conflicts: true, Hold: 100 * time.Millisecond, Now: clock})
	ctx := context.Background()
	in := func(sk string) *dynamodb.TransactWriteItemsInput {
		return &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("tok"), TransactItems: []types.TransactWriteItem{addTx("p", sk)}}
	}
	done := make(chan error)
	go func() { _, err := db.TransactWriteItems(ctx, in("a")); done <- err }()
	time.Sleep(30 * time.Millisecond)
	var tip *types.TransactionInProgressException
	if _, err := db.TransactWriteItems(ctx, in("a")); !errors.As(err, &tip) {
		t.Fatalf("retry in flight: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var ipm *types.IdempotentParameterMismatchException
	if _, err := db.TransactWriteItems(ctx, in("b")); !errors.As(err, &ipm) {
		t.Fatalf("other request, same token: %v", err)
	}
	mu.Lock()
	now = now.Add(10 * time.Minute)
	mu.Unlock()
	if _, err := db.TransactWriteItems(ctx, in("b")); err != nil {
		t.Fatalf("token after ten minutes: %v", err)
	}
	if get(t, db, "p", "a")["n"].(*types.AttributeValueMemberN).Value != "1" || get(t, db, "p", "b") == nil {
		t.Fatal("writes")
	}
}

func TestStream(t *testing.T) {
	db := newDB(t, memdb.Options{Streams: true})
	ctx := context.Background()
	table := aws.String(def.Name)
	put(t, db, item{"PK": s("p"), "SK": s("1"), "v": s("a")})
	put(t, db, item{"PK": s("p"), "SK": s("1"), "v": s("a")}) // unchanged: no record
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key("p", "1"), UpdateExpression: aws.String("SET v = :b"),
		ExpressionAttributeValues: item{":b": s("b")}}); err != nil {
		t.Fatal(err)
	}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key("p", "1"), ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err == nil {
		t.Fatal("condition")
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{addTx("p", "2"),
		{Delete: &types.Delete{TableName: table, Key: key("p", "1")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("p", "none")}); err != nil {
		t.Fatal(err)
	}
	recs := db.Stream(def.Name, "")
	var got []string
	for _, r := range recs {
		got = append(got, r.EventName+":"+r.Change.Keys["SK"].String())
	}
	if fmt.Sprint(got) != "[INSERT:1 MODIFY:1 INSERT:2 REMOVE:1]" {
		t.Fatalf("records %v", got)
	}
	mod := recs[1].Change
	if mod.OldImage["v"].String() != "a" || mod.NewImage["v"].String() != "b" || mod.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Fatalf("modify %+v", mod)
	}
	if recs[3].Change.NewImage != nil || recs[3].Change.OldImage["v"].String() != "b" {
		t.Fatalf("remove %+v", recs[3].Change)
	}
	if after := db.Stream(def.Name, recs[1].Change.SequenceNumber); len(after) != 2 || after[0].EventName != "INSERT" {
		t.Fatalf("after the second record: %v", after)
	}
	// Records feed a stream consumer as an events.DynamoDBEvent.
	ev := events.DynamoDBEvent{Records: recs}
	if ev.Records[2].Change.NewImage["n"].Number() != "1" {
		t.Fatal("number image")
	}
	if db2 := newDB(t, memdb.Options{}); func() bool { put(t, db2, key("p", "1")); return db2.Stream(def.Name, "") != nil }() {
		t.Fatal("records kept without Options.Streams")
	}
}

func TestSweepTTL(t *testing.T) {
	db := newDB(t, memdb.Options{Streams: true})
	now := time.Unix(2_000_000_000, 0)
	put(t, db, item{"PK": s("p"), "SK": s("old"), "TTL": n(fmt.Sprint(now.Unix() - 1))})
	put(t, db, item{"PK": s("p"), "SK": s("now"), "TTL": n(fmt.Sprint(now.Unix()))})
	put(t, db, item{"PK": s("p"), "SK": s("later"), "TTL": n(fmt.Sprint(now.Unix() + 1))})
	put(t, db, item{"PK": s("p"), "SK": s("forever")})
	put(t, db, item{"PK": s("p"), "SK": s("text"), "TTL": s("soon")})
	if got := db.SweepTTL(def.Name, now); got != 2 {
		t.Fatalf("swept %d", got)
	}
	for sk, want := range map[string]bool{"old": false, "now": false, "later": true, "forever": true, "text": true} {
		if (get(t, db, "p", sk) != nil) != want {
			t.Errorf("%s present=%v", sk, !want)
		}
	}
	recs := db.Stream(def.Name, "")
	last := recs[len(recs)-1]
	if last.EventName != "REMOVE" || last.UserIdentity == nil || last.UserIdentity.PrincipalID != "dynamodb.amazonaws.com" {
		t.Fatalf("TTL record %+v", last)
	}
}

// Nothing a caller holds aliases what memdb stores.
func TestCopies(t *testing.T) {
	db := newDB(t, memdb.Options{})
	ctx := context.Background()
	in := item{"PK": s("p"), "SK": s("1"), "l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a")}},
		"m": &types.AttributeValueMemberM{Value: item{"x": s("x")}}, "ss": &types.AttributeValueMemberSS{Value: []string{"a"}}}
	put(t, db, in)
	in["l"].(*types.AttributeValueMemberL).Value[0] = s("changed")
	in["m"].(*types.AttributeValueMemberM).Value["x"] = s("changed")
	in["ss"].(*types.AttributeValueMemberSS).Value[0] = "changed"
	out := get(t, db, "p", "1")
	if out["l"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberS).Value != "a" ||
		out["m"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberS).Value != "x" ||
		out["ss"].(*types.AttributeValueMemberSS).Value[0] != "a" {
		t.Fatalf("stored item changed through the input: %v", out)
	}
	out["m"].(*types.AttributeValueMemberM).Value["x"] = s("changed")
	q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(def.Name), KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: item{":p": s("p")}})
	if err != nil {
		t.Fatal(err)
	}
	q.Items[0]["l"].(*types.AttributeValueMemberL).Value[0] = s("changed")
	again := get(t, db, "p", "1")
	if again["m"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberS).Value != "x" ||
		again["l"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberS).Value != "a" {
		t.Fatalf("stored item changed through an output: %v", again)
	}
}

// Parallel writers through the store never lose an update (run with -race).
func TestConcurrentUse(t *testing.T) {
	db := newDB(t, memdb.Options{})
	st := store.New(db, def.Name, make([]byte, 32))
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := st.Update("p", "counter").Add("n", 1).Run(ctx); err != nil {
					t.Error(err)
				}
				var out []map[string]any
				if err := st.Table().Get(tabledef.PK, "p").All(ctx, &out); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if v := get(t, db, "p", "counter")["n"].(*types.AttributeValueMemberN).Value; v != "400" {
		t.Fatalf("counter %s", v)
	}
}

func TestMetering(t *testing.T) {
	for _, off := range []bool{false, true} {
		db := newDB(t, memdb.Options{NoMetering: off})
		ctx, m := metering.NewContext(context.Background())
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(def.Name), Item: key("p", "1")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(def.Name), Key: key("p", "1")}); err != nil {
			t.Fatal(err)
		}
		snap := m.Snapshot()
		want := "ddb_calls=2 rcu=0.5 wcu=1.0 s3_calls=0 ses_calls=0 [DynamoDB.GetItem=1 DynamoDB.PutItem=1]"
		if off {
			want = "ddb_calls=0 rcu=0.0 wcu=0.0 s3_calls=0 ses_calls=0 []"
		}
		if snap.String() != want {
			t.Errorf("NoMetering=%v: %s", off, snap)
		}
	}
}

func TestRefusesWhatItDoesNotEmulate(t *testing.T) {
	db := newDB(t, memdb.Options{})
	ctx := context.Background()
	table := aws.String(def.Name)
	for name, call := range map[string]func() error{
		"Expected": func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key("p", "1"), Expected: map[string]types.ExpectedAttributeValue{"x": {Exists: aws.Bool(false)}}})
			return err
		},
		"AttributesToGet": func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("p", "1"), AttributesToGet: []string{"x"}})
			return err
		},
		"QueryFilter": func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: item{":p": s("p")},
				QueryFilter: map[string]types.Condition{"x": {ComparisonOperator: types.ComparisonOperatorNull}}})
			return err
		},
		"local indexes": func() error {
			_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("other"), LocalSecondaryIndexes: []types.LocalSecondaryIndex{{}},
				KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("h"), KeyType: types.KeyTypeHash}}})
			return err
		},
	} {
		var apiErr interface{ ErrorCode() string }
		if err := call(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	db := newDB(t, memdb.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(def.Name), Key: key("p", "1")})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

// Scans return the same order for the same content, whatever the order of
// the writes.
func TestDeterministicScan(t *testing.T) {
	order := func(keys []string) string {
		db := newDB(t, memdb.Options{})
		for _, k := range keys {
			put(t, db, key(k, "x"))
		}
		out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(def.Name)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range out.Items {
			got = append(got, it["PK"].(*types.AttributeValueMemberS).Value)
		}
		return fmt.Sprint(got)
	}
	if a, b := order([]string{"c", "a", "b", "z"}), order([]string{"z", "b", "a", "c"}); a != b {
		t.Fatalf("%s vs %s", a, b)
	}
}
