// Package inboxcores wires the inbox (received mail: functions/inbound,
// the held mail pages, local mail tooling) on the one builder of the
// shared cores (internal/cores/corebase). Wire is the inbox's one wiring,
// which internal/cores uses too; New builds what functions/inbound uses
// without importing internal/cores, so the inbound function does not link
// (nor run at each cold start the package initialisation of) exports, the
// recovery of deleted groups, the legal documents or thread processes.
// The cores New builds cannot delete accounts or groups (no erasers: that
// work runs in the api function and the scheduler) and know no terms of
// service version (sign-up is the api function's).
package inboxcores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/corebase"
	"github.com/quorum-app/quorum/internal/inbox"
)

// Cores are the shared cores and the inbox acting through them.
type Cores struct {
	corebase.Base
	// Inbox acts on received mail.
	Inbox *inbox.Service
}

// New builds the inbound function's cores on the clients of a deployed
// function (awsclient.NewNoPresign). getenv gives the credentials Lambda
// sets (awsbase.LoadEnv).
func New(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) (*Cores, error) {
	clients, err := awsclient.NewNoPresign(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	return NewWith(ctx, cfg, clients, log)
}

// NewWith is New on clients made by the caller (tests).
func NewWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*Cores, error) {
	c := &Cores{}
	if err := c.Build(ctx, cfg, clients, corebase.Shared{Files: corebase.BucketFiles(clients)}, log); err != nil {
		return nil, err
	}
	c.Inbox = Wire(&c.Base, log)
	return c, nil
}

// Wire wires the inbound mail service on b's cores.
func Wire(b *corebase.Base, log *slog.Logger) *inbox.Service {
	return newInbox(b.Config, b.Clients, b.Store, b.Accounts, b.Groups, b.Discussions, b.Decisions, b.Notifications,
		b.MailPrefs, b.Sender(), b.Audit, b.Catalog(), log)
}
