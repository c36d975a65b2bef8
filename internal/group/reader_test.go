package group_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/store"
)

type probe struct{ store.Item }

// What other cores ask the group core about memberships answers from the
// stored rows, and the keys, decoders and conditions they use inside their
// own reads and transactions find the same rows.
func TestMembersReader(t *testing.T) {
	f := newFixture(t)
	alice, a := f.user("Alice")
	bob, b := f.user("Bob")
	_, c := f.user("Carol")
	g := f.create(alice, "Readers "+f.tag, authz.Open)
	if _, err := f.svc.Join(bob, g.ID); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	roles, err := f.svc.Roles(ctx, g.ID, []string{a.ID, b.ID, c.ID, "not an id!"})
	f.must(err)
	if want := map[string]authz.Role{a.ID: authz.RoleAdmin, b.ID: authz.RoleMember}; !maps.Equal(roles, want) {
		t.Errorf("Roles = %v, want %v", roles, want)
	}
	for uid, want := range map[string]bool{a.ID: true, b.ID: true, c.ID: false, "": false} {
		if got, err := f.svc.IsMember(ctx, g.ID, uid); err != nil || got != want {
			t.Errorf("IsMember(%q) = %v, %v; want %v", uid, got, err, want)
		}
	}
	all, err := f.svc.MemberIDs(ctx, g.ID)
	f.must(err)
	slices.Sort(all)
	if want := []string{a.ID, b.ID}; !slices.Equal(all, want) {
		t.Errorf("MemberIDs = %v, want %v", all, want)
	}
	admins, err := f.svc.Admins(ctx, g.ID)
	f.must(err)
	if !slices.Equal(admins, []string{a.ID}) {
		t.Errorf("Admins = %v, want [%s]", admins, a.ID)
	}
	gids, err := f.svc.GroupsOf(ctx, b.ID, 10)
	f.must(err)
	if !slices.Equal(gids, []string{g.ID}) {
		t.Errorf("GroupsOf(bob) = %v, want [%s]", gids, g.ID)
	}
	if gids, err := f.svc.GroupsOf(ctx, c.ID, 10); err != nil || len(gids) != 0 {
		t.Errorf("GroupsOf(carol) = %v, %v; want none", gids, err)
	}
	if name, err := f.svc.Name(ctx, g.ID); err != nil || name != g.Name {
		t.Errorf("Name = %q, %v; want %q", name, err, g.Name)
	}
	if name, err := f.svc.Name(ctx, "nosuchgroup"+f.tag); err != nil || name != "" {
		t.Errorf("Name of no group = %q, %v; want empty", name, err)
	}

	// In a caller's own batch: the keys read the rows the decoders know.
	gk, mk := group.GroupKey(g.ID), group.MembershipKey(g.ID, b.ID)
	var items []dynamo.Item
	err = f.st.Table().Batch("PK", "SK").Get(dynamo.Keys{gk.PK, gk.SK}, dynamo.Keys{mk.PK, mk.SK}).Consistent(true).All(ctx, &items)
	f.must(err)
	if len(items) != 2 {
		t.Fatalf("batch read %d items, want 2", len(items))
	}
	var sawGroup, sawMember bool
	for _, it := range items {
		if gid, uid, ok := group.MembershipOf(str(it, "PK"), str(it, "SK")); ok {
			m, valid, err := group.DecodeMembership(it)
			if err != nil || !valid || m.UserID != b.ID || m.Role != authz.RoleMember || gid != g.ID || uid != b.ID {
				t.Errorf("membership decoded as %+v valid=%v err=%v (%s, %s)", m, valid, err, gid, uid)
			}
			sawMember = true
			continue
		}
		r, err := group.DecodeRow(it)
		if err != nil || r.ID != g.ID || r.Name != g.Name || r.Privacy != authz.Open || r.MemberCount != 2 {
			t.Errorf("group row decoded as %+v, %v", r, err)
		}
		sawGroup = true
	}
	if !sawGroup || !sawMember {
		t.Errorf("saw group %v, membership %v", sawGroup, sawMember)
	}
	if _, _, ok := group.MembershipOf(gk.PK, gk.SK); ok {
		t.Error("the group item parsed as a membership")
	}

	// In a caller's own transaction: the conditions hold or fail with the
	// caller's error.
	errNo := errors.New("not a member")
	errYes := errors.New("a member")
	put := func(i int) *store.Tx {
		return f.st.Tx().Put(&probe{store.Item{PK: "READERTEST#" + f.tag, SK: string(rune('a' + i)), Type: "probe"}})
	}
	tx := put(0)
	group.RequireMember(tx, g.ID, b.ID, errNo)
	group.RequireNotMember(tx, g.ID, c.ID, errYes)
	f.must(tx.Run(ctx, ""))
	tx = put(1)
	group.RequireMember(tx, g.ID, c.ID, errNo)
	if err := tx.Run(ctx, ""); !errors.Is(err, errNo) {
		t.Errorf("RequireMember(carol) = %v, want %v", err, errNo)
	}
	tx = put(2)
	group.RequireNotMember(tx, g.ID, b.ID, errYes)
	if err := tx.Run(ctx, ""); !errors.Is(err, errYes) {
		t.Errorf("RequireNotMember(bob) = %v, want %v", err, errYes)
	}
}

func str(it dynamo.Item, name string) string {
	var out struct {
		V string
	}
	if av, ok := it[name]; ok {
		_ = dynamo.UnmarshalItem(dynamo.Item{"V": av}, &out)
	}
	return out.V
}
