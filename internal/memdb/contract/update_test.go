package contract_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func updItem(c *C) item {
	return c.with("upd", "1", item{
		"s": S("x"), "n": N("5"), "frac": N("0.1"), "l": L(S("a"), S("b"), S("c")), "m": M(item{"x": N("1"), "y": M(item{"z": S("deep")})}),
		"ss": SS("a", "b"), "ns": NS("1", "2"), "bs": BS("p"), "lm": L(M(item{"k": S("v")})), "t": BOOL(true), "GSI1PK": S("g"),
	})
}

func updValues() item {
	return item{
		":one": N("1"), ":two": N("2"), ":neg": N("-3"), ":dec": N("0.2"), ":x": S("new"), ":y": S("why"), ":empty": S(""),
		":lst": L(S("d"), S("e")), ":elst": L(), ":ssc": SS("c", "a"), ":ssa": SS("a"), ":ssab": SS("a", "b"), ":ns3": NS("3"),
		":bsq": BS("q"), ":map": M(item{"k": S("v")}), ":null": NULL(), ":t": BOOL(false), ":big": N("9.9999999999999999999999999999999999999E+125"),
		":e37": N("1e37"), ":tenth": N("0.1"), ":nsp": NS("2.0"), ":ess": SS(), ":num": N("7"),
	}
}

