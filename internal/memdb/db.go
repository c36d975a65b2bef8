package memdb

import (
	"context"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/metering"
)

// Options configure a DB. The zero value is a faithful, deterministic
// single-region DynamoDB that meters calls like the SDK clients of
// internal/awsclient.
type Options struct {
	// Conflicts makes concurrent transactions collide as on AWS (DynamoDB
	// Local never does): a TransactWriteItems or TransactGetItems that
	// touches an item of another write transaction still in flight is
	// cancelled with the reason TransactionConflict, and a PutItem,
	// UpdateItem, DeleteItem or BatchWriteItem on such an item fails with
	// TransactionConflictException.
	Conflicts bool
	// Hold keeps every write transaction in flight this long between checking
	// its conditions and committing (only with Conflicts), to widen the
	// window in which others collide with it.
	Hold time.Duration
	// Streams records the changes of tables created with a stream; read
	// them with Stream.
	Streams bool
	// Retryer, when set, retries failed calls as the SDK's retry middleware
	// does with the same retryer (awsclient.NewRetryer retries transaction
	// conflicts). Without it every call is tried once.
	Retryer aws.Retryer
	// NoMetering stops reporting calls and consumed capacity to the
	// metering.Meter of the call's context (see metering.Observe).
	NoMetering bool
	// Now is the clock for idempotency tokens, stream records and SweepTTL
	// (time.Now when nil).
	Now func() time.Time
}

// DB is an in-memory DynamoDB. It implements dynamodbiface.DynamoDBAPI and
// is safe for concurrent use. Items are copied on the way in and out.
type DB struct {
	opts   Options
	mu     sync.Mutex
	tables map[string]*table
	// claims are the items of write transactions in flight (Conflicts).
	claims map[string]*inflight
	tokens map[string]*tokenEntry
	seq    int64
}

var _ dynamodbiface.DynamoDBAPI = (*DB)(nil)

// New returns an empty DB.
func New(opts Options) *DB {
	return &DB{opts: opts, tables: map[string]*table{}, claims: map[string]*inflight{}, tokens: map[string]*tokenEntry{}}
}

func (db *DB) now() time.Time {
	if db.opts.Now != nil {
		return db.opts.Now()
	}
	return time.Now()
}

// call runs one API operation: metering as the SDK middleware does, the
// retryer if any, and the SDK's error wrapping.
func call[In, Out any](ctx context.Context, db *DB, op string, in *In, f func(context.Context, *In) (*Out, error)) (*Out, error) {
	if in == nil {
		return nil, opError(op, validation("The request is missing its input"))
	}
	if err := checkParams(in); err != nil {
		return nil, opError(op, err)
	}
	done := func(any) {}
	if !db.opts.NoMetering {
		done = metering.Observe(ctx, "DynamoDB", op, in)
	}
	var out *Out
	var err error
	var release func(error) error
	for attempt := 1; ; attempt++ {
		if err = ctx.Err(); err != nil {
			break
		}
		out, err = f(ctx, in)
		r := db.opts.Retryer
		if err == nil || r == nil || attempt >= r.MaxAttempts() || !r.IsErrorRetryable(err) {
			break
		}
		if release, err = r.GetRetryToken(ctx, err); err != nil {
			break
		}
		delay, derr := r.RetryDelay(attempt, err)
		if derr != nil {
			break
		}
		if sleep(ctx, delay) != nil {
			err = ctx.Err()
			break
		}
	}
	if release != nil {
		_ = release(err)
	}
	if err != nil {
		done(nil)
		return nil, opError(op, err)
	}
	done(out)
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ---- tables ----

type keyAttr struct{ name, typ string }

type table struct {
	name      string
	hash, rng keyAttr // rng.name is "" for a table without a sort key
	indexes   []*index
	attrDefs  []types.AttributeDefinition
	billing   types.BillingMode
	created   time.Time
	ttlAttr   string
	ttlOn     bool
	stream    *types.StreamSpecification
	label     string
	parts     map[string]*partition
	count     int
	bytes     int64
	records   []events.DynamoDBEventRecord
}

// partition holds the items of one partition key, ordered by sort key.
type partition struct {
	hash types.AttributeValue
	recs []*record
}

// record is a stored item; records are never modified, only replaced.
type record struct {
	item Item
	size int
}

type index struct {
	name       string
	hash, rng  keyAttr
	projection types.Projection
	parts      map[string]*partition // ordered by index sort key, then the table key
}

var tableNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func (db *DB) table(name *string) (*table, error) {
	if name == nil || *name == "" {
		return nil, validation("The parameter 'TableName' is required but was not present in the request")
	}
	t, ok := db.tables[*name]
	if !ok {
		return nil, notFound()
	}
	return t, nil
}

func (t *table) arn() string { return "arn:aws:dynamodb:local:000000000000:table/" + t.name }

func (t *table) index(name *string) (*index, error) {
	if name == nil {
		return nil, nil
	}
	for _, ix := range t.indexes {
		if ix.name == *name {
			return ix, nil
		}
	}
	return nil, validation("The table does not have the specified index: %s", *name)
}

// encKey encodes a key value for map lookups.
func encKey(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return "S" + x.Value
	case *types.AttributeValueMemberN:
		return "N" + mustNumber(x.Value).String()
	case *types.AttributeValueMemberB:
		return "B" + string(x.Value)
	}
	return "?"
}

