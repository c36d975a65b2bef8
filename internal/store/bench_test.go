package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// reportMeter adds per-operation DynamoDB calls and capacity units to the
// benchmark output next to ns/op (make bench prints them as a table).
func reportMeter(b *testing.B, m *metering.Meter) {
	s := m.Snapshot()
	b.ReportMetric(float64(s.DynamoDBCalls)/float64(b.N), "ddb-calls/op")
	b.ReportMetric(s.ReadUnits/float64(b.N), "rcu/op")
	b.ReportMetric(s.WriteUnits/float64(b.N), "wcu/op")
}

func BenchmarkCreate(b *testing.B) {
	s, _ := newStore(b)
	ctx, m := metering.NewContext(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Create(ctx, newNote("bench", fmt.Sprint(i), "x"), nil); err != nil {
			b.Fatal(err)
		}
	}
	reportMeter(b, m)
}

func BenchmarkGet(b *testing.B) {
	s, _ := newStore(b)
	n := newNote("bench", "get", "x")
	_ = s.Create(context.Background(), n, nil)
	ctx, m := metering.NewContext(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var got note
		if err := s.Get(ctx, n.PK, n.SK, &got); err != nil {
			b.Fatal(err)
		}
	}
	reportMeter(b, m)
}

func BenchmarkSaveVersioned(b *testing.B) {
	s, _ := newStore(b)
	n := newNote("bench", "save", "x")
	_ = s.Create(context.Background(), n, nil)
	ctx, m := metering.NewContext(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n.Title = fmt.Sprint(i)
		if err := s.Save(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
	reportMeter(b, m)
}

func BenchmarkTransaction3Items(b *testing.B) {
	s, _ := newStore(b)
	ctx, m := metering.NewContext(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.Tx().
			Create(newNote("bench-tx", fmt.Sprint(i), "a"), nil).
			Put(newNote("bench-tx2", fmt.Sprint(i), "b")).
			Update(s.Update("bench-counter", "C").Add("N", 1), nil).
			Run(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
	}
	reportMeter(b, m)
}

func BenchmarkQueryPage25(b *testing.B) {
	s, _ := newStore(b)
	for i := 0; i < 60; i++ {
		_ = s.Create(context.Background(), newNote("bench-q", fmt.Sprintf("%03d", i), "x"), nil)
	}
	ctx, m := metering.NewContext(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := store.QueryPage[note](ctx, s, s.Table().Get(tabledef.PK, "NOTEGROUP#bench-q"), "bench", "", 25)
		if err != nil || len(p.Items) != 25 {
			b.Fatal(err, len(p.Items))
		}
	}
	reportMeter(b, m)
}
