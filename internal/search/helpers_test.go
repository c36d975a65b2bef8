package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/stream"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

var (
	sharedAnalyzer     *Analyzer
	sharedAnalyzerOnce sync.Once
)

func analyzer(t testing.TB) *Analyzer {
	sharedAnalyzerOnce.Do(func() {
		a, err := NewAnalyzer()
		if err != nil {
			panic(err)
		}
		sharedAnalyzer = a
	})
	return sharedAnalyzer
}

// fixture writes table items in the layouts of the cores (docs/data-model.md)
// and hands the indexer the stream records those writes make (built from
// the images before and after, as DynamoDB Streams does with
// NEW_AND_OLD_IMAGES), so the same tests run on memdb and DynamoDB Local.
type fixture struct {
	t       testing.TB
	db      dynamodbiface.DynamoDBAPI
	table   string
	ix      *Index
	idx     *Indexer
	now     time.Time
	seq     int
	pending []events.DynamoDBEventRecord
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	def := tabledef.MainTable("test")
	db, err := memdb.NewWithTable(def, memdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, db, def.Name)
}

func newFixtureOn(t testing.TB, db dynamodbiface.DynamoDBAPI, table string) *fixture {
	f := &fixture{t: t, db: db, table: table, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	key := []byte("test-signing-key-0123456789abcdef")
	threads, polls := realOwners(store.New(db, table, key))
	ix, err := New(Config{DB: db, Table: table, SigningKey: key,
		Analyzer: analyzer(t), Now: func() time.Time { return f.now }, Threads: threads, Polls: polls})
	if err != nil {
		t.Fatal(err)
	}
	f.ix, f.idx = ix, NewIndexer(ix, nil)
	return f
}

// realOwners are the real owners of the items the index follows, on st: the
// index's tests decode items as the cores write them.
func realOwners(st *store.Store) (threads, polls source.Owner) {
	return discussion.New(discussion.Config{Store: st}), decision.New(decision.Config{Store: st})
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(pk, sk string) map[string]types.AttributeValue {
	out, err := f.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &f.table, ConsistentRead: aws.Bool(true),
		Key: item{"PK": s(pk), "SK": s(sk)}})
	f.must(err)
	if len(out.Item) == 0 {
		return nil
	}
	return out.Item
}

// record builds the stream record of a change from old to new.
func (f *fixture) record(pk, sk string, old, new map[string]types.AttributeValue) events.DynamoDBEventRecord {
	f.seq++
	name := events.DynamoDBOperationTypeModify
	switch {
	case old == nil:
		name = events.DynamoDBOperationTypeInsert
	case new == nil:
		name = events.DynamoDBOperationTypeRemove
	}
	r := events.DynamoDBEventRecord{EventName: string(name), EventID: fmt.Sprint("e", f.seq), EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{Keys: stream.EventImage(item{"PK": s(pk), "SK": s(sk)}),
			SequenceNumber: fmt.Sprintf("%021d", f.seq), StreamViewType: "NEW_AND_OLD_IMAGES"}}
	if old != nil {
		r.Change.OldImage = stream.EventImage(old)
	}
	if new != nil {
		r.Change.NewImage = stream.EventImage(new)
	}
	return r
}

// put writes a whole item (replacing) and queues its record.
func (f *fixture) put(it item) events.DynamoDBEventRecord {
	f.t.Helper()
	pk, sk := it.str("PK"), it.str("SK")
	old := f.get(pk, sk)
	_, err := f.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &f.table, Item: it})
	f.must(err)
	r := f.record(pk, sk, old, f.get(pk, sk))
	f.pending = append(f.pending, r)
	return r
}

// remove deletes an item and queues its record.
func (f *fixture) remove(pk, sk string) events.DynamoDBEventRecord {
	f.t.Helper()
	old := f.get(pk, sk)
	_, err := f.db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: &f.table, Key: item{"PK": s(pk), "SK": s(sk)}})
	f.must(err)
	r := f.record(pk, sk, old, nil)
	f.pending = append(f.pending, r)
	return r
}

// sync hands the queued records to the indexer.
func (f *fixture) sync() {
	f.t.Helper()
	recs := f.pending
	f.pending = nil
	f.deliver(recs...)
}

func (f *fixture) deliver(recs ...events.DynamoDBEventRecord) {
	f.t.Helper()
	failed, err := f.idx.HandleRecords(context.Background(), recs)
	if err != nil || len(failed) > 0 {
		f.t.Fatalf("indexer: failed %v, err %v", failed, err)
	}
}

