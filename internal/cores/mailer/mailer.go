// Package mailer wires what functions/mailer's stream consumers use
// (internal/cores/consumers): the outbox, the search index, the audit
// record and the fan-outs, on the one builder of the shared cores
// (internal/cores/corebase) and on DynamoDB and SES only. It does not
// import internal/cores, so the mailer does not link (nor run at each cold
// start the package initialisation of) the inbox's mail parsing, exports,
// the recovery of deleted groups, the legal documents or thread processes.
// The cores it builds cannot delete accounts or groups (no erasers: that
// work runs in the api function and the scheduler) and know no terms of
// service version (sign-up is the api function's).
package mailer

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/corebase"
)

// New builds the mailer's cores. getenv gives the credentials Lambda sets
// (awsbase.LoadEnv).
func New(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) (*corebase.Base, error) {
	clients, err := awsclient.NewMail(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	return NewWith(ctx, cfg, clients, log)
}

// NewWith is New on clients made by the caller (tests).
func NewWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*corebase.Base, error) {
	c := &corebase.Base{}
	if err := c.Build(ctx, cfg, clients, corebase.Shared{}, log); err != nil {
		return nil, err
	}
	if err := c.WireSearch(); err != nil {
		return nil, err
	}
	if err := c.WireOutbox(log); err != nil {
		return nil, err
	}
	c.WireFanouts(log)
	return c, nil
}
