package stream

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func rec(seq, pk string) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
		SequenceNumber: seq, Keys: map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute(pk)}}}
}

// fake wants records whose PK has its prefix, remembers what it got and
// fails the sequence numbers in fail (or everything with err, or panics).
type fake struct {
	prefix string
	fail   map[string]bool
	err    error
	panics bool
	mu     sync.Mutex
	got    []string
}

func (f *fake) Wants(r events.DynamoDBEventRecord) bool {
	return strings.HasPrefix(r.Change.Keys["PK"].String(), f.prefix)
}

func (f *fake) HandleRecords(_ context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	if f.panics {
		panic("boom")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var failed []string
	for _, r := range recs {
		f.got = append(f.got, r.Change.SequenceNumber)
		if f.fail[r.Change.SequenceNumber] {
			failed = append(failed, r.Change.SequenceNumber)
		}
	}
	return failed, f.err
}

func TestDispatcherRoutesAndMergesFailures(t *testing.T) {
	batch := []events.DynamoDBEventRecord{rec("1", "USER#a"), rec("2", "THREAD#t"), rec("3", "POLL#p"), rec("4", "USER#b"), rec("5", "OTHER#x")}
	for _, tc := range []struct {
		name       string
		mail, idx  *fake
		wantFailed []string
	}{
		{"all applied", &fake{prefix: "USER#"}, &fake{prefix: "T"}, []string{}},
		{"each consumer's failures, in stream order", &fake{prefix: "USER#", fail: map[string]bool{"4": true}},
			&fake{prefix: "POLL#", fail: map[string]bool{"3": true}}, []string{"3", "4"}},
		{"an error fails every record the consumer was given", &fake{prefix: "USER#", err: errors.New("down")},
			&fake{prefix: "THREAD#"}, []string{"1", "4"}},
		{"a panic fails the consumer's records, not the others", &fake{prefix: "USER#"},
			&fake{prefix: "THREAD#", panics: true}, []string{"2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := New(nil, Named{"mailer", tc.mail}, Named{"search", tc.idx})
			resp, err := d.Handle(context.Background(), events.DynamoDBEvent{Records: batch})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			if !reflect.DeepEqual(got, tc.wantFailed) {
				t.Errorf("failures = %v, want %v", got, tc.wantFailed)
			}
			for _, c := range []*fake{tc.mail, tc.idx} {
				for _, seq := range c.got {
					r := batch[seq[0]-'1']
					if !c.Wants(r) {
						t.Errorf("consumer %s was given record %s it does not want", c.prefix, seq)
					}
				}
			}
			if !tc.mail.panics && !reflect.DeepEqual(tc.mail.got, []string{"1", "4"}) {
				t.Errorf("mailer got %v, want its records in stream order", tc.mail.got)
			}
			if d.Wants(batch[4]) {
				t.Error("a record no consumer wants is wanted")
			}
		})
	}
}
