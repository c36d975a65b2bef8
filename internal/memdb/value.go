package memdb

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is one DynamoDB item in the SDK's representation.
type Item = map[string]types.AttributeValue

// Attribute type names as DynamoDB spells them.
const (
	typS    = "S"
	typN    = "N"
	typB    = "B"
	typSS   = "SS"
	typNS   = "NS"
	typBS   = "BS"
	typM    = "M"
	typL    = "L"
	typNULL = "NULL"
	typBOOL = "BOOL"
)

func typeOf(v types.AttributeValue) string {
	switch v.(type) {
	case *types.AttributeValueMemberS:
		return typS
	case *types.AttributeValueMemberN:
		return typN
	case *types.AttributeValueMemberB:
		return typB
	case *types.AttributeValueMemberSS:
		return typSS
	case *types.AttributeValueMemberNS:
		return typNS
	case *types.AttributeValueMemberBS:
		return typBS
	case *types.AttributeValueMemberM:
		return typM
	case *types.AttributeValueMemberL:
		return typL
	case *types.AttributeValueMemberNULL:
		return typNULL
	case *types.AttributeValueMemberBOOL:
		return typBOOL
	}
	return ""
}

// clone deep-copies a value, so nothing the caller holds aliases the store.
func clone(v types.AttributeValue) types.AttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: x.Value}
	case *types.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: x.Value}
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: bytes.Clone(x.Value)}
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: append([]string(nil), x.Value...)}
	case *types.AttributeValueMemberBS:
		out := make([][]byte, len(x.Value))
		for i, b := range x.Value {
			out[i] = bytes.Clone(b)
		}
		return &types.AttributeValueMemberBS{Value: out}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: cloneItem(x.Value)}
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			out[i] = clone(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case *types.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: x.Value}
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}
	}
	return v
}

func cloneItem(it Item) Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = clone(v)
	}
	return out
}

// mustNumber parses a number already validated on the way in.
func mustNumber(s string) number {
	n, err := parseNumber(s)
	if err != nil {
		panic(fmt.Sprintf("memdb: stored number %q is invalid: %v", s, err))
	}
	return n
}

// equal is DynamoDB's equality: same type and value; numbers compare by
// value, sets regardless of order, maps and lists deeply.
func equal(a, b types.AttributeValue) bool {
	if typeOf(a) != typeOf(b) {
		return false
	}
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		return x.Value == b.(*types.AttributeValueMemberS).Value
	case *types.AttributeValueMemberN:
		return mustNumber(x.Value).cmp(mustNumber(b.(*types.AttributeValueMemberN).Value)) == 0
	case *types.AttributeValueMemberB:
		return bytes.Equal(x.Value, b.(*types.AttributeValueMemberB).Value)
	case *types.AttributeValueMemberSS, *types.AttributeValueMemberNS, *types.AttributeValueMemberBS:
		ka, kb := setKeys(a), setKeys(b)
		if len(ka) != len(kb) {
			return false
		}
		for k := range ka {
			if _, ok := kb[k]; !ok {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberM:
		y := b.(*types.AttributeValueMemberM)
		if len(x.Value) != len(y.Value) {
			return false
		}
		for k, v := range x.Value {
			w, ok := y.Value[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberL:
		y := b.(*types.AttributeValueMemberL)
		if len(x.Value) != len(y.Value) {
			return false
		}
		for i := range x.Value {
			if !equal(x.Value[i], y.Value[i]) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberNULL:
		return true
	case *types.AttributeValueMemberBOOL:
		return x.Value == b.(*types.AttributeValueMemberBOOL).Value
	}
	return false
}

// compare orders two scalars of the same type (S, N or B); ok is false for
// any other pair.
func compare(a, b types.AttributeValue) (c int, ok bool) {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		if y, ok := b.(*types.AttributeValueMemberS); ok {
			return cmpString(x.Value, y.Value), true
		}
	case *types.AttributeValueMemberN:
		if y, ok := b.(*types.AttributeValueMemberN); ok {
			return mustNumber(x.Value).cmp(mustNumber(y.Value)), true
		}
	case *types.AttributeValueMemberB:
		if y, ok := b.(*types.AttributeValueMemberB); ok {
			return bytes.Compare(x.Value, y.Value), true
		}
	}
	return 0, false
}

// cmpString orders strings by their UTF-8 bytes, as DynamoDB does.
func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// setKeys returns a set's elements in a canonical form (numbers by value).
func setKeys(v types.AttributeValue) map[string]struct{} {
	out := map[string]struct{}{}
	switch x := v.(type) {
	case *types.AttributeValueMemberSS:
		for _, s := range x.Value {
			out[s] = struct{}{}
		}
	case *types.AttributeValueMemberNS:
		for _, s := range x.Value {
			out[mustNumber(s).String()] = struct{}{}
		}
	case *types.AttributeValueMemberBS:
		for _, b := range x.Value {
			out[string(b)] = struct{}{}
		}
	}
	return out
}

// size is a value's size in bytes as DynamoDB counts it for the item size
// limit and capacity: strings and binaries by length, numbers by their
// digits, and one byte per element plus three for documents.
func size(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return mustNumber(x.Value).size()
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += mustNumber(s).size()
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += len(k) + size(e) + 1
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += size(e) + 1
		}
		return n
	case *types.AttributeValueMemberNULL, *types.AttributeValueMemberBOOL:
		return 1
	}
	return 0
}

// itemSize is the size of an item: the sum of its attribute names and values.
func itemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + size(v)
	}
	return n
}

