package store

import (
	"context"
	"errors"
	"time"
)

// Sweep is one resumable scan over the items of one owner (partition keys
// starting with Prefix) that match Filter (with Args), for erasure work on
// items that have no index by person: every matching item is handed to the
// caller's function, a page at a time. Progress (the scan's cursor) is kept
// in the item (ProgressPK, ProgressSK), kind erase_scan, until the scan has
// passed the end of the table; it expires at Expires.
type Sweep struct {
	Prefix, Filter         string
	Args                   []any
	ProgressPK, ProgressSK string
	Expires                time.Time
	// Page bounds the items one step evaluates (one Scan request).
	Page int
}

// sweepProgress is a sweep's cursor (kind erase_scan).
type sweepProgress struct {
	Item
	Cursor string `dynamo:"Cursor"`
}

// SweepStep does one step of sw: one page of the scan from where the last
// step stopped, fn for each matching item (fn must be idempotent: a step
// interrupted after some calls is repeated), then the cursor is saved. It
// reports done once the scan has passed the end of the table, and then
// deletes its progress item.
func SweepStep[T any](ctx context.Context, s Sweeper, sw Sweep, fn func(context.Context, T) error) (bool, error) {
	var prog sweepProgress
	if err := s.Get(ctx, sw.ProgressPK, sw.ProgressSK, &prog); err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	found, next, err := ScanStep[T](ctx, s, sw.Prefix, sw.Filter, sw.Args, prog.Cursor, sw.Page)
	if err != nil {
		return false, err
	}
	for _, it := range found {
		if err := fn(ctx, it); err != nil {
			return false, err
		}
	}
	if next == "" {
		return true, s.Delete(ctx, sw.ProgressPK, sw.ProgressSK)
	}
	it := &sweepProgress{Item: Item{PK: sw.ProgressPK, SK: sw.ProgressSK, Type: "erase_scan"}, Cursor: next}
	it.ExpireAt(sw.Expires)
	return false, s.Tx().Put(it).Run(ctx, "")
}
