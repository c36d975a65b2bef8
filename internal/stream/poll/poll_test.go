package poll_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	dstypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/quorum-app/quorum/internal/stream/poll"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// recorder keeps what it is handed; it fails the record with key failKey
// the first failTimes times it sees it.
type recorder struct {
	mu        sync.Mutex
	seen      []string // PK/event of every record handled, in order
	failKey   string
	failTimes int
}

func (r *recorder) HandleRecords(_ context.Context, recs []events.DynamoDBEventRecord) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range recs {
		pk := x.Change.Keys["PK"].String()
		if pk == r.failKey && r.failTimes > 0 {
			r.failTimes--
			return []string{x.Change.SequenceNumber}, nil
		}
		r.seen = append(r.seen, pk+"/"+x.EventName)
	}
	return nil, nil
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// TestPollerDeliversDynamoDBLocalStream runs the poller on a table of
// DynamoDB Local: inserts, modifications and removals arrive in order with
// their images, and a record that fails is retried before the next.
func TestPollerDeliversDynamoDBLocalStream(t *testing.T) {
	env := testcloud.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	arn, err := poll.StreamARN(ctx, env.Clients.DynamoDB, env.Config.Table)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{failKey: "T#2", failTimes: 2}
	p := &poll.Poller{Streams: poll.NewStreamsClient(env.Clients.AWS, env.Config.DynamoDBEndpoint), StreamARN: arn, Handler: rec, Idle: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()

	put := func(pk, body string) {
		t.Helper()
		_, err := env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Config.Table), Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}, "Body": &types.AttributeValueMemberS{Value: body}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("T#1", "a")
	put("T#2", "b")
	put("T#1", "c")
	if _, err := env.Clients.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(env.Config.Table), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "T#2"}, "SK": &types.AttributeValueMemberS{Value: "X"}}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"T#1/INSERT", "T#2/INSERT", "T#1/MODIFY", "T#2/REMOVE"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := rec.snapshot()
		if fmt.Sprint(got) == fmt.Sprint(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("records handled = %v, want %v (the failed one retried in place)", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestEventRecordConvertsEveryType(t *testing.T) {
	img := map[string]dstypes.AttributeValue{
		"S": &dstypes.AttributeValueMemberS{Value: "x"}, "N": &dstypes.AttributeValueMemberN{Value: "12"},
		"B": &dstypes.AttributeValueMemberB{Value: []byte{1}}, "T": &dstypes.AttributeValueMemberBOOL{Value: true},
		"SS": &dstypes.AttributeValueMemberSS{Value: []string{"a", "b"}}, "NS": &dstypes.AttributeValueMemberNS{Value: []string{"1"}},
		"BS": &dstypes.AttributeValueMemberBS{Value: [][]byte{{2}}}, "Z": &dstypes.AttributeValueMemberNULL{Value: true},
		"L": &dstypes.AttributeValueMemberL{Value: []dstypes.AttributeValue{&dstypes.AttributeValueMemberS{Value: "in"}}},
		"M": &dstypes.AttributeValueMemberM{Value: map[string]dstypes.AttributeValue{"k": &dstypes.AttributeValueMemberN{Value: "3"}}},
	}
	r := poll.EventRecord(dstypes.Record{EventName: dstypes.OperationTypeModify, Dynamodb: &dstypes.StreamRecord{
		NewImage: img, SequenceNumber: aws.String("7")}}, "arn")
	got := r.Change.NewImage
	if got["S"].String() != "x" || got["N"].Number() != "12" || got["B"].Binary()[0] != 1 || !got["T"].Boolean() ||
		fmt.Sprint(got["SS"].StringSet()) != "[a b]" || got["NS"].NumberSet()[0] != "1" || got["BS"].BinarySet()[0][0] != 2 ||
		!got["Z"].IsNull() || got["L"].List()[0].String() != "in" || got["M"].Map()["k"].Number() != "3" {
		t.Errorf("converted image = %v", got)
	}
	if r.EventName != "MODIFY" || r.Change.SequenceNumber != "7" || r.EventSourceArn != "arn" {
		t.Errorf("record = %+v", r)
	}
}
