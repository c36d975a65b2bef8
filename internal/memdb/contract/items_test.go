package contract_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every attribute type survives a round trip; numbers come back in
// DynamoDB's canonical form.
func TestRoundTrip(t *testing.T) {
	run(t, "all types", func(c *C) {
		it := c.with("rt", "1", item{
			"s": S("héllo 😀"), "empty": S(""), "n": N("42"), "b": B("\x00\x01bin"),
			"ss": SS("b", "a"), "ns": NS("3", "1.5"), "bs": BS("x", "y"),
			"m": M(item{"x": N("1"), "deep": M(item{"l": L(S("a"), NULL())})}), "l": L(N("1"), S("two"), M(item{"k": S("v")}), L()),
			"null": NULL(), "t": BOOL(true), "f": BOOL(false), "em": M(item{}),
		})
		c.put(it)
		got := c.recGet("get", "rt", "1")
		c.wantSame("round trip", got, it)
	})
	numbers := []string{"1.0", "01", "-0", "1e2", "1.5e1", "0.10", "1E-5", "-1.5e3", "+7", ".5", "5.",
		"12345678901234567890123456789012345678", "0.00000000000000000000000000000000000001",
		"9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130", "1e+3", "100"}
	for _, n := range numbers {
		run(t, "number "+n, func(c *C) {
			err := c.rec("put")(c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &c.Table, Item: c.with("num", "1", item{"n": N(n)})}))
			c.ok("put", err)
			c.recGet("get", "num", "1")
		})
	}
	bad := []string{"39 digits 123456789012345678901234567890123456789", "overflow 1E+126", "underflow 1E-131", "text abc",
		"empty ", "two dots 1.2.3", "bare e 1e", "hex 0x10", "space  1", "NaN NaN", "Infinity Infinity"}
	for _, b := range bad {
		name, n, _ := strings.Cut(b, " ")
		run(t, "invalid number "+name, func(c *C) {
			err := c.rec("put")(c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &c.Table, Item: c.with("num", "1", item{"n": N(n)})}))
			c.wantCode("put", err, "ValidationException")
		})
	}
}

// (*dynamodb.PutItemOutput, error) pairs are recorded with rec.
func (c *C) putIn(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	in.TableName = &c.Table
	return c.DB.PutItem(c.ctx, in)
}

func TestInvalidItems(t *testing.T) {
	cases := []struct {
		name string
		item func(c *C) item
	}{
		{"empty string set", func(c *C) item { return c.with("v", "1", item{"a": SS()}) }},
		{"empty number set", func(c *C) item { return c.with("v", "1", item{"a": NS()}) }},
		{"empty binary set", func(c *C) item { return c.with("v", "1", item{"a": BS()}) }},
		{"duplicate strings in set", func(c *C) item { return c.with("v", "1", item{"a": SS("x", "x")}) }},
		{"duplicate numbers in set", func(c *C) item { return c.with("v", "1", item{"a": NS("1", "1.0")}) }},
		{"empty key", func(c *C) item { return item{"PK": S(""), "SK": S("x")} }},
		{"empty sort key", func(c *C) item { return item{"PK": S(c.pk("v")), "SK": S("")} }},
		{"missing sort key", func(c *C) item { return item{"PK": S(c.pk("v"))} }},
		{"missing partition key", func(c *C) item { return item{"SK": S("x")} }},
		{"number key", func(c *C) item { return item{"PK": S(c.pk("v")), "SK": N("1")} }},
		{"number index key", func(c *C) item { return c.with("v", "1", item{"GSI1PK": N("1"), "GSI1SK": S("x")}) }},
		{"empty index key", func(c *C) item { return c.with("v", "1", item{"GSI1PK": S(""), "GSI1SK": S("x")}) }},
		{"empty index sort key", func(c *C) item { return c.with("v", "1", item{"GSI1PK": S("g"), "GSI1SK": S("")}) }},
		{"NULL false", func(c *C) item {
			return c.with("v", "1", item{"a": &types.AttributeValueMemberNULL{Value: false}})
		}},
		{"over 400 KB", func(c *C) item { return c.with("v", "1", item{"a": S(strings.Repeat("x", 400*1024))}) }},
		{"partition key over 2048 bytes", func(c *C) item { return item{"PK": S(strings.Repeat("k", 2049)), "SK": S("x")} }},
		{"sort key over 1024 bytes", func(c *C) item { return item{"PK": S(c.pk("v")), "SK": S(strings.Repeat("k", 1025))} }},
	}
	for _, tc := range cases {
		run(t, tc.name, func(c *C) {
			err := c.rec("put")(c.putIn(&dynamodb.PutItemInput{Item: tc.item(c)}))
			c.wantCode("put", err, "ValidationException")
			c.note("stored", c.get("v", "1"))
		})
	}
	run(t, "valid edge items", func(c *C) {
		for _, it := range []item{
			c.with("v", "1", item{"a": S(strings.Repeat("x", 390*1024))}),
			c.with("v", "2", item{"GSI1PK": S("g")}), // one index key only: not in the index
			c.with("v", "3", item{"sparse": S(""), "set": SS("")}),
			{"PK": S(c.pk("v") + strings.Repeat("k", 2048-len(c.pk("v")))), "SK": S(strings.Repeat("k", 1024))},
		} {
			c.ok("put", c.rec("put")(c.putIn(&dynamodb.PutItemInput{Item: it})))
		}
		c.recGet("sparse", "v", "3")
	})
}

