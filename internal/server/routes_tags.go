package server

import (
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/tag"
)

var (
	listTags = httpx.List{Field: "tags", Max: tag.MaxPerItem}
	formTags = httpx.List{Field: "tag", Max: tag.MaxPerItem}
)

// tagRoutes: a group's tags (admins manage them) and the tags on threads
// and polls (whoever may edit the item). The tag core (internal/tag)
// decides who manages tags; the discussion and decision cores who tags
// their items. Filters are ?tag= on the group's lists (their own routes).
func (s *Server) tagRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups/{id}/tags", Access: Public, Handler: s.apiTags},
		{Pattern: "POST /api/v1/groups/{id}/tags", Access: Token, Handler: s.apiCreateTag},
		{Pattern: "PATCH /api/v1/groups/{id}/tags/{tag}", Access: Token, Handler: s.apiUpdateTag},
		{Pattern: "DELETE /api/v1/groups/{id}/tags/{tag}", Access: Token, Handler: s.apiDeleteTag},
		{Pattern: "PUT /api/v1/threads/{tid}/tags", Access: Token, Handler: s.apiSetThreadTags, Lists: []httpx.List{listTags}},
		{Pattern: "PUT /api/v1/polls/{pid}/tags", Access: Token, Handler: s.apiSetPollTags, Lists: []httpx.List{listTags}},

		// Pages
		{Pattern: "GET /groups/{id}/tags", Access: Session, Page: true, Handler: s.tagsPage},
		{Pattern: "POST /groups/{id}/tags", Access: Session, Page: true, Handler: s.tagCreateSubmit},
		{Pattern: "POST /groups/{id}/tags/{tag}", Access: Session, Page: true, Handler: s.tagUpdateSubmit},
		{Pattern: "POST /groups/{id}/tags/{tag}/delete", Access: Session, Page: true, Handler: s.tagDeleteSubmit},
		{Pattern: "GET /threads/{tid}/tags", Access: Session, Page: true, Handler: s.threadTagsPage},
		{Pattern: "GET /polls/{pid}/tags", Access: Session, Page: true, Handler: s.pollTagsPage},
		{Pattern: "POST /threads/{tid}/tags", Access: Session, Page: true, Handler: s.threadTagsSubmit, Lists: []httpx.List{formTags}},
		{Pattern: "POST /polls/{pid}/tags", Access: Session, Page: true, Handler: s.pollTagsSubmit, Lists: []httpx.List{formTags}},
	}
	for i := range routes {
		h := httpx.WithLists(routes[i].Lists, routes[i].Handler)
		if strings.Contains(routes[i].Pattern, "/polls/") {
			h = s.needDecisionsFor(routes[i].Page, h)
		}
		routes[i].Handler = s.needDiscussions(routes[i].Page, h)
	}
	return routes
}

// needDecisionsFor answers 503 when the server was built without the
// decision core (unit tests of other areas).
func (s *Server) needDecisionsFor(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.decisions == nil {
			if page {
				s.pageError(w, r, errDiscussionsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errDiscussionsOff)
			return
		}
		h(w, r)
	}
}
