package authz

import (
	"context"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
)

func TestRequireSelf(t *testing.T) {
	cases := []struct {
		name  string
		actor Actor
		want  domain.Code
	}{
		{"anonymous", Actor{Kind: Anonymous}, domain.Unauthorized},
		{"user without id", Actor{Kind: User}, domain.Unauthorized},
		{"self", Actor{Kind: User, UserID: "u1"}, ""},
		{"own bot", Actor{Kind: Bot, UserID: "u1", TokenID: "t"}, ""},
		{"someone else", Actor{Kind: User, UserID: "u2"}, domain.NotFound},
	}
	for _, c := range cases {
		if got := domain.ErrorCode(RequireSelf(c.actor, "u1")); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestActorContext(t *testing.T) {
	if ActorFrom(context.Background()).Kind != Anonymous {
		t.Fatal("default actor must be anonymous")
	}
	ctx := WithActor(context.Background(), Actor{Kind: User, UserID: "u1"})
	if a := ActorFrom(ctx); a.UserID != "u1" || !a.Authenticated() {
		t.Fatalf("%+v", a)
	}
}
