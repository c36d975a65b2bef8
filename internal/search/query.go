package search

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/text"
)

// Query limits.
const (
	MaxQueryRunes = 200
	maxTags       = 10
	// postingBudget bounds the postings one search reads (across groups and
	// terms): 40,000 postings are about 3.5 MB, 450 read units at most.
	postingBudget = 40_000
	minPerRead    = 300
	maxPerRead    = 5_000
	readWorkers   = 8
	prefixFactor  = 0.8 // a word completed from a prefix counts less than the word typed
	pageChunk     = 30  // candidates checked per BatchGetItem (with their threads and polls)
)

// ErrBadCursor is returned for a cursor that was not issued for this search.
var ErrBadCursor = domain.Validation(domain.FieldError{Field: "cursor", Message: "is not valid for this search"})

// groupScope is what a search may read in one group.
type groupScope struct {
	full    bool
	threads map[string]bool
	polls   map[string]bool
}

func (g *groupScope) allows(thread, poll string) bool {
	return g.full || (thread != "" && g.threads[thread]) || (poll != "" && g.polls[poll])
}

func validate(scope Scope, q *Query) error {
	var fe domain.FieldErrors
	q.Text = strings.TrimSpace(q.Text)
	switch {
	case q.Text == "":
		fe.Add("q", "is required")
	case !utf8.ValidString(q.Text):
		fe.Add("q", "is not valid UTF-8")
	case utf8.RuneCountInString(q.Text) > MaxQueryRunes:
		fe.Add("q", "must be at most %d characters", MaxQueryRunes)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		fe.Add("limit", "must be between 1 and %d", MaxLimit)
	}
	for _, k := range q.Filters.Kinds {
		if !k.Valid() {
			fe.Add("kind", "must be one of thread, comment, poll, reason, outcome")
			break
		}
	}
	if s := q.Filters.Status; s != StatusAny && s != StatusOpen && s != StatusClosed {
		fe.Add("status", "must be open or closed")
	}
	if len(q.Filters.Tags) > maxTags {
		fe.Add("tag", "at most %d tags", maxTags)
	}
	if !q.Filters.From.IsZero() && !q.Filters.To.IsZero() && q.Filters.To.Before(q.Filters.From) {
		fe.Add("to", "must not be before from")
	}
	for _, id := range append([]string{q.Filters.AuthorID, q.Filters.ThreadID}, q.Filters.Groups...) {
		if id != "" && !ids.Valid(id) {
			fe.Add("filter", "names an invalid identifier")
			break
		}
	}
	if len(q.Filters.Groups) > MaxScope {
		fe.Add("group", "at most %d groups", MaxScope)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if len(scope.Groups)+len(scope.Threads)+len(scope.Polls) > MaxScope {
		return domain.Errorf(domain.Invalid, "you can see too many groups to search them all at once: choose a group")
	}
	return nil
}

// plan turns the scope and the group and thread filters into what may be
// read per group.
func plan(scope Scope, f Filters) map[string]*groupScope {
	out := map[string]*groupScope{}
	get := func(g string) *groupScope {
		if out[g] == nil {
			out[g] = &groupScope{threads: map[string]bool{}, polls: map[string]bool{}}
		}
		return out[g]
	}
	for _, g := range scope.Groups {
		if g != "" {
			get(g).full = true
		}
	}
	for _, t := range scope.Threads {
		if t.GroupID != "" && t.ID != "" {
			get(t.GroupID).threads[t.ID] = true
		}
	}
	for _, p := range scope.Polls {
		if p.GroupID != "" && p.ID != "" {
			get(p.GroupID).polls[p.ID] = true
		}
	}
	if len(f.Groups) > 0 {
		for g := range out {
			if !slices.Contains(f.Groups, g) {
				delete(out, g)
			}
		}
	}
	return out
}

// candidate is a document some postings matched.
type candidate struct {
	docID   string
	gid     string
	created time.Time
	thread  string
	poll    string
	scores  []float64 // best score per query word
	terms   []string  // the terms that matched
	score   float64
	matched int
}

// Search runs q within scope and returns one page of hits, best first
// (more of the words matched, then relevance, then the newest). Every hit
// is inside the scope, alive (not deleted, nor in a deleted thread or
// poll), passes the index's own checks (drafts are their author's; reasons
// are never shown while their poll hides results until it closes; reasons
// in anonymous polls carry no author) and then vis.CanSee.
func (ix *Index) Search(ctx context.Context, scope Scope, q Query, vis Visibility) (Results, error) {
	if vis == nil {
		return Results{}, errors.New("search: a Visibility is required")
	}
	typed := q.Text // a trailing space ends the word being typed
	if err := validate(scope, &q); err != nil {
		return Results{}, err
	}
	pos, err := ix.decodeCursor(q, scope)
	if err != nil {
		return Results{}, err
	}
	groups := plan(scope, q.Filters)
	if len(groups) == 0 {
		return Results{}, nil
	}
	gids := make([]string, 0, len(groups))
	for g := range groups {
		gids = append(gids, g)
	}
	sort.Strings(gids)
	st, err := ix.getStats(ctx, gids)
	if err != nil {
		return Results{}, err
	}
	tokens := ix.an.ParseQuery(typed, ix.queryLanguages(q.Languages, st), q.Prefix)
	if len(tokens) == 0 {
		return Results{}, nil
	}
	cands, err := ix.candidates(ctx, gids, groups, st, tokens, q.Filters)
	if err != nil {
		return Results{}, err
	}
	return ix.page(ctx, cands, pos, scope, groups, q, tokens, vis)
}

// queryLanguages are the searcher's languages and those making up at least
// a tenth of the searched groups' documents.
func (ix *Index) queryLanguages(mine []string, st map[string]stats) []string {
	var out []string
	for _, l := range mine {
		if k := ix.an.known(l); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	total := map[string]int64{}
	var all int64
	for _, s := range st {
		for l, c := range s.langs {
			total[l] += c
			all += c
		}
	}
	for _, l := range Languages {
		if all > 0 && total[l]*10 >= all && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = append(out, ix.lang)
	}
	return out
}

type read struct {
	q  postingQuery
	ps []posting
}

// candidates reads the postings of every query term in every group and
// scores the documents they name (BM25: idf from the postings counted per
// group, term weights stored on the postings).
func (ix *Index) candidates(ctx context.Context, gids []string, groups map[string]*groupScope, st map[string]stats,
	tokens []QueryToken, f Filters) ([]*candidate, error) {
	exact := map[string]bool{}
	var prefixes []string
	for _, t := range tokens {
		for _, term := range t.Terms {
			exact[term] = true
		}
		if t.Prefix != "" && !slices.Contains(prefixes, t.Prefix) {
			prefixes = append(prefixes, t.Prefix)
		}
	}
	var reads []*read
	for _, g := range gids {
		for term := range exact {
			reads = append(reads, &read{q: postingQuery{gid: g, term: term, from: f.From, to: f.To}})
		}
		for _, p := range prefixes {
			reads = append(reads, &read{q: postingQuery{gid: g, prefix: p}})
		}
	}
	per := min(max(postingBudget/max(len(reads), 1), minPerRead), maxPerRead)
	sort.Slice(reads, func(i, j int) bool {
		a, b := reads[i].q, reads[j].q
		return a.gid+"\x00"+a.term+"\x00"+a.prefix < b.gid+"\x00"+b.term+"\x00"+b.prefix
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		firstEr error
		work    = make(chan *read)
	)
	for w := 0; w < min(readWorkers, len(reads)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				r.q.limit = per
				ps, _, err := ix.queryPostings(ctx, r.q)
				if err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
						cancel()
					}
					mu.Unlock()
					continue
				}
				r.ps = ps
			}
		}()
	}
	for _, r := range reads {
		work <- r
	}
	close(work)
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}

	// Distinct postings per group and term (a prefix read and an exact
	// read can return the same one).
	type key struct{ gid, term, doc string }
	seen := map[key]bool{}
	byGroup := map[string][]posting{}
	df := map[string]map[string]int{}
	for _, r := range reads {
		for _, p := range r.ps {
			k := key{r.q.gid, p.term, p.docID}
			if seen[k] {
				continue
			}
			seen[k] = true
			byGroup[r.q.gid] = append(byGroup[r.q.gid], p)
			if df[r.q.gid] == nil {
				df[r.q.gid] = map[string]int{}
			}
			df[r.q.gid][p.term]++
		}
	}
	cands := map[string]*candidate{}
	for gid, ps := range byGroup {
		gs := groups[gid]
		nDocs := float64(st[gid].docs)
		for _, p := range ps {
			if !gs.allows(p.thread, p.poll) || !postingPasses(p, f) {
				continue
			}
			d := float64(df[gid][p.term])
			idf := math.Log(1 + (max(nDocs, d)-d+0.5)/(d+0.5))
			c := cands[p.docID]
			for i, t := range tokens {
				w := 0.0
				if _, ok := slices.BinarySearch(t.Terms, p.term); ok {
					w = idf * p.weight
				} else if t.Prefix != "" && strings.HasPrefix(p.term, t.Prefix) {
					w = idf * p.weight * prefixFactor
				} else {
					continue
				}
				if c == nil {
					c = &candidate{docID: p.docID, gid: gid, created: p.created, thread: p.thread, poll: p.poll,
						scores: make([]float64, len(tokens))}
					cands[p.docID] = c
				}
				if !slices.Contains(c.terms, p.term) {
					c.terms = append(c.terms, p.term)
				}
				c.scores[i] = max(c.scores[i], w)
			}
		}
	}
	out := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		for _, sc := range c.scores {
			if sc > 0 {
				c.matched++
				c.score += sc
			}
		}
		c.score = math.Round(c.score*1e4) / 1e4
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.matched != b.matched {
			return a.matched > b.matched
		}
		if a.score != b.score {
			return a.score > b.score
		}
		if !a.created.Equal(b.created) {
			return a.created.After(b.created) // recency breaks ties
		}
		return a.docID < b.docID
	})
	return out, nil
}

