package contract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func (c *C) batchWrite(ws ...types.WriteRequest) (*dynamodb.BatchWriteItemOutput, error) {
	return c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{c.Table: ws}})
}

func putReq(it item) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}
func delReq(k item) types.WriteRequest {
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
}

// recBatchGet records a BatchGetItem with each table's items sorted
// (DynamoDB returns them in no particular order).
func (c *C) recBatchGet(label string, in *dynamodb.BatchGetItemInput) *dynamodb.BatchGetItemOutput {
	c.Helper()
	out, err := c.DB.BatchGetItem(c.ctx, in)
	if err != nil {
		c.rec(label)(nil, err)
		return nil
	}
	v := map[string]any{}
	for t, items := range out.Responses {
		name := "table"
		if t != c.Table {
			name = "other"
		}
		v[name] = sortedItems(items)
	}
	n := 0
	for _, ka := range out.UnprocessedKeys {
		n += len(ka.Keys)
	}
	v["unprocessed"] = n
	c.note(label, v)
	return out
}

func TestBatches(t *testing.T) {
	run(t, "write 25, get 100", func(c *C) {
		var ws []types.WriteRequest
		for i := 0; i < 25; i++ {
			ws = append(ws, putReq(c.with("b", fmt.Sprintf("%02d", i), item{"n": N(fmt.Sprint(i))})))
		}
		c.ok("write", c.rec("write")(c.batchWrite(ws...)))
		var keys []item
		for i := 0; i < 100; i++ {
			keys = append(keys, c.key("b", fmt.Sprintf("%02d", i)))
		}
		c.recBatchGet("get", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: keys}}})
		c.recBatchGet("consistent projection", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: keys[:30],
			ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#n, SK"), ExpressionAttributeNames: names("#n", "n")}}})
		c.recBatchGet("missing only", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: keys[90:]}}})
	})
	run(t, "limits and validation", func(c *C) {
		var ws []types.WriteRequest
		var keys []item
		for i := 0; i < 26; i++ {
			ws = append(ws, putReq(c.with("b", fmt.Sprint(i), nil)))
		}
		for i := 0; i < 101; i++ {
			keys = append(keys, c.key("b", fmt.Sprint(i)))
		}
		c.wantCode("26 writes", c.rec("26 writes")(c.batchWrite(ws...)), "ValidationException")
		c.wantCode("101 keys", c.rec("101 keys")(c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: keys}}})), "ValidationException")
		c.wantCode("duplicate writes", c.rec("duplicate writes")(c.batchWrite(putReq(c.with("b", "1", nil)), delReq(c.key("b", "1")))), "ValidationException")
		c.wantCode("duplicate puts", c.rec("duplicate puts")(c.batchWrite(putReq(c.with("b", "1", nil)), putReq(c.with("b", "1", item{"x": S("y")})))), "ValidationException")
		c.wantCode("duplicate keys", c.rec("duplicate keys")(c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: []item{c.key("b", "1"), c.key("b", "1")}}}})), "ValidationException")
		c.wantCode("no items", c.rec("no items")(c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{})), "InvalidParams")
		c.wantCode("no keys", c.rec("no keys")(c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {}}})), "InvalidParams")
		missing := "nosuch" + randomHex(3)
		c.wantCode("unknown table", c.rec("unknown table")(c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{missing: {Keys: keys[:1]}}})), "ResourceNotFoundException")
		c.wantCode("bad key", c.rec("bad key")(c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: []item{{"PK": S("x")}}}}})), "ValidationException")
		// One invalid item: nothing of the batch is written.
		err := c.rec("one invalid")(c.batchWrite(putReq(c.with("b", "ok", nil)), putReq(c.with("b", "bad", item{"s": SS()}))))
		c.wantCode("one invalid", err, "ValidationException")
		c.recGet("valid one not written", "b", "ok")
	})
	run(t, "puts and deletes", func(c *C) {
		c.put(c.with("b", "old", item{"v": S("old")}))
		c.ok("mixed", c.rec("mixed")(c.batchWrite(delReq(c.key("b", "old")), delReq(c.key("b", "never")), putReq(c.with("b", "new", item{"v": S("new")})),
			putReq(c.with("b", "idx", item{"GSI1PK": S(c.pk("bg")), "GSI1SK": S("1")})))))
		c.recGet("old", "b", "old")
		c.recGet("new", "b", "new")
		c.rec("index")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &c.Table, IndexName: aws.String("GSI1"),
			KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S(c.pk("bg")))}))
	})
	run(t, "two tables", func(c *C) {
		ks, ad := keySchema("id", "S", "", "")
		other := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad})
		_, err := c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
			c.Table: {putReq(c.with("b", "1", nil))}, other: {putReq(item{"id": S("o1")}), putReq(item{"id": S("o2")})}}})
		c.ok("write", c.rec("write")(nil, err))
		c.recBatchGet("get", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			c.Table: {Keys: []item{c.key("b", "1")}}, other: {Keys: []item{{"id": S("o1")}, {"id": S("o3")}}}}})
	})
	run(t, "16 MB response limit", func(c *C) {
		big := S(strings.Repeat("x", 390*1024))
		var keys []item
		for i := 0; i < 50; i++ {
			c.put(c.with("big", fmt.Sprintf("%02d", i), item{"pad": big}))
			keys = append(keys, c.key("big", fmt.Sprintf("%02d", i)))
		}
		out, err := c.DB.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.Table: {Keys: keys, ProjectionExpression: aws.String("SK")}}})
		c.ok("get", err)
		got, left := len(out.Responses[c.Table]), len(out.UnprocessedKeys[c.Table].Keys)
		if got+left != 50 || left == 0 {
			c.Errorf("got %d items and %d unprocessed keys, want 50 in all with some unprocessed", got, left)
		}
		c.note("total", got+left)
	})
}

