package memdb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// This file parses DynamoDB's expression languages (condition, filter, key
// condition, update and projection expressions) into small trees; eval.go
// and update.go interpret them.

// Expression kinds, as DynamoDB names them in its error messages.
const (
	kindCondition  = "ConditionExpression"
	kindFilter     = "FilterExpression"
	kindKey        = "KeyConditionExpression"
	kindUpdate     = "UpdateExpression"
	kindProjection = "ProjectionExpression"
)

type pathElem struct {
	name  string
	index int
	isIdx bool
}

// docPath is a document path: a top-level attribute name followed by map
// keys and list indexes.
type docPath []pathElem

func (p docPath) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.isIdx {
			parts[i] = "[" + strconv.Itoa(e.index) + "]"
		} else {
			parts[i] = e.name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

type operand interface{ operand() }

type (
	opPath        struct{ p docPath }
	opValue       struct{ v types.AttributeValue }
	opSize        struct{ of operand }
	opIfNotExists struct {
		p   docPath
		def operand
	}
	opListAppend struct{ a, b operand }
	opArith      struct {
		minus bool
		a, b  operand
	}
)

func (opPath) operand()        {}
func (opValue) operand()       {}
func (opSize) operand()        {}
func (opIfNotExists) operand() {}
func (opListAppend) operand()  {}
func (opArith) operand()       {}

type cond interface{ cond() }

type (
	cCompare struct {
		op   string
		a, b operand
	}
	cBetween struct{ x, lo, hi operand }
	cIn      struct {
		x    operand
		list []operand
	}
	cFunc struct {
		name string
		args []operand
	}
	cAnd   struct{ a, b cond }
	cOr    struct{ a, b cond }
	cNot   struct{ c cond }
	cParen struct{ c cond }
)

func (cCompare) cond() {}
func (cBetween) cond() {}
func (cIn) cond()      {}
func (cFunc) cond()    {}
func (cAnd) cond()     {}
func (cOr) cond()      {}
func (cNot) cond()     {}
func (cParen) cond()   {}

// updateExpr is a parsed update expression.
type updateExpr struct {
	set    []setAction
	remove []docPath
	add    []valueAction
	del    []valueAction
}

type setAction struct {
	p docPath
	v operand
}

type valueAction struct {
	p docPath
	v types.AttributeValue
}

// env holds a request's ExpressionAttributeNames and Values and records
// which ones its expressions use (DynamoDB rejects unused ones).
type env struct {
	names      map[string]string
	values     map[string]types.AttributeValue
	usedNames  map[string]bool
	usedValues map[string]bool
	exprs      int
}

func newEnv(names map[string]string, values map[string]types.AttributeValue) (*env, error) {
	e := &env{names: names, values: map[string]types.AttributeValue{}, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	for _, k := range sortedKeys(values) {
		v, err := validateValue(values[k], 0)
		if err != nil {
			return nil, validation("ExpressionAttributeValues contains invalid value: %s for key %s", apiMessage(err), k)
		}
		e.values[k] = v
	}
	return e, nil
}

// finish reports names or values the request's expressions never used.
func (e *env) finish() error {
	if e.exprs == 0 {
		if len(e.names) > 0 {
			return validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if len(e.values) > 0 {
			return validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil
	}
	var unused []string
	for _, k := range sortedKeys(e.names) {
		if !e.usedNames[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	for _, k := range sortedKeys(e.values) {
		if !e.usedValues[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	return nil
}

// ---- lexer ----

type tokKind int

const (
	tkEOF tokKind = iota
	tkIdent
	tkName  // #placeholder
	tkValue // :placeholder
	tkInt
	tkLParen
	tkRParen
	tkLBrack
	tkRBrack
	tkComma
	tkDot
	tkCmp
	tkPlus
	tkMinus
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// single are the one-character tokens.
var single = [256]tokKind{'(': tkLParen, ')': tkRParen, '[': tkLBrack, ']': tkRBrack, ',': tkComma, '.': tkDot, '+': tkPlus, '-': tkMinus}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func lex(kind, src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			toks = append(toks, token{tkIdent, src[start:i], start})
		case c >= '0' && c <= '9':
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			toks = append(toks, token{tkInt, src[start:i], start})
		case c == '#' || c == ':':
			i++
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			if i == start+1 {
				return nil, syntaxError(kind, src, string(c), start)
			}
			k := tkName
			if c == ':' {
				k = tkValue
			}
			toks = append(toks, token{k, src[start:i], start})
		case single[c] != tkEOF:
			i++
			toks = append(toks, token{single[c], string(c), start})
		case c == '=':
			i++
			toks = append(toks, token{tkCmp, "=", start})
		case c == '<' || c == '>':
			i++
			if i < len(src) && (src[i] == '=' || (c == '<' && src[i] == '>')) {
				i++
			}
			toks = append(toks, token{tkCmp, src[start:i], start})
		default:
			return nil, exprError(kind, "Invalid character encountered; character: %q, position: %d", string(c), start+1)
		}
	}
	return append(toks, token{tkEOF, "<EOF>", len(src)}), nil
}

func syntaxError(kind, src, tok string, pos int) error {
	near := src[max(0, pos-10):min(len(src), pos+10)]
	return exprError(kind, "Syntax error; token: %q, near: %q", tok, near)
}

// ---- parser ----

type parser struct {
	kind string
	src  string
	toks []token
	i    int
	env  *env
}

func newParser(kind, src string, e *env) (*parser, error) {
	toks, err := lex(kind, src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, exprError(kind, "The expression can not be empty;")
	}
	e.exprs++
	return &parser{kind: kind, src: src, toks: toks, env: e}, nil
}

func (p *parser) peek() token  { return p.toks[p.i] }
func (p *parser) peek2() token { return p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token) error { return syntaxError(p.kind, p.src, t.text, t.pos) }

func (p *parser) expect(k tokKind) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.errAt(t)
	}
	return t, nil
}

func (p *parser) keyword(word string) bool {
	t := p.peek()
	return t.kind == tkIdent && strings.EqualFold(t.text, word)
}

func (p *parser) end() error {
	if t := p.peek(); t.kind != tkEOF {
		return p.errAt(t)
	}
	return nil
}

// path parses a document path.
func (p *parser) path() (docPath, error) {
	var out docPath
	name, err := p.pathName()
	if err != nil {
		return nil, err
	}
	out = append(out, pathElem{name: name})
	for {
		switch p.peek().kind {
		case tkDot:
			p.next()
			name, err := p.pathName()
			if err != nil {
				return nil, err
			}
			out = append(out, pathElem{name: name})
		case tkLBrack:
			p.next()
			t, err := p.expect(tkInt)
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(t.text)
			if err != nil {
				return nil, exprError(p.kind, "List index is too large; index: %s", t.text)
			}
			if _, err := p.expect(tkRBrack); err != nil {
				return nil, err
			}
			out = append(out, pathElem{index: n, isIdx: true})
		default:
			if len(out) > 32 {
				return nil, exprError(p.kind, "The document path has too many nesting levels; nesting levels: %d", len(out))
			}
			return out, nil
		}
	}
}

func (p *parser) pathName() (string, error) {
	t := p.next()
	switch t.kind {
	case tkIdent:
		if reserved[strings.ToUpper(t.text)] {
			return "", exprError(p.kind, "Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		return t.text, nil
	case tkName:
		name, ok := p.env.names[t.text]
		if !ok {
			return "", exprError(p.kind, "An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.env.usedNames[t.text] = true
		return name, nil
	}
	return "", p.errAt(t)
}

func (p *parser) value() (opValue, error) {
	t := p.next()
	if t.kind != tkValue {
		return opValue{}, p.errAt(t)
	}
	v, ok := p.env.values[t.text]
	if !ok {
		return opValue{}, exprError(p.kind, "An expression attribute value used in expression is not defined; attribute value: %s", t.text)
	}
	p.env.usedValues[t.text] = true
	return opValue{v: v}, nil
}

func (p *parser) isCall() bool { return p.peek().kind == tkIdent && p.peek2().kind == tkLParen }

// parseCondition parses a condition or filter expression.
func parseCondition(kind, src string, e *env) (cond, error) {
	p, err := newParser(kind, src, e)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	return c, p.end()
}

func (p *parser) or() (cond, error) {
	a, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		p.next()
		b, err := p.and()
		if err != nil {
			return nil, err
		}
		a = cOr{a, b}
	}
	return a, nil
}

func (p *parser) and() (cond, error) {
	a, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		p.next()
		b, err := p.not()
		if err != nil {
			return nil, err
		}
		a = cAnd{a, b}
	}
	return a, nil
}

func (p *parser) not() (cond, error) {
	if p.keyword("NOT") {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return cNot{c}, nil
	}
	return p.primary()
}

var condFuncs = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
}

var validTypes = map[string]bool{typS: true, typN: true, typB: true, typSS: true, typNS: true, typBS: true,
	typM: true, typL: true, typNULL: true, typBOOL: true}

func (p *parser) primary() (cond, error) {
	if p.peek().kind == tkLParen {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tkRParen); err != nil {
			return nil, err
		}
		if _, nested := c.(cParen); nested {
			return nil, exprError(p.kind, "The expression has redundant parentheses;")
		}
		return cParen{c}, nil
	}
	if p.isCall() {
		if _, ok := condFuncs[p.peek().text]; ok {
			return p.condFunc()
		}
	}
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch t := p.peek(); {
	case t.kind == tkCmp:
		p.next()
		b, err := p.operand()
		if err != nil {
			return nil, err
		}
		if t.text != "=" && t.text != "<>" {
			if err := p.orderable(t.text, a, b); err != nil {
				return nil, err
			}
		}
		return cCompare{op: t.text, a: a, b: b}, nil
	case p.keyword("BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !p.keyword("AND") {
			return nil, p.errAt(p.peek())
		}
		p.next()
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := p.orderable("BETWEEN", a, lo, hi); err != nil {
			return nil, err
		}
		lv, lok := lo.(opValue)
		hv, hok := hi.(opValue)
		if lok && hok {
			if c, ok := compare(lv.v, hv.v); ok && c > 0 {
				return nil, exprError(p.kind, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}", describe(lv.v), describe(hv.v))
			}
		}
		return cBetween{x: a, lo: lo, hi: hi}, nil
	case p.keyword("IN"):
		p.next()
		if _, err := p.expect(tkLParen); err != nil {
			return nil, err
		}
		var list []operand
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			if p.peek().kind != tkComma {
				break
			}
			p.next()
		}
		if _, err := p.expect(tkRParen); err != nil {
			return nil, err
		}
		if len(list) > 100 {
			return nil, exprError(p.kind, "The IN operator is provided with too many operands; number of operands: %d", len(list))
		}
		return cIn{x: a, list: list}, nil
	default:
		return nil, p.errAt(t)
	}
}

// orderable rejects literal operands of <, <=, >, >= and BETWEEN that are
// not numbers, strings or binaries.
func (p *parser) orderable(op string, ops ...operand) error {
	for _, o := range ops {
		if v, ok := o.(opValue); ok {
			switch typeOf(v.v) {
			case typS, typN, typB:
			default:
				return exprError(p.kind, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, typeOf(v.v))
			}
		}
	}
	return nil
}

func (p *parser) condFunc() (cond, error) {
	name := p.next().text
	p.next() // (
	var args []operand
	for p.peek().kind != tkRParen {
		if len(args) > 0 {
			if _, err := p.expect(tkComma); err != nil {
				return nil, err
			}
		}
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
	}
	p.next()
	if len(args) != condFuncs[name] {
		return nil, exprError(p.kind, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
	}
	if _, ok := args[0].(opPath); !ok {
		return nil, exprError(p.kind, "Operator or function requires a document path; operator or function: %s", name)
	}
	switch name {
	case "attribute_type":
		v, ok := args[1].(opValue)
		if !ok {
			return nil, exprError(p.kind, "Incorrect operand type for operator or function; operator or function: %s", name)
		}
		s, isS := v.v.(*types.AttributeValueMemberS)
		if !isS || !validTypes[s.Value] {
			return nil, exprError(p.kind, "Invalid attribute type name found; type: %s, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }", describe(v.v))
		}
	case "begins_with":
		if v, ok := args[1].(opValue); ok {
			if t := typeOf(v.v); t != typS && t != typB {
				return nil, exprError(p.kind, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", t)
			}
		}
	}
	return cFunc{name: name, args: args}, nil
}

// operand parses a path, a value or size(path).
func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tkValue:
		return p.value()
	case p.isCall():
		name := t.text
		if name != "size" {
			if _, ok := condFuncs[name]; ok || name == "if_not_exists" || name == "list_append" {
				return nil, exprError(p.kind, "The function is not allowed to be used this way in an expression; function: %s", name)
			}
			return nil, exprError(p.kind, "Invalid function name; function: %s", name)
		}
		p.next()
		p.next()
		arg, err := p.operand()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tkRParen); err != nil {
			return nil, err
		}
		if v, ok := arg.(opValue); ok {
			if t := typeOf(v.v); t == typN || t == typBOOL || t == typNULL {
				return nil, exprError(p.kind, "Incorrect operand type for operator or function; operator or function: size, operand type: %s", t)
			}
		}
		return opSize{arg}, nil
	case t.kind == tkIdent || t.kind == tkName:
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return opPath{p: path}, nil
	}
	return nil, p.errAt(p.next())
}

// parseProjection parses a projection expression (paths separated by commas).
func parseProjection(src string, e *env) ([]docPath, error) {
	p, err := newParser(kindProjection, src, e)
	if err != nil {
		return nil, err
	}
	var paths []docPath
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
		if p.peek().kind != tkComma {
			break
		}
		p.next()
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return paths, checkOverlaps(kindProjection, paths)
}

// parseUpdate parses an update expression.
func parseUpdate(src string, e *env) (*updateExpr, error) {
	p, err := newParser(kindUpdate, src, e)
	if err != nil {
		return nil, err
	}
	u := &updateExpr{}
	seen := map[string]bool{}
	for p.peek().kind != tkEOF {
		t := p.next()
		clause := strings.ToUpper(t.text)
		if t.kind != tkIdent || (clause != "SET" && clause != "REMOVE" && clause != "ADD" && clause != "DELETE") {
			return nil, p.errAt(t)
		}
		if seen[clause] {
			return nil, exprError(kindUpdate, "The %q section can only be used once in an update expression;", clause)
		}
		seen[clause] = true
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			switch clause {
			case "SET":
				if t, err := p.expect(tkCmp); err != nil || t.text != "=" {
					return nil, p.errAt(t)
				}
				v, err := p.setValue()
				if err != nil {
					return nil, err
				}
				u.set = append(u.set, setAction{p: path, v: v})
			case "REMOVE":
				u.remove = append(u.remove, path)
			case "ADD", "DELETE":
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				typ := typeOf(v.v)
				ok := typ == typSS || typ == typNS || typ == typBS || (clause == "ADD" && typ == typN)
				if !ok {
					return nil, exprError(kindUpdate, "Incorrect operand type for operator or function; operator: %s, operand type: %s", clause, longType(typ))
				}
				a := valueAction{p: path, v: v.v}
				if clause == "ADD" {
					u.add = append(u.add, a)
				} else {
					u.del = append(u.del, a)
				}
			}
			if p.peek().kind != tkComma {
				break
			}
			p.next()
		}
	}
	var all []docPath
	for _, s := range u.set {
		all = append(all, s.p)
	}
	all = append(all, u.remove...)
	for _, a := range u.add {
		all = append(all, a.p)
	}
	for _, a := range u.del {
		all = append(all, a.p)
	}
	return u, checkOverlaps(kindUpdate, all)
}

func (p *parser) setValue() (operand, error) {
	a, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	if k := p.peek().kind; k == tkPlus || k == tkMinus {
		p.next()
		b, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		op := "+"
		if k == tkMinus {
			op = "-"
		}
		for _, o := range []operand{a, b} {
			if v, ok := o.(opValue); ok && typeOf(v.v) != typN {
				return nil, exprError(kindUpdate, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, longType(typeOf(v.v)))
			}
		}
		return opArith{minus: k == tkMinus, a: a, b: b}, nil
	}
	return a, nil
}

func (p *parser) setOperand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tkValue:
		return p.value()
	case p.isCall():
		p.next()
		p.next()
		switch t.text {
		case "if_not_exists":
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tkComma); err != nil {
				return nil, err
			}
			def, err := p.setOperand()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tkRParen); err != nil {
				return nil, err
			}
			return opIfNotExists{p: path, def: def}, nil
		case "list_append":
			a, err := p.setOperand()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tkComma); err != nil {
				return nil, err
			}
			b, err := p.setOperand()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tkRParen); err != nil {
				return nil, err
			}
			for _, o := range []operand{a, b} {
				if v, ok := o.(opValue); ok && typeOf(v.v) != typL {
					return nil, exprError(kindUpdate, "Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", longType(typeOf(v.v)))
				}
			}
			return opListAppend{a: a, b: b}, nil
		}
		if _, ok := condFuncs[t.text]; ok || t.text == "size" {
			return nil, exprError(kindUpdate, "The function is not allowed in an update expression; function: %s", t.text)
		}
		return nil, exprError(kindUpdate, "Invalid function name; function: %s", t.text)
	case t.kind == tkIdent || t.kind == tkName:
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return opPath{p: path}, nil
	}
	return nil, p.errAt(p.next())
}

