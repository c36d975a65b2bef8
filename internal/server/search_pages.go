package server

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/search"
)

type searchPageHit struct {
	Kind       string
	URL        string
	Title      template.HTML
	Passage    template.HTML
	AuthorName string
	Anonymous  bool
	Group      string
	CreatedAt  time.Time
	Open       bool
	Closed     bool
}

type searchPageData struct {
	Q, Group, Status, From, To string
	Kinds                      map[string]bool
	KindList                   []string
	Groups                     []group.Group
	GroupName                  string
	Searched                   bool
	Hits                       []searchPageHit
	Next                       string
	Error                      string
	Fields                     map[string]string
}

var kindLabels = map[search.Kind]string{
	search.KindThread: "Thread", search.KindComment: "Comment", search.KindPoll: "Poll",
	search.KindReason: "Reason", search.KindOutcome: "Outcome",
}

// searchPage is the results page: the same parameters as the API, as a
// GET form that works without JavaScript.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := r.URL.Query()
	d := searchPageData{Q: v.Get("q"), Group: v.Get("group"), Status: v.Get("status"), From: v.Get("from"), To: v.Get("to"),
		Kinds: map[string]bool{}, Fields: map[string]string{}}
	for _, k := range search.Kinds {
		d.KindList = append(d.KindList, string(k))
	}
	for _, k := range v["kind"] {
		d.Kinds[k] = true
	}
	if err := authz.RequireUser(authz.ActorFrom(ctx)); err != nil {
		s.pageError(w, r, err)
		return
	}
	names := map[string]string{}
	if s.groups != nil {
		if mine, err := s.groups.Mine(ctx, "", 100); err == nil {
			d.Groups = mine.Items
			for _, g := range mine.Items {
				names[g.ID] = g.Name
			}
		}
		if d.Group != "" && names[d.Group] == "" {
			if g, err := s.groups.Get(ctx, d.Group); err == nil {
				names[g.ID] = g.Name
				d.Groups = append(d.Groups, g)
			}
		}
		d.GroupName = names[d.Group]
	}
	status := http.StatusOK
	if d.Q != "" {
		d.Searched = true
		q, err := searchParams(r)
		var res search.Results
		if err == nil {
			res, err = s.search.Search(ctx, q)
		}
		if err != nil {
			code := domain.ErrorCode(err)
			if code != domain.Invalid && code != domain.NotFound {
				s.pageError(w, r, err)
				return
			}
			status = httpx.Status(code)
			d.Error = s.errorText(r, err)
			var de *domain.Error
			if errors.As(err, &de) {
				for _, f := range de.Fields {
					d.Fields[f.Field] = f.Message
				}
			}
			if code == domain.NotFound {
				d.Error = "This group does not exist or you cannot search it."
			}
		}
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, searchPageHit{Kind: kindLabels[h.Kind], URL: hitURL(h), Title: h.Title.HTML(),
				Passage: h.Passage.HTML(), AuthorName: h.AuthorName, Anonymous: h.Kind == search.KindReason && h.AuthorID == "",
				Group: names[h.GroupID], CreatedAt: h.CreatedAt, Open: h.Open,
				Closed: !h.Open && h.Kind != search.KindOutcome})
		}
		if res.Next != "" {
			next := url.Values{}
			for k, vals := range v {
				if k != "cursor" {
					next[k] = vals
				}
			}
			next.Set("cursor", res.Next)
			d.Next = "/search?" + next.Encode()
		}
	}
	title := "Search"
	if d.Q != "" {
		title = "Search: " + d.Q
	}
	s.web.Page(w, r, status, "search", title, d)
}
