package group_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// OnMemberLeft runs once per successful leave or removal, with the person
// who is gone; never for a refused one; its error does not undo the leave.
func TestOnMemberLeftHook(t *testing.T) {
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	var mu sync.Mutex
	var calls []string
	f := &fixture{t: t, env: env, st: st, people: testkit.NewDirectory(), tag: env.Prefix, clock: testkit.NewLiveClock()}
	f.svc = group.New(group.Config{Store: st, People: f.people, SigningKey: env.Config.SigningKey, Now: f.clock.Now,
		OnMemberLeft: func(_ context.Context, gid, uid string) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, gid+"/"+uid)
			return errors.New("hook failure is only logged")
		}})
	alice, _ := f.user("Alice")
	bob, bp := f.user("Bob")
	carol, cp := f.user("Carol")
	g := f.create(alice, "Hooked", authz.Open)
	for _, ctx := range []context.Context{bob, carol} {
		_, err := f.svc.Join(ctx, g.ID)
		f.must(err)
	}
	f.must(f.svc.Leave(bob, g.ID))
	f.must(f.svc.RemoveMember(alice, g.ID, cp.ID))
	if err := f.svc.Leave(alice, g.ID); !errors.Is(err, group.ErrLastAdmin) {
		t.Fatalf("last admin left: %v", err)
	}
	if err := f.svc.RemoveMember(alice, g.ID, cp.ID); err == nil {
		t.Fatal("removed twice")
	}
	_ = carol
	mu.Lock()
	defer mu.Unlock()
	want := []string{g.ID + "/" + bp.ID, g.ID + "/" + cp.ID}
	if len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("hook calls %v, want %v", calls, want)
	}
}