// checkOverlaps rejects two paths of which one contains the other, or that
// address the same document once as a map and once as a list.
func checkOverlaps(kind string, paths []docPath) error {
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			a, b := paths[i], paths[j]
			n := min(len(a), len(b))
			k := 0
			for k < n && a[k] == b[k] {
				k++
			}
			if k == n {
				return exprError(kind, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			}
			if a[k].isIdx != b[k].isIdx {
				return exprError(kind, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			}
		}
	}
	return nil
}

// longType is the type name DynamoDB uses in some update messages.
func longType(t string) string {
	switch t {
	case typS:
		return "STRING"
	case typN:
		return "NUMBER"
	case typB:
		return "BINARY"
	case typSS:
		return "STRING_SET"
	case typNS:
		return "NUMBER_SET"
	case typBS:
		return "BINARY_SET"
	case typM:
		return "MAP"
	case typL:
		return "LIST"
	case typNULL:
		return "NULL"
	case typBOOL:
		return "BOOLEAN"
	}
	return t
}

// describe renders a value for error messages ({S:x}).
func describe(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + x.Value
	case *types.AttributeValueMemberN:
		return "N:" + x.Value
	}
	return typeOf(v) + ":" + fmt.Sprint(v)
}

// apiMessage returns the message of an API error (for nesting it in another).
func apiMessage(err error) string {
	type messager interface{ ErrorMessage() string }
	if m, ok := err.(messager); ok {
		return m.ErrorMessage()
	}
	return err.Error()
}
