// Package cores wires Quorum's domain cores: AWS clients, the store and the
// services (accounts, groups, threads, polls, notifications, email
// preferences, the outbox and the inbox), with no HTTP layer. The
// functions that do not serve HTTP (scheduler, inbound) build just this;
// internal/app adds the HTTP server on top for functions/api. The shared
// cores have one builder, internal/cores/corebase, which this package
// extends with what only some functions use (the inbox, exports, the
// recovery of deleted groups, the legal documents, thread processes); the
// mailer builds on corebase alone (internal/cores/mailer), so it does not
// link those packages nor run their initialisation at each cold start.
package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/corebase"
	"github.com/quorum-app/quorum/internal/cores/inboxcores"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/legal"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/recovery"
)

// Cores are the wired domain services of one process: the shared cores
// (corebase.Base, whose fields read as Cores' own) and what is wired on
// top of them.
type Cores struct {
	corebase.Base
	// Legal are the terms of service and privacy policy shown at /terms and
	// /privacy; sign-up records their version.
	Legal legal.Docs
	// Processes keeps the templates groups start threads and polls from.
	Processes *process.Service
	// Inbox acts on received mail (functions/inbound) and serves held mail.
	Inbox *inbox.Service
	// Exports prepares personal and group exports (#16) in steps the
	// scheduler runs; each core exports its own entities (exports.go).
	Exports *export.Service
}

// The adapters between the shared cores live beside their one builder
// (internal/cores/corebase); these names keep the callers' spelling.
type (
	// Search answers searches (corebase.Search).
	Search = corebase.Search
	// People adapts accounts to the group core (corebase.People).
	People = corebase.People
	// PrefPeople adapts accounts to email preferences (corebase.PrefPeople).
	PrefPeople = corebase.PrefPeople
	// DiscussionPeople adapts accounts to threads (corebase.DiscussionPeople).
	DiscussionPeople = corebase.DiscussionPeople
	// PollThreads adapts threads to polls (corebase.PollThreads).
	PollThreads = corebase.PollThreads
	// ThreadPolls adapts polls to threads (corebase.ThreadPolls).
	ThreadPolls = corebase.ThreadPolls
	// PollNotifier notifies about polls (corebase.PollNotifier).
	PollNotifier = corebase.PollNotifier
	// FanoutMembers adapts groups to fan-outs (corebase.FanoutMembers).
	FanoutMembers = corebase.FanoutMembers
)

// NewFanouts is corebase.NewFanouts.
var NewFanouts = corebase.NewFanouts

// New builds the cores for cfg. Secrets named by ARN are resolved here,
// once per cold start. Nothing here may do work the first request might
// not need (no hashing, no template parsing, no calls to AWS beyond the
// secret): every function pays for it at each cold start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*Cores, error) {
	clients, err := awsclient.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return NewWith(ctx, cfg, clients, log)
}

// NewWith builds the cores for cfg on clients made by the caller: the fast
// test tier hands in the in-memory DynamoDB of internal/memdb in place of
// the SDK's (testcloud.Fast). It is the one builder of the shared cores
// (corebase.Base.Build) with everything on top: the bucket's stores, the terms of
// service, account deletion, thread processes, search, the inbox, the
// outbox, the fan-outs, exports and the erasure of deleted groups.
func NewWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*Cores, error) {
	docs, err := legal.Load(cfg.LegalDir)
	if err != nil {
		return nil, err
	}
	c := &Cores{Legal: docs}
	if err := c.Build(ctx, cfg, clients, corebase.Shared{Files: corebase.BucketFiles(clients), Terms: docs.Version(), Erasers: c.erasers()}, log); err != nil {
		return nil, err
	}
	c.Processes = process.New(process.Config{Store: c.Store, Policy: c.Groups, Audit: c.Audit, Catalog: c.Catalog(), Log: log,
		Sources: ProcessSources{Discussions: c.Discussions, Decisions: c.Decisions}})
	if err := c.WireSearch(); err != nil {
		return nil, err
	}
	c.Inbox = inboxcores.Wire(&c.Base, log)
	if err := c.WireOutbox(log); err != nil {
		return nil, err
	}
	c.WireFanouts(log)
	c.Exports = newExports(c, c.Sender(), c.Catalog(), log)
	// A deleted group is erased, after its grace period, with the same list
	// of items a restore copies back (internal/recovery).
	c.Groups.SetEraser(&recovery.GroupEraser{DB: clients.DynamoDB, Table: c.Config.Table, S3: clients.S3, Bucket: c.Config.UploadsBucket,
		Notes: c.Notifications, Owners: []recovery.GroupOwned{c.Exports, c.Search.Index, c.Notifications.GroupSweep()}})
	return c, nil
}

// erasers are what deleting an account asks of each core of c, in order;
// they read c's cores when they run (erasure runs on requests and ticks,
// after NewWith returned).
func (c *Cores) erasers() []account.Eraser {
	return []account.Eraser{
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return c.Groups.EraseMember(ctx, e.UserID) }),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Notifications.EraseUser(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.MailPrefs.EraseUser(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Discussions.EraseReadMarks(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return c.Exports.EraseUser(ctx, e.UserID) }),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Groups.EraseGuestGrants(ctx, e.UserID)
		}),
		// Scans of the table (no index by person), a page a batch.
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Groups.EraseRequests(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Inbox.EraseSender(ctx, e.UserID, e.Email)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return c.Inbox.EraseAliases(ctx, e.UserID) }),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Discussions.EraseEditHistory(ctx, e.UserID)
		}),
		// Last: names stored beside the person's id in others' items, by
		// scans of the table in pages (the scheduler finishes them).
		// Comments first when the person asked to remove them (only
		// from the scheduler: never inside the deletion request).
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			if !e.RemoveComments {
				return true, nil
			}
			if e.InRequest {
				return false, account.ErrLater
			}
			return c.Discussions.RemoveAuthorComments(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			if !e.RemoveComments {
				return true, nil
			}
			return c.Notifications.EraseAuthorExcerpts(ctx, e.UserID)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Discussions.EraseAuthorNames(ctx, e.UserID, account.DeletedName)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Notifications.EraseActorNames(ctx, e.UserID, account.DeletedName)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Notifications.EraseFanoutActor(ctx, e.UserID, account.DeletedName)
		}),
		account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
			return c.Search.Index.EraseAuthorNames(ctx, c.Store, e.UserID, account.DeletedName)
		}),
	}
}
