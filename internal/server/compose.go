package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/api"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/web/pages"
)

// compose builds the API and page handlers from the services of d: each
// package sees them through the small interfaces it declares, and a
// service that is not wired stays nil (its routes answer 503).
func (s *Server) compose(d Deps, people Names, formKeyed func(http.Handler) http.Handler) {
	a := api.Deps{Log: s.log, Search: d.Search, People: people, Legal: d.Legal}
	p := pages.Deps{Log: s.log, Web: d.Web, Search: d.Search, People: people, Legal: d.Legal, FormKeyed: formKeyed}
	if d.Web != nil {
		a.Web = d.Web
	}
	if d.Accounts != nil {
		a.Accounts, p.Accounts = d.Accounts, d.Accounts
	}
	if d.Groups != nil {
		a.Groups, p.Groups = d.Groups, d.Groups
	}
	if d.Discussions != nil {
		a.Discussions, p.Discussions = d.Discussions, d.Discussions
		a.Tags, p.Tags = d.Discussions.Tags(), d.Discussions.Tags()
	}
	if d.Notifications != nil {
		a.Notifications, p.Notifications = d.Notifications, d.Notifications
	}
	if d.Decisions != nil {
		a.Decisions, p.Decisions = d.Decisions, d.Decisions
		tp := &handlerkit.ThreadPolls{Log: s.log, Polls: d.Decisions}
		if d.Groups != nil {
			tp.Groups = d.Groups
		}
		if d.Discussions != nil {
			tp.Discussions = d.Discussions
		}
		s.threadPolls = tp
		a.ThreadPolls, p.ThreadPolls = tp, tp
	}
	if d.MailPrefs != nil {
		a.MailPrefs, p.MailPrefs = d.MailPrefs, d.MailPrefs
	}
	if d.Inbox != nil {
		a.Inbox, p.Inbox = d.Inbox, d.Inbox
	}
	if d.Audit != nil {
		a.Audit, p.Audit = d.Audit, d.Audit
	}
	if d.Templates != nil {
		a.Templates, p.Templates = d.Templates, d.Templates
	}
	if d.Exports != nil {
		a.Exports, p.Exports = d.Exports, d.Exports
	}
	if d.Imports != nil {
		a.Imports, p.Imports = d.Imports, d.Imports
	}
	s.api, s.pages = api.New(a), pages.New(p)
}
