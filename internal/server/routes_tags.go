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
		{Pattern: "GET /api/v1/groups/{id}/tags", Access: Public, Handler: s.api.Tags},
		{Pattern: "POST /api/v1/groups/{id}/tags", Access: Token, Handler: s.api.CreateTag},
		{Pattern: "PATCH /api/v1/groups/{id}/tags/{tag}", Access: Token, Handler: s.api.UpdateTag},
		{Pattern: "DELETE /api/v1/groups/{id}/tags/{tag}", Access: Token, Handler: s.api.DeleteTag},
		{Pattern: "PUT /api/v1/threads/{tid}/tags", Access: Token, Handler: s.api.SetThreadTags, Lists: []httpx.List{listTags}},
		{Pattern: "PUT /api/v1/polls/{pid}/tags", Access: Token, Handler: s.api.SetPollTags, Lists: []httpx.List{listTags}},

		// Pages
		{Pattern: "GET /groups/{id}/tags", Access: Session, Page: true, Handler: s.pages.TagsPage},
		{Pattern: "POST /groups/{id}/tags", Access: Session, Page: true, Handler: s.pages.TagCreateSubmit},
		{Pattern: "POST /groups/{id}/tags/{tag}", Access: Session, Page: true, Handler: s.pages.TagUpdateSubmit},
		{Pattern: "POST /groups/{id}/tags/{tag}/delete", Access: Session, Page: true, Handler: s.pages.TagDeleteSubmit},
		{Pattern: "GET /threads/{tid}/tags", Access: Session, Page: true, Handler: s.pages.ThreadTagsPage},
		{Pattern: "GET /polls/{pid}/tags", Access: Session, Page: true, Handler: s.pages.PollTagsPage},
		{Pattern: "POST /threads/{tid}/tags", Access: Session, Page: true, Handler: s.pages.ThreadTagsSubmit, Lists: []httpx.List{formTags}},
		{Pattern: "POST /polls/{pid}/tags", Access: Session, Page: true, Handler: s.pages.PollTagsSubmit, Lists: []httpx.List{formTags}},
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
				s.pages.PageError(w, r, errDiscussionsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errDiscussionsOff)
			return
		}
		h(w, r)
	}
}