// itemKey is the unique identity of an item across the DB's tables.
func (t *table) itemKey(it Item) string {
	k := t.name + "\x00" + encKey(it[t.hash.name])
	if t.rng.name != "" {
		k += "\x00" + encKey(it[t.rng.name])
	}
	return k
}

func (t *table) keyOf(it Item) Item {
	k := Item{t.hash.name: clone(it[t.hash.name])}
	if t.rng.name != "" {
		k[t.rng.name] = clone(it[t.rng.name])
	}
	return k
}

// checkKey validates a request's Key: exactly the table's key attributes,
// of their types, not empty.
func (t *table) checkKey(key Item) (Item, error) {
	want := 1
	if t.rng.name != "" {
		want = 2
	}
	if len(key) != want {
		return nil, validation("The provided key element does not match the schema")
	}
	out := Item{}
	for _, ka := range []keyAttr{t.hash, t.rng} {
		if ka.name == "" {
			continue
		}
		v, ok := key[ka.name]
		if !ok || typeOf(v) != ka.typ {
			return nil, validation("The provided key element does not match the schema")
		}
		c, err := validateValue(v, 0)
		if err != nil {
			return nil, err
		}
		if err := checkKeyValue(ka, c); err != nil {
			return nil, err
		}
		out[ka.name] = c
	}
	return out, nil
}

func checkKeyValue(ka keyAttr, v types.AttributeValue) error {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		if x.Value == "" {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", ka.name)
		}
	case *types.AttributeValueMemberB:
		if len(x.Value) == 0 {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", ka.name)
		}
	}
	return nil
}

// checkItem validates a whole item about to be stored (already validated
// value by value): its key, its index keys and its size.
func (t *table) checkItem(it Item, update bool) error {
	for i, ka := range []keyAttr{t.hash, t.rng} {
		if ka.name == "" {
			continue
		}
		v, ok := it[ka.name]
		if !ok {
			return invalidParam("Missing the key %s in the item", ka.name)
		}
		if typeOf(v) != ka.typ {
			return invalidParam("Type mismatch for key %s expected: %s actual: %s", ka.name, ka.typ, typeOf(v))
		}
		if err := checkKeyValue(ka, v); err != nil {
			return err
		}
		limit := 2048
		if i == 1 {
			limit = 1024
		}
		if keyLen(v) > limit {
			which := "hashkey"
			if i == 1 {
				which = "rangekey"
			}
			return invalidParam("Size of %s has exceeded the maximum size limit of%d bytes", which, limit)
		}
	}
	for _, ix := range t.indexes {
		for _, ka := range []keyAttr{ix.hash, ix.rng} {
			if ka.name == "" {
				continue
			}
			v, ok := it[ka.name]
			if !ok {
				continue
			}
			if typeOf(v) != ka.typ {
				return invalidParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ka.name, ka.typ, typeOf(v), ix.name)
			}
			if keyLen(v) == 0 {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, ka.name)
			}
		}
	}
	if itemSize(it) > maxItemSize {
		if update {
			return runtimeValidation("Item size to update has exceeded the maximum allowed size")
		}
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

func keyLen(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return len(x.Value)
	}
	return 0
}

