// Package server composes Quorum's HTTP adapter: the one route table
// (routes*.go) with each route's access, list bounds and availability,
// credentials resolved to an actor (auth.go), health and the security
// facts, and the handlers it builds from Deps (compose.go): the JSON API
// (internal/api) and the pages (internal/web/pages). The plumbing
// (middleware, problem+json, decoding, CSRF) is internal/httpx; access is
// decided by the domain cores, never here.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/api"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/idempotency"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/legal"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/web"
	"github.com/quorum-app/quorum/internal/web/pages"
)

// Pinger is a dependency /healthz can check.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the server needs from the outside.
type Deps struct {
	Log *slog.Logger
	// Health names each dependency /healthz checks ("dynamodb", "s3").
	Health  map[string]Pinger
	Web     *web.Renderer
	Timeout time.Duration
	// TrustedOrigins may send cross-origin state-changing requests (normally none).
	TrustedOrigins []string
	// UploadOrigin is the origin of the uploads bucket's presigned URLs
	// (awsclient.Clients.UploadOrigin), added to the CSP's connect-src so the
	// browser can PUT attachments straight to storage ("": none).
	UploadOrigin string
	// Accounts resolves credentials and serves the account routes (nil: everyone is anonymous).
	Accounts *account.Service
	// Groups serves the group routes (nil: they answer 503).
	Groups *group.Service
	// Facts are the deployment's security facts shown at /security (nil: not
	// published); Local marks a development installation.
	Facts *facts.Facts
	Local bool
	// Discussions, Notifications and Decisions serve the thread, notification
	// and poll routes (nil: they answer 503).
	Discussions   *discussion.Service
	Notifications *notify.Service
	Decisions     *decision.Service
	// Idempotency stores Idempotency-Key records for API writes (nil: the
	// header is ignored).
	Idempotency idempotency.Store
	// KeyLease is how long a request's claim on its key holds
	// before a retry may take it over (0: idempotency.DefaultLease).
	KeyLease time.Duration
	// MailPrefs serves email preferences and unsubscribe links (nil: those routes are not served).
	MailPrefs *mailpref.Service
	// Inbox serves held inbound mail and the local /dev/mail page (nil: they answer 503).
	Inbox *inbox.Service
	// Search answers /search and /api/v1/search (nil: not routed).
	Search Searcher
	// Audit serves groups' records of admin actions (nil: those routes answer 503).
	Audit AuditRecords
	// Legal are the terms of service and privacy policy (nil: the built-in
	// ones); their version goes with every sign-in form.
	Legal *legal.Docs
	// Templates serves the templates groups start threads and polls from
	// (nil: those routes answer 503 and the pages offer none).
	Templates Templates
	// Exports serves personal and group exports (nil: those routes answer 503).
	Exports Exports
	// Imports turns group exports into new groups (nil: those routes answer 503).
	Imports Imports
	// Names gives people's display names where a page or answer shows ids
	// it got from a core (ballots, the record of admin actions; nil: read
	// from Accounts).
	Names Names
}

// Names resolves a person's display name ("" when unknown or erased).
type Names interface {
	Name(ctx context.Context, uid string) string
}

// accountNames reads names from the account core.
type accountNames struct{ a *account.Service }

func (n accountNames) Name(ctx context.Context, uid string) string {
	u, err := n.a.User(ctx, uid)
	switch {
	case err == nil:
		return u.Name
	case domain.ErrorCode(err) == domain.NotFound && uid != "":
		return account.DeletedName // the account was deleted (#16)
	}
	return ""
}

// Names reads many names in one BatchGetItem (ids that are unknown or
// erased, or a failed read: "", and the caller's fallback).
func (n accountNames) Names(ctx context.Context, uids []string) map[string]string {
	out := make(map[string]string, len(uids))
	var asked []string
	for _, id := range uids {
		if id != "" && ids.Valid(id) {
			asked = append(asked, id)
		}
	}
	if len(asked) == 0 {
		return out
	}
	us, err := n.a.Users(ctx, asked)
	if err != nil {
		return out
	}
	for _, id := range asked {
		if u, ok := us[id]; ok {
			out[id] = u.Name
		} else {
			out[id] = account.DeletedName
		}
	}
	return out
}

// The services the composition passes to the API (internal/api) and the
// pages (internal/web/pages) as the interfaces those declare: each is what
// both of them call.
type (
	// Searcher answers a search for the actor of ctx (app.Search).
	Searcher interface {
		api.Searcher
		pages.Searcher
	}
	// AuditRecords are groups' records of admin actions (the audit core).
	AuditRecords interface {
		api.AuditRecords
		pages.AuditRecords
	}
	// Templates are the templates groups start threads and polls from
	// (*process.Service).
	Templates interface {
		api.Templates
		pages.Templates
	}
	// Exports are personal and group exports (the export core).
	Exports interface {
		api.Exports
		pages.Exports
	}
	// Imports turn group exports into new groups (the export core).
	Imports interface {
		api.Imports
		pages.Imports
	}
)

