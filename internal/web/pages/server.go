// Package pages is Quorum's HTML pages: one handler per page route of the
// route table (internal/server), beside the templates and static files of
// internal/web they render. A page reads its form (httpx.ParseForm), makes its
// calls on the domain cores and renders the result or the form again with
// its errors (formState). It decides no access itself: what the viewer may
// do comes from the cores (capabilities as booleans), which ask authz.
package pages

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/legal"
	"github.com/quorum-app/quorum/internal/web"
)

// Deps are what the pages need: the renderer and the cores, each seen
// through the small interface this package declares for it (the
// composition root, internal/server, passes the services, which satisfy
// them). A nil core is never called: the route table answers 503 before.
type Deps struct {
	Log           *slog.Logger
	Web           *web.Renderer
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
	// FormKeyed makes a page form safe to submit again (its form_key as
	// the Idempotency-Key; nil without an idempotency table).
	FormKeyed func(http.Handler) http.Handler
}

// Server holds the page handlers.
type Server struct {
	log *slog.Logger
	web *web.Renderer

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
	legal         legalPages
	threadPolls   *handlerkit.ThreadPolls
	formKeyed     func(http.Handler) http.Handler

	// The handler groups that need a few of a core's methods hold only
	// those (set from the same service as discussions and decisions).
	threadGuests   ThreadGuests
	threadMod      ThreadModeration
	memberContent  MemberContent
	groupThreads   GroupThreads
	pollProxies    PollProxies
	pollReacts     PollReactions
	pollHistory    PollHistory
	groupDecisions GroupDecisions
	cards          ThreadPollCards
}

// New builds the page handlers.
func New(d Deps) *Server {
	s := &Server{log: d.Log, web: d.Web, accounts: d.Accounts, groups: d.Groups, discussions: d.Discussions,
		notifications: d.Notifications, decisions: d.Decisions, mailprefs: d.MailPrefs, inbox: d.Inbox,
		search: d.Search, audit: d.Audit, people: d.People, templates: d.Templates, exports: d.Exports,
		imports: d.Imports, tags: d.Tags, threadPolls: d.ThreadPolls, formKeyed: d.FormKeyed}
	if d.Discussions != nil {
		s.threadGuests, s.threadMod, s.memberContent, s.groupThreads = d.Discussions, d.Discussions, d.Discussions, d.Discussions
	}
	if d.Decisions != nil {
		s.pollProxies, s.pollReacts, s.pollHistory = d.Decisions, d.Decisions, d.Decisions
		s.groupDecisions, s.cards = d.Decisions, d.Decisions
	}
	s.legal = newLegalPages(d.Legal)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// names resolves user ids to display names (empty when unknown).
func (s *Server) names(ctx context.Context, ids []string) map[string]string {
	return handlerkit.NamesOf(ctx, s.people, ids)
}

// manyNames is names in one read where the names can be batched.
func (s *Server) manyNames(ctx context.Context, ids []string) map[string]string {
	return handlerkit.ManyNames(ctx, s.people, ids)
}
