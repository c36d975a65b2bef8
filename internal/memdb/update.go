package memdb

import (
	"math"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func invalidDocPath() error {
	return runtimeValidation("The document path provided in the update expression is invalid for update")
}

func wrongType() error {
	return runtimeValidation("An operand in the update expression has an incorrect data type")
}

// apply returns a new item: base (the stored item, or just its key when
// there is none) with the update applied. Every right-hand side is
// evaluated against base, as DynamoDB does, before anything changes.
func (u *updateExpr) apply(base Item) (Item, error) {
	work := cloneItem(base)
	vals := make([]types.AttributeValue, len(u.set))
	for i, s := range u.set {
		v, err := setOperandValue(s.v, base)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	for i, s := range u.set {
		if err := setPath(work, s.p, vals[i]); err != nil {
			return nil, err
		}
	}
	removes := append([]docPath(nil), u.remove...)
	// Remove list elements from the highest index down, so that each index
	// names the element it named in the stored item.
	rank := func(p docPath) int {
		if last := p[len(p)-1]; last.isIdx {
			return -last.index
		}
		return math.MinInt
	}
	sort.SliceStable(removes, func(i, j int) bool { return rank(removes[i]) < rank(removes[j]) })
	for _, p := range removes {
		if err := removePath(work, p); err != nil {
			return nil, err
		}
	}
	for _, a := range u.add {
		cur, ok := a.p.lookup(work)
		if !ok {
			if err := setPath(work, a.p, clone(a.v)); err != nil {
				return nil, err
			}
			continue
		}
		next, err := addValues(cur, a.v)
		if err != nil {
			return nil, err
		}
		if err := setPath(work, a.p, next); err != nil {
			return nil, err
		}
	}
	for _, d := range u.del {
		cur, ok := d.p.lookup(work)
		if !ok {
			continue
		}
		if typeOf(cur) != typeOf(d.v) {
			return nil, wrongType()
		}
		next := setMinus(cur, d.v)
		if next == nil {
			if err := removePath(work, d.p); err != nil {
				return nil, err
			}
		} else if err := setPath(work, d.p, next); err != nil {
			return nil, err
		}
	}
	return work, nil
}

// returned are the paths UPDATED_OLD and UPDATED_NEW return: the paths the
// update writes, cut before their first list index (a changed list element
// returns its whole list).
func (u *updateExpr) returned() []docPath {
	var out []docPath
	for _, p := range u.targets() {
		for i, e := range p {
			if e.isIdx {
				p = p[:i]
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// targets are the paths an update writes.
func (u *updateExpr) targets() []docPath {
	var out []docPath
	for _, s := range u.set {
		out = append(out, s.p)
	}
	out = append(out, u.remove...)
	for _, a := range u.add {
		out = append(out, a.p)
	}
	for _, a := range u.del {
		out = append(out, a.p)
	}
	return out
}

func setOperandValue(o operand, base Item) (types.AttributeValue, error) {
	switch x := o.(type) {
	case opValue:
		return clone(x.v), nil
	case opPath:
		v, ok := x.p.lookup(base)
		if !ok {
			return nil, runtimeValidation("The provided expression refers to an attribute that does not exist in the item")
		}
		return clone(v), nil
	case opIfNotExists:
		if v, ok := x.p.lookup(base); ok {
			return clone(v), nil
		}
		return setOperandValue(x.def, base)
	case opListAppend:
		a, b, err := setOperandPair(x.a, x.b, base)
		if err != nil {
			return nil, err
		}
		la, ok1 := a.(*types.AttributeValueMemberL)
		lb, ok2 := b.(*types.AttributeValueMemberL)
		if !ok1 || !ok2 {
			return nil, wrongType()
		}
		return &types.AttributeValueMemberL{Value: append(append([]types.AttributeValue{}, la.Value...), lb.Value...)}, nil
	case opArith:
		a, b, err := setOperandPair(x.a, x.b, base)
		if err != nil {
			return nil, err
		}
		na, ok1 := a.(*types.AttributeValueMemberN)
		nb, ok2 := b.(*types.AttributeValueMemberN)
		if !ok1 || !ok2 {
			return nil, wrongType()
		}
		return sum(na.Value, nb.Value, x.minus)
	}
	return nil, validation("unsupported operand in update expression")
}

func setOperandPair(x, y operand, base Item) (a, b types.AttributeValue, err error) {
	if a, err = setOperandValue(x, base); err == nil {
		b, err = setOperandValue(y, base)
	}
	return a, b, err
}

// setPath writes v at p; the document holding p's last element must exist.
func setPath(it Item, p docPath, v types.AttributeValue) error {
	if len(p) == 1 {
		it[p[0].name] = v
		return nil
	}
	parent, ok := p[:len(p)-1].lookup(it)
	if !ok {
		return invalidDocPath()
	}
	last := p[len(p)-1]
	switch x := parent.(type) {
	case *types.AttributeValueMemberM:
		if last.isIdx {
			return invalidDocPath()
		}
		x.Value[last.name] = v
	case *types.AttributeValueMemberL:
		if !last.isIdx {
			return invalidDocPath()
		}
		if last.index < len(x.Value) {
			x.Value[last.index] = v
		} else {
			x.Value = append(x.Value, v)
		}
	default:
		return invalidDocPath()
	}
	return nil
}

// removePath deletes p if it exists; the document holding it must exist.
func removePath(it Item, p docPath) error {
	if len(p) == 1 {
		delete(it, p[0].name)
		return nil
	}
	parent, ok := p[:len(p)-1].lookup(it)
	if !ok {
		return invalidDocPath()
	}
	last := p[len(p)-1]
	switch x := parent.(type) {
	case *types.AttributeValueMemberM:
		if last.isIdx {
			return invalidDocPath()
		}
		delete(x.Value, last.name)
	case *types.AttributeValueMemberL:
		if !last.isIdx {
			return invalidDocPath()
		}
		if last.index < len(x.Value) {
			x.Value = append(x.Value[:last.index:last.index], x.Value[last.index+1:]...)
		}
	default:
		return invalidDocPath()
	}
	return nil
}

// addValues is ADD on an existing value: a sum of numbers or a union of sets.
func addValues(cur, v types.AttributeValue) (types.AttributeValue, error) {
	if typeOf(cur) != typeOf(v) {
		return nil, wrongType()
	}
	switch x := cur.(type) {
	case *types.AttributeValueMemberN:
		return sum(x.Value, v.(*types.AttributeValueMemberN).Value, false)
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: union(x.Value, v.(*types.AttributeValueMemberSS).Value, func(e string) string { return e })}, nil
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: union(x.Value, v.(*types.AttributeValueMemberNS).Value, func(e string) string { return mustNumber(e).String() })}, nil
	case *types.AttributeValueMemberBS:
		return &types.AttributeValueMemberBS{Value: union(x.Value, v.(*types.AttributeValueMemberBS).Value, func(e []byte) string { return string(e) })}, nil
	}
	return nil, wrongType()
}

// union appends to a set's elements those of add it does not have.
func union[T any](cur, add []T, key func(T) string) []T {
	out := append([]T(nil), cur...)
	have := map[string]bool{}
	for _, e := range cur {
		have[key(e)] = true
	}
	for _, e := range add {
		if !have[key(e)] {
			out = append(out, e)
			have[key(e)] = true
		}
	}
	return out
}

// minus returns a set's elements that drop does not hold.
func minus[T any](cur []T, drop map[string]struct{}, key func(T) string) []T {
	var out []T
	for _, e := range cur {
		if _, ok := drop[key(e)]; !ok {
			out = append(out, e)
		}
	}
	return out
}

// setMinus removes v's elements from the set cur; nil when none are left.
func setMinus(cur, v types.AttributeValue) types.AttributeValue {
	drop := setKeys(v)
	switch x := cur.(type) {
	case *types.AttributeValueMemberSS:
		if out := minus(x.Value, drop, func(e string) string { return e }); len(out) > 0 {
			return &types.AttributeValueMemberSS{Value: out}
		}
	case *types.AttributeValueMemberNS:
		if out := minus(x.Value, drop, func(e string) string { return mustNumber(e).String() }); len(out) > 0 {
			return &types.AttributeValueMemberNS{Value: out}
		}
	case *types.AttributeValueMemberBS:
		if out := minus(x.Value, drop, func(e []byte) string { return string(e) }); len(out) > 0 {
			return &types.AttributeValueMemberBS{Value: out}
		}
	}
	return nil
}

// sum adds (or subtracts) two stored numbers. Like DynamoDB (Local), the
// result keeps as many decimal places as the more precise operand, so
// 0.3 + -0.3 is "0.0"; numbers that come in from requests are stored
// without trailing zeros.
func sum(a, b string, sub bool) (types.AttributeValue, error) {
	r, err := mustNumber(a).add(mustNumber(b), sub)
	if err != nil {
		return nil, runtimeError{err}
	}
	return &types.AttributeValueMemberN{Value: r.plain(max(scale(a), scale(b)))}, nil
}

// scale is the number of decimal places of a stored (plain) number.
func scale(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}
