package main

import (
	"context"
	"fmt"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/seed"
)

// demoUsers are the people of the demo dataset. They sign in with an email
// code, read from the local SES emulator's web viewer.
var demoUsers = []struct{ Email, Name string }{
	{"alice@example.org", "Alice Example"},
	{"bob@example.org", "Bob Example"},
	{"carol@example.org", "Carol Example"},
}

// demoSteps lists what the demo dataset holds, created through the domain
// services themselves (so the demo obeys every rule). Each domain adds its
// part here as it arrives.
func demoSteps(a *app.API) []seed.Step {
	ids := map[string]string{}
	as := func(ctx context.Context, email string) context.Context {
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: ids[email]})
	}
	return []seed.Step{
		func(ctx context.Context) error {
			for _, u := range demoUsers {
				created, err := a.Accounts.CreateUser(ctx, u.Email, u.Name)
				if err != nil && domain.ErrorCode(err) != domain.Conflict {
					return fmt.Errorf("demo user %s: %w", u.Email, err)
				}
				if err != nil {
					existing, err := a.Accounts.UserByEmail(ctx, u.Email)
					if err != nil {
						return err
					}
					ids[u.Email] = existing.ID
					continue
				}
				ids[u.Email] = created.ID
			}
			return nil
		},
		func(ctx context.Context) error {
			garden, err := a.Groups.Create(as(ctx, "alice@example.org"), group.CreateInput{
				Name: "Garden Club", Handle: "garden-club", Privacy: "open",
				Description: "Plots, seeds and the spring planting budget.",
			})
			if err != nil {
				return fmt.Errorf("demo group: %w", err)
			}
			if _, err := a.Groups.Join(as(ctx, "bob@example.org"), garden.ID); err != nil {
				return fmt.Errorf("demo membership: %w", err)
			}
			_, err = a.Groups.Create(as(ctx, "alice@example.org"), group.CreateInput{
				Name: "Board", Handle: "board", Privacy: "secret",
				Description: "The club's board. Invisible to everyone else.",
			})
			return err
		},
	}
}
