// Package poll reads a DynamoDB stream as Lambda's event source mapping
// does (Poller), for make dev, internal/testcloud and
// internal/cores/consumers. It is a package of its own so that the
// deployed functions, which Lambda hands their stream records, do not link
// the DynamoDB Streams client (its schemas initialise at every cold start).
package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/quorum-app/quorum/internal/stream"
)

// StreamsAPI is what Poller calls of DynamoDB Streams.
type StreamsAPI interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// TableAPI finds a table's stream.
type TableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// Handler takes the records of one GetRecords call (stream.Dispatcher).
type Handler interface {
	HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) ([]string, error)
}

// NewStreamsClient returns a DynamoDB Streams client for the SDK
// configuration cfg; endpoint ("" for AWS) is DynamoDB Local's, which
// serves both APIs.
func NewStreamsClient(cfg aws.Config, endpoint string) *dynamodbstreams.Client {
	return dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// StreamARN returns the latest stream of table.
func StreamARN(ctx context.Context, db TableAPI, table string) (string, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", table, err)
	}
	if out.Table == nil || out.Table.LatestStreamArn == nil {
		return "", fmt.Errorf("table %s has no stream", table)
	}
	return *out.Table.LatestStreamArn, nil
}

// Poller reads a stream as Lambda's event source mapping does, for make
// dev and tests: every shard from its oldest record (parents before
// children), batches of up to BatchSize records to Handler, a failed batch
// retried from its lowest failed record up to MaxRetries times and then
// skipped (logged), as the mapping would send it to its on-failure
// destination.
type Poller struct {
	Streams   StreamsAPI
	StreamARN string
	Handler   Handler
	Log       *slog.Logger
	// Idle is the wait between polls of a shard that had nothing new
	// (default 200 ms).
	Idle       time.Duration
	BatchSize  int32 // default 100
	MaxRetries int   // default 3
}

type shard struct {
	id, parent string
	iter       string
	// last is the last sequence number handled; retry is where to resume
	// after a failure (AT), with tries the failures there.
	last, retry string
	tries       int
	done        bool
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.Idle <= 0 {
		p.Idle = 200 * time.Millisecond
	}
	if p.BatchSize <= 0 {
		p.BatchSize = 100
	}
	if p.MaxRetries <= 0 {
		p.MaxRetries = 3
	}
	shards := map[string]*shard{}
	var order []string
	var discovered time.Time
	for ctx.Err() == nil {
		if time.Since(discovered) > 2*time.Second {
			found, err := p.describe(ctx)
			if err != nil {
				p.Log.WarnContext(ctx, "stream poller: describe", "error", err.Error())
			} else {
				discovered = time.Now()
				for _, s := range found {
					if shards[s.id] == nil {
						shards[s.id] = s
						order = append(order, s.id)
					}
				}
			}
		}
		busy := false
		for _, id := range order {
			s := shards[id]
			if s.done {
				continue
			}
			if par := shards[s.parent]; par != nil && !par.done {
				continue // a child waits for its parent's records
			}
			got, err := p.poll(ctx, s)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				p.Log.WarnContext(ctx, "stream poller: read", "shard", s.id, "error", err.Error())
				s.iter = ""
				continue
			}
			busy = busy || got
		}
		if !busy {
			select {
			case <-ctx.Done():
			case <-time.After(p.Idle):
			}
		}
	}
	return nil
}

func (p *Poller) describe(ctx context.Context) ([]*shard, error) {
	var out []*shard
	var start *string
	for {
		d, err := p.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(p.StreamARN), ExclusiveStartShardId: start})
		if err != nil {
			return nil, err
		}
		if d.StreamDescription == nil {
			return out, nil
		}
		for _, s := range d.StreamDescription.Shards {
			out = append(out, &shard{id: aws.ToString(s.ShardId), parent: aws.ToString(s.ParentShardId)})
		}
		start = d.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return out, nil
		}
	}
}

// poll reads one batch of s and hands it over; got reports records.
func (p *Poller) poll(ctx context.Context, s *shard) (got bool, err error) {
	if s.iter == "" {
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(p.StreamARN), ShardId: aws.String(s.id)}
		switch {
		case s.retry != "":
			in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAtSequenceNumber, aws.String(s.retry)
		case s.last != "":
			in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(s.last)
		default:
			in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
		}
		it, err := p.Streams.GetShardIterator(ctx, in)
		if err != nil {
			var gone *types.ResourceNotFoundException
			var trimmed *types.TrimmedDataAccessException
			if errors.As(err, &gone) || errors.As(err, &trimmed) {
				s.done = true
				return false, nil
			}
			return false, err
		}
		s.iter = aws.ToString(it.ShardIterator)
	}
	out, err := p.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(s.iter), Limit: aws.Int32(p.BatchSize)})
	if err != nil {
		return false, err
	}
	if out.NextShardIterator == nil {
		s.done = true
	}
	s.iter = aws.ToString(out.NextShardIterator)
	if len(out.Records) == 0 {
		return false, nil
	}
	recs := make([]events.DynamoDBEventRecord, 0, len(out.Records))
	for _, r := range out.Records {
		recs = append(recs, EventRecord(r, p.StreamARN))
	}
	failed, _ := p.Handler.HandleRecords(ctx, recs)
	if len(failed) == 0 {
		s.last, s.retry, s.tries = recs[len(recs)-1].Change.SequenceNumber, "", 0
		return true, nil
	}
	first := failed[0]
	if first == s.retry {
		s.tries++
	} else {
		s.retry, s.tries = first, 1
	}
	if s.tries > p.MaxRetries {
		p.Log.ErrorContext(ctx, "stream poller: record skipped after retries", "shard", s.id, "sequence", first)
		s.last, s.retry, s.tries = first, "", 0
	}
	s.iter, s.done = "", false // resume at the failure (or after the skipped record)
	return true, nil
}

// EventRecord converts a DynamoDB Streams record to the shape Lambda
// delivers.
func EventRecord(r types.Record, arn string) events.DynamoDBEventRecord {
	out := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(r.AwsRegion),
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    aws.ToString(r.EventSource),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: arn,
	}
	if d := r.Dynamodb; d != nil {
		out.Change = events.DynamoDBStreamRecord{
			Keys:           streamImage(d.Keys),
			NewImage:       streamImage(d.NewImage),
			OldImage:       streamImage(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber),
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			out.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
		}
	}
	return out
}

// streamImage converts a DynamoDB Streams image (its own SDK types) through
// the table's attribute types, so that one converter (EventImage) serves
// the poller and memdb's stream alike.
func streamImage(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	item := make(map[string]ddbtypes.AttributeValue, len(m))
	for k, v := range m {
		av, err := attributevalue.FromDynamoDBStreams(v)
		if err != nil { // a type the table's SDK does not know: kept as NULL, as eventValue does
			av = &ddbtypes.AttributeValueMemberNULL{Value: true}
		}
		item[k] = av
	}
	return stream.EventImage(item)
}
