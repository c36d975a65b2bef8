package contract_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// seedQuery writes partition "q" (a00..a29, b01, b02) and partition "r":
// even items of "q" and every item of "r" are in GSI1 under "g", with
// GSI1SK values shared by several items. DynamoDB leaves the order of such
// ties unspecified (DynamoDB Local orders them by a hash of the table key,
// memdb by the table key), so cases on "g" record what does not depend on
// it. Partition "s" is in GSI1 under "h" with distinct GSI1SK values.
func seedQuery(c *C) {
	c.Helper()
	var writes []types.WriteRequest
	flush := func() {
		if len(writes) == 0 {
			return
		}
		_, err := c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{c.Table: writes}})
		c.ok("seed", err)
		writes = nil
	}
	add := func(it item) {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		if len(writes) == 25 {
			flush()
		}
	}
	for i := 0; i < 30; i++ {
		it := c.with("q", fmt.Sprintf("a%02d", i), item{"n": N(fmt.Sprint(i)), "odd": BOOL(i%2 == 1)})
		if i%2 == 0 {
			it["GSI1PK"] = S(c.pk("g"))
			it["GSI1SK"] = S(fmt.Sprintf("k%d", i/6))
		}
		add(it)
	}
	add(c.with("q", "b01", item{"n": N("100")}))
	add(c.with("q", "b02", item{"n": N("101"), "GSI1PK": S(c.pk("g"))})) // no GSI1SK: not in GSI1
	for i := 0; i < 4; i++ {
		add(c.with("r", fmt.Sprintf("x%d", i), item{"n": N(fmt.Sprint(200 + i)), "GSI1PK": S(c.pk("g")), "GSI1SK": S(fmt.Sprintf("k%d", i))}))
	}
	// Index partition "h" has no ties.
	for i := 0; i < 6; i++ {
		add(c.with("s", fmt.Sprintf("s%d", i), item{"n": N(fmt.Sprint(300 + i)), "GSI1PK": S(c.pk("h")), "GSI1SK": S(fmt.Sprintf("j%d", 5-i))}))
	}
	flush()
}

// page is what a case records of a Query or Scan page.
type pageView struct {
	Keys         []string
	Count        int32
	ScannedCount int32
	LEK          item
}

func keysOf(items []item) []string {
	var out []string
	for _, it := range items {
		k := ""
		for _, a := range []string{"PK", "SK", "GSI1SK"} {
			if v, ok := it[a].(*types.AttributeValueMemberS); ok {
				k += a + "=" + v.Value[strings.Index(v.Value, "#")+1:] + " "
			}
		}
		out = append(out, strings.TrimSpace(k))
	}
	return out
}

func (c *C) query(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	in.TableName = &c.Table
	return c.DB.Query(c.ctx, in)
}

// recQuery records a query page compactly (keys, counts, LastEvaluatedKey).
func (c *C) recQuery(label string, in *dynamodb.QueryInput) *dynamodb.QueryOutput {
	c.Helper()
	out, err := c.query(in)
	if err != nil {
		c.rec(label)(nil, err)
		return nil
	}
	c.note(label, pageView{keysOf(out.Items), out.Count, out.ScannedCount, out.LastEvaluatedKey})
	return out
}

