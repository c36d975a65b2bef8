package contract_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// condItem is the item every condition case is evaluated against.
func condItem(c *C) item {
	return c.with("cond", "1", item{
		"s": S("hello"), "s2": S("hello"), "up": S("Hello"), "blank": S(""), "uni": S("héllo😀"),
		"n": N("5"), "n2": N("5.0"), "neg": N("-2.5"), "t": BOOL(true), "nul": NULL(), "bin": B("\x01\x02\x03"),
		"ss": SS("a", "b"), "ns": NS("1", "2"), "bs": BS("x"),
		"m": M(item{"x": N("1"), "y": M(item{"z": S("deep")})}), "em": M(item{}),
		"l": L(N("1"), S("two"), M(item{"k": S("v")})), "el": L(),
		"status": S("reserved"),
	})
}

// condValues are the ExpressionAttributeValues conditions pick from; each
// case sends only the ones its expression uses.
func condValues() item {
	return item{
		":hello": S("hello"), ":other": S("other"), ":he": S("he"), ":ell": S("ell"), ":H": S("H"), ":z": S("z"), ":a": S("a"),
		":c": S("c"), ":two": S("two"), ":empty": S(""), ":deep": S("deep"), ":v": S("v"),
		":zero": N("0"), ":one": N("1"), ":two_n": N("2"), ":three": N("3"), ":five": N("5.00"), ":six": N("6"), ":seven": N("7"),
		":ten": N("10"), ":neg": N("-2.5"), ":big": N("1e100"),
		":true": BOOL(true), ":false": BOOL(false), ":null": NULL(), ":bin": B("\x01"), ":bin123": B("\x01\x02\x03"),
		":ssba": SS("b", "a"), ":ssa": SS("a"), ":ns21": NS("2", "1"), ":list": L(N("1"), S("two"), M(item{"k": S("v")})),
		":listrev": L(S("two"), N("1"), M(item{"k": S("v")})), ":map": M(item{"x": N("1"), "y": M(item{"z": S("deep")})}),
		":S": S("S"), ":N": S("N"), ":SS": S("SS"), ":NS": S("NS"), ":M": S("M"), ":L": S("L"), ":NULL": S("NULL"),
		":BOOL": S("BOOL"), ":B": S("B"), ":BS": S("BS"), ":bogus": S("STRING"),
	}
}

