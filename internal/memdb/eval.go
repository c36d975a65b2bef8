package memdb

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// lookup returns the value at p in it, if there is one.
func (p docPath) lookup(it Item) (types.AttributeValue, bool) {
	v, ok := it[p[0].name]
	if !ok {
		return nil, false
	}
	return follow(v, p[1:])
}

// follow walks the map keys and list indexes of rest from v.
func follow(v types.AttributeValue, rest docPath) (types.AttributeValue, bool) {
	for _, e := range rest {
		switch x := v.(type) {
		case *types.AttributeValueMemberM:
			if e.isIdx {
				return nil, false
			}
			var ok bool
			if v, ok = x.Value[e.name]; !ok {
				return nil, false
			}
		case *types.AttributeValueMemberL:
			if !e.isIdx || e.index >= len(x.Value) {
				return nil, false
			}
			v = x.Value[e.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// value evaluates a condition operand against an item; ok is false when it
// names an attribute the item does not have.
func value(o operand, it Item) (types.AttributeValue, bool) {
	switch x := o.(type) {
	case opValue:
		return x.v, true
	case opPath:
		return x.p.lookup(it)
	case opSize:
		v, ok := value(x.of, it)
		if !ok {
			return nil, false
		}
		var n int
		switch y := v.(type) {
		case *types.AttributeValueMemberS:
			// UTF-16 code units, as DynamoDB (Local) counts.
			n = len(utf16.Encode([]rune(y.Value)))
		case *types.AttributeValueMemberB:
			n = len(y.Value)
		case *types.AttributeValueMemberSS:
			n = len(y.Value)
		case *types.AttributeValueMemberNS:
			n = len(y.Value)
		case *types.AttributeValueMemberBS:
			n = len(y.Value)
		case *types.AttributeValueMemberM:
			n = len(y.Value)
		case *types.AttributeValueMemberL:
			n = len(y.Value)
		default:
			return nil, false
		}
		return &types.AttributeValueMemberN{Value: itoa(n)}, true
	}
	return nil, false
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// eval evaluates a condition or filter against an item (nil: no item).
func eval(c cond, it Item) bool {
	switch x := c.(type) {
	case cAnd:
		return eval(x.a, it) && eval(x.b, it)
	case cOr:
		return eval(x.a, it) || eval(x.b, it)
	case cNot:
		return !eval(x.c, it)
	case cParen:
		return eval(x.c, it)
	case cCompare:
		a, aok := value(x.a, it)
		b, bok := value(x.b, it)
		if x.op == "<>" {
			return !(aok && bok && equal(a, b))
		}
		if !aok || !bok {
			return false
		}
		if x.op == "=" {
			return equal(a, b)
		}
		n, ok := compare(a, b)
		if !ok {
			return false
		}
		switch x.op {
		case "<":
			return n < 0
		case "<=":
			return n <= 0
		case ">":
			return n > 0
		case ">=":
			return n >= 0
		}
	case cBetween:
		v, ok := value(x.x, it)
		lo, lok := value(x.lo, it)
		hi, hok := value(x.hi, it)
		if !ok || !lok || !hok {
			return false
		}
		c1, ok1 := compare(v, lo)
		c2, ok2 := compare(v, hi)
		return ok1 && ok2 && c1 >= 0 && c2 <= 0
	case cIn:
		v, ok := value(x.x, it)
		if !ok {
			return false
		}
		for _, o := range x.list {
			if w, ok := value(o, it); ok && equal(v, w) {
				return true
			}
		}
		return false
	case cFunc:
		return evalFunc(x, it)
	}
	return false
}

func evalFunc(f cFunc, it Item) bool {
	v, ok := value(f.args[0], it)
	switch f.name {
	case "attribute_exists":
		return ok
	case "attribute_not_exists":
		return !ok
	}
	if !ok {
		return false
	}
	arg, aok := value(f.args[1], it)
	if !aok {
		return false
	}
	switch f.name {
	case "attribute_type":
		s, _ := arg.(*types.AttributeValueMemberS)
		return s != nil && typeOf(v) == s.Value
	case "begins_with":
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			p, ok := arg.(*types.AttributeValueMemberS)
			return ok && strings.HasPrefix(x.Value, p.Value)
		case *types.AttributeValueMemberB:
			p, ok := arg.(*types.AttributeValueMemberB)
			return ok && bytes.HasPrefix(x.Value, p.Value)
		}
	case "contains":
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			p, ok := arg.(*types.AttributeValueMemberS)
			return ok && strings.Contains(x.Value, p.Value)
		case *types.AttributeValueMemberB:
			p, ok := arg.(*types.AttributeValueMemberB)
			return ok && bytes.Contains(x.Value, p.Value)
		case *types.AttributeValueMemberSS:
			p, ok := arg.(*types.AttributeValueMemberS)
			if !ok {
				return false
			}
			for _, e := range x.Value {
				if e == p.Value {
					return true
				}
			}
		case *types.AttributeValueMemberNS:
			p, ok := arg.(*types.AttributeValueMemberN)
			if !ok {
				return false
			}
			for _, e := range x.Value {
				if equal(&types.AttributeValueMemberN{Value: e}, p) {
					return true
				}
			}
		case *types.AttributeValueMemberBS:
			p, ok := arg.(*types.AttributeValueMemberB)
			if !ok {
				return false
			}
			for _, e := range x.Value {
				if bytes.Equal(e, p.Value) {
					return true
				}
			}
		case *types.AttributeValueMemberL:
			for _, e := range x.Value {
				if equal(e, arg) {
					return true
				}
			}
		}
	}
	return false
}

// condPaths returns the top-level attribute names a condition reads.
func condPaths(c cond, out map[string]bool) {
	var ops func(os ...operand)
	ops = func(os ...operand) {
		for _, o := range os {
			switch x := o.(type) {
			case opPath:
				out[x.p[0].name] = true
			case opSize:
				ops(x.of)
			}
		}
	}
	switch x := c.(type) {
	case cAnd:
		condPaths(x.a, out)
		condPaths(x.b, out)
	case cOr:
		condPaths(x.a, out)
		condPaths(x.b, out)
	case cNot:
		condPaths(x.c, out)
	case cParen:
		condPaths(x.c, out)
	case cCompare:
		ops(x.a, x.b)
	case cBetween:
		ops(x.x, x.lo, x.hi)
	case cIn:
		ops(x.x)
		ops(x.list...)
	case cFunc:
		ops(x.args...)
	}
}

// projNode collects the parts of a document a projection keeps.
type projNode struct {
	leaf   types.AttributeValue
	fields map[string]*projNode
	elems  map[int]*projNode
}

func (n *projNode) insert(v types.AttributeValue, rest docPath) {
	if len(rest) == 0 {
		n.leaf = v
		return
	}
	e := rest[0]
	var child types.AttributeValue
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		if e.isIdx {
			return
		}
		c, ok := x.Value[e.name]
		if !ok {
			return
		}
		child = c
	case *types.AttributeValueMemberL:
		if !e.isIdx || e.index >= len(x.Value) {
			return
		}
		child = x.Value[e.index]
	default:
		return
	}
	if _, ok := follow(child, rest[1:]); !ok {
		return
	}
	var next *projNode
	if e.isIdx {
		if n.elems == nil {
			n.elems = map[int]*projNode{}
		}
		if next = n.elems[e.index]; next == nil {
			next = &projNode{}
			n.elems[e.index] = next
		}
	} else {
		if n.fields == nil {
			n.fields = map[string]*projNode{}
		}
		if next = n.fields[e.name]; next == nil {
			next = &projNode{}
			n.fields[e.name] = next
		}
	}
	next.insert(child, rest[1:])
}

func (n *projNode) build() types.AttributeValue {
	switch {
	case n.leaf != nil:
		return clone(n.leaf)
	case n.elems != nil:
		idx := make([]int, 0, len(n.elems))
		for i := range n.elems {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := &types.AttributeValueMemberL{Value: make([]types.AttributeValue, 0, len(idx))}
		for _, i := range idx {
			out.Value = append(out.Value, n.elems[i].build())
		}
		return out
	default:
		out := &types.AttributeValueMemberM{Value: Item{}}
		for k, c := range n.fields {
			out.Value[k] = c.build()
		}
		return out
	}
}

// project returns a copy of it with only the given paths (nil: everything).
func project(it Item, paths []docPath) Item {
	if it == nil {
		return nil
	}
	if paths == nil {
		return cloneItem(it)
	}
	root := map[string]*projNode{}
	for _, p := range paths {
		v, ok := it[p[0].name]
		if !ok {
			continue
		}
		if _, ok := p.lookup(it); !ok {
			continue
		}
		n := root[p[0].name]
		if n == nil {
			n = &projNode{}
			root[p[0].name] = n
		}
		n.insert(v, p[1:])
	}
	out := Item{}
	for k, n := range root {
		out[k] = n.build()
	}
	return out
}
