package seed_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/quorum-app/quorum/internal/seed"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// The demo dataset is created once; later starts keep it and run no step.
func TestRunOnce(t *testing.T) {
	env := testcloud.New(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	ctx := context.Background()
	runs := 0
	step := func(context.Context) error { runs++; return nil }
	first, err := seed.Run(ctx, st, step, step)
	if err != nil || !first || runs != 2 {
		t.Fatalf("first run: seeded=%v runs=%d err=%v", first, runs, err)
	}
	created, err := seed.Created(ctx, st)
	if err != nil || created.IsZero() {
		t.Fatalf("marker: %v %v", created, err)
	}
	again, err := seed.Run(ctx, st, step)
	if err != nil || again || runs != 2 {
		t.Fatalf("second run: seeded=%v runs=%d err=%v", again, runs, err)
	}
	if c2, _ := seed.Created(ctx, st); !c2.Equal(created) {
		t.Fatalf("marker changed: %v -> %v", created, c2)
	}
}

// A failing step leaves no marker, so the next start tries again.
func TestFailedSeedRetries(t *testing.T) {
	env := testcloud.New(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	ctx := context.Background()
	boom := errors.New("boom")
	if _, err := seed.Run(ctx, st, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	ok, err := seed.Run(ctx, st, func(context.Context) error { return nil })
	if err != nil || !ok {
		t.Fatalf("retry: %v %v", ok, err)
	}
}
