// Package corebase is the one builder of the cores every function but
// ses-events acts through (Build): the store, accounts, groups and their
// audit record, notifications, tags, threads, polls, email preferences,
// and on request the search index, the outbox and the fan-outs. It imports
// only what those wire, because Go runs (and the binary keeps the data of)
// every imported package's initialisation whether or not a function calls
// it: a function built on Base alone (the mailer, internal/cores/mailer)
// does not link the inbox's mail parsing (enmime and the character sets of
// golang.org/x/text), exports, the recovery of deleted groups, the legal
// documents or thread processes. internal/cores extends Base with those
// for the api function, the scheduler and the inbound function.
package corebase

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
	"github.com/quorum-app/quorum/internal/domain"
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

// Base are the wired shared cores of one process.
type Base struct {
	Config   config.Config
	Clients  *awsclient.Clients
	Store    *store.Store
	Accounts *account.Service
	Groups   *group.Service
	// Discussions, Notifications and Decisions are the cores of threads,
	// in-app notifications and polls.
	Discussions   *discussion.Service
	Notifications *notify.Service
	Decisions     *decision.Service

	// MailPrefs holds email preferences, unsubscribe links and suppressed
	// addresses (internal/mailpref); the outbox asks it before each email.
	MailPrefs *mailpref.Service
	// Outbox delivers notification email (internal/notify; WireOutbox).
	Outbox *notify.Dispatcher
	// Search answers searches; its Index is fed by the stream
	// (functions/mailer; WireSearch).
	Search *Search
	// Audit keeps each group's tamper-evident record of admin actions;
	// the stream (functions/mailer) and the scheduler seal its entries.
	Audit *audit.Service
	// Tags are the groups' tags (definitions, the tag index, the purge of
	// deleted tags the scheduler runs).
	Tags *tag.Service
	// Fanouts expands the fan-out jobs requests leave (notifying a whole
	// group): fed by the stream (functions/mailer), swept by the scheduler
	// (WireFanouts).
	Fanouts *notify.Fanouts

	// sender and catalog are the email sender and the message catalogs
	// the cores share (Build), for what is wired on top of them.
	sender  mail.Sender
	catalog *i18n.Catalog
}

// Sender is the email sender the cores share (Build).
func (c *Base) Sender() mail.Sender { return c.sender }

// Catalog are the message catalogs the cores share (Build).
func (c *Base) Catalog() *i18n.Catalog { return c.catalog }

// Shared says what Build wires beyond the cores every function but
// ses-events acts through. Each is supplied by the caller, so a function
// that does not ask for one does not link it (internal/lambdarun's
// TestFunctionsLinkOnlyWhatTheyUse).
type Shared struct {
	// Files builds the bucket's stores (avatars, uploads, attachments) on
	// the configuration with its secrets; nil: none, and no S3 client is
	// linked (the mailer).
	Files func(config.Config) Files
	// Terms is the version of the terms of service sign-up records (only
	// the api function signs people up).
	Terms string
	// Erasers are what deleting an account asks of each core (nil: this
	// function cannot delete accounts).
	Erasers []account.Eraser
}

// Files are the bucket's stores of the functions that use S3.
type Files struct {
	uploads *blob.Uploads
	objects *blob.Objects
	avatars *blob.Avatars
}

// BucketFiles builds the bucket's stores on clients' S3.
func BucketFiles(clients *awsclient.Clients) func(config.Config) Files {
	return func(cfg config.Config) Files {
		return Files{
			uploads: blob.NewUploads(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, blob.DefaultLimits()),
			objects: blob.NewObjects(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, ""),
			avatars: blob.NewAvatars(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID),
		}
	}
}

