package testcloud_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// flaky records what it is handed; the first time it sees the item named
// failOn it reports it failed, as a consumer with a transient error does.
type flaky struct {
	failOn string
	mu     sync.Mutex
	failed bool
	seen   []string // PK of each record, in the order handed
}

func (f *flaky) HandleRecords(_ context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		pk := r.Change.Keys[tabledef.PK].String()
		if pk == f.failOn && !f.failed {
			f.failed = true
			return []string{r.Change.SequenceNumber}, nil
		}
		f.seen = append(f.seen, pk)
	}
	return nil, nil
}

func (f *flaky) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.seen...)
}

// Follow hands a FastStream table's changes to the handler in order, and a
// batch with a failure again from its first failed record: nothing before
// it twice, nothing after it lost.
func TestFollowHandsTheStreamOnAndRetriesFromTheFailure(t *testing.T) {
	env := testcloud.FastStream(t)
	h := &flaky{failOn: "item-2"}
	ctx := context.Background()
	for i := 1; i <= 4; i++ {
		if _, err := env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Config.Table),
			Item: map[string]types.AttributeValue{
				tabledef.PK: &types.AttributeValueMemberS{Value: fmt.Sprintf("item-%d", i)},
				tabledef.SK: &types.AttributeValueMemberS{Value: "A"},
			}}); err != nil {
			t.Fatal(err)
		}
	}
	env.Follow(t, h)
	want := "[item-1 item-2 item-3 item-4]"
	deadline := time.Now().Add(10 * time.Second)
	for fmt.Sprint(h.got()) != want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := fmt.Sprint(h.got()); got != want {
		t.Fatalf("handed %s, want %s", got, want)
	}
}
