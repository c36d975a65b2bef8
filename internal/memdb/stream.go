package memdb

import (
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/quorum-app/quorum/internal/stream"
)

// recordChange appends a stream record for a change of one item, as
// DynamoDB Streams would deliver it to a Lambda: INSERT, MODIFY or REMOVE
// with the images the table's StreamViewType keeps. Writes that leave the
// item as it was produce no record. Called with db.mu held.
func (db *DB) recordChange(t *table, key, old, new Item) {
	if !db.opts.Streams || t.stream == nil {
		return
	}
	if old != nil && new != nil && equal(&types.AttributeValueMemberM{Value: old}, &types.AttributeValueMemberM{Value: new}) {
		return
	}
	db.appendRecord(t, key, old, new, nil)
}

func (db *DB) appendRecord(t *table, key, old, new Item, who *events.DynamoDBUserIdentity) {
	db.seq++
	name := events.DynamoDBOperationTypeModify
	switch {
	case old == nil:
		name = events.DynamoDBOperationTypeInsert
	case new == nil:
		name = events.DynamoDBOperationTypeRemove
	}
	view := t.stream.StreamViewType
	rec := events.DynamoDBStreamRecord{
		ApproximateCreationDateTime: events.SecondsEpochTime{Time: db.now().Truncate(time.Second)},
		Keys:                        stream.EventImage(key),
		SequenceNumber:              fmt.Sprintf("%021d", db.seq),
		SizeBytes:                   int64(itemSize(key)),
		StreamViewType:              string(view),
	}
	if new != nil && (view == types.StreamViewTypeNewImage || view == types.StreamViewTypeNewAndOldImages) {
		rec.NewImage = stream.EventImage(new)
		rec.SizeBytes += int64(itemSize(new))
	}
	if old != nil && (view == types.StreamViewTypeOldImage || view == types.StreamViewTypeNewAndOldImages) {
		rec.OldImage = stream.EventImage(old)
		rec.SizeBytes += int64(itemSize(old))
	}
	t.records = append(t.records, events.DynamoDBEventRecord{
		AWSRegion:      "local",
		Change:         rec,
		EventID:        fmt.Sprintf("memdb-%d", db.seq),
		EventName:      string(name),
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: t.arn() + "/stream/" + t.label,
		UserIdentity:   who,
	})
}

// Stream returns the change records of a table written after the record
// with sequence number after ("" for all), oldest first: feed them to a
// stream consumer as an events.DynamoDBEvent. Records are kept only with
// Options.Streams and for tables created with a StreamSpecification.
func (db *DB) Stream(table, after string) []events.DynamoDBEventRecord {
	db.mu.Lock()
	defer db.mu.Unlock()
	t := db.tables[table]
	if t == nil {
		return nil
	}
	var out []events.DynamoDBEventRecord
	for _, r := range t.records {
		if r.Change.SequenceNumber > after {
			out = append(out, r)
		}
	}
	return out
}

// SweepTTL deletes the items of table whose TTL attribute (epoch seconds)
// is at or before now, as DynamoDB's background TTL process eventually
// does, and returns how many it deleted. Their stream records name the
// DynamoDB service as the principal, as on AWS. memdb never sweeps on its
// own: tests call this when they want the deletion to have happened.
func (db *DB) SweepTTL(table string, now time.Time) int {
	db.mu.Lock()
	defer db.mu.Unlock()
	t := db.tables[table]
	if t == nil || !t.ttlOn {
		return 0
	}
	var expired []*record
	for _, hk := range sortedKeys(t.parts) {
		for _, r := range t.parts[hk].recs {
			n, ok := r.item[t.ttlAttr].(*types.AttributeValueMemberN)
			if !ok {
				continue
			}
			if at, err := parseNumber(n.Value); err == nil && at.cmp(mustNumber(fmt.Sprint(now.Unix()))) <= 0 {
				expired = append(expired, r)
			}
		}
	}
	who := &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	for _, r := range expired {
		key := t.keyOf(r.item)
		t.write(key, nil)
		if db.opts.Streams && t.stream != nil {
			db.appendRecord(t, key, r.item, nil, who)
		}
	}
	return len(expired)
}