// cmpKeys orders two key values of one key attribute.
func cmpKeys(a, b types.AttributeValue) int {
	c, _ := compare(a, b)
	return c
}

// get returns the stored record with the key, or nil.
func (t *table) get(key Item) *record {
	p := t.parts[encKey(key[t.hash.name])]
	if p == nil {
		return nil
	}
	i, found := t.search(p, key)
	if !found {
		return nil
	}
	return p.recs[i]
}

func (t *table) search(p *partition, key Item) (int, bool) {
	if t.rng.name == "" {
		return 0, len(p.recs) > 0
	}
	rv := key[t.rng.name]
	i := sort.Search(len(p.recs), func(i int) bool { return cmpKeys(p.recs[i].item[t.rng.name], rv) >= 0 })
	return i, i < len(p.recs) && cmpKeys(p.recs[i].item[t.rng.name], rv) == 0
}

// write stores it (replacing the item with its key) or, with it nil,
// deletes the item with key. It returns the previous record, if any.
func (t *table) write(key Item, it Item) *record {
	hk := encKey(key[t.hash.name])
	p := t.parts[hk]
	var old *record
	var i int
	if p != nil {
		var found bool
		if i, found = t.search(p, key); found {
			old = p.recs[i]
		}
	}
	var rec *record
	if it != nil {
		rec = &record{item: it, size: itemSize(it)}
	}
	switch {
	case old != nil && rec != nil:
		p.recs[i] = rec
	case old != nil:
		p.recs = append(p.recs[:i], p.recs[i+1:]...)
		if len(p.recs) == 0 {
			delete(t.parts, hk)
		}
	case rec != nil:
		if p == nil {
			p = &partition{hash: clone(key[t.hash.name])}
			t.parts[hk] = p
		}
		p.recs = append(p.recs, nil)
		copy(p.recs[i+1:], p.recs[i:])
		p.recs[i] = rec
	}
	if old != nil {
		t.count--
		t.bytes -= int64(old.size)
	}
	if rec != nil {
		t.count++
		t.bytes += int64(rec.size)
	}
	for _, ix := range t.indexes {
		if old != nil && ix.has(old.item) {
			ix.remove(t, old)
		}
		if rec != nil && ix.has(rec.item) {
			ix.insert(t, rec)
		}
	}
	return old
}

// has reports whether an item appears in the (sparse) index.
func (ix *index) has(it Item) bool {
	if _, ok := it[ix.hash.name]; !ok {
		return false
	}
	if ix.rng.name != "" {
		if _, ok := it[ix.rng.name]; !ok {
			return false
		}
	}
	return true
}

// cmpIndexed orders two records of one index partition.
func (ix *index) cmp(t *table, a, b Item) int {
	if ix.rng.name != "" {
		if c := cmpKeys(a[ix.rng.name], b[ix.rng.name]); c != 0 {
			return c
		}
	}
	return t.cmpTableKey(a, b)
}

func (t *table) cmpTableKey(a, b Item) int {
	if c := cmpString(encKey(a[t.hash.name]), encKey(b[t.hash.name])); c != 0 {
		return c
	}
	if t.rng.name != "" {
		return cmpKeys(a[t.rng.name], b[t.rng.name])
	}
	return 0
}