func ts(t time.Time) types.AttributeValue { return s(t.UTC().Format(time.RFC3339Nano)) }

// The item layouts (docs/data-model.md).

type threadSpec struct {
	id, group, title, desc, author, name string
	version                              int64
	closed, deleted                      bool
	created                              time.Time
	tags                                 []string
}

func (f *fixture) thread(sp threadSpec) events.DynamoDBEventRecord {
	if sp.version == 0 {
		sp.version = 1
	}
	if sp.created.IsZero() {
		sp.created = f.now
	}
	it := item{"PK": s("THREAD#" + sp.id), "SK": s("THREAD"), "Type": s("thread"), "Version": n(sp.version),
		"ID": s(sp.id), "GroupID": s(sp.group), "Title": s(sp.title), "Description": s(sp.desc),
		"AuthorID": s(sp.author), "AuthorName": s(sp.name), "CreatedAt": ts(sp.created), "UpdatedAt": ts(sp.created),
		"Activity": ts(f.now), "Closed": b(sp.closed), "Pinned": b(false), "Deleted": b(sp.deleted),
		"ItemCount": n(0), "CommentCount": n(0)}
	if !sp.deleted { // pattern 23: soft delete removes the keys
		it["GSI1PK"], it["GSI1SK"] = s("THREADS#"+sp.group), s(f.now.UTC().Format(time.RFC3339Nano)+"#"+sp.id)
	}
	if len(sp.tags) > 0 {
		it["Tags"] = &types.AttributeValueMemberSS{Value: sp.tags}
	}
	return f.put(it)
}

type commentSpec struct {
	thread, id, body, author, name string
	version                        int64
	at                             time.Time
	deleted, removed               bool
}

func (f *fixture) comment(sp commentSpec) events.DynamoDBEventRecord {
	if sp.version == 0 {
		sp.version = 1
	}
	if sp.at.IsZero() {
		sp.at = f.now
	}
	it := item{"PK": s("THREAD#" + sp.thread), "SK": s("ITEM#" + sp.id), "Type": s("timeline"), "Version": n(sp.version),
		"ID": s(sp.id), "ThreadID": s(sp.thread), "Kind": s("comment"), "ActorID": s(sp.author), "ActorName": s(sp.name),
		"At": ts(sp.at), "Depth": n(1)}
	if sp.body != "" {
		it["Body"] = s(sp.body)
	}
	if sp.deleted {
		it["Deleted"] = b(true)
	}
	if sp.removed {
		it["Removed"] = b(true)
	}
	return f.put(it)
}

type pollSpec struct {
	id, group, thread, author, title, details string
	options                                   []string
	status                                    string // draft, open, closed
	closing                                   time.Time
	anonymous                                 bool
	hide                                      Hide
	version                                   int64
	created                                   time.Time
}

func (f *fixture) poll(sp pollSpec) events.DynamoDBEventRecord {
	if sp.version == 0 {
		sp.version = 1
	}
	if sp.created.IsZero() {
		sp.created = f.now
	}
	if sp.status == "" {
		sp.status = "open"
	}
	if sp.hide == "" {
		sp.hide = HideOff
	}
	if sp.closing.IsZero() && sp.status != "draft" {
		sp.closing = f.now.Add(7 * 24 * time.Hour)
	}
	type opt struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}
	def := map[string]any{"type": "poll", "title": sp.title, "details": sp.details}
	var opts []opt
	for i, o := range sp.options {
		opts = append(opts, opt{ID: fmt.Sprint("o", i), Label: o})
	}
	def["options"] = opts
	settings := map[string]any{"anonymous": sp.anonymous, "hide_results": sp.hide}
	if sp.status != "draft" {
		settings["closing_at"] = sp.closing
	}
	def["settings"] = settings
	raw, _ := json.Marshal(def)
	it := item{"PK": s("POLL#" + sp.id), "SK": s("POLL"), "Type": s("poll"), "Version": n(sp.version),
		"ID": s(sp.id), "GroupID": s(sp.group), "AuthorID": s(sp.author), "Def": s(string(raw)), "Status": s(sp.status),
		"ClosingAtMs": n(msOf(sp.closing)), "DefVersion": n(1), "VoterCount": n(0),
		"CreatedAt": ts(sp.created), "UpdatedAt": ts(sp.created),
		"GSI1PK": s("POLLS#" + sp.group), "GSI1SK": s(sp.created.UTC().Format(time.RFC3339Nano) + "#" + sp.id)}
	if sp.status == "draft" {
		it["ClosingAtMs"] = n(0)
	}
	if sp.thread != "" {
		it["ThreadID"] = s(sp.thread)
	}
	return f.put(it)
}

