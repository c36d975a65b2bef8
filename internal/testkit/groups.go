package testkit

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
)

// Kind is the privacy of a test group.
type Kind string

const (
	Open   Kind = "open"
	Closed Kind = "closed"
	Secret Kind = "secret"
	// SecretSub is a closed subgroup of a secret parent (as the
	// authorization matrix's "sub" column): its members are members of the
	// parent too.
	SecretSub Kind = "secret-sub"
)

// Kinds are every kind, in the matrix's order.
var Kinds = []Kind{Open, Closed, Secret, SecretSub}

// NewGroup creates a group of kind administered by admin, with members
// joined through its join link (the group core's own paths), and returns
// it. For SecretSub it returns the subgroup; its ParentID is the secret
// parent, which admin administers and members joined too.
func NewGroup(t testing.TB, groups *group.Service, kind Kind, admin context.Context, members ...context.Context) group.Group {
	t.Helper()
	if kind == SecretSub {
		parent := NewGroup(t, groups, Secret, admin, members...)
		return NewSubgroup(t, groups, parent.ID, authz.Closed, admin, members...)
	}
	g, err := groups.Create(admin, group.CreateInput{Name: "Testkit " + string(kind) + " group", Privacy: string(kind)})
	if err != nil {
		t.Fatalf("testkit: create %s group: %v", kind, err)
	}
	JoinAll(t, groups, g.ID, admin, members...)
	return g
}

// NewSubgroup creates a subgroup of parent with privacy, administered by
// admin, with members joined through its link.
func NewSubgroup(t testing.TB, groups *group.Service, parent string, privacy authz.Privacy, admin context.Context, members ...context.Context) group.Group {
	t.Helper()
	g, err := groups.Create(admin, group.CreateInput{Name: "Testkit subgroup", Privacy: string(privacy), ParentID: parent})
	if err != nil {
		t.Fatalf("testkit: create %s subgroup: %v", privacy, err)
	}
	JoinAll(t, groups, g.ID, admin, members...)
	return g
}

// JoinAll has each member join gid through a join link admin makes.
func JoinAll(t testing.TB, groups *group.Service, gid string, admin context.Context, members ...context.Context) {
	t.Helper()
	if len(members) == 0 {
		return
	}
	link, err := groups.JoinLink(admin, gid)
	if err != nil {
		t.Fatalf("testkit: join link of %s: %v", gid, err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, m := range members {
		if _, err := groups.JoinViaLink(m, token); err != nil {
			t.Fatalf("testkit: join %s: %v", gid, err)
		}
	}
}