func (c *C) tx(items ...types.TransactWriteItem) (*dynamodb.TransactWriteItemsOutput, error) {
	return c.DB.TransactWriteItems(c.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
}

func (c *C) txPut(it item, cond string, v item) types.TransactWriteItem {
	p := &types.Put{TableName: &c.Table, Item: it, ExpressionAttributeValues: v}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
	}
	return types.TransactWriteItem{Put: p}
}

func (c *C) txUpdate(key item, expr, cond string, v item) types.TransactWriteItem {
	u := &types.Update{TableName: &c.Table, Key: key, UpdateExpression: aws.String(expr), ExpressionAttributeValues: v}
	if cond != "" {
		u.ConditionExpression = aws.String(cond)
	}
	return types.TransactWriteItem{Update: u}
}

func (c *C) txDelete(key item, cond string, v item) types.TransactWriteItem {
	d := &types.Delete{TableName: &c.Table, Key: key, ExpressionAttributeValues: v}
	if cond != "" {
		d.ConditionExpression = aws.String(cond)
	}
	return types.TransactWriteItem{Delete: d}
}

func (c *C) txCheck(key item, cond string, v item) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &c.Table, Key: key, ConditionExpression: aws.String(cond), ExpressionAttributeValues: v}}
}

func TestTransactWrite(t *testing.T) {
	seed := func(c *C) {
		c.put(c.with("t", "a", item{"n": N("1"), "s": S("x")}))
		c.put(c.with("t", "b", item{"n": N("2")}))
		c.put(c.with("t", "del", item{"n": N("3")}))
	}
	state := func(c *C) {
		for _, sk := range []string{"a", "b", "c", "del", "new"} {
			c.recGet("after "+sk, "t", sk)
		}
	}
	run(t, "all operations commit together", func(c *C) {
		seed(c)
		c.ok("tx", c.rec("tx")(c.tx(
			c.txPut(c.with("t", "new", item{"v": S("new")}), "attribute_not_exists(PK)", nil),
			c.txUpdate(c.key("t", "a"), "ADD n :one SET s = :y", "n = :one", vals(":one", N("1"), ":y", S("y"))),
			c.txDelete(c.key("t", "del"), "attribute_exists(PK)", nil),
			c.txCheck(c.key("t", "b"), "n = :two", vals(":two", N("2"))),
			c.txUpdate(c.key("t", "c"), "SET v = :v", "", vals(":v", S("created"))),
		)))
		state(c)
	})
	run(t, "a failed condition cancels everything", func(c *C) {
		seed(c)
		err := c.rec("tx")(c.tx(
			c.txPut(c.with("t", "new", nil), "", nil),
			c.txUpdate(c.key("t", "a"), "ADD n :one", "n = :two", vals(":one", N("1"), ":two", N("2"))),
			c.txDelete(c.key("t", "del"), "", nil),
		))
		c.wantReasons("tx", err, "None", "ConditionalCheckFailed", "None")
		state(c)
	})
	run(t, "every failed condition is reported in order", func(c *C) {
		seed(c)
		err := c.rec("tx")(c.tx(
			c.txCheck(c.key("t", "a"), "attribute_not_exists(PK)", nil),
			c.txCheck(c.key("t", "b"), "n = :two", vals(":two", N("2"))),
			c.txCheck(c.key("t", "none"), "attribute_exists(PK)", nil),
			c.txPut(c.with("t", "del", nil), "n <> :three", vals(":three", N("3"))),
		))
		c.wantReasons("tx", err, "ConditionalCheckFailed", "None", "ConditionalCheckFailed", "ConditionalCheckFailed")
	})
	run(t, "items of failed conditions", func(c *C) {
		seed(c)
		mode := types.ReturnValuesOnConditionCheckFailureAllOld
		check := c.txCheck(c.key("t", "a"), "n = :two", vals(":two", N("2")))
		check.ConditionCheck.ReturnValuesOnConditionCheckFailure = mode
		put := c.txPut(c.with("t", "b", nil), "attribute_not_exists(PK)", nil)
		put.Put.ReturnValuesOnConditionCheckFailure = mode
		missing := c.txDelete(c.key("t", "none"), "attribute_exists(PK)", nil)
		missing.Delete.ReturnValuesOnConditionCheckFailure = mode
		upd := c.txUpdate(c.key("t", "del"), "SET x = :two", "n = :two", vals(":two", N("2")))
		c.rec("tx")(c.tx(check, put, missing, upd))
	})
	run(t, "validation", func(c *C) {
		seed(c)
		for _, tc := range []struct {
			label string
			items []types.TransactWriteItem
		}{
			{"same item twice", []types.TransactWriteItem{c.txCheck(c.key("t", "a"), "attribute_exists(PK)", nil), c.txUpdate(c.key("t", "a"), "SET x = :v", "", vals(":v", S("v")))}},
			{"two operations in one entry", []types.TransactWriteItem{{Put: c.txPut(c.with("t", "x", nil), "", nil).Put, Delete: c.txDelete(c.key("t", "y"), "", nil).Delete}}},
			{"empty entry", []types.TransactWriteItem{{}}},
			{"check without condition", []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{TableName: &c.Table, Key: c.key("t", "a")}}}},
			{"update a key", []types.TransactWriteItem{c.txUpdate(c.key("t", "a"), "SET SK = :v", "", vals(":v", S("v")))}},
			{"bad expression", []types.TransactWriteItem{c.txUpdate(c.key("t", "a"), "SET x = ", "", nil)}},
			{"unused value", []types.TransactWriteItem{c.txCheck(c.key("t", "a"), "attribute_exists(PK)", vals(":v", S("v")))}},
			{"invalid item", []types.TransactWriteItem{c.txPut(c.with("t", "x", item{"e": NS()}), "", nil)}},
			{"bad key", []types.TransactWriteItem{c.txDelete(item{"PK": S("x")}, "", nil)}},
			{"none", nil},
		} {
			err := c.rec(tc.label)(c.tx(tc.items...))
			if errCode(err) == "" {
				c.Errorf("%s: no error", tc.label)
			}
		}
		missing := "nosuch" + randomHex(3)
		c.wantCode("unknown table", c.rec("unknown table")(c.tx(types.TransactWriteItem{Put: &types.Put{TableName: &missing, Item: c.key("t", "x")}})), "ResourceNotFoundException")
		state(c)
	})
	run(t, "two operations on one item and a failed condition", func(c *C) {
		seed(c)
		_, err := c.tx(c.txPut(c.with("t", "a", nil), "attribute_not_exists(PK)", nil), c.txUpdate(c.key("t", "a"), "SET x = :v", "", vals(":v", S("v"))))
		// DynamoDB Local evaluates the conditions first and cancels; AWS
		// rejects the request as invalid whatever the conditions say.
		c.diverges("tx", "two operations on one item pass when a condition fails", view(nil, err), map[string]any{"error": "ValidationException"})
		state(c)
	})
	run(t, "errors found while applying", func(c *C) {
		seed(c)
		// AWS cancels with the reason ValidationError (its documented list of
		// cancellation reasons); DynamoDB Local fails the whole request with a
		// ValidationException instead.
		const why = "errors applying an update cancel the transaction on AWS"
		reasons := func(codes ...string) any {
			var rs []any
			for _, code := range codes {
				rs = append(rs, map[string]any{"Code": code})
			}
			return map[string]any{"error": "TransactionCanceledException", "reasons": rs}
		}
		_, err := c.tx(c.txPut(c.with("t", "new", nil), "", nil), c.txUpdate(c.key("t", "a"), "ADD s :one", "", vals(":one", N("1"))))
		c.diverges("add to a string", why, view(nil, err), reasons("None", "ValidationError"))
		_, err = c.tx(c.txUpdate(c.key("t", "a"), "SET x = absent + :one", "", vals(":one", N("1"))))
		c.diverges("missing operand", why, view(nil, err), reasons("ValidationError"))
		_, err = c.tx(c.txUpdate(c.key("t", "a"), "SET x = :big, y = :big", "", vals(":big", S(strings.Repeat("x", 250*1024)))))
		c.diverges("too large", why, view(nil, err), reasons("ValidationError"))
		c.rec("condition fails and update is invalid")(c.tx(c.txUpdate(c.key("t", "a"), "ADD s :one", "n = :two", vals(":one", N("1"), ":two", N("2")))))
		state(c)
	})
	run(t, "100 items and 101", func(c *C) {
		var items []types.TransactWriteItem
		for i := 0; i < 101; i++ {
			items = append(items, c.txPut(c.with("t", fmt.Sprintf("i%03d", i), nil), "", nil))
		}
		c.wantCode("101", c.rec("101")(c.tx(items...)), "ValidationException")
		c.ok("100", c.rec("100")(c.tx(items[:100]...)))
		out, err := c.query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("t"))), Select: types.SelectCount})
		c.rec("count")(out, err)
	})
	run(t, "client request token", func(c *C) {
		seed(c)
		token := "tok-" + randomHex(8)
		in := func(by string) *dynamodb.TransactWriteItemsInput {
			return &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token), TransactItems: []types.TransactWriteItem{
				c.txUpdate(c.key("t", "a"), "ADD n :v", "", vals(":v", N(by)))}}
		}
		c.ok("first", c.rec("first")(c.DB.TransactWriteItems(c.ctx, in("1"))))
		c.ok("retry", c.rec("retry")(c.DB.TransactWriteItems(c.ctx, in("1"))))
		c.recGet("applied once", "t", "a")
		c.wantCode("changed", c.rec("changed")(c.DB.TransactWriteItems(c.ctx, in("5"))), "IdempotentParameterMismatchException")
		c.recGet("still once", "t", "a")
		other := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token + "x"), TransactItems: []types.TransactWriteItem{
			c.txUpdate(c.key("t", "b"), "ADD n :v", "n = :ten", vals(":v", N("1"), ":ten", N("10")))}}
		c.rec("failed")(c.DB.TransactWriteItems(c.ctx, other))
		c.put(c.with("t", "b", item{"n": N("10")}))
		c.rec("after a failure")(c.DB.TransactWriteItems(c.ctx, other))
		c.recGet("b", "t", "b")
		c.rec("too long")(c.DB.TransactWriteItems(c.ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(strings.Repeat("t", 37)),
			TransactItems: []types.TransactWriteItem{c.txCheck(c.key("t", "a"), "attribute_exists(PK)", nil)}}))
	})
}