func TestKeys(t *testing.T) {
	keys := map[string]func(c *C) item{
		"missing sort key": func(c *C) item { return item{"PK": S(c.pk("k"))} },
		"extra attribute":  func(c *C) item { return c.with("k", "1", item{"x": S("y")}) },
		"wrong type":       func(c *C) item { return item{"PK": S(c.pk("k")), "SK": N("1")} },
		"wrong name":       func(c *C) item { return item{"PK": S(c.pk("k")), "sk": S("1")} },
		"empty":            func(c *C) item { return item{"PK": S(c.pk("k")), "SK": S("")} },
	}
	for name, key := range keys {
		run(t, "get "+name, func(c *C) {
			err := c.rec("get")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: key(c)}))
			c.wantCode("get", err, "ValidationException")
		})
		run(t, "delete "+name, func(c *C) {
			err := c.rec("delete")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: key(c)}))
			c.wantCode("delete", err, "ValidationException")
		})
		run(t, "update "+name, func(c *C) {
			err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: key(c),
				UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: vals(":a", N("1"))}))
			c.wantCode("update", err, "ValidationException")
		})
	}
	run(t, "unknown table", func(c *C) {
		missing := "nosuchtable" + randomHex(3)
		err := c.rec("get")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &missing, Key: c.key("k", "1")}))
		c.wantCode("get", err, "ResourceNotFoundException")
		err = c.rec("put")(c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &missing, Item: c.key("k", "1")}))
		c.wantCode("put", err, "ResourceNotFoundException")
		err = c.rec("query")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &missing, KeyConditionExpression: aws.String("PK = :p"),
			ExpressionAttributeValues: vals(":p", S("x"))}))
		c.wantCode("query", err, "ResourceNotFoundException")
	})
}

func TestGetProjection(t *testing.T) {
	full := func(c *C) item {
		return c.with("p", "1", item{"a": S("A"), "m": M(item{"x": N("1"), "y": M(item{"z": S("deep")})}),
			"l": L(S("l0"), S("l1"), M(item{"k": S("v"), "o": S("other")})), "status": S("reserved word"), "n": N("5")})
	}
	projections := []struct {
		expr  string
		names map[string]string
	}{
		{"a", nil}, {"a, n", nil}, {"m.x", nil}, {"m.y.z", nil}, {"l[1]", nil}, {"l[2].k", nil}, {"l[0], l[2]", nil},
		{"missing", nil}, {"a, missing, m.nope, l[9]", nil}, {"#s", names("#s", "status")}, {"#m.#x", names("#m", "m", "#x", "x")},
		{"PK, SK", nil}, {"m.x, m.y.z", nil},
		// errors
		{"status", nil}, {"a, a", nil}, {"m, m.x", nil}, {"l[0], l[0].k", nil}, {"m.x, m[0]", nil}, {"#nope", nil},
		{"a,", nil}, {"", nil}, {"#s", names("#s", "status", "#t", "unused")}, {"a.", nil}, {"l[x]", nil},
	}
	for _, p := range projections {
		run(t, "projection "+p.expr, func(c *C) {
			c.put(full(c))
			c.rec("get")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key("p", "1"),
				ProjectionExpression: aws.String(p.expr), ExpressionAttributeNames: p.names}))
		})
	}
	run(t, "get missing item", func(c *C) {
		out, err := c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key("p", "none")})
		c.rec("get")(out, err)
		if err != nil || out.Item != nil {
			c.Errorf("missing item: %v %v", out.Item, err)
		}
	})
	run(t, "names without expression", func(c *C) {
		err := c.rec("get")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key("p", "none"),
			ExpressionAttributeNames: names("#a", "a")}))
		c.wantCode("get", err, "ValidationException")
	})
}

