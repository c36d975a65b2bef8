// Package cores wires Quorum's domain cores: AWS clients, the store and the
// services (accounts, groups, threads, polls, notifications, email
// preferences, the outbox and the inbox), with no HTTP layer. The functions
// that do not serve HTTP (mailer, scheduler, inbound) build just this;
// internal/app adds the HTTP server on top for functions/api. It is the
// only place the cores meet.
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
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/legal"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// Cores are the wired domain services of one process.
type Cores struct {
	Config config.Config
	// Legal are the terms of service and privacy policy shown at /terms and
	// /privacy; sign-up records their version.
	Legal    legal.Docs
	Clients  *awsclient.Clients
	Store    *store.Store
	Accounts *account.Service
	Groups   *group.Service
	// Discussions, Notifications and Decisions are the cores of threads,
	// in-app notifications and polls.
	Discussions   *discussion.Service
	Notifications *notify.Service
	Decisions     *decision.Service
	// Processes keeps the templates groups start threads and polls from.
	Processes *process.Service

	// MailPrefs holds email preferences, unsubscribe links and suppressed
	// addresses (internal/mailpref); the outbox asks it before each email.
	MailPrefs *mailpref.Service
	// Outbox delivers notification email (internal/notify).
	Outbox *notify.Dispatcher
	// Inbox acts on received mail (functions/inbound) and serves held mail.
	Inbox *inbox.Service
	// Search answers searches; its Index is fed by the stream (functions/mailer).
	Search *Search
	// Audit keeps each group's tamper-evident record of admin actions;
	// the stream (functions/mailer) and the scheduler seal its entries.
	Audit *audit.Service
	// Tags are the groups' tags (definitions, the tag index, the purge of
	// deleted tags the scheduler runs).
	Tags *tag.Service
	// Fanouts expands the fan-out jobs requests leave (notifying a whole
	// group): fed by the stream (functions/mailer), swept by the scheduler.
	Fanouts *notify.Fanouts
	// Exports prepares personal and group exports (#16) in steps the
	// scheduler runs; each core exports its own entities (exports.go).
	Exports *export.Service
}

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
// the SDK's (testcloud.Fast).
func NewWith(ctx context.Context, cfg config.Config, clients *awsclient.Clients, log *slog.Logger) (*Cores, error) {
	if err := awsclient.ResolveSecrets(ctx, clients, &cfg); err != nil {
		return nil, err
	}
	docs, err := legal.Load(cfg.LegalDir)
	if err != nil {
		return nil, err
	}
	st := store.New(clients.DynamoDB, cfg.Table, cfg.SigningKey)
	sender := mail.NewSES(clients.SES, cfg.SESConfigurationSet, cfg.MailDomain)
	// Every email is worded in its recipient's language; each language's
	// catalog is parsed on its first use.
	cat := i18n.New()
	// The voter set follows membership: the ballots of someone who leaves
	// a group are withdrawn from its open polls (decisions is set below;
	// the hook only runs on requests, after New returned).
	var decisions *decision.Service
	// The record of admin actions: written by the cores below in their
	// actions' transactions, read by the group's admins (groups is set
	// below; the policy only runs on requests, after New returned).
	var groups *group.Service
	// Account deletion asks each core to erase what it holds about the
	// person (set below; erasure only runs on requests and ticks).
	var notes *notify.Service
	var mailprefs *mailpref.Service
	var discussions *discussion.Service
	var exports *export.Service
	var inboxes *inbox.Service
	var ix *search.Index
	accounts, err := account.New(account.Options{
		Store: st, Mail: sender, Catalog: cat, From: cfg.MailFrom, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log,
		Terms: docs.Version(),
		// Pictures live in the uploads bucket; people sharing a group see them.
		Avatars: blob.NewAvatars(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID),
		CoMembers: account.CoMembersFunc(func(ctx context.Context, a, b string) (bool, error) {
			return groups.ShareGroup(ctx, a, b)
		}),
		Guard: account.AdminGuardFunc(func(ctx context.Context, uid string) ([]string, error) { return groups.SoleAdminOf(ctx, uid) }),
		Erasers: []account.Eraser{
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return groups.EraseMember(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return notes.EraseUser(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return mailprefs.EraseUser(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return discussions.EraseReadMarks(ctx, e.UserID)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return exports.EraseUser(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return discussions.EraseGuestGrants(ctx, e.UserID)
			}),
			// Scans of the table (no index by person), a page a batch.
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return groups.EraseRequests(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return inboxes.EraseSender(ctx, e.UserID, e.Email)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) { return inboxes.EraseAliases(ctx, e.UserID) }),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return discussions.EraseEditHistory(ctx, e.UserID)
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
				return discussions.RemoveAuthorComments(ctx, e.UserID)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				if !e.RemoveComments {
					return true, nil
				}
				return notes.EraseAuthorExcerpts(ctx, e.UserID)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return discussions.EraseAuthorNames(ctx, e.UserID, account.DeletedName)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return notes.EraseActorNames(ctx, e.UserID, account.DeletedName)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return notes.EraseFanoutActor(ctx, e.UserID, account.DeletedName)
			}),
			account.EraserFunc(func(ctx context.Context, e account.Erasure) (bool, error) {
				return ix.EraseAuthorNames(ctx, st, e.UserID, account.DeletedName)
			}),
		},
	})
	if err != nil {
		return nil, err
	}
	auditor := audit.New(st, cfg.SigningKey, audit.PolicyFunc(func(ctx context.Context, gid string, action authz.Action, t authz.Target) error {
		return groups.Authorize(ctx, gid, action, t)
	}), nil, log)
	groups = group.New(group.Config{
		Store: st, People: People{accounts}, Mail: sender, Catalog: cat, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log, Audit: auditor, DeleteGrace: cfg.GroupDeleteGrace,
		OnMemberLeft: func(ctx context.Context, gid, uid string) error {
			// Queued first and retried by the scheduler until done.
			return decisions.MemberLeft(ctx, gid, uid)
		},
	})
	notes = notify.New(st, nil)
	tags := tag.New(tag.Config{Store: st, Policy: groups, Audit: auditor, Log: log})
	discussions = discussion.New(discussion.Config{
		Store: st, Policy: groups, People: DiscussionPeople{accounts}, Notify: notes, Tags: tags,
		Uploads:  blob.NewUploads(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, blob.DefaultLimits()),
		Files:    blob.NewObjects(clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, ""),
		Renderer: render.New(), SigningKey: cfg.SigningKey, Log: log,
		Mail: sender, MailFrom: cfg.MailFrom, BaseURL: cfg.BaseURL, Audit: auditor, Catalog: cat,
		// A removed guest leaves the voter set of the thread's polls, as a
		// member who leaves the group does (queued, retried by the scheduler).
		OnGuestRemoved: func(ctx context.Context, gid, tid, uid string) error {
			return decisions.GuestRemoved(ctx, gid, tid, uid)
		},
		// A moved thread takes its polls along (discussion.MoveThread).
		Polls: ThreadPolls{&decisions},
	})
	pollNotes := PollNotifier{Notifications: notes, Names: DiscussionPeople{accounts}.Name}
	decisions = decision.New(decision.Config{Store: st, Groups: groups, Log: log,
		Threads: PollThreads{discussions}, Notifier: pollNotes, Fanout: pollNotes, Tags: tags, Audit: auditor})
	processes := process.New(process.Config{Store: st, Policy: groups, Audit: auditor, Catalog: cat, Log: log,
		Sources: ProcessSources{Discussions: discussions, Decisions: decisions}})
	mailprefs, err = mailpref.New(mailpref.Config{Store: st, Users: PrefPeople{accounts}, BaseURL: cfg.BaseURL, SigningKey: cfg.SigningKey, Log: log})
	if err != nil {
		return nil, err
	}
	ix, err = search.New(search.Config{DB: clients.DynamoDB, Table: cfg.Table, SigningKey: cfg.SigningKey, Threads: discussions, Polls: decisions})
	if err != nil {
		return nil, err
	}
	searcher := &Search{Index: ix, Groups: groups, Discussions: discussions, Decisions: decisions, Accounts: accounts}
	inboxSvc := newInbox(cfg, clients, st, accounts, groups, discussions, decisions, notes, mailprefs, sender, auditor, cat, log)
	inboxes = inboxSvc
	mailer, err := newOutbox(cfg, notes, sender, accounts, groups, decisions, mailprefs, cat, log)
	if err != nil {
		return nil, err
	}
	c := &Cores{Config: cfg, Legal: docs, Clients: clients, Store: st, Accounts: accounts, Groups: groups,
		Discussions: discussions, Notifications: notes, Decisions: decisions, Processes: processes, MailPrefs: mailprefs, Outbox: mailer,
		Inbox: inboxSvc, Search: searcher, Audit: auditor, Tags: tags}
	c.wireFanouts(log)
	exports = newExports(c, sender, cat, log)
	c.Exports = exports
	// A deleted group is erased, after its grace period, with the same list
	// of items a restore copies back (internal/recovery).
	groups.SetEraser(&recovery.GroupEraser{DB: clients.DynamoDB, Table: cfg.Table, S3: clients.S3, Bucket: cfg.UploadsBucket,
		Notes: notes, Owners: []recovery.GroupOwned{exports, ix, notes.GroupSweep()}})
	return c, nil
}

// wireFanouts wires the expansion of fan-out jobs on the cores of c: one
// wiring for every function that runs them (the api's tests, the mailer).
// Reminders keep the undecided (the decision core), mentions are resolved
// from names (accounts) and handed to the owner of the text they were in.
func (c *Cores) wireFanouts(log *slog.Logger) {
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