// recPages records every page of a query until the end.
func (c *C) recPages(label string, in *dynamodb.QueryInput) {
	c.Helper()
	for i := 0; i < 50; i++ {
		out := c.recQuery(fmt.Sprintf("%s page %d", label, i), in)
		if out == nil || out.LastEvaluatedKey == nil {
			return
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	c.Fatal("pagination does not end")
}

// recIndexPages records the pages of an index query whose sort keys tie:
// per page the counts, the index sort keys in order and whether it has a
// LastEvaluatedKey (which must be the last item's key), then every item.
func (c *C) recIndexPages(label string, in *dynamodb.QueryInput) {
	c.Helper()
	var all []string
	for i := 0; i < 50; i++ {
		out, err := c.query(in)
		if err != nil {
			c.rec(label)(nil, err)
			return
		}
		var sks []string
		for _, it := range out.Items {
			sks = append(sks, it["GSI1SK"].(*types.AttributeValueMemberS).Value)
		}
		all = append(all, keysOf(out.Items)...)
		c.note(fmt.Sprintf("%s page %d", label, i), map[string]any{"count": out.Count, "scanned": out.ScannedCount, "sks": sks, "more": out.LastEvaluatedKey != nil})
		if out.LastEvaluatedKey == nil {
			break
		}
		if n := len(out.Items); n > 0 && out.Count == out.ScannedCount {
			last := out.Items[n-1]
			want := item{"PK": last["PK"], "SK": last["SK"], "GSI1PK": last["GSI1PK"], "GSI1SK": last["GSI1SK"]}
			c.wantSame("LastEvaluatedKey", out.LastEvaluatedKey, want)
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	sort.Strings(all)
	c.note(label+" items", all)
}

func pkq(c *C, extra ...any) item { return vals(append([]any{":p", S(c.pk("q"))}, extra...)...) }

func TestQueryKeyConditions(t *testing.T) {
	conds := []struct {
		expr string
		v    []any
	}{
		{"PK = :p", nil}, {"PK = :p AND SK = :s", []any{":s", S("a05")}}, {"PK = :p AND SK < :s", []any{":s", S("a05")}},
		{"PK = :p AND SK <= :s", []any{":s", S("a05")}}, {"PK = :p AND SK > :s", []any{":s", S("a25")}},
		{"PK = :p AND SK >= :s", []any{":s", S("a25")}}, {"PK = :p AND SK BETWEEN :a AND :b", []any{":a", S("a10"), ":b", S("a13")}},
		{"PK = :p AND begins_with(SK, :s)", []any{":s", S("b")}}, {"PK = :p AND begins_with(SK, :s)", []any{":s", S("a1")}},
		{"SK = :s AND PK = :p", []any{":s", S("a05")}}, {"(PK = :p) AND (SK > :s)", []any{":s", S("a27")}},
		{"#k = :p AND #r < :s", []any{":s", S("a02")}}, {"PK = :p AND SK BETWEEN :a AND :a", []any{":a", S("a10")}},
		{"PK = :p AND SK > :s", []any{":s", S("z")}}, {"PK = :p AND begins_with(SK, :s)", []any{":s", S("")}},
		// rejected
		{"SK = :s", []any{":s", S("a05")}}, {"PK < :p", nil}, {"PK = :p OR SK = :s", []any{":s", S("a05")}},
		{"PK = :p AND SK <> :s", []any{":s", S("a05")}}, {"PK = :p AND n = :s", []any{":s", N("1")}},
		{"PK = :p AND NOT SK = :s", []any{":s", S("a05")}}, {"begins_with(PK, :p)", nil},
		{"PK = :p AND SK BETWEEN :a AND :b", []any{":a", S("a13"), ":b", S("a10")}}, {"PK = :p AND SK = :s", []any{":s", N("1")}},
		{"PK = :p AND SK > :a AND SK < :b", []any{":a", S("a01"), ":b", S("a09")}}, {"PK = :p AND PK = :p", nil},
		{"PK = :p AND contains(SK, :s)", []any{":s", S("a")}}, {"PK = :p AND size(SK) = :s", []any{":s", N("3")}},
		{"PK = :p AND SK IN (:s)", []any{":s", S("a05")}}, {"PK = :p AND SK = PK", nil}, {"", nil}, {"PK = :p AND", nil},
	}
	for _, k := range conds {
		name := k.expr
		if len(k.v) > 1 {
			name += fmt.Sprint(" ", k.v[1])
		}
		for _, desc := range []bool{false, true} {
			run(t, name+fmt.Sprint(" descending=", desc), func(c *C) {
				seedQuery(c)
				in := &dynamodb.QueryInput{KeyConditionExpression: aws.String(k.expr), ExpressionAttributeValues: pkq(c, k.v...)}
				if strings.Contains(k.expr, "#") {
					in.ExpressionAttributeNames = names("#k", "PK", "#r", "SK")
				}
				if !strings.Contains(k.expr, ":p") {
					in.ExpressionAttributeValues = vals(k.v...)
				}
				if desc {
					in.ScanIndexForward = aws.Bool(false)
				}
				c.recQuery("query", in)
			})
		}
	}
	legacy := []struct {
		op   types.ComparisonOperator
		vals []types.AttributeValue
	}{
		{types.ComparisonOperatorEq, []types.AttributeValue{S("a05")}}, {types.ComparisonOperatorLt, []types.AttributeValue{S("a05")}},
		{types.ComparisonOperatorLe, []types.AttributeValue{S("a05")}}, {types.ComparisonOperatorGt, []types.AttributeValue{S("a25")}},
		{types.ComparisonOperatorGe, []types.AttributeValue{S("a25")}}, {types.ComparisonOperatorBetween, []types.AttributeValue{S("a10"), S("a13")}},
		{types.ComparisonOperatorBeginsWith, []types.AttributeValue{S("b")}}, {types.ComparisonOperatorNe, []types.AttributeValue{S("a05")}},
		{types.ComparisonOperatorBetween, []types.AttributeValue{S("a10")}}, {types.ComparisonOperatorContains, []types.AttributeValue{S("a")}},
	}
	for _, k := range legacy {
		run(t, "KeyConditions "+string(k.op)+fmt.Sprint(len(k.vals)), func(c *C) {
			seedQuery(c)
			in := &dynamodb.QueryInput{KeyConditions: map[string]types.Condition{
				"PK": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{S(c.pk("q"))}},
				"SK": {ComparisonOperator: k.op, AttributeValueList: k.vals},
			}}
			if k.op == types.ComparisonOperatorNe {
				// DynamoDB Local fails with an InternalFailure (HTTP 500).
				_, err := c.query(in)
				c.diverges("query", "NE key condition is an internal failure", view(nil, err), map[string]any{"error": "ValidationException"})
				return
			}
			c.recQuery("query", in)
		})
	}
	run(t, "KeyConditions with a filter expression", func(c *C) {
		seedQuery(c)
		c.recQuery("query", &dynamodb.QueryInput{KeyConditions: map[string]types.Condition{
			"PK": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{S(c.pk("q"))}}},
			FilterExpression: aws.String("#n < :v"), ExpressionAttributeNames: names("#n", "n"), ExpressionAttributeValues: vals(":v", N("3"))})
	})
	run(t, "both key condition forms", func(c *C) {
		err := c.rec("query")(c.query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c),
			KeyConditions: map[string]types.Condition{"PK": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{S("x")}}}}))
		c.wantCode("query", err, "ValidationException")
	})
	run(t, "no key condition", func(c *C) {
		c.wantCode("query", c.rec("query")(c.query(&dynamodb.QueryInput{})), "ValidationException")
	})
	run(t, "empty partition", func(c *C) {
		out := c.recQuery("query", &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("none")))})
		if out == nil || out.Count != 0 || out.LastEvaluatedKey != nil || out.Items == nil {
			c.Errorf("empty partition: %+v", out)
		}
	})
}

