package search

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"
)

// ownItemsOnly is the index's client: it records every key the index
// reads or writes other than its own (SEARCH#...). A Scan is the whole
// table by design (a whole reindex hands each item to the owners).
type ownItemsOnly struct {
	dynamodbiface.DynamoDBAPI
	mu     sync.Mutex
	others []string
	seen   int
}

func (g *ownItemsOnly) check(op string, key map[string]types.AttributeValue) {
	pk := item(key).str("PK")
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen++
	if !strings.HasPrefix(pk, "SEARCH#") {
		g.others = append(g.others, op+" "+pk)
	}
}

func (g *ownItemsOnly) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	g.check("GetItem", in.Key)
	return g.DynamoDBAPI.GetItem(ctx, in, o...)
}

func (g *ownItemsOnly) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	g.check("PutItem", in.Item)
	return g.DynamoDBAPI.PutItem(ctx, in, o...)
}

func (g *ownItemsOnly) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	g.check("UpdateItem", in.Key)
	return g.DynamoDBAPI.UpdateItem(ctx, in, o...)
}

func (g *ownItemsOnly) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	g.check("Query", map[string]types.AttributeValue{"PK": in.ExpressionAttributeValues[":pk"]})
	return g.DynamoDBAPI.Query(ctx, in, o...)
}

func (g *ownItemsOnly) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			g.check("BatchGetItem", k)
		}
	}
	return g.DynamoDBAPI.BatchGetItem(ctx, in, o...)
}

func (g *ownItemsOnly) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		for _, r := range reqs {
			if r.PutRequest != nil {
				g.check("BatchWriteItem", r.PutRequest.Item)
			}
			if r.DeleteRequest != nil {
				g.check("BatchWriteItem", r.DeleteRequest.Key)
			}
		}
	}
	return g.DynamoDBAPI.BatchWriteItem(ctx, in, o...)
}

// TestIndexTouchesOnlyItsOwnItems: following the stream (children before
// their parents, so a parent is read), a group's reindex and a whole one
// read and write no item but the index's own: the threads', comments',
// polls', ballots' and outcomes' owners read theirs (#13 §1).
func TestIndexTouchesOnlyItsOwnItems(t *testing.T) {
	f := newFixture(t)
	guard := &ownItemsOnly{DynamoDBAPI: f.db}
	f.ix.db = guard // the owners keep their own store on the table
	// Children before their thread and poll: the parents' documents are
	// made from what their owners read.
	f.comment(commentSpec{thread: "t1", id: "c1", body: "Compost heap behind the shed", author: "bob"})
	f.ballot("p1", "bob", "Thursday suits the caretaker", 1, f.now)
	f.outcome("p1", "alice", "Collection moves to Thursday", 1)
	recs := f.pending
	f.pending = nil
	f.thread(threadSpec{id: "t1", group: "g1", title: "Recycling bins", desc: "Where do the bins go", author: "alice"})
	f.poll(pollSpec{id: "p1", group: "g1", thread: "t1", author: "alice", title: "Which collection day",
		options: []string{"Monday", "Thursday"}})
	f.pending = nil
	f.deliver(recs...)
	f.expect(member("g1"), "compost", "c:c1")
	f.expect(member("g1"), "caretaker", "r:p1/bob")
	f.expect(member("g1"), "recycling", "t:t1")
	// Whole and group reindexes: the owners list and read their items.
	contentWithoutIndex(f)
	f.reindexAll("g1", 3)
	f.reindexAll("", 7)
	f.expect(member("g1"), "collection", "p:p1", "o:p1", "c:c2")
	if guard.seen < 20 {
		t.Fatalf("the index's client saw %d keys: the check is not in the way", guard.seen)
	}
	if len(guard.others) > 0 {
		t.Fatalf("the index touched others' items: %v", guard.others)
	}
}
