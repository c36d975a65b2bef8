package stream

import (
	"testing"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The poller's records (internal/stream/poll) and memdb's are made by this
// converter, and a record shares no bytes with the item it was made from.
func TestEventImageCopies(t *testing.T) {
	raw := []byte("blob")
	item := map[string]ddbtypes.AttributeValue{
		"S": &ddbtypes.AttributeValueMemberS{Value: "s"},
		"B": &ddbtypes.AttributeValueMemberB{Value: raw},
		"M": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
			"L": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberN{Value: "7"}}},
		}},
	}
	img := EventImage(item)
	raw[0] = 'X'
	if got := string(img["B"].Binary()); got != "blob" {
		t.Fatalf("binary shares the item's bytes: %q", got)
	}
	if img["S"].String() != "s" || img["M"].Map()["L"].List()[0].Number() != "7" {
		t.Fatalf("converted wrongly: %+v", img)
	}
	if EventImage(nil) != nil {
		t.Fatal("a missing image must stay nil")
	}
}
