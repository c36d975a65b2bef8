// Package api is Quorum's JSON API: one handler per route of the route
// table (internal/server), each decoding the request (httpx.DecodeJSON),
// making one call on a domain core and writing its answer
// (httpx.WriteJSON / httpx.WriteError). It decides no access itself: the
// cores do. It knows nothing of the pages or of how routes are wired.
package api

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"

	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/legal"
)

// Deps are what the API handlers need: the cores, each seen through the
// small interface this package declares for it (the composition root,
// internal/server, passes the services, which satisfy them). A nil core
// is never called: the route table answers 503 before.
type Deps struct {
	Log *slog.Logger
	// Web words the CSV exports in the reader's language (nil: English,
	// UTC); *web.Renderer implements it.
	Web           Printers
	Accounts      Accounts
	Groups        Groups
	Discussions   Discussions
	Notifications Notifications
	Decisions     Decisions
	MailPrefs     MailPrefs
	Inbox         Inbox
	Search        Searcher
	Audit         AuditRecords
	People        Names
	Templates     Templates
	Exports       Exports
	Imports       Imports
	// Tags manages a group's tags (the discussion core's *tag.Service).
	Tags  Tags
	Legal *legal.Docs
	// ThreadPolls opens the poll of a thread started with one.
	ThreadPolls *handlerkit.ThreadPolls
}

// Server holds the API handlers.
type Server struct {
	log *slog.Logger
	web Printers

	accounts      Accounts
	groups        Groups
	discussions   Discussions
	notifications Notifications
	decisions     Decisions
	mailprefs     MailPrefs
	inbox         Inbox
	search        Searcher
	audit         AuditRecords
	people        Names
	templates     Templates
	exports       Exports
	imports       Imports
	tags          Tags
	legal         legalDocs
	threadPolls   *handlerkit.ThreadPolls
}

// New builds the API handlers.
func New(d Deps) *Server {
	s := &Server{log: d.Log, web: d.Web, accounts: d.Accounts, groups: d.Groups, discussions: d.Discussions,
		notifications: d.Notifications, decisions: d.Decisions, mailprefs: d.MailPrefs, inbox: d.Inbox,
		search: d.Search, audit: d.Audit, people: d.People, templates: d.Templates, exports: d.Exports,
		imports: d.Imports, tags: d.Tags, threadPolls: d.ThreadPolls}
	s.legal = legalDocs{docs: legal.Defaults()}
	if d.Legal != nil {
		s.legal.docs = *d.Legal
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Printers give a request's reader's printer: their language and zone.
type Printers interface {
	Printer(r *http.Request) *i18n.Printer
}

// legalDocs are the terms and privacy policy the API publishes.
type legalDocs struct{ docs legal.Docs }

// Version is what a sign-up sends as terms_version.
func (l legalDocs) Version() string { return l.docs.Version() }

// names resolves user ids to display names (empty when unknown).
func (s *Server) names(ctx context.Context, ids []string) map[string]string {
	// One BatchGetItem per 100 people (the account core's bound), not a
	// read per person: a page of 100 ballots cast by proxies names 200.
	out := make(map[string]string, len(ids))
	for chunk := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(ids))), 100) {
		maps.Copy(out, handlerkit.ManyNames(ctx, s.people, chunk))
	}
	return out
}
