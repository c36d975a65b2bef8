package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/domain"
)

// tokenName starts the name of every token `make token` creates, so that
// it can make room among them (and people can tell them apart in
// Settings → API tokens).
const tokenName = "make token"

// token is `localdev token EMAIL` (make token): it prints a personal API
// token for the local user with that address (creating the account if
// there is none, as a first sign-in would), so that API scripts need no
// sign-in code. Local cloud only.
func token(email string) error {
	if v := os.Getenv("QUORUM_ENV"); v != "" && v != "local" {
		return fmt.Errorf("make token works on the local cloud only (QUORUM_ENV=%s)", v)
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" {
		return errors.New("make token works on the local cloud only, not inside Lambda")
	}
	ctx := context.Background()
	a, cfg, stop, err := devAPI(ctx, "this token")
	if err != nil {
		return err
	}
	defer stop()
	secret, created, err := localToken(ctx, cfg, a, email)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(os.Stderr, "Created the local account %s.\n", email)
	}
	fmt.Println(secret)
	return nil
}

// localOnly refuses any configuration but the local cloud's: the local
// environment, with DynamoDB and S3 on this machine.
func localOnly(cfg config.Config) error {
	if !cfg.Local() {
		return fmt.Errorf("make token works on the local cloud only, not in the %q environment", cfg.Env)
	}
	for _, ep := range []string{cfg.DynamoDBEndpoint, cfg.S3Endpoint} {
		u, err := url.Parse(ep)
		if err != nil || ep == "" {
			return errors.New("make token works on the local cloud only: no local endpoint is configured")
		}
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("make token works on the local cloud only, not against %s", u.Host)
		}
	}
	return nil
}

// localToken creates a personal API token for the account with address
// email, creating the account if needed (created). At the per-user token
// limit, the oldest token made this way is revoked to make room.
func localToken(ctx context.Context, cfg config.Config, a *app.API, email string) (secret string, created bool, err error) {
	if err := localOnly(cfg); err != nil {
		return "", false, err
	}
	u, err := a.Accounts.UserByEmail(ctx, email)
	if domain.ErrorCode(err) == domain.NotFound {
		name, _, _ := strings.Cut(email, "@")
		u, err = a.Accounts.CreateUser(ctx, email, name)
		created = true
	}
	if err != nil {
		return "", false, err
	}
	// The local operator acts as the user signed in (whoever runs this owns
	// the local table anyway); the account core still makes the token: name,
	// limit, only its hash stored.
	as := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "local-make-token"})
	now := time.Now().UTC()
	name := tokenName + " " + now.Format("2006-01-02 15:04:05")
	t, err := a.Accounts.CreateToken(as, name)
	if domain.ErrorCode(err) == domain.Conflict {
		if err := revokeOldest(as, a.Accounts); err != nil {
			return "", false, err
		}
		t, err = a.Accounts.CreateToken(as, name)
	}
	if err != nil {
		return "", false, err
	}
	return t.Secret, created, nil
}

func revokeOldest(ctx context.Context, accounts *account.Service) error {
	all, err := accounts.Tokens(ctx)
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].CreatedAt.Before(all[j].CreatedAt) })
	for _, t := range all {
		if strings.HasPrefix(t.Name, tokenName+" ") {
			return accounts.RevokeToken(ctx, t.ID)
		}
	}
	return fmt.Errorf("the account has %d API tokens, the most allowed, none made by make token: revoke one in Settings → API tokens", len(all))
}