// postingPasses applies the filters a posting carries.
func postingPasses(p posting, f Filters) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, p.kind) {
		return false
	}
	if f.AuthorID != "" && p.author != f.AuthorID {
		return false
	}
	if f.ThreadID != "" && p.thread != f.ThreadID {
		return false
	}
	if !f.From.IsZero() && p.created.Before(f.From.Truncate(time.Millisecond)) {
		return false
	}
	if !f.To.IsZero() && p.created.After(f.To) {
		return false
	}
	return true
}

// page walks the ranked candidates from pos, checks each against its
// document, thread and poll as stored now, asks vis, and stops at a full
// page.
func (ix *Index) page(ctx context.Context, cands []*candidate, pos int, scope Scope, groups map[string]*groupScope,
	q Query, tokens []QueryToken, vis Visibility) (Results, error) {
	var res Results
	now := ix.now()
	end := min(len(cands), MaxDepth)
	for i := pos; i < end && len(res.Hits) < q.Limit; {
		chunk := cands[i:min(i+pageChunk, end)]
		var ids []string
		for _, c := range chunk {
			ids = append(ids, c.docID)
			if c.thread != "" {
				ids = append(ids, threadDocID(c.thread))
			}
			if c.poll != "" {
				ids = append(ids, pollDocID(c.poll))
			}
		}
		docs, err := ix.getDocs(ctx, ids)
		if err != nil {
			return Results{}, err
		}
		var hits []Hit
		var at []int
		for j, c := range chunk {
			if h, ok := ix.hit(c, docs, scope, groups[c.gid], q, tokens, now); ok {
				hits = append(hits, h)
				at = append(at, i+j)
			}
		}
		i += len(chunk)
		if len(hits) == 0 {
			continue
		}
		ok, err := vis.CanSee(ctx, hits)
		if err != nil {
			return Results{}, err
		}
		if len(ok) != len(hits) {
			return Results{}, errors.New("search: Visibility answered for a different number of hits")
		}
		for k, h := range hits {
			if !ok[k] {
				continue
			}
			res.Hits = append(res.Hits, h)
			if len(res.Hits) == q.Limit {
				if next := at[k] + 1; next < end {
					res.Next = ix.encodeCursor(q, scope, next)
				}
				break
			}
		}
	}
	return res, nil
}

