package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

// templateRoutes: the templates a group starts threads and polls from
// (internal/process). Every handler translates and calls the template core,
// which asks the one policy (authz.Group): reading a group's content lists
// them, starting a thread or poll starts from one, admins save, edit,
// arrange and delete them. Starting prefills the thread or poll form (the
// pages' ?template=) or returns the create route's body (.../start):
// nothing is created until the person submits it.
func (s *Server) templateRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups/{id}/templates", Access: Public, Handler: s.api.Templates},
		{Pattern: "POST /api/v1/groups/{id}/templates", Access: Token, Handler: s.api.CreateTemplate, Lists: templateLists},
		{Pattern: "PUT /api/v1/groups/{id}/templates/order", Access: Token, Handler: s.api.ArrangeTemplates, Lists: []httpx.List{listTemplateOrder, listTemplateHidden}},
		{Pattern: "GET /api/v1/groups/{id}/templates/{tid}", Access: Public, Handler: s.api.Template},
		{Pattern: "PUT /api/v1/groups/{id}/templates/{tid}", Access: Token, Handler: s.api.UpdateTemplate, Lists: templateLists},
		{Pattern: "DELETE /api/v1/groups/{id}/templates/{tid}", Access: Token, Handler: s.api.DeleteTemplate},
		{Pattern: "GET /api/v1/groups/{id}/templates/{tid}/start", Access: Token, Handler: s.api.StartTemplate},

		// Pages (the thread and poll forms take ?template= themselves)
		{Pattern: "GET /groups/{id}/templates", Access: Session, Page: true, Handler: s.pages.TemplatesPage},
		{Pattern: "POST /groups/{id}/templates", Access: Session, Page: true, Handler: s.pages.TemplateSaveSubmit},
		{Pattern: "POST /groups/{id}/templates/{tid}/arrange", Access: Session, Page: true, Handler: s.pages.TemplateArrangeSubmit},
		{Pattern: "POST /groups/{id}/templates/{tid}/delete", Access: Session, Page: true, Handler: s.pages.TemplateDeleteSubmit},
		{Pattern: "GET /groups/{id}/templates/{tid}/edit", Access: Session, Page: true, Handler: s.pages.TemplateEditPage},
		{Pattern: "POST /groups/{id}/templates/{tid}/edit", Access: Session, Page: true, Handler: s.pages.TemplateEditSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needTemplates(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

// The lists of template bodies: a poll template's options and vote-share
// requirements, and an arrangement's order and hidden built-in ones.
var (
	templateLists = []httpx.List{
		{Field: "poll.options", Max: poll.MaxOptions},
		{Field: "poll.settings.vote_share", Max: poll.MaxRequirements},
	}
	listTemplateOrder  = httpx.List{Field: "order", Max: process.MaxTemplates}
	listTemplateHidden = httpx.List{Field: "hidden", Max: process.MaxHiddenList}
)

var errTemplatesOff = domain.Errorf(domain.Unavailable, "templates are not available on this server")

// needTemplates answers 503 when the server was built without the
// template core (unit tests of other areas).
func (s *Server) needTemplates(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.templates == nil || s.groups == nil {
			if page {
				s.pages.PageError(w, r, errTemplatesOff)
				return
			}
			httpx.WriteError(w, r, s.log, errTemplatesOff)
			return
		}
		h(w, r)
	}
}