func TestWriteReturnValues(t *testing.T) {
	run(t, "put ALL_OLD", func(c *C) {
		out, err := c.putIn(&dynamodb.PutItemInput{Item: c.with("r", "1", item{"v": N("1")}), ReturnValues: types.ReturnValueAllOld})
		c.rec("put new")(out, err)
		out, err = c.putIn(&dynamodb.PutItemInput{Item: c.with("r", "1", item{"v": N("2")}), ReturnValues: types.ReturnValueAllOld})
		c.rec("put over")(out, err)
		c.wantSame("old", out.Attributes, c.with("r", "1", item{"v": N("1")}))
	})
	for _, rv := range []types.ReturnValue{types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew, "BOGUS"} {
		run(t, "put "+string(rv), func(c *C) {
			err := c.rec("put")(c.putIn(&dynamodb.PutItemInput{Item: c.with("r", "1", nil), ReturnValues: rv}))
			c.wantCode("put", err, "ValidationException")
		})
		run(t, "delete "+string(rv), func(c *C) {
			err := c.rec("delete")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1"), ReturnValues: rv}))
			c.wantCode("delete", err, "ValidationException")
		})
	}
	run(t, "delete ALL_OLD", func(c *C) {
		c.put(c.with("r", "1", item{"v": N("1")}))
		c.rec("delete")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1"), ReturnValues: types.ReturnValueAllOld}))
		c.rec("delete again")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1"), ReturnValues: types.ReturnValueAllOld}))
		c.recGet("gone", "r", "1")
	})
	for _, mode := range []types.ReturnValuesOnConditionCheckFailure{types.ReturnValuesOnConditionCheckFailureAllOld, types.ReturnValuesOnConditionCheckFailureNone} {
		run(t, "condition failure "+string(mode), func(c *C) {
			c.put(c.with("r", "1", item{"v": N("1")}))
			cond := aws.String("v = :two")
			v := vals(":two", N("2"))
			err := c.rec("put")(c.putIn(&dynamodb.PutItemInput{Item: c.with("r", "1", nil), ConditionExpression: cond,
				ExpressionAttributeValues: v, ReturnValuesOnConditionCheckFailure: mode}))
			c.wantCode("put", err, "ConditionalCheckFailedException")
			c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("r", "1"), ConditionExpression: cond,
				UpdateExpression: aws.String("SET w = :two"), ExpressionAttributeValues: v, ReturnValuesOnConditionCheckFailure: mode}))
			c.rec("delete")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1"), ConditionExpression: cond,
				ExpressionAttributeValues: v, ReturnValuesOnConditionCheckFailure: mode}))
			c.rec("missing item")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "2"), ConditionExpression: cond,
				ExpressionAttributeValues: v, ReturnValuesOnConditionCheckFailure: mode}))
			c.recGet("unchanged", "r", "1")
		})
	}
	run(t, "create if absent", func(c *C) {
		in := func(v string) *dynamodb.PutItemInput {
			return &dynamodb.PutItemInput{Item: c.with("r", "1", item{"v": S(v)}), ConditionExpression: aws.String("attribute_not_exists(PK)")}
		}
		c.ok("first", c.rec("first")(c.putIn(in("first"))))
		c.wantCode("second", c.rec("second")(c.putIn(in("second"))), "ConditionalCheckFailedException")
		c.recGet("kept", "r", "1")
	})
	run(t, "conditional delete of missing item", func(c *C) {
		err := c.rec("delete")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1"),
			ConditionExpression: aws.String("attribute_exists(PK)")}))
		c.wantCode("delete", err, "ConditionalCheckFailedException")
		c.ok("unconditional", c.rec("unconditional")(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("r", "1")})))
	})
}