// Each update runs on updItem with ReturnValues ALL_NEW; the returned
// item (or the error) and the stored item are recorded.
func TestUpdateExpressions(t *testing.T) {
	const ok, V = "ok", "invalid"
	cases := []struct {
		expr, want string
		names      map[string]string
	}{
		// SET
		{"SET a = :x", ok, nil}, {"SET s = :y", ok, nil}, {"SET a = :x, b = :y", ok, nil}, {"SET a = s", ok, nil},
		{"SET a = absent", V, nil}, {"SET s = :empty", ok, nil}, {"SET a = :null, b = :t", ok, nil}, {"SET a = :map", ok, nil},
		{"SET n = n + :one", ok, nil}, {"SET n = :one + n", ok, nil}, {"SET n = n - :two", ok, nil}, {"SET n = n - :neg", ok, nil},
		{"SET frac = frac + :dec", ok, nil}, {"SET a = :one + :two", ok, nil}, {"SET a = absent + :one", V, nil},
		{"SET s = s + :one", V, nil}, {"SET n = n + :x", V, nil}, {"SET n = n + n", ok, nil}, {"SET n = n + :big", V, nil},
		{"SET n = :e37 + :tenth", V, nil}, {"SET a = :e37 + :one", ok, nil},
		{"SET a = if_not_exists(a, :one)", ok, nil}, {"SET n = if_not_exists(n, :one)", ok, nil},
		{"SET a = if_not_exists(a, :one) + :two", ok, nil}, {"SET n = if_not_exists(n, :one) + :two", ok, nil},
		{"SET a = if_not_exists(b, s)", ok, nil}, {"SET m.x = if_not_exists(m.x, :two)", ok, nil},
		{"SET l = list_append(l, :lst)", ok, nil}, {"SET l = list_append(:lst, l)", ok, nil}, {"SET l = list_append(l, :elst)", ok, nil},
		{"SET a = list_append(if_not_exists(a, :elst), :lst)", ok, nil}, {"SET l = list_append(if_not_exists(l, :elst), :lst)", ok, nil},
		{"SET a = list_append(a, :lst)", V, nil}, {"SET s = list_append(s, :lst)", V, nil}, {"SET l = list_append(l, :x)", V, nil},
		{"SET m.x = :x", ok, nil}, {"SET m.fresh = :x", ok, nil}, {"SET m.y.z = :x", ok, nil}, {"SET m.y.w = :x", ok, nil},
		{"SET absent.x = :x", V, nil}, {"SET s.x = :x", V, nil}, {"SET m.q.r = :x", V, nil},
		{"SET l[1] = :x", ok, nil}, {"SET l[0] = :x, l[2] = :y", ok, nil}, {"SET l[10] = :x", ok, nil}, {"SET l[3] = :x, l[9] = :y", ok, nil},
		{"SET lm[0].k = :x", ok, nil}, {"SET lm[0].fresh = :x", ok, nil}, {"SET s[0] = :x", V, nil}, {"SET m[0] = :x", V, nil},
		{"SET l.x = :x", V, nil}, {"SET a = s, s = :x", ok, nil}, {"SET s = n, n = s", ok, nil},
		{"SET #a = :x", ok, names("#a", "status")}, {"SET #m.#k = :x", ok, names("#m", "m", "#k", "a.b")},
		{"SET a = :ess", V, nil}, {"SET a = size(s)", V, nil}, {"SET a = :x + :y", V, nil},
		// REMOVE
		{"REMOVE s", ok, nil}, {"REMOVE absent", ok, nil}, {"REMOVE s, n, m", ok, nil}, {"REMOVE m.x", ok, nil}, {"REMOVE m.y.z", ok, nil},
		{"REMOVE m.absent", ok, nil}, {"REMOVE absent.x", V, nil}, {"REMOVE l.x", V, nil}, {"REMOVE m[0]", V, nil}, {"REMOVE l[0]", ok, nil}, {"REMOVE l[0], l[2]", ok, nil},
		{"REMOVE l[2], l[0]", ok, nil}, {"REMOVE l[10]", ok, nil}, {"REMOVE lm[0].k", ok, nil}, {"REMOVE s.x", V, nil},
		{"REMOVE GSI1PK", ok, nil}, {"REMOVE l[0], l[1], l[2]", ok, nil},
		// ADD
		{"ADD n :one", ok, nil}, {"ADD n :neg", ok, nil}, {"ADD a :one", ok, nil}, {"ADD frac :dec", ok, nil}, {"ADD n :big", V, nil},
		{"ADD ss :ssc", ok, nil}, {"ADD a :ssc", ok, nil}, {"ADD ns :ns3", ok, nil}, {"ADD ns :nsp", ok, nil}, {"ADD bs :bsq", ok, nil},
		{"ADD s :one", V, nil}, {"ADD n :ssc", V, nil}, {"ADD ss :ns3", V, nil}, {"ADD a :x", V, nil}, {"ADD a :lst", V, nil},
		{"ADD m.cnt :one", ok, nil}, {"ADD m.x :one", ok, nil}, {"ADD n :one, a :two", ok, nil}, {"ADD l[0] :one", V, nil},
		// DELETE
		{"DELETE ss :ssa", ok, nil}, {"DELETE ss :ssab", ok, nil}, {"DELETE ss :ssc", ok, nil}, {"DELETE absent :ssa", ok, nil},
		{"DELETE ns :nsp", ok, nil}, {"DELETE ss :ns3", V, nil}, {"DELETE s :ssa", V, nil}, {"DELETE ss :x", V, nil},
		{"DELETE n :one", V, nil}, {"DELETE bs :bsq", ok, nil},
		// combinations and order
		{"SET a = :x REMOVE s ADD n :one DELETE ss :ssa", ok, nil}, {"REMOVE s SET a = :x", ok, nil},
		{"ADD n :one SET a = :x", ok, nil}, {"set a = :x remove s", ok, nil}, {"SET a = :x, b = :y REMOVE s, t", ok, nil},
		// rejected
		{"SET s = :x REMOVE s", V, nil}, {"SET m.x = :x, m = :map", V, nil}, {"SET m.x = :x REMOVE m.x", V, nil},
		{"SET m.x = :x, m[0] = :y", V, nil}, {"SET a = :x SET b = :y", V, nil}, {"REMOVE s REMOVE n", V, nil},
		{"SET a = :x, a = :y", V, nil}, {"ADD n :one REMOVE n", V, nil}, {"SET l[0] = :x REMOVE l[0]", V, nil},
		{"SET l[0] = :x, l[1] = :y REMOVE l[2]", ok, nil},
		{"SET PK = :x", V, nil}, {"REMOVE SK", V, nil}, {"ADD PK :one", V, nil}, {"SET status = :x", V, nil},
		{"SET a = :undefined", V, nil}, {"SET #undefined = :x", V, nil}, {"SET a :x", V, nil}, {"SET", V, nil},
		{"", V, nil}, {"UPSERT a = :x", V, nil}, {"SET a = :x,", V, nil}, {"ADD n", V, nil}, {"SET a = b = :x", V, nil},
		{"SET a = :x", V, names("#unused", "q")}, {"SET a = if_not_exists(:x, :y)", V, nil}, {"SET a = unknown(b)", V, nil},
		{"SET a = :x - :one", V, nil}, {"SET GSI1PK = :one", V, nil}, {"SET GSI1SK = :empty", V, nil},
	}
	for _, tc := range cases {
		name := tc.expr
		if tc.names != nil {
			name += " with names"
		}
		run(t, name, func(c *C) {
			c.put(updItem(c))
			v := updValuesFor(tc.expr)
			err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("upd", "1"),
				UpdateExpression: aws.String(tc.expr), ExpressionAttributeNames: tc.names, ExpressionAttributeValues: v,
				ReturnValues: types.ReturnValueAllNew}))
			got := ok
			switch errCode(err) {
			case "":
			case "ValidationException":
				got = V
			default:
				got = err.Error()
			}
			if got != tc.want {
				c.Errorf("%q: %s, want %s (%v)", tc.expr, got, tc.want, err)
			}
			c.recGet("after", "upd", "1")
		})
	}
}

