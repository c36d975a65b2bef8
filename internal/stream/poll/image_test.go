package poll

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// The poller converts a DynamoDB Streams image through the table's
// attribute types with the same converter as memdb's stream
// (stream.EventImage).
func TestStreamImageAgreesWithTheTableTypes(t *testing.T) {
	fromStream := streamImage(map[string]types.AttributeValue{
		"S": &types.AttributeValueMemberS{Value: "s"},
		"M": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"L": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "7"}}},
		}},
	})
	if fromStream["S"].String() != "s" || fromStream["M"].Map()["L"].List()[0].Number() != "7" {
		t.Fatalf("stream image converted wrongly: %+v", fromStream)
	}
	if streamImage(nil) != nil {
		t.Fatal("a missing image must stay nil")
	}
}
