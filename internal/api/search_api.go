package api

import (
	"context"
	"net/http"
	"time"

	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/search"
)

// Searcher answers a search for the actor of ctx (app.Search).
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Results, error)
}

// searchHitJSON is one hit of GET /api/v1/search.
type searchHitJSON struct {
	Kind       search.Kind `json:"kind"`
	URL        string      `json:"url"`
	GroupID    string      `json:"group_id"`
	ThreadID   string      `json:"thread_id,omitempty"`
	PollID     string      `json:"poll_id,omitempty"`
	CommentID  string      `json:"comment_id,omitempty"`
	AuthorID   string      `json:"author_id,omitempty"`
	AuthorName string      `json:"author_name,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	Open       bool        `json:"open"`
	PollStatus string      `json:"poll_status,omitempty"`
	Anonymous  bool        `json:"anonymous,omitempty"`
	Tags       []string    `json:"tags,omitempty"`
	Title      string      `json:"title"`
	Passage    string      `json:"passage"`
	// TitleHTML and PassageHTML are the same text escaped, with each
	// matched word in <mark>: safe to insert as HTML.
	TitleHTML   string `json:"title_html"`
	PassageHTML string `json:"passage_html"`
}

type searchResultsJSON struct {
	Hits []searchHitJSON `json:"hits"`
	Next string          `json:"next,omitempty"`
}

func hitJSON(h search.Hit) searchHitJSON {
	out := searchHitJSON{Kind: h.Kind, URL: handlerkit.HitURL(h), GroupID: h.GroupID, ThreadID: h.ThreadID, PollID: h.PollID,
		CommentID: h.CommentID, AuthorID: h.AuthorID, AuthorName: h.AuthorName, CreatedAt: h.CreatedAt.UTC(),
		UpdatedAt: h.UpdatedAt.UTC(), Open: h.Open, Tags: h.Tags, Title: h.Title.String(), Passage: h.Passage.String(),
		TitleHTML: string(h.Title.HTML()), PassageHTML: string(h.Passage.HTML())}
	if h.Poll != nil {
		out.PollStatus, out.Anonymous = h.Poll.Status, h.Poll.Anonymous
	}
	return out
}

func (s *Server) Search(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	q, err := handlerkit.SearchParams(r)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	res, err := s.search.Search(r.Context(), q)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	out := searchResultsJSON{Hits: make([]searchHitJSON, 0, len(res.Hits)), Next: res.Next}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hitJSON(h))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