// effectiveStatus is a poll's status now: an open poll past its closing
// time is closed even before the scheduler records it.
func effectiveStatus(p *doc, now time.Time) string {
	if p.Status == "open" && !p.ClosingAt.IsZero() && !now.Before(p.ClosingAt) {
		return "closed"
	}
	return p.Status
}

// hit checks a candidate against the stored documents and builds its hit.
func (ix *Index) hit(c *candidate, docs map[string]*doc, scope Scope, gs *groupScope, q Query, tokens []QueryToken,
	now time.Time) (Hit, bool) {
	d := docs[c.docID]
	if d == nil || d.Deleted || d.GroupID != c.gid || gs == nil || !gs.allows(d.ThreadID, d.PollID) {
		return Hit{}, false
	}
	// Postings left behind by an edit that did not finish are not trusted:
	// the document must hold a term that matched.
	live := false
	for _, t := range c.terms {
		if _, ok := d.Terms[t]; ok {
			live = true
			break
		}
	}
	if !live {
		return Hit{}, false
	}
	var thread, pl *doc
	if d.ThreadID != "" {
		if thread = docs[threadDocID(d.ThreadID)]; d.Kind == KindThread {
			thread = d
		}
		if thread == nil || thread.Deleted || thread.GroupID != d.GroupID {
			return Hit{}, false // in a deleted thread (or one not indexed: not shown rather than guessed)
		}
	}
	if d.PollID != "" {
		if pl = docs[pollDocID(d.PollID)]; d.Kind == KindPoll {
			pl = d
		}
		if pl == nil || pl.Deleted || pl.GroupID != d.GroupID {
			return Hit{}, false
		}
	}
	h := Hit{Kind: d.Kind, GroupID: d.GroupID, ThreadID: d.ThreadID, PollID: d.PollID, CommentID: d.CommentID,
		AuthorID: d.AuthorID, AuthorName: d.Author, CreatedAt: d.Created, UpdatedAt: d.Updated, Score: c.score,
		docID: d.ID}
	container := thread
	if pl != nil {
		container = pl
		status := effectiveStatus(pl, now)
		h.Poll = &PollState{ID: pl.ID[2:], Status: status, Anonymous: pl.Anonymous, HideResults: pl.Hide,
			AuthorID: pl.AuthorID, ClosingAt: pl.ClosingAt}
		if status == "draft" && (scope.UserID == "" || scope.UserID != pl.AuthorID) {
			return Hit{}, false // a draft is its author's alone
		}
		if d.Kind == KindReason {
			if status != "closed" && pl.Hide != HideOff && pl.Hide != HideUntilVote {
				return Hit{}, false // results hidden until the poll closes (unknown modes hide)
			}
			if pl.Anonymous {
				h.AuthorID, h.AuthorName = "", ""
			}
		}
		h.Open = status == "open"
	} else if thread != nil {
		h.Open = !thread.Closed
	}
	switch q.Filters.Status {
	case StatusOpen:
		if !h.Open {
			return Hit{}, false
		}
	case StatusClosed:
		closed := (pl != nil && h.Poll.Status == "closed") || (pl == nil && thread != nil && thread.Closed)
		if !closed {
			return Hit{}, false
		}
	}
	if container != nil {
		h.Tags = container.Tags
	}
	for _, t := range q.Filters.Tags {
		if !slices.Contains(h.Tags, t) {
			return Hit{}, false
		}
	}
	if container != nil {
		h.Title = ix.an.highlight(text.Clip(container.Title, titleRunes), container.Lang, tokens, titleRunes)
	}
	body := ix.an.highlight(d.Body, d.Lang, tokens, passageRunes)
	if opts := ix.an.highlight(d.Options, d.Lang, tokens, passageRunes); matches(opts) > matches(body) {
		body = opts
	}
	h.Passage = body
	return h, true
}