func (ix *index) insert(t *table, rec *record) {
	hk := encKey(rec.item[ix.hash.name])
	p := ix.parts[hk]
	if p == nil {
		p = &partition{hash: clone(rec.item[ix.hash.name])}
		ix.parts[hk] = p
	}
	i := sort.Search(len(p.recs), func(i int) bool { return ix.cmp(t, p.recs[i].item, rec.item) >= 0 })
	p.recs = append(p.recs, nil)
	copy(p.recs[i+1:], p.recs[i:])
	p.recs[i] = rec
}

func (ix *index) remove(t *table, rec *record) {
	hk := encKey(rec.item[ix.hash.name])
	p := ix.parts[hk]
	if p == nil {
		return
	}
	for i, r := range p.recs {
		if r == rec {
			p.recs = append(p.recs[:i], p.recs[i+1:]...)
			break
		}
	}
	if len(p.recs) == 0 {
		delete(ix.parts, hk)
	}
}

// keyAttrs are the attributes of an index entry's key: the index's and the
// table's (what LastEvaluatedKey holds on an index).
func (ix *index) keyAttrs(t *table) []string {
	out := []string{t.hash.name}
	if t.rng.name != "" {
		out = append(out, t.rng.name)
	}
	out = append(out, ix.hash.name)
	if ix.rng.name != "" {
		out = append(out, ix.rng.name)
	}
	return out
}

// projected is the item as the index stores it.
func (ix *index) projected(t *table, it Item) Item {
	if ix.projection.ProjectionType == types.ProjectionTypeAll || ix.projection.ProjectionType == "" {
		return it
	}
	out := Item{}
	for _, k := range ix.keyAttrs(t) {
		if v, ok := it[k]; ok {
			out[k] = v
		}
	}
	if ix.projection.ProjectionType == types.ProjectionTypeInclude {
		for _, k := range ix.projection.NonKeyAttributes {
			if v, ok := it[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

// ---- table operations ----

// CreateTable creates a table (always ACTIVE at once).
func (db *DB) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return call(ctx, db, "CreateTable", in, db.createTable)
}

func (db *DB) createTable(_ context.Context, in *dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
	name := aws.ToString(in.TableName)
	if !tableNameRE.MatchString(name) {
		return nil, validation("TableName must be at least 3 characters long and at most 255 characters long, and contain only a-z, A-Z, 0-9, '_', '-' and '.'")
	}
	if len(in.LocalSecondaryIndexes) > 0 {
		return nil, validation("memdb does not emulate local secondary indexes")
	}
	defs := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		switch d.AttributeType {
		case types.ScalarAttributeTypeS, types.ScalarAttributeTypeN, types.ScalarAttributeTypeB:
		default:
			return nil, invalidParam("Invalid AttributeType %q for %s", d.AttributeType, aws.ToString(d.AttributeName))
		}
		defs[aws.ToString(d.AttributeName)] = string(d.AttributeType)
	}
	used := map[string]bool{}
	keys := func(ks []types.KeySchemaElement) (hash, rng keyAttr, err error) {
		for _, k := range ks {
			n := aws.ToString(k.AttributeName)
			typ, ok := defs[n]
			if !ok {
				return hash, rng, invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s]", n)
			}
			used[n] = true
			switch {
			case k.KeyType == types.KeyTypeHash && hash.name == "":
				hash = keyAttr{n, typ}
			case k.KeyType == types.KeyTypeRange && rng.name == "" && hash.name != "":
				rng = keyAttr{n, typ}
			default:
				return hash, rng, invalidParam("Invalid KeySchema: the first KeySchemaElement must be the HASH key and the second, if any, the RANGE key")
			}
		}
		if hash.name == "" {
			return hash, rng, invalidParam("Invalid KeySchema: no HASH key")
		}
		return hash, rng, nil
	}
	hash, rng, err := keys(in.KeySchema)
	if err != nil {
		return nil, err
	}
	billing := in.BillingMode
	if billing == "" {
		billing = types.BillingModeProvisioned
	}
	if billing == types.BillingModeProvisioned && in.ProvisionedThroughput == nil {
		return nil, invalidParam("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	t := &table{name: name, hash: hash, rng: rng, attrDefs: in.AttributeDefinitions, billing: billing, created: db.now(),
		parts: map[string]*partition{}}
	for _, g := range in.GlobalSecondaryIndexes {
		gh, gr, err := keys(g.KeySchema)
		if err != nil {
			return nil, err
		}
		ix := &index{name: aws.ToString(g.IndexName), hash: gh, rng: gr, parts: map[string]*partition{}}
		if g.Projection != nil {
			ix.projection = *g.Projection
		}
		for _, other := range t.indexes {
			if other.name == ix.name {
				return nil, invalidParam("Duplicate index name: %s", ix.name)
			}
		}
		t.indexes = append(t.indexes, ix)
	}
	if len(used) != len(defs) {
		return nil, invalidParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if s := in.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		t.stream = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: s.StreamViewType}
		t.label = t.created.UTC().Format("2006-01-02T15:04:05.000")
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.tables[name]; ok {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + name)}
	}
	db.tables[name] = t
	return &dynamodb.CreateTableOutput{TableDescription: t.describe(types.TableStatusActive)}, nil
}

