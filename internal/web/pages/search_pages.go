package pages

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/tag"
)

type searchPageHit struct {
	// Face is the author's picture or initials (avatars.go); none for
	// anonymous reasons.
	Face       avatarView
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
	// AuthorURL narrows the search to the author's content ("" for
	// anonymous reasons); Tags are the thread's or poll's tags, each with
	// the search narrowed to it in the hit's group.
	AuthorURL string
	Tags      []searchTagLink
}

// searchTagLink is a tag shown on a hit or chosen as a filter, with the
// address of the search with it (a hit's) or without it (a filter's).
type searchTagLink struct {
	tag.Tag
	URL string
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
	// The tag picker: the chosen group's tags (none without a group), the
	// chosen ones, and the chosen tags the picker does not list (kept as
	// hidden fields, shown with a link that removes them).
	TagList   []tag.Tag
	TagOn     map[string]bool
	OtherTags []searchTagLink
	// Author is the author filter, AuthorName their name as found on a
	// hit ("" when no hit names them), AuthorOff the search without it.
	Author, AuthorName, AuthorOff string
}

// kindLabel is a hit's kind for people ("Thread"), in the reader's language.
func kindLabel(p *i18n.Printer, k search.Kind) string { return p.T("page.search.kind." + string(k)) }

// searchPage is the results page: the same parameters as the API, as a
// GET form that works without JavaScript.
func (s *Server) SearchPage(w http.ResponseWriter, r *http.Request) {
	// One cache of the policy's group facts for the whole page: the group
	// names, the tag picker's group and the search (scope and every hit)
	// read each group once.
	ctx := group.WithRequestCache(r.Context())
	pr := s.web.Printer(r)
	v := r.URL.Query()
	d := searchPageData{Q: v.Get("q"), Group: v.Get("group"), Status: v.Get("status"), From: v.Get("from"), To: v.Get("to"),
		Kinds: map[string]bool{}, Fields: map[string]string{}, TagOn: map[string]bool{}, Author: v.Get("author")}
	for _, k := range search.Kinds {
		d.KindList = append(d.KindList, string(k))
	}
	for _, k := range v["kind"] {
		d.Kinds[k] = true
	}
	if err := authz.RequireUser(authz.ActorFrom(ctx)); err != nil {
		s.PageError(w, r, err)
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
	for _, t := range v["tag"] {
		if t = strings.TrimSpace(t); t != "" && len(d.TagOn) < handlerkit.MaxSearchTags {
			d.TagOn[t] = true
		}
	}
	if d.Group != "" && d.GroupName != "" && s.tags != nil {
		// The picker lists the chosen group's tags (the policy's
		// group.content.view; a group the searcher cannot read lists none).
		if ts, err := s.tags.List(ctx, d.Group); err == nil {
			d.TagList = ts
		}
	}
	status := http.StatusOK
	if d.Q != "" {
		d.Searched = true
		q, err := handlerkit.SearchParams(r)
		var res search.Results
		if err == nil {
			res, err = s.search.Search(ctx, q)
		}
		if err != nil {
			code := domain.ErrorCode(err)
			if code != domain.Invalid && code != domain.NotFound {
				s.PageError(w, r, err)
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
				d.Error = pr.T("page.search.no_group")
			}
		}
		d.Hits = s.searchPageHits(ctx, pr, v, res.Hits, names, &d)
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
	otherSearchTags(v, &d)
	if d.Author != "" {
		d.AuthorOff = searchURL(v, func(u url.Values) { u.Del("author") })
	}
	title := pr.T("page.search.title")
	if d.Q != "" {
		title = pr.T("page.search.title_q", "Q", d.Q)
	}
	s.web.Page(w, r, status, "search", title, d)
}

// searchURL is the results page for the parameters v changed by edit,
// from the first page.
func searchURL(v url.Values, edit func(url.Values)) string {
	u := url.Values{}
	for k, vals := range v {
		if k != "cursor" {
			u[k] = slices.Clone(vals)
		}
	}
	edit(u)
	return "/search?" + u.Encode()
}

// searchPageHits builds the page's hits: the author links to the search
// narrowed to them, and the tags of each hit's thread or poll (each group's
// tags read once per page, only for groups with tagged hits) link to the
// search narrowed to the tag in that group.
func (s *Server) searchPageHits(ctx context.Context, pr *i18n.Printer, v url.Values, hits []search.Hit, names map[string]string,
	d *searchPageData) []searchPageHit {
	var shown *tag.Shown
	if s.tags != nil {
		shown = s.tags.Shown()
	}
	out := make([]searchPageHit, 0, len(hits))
	authors := make([]string, 0, len(hits))
	for _, h := range hits {
		authors = append(authors, h.AuthorID)
	}
	pictures := s.pictureVersions(ctx, authors)
	for _, h := range hits {
		ph := searchPageHit{Kind: kindLabel(pr, h.Kind), URL: handlerkit.HitURL(h), Title: h.Title.HTML(),
			Passage: h.Passage.HTML(), AuthorName: h.AuthorName, Anonymous: h.Kind == search.KindReason && h.AuthorID == "",
			Group: names[h.GroupID], CreatedAt: h.CreatedAt, Open: h.Open,
			Closed: !h.Open && h.Kind != search.KindOutcome}
		if h.AuthorID != "" {
			id := h.AuthorID
			ph.Face = faceOf(id, h.AuthorName, pictures[id])
			ph.AuthorURL = searchURL(v, func(u url.Values) { u.Set("author", id) })
			if id == d.Author && d.AuthorName == "" {
				d.AuthorName = h.AuthorName
			}
		}
		if shown != nil && len(h.Tags) > 0 {
			ts, err := shown.Of(ctx, h.GroupID, h.Tags)
			if err != nil {
				s.log.WarnContext(ctx, "search: tags not shown", "error", err.Error())
			}
			gid := h.GroupID
			for _, t := range ts {
				id := t.ID
				ph.Tags = append(ph.Tags, searchTagLink{Tag: t, URL: searchURL(v, func(u url.Values) {
					u.Set("group", gid)
					if !slices.Contains(u["tag"], id) {
						u.Add("tag", id)
					}
				})})
			}
		}
		out = append(out, ph)
	}
	return out
}

// otherSearchTags are the chosen tags the picker does not list (no group
// chosen, or a tag of another group): named when a hit's group defines
// them, each with the search without it.
func otherSearchTags(v url.Values, d *searchPageData) {
	listed := map[string]bool{}
	for _, t := range d.TagList {
		listed[t.ID] = true
	}
	named := map[string]tag.Tag{}
	for _, h := range d.Hits {
		for _, t := range h.Tags {
			named[t.ID] = t.Tag
		}
	}
	for _, id := range v["tag"] {
		id = strings.TrimSpace(id)
		if id == "" || listed[id] || !d.TagOn[id] {
			continue
		}
		t, ok := named[id]
		if !ok {
			t = tag.Tag{ID: id, Colour: "grey"} // named "a tag" by the page
		}
		off := id
		d.OtherTags = append(d.OtherTags, searchTagLink{Tag: t, URL: searchURL(v, func(u url.Values) {
			u["tag"] = slices.DeleteFunc(u["tag"], func(x string) bool { return strings.TrimSpace(x) == off })
		})})
		listed[id] = true
	}
}