func TestUpdateItem(t *testing.T) {
	run(t, "creates a missing item", func(c *C) {
		c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "new"),
			UpdateExpression: aws.String("SET a = :a ADD n :one"), ExpressionAttributeValues: vals(":a", S("x"), ":one", N("1")),
			ReturnValues: types.ReturnValueAllNew}))
		c.recGet("stored", "u", "new")
	})
	run(t, "without an update expression", func(c *C) {
		c.rec("missing")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "bare"), ReturnValues: types.ReturnValueAllNew}))
		c.recGet("created", "u", "bare")
		c.put(c.with("u", "full", item{"a": S("x")}))
		c.rec("existing")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "full"), ReturnValues: types.ReturnValueAllOld}))
		c.recGet("unchanged", "u", "full")
	})
	for _, rv := range []types.ReturnValue{types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew} {
		run(t, "return "+string(rv), func(c *C) {
			c.put(updItem(c))
			in := func(key item, expr string) *dynamodb.UpdateItemInput {
				return &dynamodb.UpdateItemInput{TableName: &c.Table, Key: key, UpdateExpression: aws.String(expr),
					ExpressionAttributeValues: updValuesFor(expr), ReturnValues: rv}
			}
			c.rec("set and remove")(c.DB.UpdateItem(c.ctx, in(c.key("upd", "1"), "SET a = :x, m.y.z = :y, l[1] = :x REMOVE s, m.x ADD n :one DELETE ss :ssa")))
			c.rec("new item")(c.DB.UpdateItem(c.ctx, in(c.key("upd", "2"), "SET a = :x ADD n :one")))
			c.rec("nothing changes")(c.DB.UpdateItem(c.ctx, in(c.key("upd", "1"), "REMOVE absent")))
			c.rec("same value")(c.DB.UpdateItem(c.ctx, in(c.key("upd", "1"), "SET a = :x")))
		})
	}
	run(t, "return values bogus", func(c *C) {
		err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "1"),
			UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: vals(":a", S("x")), ReturnValues: "EVERYTHING"}))
		c.wantCode("update", err, "ValidationException")
	})
	run(t, "condition and update", func(c *C) {
		c.put(updItem(c))
		in := func(cond string) *dynamodb.UpdateItemInput {
			return &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("upd", "1"), UpdateExpression: aws.String("ADD n :one"),
				ConditionExpression: aws.String(cond), ExpressionAttributeValues: updValuesFor("ADD n :one " + cond),
				ReturnValues: types.ReturnValueUpdatedNew}
		}
		c.ok("holds", c.rec("holds")(c.DB.UpdateItem(c.ctx, in("n = :num OR n < :num"))))
		c.wantCode("fails", c.rec("fails")(c.DB.UpdateItem(c.ctx, in("n > :num"))), "ConditionalCheckFailedException")
		c.wantCode("fails on missing", c.rec("fails on missing")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table,
			Key: c.key("upd", "none"), UpdateExpression: aws.String("SET a = :x"), ConditionExpression: aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: vals(":x", S("x"))})), "ConditionalCheckFailedException")
		c.recGet("none created", "upd", "none")
		c.recGet("after", "upd", "1")
		// A runtime error in the update with a condition that fails.
		c.rec("both")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("upd", "1"),
			UpdateExpression: aws.String("ADD s :one"), ConditionExpression: aws.String("n > :num"),
			ExpressionAttributeValues: vals(":one", N("1"), ":num", N("7"))}))
	})
	run(t, "the item grows past 400 KB", func(c *C) {
		big := S(strings.Repeat("x", 300*1024))
		c.put(c.with("u", "big", item{"a": big}))
		err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "big"),
			UpdateExpression: aws.String("SET b = :b"), ExpressionAttributeValues: vals(":b", big)}))
		c.wantCode("update", err, "ValidationException")
	})
	run(t, "numbers keep 38 digits", func(c *C) {
		c.put(c.with("u", "n", item{"n": N("0.1")}))
		for _, add := range []string{"0.2", "-0.3", "12345678901234567890123456789012345678", "1e-100", "99999999999999999999999999999999999999"} {
			c.rec("add " + add)(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("u", "n"),
				UpdateExpression: aws.String("ADD n :v"), ExpressionAttributeValues: vals(":v", N(add)), ReturnValues: types.ReturnValueUpdatedNew}))
		}
	})
}

func updValuesFor(expr string) item {
	out := item{}
	for k, v := range updValues() {
		for _, sep := range []string{" ", ",", ")", ""} {
			if strings.Contains(expr+" ", k+sep) && (sep != "" || strings.HasSuffix(expr, k)) {
				out[k] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
