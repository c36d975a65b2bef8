package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
)

// Per-function wiring, on the one builder of the shared cores
// (corebase.Base.Build), which NewWith extends too. New wires every core
// for the api function and the scheduler (whose tick runs every core's
// periodic work: account and group erasure, exports). The mailer and the
// inbound function build on corebase alone (internal/cores/mailer,
// internal/cores/inboxcores) and do not import this package: Go runs the
// initialisation of every imported package, called or not.

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