func TestQueryPagination(t *testing.T) {
	for _, limit := range []int32{1, 7, 10, 32, 33, 100} {
		for _, desc := range []bool{false, true} {
			run(t, fmt.Sprintf("table limit %d descending=%v", limit, desc), func(c *C) {
				seedQuery(c)
				in := &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Limit: aws.Int32(limit)}
				if desc {
					in.ScanIndexForward = aws.Bool(false)
				}
				c.recPages("pages", in)
			})
			run(t, fmt.Sprintf("index limit %d descending=%v", limit, desc), func(c *C) {
				seedQuery(c)
				in := &dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"),
					ExpressionAttributeValues: vals(":g", S(c.pk("g"))), Limit: aws.Int32(limit)}
				if desc {
					in.ScanIndexForward = aws.Bool(false)
				}
				c.recIndexPages("ties", in)
				in.ExpressionAttributeValues = vals(":g", S(c.pk("h")))
				in.ExclusiveStartKey = nil
				c.recPages("distinct", in)
			})
		}
	}
	run(t, "filter after limit", func(c *C) {
		seedQuery(c)
		c.recPages("odd", &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), FilterExpression: aws.String("odd = :t"),
			ExpressionAttributeValues: pkq(c, ":t", BOOL(true)), Limit: aws.Int32(5)})
		c.recPages("none", &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), FilterExpression: aws.String("n > :big"),
			ExpressionAttributeValues: pkq(c, ":big", N("1000")), Limit: aws.Int32(12)})
		c.recPages("index", &dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g AND begins_with(GSI1SK, :k)"),
			FilterExpression: aws.String("n >= :v"), ExpressionAttributeValues: vals(":g", S(c.pk("h")), ":k", S("j"), ":v", N("302")), Limit: aws.Int32(3)})
	})
	run(t, "count", func(c *C) {
		seedQuery(c)
		for _, in := range []*dynamodb.QueryInput{
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Select: types.SelectCount},
			{KeyConditionExpression: aws.String("PK = :p"), FilterExpression: aws.String("odd = :t"), ExpressionAttributeValues: pkq(c, ":t", BOOL(true)), Select: types.SelectCount},
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Select: types.SelectCount, Limit: aws.Int32(4)},
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Select: types.SelectCount, ProjectionExpression: aws.String("n")},
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Select: types.SelectSpecificAttributes},
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Select: types.SelectAllProjectedAttributes},
			{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S(c.pk("h"))), Select: types.SelectAllProjectedAttributes, Limit: aws.Int32(2)},
			{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), Limit: aws.Int32(0)},
		} {
			out, err := c.query(in)
			c.rec("select "+string(in.Select))(out, err)
		}
	})
	run(t, "projection and filters", func(c *C) {
		seedQuery(c)
		q := func(label, filter, proj string, v item, nm map[string]string) {
			in := &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p AND SK BETWEEN :a AND :b"), ExpressionAttributeNames: nm,
				ExpressionAttributeValues: pkq(c, ":a", S("a03"), ":b", S("a08"))}
			for k, x := range v {
				in.ExpressionAttributeValues[k] = x
			}
			if filter != "" {
				in.FilterExpression = aws.String(filter)
			}
			if proj != "" {
				in.ProjectionExpression = aws.String(proj)
			}
			out, err := c.query(in)
			c.rec(label)(out, err)
		}
		q("projection", "", "n, SK", nil, nil)
		q("filter", "n > :four AND odd = :f", "", vals(":four", N("4"), ":f", BOOL(false)), nil)
		q("filter on sort key", "SK > :a", "", nil, nil)
		q("filter on partition key", "PK = :p", "", nil, nil)
		q("filter on index key", "attribute_exists(GSI1PK)", "", nil, nil)
		q("filter with names", "#o = :f", "#o", vals(":f", BOOL(true)), names("#o", "odd"))
		q("unused name", "", "n", nil, names("#o", "odd"))
	})
	run(t, "index filters on keys", func(c *C) {
		seedQuery(c)
		for _, f := range []string{"GSI1SK = :k", "GSI1PK = :g", "SK > :k", "PK = :g"} {
			out, err := c.query(&dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"),
				FilterExpression: aws.String(f), ExpressionAttributeValues: vals(":g", S(c.pk("g")), ":k", S("k1"))})
			c.rec(f)(out, err)
		}
	})
	run(t, "index errors", func(c *C) {
		seedQuery(c)
		for _, tc := range []struct {
			label string
			in    *dynamodb.QueryInput
		}{
			{"consistent", &dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S("x")), ConsistentRead: aws.Bool(true)}},
			{"unknown", &dynamodb.QueryInput{IndexName: aws.String("GSI9"), KeyConditionExpression: aws.String("GSI1PK = :g"), ExpressionAttributeValues: vals(":g", S("x"))}},
			{"table key", &dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("PK = :g"), ExpressionAttributeValues: vals(":g", S("x"))}},
		} {
			c.wantCode(tc.label, c.rec(tc.label)(c.query(tc.in)), "ValidationException")
		}
	})
}

