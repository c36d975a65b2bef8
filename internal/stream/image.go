package stream

import (
	"bytes"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EventImage converts an item's attribute values to the shape Lambda
// delivers in a stream record (nil for nil). Binary values are copied, so
// the record shares no memory with the item it was made from.
func EventImage(m map[string]ddbtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = eventValue(v)
	}
	return out
}

func eventValue(v ddbtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch t := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return events.NewStringAttribute(t.Value)
	case *ddbtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(t.Value)
	case *ddbtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(bytes.Clone(t.Value))
	case *ddbtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(t.Value)
	case *ddbtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(slices.Clone(t.Value))
	case *ddbtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(slices.Clone(t.Value))
	case *ddbtypes.AttributeValueMemberBS:
		bs := make([][]byte, len(t.Value))
		for i, b := range t.Value {
			bs[i] = bytes.Clone(b)
		}
		return events.NewBinarySetAttribute(bs)
	case *ddbtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(t.Value))
		for i, x := range t.Value {
			l[i] = eventValue(x)
		}
		return events.NewListAttribute(l)
	case *ddbtypes.AttributeValueMemberM:
		return events.NewMapAttribute(EventImage(t.Value))
	}
	return events.NewNullAttribute()
}