const maxItemSize = 400 * 1024

// validateValue checks a value coming in from a request, as DynamoDB
// does before doing anything: exactly one type, sets not empty and without
// duplicates, numbers in range, NULL true, nesting at most 32 levels.
// It also canonicalises numbers in place (the copy is the caller's).
func validateValue(v types.AttributeValue, depth int) (types.AttributeValue, error) {
	if depth > 32 {
		return nil, invalidParam("Nesting Levels have exceeded supported limits")
	}
	switch x := v.(type) {
	case nil:
		return nil, validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case *types.AttributeValueMemberS:
		if !utf8.ValidString(x.Value) {
			return nil, validation("Invalid UTF-8 string")
		}
		return &types.AttributeValueMemberS{Value: x.Value}, nil
	case *types.AttributeValueMemberN:
		n, err := parseNumber(x.Value)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberN{Value: n.String()}, nil
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: bytes.Clone(x.Value)}, nil
	case *types.AttributeValueMemberSS:
		if len(x.Value) == 0 {
			return nil, invalidParam("An string set  may not be empty")
		}
		seen := map[string]bool{}
		for _, s := range x.Value {
			if seen[s] {
				return nil, invalidParam("Input collection %v contains duplicates.", x.Value)
			}
			seen[s] = true
		}
		return &types.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}, nil
	case *types.AttributeValueMemberNS:
		if len(x.Value) == 0 {
			return nil, invalidParam("An number set  may not be empty")
		}
		seen := map[string]bool{}
		out := make([]string, len(x.Value))
		for i, s := range x.Value {
			n, err := parseNumber(s)
			if err != nil {
				return nil, err
			}
			out[i] = n.String()
			if seen[out[i]] {
				return nil, invalidParam("Input collection %v contains duplicates.", x.Value)
			}
			seen[out[i]] = true
		}
		return &types.AttributeValueMemberNS{Value: out}, nil
	case *types.AttributeValueMemberBS:
		if len(x.Value) == 0 {
			return nil, invalidParam("An binary set  may not be empty")
		}
		seen := map[string]bool{}
		out := make([][]byte, len(x.Value))
		for i, b := range x.Value {
			if seen[string(b)] {
				return nil, invalidParam("Input collection contains duplicates.")
			}
			seen[string(b)] = true
			out[i] = bytes.Clone(b)
		}
		return &types.AttributeValueMemberBS{Value: out}, nil
	case *types.AttributeValueMemberM:
		out := make(Item, len(x.Value))
		for k, e := range x.Value {
			c, err := validateValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			c, err := validateValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *types.AttributeValueMemberNULL:
		if !x.Value {
			return nil, invalidParam("Null attribute value types must have the value of true")
		}
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}, nil
	}
	return nil, validation("Supplied AttributeValue has an unsupported type %T", v)
}

// validateItem validates and copies every attribute of an incoming item.
func validateItem(it Item) (Item, error) {
	out := make(Item, len(it))
	for k, v := range it {
		if k == "" {
			return nil, invalidParam("An attribute name may not be empty")
		}
		c, err := validateValue(v, 0)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