func (t *table) describe(status types.TableStatus) *types.TableDescription {
	ks := func(h, r keyAttr) []types.KeySchemaElement {
		out := []types.KeySchemaElement{{AttributeName: aws.String(h.name), KeyType: types.KeyTypeHash}}
		if r.name != "" {
			out = append(out, types.KeySchemaElement{AttributeName: aws.String(r.name), KeyType: types.KeyTypeRange})
		}
		return out
	}
	zero := &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(0), NumberOfDecreasesToday: aws.Int64(0)}
	d := &types.TableDescription{
		TableName:             aws.String(t.name),
		TableArn:              aws.String(t.arn()),
		TableStatus:           status,
		CreationDateTime:      aws.Time(t.created),
		KeySchema:             ks(t.hash, t.rng),
		AttributeDefinitions:  append([]types.AttributeDefinition(nil), t.attrDefs...),
		ItemCount:             aws.Int64(int64(t.count)),
		TableSizeBytes:        aws.Int64(t.bytes),
		ProvisionedThroughput: zero,
	}
	if t.billing == types.BillingModePayPerRequest {
		d.BillingModeSummary = &types.BillingModeSummary{BillingMode: t.billing, LastUpdateToPayPerRequestDateTime: aws.Time(t.created)}
	}
	for _, ix := range t.indexes {
		n, size := 0, int64(0)
		for _, p := range ix.parts {
			for _, r := range p.recs {
				n++
				size += int64(itemSize(ix.projected(t, r.item)))
			}
		}
		proj := ix.projection
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, types.GlobalSecondaryIndexDescription{
			IndexName:             aws.String(ix.name),
			IndexArn:              aws.String(t.arn() + "/index/" + ix.name),
			IndexStatus:           types.IndexStatusActive,
			KeySchema:             ks(ix.hash, ix.rng),
			Projection:            &proj,
			ItemCount:             aws.Int64(int64(n)),
			IndexSizeBytes:        aws.Int64(size),
			ProvisionedThroughput: zero,
		})
	}
	if t.stream != nil {
		d.StreamSpecification = t.stream
		d.LatestStreamLabel = aws.String(t.label)
		d.LatestStreamArn = aws.String(t.arn() + "/stream/" + t.label)
	}
	return d
}

// DescribeTable describes a table.
func (db *DB) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return call(ctx, db, "DescribeTable", in, func(_ context.Context, in *dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, tableNotFound(aws.ToString(in.TableName))
		}
		return &dynamodb.DescribeTableOutput{Table: t.describe(types.TableStatusActive)}, nil
	})
}

// DeleteTable deletes a table and its items.
func (db *DB) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return call(ctx, db, "DeleteTable", in, func(_ context.Context, in *dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, err
		}
		delete(db.tables, t.name)
		return &dynamodb.DeleteTableOutput{TableDescription: t.describe(types.TableStatusDeleting)}, nil
	})
}