// Server is the HTTP handler of functions/api: the route table, credentials
// and the composition of the API and page handlers.
type Server struct {
	log     *slog.Logger
	health  map[string]Pinger
	web     *web.Renderer
	timeout time.Duration
	handler http.Handler
	// uploadOrigin is the one extra origin of connect-src.
	uploadOrigin string
	routes       []Route
	mux          *routeShards

	// api and pages are the handlers the route table points at.
	api   *api.Server
	pages *pages.Server

	// What credentials, the nav and the route table's availability checks
	// need (a nil core: its routes answer 503).
	accounts      *account.Service
	groups        *group.Service
	security      securityFacts
	discussions   *discussion.Service
	notifications *notify.Service
	decisions     *decision.Service
	mailprefs     *mailpref.Service
	inbox         *inbox.Service
	search        Searcher
	templates     Templates
	exports       Exports
	imports       Imports
	// threadPolls starts threads with a poll in them, for the API and
	// the pages alike (nil without the decision core).
	threadPolls *handlerkit.ThreadPolls
}

// Access says who a route is for. The authorization matrix test checks every
// route declares one; the domain core still decides each operation.
type Access string

// Access kinds.
const (
	Public  Access = "public"  // anyone, signed in or not
	Session Access = "session" // a browser session (cookie) is required
	Token   Access = "token"   // a personal API token or a session
)

// Route is one entry of the route table.
type Route struct {
	// Pattern is a Go 1.22 mux pattern with method, e.g. "GET /healthz".
	Pattern string
	Access  Access
	// Page is true for HTML pages, false for the JSON API and plumbing.
	Page    bool
	Handler http.HandlerFunc
	// Lists are the lists the request body may hold, with their bounds
	// (httpx/bounds.go); a JSON body with any other list is refused. Each area's
	// route function applies them (httpx.WithLists) to its handlers.
	Lists []httpx.List
}

// New builds the handler.
func New(d Deps) (*Server, error) {
	if err := httpx.CheckUploadOrigin(d.UploadOrigin); err != nil {
		return nil, err
	}
	s := &Server{log: d.Log, health: d.Health, web: d.Web, timeout: d.Timeout, uploadOrigin: d.UploadOrigin}
	s.accounts = d.Accounts
	s.groups = d.Groups
	s.security = securityFacts{Facts: d.Facts, Local: d.Local}
	s.discussions, s.notifications, s.decisions = d.Discussions, d.Notifications, d.Decisions
	s.mailprefs = d.MailPrefs
	s.inbox = d.Inbox
	s.search = d.Search
	s.templates = d.Templates
	s.exports = d.Exports
	s.imports = d.Imports
	people := d.Names
	if people == nil && d.Accounts != nil {
		people = accountNames{d.Accounts}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var formKeyed func(http.Handler) http.Handler
	keyed := func(h http.Handler) http.Handler { return h }
	if d.Idempotency != nil {
		scope := func(r *http.Request) string { return authz.ActorFrom(r.Context()).UserID }
		opts := idempotency.Options{Lease: d.KeyLease, Log: s.log, RequestID: logging.RequestID}
		keyed = idempotency.Middleware(d.Idempotency, scope, opts, func(w http.ResponseWriter, r *http.Request, err error) {
			httpx.WriteError(w, r, s.log, err)
		})
		formKeyed = idempotency.Middleware(d.Idempotency, scope, opts, func(w http.ResponseWriter, r *http.Request, err error) {
			s.pages.PageError(w, r, err)
		})
	}
	s.compose(d, people, formKeyed)
	s.routes = s.routeTable()
	entries := make([]routeEntry, 0, len(s.routes)+1)
	for _, rt := range s.routes {
		if !rt.Page {
			// API writes are safe to retry with an Idempotency-Key (after
			// authentication, so keys are scoped to the caller).
			rt.Handler = keyed(rt.Handler).ServeHTTP
		}
		entries = append(entries, routeEntry{rt.Pattern, s.authenticate(rt)})
	}
	entries = append(entries, routeEntry{"/", http.HandlerFunc(s.notFound)})
	// Registered a part at a time, on each part's first request (shards.go).
	s.mux = newRouteShards(entries)
	mux := s.mux

	// Cross-origin protection on every state-changing request (CSRF).
	protected, err := httpx.CSRF(d.TrustedOrigins, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, s.log, domain.Errorf(domain.Forbidden, "cross-origin request rejected: state-changing requests must come from this site"))
	}), mux)
	if err != nil {
		return nil, err
	}
	s.handler = httpx.Observe(s.log, s.timeout, s.uploadOrigin, protected)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (for the authorization matrix test and docs).
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	err := domain.Errorf(domain.NotFound, "there is nothing at %s", r.URL.Path)
	if wantsHTML(r) && s.web != nil {
		pr := s.web.Printer(r)
		s.web.Error(w, r, http.StatusNotFound, pr.T("page.home.error.page_not_found"), pr.T("page.home.error.nothing_here"))
		return
	}
	httpx.WriteError(w, r, s.log, err)
}

func wantsHTML(r *http.Request) bool {
	if len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/" {
		return false
	}
	accept := r.Header.Get("Accept")
	return accept == "" || containsToken(accept, "text/html")
}

func containsToken(s, tok string) bool {
	for i := 0; i+len(tok) <= len(s); i++ {
		if s[i:i+len(tok)] == tok {
			return true
		}
	}
	return false
}