// usedValues picks the values an expression mentions.
func usedValues(expr string) item {
	all := condValues()
	out := item{}
	for k, v := range all {
		for i := strings.Index(expr, k); i >= 0; {
			end := i + len(k)
			if end == len(expr) || !isNameChar(expr[end]) {
				out[k] = v
				break
			}
			next := strings.Index(expr[end:], k)
			if next < 0 {
				break
			}
			i = end + next
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func isNameChar(b byte) bool {
	return b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

// Each condition is evaluated by an UpdateItem that changes nothing: it
// succeeds when the condition holds, fails with ConditionalCheckFailed when
// it does not, and with ValidationException when DynamoDB rejects it.
func TestConditions(t *testing.T) {
	const T, F, V = "true", "false", "invalid"
	cases := []struct {
		expr, want string
		names      map[string]string
	}{
		// comparisons
		{"s = :hello", T, nil}, {"s = :other", F, nil}, {"s <> :other", T, nil}, {"s <> :hello", F, nil},
		{"absent = :hello", F, nil}, {"absent <> :hello", T, nil}, {"NOT absent = :hello", T, nil},
		{"absent < :hello", F, nil}, {"NOT absent < :hello", T, nil}, {"absent = absent2", F, nil}, {"absent <> absent2", T, nil},
		{"n = :five", T, nil}, {"n = n2", T, nil}, {"s = s2", T, nil}, {"n < :ten", T, nil}, {"n <= :five", T, nil},
		{"n > :ten", F, nil}, {"n >= :five", T, nil}, {"neg < :zero", T, nil}, {"n < :big", T, nil},
		{"n = :hello", F, nil}, {"n < :hello", F, nil}, {"n <> :hello", T, nil}, {"s > :a", T, nil}, {"up < s", T, nil},
		{"s < :z", T, nil}, {"blank = :empty", T, nil}, {"blank < :a", T, nil}, {"bin = :bin123", T, nil}, {"bin > :bin", T, nil},
		{"t = :true", T, nil}, {"t = :false", F, nil}, {"t <> :false", T, nil}, {"nul = :null", T, nil},
		{"ss = :ssba", T, nil}, {"ss = :ssa", F, nil}, {"ns = :ns21", T, nil}, {"l = :list", T, nil}, {"l = :listrev", F, nil},
		{"m = :map", T, nil}, {"m.y.z = :deep", T, nil}, {"l[2].k = :v", T, nil}, {"l[0] = :one", T, nil}, {"l[1] = :two", T, nil},
		{"l[9] = :one", F, nil}, {"m.x = :one", T, nil}, {"m[0] = :one", F, nil}, {"s.x = :one", F, nil},
		{"#s = :hello", T, names("#s", "s")}, {"#m.#y.#z = :deep", T, names("#m", "m", "#y", "y", "#z", "z")},
		{"#st = :hello", F, names("#st", "status")}, {"#st <> :hello", T, names("#st", "status")},
		{"t < :true", V, nil}, {"m < :map", V, nil}, {"n > :ssa", V, nil}, {":one = :one", T, nil}, {":one < n", T, nil},
		// BETWEEN and IN
		{"n BETWEEN :one AND :ten", T, nil}, {"n BETWEEN :six AND :ten", F, nil}, {"n BETWEEN :five AND :five", T, nil},
		{"s BETWEEN :a AND :z", T, nil}, {"n BETWEEN :a AND :z", F, nil}, {"absent BETWEEN :one AND :ten", F, nil},
		{"n BETWEEN :ten AND :one", V, nil}, {"NOT n BETWEEN :six AND :ten", T, nil},
		{"n IN (:one, :five)", T, nil}, {"n IN (:one, :two_n)", F, nil}, {"s IN (:hello)", T, nil}, {"absent IN (:one)", F, nil},
		{"n IN (n2)", T, nil}, {"s IN (:a, :c, :hello, :other)", T, nil}, {"ss IN (:ssba)", T, nil},
		// functions
		{"attribute_exists(s)", T, nil}, {"attribute_exists(absent)", F, nil}, {"attribute_not_exists(absent)", T, nil},
		{"attribute_not_exists(s)", F, nil}, {"attribute_exists(m.x)", T, nil}, {"attribute_exists(m.q)", F, nil},
		{"attribute_exists(l[1])", T, nil}, {"attribute_exists(l[5])", F, nil}, {"attribute_exists(nul)", T, nil},
		{"attribute_exists(blank)", T, nil}, {"attribute_exists(m.y.z)", T, nil}, {"attribute_not_exists(PK)", F, nil},
		{"attribute_exists(#p)", T, names("#p", "PK")},
		{"attribute_type(s, :S)", T, nil}, {"attribute_type(n, :S)", F, nil}, {"attribute_type(n, :N)", T, nil},
		{"attribute_type(ss, :SS)", T, nil}, {"attribute_type(ns, :NS)", T, nil}, {"attribute_type(bs, :BS)", T, nil},
		{"attribute_type(m, :M)", T, nil}, {"attribute_type(l, :L)", T, nil}, {"attribute_type(nul, :NULL)", T, nil},
		{"attribute_type(t, :BOOL)", T, nil}, {"attribute_type(bin, :B)", T, nil}, {"attribute_type(absent, :S)", F, nil},
		{"attribute_type(s, :bogus)", V, nil}, {"attribute_type(s, :one)", V, nil},
		{"begins_with(s, :he)", T, nil}, {"begins_with(s, :H)", F, nil}, {"begins_with(s, :empty)", T, nil},
		{"begins_with(n, :he)", F, nil}, {"begins_with(absent, :he)", F, nil}, {"begins_with(bin, :bin)", T, nil},
		{"begins_with(s, :one)", V, nil}, {"begins_with(ss, :a)", F, nil},
		{"contains(s, :ell)", T, nil}, {"contains(s, :z)", F, nil}, {"contains(ss, :a)", T, nil}, {"contains(ss, :c)", F, nil},
		{"contains(ns, :one)", T, nil}, {"contains(ns, :three)", F, nil}, {"contains(l, :two)", T, nil}, {"contains(l, :one)", T, nil},
		{"contains(m, :one)", F, nil}, {"contains(bin, :bin)", T, nil}, {"contains(absent, :a)", F, nil}, {"contains(s, s2)", T, nil},
		{"contains(ss, :ssa)", F, nil}, {"contains(n, :five)", F, nil},
		{"size(s) = :five", T, nil}, {"size(uni) = :six", F, nil}, {"size(uni) = :seven", T, nil}, {"size(ss) = :two_n", T, nil},
		{"size(m) = :two_n", T, nil}, {"size(l) = :three", T, nil}, {"size(em) = :zero", T, nil}, {"size(el) = :zero", T, nil},
		{"size(bin) = :three", T, nil}, {"size(blank) = :zero", T, nil}, {"size(absent) = :zero", F, nil},
		{"size(absent) <> :zero", T, nil}, {"size(n) = :one", F, nil}, {"size(n) <> :one", T, nil}, {"size(t) > :zero", F, nil},
		{"size(m.y) = :one", T, nil}, {"size(s) > size(ss)", T, nil}, {"size(:hello) = :five", T, nil}, {"size(:ssba) = :two_n", T, nil}, {"size(:one) = :one", V, nil},
		// logic and precedence
		{"s = :hello AND n = :five", T, nil}, {"s = :hello AND n = :one", F, nil}, {"s = :other OR n = :five", T, nil},
		{"s = :other OR n = :one AND t = :true", F, nil}, {"s = :hello OR n = :one AND t = :false", T, nil},
		{"(s = :hello OR n = :one) AND t = :false", F, nil}, {"NOT s = :hello AND n = :five", F, nil},
		{"NOT (s = :hello AND n = :one)", T, nil}, {"NOT NOT s = :hello", T, nil}, {"((s = :hello))", V, nil}, {"(s = :hello)", T, nil}, {"(s = :hello) AND (n = :five)", T, nil}, {"((s = :hello) AND n = :five)", T, nil}, {"NOT ((s = :other))", V, nil}, {"(NOT (s = :other))", T, nil}, {"(((s = :hello)))", V, nil},
		{"s = :hello and n = :five", T, nil}, {"s = :other or not n = :one", T, nil},
		{"attribute_exists(s) AND NOT attribute_exists(absent) AND size(ss) < :three", T, nil},
		// rejected expressions
		{"status = :hello", V, nil}, {"Name = :hello", V, nil}, {"s = :undefined", V, nil}, {"#undefined = :hello", V, nil},
		{"s = :hello AND", V, nil}, {"s == :hello", V, nil}, {"s = :hello)", V, nil}, {"(s = :hello", V, nil},
		{"", V, nil}, {"s", V, nil}, {"attribute_exists(:hello)", V, nil}, {"ATTRIBUTE_EXISTS(s)", V, nil},
		{"unknown_fn(s)", V, nil}, {"if_not_exists(s, :hello) = :hello", V, nil}, {"s = :hello", V, names("#unused", "x")},
		{"begins_with(s)", V, nil}, {"s IN ()", V, nil}, {"n BETWEEN :one", V, nil}, {"s = :hello OR", V, nil},
		{"l[-1] = :one", V, nil}, {"s.#x = :hello", V, nil}, {"s = :hello !", V, nil},
	}
	for _, tc := range cases {
		name := tc.expr
		if tc.names != nil {
			name += " with names"
		}
		run(t, name, func(c *C) {
			c.put(condItem(c))
			in := &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("cond", "1"), ConditionExpression: aws.String(tc.expr),
				ExpressionAttributeNames: tc.names, ExpressionAttributeValues: usedValues(tc.expr)}
			err := c.rec("update")(c.DB.UpdateItem(c.ctx, in))
			got := T
			switch errCode(err) {
			case "":
			case "ConditionalCheckFailedException":
				got = F
			case "ValidationException":
				got = V
			default:
				got = err.Error()
			}
			if got != tc.want {
				c.Errorf("%q is %s, want %s (%v)", tc.expr, got, tc.want, err)
			}
		})
	}
	run(t, "unused value", func(c *C) {
		c.put(condItem(c))
		err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("cond", "1"),
			ConditionExpression: aws.String("s = :hello"), ExpressionAttributeValues: vals(":hello", S("hello"), ":spare", S("x"))}))
		c.wantCode("update", err, "ValidationException")
	})
	run(t, "invalid value", func(c *C) {
		c.put(condItem(c))
		err := c.rec("update")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("cond", "1"),
			ConditionExpression: aws.String("ss = :e"), ExpressionAttributeValues: vals(":e", SS())}))
		c.wantCode("update", err, "ValidationException")
	})
	run(t, "IN with 100 and 101 operands", func(c *C) {
		c.put(condItem(c))
		for _, n := range []int{100, 101} {
			var ops []string
			v := item{}
			for i := 0; i < n; i++ {
				k := ":v" + itoa(i)
				ops = append(ops, k)
				v[k] = N(itoa(i))
			}
			c.rec("in")(c.DB.UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &c.Table, Key: c.key("cond", "1"),
				ConditionExpression: aws.String("n IN (" + strings.Join(ops, ", ") + ")"), ExpressionAttributeValues: v}))
		}
	})
	run(t, "condition on a absent item", func(c *C) {
		for _, expr := range []string{"attribute_not_exists(PK)", "attribute_exists(PK)", "s <> :hello", "NOT s = :hello", "size(s) <> :one"} {
			c.rec(expr)(c.DB.DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &c.Table, Key: c.key("cond", "none"),
				ConditionExpression: aws.String(expr), ExpressionAttributeValues: usedValues(expr)}))
		}
	})
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}