func TestTransactGet(t *testing.T) {
	run(t, "reads in order", func(c *C) {
		c.put(c.with("g", "1", item{"v": S("one"), "m": M(item{"x": N("1"), "y": N("2")})}))
		c.put(c.with("g", "2", item{"v": S("two")}))
		get := func(sk, proj string) types.TransactGetItem {
			g := &types.Get{TableName: &c.Table, Key: c.key("g", sk)}
			if proj != "" {
				g.ProjectionExpression = aws.String(proj)
			}
			return types.TransactGetItem{Get: g}
		}
		c.rec("get")(c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{get("2", ""), get("none", ""), get("1", "m.y, v")}}))
		c.wantCode("twice", c.rec("twice")(c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{get("1", ""), get("1", "v")}})), "ValidationException")
		c.wantCode("none", c.rec("none")(c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{})), "InvalidParams")
		var many []types.TransactGetItem
		for i := 0; i < 101; i++ {
			many = append(many, get(fmt.Sprint(i), ""))
		}
		c.wantCode("101", c.rec("101")(c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{TransactItems: many})), "ValidationException")
		out, err := c.DB.TransactGetItems(c.ctx, &dynamodb.TransactGetItemsInput{TransactItems: many[:100]})
		c.ok("100", err)
		c.note("100", len(out.Responses))
	})
}