func TestExclusiveStartKey(t *testing.T) {
	cases := []struct {
		name  string
		index bool
		esk   func(c *C) item
		desc  bool
	}{
		{"next item", false, func(c *C) item { return c.key("q", "a05") }, false},
		{"between items", false, func(c *C) item { return c.key("q", "a05x") }, false},
		{"between items descending", false, func(c *C) item { return c.key("q", "a05x") }, true},
		{"before all", false, func(c *C) item { return c.key("q", "0") }, false},
		{"after all", false, func(c *C) item { return c.key("q", "zzz") }, false},
		{"missing sort key", false, func(c *C) item { return item{"PK": S(c.pk("q"))} }, false},
		{"extra attribute", false, func(c *C) item { return c.with("q", "a05", item{"n": N("5")}) }, false},
		{"other partition", false, func(c *C) item { return c.key("r", "x1") }, false},
		{"wrong type", false, func(c *C) item { return item{"PK": S(c.pk("q")), "SK": N("5")} }, false},
		{"index", true, func(c *C) item {
			return c.with("s", "s3", item{"GSI1PK": S(c.pk("h")), "GSI1SK": S("j2")})
		}, false},
		{"index descending", true, func(c *C) item {
			return c.with("s", "s3", item{"GSI1PK": S(c.pk("h")), "GSI1SK": S("j2")})
		}, true},
		{"index between items", true, func(c *C) item {
			return c.with("s", "s3", item{"GSI1PK": S(c.pk("h")), "GSI1SK": S("j2x")})
		}, false},
		{"index without table key", true, func(c *C) item { return item{"GSI1PK": S(c.pk("h")), "GSI1SK": S("j1")} }, false},
		{"index without index key", true, func(c *C) item { return c.key("q", "a06") }, false},
	}
	for _, tc := range cases {
		run(t, tc.name, func(c *C) {
			seedQuery(c)
			in := &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: pkq(c), ExclusiveStartKey: tc.esk(c), Limit: aws.Int32(4)}
			if tc.index {
				in = &dynamodb.QueryInput{IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :g"),
					ExpressionAttributeValues: vals(":g", S(c.pk("h"))), ExclusiveStartKey: tc.esk(c), Limit: aws.Int32(4)}
			}
			if tc.desc {
				in.ScanIndexForward = aws.Bool(false)
			}
			c.recQuery("query", in)
		})
	}
	run(t, "outside the range condition", func(c *C) {
		seedQuery(c)
		c.recQuery("query", &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p AND begins_with(SK, :b)"),
			ExpressionAttributeValues: pkq(c, ":b", S("b")), ExclusiveStartKey: c.key("q", "a05")})
	})
}

