// Package app wires Quorum's API: the domain cores (internal/cores) and the
// HTTP server on top of them. functions/api calls it; so do the tests that
// need the whole application (the authorization matrix, browser tests).
// Functions that serve no HTTP build internal/cores alone.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/idempotency"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/web"
)

// API is the wired application behind functions/api: the cores and the
// HTTP server.
type API struct {
	*cores.Cores
	Server *server.Server
}

// Handler is the http.Handler to serve.
func (a *API) Handler() http.Handler { return a.Server }

// NewAPI builds the application for cfg (see cores.New).
func NewAPI(ctx context.Context, cfg config.Config, log *slog.Logger) (*API, error) {
	c, err := cores.New(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return newAPI(c, log)
}

// NewAPIWith builds the application on clients made by the caller (see
// cores.NewWith): tests of the fast tier run it on the in-memory DynamoDB.
func NewAPIWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*API, error) {
	c, err := cores.NewWith(ctx, cfg, clients, log)
	if err != nil {
		return nil, err
	}
	return newAPI(c, log)
}

func newAPI(c *cores.Cores, log *slog.Logger) (*API, error) {
	cfg := c.Config // with the secrets resolved
	// The api function is the one that takes picture uploads: it alone
	// links the image decoders (internal/avatar/limits).
	c.Accounts.ProcessPicturesWith(avatar.Process)
	renderer, err := web.New(log)
	if err != nil {
		return nil, err
	}
	var published *facts.Facts
	if cfg.FactsJSON != "" {
		published = &facts.Facts{}
		if err := json.Unmarshal([]byte(cfg.FactsJSON), published); err != nil {
			return nil, fmt.Errorf("QUORUM_FACTS: %w", err)
		}
	}
	srv, err := server.New(server.Deps{
		Log: log,
		Health: map[string]server.Pinger{
			"dynamodb": c.Store,
			"s3":       blob.NewBucket(c.Clients.S3, cfg.UploadsBucket),
		},
		Web:           renderer,
		Timeout:       cfg.RequestTimeout,
		Accounts:      c.Accounts,
		Groups:        c.Groups,
		Idempotency:   c.Store,
		KeyLease:      idempotencyLease(cfg),
		Facts:         published,
		Local:         cfg.Local(),
		Discussions:   c.Discussions,
		Notifications: c.Notifications,
		Decisions:     c.Decisions,
		MailPrefs:     c.MailPrefs,
		Inbox:         c.Inbox,
		Search:        c.Search,
		Audit:         c.Audit,
		Templates:     c.Processes,
		Exports:       c.Exports,
		Imports:       c.Exports,
		UploadOrigin:  c.Clients.UploadOrigin,
		Legal:         &c.Legal,
	})
	if err != nil {
		return nil, err
	}
	return &API{Cores: c, Server: srv}, nil
}

// idempotencyLease is how long a request's claim on its Idempotency-Key
// holds: the request's own bound plus the time its settling writes may take
// (0 without a request timeout: the default lease).
func idempotencyLease(cfg config.Config) time.Duration {
	if cfg.RequestTimeout <= 0 {
		return 0
	}
	return cfg.RequestTimeout + idempotency.CleanupBudget
}
