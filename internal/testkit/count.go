package testkit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/testcloud"
)

// CountingDB is a DynamoDB client that counts the requests it passes on,
// by operation: what a real-tier test costs DynamoDB Local, in a unit that
// does not depend on the machine's load (wall times do). Install it with
// CountRequests before anything is built on the environment's clients.
type CountingDB struct {
	dynamodbiface.DynamoDBAPI
	mu     sync.Mutex
	ops    map[string]int
	writes int // write requests that succeeded
}

// CountRequests wraps env's DynamoDB client in a CountingDB (in place, so
// every core built on env.Clients afterwards is counted) and returns it.
func CountRequests(env *testcloud.Env) *CountingDB {
	c := &CountingDB{DynamoDBAPI: env.Clients.DynamoDB, ops: map[string]int{}}
	env.Clients.DynamoDB = c
	return c
}

func (c *CountingDB) count(op string) {
	c.mu.Lock()
	c.ops[op]++
	c.mu.Unlock()
}

// Total is how many requests were sent so far.
func (c *CountingDB) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.ops {
		n += v
	}
	return n
}

// Writes is how many write requests (PutItem, UpdateItem, DeleteItem,
// BatchWriteItem, TransactWriteItems) succeeded so far; one refused by its
// condition or cancelled changed nothing and is not counted, and neither is
// the account core's record of a credential's use (see touch), which any
// authenticated request may write, allowed or not. A stretch of work during
// which Writes did not move changed nothing else in the table.
func (c *CountingDB) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// wrote counts a write request that succeeded.
func (c *CountingDB) wrote(err error) {
	if err == nil {
		c.mu.Lock()
		c.writes++
		c.mu.Unlock()
	}
}

// Ops is how many requests of each operation were sent so far.
func (c *CountingDB) Ops() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.ops))
	for k, v := range c.ops {
		out[k] = v
	}
	return out
}

// String is the total and the count of each operation, for a test's log.
func (c *CountingDB) String() string {
	ops := c.Ops()
	names := make([]string, 0, len(ops))
	total := 0
	for k, v := range ops {
		names = append(names, fmt.Sprintf("%s=%d", k, v))
		total += v
	}
	sort.Strings(names)
	return fmt.Sprintf("%d DynamoDB requests [%s]", total, strings.Join(names, " "))
}

type dynamoOpt = func(*dynamodb.Options)

// CreateTable implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, o ...dynamoOpt) (*dynamodb.CreateTableOutput, error) {
	c.count("CreateTable")
	return c.DynamoDBAPI.CreateTable(ctx, in, o...)
}

// ListTables implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, o ...dynamoOpt) (*dynamodb.ListTablesOutput, error) {
	c.count("ListTables")
	return c.DynamoDBAPI.ListTables(ctx, in, o...)
}

// ListGlobalTables implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) ListGlobalTables(ctx context.Context, in *dynamodb.ListGlobalTablesInput, o ...dynamoOpt) (*dynamodb.ListGlobalTablesOutput, error) {
	c.count("ListGlobalTables")
	return c.DynamoDBAPI.ListGlobalTables(ctx, in, o...)
}

// DescribeTable implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, o ...dynamoOpt) (*dynamodb.DescribeTableOutput, error) {
	c.count("DescribeTable")
	return c.DynamoDBAPI.DescribeTable(ctx, in, o...)
}

// UpdateTable implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, o ...dynamoOpt) (*dynamodb.UpdateTableOutput, error) {
	c.count("UpdateTable")
	return c.DynamoDBAPI.UpdateTable(ctx, in, o...)
}

// TransactGetItems implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, o ...dynamoOpt) (*dynamodb.TransactGetItemsOutput, error) {
	c.count("TransactGetItems")
	return c.DynamoDBAPI.TransactGetItems(ctx, in, o...)
}

// BatchGetItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...dynamoOpt) (*dynamodb.BatchGetItemOutput, error) {
	c.count("BatchGetItem")
	return c.DynamoDBAPI.BatchGetItem(ctx, in, o...)
}

// BatchWriteItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...dynamoOpt) (*dynamodb.BatchWriteItemOutput, error) {
	c.count("BatchWriteItem")
	out, err := c.DynamoDBAPI.BatchWriteItem(ctx, in, o...)
	c.wrote(err)
	return out, err
}

// GetItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...dynamoOpt) (*dynamodb.GetItemOutput, error) {
	c.count("GetItem")
	return c.DynamoDBAPI.GetItem(ctx, in, o...)
}

// DeleteItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...dynamoOpt) (*dynamodb.DeleteItemOutput, error) {
	c.count("DeleteItem")
	out, err := c.DynamoDBAPI.DeleteItem(ctx, in, o...)
	c.wrote(err)
	return out, err
}

// PutItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...dynamoOpt) (*dynamodb.PutItemOutput, error) {
	c.count("PutItem")
	out, err := c.DynamoDBAPI.PutItem(ctx, in, o...)
	c.wrote(err)
	return out, err
}

// UpdateItem implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...dynamoOpt) (*dynamodb.UpdateItemOutput, error) {
	c.count("UpdateItem")
	out, err := c.DynamoDBAPI.UpdateItem(ctx, in, o...)
	if !touch(in) {
		c.wrote(err)
	}
	return out, err
}

// touchNames are the attributes of a credential's last use: a session's
// last-seen time and idle expiry (with its TTL), a token's last use.
var touchNames = map[string]bool{"LastSeenAt": true, "IdleExpiresAt": true, "TTL": true, "LastUsedAt": true}

// touch reports whether an update only records a credential's use (the
// account core writes it at most every few minutes on an authenticated
// request, allowed or refused): it only SETs touchNames, one of them the
// time of use.
func touch(in *dynamodb.UpdateItemInput) bool {
	if in == nil || in.UpdateExpression == nil {
		return false
	}
	set, ok := strings.CutPrefix(strings.TrimSpace(*in.UpdateExpression), "SET ")
	if !ok {
		return false
	}
	used := false
	for _, part := range strings.Split(set, ",") {
		name, _, ok := strings.Cut(part, "=")
		if !ok {
			return false
		}
		name = strings.TrimSpace(name)
		if real, sub := in.ExpressionAttributeNames[name]; sub {
			name = real
		}
		if !touchNames[name] {
			return false
		}
		used = used || name == "LastSeenAt" || name == "LastUsedAt"
	}
	return used
}

// UpdateTimeToLive implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, o ...dynamoOpt) (*dynamodb.UpdateTimeToLiveOutput, error) {
	c.count("UpdateTimeToLive")
	return c.DynamoDBAPI.UpdateTimeToLive(ctx, in, o...)
}

// DescribeTimeToLive implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, o ...dynamoOpt) (*dynamodb.DescribeTimeToLiveOutput, error) {
	c.count("DescribeTimeToLive")
	return c.DynamoDBAPI.DescribeTimeToLive(ctx, in, o...)
}

// Query implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...dynamoOpt) (*dynamodb.QueryOutput, error) {
	c.count("Query")
	return c.DynamoDBAPI.Query(ctx, in, o...)
}

// Scan implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...dynamoOpt) (*dynamodb.ScanOutput, error) {
	c.count("Scan")
	return c.DynamoDBAPI.Scan(ctx, in, o...)
}

// DeleteTable implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, o ...dynamoOpt) (*dynamodb.DeleteTableOutput, error) {
	c.count("DeleteTable")
	return c.DynamoDBAPI.DeleteTable(ctx, in, o...)
}

// TransactWriteItems implements dynamodbiface.DynamoDBAPI.
func (c *CountingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...dynamoOpt) (*dynamodb.TransactWriteItemsOutput, error) {
	c.count("TransactWriteItems")
	out, err := c.DynamoDBAPI.TransactWriteItems(ctx, in, o...)
	c.wrote(err)
	return out, err
}
