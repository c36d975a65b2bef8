package contract_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/memdb/contract"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// The suite: every case runs first on DynamoDB Local, then on memdb, each
// recording what the calls it cares about returned (outputs normalised,
// errors by code and cancellation reasons). The case fails if the two
// records differ, and on its own assertions.

func TestMain(m *testing.M) {
	// Cases wait on DynamoDB Local far more than they compute: run more of
	// them at once than there are cores (unless -parallel says otherwise).
	_ = flag.Set("test.parallel", "8")
	os.Exit(testcloud.Run(m))
}

type item = map[string]types.AttributeValue

// local is the shared DynamoDB Local table of this test binary; each case
// works under its own partition-key prefix.
var local struct {
	once  sync.Once
	db    dynamodbiface.DynamoDBAPI
	table string
}

func localTable(t *testing.T) (dynamodbiface.DynamoDBAPI, string) {
	local.once.Do(func() { local.db, local.table = contract.Local.Table(t) })
	if local.db == nil {
		t.Fatal("DynamoDB Local is unavailable")
	}
	return local.db, local.table
}

// C is one run of a case on one backend.
type C struct {
	*testing.T
	ctx     context.Context
	DB      dynamodbiface.DynamoDBAPI
	Table   string
	Mem     *memdb.DB // nil on DynamoDB Local
	Backend string
	ns      string
	steps   []step
}

type step struct{ label, got string }

// run runs f on both backends and compares what they recorded.
func run(t *testing.T, name string, f func(c *C)) {
	t.Helper()
	if testing.Short() {
		t.Skip("the contract compares memdb with DynamoDB Local: runs in `make test`, not with -short")
	}
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		ns := "c" + randomHex(4) + "#"
		var logs [2][]step
		for i, b := range []string{"local", "memdb"} {
			t.Run(b, func(t *testing.T) {
				c := &C{T: t, ctx: context.Background(), Backend: b, ns: ns}
				if b == "local" {
					c.DB, c.Table = localTable(t)
				} else {
					db, table := contract.Mem.Table(t)
					c.DB, c.Table, c.Mem = db, table, db.(*memdb.DB)
				}
				defer func() { logs[i] = c.steps }()
				f(c)
			})
		}
		compareLogs(t, logs[0], logs[1])
	})
}

func compareLogs(t *testing.T, ref, mem []step) {
	t.Helper()
	for i := 0; i < max(len(ref), len(mem)); i++ {
		var a, b step
		if i < len(ref) {
			a = ref[i]
		}
		if i < len(mem) {
			b = mem[i]
		}
		if a != b {
			t.Errorf("step %d differs:\n  local %s: %s\n  memdb %s: %s", i, a.label, a.got, b.label, b.got)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ---- recording ----

// rec returns a function that records a call's result under label and
// returns its error: c.rec("put")(c.DB.PutItem(...)).
func (c *C) rec(label string) func(out any, err error) error {
	return func(out any, err error) error {
		c.Helper()
		c.steps = append(c.steps, step{label, render(out, err)})
		if err != nil && testing.Verbose() {
			c.Logf("%s %s: %v", c.Backend, label, err)
		}
		return err
	}
}

// note records a value computed by the case.
func (c *C) note(label string, v any) { c.steps = append(c.steps, step{label, render(v, nil)}) }

func render(out any, err error) string {
	var v any
	if err != nil {
		v = errView(err)
	} else {
		v = norm(reflect.ValueOf(out))
	}
	b, jerr := json.Marshal(v)
	if jerr != nil {
		return "unrenderable: " + jerr.Error()
	}
	return string(b)
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	// The SDK's own check of required members, before sending.
	var ip smithy.InvalidParamsError
	if errors.As(err, &ip) {
		return "InvalidParams"
	}
	if err == nil {
		return ""
	}
	return "non-API error: " + err.Error()
}

func errView(err error) any {
	out := map[string]any{"error": errCode(err)}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		var reasons []any
		for _, r := range tce.CancellationReasons {
			reasons = append(reasons, norm(reflect.ValueOf(struct {
				Code string
				Item item
			}{aws.ToString(r.Code), r.Item})))
		}
		out["reasons"] = reasons
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) && ccf.Item != nil {
		out["item"] = norm(reflect.ValueOf(ccf.Item))
	}
	return out
}

var avType = reflect.TypeOf((*types.AttributeValue)(nil)).Elem()

// norm turns SDK outputs into plain JSON-able values: attribute values in
// DynamoDB's JSON shape with set elements sorted, structs as maps of their
// non-empty exported fields (without ResultMetadata).
func norm(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == avType || v.Type().Implements(avType) && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		return avView(v.Interface().(types.AttributeValue))
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return norm(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			// ConsumedCapacity is compared only where a case notes it:
			// DynamoDB Local returns it unasked when DeleteItem finds no item.
			if !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "ConsumedCapacity" {
				continue
			}
			if x := norm(v.Field(i)); !empty(x) {
				out[f.Name] = x
			}
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = norm(v.MapIndex(k))
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = norm(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

func empty(x any) bool {
	switch y := x.(type) {
	case nil:
		return true
	case string:
		return y == ""
	case map[string]any:
		return len(y) == 0
	case []any:
		return len(y) == 0
	}
	return false
}

func avView(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(x.Value)}
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), x.Value...)
		sort.Strings(s)
		return map[string]any{"SS": s}
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), x.Value...)
		sort.Strings(s)
		return map[string]any{"NS": s}
	case *types.AttributeValueMemberBS:
		s := make([]string, len(x.Value))
		for i, b := range x.Value {
			s[i] = base64.StdEncoding.EncodeToString(b)
		}
		sort.Strings(s)
		return map[string]any{"BS": s}
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range x.Value {
			m[k] = avView(e)
		}
		return map[string]any{"M": m}
	case *types.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = avView(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": x.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	}
	return fmt.Sprintf("unknown %T", v)
}

// diverges records a step where DynamoDB Local is known to differ from AWS.
// On Local it only logs what came back; memdb must behave as AWS documents
// (wantAWS). got is the call's output, or errView(err).
func (c *C) diverges(label, reason string, got, wantAWS any) {
	c.Helper()
	if c.Mem == nil {
		c.Logf("known DynamoDB Local divergence (%s), Local returned: %s", reason, render(got, nil))
	} else {
		c.wantSame(label+" (as on AWS)", got, wantAWS)
	}
	c.note(label, "diverges on DynamoDB Local: "+reason)
}

// view is what rec records of an output or error, for diverges.
func view(out any, err error) any {
	if err != nil {
		return errView(err)
	}
	return out
}

// ---- assertions ----

func (c *C) ok(label string, err error) {
	c.Helper()
	if err != nil {
		c.Fatalf("%s: %v", label, err)
	}
}

// wantCode fails unless err is an API error with the given code.
func (c *C) wantCode(label string, err error, code string) {
	c.Helper()
	if got := errCode(err); got != code {
		c.Errorf("%s: want %s, got %v", label, code, err)
	}
}

// wantReasons fails unless err cancelled a transaction with these reasons.
func (c *C) wantReasons(label string, err error, codes ...string) {
	c.Helper()
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		c.Errorf("%s: want a cancelled transaction, got %v", label, err)
		return
	}
	var got []string
	for _, r := range tce.CancellationReasons {
		got = append(got, aws.ToString(r.Code))
	}
	if strings.Join(got, ",") != strings.Join(codes, ",") {
		c.Errorf("%s: reasons %v, want %v", label, got, codes)
	}
}

