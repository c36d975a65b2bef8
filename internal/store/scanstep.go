package store

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// ScanStep is one page of a filtered scan of the items of one owner (those
// whose partition key starts with prefix), for work that reads everything a
// person left in items that have no index by person (a personal export):
// at most page items are evaluated, in one Scan request, eventually
// consistent. filter is a condition added to the prefix's, with args; cursor
// is "" at the start and then the next returned, which is "" once the scan
// has passed the end of the table. The cursor is the last key evaluated,
// opaque but not signed: keep it in an item of your own, never hand it to a
// client.
func ScanStep[T any](ctx context.Context, s Tabler, prefix, filter string, args []any, cursor string, page int) ([]T, string, error) {
	expr := "begins_with($, ?)"
	all := append([]any{tabledef.PK, prefix}, args...)
	if filter != "" {
		expr += " AND (" + filter + ")"
	}
	scan := s.Table().Scan().Filter(expr, all...).SearchLimit(page).RequestLimit(1)
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		pk, sk, ok := strings.Cut(string(raw), "\x00")
		if err != nil || !ok {
			return nil, "", errors.New("store: malformed scan cursor")
		}
		scan = scan.StartFrom(dynamo.PagingKey{
			tabledef.PK: &types.AttributeValueMemberS{Value: pk},
			tabledef.SK: &types.AttributeValueMemberS{Value: sk},
		})
	}
	var out []T
	lek, err := scan.AllWithLastEvaluatedKey(ctx, &out)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, "", Classify(err)
	}
	pk, sk := str(lek, tabledef.PK), str(lek, tabledef.SK)
	if pk == "" {
		return out, "", nil
	}
	return out, base64.RawURLEncoding.EncodeToString([]byte(pk + "\x00" + sk)), nil
}
