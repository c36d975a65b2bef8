package cores

import (
	"context"
	"log/slog"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// Per-function wiring. New wires every core for the api function and the
// scheduler (whose tick runs every core's periodic work: account and group
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
	c, m, err := lean(ctx, &cfg, clients, nil, log)
	if err != nil {
		return nil, err
	}
	ix, err := search.New(search.Config{DB: clients.DynamoDB, Table: cfg.Table, SigningKey: cfg.SigningKey, Threads: c.Discussions, Polls: c.Decisions})
	if err != nil {
		return nil, err
	}
	c.Search = &Search{Index: ix, Groups: c.Groups, Discussions: c.Discussions, Decisions: c.Decisions, Accounts: c.Accounts}
	if c.Outbox, err = newOutbox(cfg, c.Notifications, m.sender, c.Accounts, c.Groups, c.Decisions, c.MailPrefs, m.catalog, log); err != nil {
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
	c, m, err := lean(ctx, &cfg, clients, func(cfg config.Config) leanFiles {
		return leanFiles{
			uploads: blob.NewUploads(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, blob.DefaultLimits()),
			files:   blob.NewObjects(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, ""),
			avatars: blob.NewAvatars(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID),
		}
	}, log)
	if err != nil {
		return nil, err
	}
	c.Inbox = newInbox(c.Config, clients, c.Store, c.Accounts, c.Groups, c.Discussions, c.Decisions, c.Notifications,
		c.MailPrefs, m.sender, c.Audit, m.catalog, log)
	return c, nil
}

// leanFiles are the bucket's stores of the functions that use S3; the
// mailer has none, so it does not link the S3 client.
type leanFiles struct {
	uploads *blob.Uploads
	files   *blob.Objects
	avatars *blob.Avatars
}

// leanMail is what lean made for the cores that write email.
type leanMail struct {
	sender  mail.Sender
	catalog *i18n.Catalog
}

// lean wires the cores every function but ses-events acts through, as New
// does, without erasers; files builds the bucket's stores (nil: none).
func lean(ctx context.Context, cfg *config.Config, clients *awsclient.Clients, files func(config.Config) leanFiles,
	log *slog.Logger) (*Cores, leanMail, error) {
	if err := awsclient.ResolveSecrets(ctx, clients, cfg); err != nil {
		return nil, leanMail{}, err
	}
	var fs leanFiles
	if files != nil {
		fs = files(*cfg)
	}
	st := store.New(clients.DynamoDB, cfg.Table, cfg.SigningKey)
	sender := mail.NewSES(clients.SES, cfg.SESConfigurationSet, cfg.MailDomain)
	cat := i18n.New()
	var decisions *decision.Service
	var groups *group.Service
	ao := account.Options{
		Store: st, Mail: sender, Catalog: cat, From: cfg.MailFrom, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log,
		CoMembers: account.CoMembersFunc(func(ctx context.Context, a, b string) (bool, error) {
			return groups.ShareGroup(ctx, a, b)
		}),
		Guard: account.AdminGuardFunc(func(ctx context.Context, uid string) ([]string, error) { return groups.SoleAdminOf(ctx, uid) }),
	}
	if fs.avatars != nil {
		ao.Avatars = fs.avatars
	}
	accounts, err := account.New(ao)
	if err != nil {
		return nil, leanMail{}, err
	}
	auditor := audit.New(st, cfg.SigningKey, audit.PolicyFunc(func(ctx context.Context, gid string, action authz.Action, t authz.Target) error {
		return groups.Authorize(ctx, gid, action, t)
	}), nil, log)
	groups = group.New(group.Config{
		Store: st, People: People{accounts}, Mail: sender, Catalog: cat, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log, Audit: auditor, DeleteGrace: cfg.GroupDeleteGrace,
		OnMemberLeft: func(ctx context.Context, gid, uid string) error { return decisions.MemberLeft(ctx, gid, uid) },
	})
	notes := notify.New(st, nil)
	tags := tag.New(tag.Config{Store: st, Policy: groups, Audit: auditor, Log: log})
	dc := discussion.Config{
		Store: st, Policy: groups, People: DiscussionPeople{accounts}, Notify: notes, Tags: tags,
		Renderer: render.New(), SigningKey: cfg.SigningKey, Log: log,
		Mail: sender, MailFrom: cfg.MailFrom, BaseURL: cfg.BaseURL, Audit: auditor, Catalog: cat,
		OnGuestRemoved: func(ctx context.Context, gid, tid, uid string) error {
			return decisions.GuestRemoved(ctx, gid, tid, uid)
		},
		Polls: ThreadPolls{&decisions},
	}
	if fs.uploads != nil {
		dc.Uploads, dc.Files = fs.uploads, fs.files
	}
	discussions := discussion.New(dc)
	pollNotes := PollNotifier{Notifications: notes, Names: DiscussionPeople{accounts}.Name}
	decisions = decision.New(decision.Config{Store: st, Groups: groups, Log: log,
		Threads: PollThreads{discussions}, Notifier: pollNotes, Fanout: pollNotes, Tags: tags, Audit: auditor})
	mailprefs, err := mailpref.New(mailpref.Config{Store: st, Users: PrefPeople{accounts}, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log})
	if err != nil {
		return nil, leanMail{}, err
	}
	return &Cores{Config: *cfg, Clients: clients, Store: st, Accounts: accounts, Groups: groups, Discussions: discussions,
		Notifications: notes, Decisions: decisions, MailPrefs: mailprefs, Audit: auditor, Tags: tags,
	}, leanMail{sender: sender, catalog: cat}, nil
}
