package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
)

// Per-function wiring, on the one builder of the shared cores (build, in
// cores.go), which NewWith extends too. New wires every core for the api
// function and the scheduler (whose tick runs every core's periodic work: account and group
// erasure, exports). The mailer and the inbound function each use a few
// cores, and the linker keeps only the code reachable from what a function
// calls: a function built from ForMailer or ForInbound does not link the
// inbox's mail parsing (enmime, html2text, the character sets of
// golang.org/x/text), the exports, the recovery of deleted groups, the
// legal documents or the thread processes, and the mailer not the S3
// client either. Nothing is computed here that a first event may not
// need: no legal documents are read and no URL is presigned.
//
// The cores these build cannot delete accounts or groups (no erasers are
// wired: that work runs in the api function and the scheduler) and know
// no terms of service version (sign-up is the api function's).

// ForMailer builds what the mailer's stream consumers use
// (internal/cores/consumers): the outbox, the search index, the audit
// record and the fan-outs, on DynamoDB and SES only. getenv gives the credentials Lambda sets
// (awsbase.LoadEnv).
func ForMailer(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) (*Cores, error) {
	clients, err := awsclient.NewMail(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	return ForMailerWith(ctx, cfg, clients, log)
}

// ForMailerWith is ForMailer on clients made by the caller (tests).
func ForMailerWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*Cores, error) {
	c := &Cores{}
	if err := c.build(ctx, cfg, clients, shared{}, log); err != nil {
		return nil, err
	}
	if err := c.wireSearch(); err != nil {
		return nil, err
	}
	if err := c.wireOutbox(log); err != nil {
		return nil, err
	}
	c.wireFanouts(log)
	return c, nil
}

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
	if err := c.build(ctx, cfg, clients, shared{files: bucketFiles(clients)}, log); err != nil {
		return nil, err
	}
	c.wireInbox(log)
	return c, nil
}
