package discussion_test

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/metering"
)

// BenchmarkGuestFlows counts the DynamoDB calls of what a thread's guest
// and the admins who add them do (pattern 30: the grants are the group
// core's, read and built through it): adding and removing a guest, the
// guest list, the thread and the dashboard as the guest sees them.
func BenchmarkGuestFlows(b *testing.B) {
	f := newFixture(b)
	alice, _ := f.user("Alice")
	carol, carolID := f.user("Carol")
	_, danID := f.user("Dan")
	gid := f.group(alice, authz.Secret)
	th := f.thread(alice, gid, "Guests welcome")
	f.must(f.svc.AddGuest(alice, th.ID, carolID))
	run := func(name string, actor context.Context, op func(ctx context.Context) error) {
		b.Run(name, func(b *testing.B) {
			ctx, m := metering.NewContext(actor)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := op(ctx); err != nil {
					b.Fatal(err)
				}
			}
			reportMeter(b, m)
		})
	}
	run("add+remove", alice, func(ctx context.Context) error {
		if err := f.svc.AddGuest(ctx, th.ID, danID); err != nil {
			return err
		}
		return f.svc.RemoveGuest(ctx, th.ID, danID)
	})
	run("list", alice, func(ctx context.Context) error {
		gs, err := f.svc.Guests(ctx, th.ID)
		if err == nil && len(gs) != 1 {
			b.Fatalf("%d guests, want 1", len(gs))
		}
		return err
	})
	run("thread-as-guest", carol, func(ctx context.Context) error {
		_, err := f.svc.Thread(ctx, th.ID)
		return err
	})
	run("dashboard-as-guest", carol, func(ctx context.Context) error {
		ts, err := f.svc.Dashboard(ctx, 20)
		if err == nil && len(ts) != 1 {
			b.Fatalf("dashboard shows %d threads, want the one she is a guest of", len(ts))
		}
		return err
	})
}
