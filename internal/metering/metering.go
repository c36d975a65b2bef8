// Package metering counts AWS calls and DynamoDB consumed capacity per
// request or invocation. The middleware installed by Install asks DynamoDB to
// return consumed capacity on every call and adds what comes back to the
// Meter carried by the call's context; requests without a Meter are not
// counted (and cost nothing beyond a context lookup).
package metering

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter accumulates the cost of one unit of work. It is safe for concurrent use.
type Meter struct {
	mu   sync.Mutex
	snap Snapshot
}

// Snapshot is a point-in-time copy of a Meter.
type Snapshot struct {
	DynamoDBCalls int
	S3Calls       int
	SESCalls      int
	OtherCalls    int
	// ReadUnits and WriteUnits are DynamoDB capacity units as reported by
	// ConsumedCapacity (transactions count double, as AWS bills them).
	ReadUnits  float64
	WriteUnits float64
	// Operations counts calls by "Service.Operation".
	Operations map[string]int
	// DynamoDBTime is the wall time spent in DynamoDB calls, from the
	// call to its answer (retries included). Calls made at once overlap
	// and add up, so compare it with the elapsed time of serial work.
	DynamoDBTime time.Duration
}

// CapacityUnits is the sum of read and write units.
func (s Snapshot) CapacityUnits() float64 { return s.ReadUnits + s.WriteUnits }

// Calls is the number of AWS calls of every service.
func (s Snapshot) Calls() int { return s.DynamoDBCalls + s.S3Calls + s.SESCalls + s.OtherCalls }

// String renders the snapshot compactly for logs and benchmark output.
func (s Snapshot) String() string {
	ops := make([]string, 0, len(s.Operations))
	for op, n := range s.Operations {
		ops = append(ops, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(ops)
	return fmt.Sprintf("ddb_calls=%d rcu=%.1f wcu=%.1f s3_calls=%d ses_calls=%d [%s]",
		s.DynamoDBCalls, s.ReadUnits, s.WriteUnits, s.S3Calls, s.SESCalls, strings.Join(ops, " "))
}

// Snapshot returns a copy of the counters.
func (m *Meter) Snapshot() Snapshot {
	if m == nil {
		return Snapshot{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.snap
	s.Operations = make(map[string]int, len(m.snap.Operations))
	for k, v := range m.snap.Operations {
		s.Operations[k] = v
	}
	return s
}

// Reset zeroes the counters.
func (m *Meter) Reset() {
	m.mu.Lock()
	m.snap = Snapshot{}
	m.mu.Unlock()
}

func (m *Meter) call(service, op string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch service {
	case "DynamoDB":
		m.snap.DynamoDBCalls++
	case "S3":
		m.snap.S3Calls++
	case "SESv2", "SES":
		m.snap.SESCalls++
	default:
		m.snap.OtherCalls++
	}
	if m.snap.Operations == nil {
		m.snap.Operations = map[string]int{}
	}
	m.snap.Operations[service+"."+op]++
}

func (m *Meter) capacity(op string, units float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if readOperation(op) {
		m.snap.ReadUnits += units
	} else {
		m.snap.WriteUnits += units
	}
}

func (m *Meter) spent(d time.Duration) {
	m.mu.Lock()
	m.snap.DynamoDBTime += d
	m.mu.Unlock()
}

func readOperation(op string) bool {
	switch op {
	case "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems":
		return true
	}
	return false
}

type meterKey struct{}

// NewContext returns a context carrying a fresh Meter, and the Meter.
func NewContext(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{}
	return context.WithValue(ctx, meterKey{}, m), m
}

// FromContext returns the Meter of ctx, or nil.
func FromContext(ctx context.Context) *Meter {
	m, _ := ctx.Value(meterKey{}).(*Meter)
	return m
}

// Install adds the metering middleware to every client built from cfg.
func Install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("QuorumMetering", handle), middleware.After)
	})
}

func handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	done := Observe(ctx, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters)
	out, md, err := next.HandleInitialize(ctx, in)
	done(out.Result) // a failed call has no result, but its time counts
	return out, md, err
}

// Observe meters one call as the middleware does: it counts the call in the
// Meter of ctx, asks a DynamoDB input for TOTAL consumed capacity when it
// asked for none, and returns the function to hand the call's result to
// (nil when it failed), which adds the capacity the result reports and the
// time the call took. Clients that do not run the SDK's middleware stack
// (the in-memory DynamoDB of internal/memdb) call it themselves. Without a
// Meter in ctx it does nothing.
func Observe(ctx context.Context, service, op string, params any) (done func(result any)) {
	m := FromContext(ctx)
	if m == nil {
		return func(any) {}
	}
	if service == "DynamoDB" {
		requestCapacity(params)
	}
	m.call(service, op)
	start := time.Now()
	return func(result any) {
		if service == "DynamoDB" {
			m.capacity(op, consumedUnits(result))
			m.spent(time.Since(start))
		}
	}
}

var (
	rccType    = reflect.TypeOf(types.ReturnConsumedCapacity(""))
	ccPtrType  = reflect.TypeOf(&types.ConsumedCapacity{})
	ccListType = reflect.TypeOf([]types.ConsumedCapacity{})
)

// requestCapacity sets ReturnConsumedCapacity=TOTAL on a DynamoDB input that
// did not ask for anything (INDEXES, when asked, also carries totals).
func requestCapacity(params any) {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("ReturnConsumedCapacity")
	if f.IsValid() && f.CanSet() && f.Type() == rccType && f.String() == "" {
		f.SetString(string(types.ReturnConsumedCapacityTotal))
	}
}

// consumedUnits sums ConsumedCapacity.CapacityUnits of a DynamoDB output.
func consumedUnits(result any) float64 {
	v := reflect.ValueOf(result)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	f := v.Elem().FieldByName("ConsumedCapacity")
	if !f.IsValid() {
		return 0
	}
	total := 0.0
	switch f.Type() {
	case ccPtrType:
		if !f.IsNil() {
			total += aws.ToFloat64(f.Interface().(*types.ConsumedCapacity).CapacityUnits)
		}
	case ccListType:
		for _, cc := range f.Interface().([]types.ConsumedCapacity) {
			total += aws.ToFloat64(cc.CapacityUnits)
		}
	}
	return total
}
