package handlerkit

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/search"
)

// Bounds of the search parameters, checked before any work.
const (
	maxSearchQueryString = 2048 // bytes of the whole query string
	maxSearchParam       = 400  // bytes of one value (q is at most 200 characters)
	MaxSearchTags        = 10
	maxSearchLanguages   = 3
)

// SearchParams reads a search from the query string (the API's and the
// page's form are the same): q, group, kind (repeated or comma-separated),
// author, status (open|closed), tag (repeated), from and to (YYYY-MM-DD,
// inclusive, UTC; or RFC 3339), limit, cursor, prefix (1: the last word is
// being typed). The index validates q, limit, kinds, ids and the cursor.
func SearchParams(r *http.Request) (search.Query, error) {
	var fe []domain.FieldError
	bad := func(field, msg string) { fe = append(fe, domain.FieldError{Field: field, Message: msg}) }
	if len(r.URL.RawQuery) > maxSearchQueryString {
		return search.Query{}, domain.Validation(domain.FieldError{Field: "q", Message: "the search is too long"})
	}
	v := r.URL.Query()
	for name, vals := range v {
		for _, x := range vals {
			if len(x) > maxSearchParam || !utf8.ValidString(x) {
				bad(name, "is too long or not valid text")
			}
		}
	}
	if len(fe) > 0 {
		return search.Query{}, domain.Validation(fe...)
	}
	q := search.Query{Text: v.Get("q"), Cursor: v.Get("cursor"), Languages: acceptLanguages(r.Header.Get("Accept-Language"))}
	if g := strings.TrimSpace(v.Get("group")); g != "" {
		q.Filters.Groups = []string{g}
	}
	q.Filters.ThreadID = strings.TrimSpace(v.Get("thread"))
	q.Filters.AuthorID = strings.TrimSpace(v.Get("author"))
	for _, k := range v["kind"] {
		for _, one := range strings.Split(k, ",") {
			if one = strings.TrimSpace(one); one == "" {
				continue
			}
			if !search.Kind(one).Valid() {
				bad("kind", "must be thread, comment, poll, reason or outcome")
				break
			}
			q.Filters.Kinds = append(q.Filters.Kinds, search.Kind(one))
		}
	}
	switch st := v.Get("status"); st {
	case "", "any":
	case "open", "closed":
		q.Filters.Status = search.Status(st)
	default:
		bad("status", "must be open or closed")
	}
	var tags []string
	for _, t := range v["tag"] {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > MaxSearchTags {
		bad("tag", "at most 10 tags")
	} else {
		q.Filters.Tags = tags
	}
	var err error
	if q.Filters.From, err = searchDate(v.Get("from"), false); err != nil {
		bad("from", err.Error())
	}
	if q.Filters.To, err = searchDate(v.Get("to"), true); err != nil {
		bad("to", err.Error())
	}
	if !q.Filters.From.IsZero() && !q.Filters.To.IsZero() && q.Filters.To.Before(q.Filters.From) {
		bad("to", "must not be before from")
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > search.MaxLimit {
			bad("limit", "must be a number from 1 to 50")
		}
		q.Limit = n
	}
	switch v.Get("prefix") {
	case "", "0", "false":
	case "1", "true":
		q.Prefix = true
	default:
		bad("prefix", "must be 1 or 0")
	}
	if len(fe) > 0 {
		return search.Query{}, domain.Validation(fe...)
	}
	return q, nil
}

// searchDate parses a day (YYYY-MM-DD, UTC; the end of the day when end)
// or an RFC 3339 time; "" is no bound.
func searchDate(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.Add(24*time.Hour - time.Millisecond)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.Invalid, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	return t, nil
}

// acceptLanguages returns the primary language tags of an Accept-Language
// header, in order, at most maxSearchLanguages.
func acceptLanguages(h string) []string {
	var out []string
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag, _, _ = strings.Cut(tag, "-")
		tag = strings.ToLower(strings.TrimSpace(tag))
		if len(tag) < 2 || len(tag) > 3 || tag == "*" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == tag
		}
		if !dup {
			out = append(out, tag)
		}
		if len(out) == maxSearchLanguages {
			break
		}
	}
	return out
}

// HitURL links straight to the item: a comment's anchor on the page of its
// thread that holds it, a
// poll's page, its votes and reasons, its outcome.
func HitURL(h search.Hit) string {
	switch h.Kind {
	case search.KindThread:
		return "/threads/" + url.PathEscape(h.ThreadID)
	case search.KindComment:
		// The thread page opens the page holding the comment (PageAt), not
		// the first page, when the thread is longer than a page.
		return links.Comment(h.ThreadID, h.CommentID)
	case search.KindPoll:
		return "/polls/" + url.PathEscape(h.PollID)
	case search.KindReason:
		if h.AuthorID != "" {
			// The voter's row among the poll's votes (an anonymous reason
			// has no author, and its row no id: the votes' heading).
			return "/polls/" + url.PathEscape(h.PollID) + "#ballot-" + url.PathEscape(h.AuthorID)
		}
		return "/polls/" + url.PathEscape(h.PollID) + "#ballots-title"
	case search.KindOutcome:
		return "/polls/" + url.PathEscape(h.PollID) + "#outcome-title"
	}
	return "/"
}
