package memdb

import (
	"context"
	"hash/fnv"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxPage is how much data one Query or Scan page reads at most.
const maxPage = 1 << 20

// source is what a Query or Scan reads: a table or one of its indexes.
type source struct {
	t  *table
	ix *index
}

func (s source) hash() keyAttr {
	if s.ix != nil {
		return s.ix.hash
	}
	return s.t.hash
}

func (s source) rng() keyAttr {
	if s.ix != nil {
		return s.ix.rng
	}
	return s.t.rng
}

func (s source) parts() map[string]*partition {
	if s.ix != nil {
		return s.ix.parts
	}
	return s.t.parts
}

// keyAttrs are the attributes of LastEvaluatedKey / ExclusiveStartKey.
func (s source) keyAttrs() []string {
	if s.ix != nil {
		return s.ix.keyAttrs(s.t)
	}
	out := []string{s.t.hash.name}
	if s.t.rng.name != "" {
		out = append(out, s.t.rng.name)
	}
	return out
}

// cmp orders two items within one partition of the source.
func (s source) cmp(a, b Item) int {
	if s.ix != nil {
		return s.ix.cmp(s.t, a, b)
	}
	if s.t.rng.name != "" {
		return cmpKeys(a[s.t.rng.name], b[s.t.rng.name])
	}
	return 0
}

func (s source) entry(it Item) Item {
	if s.ix != nil {
		return s.ix.projected(s.t, it)
	}
	return it
}

func (s source) key(it Item) Item {
	out := Item{}
	for _, k := range s.keyAttrs() {
		out[k] = clone(it[k])
	}
	return out
}

// checkStartKey validates an ExclusiveStartKey against the source's keys.
func (s source) checkStartKey(esk Item) (Item, error) {
	if esk == nil {
		return nil, nil
	}
	attrs := s.keyAttrs()
	if len(esk) != len(attrs) {
		return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	out := Item{}
	for _, k := range attrs {
		v, ok := esk[k]
		if !ok {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
		c, err := validateValue(v, 0)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	for _, ka := range []keyAttr{s.t.hash, s.t.rng, s.hash(), s.rng()} {
		if ka.name != "" && typeOf(out[ka.name]) != ka.typ {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	return out, nil
}

// checkProjected rejects reads of an index that ask for attributes it does
// not project (only KEYS_ONLY and INCLUDE indexes leave any out).
func (s source) checkProjected(sel types.Select, ro readOpts) error {
	ix := s.ix
	if ix == nil || ix.projection.ProjectionType == types.ProjectionTypeAll || ix.projection.ProjectionType == "" {
		return nil
	}
	if sel == types.SelectAllAttributes {
		return invalidParam("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", ix.name)
	}
	have := map[string]bool{}
	for _, k := range ix.keyAttrs(s.t) {
		have[k] = true
	}
	for _, k := range ix.projection.NonKeyAttributes {
		have[k] = true
	}
	used := map[string]bool{}
	if ro.filter != nil {
		condPaths(ro.filter, used)
	}
	for _, p := range ro.paths {
		used[p[0].name] = true
	}
	for _, k := range sortedKeys(used) {
		if !have[k] {
			return invalidParam("Global secondary index %s does not project the attribute %s", ix.name, k)
		}
	}
	return nil
}

// keyCond is a query's key condition: the partition key value and an
// optional condition on the sort key.
type keyCond struct {
	hash types.AttributeValue
	op   string // "", "=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH"
	vals []types.AttributeValue
}

func (k keyCond) match(v types.AttributeValue) bool {
	switch k.op {
	case "":
		return true
	case "BEGINS_WITH":
		return evalFunc(cFunc{name: "begins_with", args: []operand{opValue{v}, opValue{k.vals[0]}}}, nil)
	case "BETWEEN":
		return cmpKeys(v, k.vals[0]) >= 0 && cmpKeys(v, k.vals[1]) <= 0
	}
	return eval(cCompare{op: k.op, a: opValue{v}, b: opValue{k.vals[0]}}, nil)
}

// keyCondition interprets a parsed KeyConditionExpression.
func (s source) keyCondition(c cond) (keyCond, error) {
	var parts []cond
	var flatten func(c cond) error
	flatten = func(c cond) error {
		switch x := c.(type) {
		case cAnd:
			if err := flatten(x.a); err != nil {
				return err
			}
			return flatten(x.b)
		case cOr:
			return exprError(kindKey, "Invalid operator used in KeyConditionExpression: OR")
		case cNot:
			return exprError(kindKey, "Invalid operator used in KeyConditionExpression: NOT")
		case cParen:
			return flatten(x.c)
		}
		parts = append(parts, c)
		return nil
	}
	if err := flatten(c); err != nil {
		return keyCond{}, err
	}
	if len(parts) > 2 {
		return keyCond{}, validation("Conditions can be of length 1 or 2 only")
	}
	var kc keyCond
	var rangeSeen bool
	for _, p := range parts {
		var name string
		var op string
		var vals []types.AttributeValue
		pathValue := func(a, b operand) bool {
			pa, ok1 := a.(opPath)
			vb, ok2 := b.(opValue)
			if !ok1 || !ok2 || len(pa.p) != 1 {
				return false
			}
			name = pa.p[0].name
			vals = append(vals, vb.v)
			return true
		}
		switch x := p.(type) {
		case cCompare:
			op = x.op
			if op == "<>" || !pathValue(x.a, x.b) {
				return keyCond{}, validation("Query key condition not supported")
			}
		case cBetween:
			op = "BETWEEN"
			pa, ok := x.x.(opPath)
			lo, ok1 := x.lo.(opValue)
			hi, ok2 := x.hi.(opValue)
			if !ok || !ok1 || !ok2 || len(pa.p) != 1 {
				return keyCond{}, validation("Query key condition not supported")
			}
			name, vals = pa.p[0].name, []types.AttributeValue{lo.v, hi.v}
		case cFunc:
			if x.name != "begins_with" || !pathValue(x.args[0], x.args[1]) {
				return keyCond{}, validation("Query key condition not supported")
			}
			op = "BEGINS_WITH"
		default:
			return keyCond{}, validation("Query key condition not supported")
		}
		switch name {
		case s.hash().name:
			if op != "=" || kc.hash != nil {
				return keyCond{}, validation("Query key condition not supported")
			}
			kc.hash = vals[0]
		case s.rng().name:
			if rangeSeen {
				return keyCond{}, validation("Query key condition not supported")
			}
			rangeSeen = true
			kc.op, kc.vals = op, vals
		default:
			return keyCond{}, validation("Query condition missed key schema element")
		}
	}
	return kc, s.checkKeyCond(kc)
}

func (s source) checkKeyCond(kc keyCond) error {
	if kc.hash == nil {
		return validation("Query condition missed key schema element: %s", s.hash().name)
	}
	if typeOf(kc.hash) != s.hash().typ {
		return invalidParam("Condition parameter type does not match schema type")
	}
	if keyLen(kc.hash) == 0 {
		return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", s.hash().name)
	}
	for _, v := range kc.vals {
		if typeOf(v) != s.rng().typ {
			return invalidParam("Condition parameter type does not match schema type")
		}
		if keyLen(v) == 0 {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", s.rng().name)
		}
	}
	if kc.op == "BEGINS_WITH" && s.rng().typ == typN {
		return invalidParam("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	}
	if kc.op == "BETWEEN" && cmpKeys(kc.vals[0], kc.vals[1]) > 0 {
		return validation("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound")
	}
	return nil
}

// legacyKeyConditions converts the KeyConditions parameter (which
// guregu/dynamo sends) to a key condition.
func (s source) legacyKeyConditions(conds map[string]types.Condition) (keyCond, error) {
	var kc keyCond
	if len(conds) > 2 {
		return kc, validation("Conditions can be of length 1 or 2 only")
	}
	ops := map[types.ComparisonOperator]struct {
		op string
		n  int
	}{
		types.ComparisonOperatorEq: {"=", 1}, types.ComparisonOperatorLt: {"<", 1}, types.ComparisonOperatorLe: {"<=", 1},
		types.ComparisonOperatorGt: {">", 1}, types.ComparisonOperatorGe: {">=", 1},
		types.ComparisonOperatorBeginsWith: {"BEGINS_WITH", 1}, types.ComparisonOperatorBetween: {"BETWEEN", 2},
	}
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		o, ok := ops[c.ComparisonOperator]
		if !ok {
			return kc, validation("Attempted conditional constraint is not an indexable operation")
		}
		if len(c.AttributeValueList) != o.n {
			return kc, validation("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", c.ComparisonOperator)
		}
		vals := make([]types.AttributeValue, len(c.AttributeValueList))
		for i, v := range c.AttributeValueList {
			cv, err := validateValue(v, 0)
			if err != nil {
				return kc, err
			}
			vals[i] = cv
		}
		switch name {
		case s.hash().name:
			if o.op != "=" {
				return kc, validation("Query key condition not supported")
			}
			kc.hash = vals[0]
		case s.rng().name:
			kc.op, kc.vals = o.op, vals
		default:
			return kc, validation("Query condition missed key schema element")
		}
	}
	return kc, s.checkKeyCond(kc)
}

// page reads one page from the records in order: it stops after limit
// items or once it has read 1 MB, whichever comes first.
type page struct {
	evaluated []Item
	size      int
	last      Item // set when the page stopped before the end
}

func (pg *page) add(s source, rec *record, limit int) (full bool) {
	e := s.entry(rec.item)
	pg.evaluated = append(pg.evaluated, e)
	pg.size += itemSize(e)
	if (limit > 0 && len(pg.evaluated) >= limit) || pg.size >= maxPage {
		pg.last = s.key(rec.item)
		return true
	}
	return false
}

type readOpts struct {
	filter  cond
	paths   []docPath
	count   bool
	limit   int
	startAt Item
}

func parseSelect(sel types.Select, paths []docPath, ix *index) (count bool, err error) {
	switch sel {
	case "", types.SelectAllAttributes:
		if sel != "" && paths != nil {
			return false, validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
		}
	case types.SelectAllProjectedAttributes:
		if ix == nil {
			return false, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	case types.SelectCount:
		if paths != nil {
			return false, validation("Cannot specify the ProjectionExpression when choosing to get only the COUNT")
		}
		return true, nil
	case types.SelectSpecificAttributes:
		if paths == nil {
			return false, validation("SPECIFIC_ATTRIBUTES requires either AttributesToGet or ProjectionExpression")
		}
	default:
		return false, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	return false, nil
}

func checkLimit(limit *int32) (int, error) {
	if limit == nil {
		return 0, nil
	}
	if *limit < 1 {
		return 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	return int(*limit), nil
}

type legacyParam struct {
	name    string
	present bool
}

// readRequest is what Query and Scan requests share.
type readRequest struct {
	table, index, filter, projection *string
	consistent                       *bool
	limit                            *int32
	sel                              types.Select
	names                            map[string]string
	values, start                    Item
	legacy                           []legacyParam
	// filterKeys forbids the filter to read the key attributes (Query).
	filterKeys bool
}

// prepareRead validates a Query or Scan request and parses its
// expressions; keys, for a Query, parses its key condition. Called with
// db.mu held.
func (db *DB) prepareRead(r readRequest, keys func(source, *env) error) (source, readOpts, error) {
	var s source
	var ro readOpts
	for _, l := range r.legacy {
		if err := legacy(l.name, l.present); err != nil {
			return s, ro, err
		}
	}
	limit, err := checkLimit(r.limit)
	if err != nil {
		return s, ro, err
	}
	ro.limit = limit
	t, err := db.table(r.table)
	if err != nil {
		return s, ro, err
	}
	ix, err := t.index(r.index)
	if err != nil {
		return s, ro, err
	}
	if ix != nil && aws.ToBool(r.consistent) {
		return s, ro, validation("Consistent reads are not supported on global secondary indexes")
	}
	s = source{t, ix}
	e, err := newEnv(r.names, r.values)
	if err != nil {
		return s, ro, err
	}
	if keys != nil {
		if err := keys(s, e); err != nil {
			return s, ro, err
		}
	}
	if r.filter != nil {
		if ro.filter, err = parseCondition(kindFilter, *r.filter, e); err != nil {
			return s, ro, err
		}
		used := map[string]bool{}
		condPaths(ro.filter, used)
		for _, k := range []string{s.hash().name, s.rng().name} {
			if r.filterKeys && k != "" && used[k] {
				return s, ro, validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", k)
			}
		}
	}
	if r.projection != nil {
		if ro.paths, err = parseProjection(*r.projection, e); err != nil {
			return s, ro, err
		}
	}
	if err := e.finish(); err != nil {
		return s, ro, err
	}
	if ro.count, err = parseSelect(r.sel, ro.paths, ix); err != nil {
		return s, ro, err
	}
	if err := s.checkProjected(r.sel, ro); err != nil {
		return s, ro, err
	}
	ro.startAt, err = s.checkStartKey(r.start)
	return s, ro, err
}

// Query reads the items of one partition key in sort-key order.
func (db *DB) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return call(ctx, db, "Query", in, db.query)
}

func (db *DB) query(_ context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	var kc keyCond
	s, ro, err := db.prepareRead(readRequest{
		table: in.TableName, index: in.IndexName, consistent: in.ConsistentRead, limit: in.Limit, sel: in.Select,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues, filter: in.FilterExpression,
		projection: in.ProjectionExpression, start: in.ExclusiveStartKey, filterKeys: true,
		legacy: []legacyParam{{"QueryFilter", len(in.QueryFilter) > 0}, {"AttributesToGet", len(in.AttributesToGet) > 0}, {"ConditionalOperator", in.ConditionalOperator != ""}},
	}, func(s source, e *env) error {
		var err error
		switch {
		case in.KeyConditionExpression != nil && in.KeyConditions != nil:
			return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}")
		case in.KeyConditionExpression != nil:
			c, err := parseCondition(kindKey, *in.KeyConditionExpression, e)
			if err != nil {
				return err
			}
			kc, err = s.keyCondition(c)
			return err
		case in.KeyConditions != nil:
			kc, err = s.legacyKeyConditions(in.KeyConditions)
			return err
		}
		return validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	})
	if err != nil {
		return nil, err
	}
	if ro.startAt != nil {
		if !equal(ro.startAt[s.hash().name], kc.hash) {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
		if s.rng().name != "" && !kc.match(ro.startAt[s.rng().name]) {
			return nil, validation("The provided starting key does not match the range key predicate")
		}
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	var pg page
	if p := s.parts()[encKey(kc.hash)]; p != nil {
		recs := p.recs
		n := len(recs)
		for j := 0; j < n; j++ {
			i := j
			if !forward {
				i = n - 1 - j
			}
			rec := recs[i]
			if ro.startAt != nil {
				c := s.cmp(rec.item, ro.startAt)
				if (forward && c <= 0) || (!forward && c >= 0) {
					continue
				}
			}
			if s.rng().name != "" && !kc.match(rec.item[s.rng().name]) {
				continue
			}
			if pg.add(s, rec, ro.limit) {
				break
			}
		}
	}
	out := &dynamodb.QueryOutput{}
	out.Items, out.Count, out.ScannedCount = ro.finish(&pg)
	out.LastEvaluatedKey = pg.last
	out.ConsumedCapacity = readCost(s, pg.size, aws.ToBool(in.ConsistentRead)).one(in.ReturnConsumedCapacity)
	return out, nil
}

// finish applies the filter and projection to a page.
func (ro readOpts) finish(pg *page) (items []Item, count, scanned int32) {
	items = []Item{}
	for _, it := range pg.evaluated {
		if ro.filter != nil && !eval(ro.filter, it) {
			continue
		}
		count++
		if !ro.count {
			items = append(items, project(it, ro.paths))
		}
	}
	if ro.count {
		items = nil
	}
	return items, count, int32(len(pg.evaluated))
}

func readCost(s source, size int, consistent bool) *usages {
	var u usages
	x := u.of(s.t.name, true)
	units := 0.0 // reading nothing costs nothing, as DynamoDB Local reports
	if size > 0 {
		units = readUnits(size, consistent)
	}
	if s.ix != nil {
		x.addIndex(s.ix.name, units)
	} else {
		x.units += units
	}
	return &u
}

// Scan reads a whole table or index, optionally one segment of it. The
// order (by partition key bytes, then sort key) differs from DynamoDB's
// hash order but is stable, so pagination works.
func (db *DB) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return call(ctx, db, "Scan", in, db.scan)
}

func (db *DB) scan(_ context.Context, in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
	segment, total := int(aws.ToInt32(in.Segment)), int(aws.ToInt32(in.TotalSegments))
	switch {
	case (in.Segment == nil) != (in.TotalSegments == nil):
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.TotalSegments != nil && (total < 1 || total > 1000000):
		return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and 1000000", total)
	case in.Segment != nil && (segment < 0 || segment >= total):
		return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", segment, total)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	s, ro, err := db.prepareRead(readRequest{
		table: in.TableName, index: in.IndexName, consistent: in.ConsistentRead, limit: in.Limit, sel: in.Select,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues, filter: in.FilterExpression,
		projection: in.ProjectionExpression, start: in.ExclusiveStartKey,
		legacy: []legacyParam{{"ScanFilter", len(in.ScanFilter) > 0}, {"AttributesToGet", len(in.AttributesToGet) > 0}, {"ConditionalOperator", in.ConditionalOperator != ""}},
	}, nil)
	if err != nil {
		return nil, err
	}
	parts := s.parts()
	hks := make([]string, 0, len(parts))
	for hk := range parts {
		if total > 1 && segmentOf(hk, total) != segment {
			continue
		}
		hks = append(hks, hk)
	}
	sort.Strings(hks)
	var pg page
	startHK := ""
	if ro.startAt != nil {
		startHK = encKey(ro.startAt[s.hash().name])
	}
scan:
	for _, hk := range hks {
		if ro.startAt != nil && hk < startHK {
			continue
		}
		for _, rec := range parts[hk].recs {
			if ro.startAt != nil && hk == startHK && s.cmp(rec.item, ro.startAt) <= 0 {
				continue
			}
			if pg.add(s, rec, ro.limit) {
				break scan
			}
		}
	}
	out := &dynamodb.ScanOutput{}
	out.Items, out.Count, out.ScannedCount = ro.finish(&pg)
	out.LastEvaluatedKey = pg.last
	out.ConsumedCapacity = readCost(s, pg.size, aws.ToBool(in.ConsistentRead)).one(in.ReturnConsumedCapacity)
	return out, nil
}

func segmentOf(hk string, total int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(hk)) // hash.Hash writes never fail
	return int(h.Sum32() % uint32(total))
}