// A page stops after 1 MB of items read, before the filter.
func TestOneMegabytePages(t *testing.T) {
	run(t, "query and scan", func(c *C) {
		pad := S(strings.Repeat("x", 150*1024))
		for i := 0; i < 16; i++ {
			c.put(c.with("big", fmt.Sprintf("%02d", i), item{"pad": pad, "n": N(fmt.Sprint(i))}))
		}
		in := func() *dynamodb.QueryInput {
			return &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("big"))),
				ProjectionExpression: aws.String("SK")}
		}
		c.recPages("all", in())
		// AWS reads at most 1 MB per page before the filter; DynamoDB Local
		// counts only the items that pass it, so reads all 16 in one page.
		f := in()
		f.FilterExpression = aws.String("n < :z")
		f.ExpressionAttributeValues[":z"] = N("0")
		var pages []any
		for i := 0; i < 5; i++ {
			out, err := c.query(f)
			c.ok("filtered", err)
			pages = append(pages, pageView{keysOf(out.Items), out.Count, out.ScannedCount, out.LastEvaluatedKey})
			if out.LastEvaluatedKey == nil {
				break
			}
			f.ExclusiveStartKey = out.LastEvaluatedKey
		}
		c.diverges("filtered out", "the 1 MB page limit applies after the filter", pages, []any{
			pageView{nil, 0, 7, c.key("big", "06")}, pageView{nil, 0, 7, c.key("big", "13")}, pageView{nil, 0, 2, nil}})
		d := in()
		d.ScanIndexForward = aws.Bool(false)
		c.recPages("descending", d)
	})
}

