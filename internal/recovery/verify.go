package recovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// VerifyInput names two tables to compare, optionally one scope only.
type VerifyInput struct {
	A, B string
	// Scope, when set, compares only that group's (or thread's) items.
	Scope *Scope
	// IncludeExpired compares items past their TTL too (by default both
	// sides leave them out: the application treats them as absent).
	IncludeExpired bool
	// MaxListed bounds the keys listed per kind of difference (default 50).
	MaxListed int
	Now       func() time.Time
}

// VerifyReport is the comparison of two tables.
type VerifyReport struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Scope string `json:"scope"`
	// Counts per entity in each table.
	CountsA map[string]int `json:"countsA"`
	CountsB map[string]int `json:"countsB"`
	// Items only in A, only in B, and in both with different content:
	// totals, and up to MaxListed keys each.
	OnlyInA     int   `json:"onlyInA"`
	OnlyInB     int   `json:"onlyInB"`
	Different   int   `json:"different"`
	OnlyInAKeys []Key `json:"onlyInAKeys,omitempty"`
	OnlyInBKeys []Key `json:"onlyInBKeys,omitempty"`
	DiffKeys    []Key `json:"differentKeys,omitempty"`
	Same        int   `json:"same"`
}

// Equal reports whether the two sides hold the same items.
func (r *VerifyReport) Equal() bool { return r.OnlyInA+r.OnlyInB+r.Different == 0 }

type digest struct {
	hash   string
	entity string
}

// Verify compares two tables (a full scan of each, in parallel segments) or
// one scope in both: counts per entity and a hash per item.
func Verify(ctx context.Context, db DynamoDB, in VerifyInput) (*VerifyReport, error) {
	if in.A == "" || in.B == "" {
		return nil, errors.New("name two tables to compare")
	}
	if in.MaxListed <= 0 {
		in.MaxListed = 50
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	t := now()
	read := func(table string) (map[Key]digest, error) {
		out := map[Key]digest{}
		keep := func(it Item) {
			if in.IncludeExpired || !expired(it, t) {
				out[keyOf(it)] = digest{Hash(it), entity(it)}
			}
		}
		if in.Scope != nil {
			c, err := collect(ctx, db, table, *in.Scope)
			if errors.Is(err, ErrNotInTable) {
				return out, nil // all of it only on the other side
			}
			if err != nil {
				return nil, err
			}
			for _, it := range c.items {
				keep(it)
			}
			return out, nil
		}
		var mu sync.Mutex
		err := scanAll(ctx, db, table, func(it Item) {
			mu.Lock()
			keep(it)
			mu.Unlock()
		})
		return out, err
	}
	a, err := read(in.A)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.A, err)
	}
	b, err := read(in.B)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.B, err)
	}
	r := &VerifyReport{A: in.A, B: in.B, Scope: "whole table", CountsA: map[string]int{}, CountsB: map[string]int{}}
	if in.Scope != nil {
		r.Scope = in.Scope.String()
	}
	for k, da := range a {
		r.CountsA[da.entity]++
		db, ok := b[k]
		switch {
		case !ok:
			r.OnlyInA++
			r.OnlyInAKeys = append(r.OnlyInAKeys, k)
		case db.hash != da.hash:
			r.Different++
			r.DiffKeys = append(r.DiffKeys, k)
		default:
			r.Same++
		}
	}
	for k, db := range b {
		r.CountsB[db.entity]++
		if _, ok := a[k]; !ok {
			r.OnlyInB++
			r.OnlyInBKeys = append(r.OnlyInBKeys, k)
		}
	}
	for _, ks := range []*[]Key{&r.OnlyInAKeys, &r.OnlyInBKeys, &r.DiffKeys} {
		sort.Slice(*ks, func(i, j int) bool { return (*ks)[i].String() < (*ks)[j].String() })
		if len(*ks) > in.MaxListed {
			*ks = (*ks)[:in.MaxListed]
		}
	}
	return r, nil
}

// scanSegments is the parallelism of a full-table scan.
const scanSegments = 4

func scanAll(ctx context.Context, db DynamoDB, table string, f func(Item)) error {
	var wg sync.WaitGroup
	errs := make([]error, scanSegments)
	for seg := range scanSegments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(scanSegments)}
			for {
				page, err := db.Scan(ctx, in)
				if err != nil {
					errs[seg] = err
					return
				}
				for _, it := range page.Items {
					f(it)
				}
				if len(page.LastEvaluatedKey) == 0 {
					return
				}
				in.ExclusiveStartKey = page.LastEvaluatedKey
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Print writes the report for an operator.
func (r *VerifyReport) Print(w io.Writer) {
	fmt.Fprintf(w, "Compared %s of %s (A) and %s (B)\n", r.Scope, r.A, r.B)
	ents := map[string]bool{}
	for e := range r.CountsA {
		ents[e] = true
	}
	for e := range r.CountsB {
		ents[e] = true
	}
	names := make([]string, 0, len(ents))
	for e := range ents {
		names = append(names, e)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "  %-24s %9s %9s\n", "entity", "A", "B")
	for _, e := range names {
		mark := ""
		if r.CountsA[e] != r.CountsB[e] {
			mark = "  <- differs"
		}
		fmt.Fprintf(w, "  %-24s %9d %9d%s\n", e, r.CountsA[e], r.CountsB[e], mark)
	}
	fmt.Fprintf(w, "  items: %d identical, %d only in A, %d only in B, %d different\n", r.Same, r.OnlyInA, r.OnlyInB, r.Different)
	for _, l := range []struct {
		what string
		keys []Key
		n    int
	}{{"only in A", r.OnlyInAKeys, r.OnlyInA}, {"only in B", r.OnlyInBKeys, r.OnlyInB}, {"different", r.DiffKeys, r.Different}} {
		for _, k := range l.keys {
			fmt.Fprintf(w, "    %s: %s\n", l.what, k)
		}
		if l.n > len(l.keys) {
			fmt.Fprintf(w, "    %s: ... and %d more\n", l.what, l.n-len(l.keys))
		}
	}
	if r.Equal() {
		fmt.Fprintln(w, "  OK: both hold the same items")
	} else {
		fmt.Fprintln(w, "  DIFFERENT")
	}
}