// Build wires into c the cores every function but ses-events acts through:
// the store, accounts, groups and their audit record, notifications, tags,
// threads, polls and email preferences, with what sh adds. Secrets named by
// ARN are resolved here, once per cold start. The hooks between cores
// (groups ↔ polls, the audit policy, account deletion) read c's fields
// when they run, on requests, after Build returned.
func (c *Base) Build(ctx context.Context, cfg config.Config, clients *awsclient.Clients, sh Shared, log *slog.Logger) error {
	if err := awsclient.ResolveSecrets(ctx, clients, &cfg); err != nil {
		return err
	}
	var fs Files
	if sh.Files != nil {
		fs = sh.Files(cfg)
	}
	c.Config, c.Clients = cfg, clients
	st := store.New(clients.DynamoDB, cfg.Table, cfg.SigningKey)
	c.Store = st
	c.sender = mail.NewSES(clients.SES, cfg.SESConfigurationSet, cfg.MailDomain)
	// Every email is worded in its recipient's language; each language's
	// catalog is parsed on its first use.
	c.catalog = i18n.New()
	ao := account.Options{
		Store: st, Mail: c.sender, Catalog: c.catalog, From: cfg.MailFrom, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log,
		Terms: sh.Terms,
		CoMembers: account.CoMembersFunc(func(ctx context.Context, a, b string) (bool, error) {
			return c.Groups.ShareGroup(ctx, a, b)
		}),
		Guard:   account.AdminGuardFunc(func(ctx context.Context, uid string) ([]string, error) { return c.Groups.SoleAdminOf(ctx, uid) }),
		Erasers: sh.Erasers,
	}
	if fs.avatars != nil { // pictures live in the uploads bucket; people sharing a group see them
		ao.Avatars = fs.avatars
	}
	accounts, err := account.New(ao)
	if err != nil {
		return err
	}
	c.Accounts = accounts
	// The record of admin actions: written by the cores below in their
	// actions' transactions, read by the group's admins.
	c.Audit = audit.New(st, cfg.SigningKey, audit.PolicyFunc(func(ctx context.Context, gid string, action authz.Action, t authz.Target) error {
		return c.Groups.Authorize(ctx, gid, action, t)
	}), nil, log)
	c.Groups = group.New(group.Config{
		Store: st, People: People{accounts}, Mail: c.sender, Catalog: c.catalog, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log, Audit: c.Audit, DeleteGrace: cfg.GroupDeleteGrace,
		// The voter set follows membership: the ballots of someone who
		// leaves a group are withdrawn from its open polls (queued first
		// and retried by the scheduler until done).
		OnMemberLeft: func(ctx context.Context, gid, uid string) error { return c.Decisions.MemberLeft(ctx, gid, uid) },
	})
	c.Notifications = notify.New(st, nil)
	c.Tags = tag.New(tag.Config{Store: st, Policy: c.Groups, Audit: c.Audit, Log: log})
	dc := discussion.Config{
		Store: st, Policy: c.Groups, People: DiscussionPeople{accounts}, Notify: c.Notifications, Tags: c.Tags,
		Renderer: render.New(), SigningKey: cfg.SigningKey, Log: log,
		Mail: c.sender, MailFrom: cfg.MailFrom, BaseURL: cfg.BaseURL, Audit: c.Audit, Catalog: c.catalog,
		// A removed guest leaves the voter set of the thread's polls, as a
		// member who leaves the group does (queued, retried by the scheduler).
		OnGuestRemoved: func(ctx context.Context, gid, tid, uid string) error {
			return c.Decisions.GuestRemoved(ctx, gid, tid, uid)
		},
		// A moved thread takes its polls along (discussion.MoveThread).
		Polls: ThreadPolls{&c.Decisions},
	}
	if fs.uploads != nil {
		dc.Uploads, dc.Files = fs.uploads, fs.objects
	}
	c.Discussions = discussion.New(dc)
	pollNotes := PollNotifier{Notifications: c.Notifications, Names: DiscussionPeople{accounts}.Name}
	c.Decisions = decision.New(decision.Config{Store: st, Groups: c.Groups, Log: log,
		Threads: PollThreads{c.Discussions}, Notifier: pollNotes, Fanout: pollNotes, Tags: c.Tags, Audit: c.Audit})
	c.MailPrefs, err = mailpref.New(mailpref.Config{Store: st, Users: PrefPeople{accounts}, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log})
	return err
}

// WireSearch wires the search index (fed by the stream, asked by the api).
func (c *Base) WireSearch() error {
	ix, err := search.New(search.Config{DB: c.Clients.DynamoDB, Table: c.Config.Table, SigningKey: c.Config.SigningKey,
		Threads: c.Discussions, Polls: c.Decisions})
	if err != nil {
		return err
	}
	c.Search = &Search{Index: ix, Groups: c.Groups, Discussions: c.Discussions, Decisions: c.Decisions, Accounts: c.Accounts}
	return nil
}

// WireOutbox wires the notification email dispatcher (newOutbox).
func (c *Base) WireOutbox(log *slog.Logger) (err error) {
	c.Outbox, err = newOutbox(c.Config, c.Notifications, c.sender, c.Accounts, c.Groups, c.Decisions, c.MailPrefs, c.catalog, log)
	return err
}

// WireFanouts wires the expansion of fan-out jobs on the cores of c: one
// wiring for every function that runs them (the api's tests, the mailer).
// Reminders keep the undecided (the decision core), mentions are resolved
// from names (accounts) and handed to the owner of the text they were in.
func (c *Base) WireFanouts(log *slog.Logger) {
	c.Fanouts = NewFanouts(c.Notifications, c.Groups, log)
	c.Fanouts.Ballots, c.Fanouts.Names = c.Decisions, FanoutNames{c.Accounts}
	c.Fanouts.Mentions = MentionOwners{Polls: c.Decisions, Threads: c.Discussions}
}