// Sort keys of every type order as DynamoDB orders them.
func TestSortKeyTypes(t *testing.T) {
	numbers := []string{"-10", "2", "10", "1.5", "0", "100", "-0.5", "1e3", "9.99"}
	run(t, "number sort key", func(c *C) {
		ks, ad := keySchema("P", "S", "R", "N")
		table := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad})
		for _, n := range numbers {
			_, err := c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &table, Item: item{"P": S("p"), "R": N(n)}})
			c.ok("put", err)
		}
		for _, k := range []struct {
			expr string
			v    item
		}{
			{"P = :p", nil}, {"P = :p AND R < :v", vals(":v", N("2"))}, {"P = :p AND R BETWEEN :a AND :b", vals(":a", N("0"), ":b", N("10"))},
			{"P = :p AND R = :v", vals(":v", N("1.50"))}, {"P = :p AND R >= :v", vals(":v", N("1E1"))},
			{"P = :p AND begins_with(R, :v)", vals(":v", N("1"))}, {"P = :p AND R > :v", vals(":v", S("1"))},
		} {
			v := item{":p": S("p")}
			for key, x := range k.v {
				v[key] = x
			}
			c.rec(k.expr)(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String(k.expr), ExpressionAttributeValues: v}))
		}
		out, err := c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("P = :p"),
			ExpressionAttributeValues: vals(":p", S("p")), Limit: aws.Int32(3)})
		c.rec("limit")(out, err)
		c.rec("next")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("P = :p"),
			ExpressionAttributeValues: vals(":p", S("p")), Limit: aws.Int32(3), ExclusiveStartKey: out.LastEvaluatedKey}))
		c.rec("get 1.50")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &table, Key: item{"P": S("p"), "R": N("1.50")}}))
	})
	run(t, "binary sort key", func(c *C) {
		ks, ad := keySchema("P", "S", "R", "B")
		table := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad})
		for _, b := range []string{"\x00", "\xff", "a", "\x01\x02", "A", "\x80"} {
			_, err := c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &table, Item: item{"P": S("p"), "R": B(b)}})
			c.ok("put", err)
		}
		c.rec("all")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("P = :p"), ExpressionAttributeValues: vals(":p", S("p"))}))
		c.rec("prefix")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("P = :p AND begins_with(R, :b)"),
			ExpressionAttributeValues: vals(":p", S("p"), ":b", B("\x01"))}))
		c.rec("less")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("P = :p AND R < :b"),
			ExpressionAttributeValues: vals(":p", S("p"), ":b", B("a"))}))
	})
	run(t, "unicode string sort key", func(c *C) {
		for _, s := range []string{"é", "e", "z", "Z", "😀", "\uffff", "a\x00", "ä", "10", "9"} {
			c.put(c.key("u", s))
		}
		c.rec("order")(c.query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: vals(":p", S(c.pk("u")))}))
		c.rec("less than ä")(c.query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :p AND SK < :s"),
			ExpressionAttributeValues: vals(":p", S(c.pk("u")), ":s", S("ä"))}))
	})
	run(t, "partition key only", func(c *C) {
		ks, ad := keySchema("id", "N", "", "")
		table := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad})
		for _, n := range []string{"1", "2.0", "3"} {
			_, err := c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &table, Item: item{"id": N(n), "v": S(n)}})
			c.ok("put", err)
		}
		c.rec("get 2")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &table, Key: item{"id": N("2")}}))
		c.rec("query")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("id = :i"), ExpressionAttributeValues: vals(":i", N("3"))}))
		c.rec("query with sort condition")(c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("id = :i AND v = :i"), ExpressionAttributeValues: vals(":i", N("3"))}))
		c.rec("get with sort key")(c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &table, Key: item{"id": N("2"), "v": S("2")}}))
		out, err := c.DB.Scan(c.ctx, &dynamodb.ScanInput{TableName: &table})
		c.ok("scan", err)
		c.note("scan", sortedItems(out.Items))
	})
}

