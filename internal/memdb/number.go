package memdb

import (
	"math/big"
	"strings"
)

// number is a DynamoDB number: an exact decimal of up to 38 significant
// digits with a magnitude between 1e-130 and 1e126. It is stored as
// coef × 10^exp with no trailing zeros in coef, so equal values have equal
// representations.
type number struct {
	coef big.Int // signed; zero has exp 0
	exp  int
}

const (
	maxDigits = 38
	maxExp    = 125  // the most significant digit's exponent
	minExp    = -130 // the most significant digit's exponent
)

var bigTen = big.NewInt(10)

// parseNumber reads a number in the forms DynamoDB accepts (sign, digits,
// fraction, exponent) and checks its precision and range.
func parseNumber(s string) (number, error) {
	var n number
	if s == "" {
		return n, validation("A value provided cannot be converted into a number")
	}
	body, exp := s, 0
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		e, ok := parseExp(body[i+1:])
		if !ok {
			return n, validation("A value provided cannot be converted into a number")
		}
		exp, body = e, body[:i]
	}
	neg := false
	switch {
	case strings.HasPrefix(body, "-"):
		neg, body = true, body[1:]
	case strings.HasPrefix(body, "+"):
		body = body[1:]
	}
	intPart, frac, _ := strings.Cut(body, ".")
	digits := intPart + frac
	if digits == "" || strings.Count(body, ".") > 1 {
		return n, validation("A value provided cannot be converted into a number")
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return n, validation("A value provided cannot be converted into a number")
		}
	}
	exp -= len(frac)
	digits = strings.TrimLeft(digits, "0")
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	if trimmed == "" {
		return number{}, nil
	}
	if len(trimmed) > maxDigits {
		return n, validation("Attempting to store more than 38 significant digits in a Number")
	}
	n.coef.SetString(trimmed, 10)
	if neg {
		n.coef.Neg(&n.coef)
	}
	n.exp = exp
	return n, n.checkRange()
}

func parseExp(s string) (int, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" || len(s) > 6 {
		return 0, false
	}
	e := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		e = e*10 + int(c-'0')
	}
	if neg {
		e = -e
	}
	return e, true
}

func (n number) digits() int {
	if n.coef.Sign() == 0 {
		return 0
	}
	return len(new(big.Int).Abs(&n.coef).String())
}

func (n number) checkRange() error {
	if n.coef.Sign() == 0 {
		return nil
	}
	d := n.digits()
	if d > maxDigits {
		return validation("Attempting to store more than 38 significant digits in a Number")
	}
	msd := n.exp + d - 1
	if msd > maxExp {
		return validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
	}
	if msd < minExp {
		return validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return nil
}

// normalize strips trailing zeros from coef.
func (n *number) normalize() {
	if n.coef.Sign() == 0 {
		n.exp = 0
		return
	}
	var q, r big.Int
	for {
		q.QuoRem(&n.coef, bigTen, &r)
		if r.Sign() != 0 {
			return
		}
		n.coef.Set(&q)
		n.exp++
	}
}

// scaled returns n's coefficient at exponent exp (exp <= n.exp).
func (n number) scaled(exp int) *big.Int {
	c := new(big.Int).Set(&n.coef)
	if d := n.exp - exp; d > 0 {
		c.Mul(c, new(big.Int).Exp(bigTen, big.NewInt(int64(d)), nil))
	}
	return c
}

func (n number) cmp(m number) int {
	e := min(n.exp, m.exp)
	return n.scaled(e).Cmp(m.scaled(e))
}

// add returns n+m (or n-m when sub), checking the result's range.
func (n number) add(m number, sub bool) (number, error) {
	e := min(n.exp, m.exp)
	a, b := n.scaled(e), m.scaled(e)
	var r number
	if sub {
		r.coef.Sub(a, b)
	} else {
		r.coef.Add(a, b)
	}
	r.exp = e
	r.normalize()
	if err := r.checkRange(); err != nil {
		return number{}, err
	}
	return r, nil
}

// String renders n in plain notation without an exponent, as DynamoDB
// returns numbers.
func (n number) String() string {
	if n.coef.Sign() == 0 {
		return "0"
	}
	s := n.coef.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	switch {
	case n.exp >= 0:
		s += strings.Repeat("0", n.exp)
	case -n.exp < len(s):
		s = s[:len(s)+n.exp] + "." + s[len(s)+n.exp:]
	default:
		s = "0." + strings.Repeat("0", -n.exp-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

// size is the number's storage size in bytes as DynamoDB counts it: one
// byte per two significant digits plus one (plus one for a negative sign).
func (n number) size() int {
	d := n.digits()
	s := (d+1)/2 + 1
	if n.coef.Sign() < 0 {
		s++
	}
	return s
}

// plain renders n with at least places decimal places.
func (n number) plain(places int) string {
	s := n.String()
	have := scale(s)
	if have >= places {
		return s
	}
	if have == 0 {
		s += "."
	}
	return s + strings.Repeat("0", places-have)
}
