package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// make token prints a working API token for a local user (an existing one,
// or a new account, as a first sign-in would make), again and again past the
// per-user token limit, and refuses anything but the local cloud.
func TestLocalToken(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	a, err := app.NewAPI(ctx, env.Config, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	alice, err := a.Accounts.CreateUser(ctx, "alice-"+env.Prefix+"@example.org", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < account.MaxTokensPerUser+2; i++ {
		secret, created, err := localToken(ctx, env.Config, a, alice.Email)
		if err != nil || created {
			t.Fatalf("token %d: created %v, %v", i, created, err)
		}
		actor, err := a.Accounts.AuthenticateToken(ctx, secret)
		if err != nil || actor.UserID != alice.ID || actor.Kind != authz.Bot {
			t.Fatalf("token %d authenticates as %+v, %v", i, actor, err)
		}
	}
	dave := "dave-" + env.Prefix + "@example.org"
	secret, created, err := localToken(ctx, env.Config, a, dave)
	if err != nil || !created || !strings.HasPrefix(secret, account.TokenPrefix) {
		t.Fatalf("new user: %q %v %v", secret, created, err)
	}
	u, err := a.Accounts.UserByEmail(ctx, dave)
	if err != nil {
		t.Fatal(err)
	}
	if actor, err := a.Accounts.AuthenticateToken(ctx, secret); err != nil || actor.UserID != u.ID {
		t.Fatalf("new user's token: %+v %v", actor, err)
	}

	cloud := env.Config
	cloud.Env = "cloud"
	remote := env.Config
	remote.DynamoDBEndpoint = "https://dynamodb.eu-west-1.amazonaws.com"
	none := env.Config
	none.S3Endpoint = ""
	for name, cfg := range map[string]config.Config{"cloud": cloud, "remote endpoint": remote, "no endpoint": none} {
		if _, _, err := localToken(ctx, cfg, a, alice.Email); err == nil || !strings.Contains(err.Error(), "local cloud only") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