// NewFanouts wires the expansion of fan-out jobs: members from the group
// core, the thread's visibility for non-members from the group's policy.
func NewFanouts(notes *notify.Service, groups *group.Service, log *slog.Logger) *notify.Fanouts {
	return &notify.Fanouts{N: notes, Members: FanoutMembers{groups}, Viewer: FanoutViewer{groups}, Log: log}
}

// FanoutMembers adapts the group core's member pages to notify.Members.
type FanoutMembers struct{ Groups *group.Service }

// MemberPage implements notify.Members.
func (m FanoutMembers) MemberPage(ctx context.Context, gid, after string, limit int) ([]notify.Member, string, error) {
	rows, next, err := m.Groups.MemberPage(ctx, gid, after, limit)
	out := make([]notify.Member, 0, len(rows))
	for _, r := range rows {
		out = append(out, notify.Member{UserID: r.UserID, Role: r.Role})
	}
	return out, next, err
}

// FanoutNames adapts the account service to notify.Names: display names
// of up to 100 people in one BatchGetItem.
type FanoutNames struct{ Accounts *account.Service }

// Names implements notify.Names.
func (n FanoutNames) Names(ctx context.Context, uids []string) (map[string]string, error) {
	users, err := n.Accounts.Users(ctx, uids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(users))
	for id, u := range users {
		if u != nil && u.Name != "" {
			out[id] = u.Name
		}
	}
	return out, nil
}

// FanoutViewer asks the group's policy whether someone may view a thread.
type FanoutViewer struct{ Groups *group.Service }

// MayView implements notify.Viewer: refusals are false, failures errors.
func (v FanoutViewer) MayView(ctx context.Context, uid, gid, tid string) (bool, error) {
	err := v.Groups.Authorize(authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: uid}), gid, authz.ThreadView,
		authz.Target{Kind: "thread", ID: tid, ThreadID: tid})
	if err == nil {
		return true, nil
	}
	switch domain.ErrorCode(err) {
	case domain.NotFound, domain.Forbidden, domain.Unauthorized:
		return false, nil
	}
	return false, err
}

// People adapts the account service to what the group core needs to know
// about people.
type People struct{ Accounts *account.Service }

// UserByID implements group.People.
func (p People) UserByID(ctx context.Context, id string) (group.Person, error) {
	u, err := p.Accounts.User(ctx, id)
	if err != nil {
		return group.Person{}, err
	}
	return group.Person{ID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang(), TimeZone: u.TimeZone}, nil
}

// UsersByID implements group.People: one BatchGetItem.
func (p People) UsersByID(ctx context.Context, ids []string) (map[string]group.Person, error) {
	us, err := p.Accounts.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]group.Person, len(us))
	for id, u := range us {
		out[id] = group.Person{ID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang(), TimeZone: u.TimeZone, Avatar: u.AvatarV}
	}
	return out, nil
}

// UserIDByEmail implements group.People.
func (p People) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	u, err := p.Accounts.UserByEmail(ctx, email)
	switch {
	case err == nil:
		return u.ID, true, nil
	case domain.ErrorCode(err) == domain.NotFound:
		return "", false, nil
	default:
		return "", false, err
	}
}

// PrefPeople adapts the account service to what the email preferences
// core needs to know about people (mailpref.Users).
type PrefPeople struct{ Accounts *account.Service }

// MailPerson implements mailpref.Users.
func (p PrefPeople) MailPerson(ctx context.Context, id string) (mailpref.Person, error) {
	u, err := p.Accounts.User(ctx, id)
	if err != nil {
		return mailpref.Person{}, err
	}
	return mailpref.Person{Email: u.Email, TimeZone: u.TimeZone}, nil
}

// DiscussionPeople adapts the account service to what the discussion core
// needs to know about people.
type DiscussionPeople struct{ Accounts *account.Service }

// UserByID implements discussion.People.
func (p DiscussionPeople) UserByID(ctx context.Context, id string) (discussion.Person, error) {
	u, err := p.Accounts.User(ctx, id)
	if err != nil {
		return discussion.Person{}, err
	}
	return discussion.Person{ID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang(), TimeZone: u.TimeZone}, nil
}

// Name is the person's display name, "" if unknown.
func (p DiscussionPeople) Name(ctx context.Context, id string) string {
	if u, err := p.Accounts.User(ctx, id); err == nil {
		return u.Name
	}
	return ""
}

// UserIDByEmail implements discussion.People.
func (p DiscussionPeople) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	return People(p).UserIDByEmail(ctx, email)
}

// Wired is c itself: what takes the shared cores (internal/cores/consumers)
// accepts the mailer's Base and the Cores of internal/cores that embed it.
func (c *Base) Wired() *Base { return c }