// ListTables lists table names in order, up to Limit (at most 100) at a time.
func (db *DB) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return call(ctx, db, "ListTables", in, func(_ context.Context, in *dynamodb.ListTablesInput) (*dynamodb.ListTablesOutput, error) {
		limit := int(aws.ToInt32(in.Limit))
		if in.Limit != nil && (limit < 1 || limit > 100) {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", limit)
		}
		if limit == 0 {
			limit = 100
		}
		db.mu.Lock()
		names := sortedKeys(db.tables)
		db.mu.Unlock()
		out := &dynamodb.ListTablesOutput{TableNames: []string{}}
		for _, n := range names {
			if in.ExclusiveStartTableName != nil && n <= *in.ExclusiveStartTableName {
				continue
			}
			if len(out.TableNames) == limit {
				out.LastEvaluatedTableName = aws.String(out.TableNames[limit-1])
				break
			}
			out.TableNames = append(out.TableNames, n)
		}
		return out, nil
	})
}

// ListGlobalTables lists no global tables: memdb has one region.
func (db *DB) ListGlobalTables(ctx context.Context, in *dynamodb.ListGlobalTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListGlobalTablesOutput, error) {
	return call(ctx, db, "ListGlobalTables", in, func(context.Context, *dynamodb.ListGlobalTablesInput) (*dynamodb.ListGlobalTablesOutput, error) {
		return &dynamodb.ListGlobalTablesOutput{GlobalTables: []types.GlobalTable{}}, nil
	})
}

// UpdateTable changes a table's billing mode or stream; index and
// throughput changes are not emulated.
func (db *DB) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return call(ctx, db, "UpdateTable", in, func(_ context.Context, in *dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, err
		}
		if len(in.GlobalSecondaryIndexUpdates) > 0 || len(in.ReplicaUpdates) > 0 || in.SSESpecification != nil {
			return nil, validation("memdb emulates UpdateTable for BillingMode and StreamSpecification only")
		}
		if in.BillingMode != "" {
			t.billing = in.BillingMode
		}
		if s := in.StreamSpecification; s != nil {
			if aws.ToBool(s.StreamEnabled) {
				t.stream = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: s.StreamViewType}
				t.label = db.now().UTC().Format("2006-01-02T15:04:05.000")
			} else {
				t.stream = nil
			}
		}
		return &dynamodb.UpdateTableOutput{TableDescription: t.describe(types.TableStatusActive)}, nil
	})
}

// UpdateTimeToLive enables or disables TTL on an attribute. memdb never
// deletes expired items on its own; see SweepTTL.
func (db *DB) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return call(ctx, db, "UpdateTimeToLive", in, func(_ context.Context, in *dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, err
		}
		s := in.TimeToLiveSpecification
		if s == nil || aws.ToString(s.AttributeName) == "" || s.Enabled == nil {
			return nil, validation("TimeToLiveSpecification needs an AttributeName and Enabled")
		}
		on := aws.ToBool(s.Enabled)
		switch {
		case on && t.ttlOn:
			return nil, validation("TimeToLive is already enabled")
		case !on && !t.ttlOn:
			return nil, validation("TimeToLive is already disabled")
		case !on && aws.ToString(s.AttributeName) != t.ttlAttr:
			return nil, validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.ttlAttr)
		}
		t.ttlOn, t.ttlAttr = on, aws.ToString(s.AttributeName)
		return &dynamodb.UpdateTimeToLiveOutput{TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(t.ttlAttr), Enabled: aws.Bool(on)}}, nil
	})
}

// DescribeTimeToLive reports a table's TTL setting.
func (db *DB) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	return call(ctx, db, "DescribeTimeToLive", in, func(_ context.Context, in *dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error) {
		db.mu.Lock()
		defer db.mu.Unlock()
		t, err := db.table(in.TableName)
		if err != nil {
			return nil, err
		}
		d := &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
		if t.ttlOn {
			d = &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusEnabled, AttributeName: aws.String(t.ttlAttr)}
		}
		return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
	})
}
