package recovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// DynamoDB is what the table tools call (a *dynamodb.Client).
type DynamoDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Item is one stored item, as DynamoDB returns it.
type Item = map[string]types.AttributeValue

// Key identifies an item.
type Key struct{ PK, SK string }

func (k Key) String() string { return k.PK + " / " + k.SK }

func str(it Item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it Item, name string) (int64, bool) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}

func keyOf(it Item) Key { return Key{str(it, tabledef.PK), str(it, tabledef.SK)} }

// entity is the item's Type attribute ("group", "ballot", ...), or
// "(untyped)".
func entity(it Item) string {
	if t := str(it, "Type"); t != "" {
		return t
	}
	return "(untyped)"
}

// expired reports whether the item's TTL has passed: the application treats
// it as absent and DynamoDB deletes it within days, so copies and
// comparisons leave it out.
func expired(it Item, now time.Time) bool {
	ttl, ok := num(it, tabledef.TTLAttribute)
	return ok && ttl > 0 && ttl < now.Unix()
}

// Hash is a digest of an item's attributes, independent of attribute and
// set-member order.
func Hash(it Item) string {
	h := sha256.New()
	writeMap(h, it)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeMap(w io.Writer, m map[string]types.AttributeValue) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "M%d{", len(names))
	for _, k := range names {
		fmt.Fprintf(w, "%q:", k)
		writeValue(w, m[k])
	}
	fmt.Fprint(w, "}")
}

func writeSet(w io.Writer, tag string, xs []string) {
	s := append([]string(nil), xs...)
	sort.Strings(s)
	fmt.Fprintf(w, "%s%q", tag, s)
}

func writeValue(w io.Writer, v types.AttributeValue) {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		fmt.Fprintf(w, "S%q", x.Value)
	case *types.AttributeValueMemberN:
		fmt.Fprintf(w, "N%q", x.Value)
	case *types.AttributeValueMemberB:
		fmt.Fprintf(w, "B%x", x.Value)
	case *types.AttributeValueMemberBOOL:
		fmt.Fprintf(w, "T%v", x.Value)
	case *types.AttributeValueMemberNULL:
		fmt.Fprint(w, "Z")
	case *types.AttributeValueMemberSS:
		writeSet(w, "SS", x.Value)
	case *types.AttributeValueMemberNS:
		writeSet(w, "NS", x.Value)
	case *types.AttributeValueMemberBS:
		hexes := make([]string, len(x.Value))
		for i, b := range x.Value {
			hexes[i] = hex.EncodeToString(b)
		}
		writeSet(w, "BS", hexes)
	case *types.AttributeValueMemberL:
		fmt.Fprintf(w, "L%d[", len(x.Value))
		for _, e := range x.Value {
			writeValue(w, e)
			fmt.Fprint(w, ",")
		}
		fmt.Fprint(w, "]")
	case *types.AttributeValueMemberM:
		writeMap(w, x.Value)
	default:
		fmt.Fprintf(w, "?%T", v)
	}
}

// query returns every item of a query (all pages), strongly consistent
// unless it reads an index.
func query(ctx context.Context, db DynamoDB, in *dynamodb.QueryInput) ([]Item, error) {
	if in.IndexName == nil {
		in.ConsistentRead = aws.Bool(true)
	}
	var out []Item
	for {
		page, err := db.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// partition returns every item with partition key pk.
func partition(ctx context.Context, db DynamoDB, table, pk string) ([]Item, error) {
	return query(ctx, db, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": tabledef.PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
}

// indexPartition returns every item of an index partition (GSI1 or GSI2).
func indexPartition(ctx context.Context, db DynamoDB, table, index, pkAttr, pk string) ([]Item, error) {
	return query(ctx, db, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
}

// getItems reads keys with strongly consistent BatchGetItem calls (100 per
// call, unprocessed keys retried).
func getItems(ctx context.Context, db DynamoDB, table string, keys []Key) (map[Key]Item, error) {
	out := make(map[Key]Item, len(keys))
	for start := 0; start < len(keys); start += 100 {
		var req []map[string]types.AttributeValue
		for _, k := range keys[start:min(start+100, len(keys))] {
			req = append(req, map[string]types.AttributeValue{
				tabledef.PK: &types.AttributeValueMemberS{Value: k.PK}, tabledef.SK: &types.AttributeValueMemberS{Value: k.SK}})
		}
		pending := map[string]types.KeysAndAttributes{table: {Keys: req, ConsistentRead: aws.Bool(true)}}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > 0 {
				if attempt > 10 {
					return nil, fmt.Errorf("BatchGetItem on %s: keys still unprocessed after %d attempts", table, attempt)
				}
				if err := sleep(ctx, time.Duration(attempt)*100*time.Millisecond); err != nil {
					return nil, err
				}
			}
			res, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, err
			}
			for _, it := range res.Responses[table] {
				out[keyOf(it)] = it
			}
			pending = res.UnprocessedKeys
		}
	}
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
