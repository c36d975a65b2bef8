package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
)

// ErrBadCursor is returned for a cursor that was not issued for this query.
var ErrBadCursor = &domain.Error{Code: domain.Invalid, Message: "cursor: is not valid for this list",
	Fields: []domain.FieldError{{Field: "cursor", Message: "is not valid for this list"}}}

// MaxPageSize bounds every page.
const MaxPageSize = 100

// Page is one page of a query plus the cursor of the next page ("" at the end).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// QueryPage runs q from cursor and returns at most limit items. scope names
// the list (for example "threads:GROUP#123") and is bound into the cursor, so
// a cursor from one list is rejected by another; tampered cursors get
// ErrBadCursor (400).
func QueryPage[T any](ctx context.Context, s Pager, q *dynamo.Query, scope, cursor string, limit int) (Page[T], error) {
	if limit <= 0 || limit > MaxPageSize {
		limit = MaxPageSize
	}
	if cursor != "" {
		key, err := s.decodeCursor(scope, cursor)
		if err != nil {
			return Page[T]{}, err
		}
		q = q.StartFrom(key)
	}
	var items []T
	lek, err := q.Limit(limit).AllWithLastEvaluatedKey(ctx, &items)
	if err != nil {
		return Page[T]{}, Classify(err)
	}
	p := Page[T]{Items: items}
	if items == nil {
		p.Items = []T{}
	}
	if len(lek) > 0 {
		if p.Next, err = s.encodeCursor(scope, lek); err != nil {
			return Page[T]{}, err
		}
	}
	return p, nil
}

func (s *Store) encodeCursor(scope string, key dynamo.PagingKey) (string, error) {
	flat := make(map[string]string, len(key))
	for name, av := range key {
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			flat[name] = "S" + v.Value
		case *types.AttributeValueMemberN:
			flat[name] = "N" + v.Value
		default:
			return "", domain.Errorf(domain.Internal, "unsupported key type in cursor")
		}
	}
	payload, err := json.Marshal(flat)
	if err != nil {
		return "", err
	}
	mac := s.cursorMAC(scope, payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac), nil
}

func (s *Store) decodeCursor(scope, cursor string) (dynamo.PagingKey, error) {
	if len(cursor) > 2048 {
		return nil, ErrBadCursor
	}
	p64, m64, ok := strings.Cut(cursor, ".")
	if !ok {
		return nil, ErrBadCursor
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.cursorMAC(scope, payload)) {
		return nil, ErrBadCursor
	}
	var flat map[string]string
	if err := json.Unmarshal(payload, &flat); err != nil {
		return nil, ErrBadCursor
	}
	key := make(dynamo.PagingKey, len(flat))
	for name, v := range flat {
		if len(v) == 0 {
			return nil, ErrBadCursor
		}
		switch v[0] {
		case 'S':
			key[name] = &types.AttributeValueMemberS{Value: v[1:]}
		case 'N':
			if _, err := strconv.ParseFloat(v[1:], 64); err != nil {
				return nil, ErrBadCursor
			}
			key[name] = &types.AttributeValueMemberN{Value: v[1:]}
		default:
			return nil, ErrBadCursor
		}
	}
	return key, nil
}

func (s *Store) cursorMAC(scope string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.cursorKey)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)
}