// wantSame fails unless got and want render alike.
func (c *C) wantSame(label string, got, want any) {
	c.Helper()
	if g, w := render(got, nil), render(want, nil); g != w {
		c.Errorf("%s:\n  got  %s\n  want %s", label, g, w)
	}
}

// ---- values and keys ----

func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func N(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
func B(b string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(b)} }
func SS(v ...string) types.AttributeValue {
	return &types.AttributeValueMemberSS{Value: v}
}
func NS(v ...string) types.AttributeValue {
	return &types.AttributeValueMemberNS{Value: v}
}
func BS(v ...string) types.AttributeValue {
	out := make([][]byte, len(v))
	for i, s := range v {
		out[i] = []byte(s)
	}
	return &types.AttributeValueMemberBS{Value: out}
}
func L(v ...types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberL{Value: append([]types.AttributeValue{}, v...)}
}
func M(m item) types.AttributeValue    { return &types.AttributeValueMemberM{Value: m} }
func BOOL(b bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: b} }
func NULL() types.AttributeValue       { return &types.AttributeValueMemberNULL{Value: true} }
func names(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// vals builds ExpressionAttributeValues from ":name", value pairs.
func vals(kv ...any) item {
	m := item{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(types.AttributeValue)
	}
	return m
}

// pk is the case's partition key value named p.
func (c *C) pk(p string) string { return c.ns + p }

func (c *C) key(p, s string) item { return item{"PK": S(c.pk(p)), "SK": S(s)} }

// with returns the item with key (p, s) and the attributes of a.
func (c *C) with(p, s string, a item) item {
	it := c.key(p, s)
	for k, v := range a {
		it[k] = v
	}
	return it
}

func (c *C) put(it item) {
	c.Helper()
	_, err := c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &c.Table, Item: it})
	c.ok("put", err)
}

// get reads an item (strongly consistent); nil when missing.
func (c *C) get(p, s string) item {
	c.Helper()
	out, err := c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &c.Table, Key: c.key(p, s), ConsistentRead: aws.Bool(true)})
	c.ok("get", err)
	return out.Item
}

// recGet records the item at (p, s).
func (c *C) recGet(label, p, s string) item {
	c.Helper()
	it := c.get(p, s)
	c.note(label, it)
	return it
}

// newTable creates an extra table for the case (dropped at the end).
func (c *C) newTable(in *dynamodb.CreateTableInput) string {
	c.Helper()
	name := "x" + randomHex(6)
	in.TableName = &name
	if in.BillingMode == "" {
		in.BillingMode = types.BillingModePayPerRequest
	}
	_, err := c.DB.CreateTable(c.ctx, in)
	c.ok("create table", err)
	c.Cleanup(func() { _, _ = c.DB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return name
}

func keySchema(hash, hashType, rng, rngType string) ([]types.KeySchemaElement, []types.AttributeDefinition) {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	ad := []types.AttributeDefinition{{AttributeName: aws.String(hash), AttributeType: types.ScalarAttributeType(hashType)}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
		ad = append(ad, types.AttributeDefinition{AttributeName: aws.String(rng), AttributeType: types.ScalarAttributeType(rngType)})
	}
	return ks, ad
}