func matches(p Passage) int {
	c := 0
	for _, f := range p {
		if f.Match {
			c++
		}
	}
	return c
}

// ---- cursors ----

// signature binds a cursor to one search: the query, filters and scope.
func signature(q Query, scope Scope) []byte {
	q.Cursor = ""
	raw, _ := json.Marshal(struct {
		Q Query
		S Scope
	}{q, scope})
	h := sha256.Sum256(raw)
	return h[:8]
}

func (ix *Index) encodeCursor(q Query, scope Scope, pos int) string {
	payload := make([]byte, 4, 12)
	binary.BigEndian.PutUint32(payload, uint32(pos)) // #nosec G115 -- pos < MaxDepth
	payload = append(payload, signature(q, scope)...)
	m := hmac.New(sha256.New, ix.cursorKey)
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(append(payload, m.Sum(nil)[:16]...))
}

func (ix *Index) decodeCursor(q Query, scope Scope) (int, error) {
	if q.Cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil || len(raw) != 28 {
		return 0, ErrBadCursor
	}
	m := hmac.New(sha256.New, ix.cursorKey)
	m.Write(raw[:12])
	if !hmac.Equal(m.Sum(nil)[:16], raw[12:]) || !hmac.Equal(raw[4:12], signature(q, scope)) {
		return 0, ErrBadCursor
	}
	pos := int(binary.BigEndian.Uint32(raw[:4]))
	if pos >= MaxDepth {
		return 0, ErrBadCursor
	}
	return pos, nil
}