func sortedItems(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, render(it, nil))
	}
	sort.Strings(out)
	return out
}

// Scans read a table or index in an order of DynamoDB's choosing: the
// cases record what does not depend on it.
func TestScan(t *testing.T) {
	scanTable := func(c *C) string {
		ks, ad := keySchema("PK", "S", "SK", "S")
		ad = append(ad, types.AttributeDefinition{AttributeName: aws.String("G"), AttributeType: types.ScalarAttributeTypeS})
		gks, _ := keySchema("G", "S", "", "")
		table := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad,
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"), KeySchema: gks, Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}})
		var writes []types.WriteRequest
		for i := 0; i < 23; i++ {
			it := item{"PK": S(fmt.Sprintf("p%d", i%7)), "SK": S(fmt.Sprintf("s%02d", i)), "n": N(fmt.Sprint(i))}
			if i%3 == 0 {
				it["G"] = S(fmt.Sprintf("g%d", i%2))
			}
			writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		_, err := c.DB.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: writes}})
		c.ok("seed", err)
		return table
	}
	// all pages of a scan: their sizes, the sorted union, counts.
	scanAll := func(c *C, label string, in *dynamodb.ScanInput) []string {
		var all []string
		var sizes []int
		var scanned int32
		for i := 0; ; i++ {
			out, err := c.DB.Scan(c.ctx, in)
			if err != nil {
				c.rec(label)(nil, err)
				return nil
			}
			sizes = append(sizes, len(out.Items))
			scanned += out.ScannedCount
			all = append(all, sortedItems(out.Items)...)
			if out.LastEvaluatedKey == nil || i > 30 {
				break
			}
			if len(out.LastEvaluatedKey) != len(in.ExclusiveStartKey) && in.ExclusiveStartKey != nil {
				c.Errorf("LastEvaluatedKey changed shape: %v", out.LastEvaluatedKey)
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
		sort.Strings(all)
		if in.FilterExpression != nil {
			// Which page holds the matches depends on the scan order.
			c.note(label, map[string]any{"pages": len(sizes), "scanned": scanned, "items": all})
		} else {
			c.note(label, map[string]any{"pages": sizes, "scanned": scanned, "items": all})
		}
		return all
	}
	run(t, "whole table", func(c *C) {
		table := scanTable(c)
		scanAll(c, "all", &dynamodb.ScanInput{TableName: &table})
		scanAll(c, "limit 4", &dynamodb.ScanInput{TableName: &table, Limit: aws.Int32(4)})
		scanAll(c, "limit 23", &dynamodb.ScanInput{TableName: &table, Limit: aws.Int32(23)})
		scanAll(c, "filter", &dynamodb.ScanInput{TableName: &table, FilterExpression: aws.String("n > :v AND begins_with(PK, :p)"),
			ExpressionAttributeValues: vals(":v", N("10"), ":p", S("p1")), Limit: aws.Int32(5)})
		scanAll(c, "projection", &dynamodb.ScanInput{TableName: &table, ProjectionExpression: aws.String("SK")})
		c.rec("count")(c.DB.Scan(c.ctx, &dynamodb.ScanInput{TableName: &table, Select: types.SelectCount, FilterExpression: aws.String("n < :v"), ExpressionAttributeValues: vals(":v", N("5"))}))
	})
	run(t, "segments", func(c *C) {
		table := scanTable(c)
		for _, total := range []int32{1, 2, 3} {
			var union []string
			for s := int32(0); s < total; s++ {
				var all []string
				in := &dynamodb.ScanInput{TableName: &table, Segment: aws.Int32(s), TotalSegments: aws.Int32(total), Limit: aws.Int32(5)}
				for i := 0; i < 20; i++ {
					out, err := c.DB.Scan(c.ctx, in)
					c.ok("scan", err)
					all = append(all, sortedItems(out.Items)...)
					if out.LastEvaluatedKey == nil {
						break
					}
					in.ExclusiveStartKey = out.LastEvaluatedKey
				}
				union = append(union, all...)
			}
			sort.Strings(union)
			c.note(fmt.Sprint("union of ", total), union)
			for i := 1; i < len(union); i++ {
				if union[i] == union[i-1] {
					c.Errorf("segments overlap on %s", union[i])
				}
			}
		}
		for _, bad := range []*dynamodb.ScanInput{
			{TableName: &table, Segment: aws.Int32(2), TotalSegments: aws.Int32(2)},
			{TableName: &table, Segment: aws.Int32(0)},
			{TableName: &table, TotalSegments: aws.Int32(2)},
			{TableName: &table, Segment: aws.Int32(0), TotalSegments: aws.Int32(0)},
			{TableName: &table, Limit: aws.Int32(0)},
		} {
			c.wantCode("bad scan", c.rec("bad scan")(c.DB.Scan(c.ctx, bad)), "ValidationException")
		}
	})
	run(t, "index", func(c *C) {
		table := scanTable(c)
		scanAll(c, "index", &dynamodb.ScanInput{TableName: &table, IndexName: aws.String("byG")})
		scanAll(c, "index pages", &dynamodb.ScanInput{TableName: &table, IndexName: aws.String("byG"), Limit: aws.Int32(2)})
		c.rec("index consistent")(c.DB.Scan(c.ctx, &dynamodb.ScanInput{TableName: &table, IndexName: aws.String("byG"), ConsistentRead: aws.Bool(true)}))
		out, err := c.DB.Query(c.ctx, &dynamodb.QueryInput{TableName: &table, IndexName: aws.String("byG"),
			KeyConditionExpression: aws.String("G = :g"), ExpressionAttributeValues: vals(":g", S("g0"))})
		c.ok("keys only", err)
		c.note("keys only query", sortedItems(out.Items)) // ties on G: order unspecified
		for _, in := range []*dynamodb.QueryInput{
			{ProjectionExpression: aws.String("n")},
			{ProjectionExpression: aws.String("SK, G")},
			{FilterExpression: aws.String("n > :z"), ExpressionAttributeValues: vals(":g", S("g0"), ":z", N("0"))},
			{FilterExpression: aws.String("SK > :z"), ExpressionAttributeValues: vals(":g", S("g0"), ":z", S("s"))},
			{Select: types.SelectAllAttributes},
			{Select: types.SelectAllProjectedAttributes},
			{Select: types.SelectCount},
		} {
			in.TableName, in.IndexName = &table, aws.String("byG")
			in.KeyConditionExpression = aws.String("G = :g")
			if in.ExpressionAttributeValues == nil {
				in.ExpressionAttributeValues = vals(":g", S("g0"))
			}
			out, err := c.DB.Query(c.ctx, in)
			if err != nil {
				c.rec("keys only")(nil, err)
				continue
			}
			c.note("keys only", map[string]any{"count": out.Count, "items": sortedItems(out.Items)})
		}
	})
}