func (f *fixture) ballot(pid, uid, reason string, version int64, at time.Time) events.DynamoDBEventRecord {
	return f.put(item{"PK": s("POLL#" + pid), "SK": s("BALLOT#" + uid), "Type": s("ballot"), "Version": n(version),
		"PollID": s(pid), "UserID": s(uid), "Reason": s(reason), "CastAt": ts(at), "UpdatedAt": ts(at),
		"Choices": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}})
}

func (f *fixture) sealed(pid, hash, reason string, version int64) events.DynamoDBEventRecord {
	return f.put(item{"PK": s("POLL#" + pid), "SK": s("SEALED#" + hash), "Type": s("sealed_ballot"), "Version": n(version),
		"PollID": s(pid), "Reason": s(reason), "Choices": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}})
}

func (f *fixture) outcome(pid, author, statement string, version int64) events.DynamoDBEventRecord {
	return f.put(item{"PK": s("POLL#" + pid), "SK": s("OUTCOME"), "Type": s("outcome"), "Version": n(version),
		"PollID": s(pid), "Statement": s(statement), "AuthorID": s(author), "CreatedAt": ts(f.now), "UpdatedAt": ts(f.now)})
}

// ---- searching ----

// seeAll is a Visibility that lets everything through and counts the hits
// it was asked about.
type seeAll struct {
	mu    sync.Mutex
	asked []Hit
}

func (v *seeAll) CanSee(_ context.Context, hits []Hit) ([]bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.asked = append(v.asked, hits...)
	out := make([]bool, len(hits))
	for i := range out {
		out[i] = true
	}
	return out, nil
}

type visFunc func(Hit) bool

func (fn visFunc) CanSee(_ context.Context, hits []Hit) ([]bool, error) {
	out := make([]bool, len(hits))
	for i, h := range hits {
		out[i] = fn(h)
	}
	return out, nil
}

func member(groups ...string) Scope { return Scope{UserID: "searcher", Groups: groups} }

func (f *fixture) search(scope Scope, q Query) Results {
	f.t.Helper()
	res, err := f.ix.Search(context.Background(), scope, q, &seeAll{})
	f.must(err)
	return res
}

// hitIDs names hits compactly: t:<tid>, c:<cid>, p:<pid>, r:<pid>/<author>, o:<pid>.
func hitIDs(res Results) []string {
	var out []string
	for _, h := range res.Hits {
		switch h.Kind {
		case KindThread:
			out = append(out, "t:"+h.ThreadID)
		case KindComment:
			out = append(out, "c:"+h.CommentID)
		case KindPoll:
			out = append(out, "p:"+h.PollID)
		case KindReason:
			out = append(out, "r:"+h.PollID+"/"+h.AuthorID)
		case KindOutcome:
			out = append(out, "o:"+h.PollID)
		}
	}
	return out
}

func (f *fixture) find(scope Scope, text string) []string {
	f.t.Helper()
	return hitIDs(f.search(scope, Query{Text: text}))
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func eq(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// countingDB counts DynamoDB calls.
type countingDB struct {
	dynamodbiface.DynamoDBAPI
	n int
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.n++
	return c.DynamoDBAPI.GetItem(ctx, in, o...)
}

func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.n++
	return c.DynamoDBAPI.PutItem(ctx, in, o...)
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c.n++
	return c.DynamoDBAPI.BatchWriteItem(ctx, in, o...)
}

// failingDB fails every read of a document.
type failingDB struct{ dynamodbiface.DynamoDBAPI }

func (failingDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, fmt.Errorf("injected failure")
}

// countPostings counts a group's postings of a term.
func (f *fixture) countPostings(gid, term string) int {
	ps, _, err := f.ix.queryPostings(context.Background(), postingQuery{gid: gid, term: term, limit: 10000})
	f.must(err)
	return len(ps)
}

func rec1(r events.DynamoDBEventRecord) []events.DynamoDBEventRecord {
	return []events.DynamoDBEventRecord{r}
}
