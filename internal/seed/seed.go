// Package seed loads the small demo dataset `make dev` creates the first
// time it starts, so a newcomer has something to look at. It is idempotent:
// a marker item records that the dataset exists, and later starts keep
// whatever the developer changed.
package seed

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
)

// Marker records when the demo dataset was created.
type Marker struct {
	store.Item
	CreatedAt time.Time `dynamo:"CreatedAt"`
	Dataset   string    `dynamo:"Dataset"`
}

// MarkerKey is the key of the marker item.
const (
	MarkerPK = "SEED#demo"
	MarkerSK = "SEED"
)

// Step adds part of the demo dataset. Domain packages contribute steps as
// they arrive (users, groups, threads, polls).
type Step func(ctx context.Context) error

// Run creates the dataset once. It reports whether it did (false when the
// marker already existed).
func Run(ctx context.Context, st storage, steps ...Step) (bool, error) {
	var m Marker
	err := st.Get(ctx, MarkerPK, MarkerSK, &m)
	if err == nil {
		return false, nil
	}
	if domain.ErrorCode(err) != domain.NotFound {
		return false, err
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return false, err
		}
	}
	m = Marker{Item: store.Item{PK: MarkerPK, SK: MarkerSK, Type: "seed"}, CreatedAt: time.Now().UTC(), Dataset: "demo/v1"}
	if err := st.Create(ctx, &m, nil); err != nil && domain.ErrorCode(err) != domain.Conflict {
		return false, err
	}
	return true, nil
}

// Created returns when the dataset was seeded.
func Created(ctx context.Context, st storage) (time.Time, error) {
	var m Marker
	if err := st.Get(ctx, MarkerPK, MarkerSK, &m); err != nil {
		return time.Time{}, err
	}
	return m.CreatedAt, nil
}
