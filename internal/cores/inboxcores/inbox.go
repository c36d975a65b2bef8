package inboxcores

import (
	"log/slog"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/cores/corebase"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/store"
)

// newInbox wires the inbound mail service (functions/inbound, the held
// mail pages, local mail tooling). keys gives each user's reply-address
// key generation (internal/mailpref).
func newInbox(cfg config.Config, clients *awsclient.Clients, st *store.Store, accounts *account.Service, groups *group.Service,
	discussions *discussion.Service, decisions *decision.Service, notes inbox.Notifications, keys inbox.KeyGenerations, sender mail.Sender, auditor inbox.Recorder, cat *i18n.Catalog, log *slog.Logger) *inbox.Service {
	prefix := cfg.InboundPrefix
	if prefix == "" {
		prefix = "raw/"
	}
	base := ""
	if cfg.BaseURL != nil {
		base = cfg.BaseURL.String()
	}
	return inbox.New(inbox.Config{
		Store: st, Raw: inbox.S3Raw{Client: clients.S3}, InboundBucket: cfg.InboundBucket, InboundPrefix: prefix,
		Tokens: replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain), Keys: keys, Notifications: notes, People: corebase.People{Accounts: accounts},
		Discussions: discussions, Decisions: decisions, Groups: groups, Mail: sender, MailFrom: cfg.MailFrom, BaseURL: base,
		SigningKey: cfg.SigningKey, Retention: cfg.InboundRetention, Log: log, Audit: auditor, Catalog: cat,
	})
}
