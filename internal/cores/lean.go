package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/corebase"
)

// Per-function wiring, on the one builder of the shared cores
// (corebase.Base.Build), which NewWith extends too. New wires every core
// for the api function and the scheduler (whose tick runs every core's
// periodic work: account and group erasure, exports). The inbound
// function uses a few cores, and the linker keeps only the code reachable
// from what a function calls: a function built from ForInbound does not
// link the exports, the recovery of deleted groups, the legal documents or
// the thread processes (their packages' initialisation still runs, as
// this package imports them). The mailer builds on corebase alone
// (internal/cores/mailer) and does not import this package. Nothing is
// computed here that a first event may not need: no legal documents are
// read and no URL is presigned.
//
// The cores these build cannot delete accounts or groups (no erasers are
// wired: that work runs in the api function and the scheduler) and know
// no terms of service version (sign-up is the api function's).

// ForScheduler builds every core as New does, on the clients of a deployed
// function (awsclient.NewNoPresign): the scheduler's tick runs every core's
// periodic work, erasure and exports included.
func ForScheduler(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) (*Cores, error) {
	clients, err := awsclient.NewNoPresign(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	return NewWith(ctx, cfg, clients, log)
}

// ForInbound builds what functions/inbound uses: the inbox and the cores
// it acts through (comments and threads, ballots, held mail).
func ForInbound(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) (*Cores, error) {
	clients, err := awsclient.NewNoPresign(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	return ForInboundWith(ctx, cfg, clients, log)
}

// ForInboundWith is ForInbound on clients made by the caller (tests).
func ForInboundWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*Cores, error) {
	c := &Cores{}
	if err := c.Build(ctx, cfg, clients, corebase.Shared{Files: corebase.BucketFiles(clients)}, log); err != nil {
		return nil, err
	}
	c.wireInbox(log)
	return c, nil
}
