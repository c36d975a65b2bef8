package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/render/rendertest"
)

// secretWorld puts the phrase "zebra" into every kind of content of four
// groups.
func secretWorld(t *testing.T) *fixture { return secretWorldIn(newFixture(t)) }

func secretWorldIn(f *fixture) *fixture {
	for _, g := range []string{"g1", "g2", "g3", "g4"} {
		tid, pid := "t"+g[1:], "p"+g[1:]
		f.thread(threadSpec{id: tid + "a", group: g, title: "zebra thread", desc: "zebra", author: "alice", name: "Alice"})
		f.thread(threadSpec{id: tid + "b", group: g, title: "zebra other", desc: "zebra", author: "alice"})
		f.comment(commentSpec{thread: tid + "a", id: "c" + g[1:] + "a", body: "zebra comment", author: "bob", name: "Bob"})
		f.comment(commentSpec{thread: tid + "b", id: "c" + g[1:] + "b", body: "zebra comment", author: "bob"})
		f.poll(pollSpec{id: pid, group: g, author: "alice", title: "zebra poll", options: []string{"zebra yes"}})
		f.ballot(pid, "bob", "zebra reason", 1, f.now)
		f.poll(pollSpec{id: pid + "t", group: g, thread: tid + "a", author: "alice", title: "zebra in thread"})
		f.poll(pollSpec{id: pid + "x", group: g, author: "alice", title: "zebra closed", status: "closed",
			closing: f.now.Add(-time.Hour)})
		f.outcome(pid+"x", "alice", "zebra outcome", 1)
	}
	f.sync()
	return f
}

func TestScopeIsAllASearchReads(t *testing.T) { scopeIsAll(t, secretWorld(t)) }

func scopeIsAll(t *testing.T, f *fixture) {
	scope := Scope{UserID: "searcher", Groups: []string{"g1"},
		Threads: []Grant{{GroupID: "g3", ID: "t3a"}}, Polls: []Grant{{GroupID: "g4", ID: "p4"}}}
	want := []string{
		"t:t1a", "t:t1b", "c:c1a", "c:c1b", "p:p1", "r:p1/bob", "p:p1t", "p:p1x", "o:p1x", // a member sees the group
		"t:t3a", "c:c3a", "p:p3t", // a thread's guest sees the thread and the polls in it
		"p:p4", "r:p4/bob", // a poll's guest sees the poll
	}
	f.expect(scope, "zebra", want...)
	f.expect(Scope{}, "zebra")                                             // signed out, no open group
	f.expect(Scope{UserID: "x", Groups: []string{"nope"}}, "zebra")        // nothing there
	f.expect(Scope{Threads: []Grant{{GroupID: "g1", ID: "t3a"}}}, "zebra") // a grant names its group
	// A group filter never widens the scope.
	res := f.search(scope, Query{Text: "zebra", Filters: Filters{Groups: []string{"g2"}}})
	if len(res.Hits) != 0 {
		t.Errorf("a filter on a group outside the scope found %v", hitIDs(res))
	}
}

// TestSecretPhraseFoundByNobodyWhoMayNotSeeIt runs every actor shape the
// caller can produce against content of every kind in every state that
// hides it.
func TestSecretPhraseFoundByNobodyWhoMayNotSeeIt(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Open thread", desc: "nothing here", author: "alice"})
	f.thread(threadSpec{id: "tdel", group: "g1", title: "Gone", desc: "okapi in a deleted thread", author: "alice", deleted: true})
	f.comment(commentSpec{thread: "t1", id: "cdel", author: "bob", deleted: true})
	f.comment(commentSpec{thread: "tdel", id: "cin", body: "okapi under a deleted thread", author: "bob"})
	f.poll(pollSpec{id: "draft", group: "g1", author: "alice", title: "okapi draft", status: "draft"})
	f.poll(pollSpec{id: "hidden", group: "g1", author: "alice", title: "Hidden results", hide: HideUntilClosed})
	f.ballot("hidden", "bob", "okapi reason while hidden", 1, f.now)
	f.poll(pollSpec{id: "anon", group: "g1", author: "alice", title: "Anonymous", anonymous: true, created: f.now.Add(-48 * time.Hour)})
	f.sealed("anon", "abc123", "okapi anonymous reason", 1)
	f.thread(threadSpec{id: "tsecret", group: "gsecret", title: "okapi in a secret group", desc: "x", author: "zed"})
	f.sync()

	actors := map[string]Scope{
		"signed out":    {},
		"member":        {UserID: "bob", Groups: []string{"g1"}},
		"admin":         {UserID: "alice", Groups: []string{"g1"}},
		"thread guest":  {UserID: "gus", Threads: []Grant{{GroupID: "g1", ID: "t1"}}},
		"poll guest":    {UserID: "pat", Polls: []Grant{{GroupID: "g1", ID: "hidden"}}},
		"other group":   {UserID: "olga", Groups: []string{"g2"}},
		"secret member": {UserID: "zed", Groups: []string{"gsecret"}},
	}
	want := map[string][]string{
		"admin":         {"p:draft"},   // her own draft only
		"member":        {"r:anon/"},   // the anonymous reason, linked to nobody
		"secret member": {"t:tsecret"}, // their own group
	}
	want["admin"] = append(want["admin"], "r:anon/")
	for name, scope := range actors {
		res := f.search(scope, Query{Text: "okapi"})
		if got := sorted(hitIDs(res)); !eq(got, sorted(want[name])) {
			t.Errorf("%s found %v, want %v", name, got, want[name])
		}
		for _, h := range res.Hits {
			if h.Kind == KindReason && h.PollID == "anon" {
				if h.AuthorID != "" || h.AuthorName != "" || !h.CreatedAt.Equal(f.now.Add(-48*time.Hour)) {
					t.Errorf("an anonymous reason carries its voter or its time: %+v", h)
				}
			}
		}
	}
	// Nobody finds the anonymous reason by its voter.
	res := f.search(actors["member"], Query{Text: "okapi", Filters: Filters{AuthorID: "bob"}})
	if len(res.Hits) != 0 {
		t.Errorf("the author filter found %v", hitIDs(res))
	}

	// Once the poll closes (or its closing time passes) the hidden reason shows.
	f.poll(pollSpec{id: "hidden", group: "g1", author: "alice", title: "Hidden results", hide: HideUntilClosed,
		status: "open", closing: f.now.Add(-time.Minute), version: 2})
	f.sync()
	f.expect(actors["member"], "okapi reason", "r:hidden/bob", "r:anon/")
}

func TestVisibilityHasTheLastWord(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Ibis", desc: "ibis", author: "alice"})
	f.comment(commentSpec{thread: "t1", id: "c1", body: "ibis by an erased account", author: "erased"})
	f.poll(pollSpec{id: "p1", group: "g1", author: "alice", title: "Vote", hide: HideUntilVote})
	f.ballot("p1", "bob", "ibis reason", 1, f.now)
	f.sync()
	var asked []Hit
	vis := visFunc(func(h Hit) bool {
		asked = append(asked, h)
		if h.AuthorID == "erased" {
			return false // the caller knows the account is erased
		}
		if h.Kind == KindReason {
			// until_vote: the caller knows whether the searcher voted.
			return h.Poll != nil && h.Poll.HideResults == HideUntilVote && h.Poll.Status == "open" && false
		}
		return true
	})
	res, err := f.ix.Search(context.Background(), member("g1"), Query{Text: "ibis"}, vis)
	f.must(err)
	if got := hitIDs(res); !eq(got, []string{"t:t1"}) {
		t.Errorf("got %v, want only the thread", got)
	}
	if len(asked) != 3 {
		t.Errorf("the caller was asked about %d hits, want 3", len(asked))
	}
	_, err = f.ix.Search(context.Background(), member("g1"), Query{Text: "ibis"}, visFunc(func(Hit) bool { return true }))
	f.must(err)
	if _, err := f.ix.Search(context.Background(), member("g1"), Query{Text: "ibis"}, nil); err == nil {
		t.Error("a search without a Visibility ran")
	}
}

func TestFiltersAreExact(t *testing.T) {
	f := newFixture(t)
	day := func(d int) time.Time { return time.Date(2026, 1, d, 10, 0, 0, 0, time.UTC) }
	f.thread(threadSpec{id: "t1", group: "g1", title: "Lynx open", desc: "lynx", author: "alice", created: day(1), tags: []string{"budget"}})
	f.thread(threadSpec{id: "t2", group: "g1", title: "Lynx closed", desc: "lynx", author: "bob", created: day(5), closed: true})
	f.comment(commentSpec{thread: "t1", id: "c1", body: "lynx by bob", author: "bob", at: day(2)})
	f.comment(commentSpec{thread: "t2", id: "c2", body: "lynx by alice", author: "alice", at: day(6)})
	f.poll(pollSpec{id: "p1", group: "g1", author: "alice", title: "Lynx poll", created: day(3)})
	f.poll(pollSpec{id: "p2", group: "g1", author: "bob", title: "Lynx poll closed", status: "closed", closing: day(8), created: day(7)})
	f.outcome("p2", "bob", "lynx outcome", 1)
	f.thread(threadSpec{id: "t3", group: "g2", title: "Lynx elsewhere", desc: "lynx", author: "alice", created: day(4)})
	f.sync()
	scope := member("g1", "g2")
	cases := []struct {
		name string
		f    Filters
		want []string
	}{
		{"kind", Filters{Kinds: []Kind{KindComment}}, []string{"c:c1", "c:c2"}},
		{"kinds", Filters{Kinds: []Kind{KindPoll, KindOutcome}}, []string{"p:p1", "p:p2", "o:p2"}},
		{"author", Filters{AuthorID: "bob"}, []string{"t:t2", "c:c1", "p:p2", "o:p2"}},
		{"open", Filters{Status: StatusOpen}, []string{"t:t1", "c:c1", "p:p1", "t:t3"}},
		{"closed", Filters{Status: StatusClosed}, []string{"t:t2", "c:c2", "p:p2", "o:p2"}},
		{"tag", Filters{Tags: []string{"budget"}}, []string{"t:t1", "c:c1"}},
		{"from", Filters{From: day(5)}, []string{"t:t2", "c:c2", "p:p2", "o:p2"}},
		{"to", Filters{To: day(2)}, []string{"t:t1", "c:c1"}},
		{"range", Filters{From: day(2), To: day(4)}, []string{"c:c1", "p:p1", "t:t3"}},
		{"group", Filters{Groups: []string{"g2"}}, []string{"t:t3"}},
		{"thread", Filters{ThreadID: "t1"}, []string{"t:t1", "c:c1"}},
		{"combined", Filters{Kinds: []Kind{KindComment}, AuthorID: "alice", Status: StatusClosed}, []string{"c:c2"}},
	}
	// The outcome was written "now" (March): date filters see it as new.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := hitIDs(f.search(scope, Query{Text: "lynx", Filters: c.f}))
			want := c.want
			if c.name == "to" || c.name == "range" {
				want = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "o:p2" })
			}
			if !eq(sorted(got), sorted(want)) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	// Prefix search honours the date range too.
	got := hitIDs(f.search(scope, Query{Text: "lyn", Prefix: true, Filters: Filters{From: day(2), To: day(4)}}))
	if !eq(sorted(got), sorted([]string{"c:c1", "p:p1", "t:t3"})) {
		t.Errorf("prefix with a date range: %v", got)
	}
}

func TestRankingByRelevanceThenRecency(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Talk", desc: "x", author: "a"})
	at := func(h int) time.Time { return f.now.Add(time.Duration(h) * time.Hour) }
	f.comment(commentSpec{thread: "t1", id: "old", body: "the heron nests", author: "a", at: at(1)})
	f.comment(commentSpec{thread: "t1", id: "new", body: "the heron nests", author: "a", at: at(3)})
	f.comment(commentSpec{thread: "t1", id: "mid", body: "the heron nests", author: "a", at: at(2)})
	f.comment(commentSpec{thread: "t1", id: "one", body: "a heron and many other words that make this comment long and less about one thing", author: "a", at: at(4)})
	f.comment(commentSpec{thread: "t1", id: "both", body: "heron and egret", author: "a", at: at(0)})
	f.thread(threadSpec{id: "t2", group: "g1", title: "Heron", desc: "a thread named for it", author: "a", created: f.now.Add(-time.Hour)})
	f.sync()
	got := hitIDs(f.search(member("g1"), Query{Text: "heron"}))
	// The title match first, then the equal comments newest first, the
	// long comment last.
	want := []string{"t:t2", "c:new", "c:mid", "c:old"}
	if len(got) != 6 || !eq(got[:4], want) || got[5] != "c:one" {
		t.Errorf("got %v, want %v ... c:one", got, want)
	}
	// Documents with more of the words come before any with fewer.
	got = hitIDs(f.search(member("g1"), Query{Text: "heron egret"}))
	if len(got) == 0 || got[0] != "c:both" {
		t.Errorf("got %v, want c:both first", got)
	}
}

func TestHighlightsEscapeEverything(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "<b>Walrus</b> & co", desc: "x", author: "a"})
	corpus := rendertest.XSSCorpus(t)
	for i, p := range corpus {
		f.comment(commentSpec{thread: "t1", id: fmt.Sprint("c", i), body: p + "\n\nwalrus", author: "a"})
	}
	f.sync()
	seen := 0
	for cursor := ""; ; {
		res := f.search(member("g1"), Query{Text: "walrus", Limit: MaxLimit, Cursor: cursor})
		for _, h := range res.Hits {
			seen++
			if !strings.Contains(strings.ToLower(string(h.Title.HTML()+h.Passage.HTML())), "<mark>walrus</mark>") {
				t.Errorf("no match marked in %+v", h)
			}
			for _, p := range []Passage{h.Title, h.Passage} {
				out := string(p.HTML())
				bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
				if strings.ContainsAny(bare, "<>\"'") {
					t.Errorf("markup or quotes survive in %q", out)
				}
			}
		}
		if cursor = res.Next; cursor == "" {
			break
		}
	}
	if seen != len(corpus)+1 {
		t.Errorf("saw %d hits, want %d", seen, len(corpus)+1)
	}
	// The passage itself: raw text is escaped, only the match is marked.
	p := analyzer(t).highlight(`<img src=x onerror=alert(1)> the walrus "sleeps"`, "en", analyzer(t).ParseQuery("walrus", nil, false), 200)
	want := `&lt;img src=x onerror=alert(1)&gt; the <mark>walrus</mark> &#34;sleeps&#34;`
	if got := string(p.HTML()); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// A long text is cut around the densest matches, on word boundaries.
	long := strings.Repeat("filler words here ", 40) + "the walrus met another walrus" + strings.Repeat(" more filler", 40)
	p = analyzer(t).highlight(long, "en", analyzer(t).ParseQuery("walrus", nil, false), 120)
	if s := p.String(); !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") || strings.Count(string(p.HTML()), "<mark>") != 2 {
		t.Errorf("passage %q", s)
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "g1", title: "Talk", desc: "x", author: "a"})
	for i := 0; i < 45; i++ {
		f.comment(commentSpec{thread: "t1", id: fmt.Sprintf("c%02d", i), body: "puffin", author: "a", at: f.now.Add(time.Duration(i) * time.Minute)})
	}
	f.sync()
	var all []string
	var pages []int
	q := Query{Text: "puffin"}
	for {
		res := f.search(member("g1"), q)
		all = append(all, hitIDs(res)...)
		pages = append(pages, len(res.Hits))
		if res.Next == "" {
			break
		}
		q.Cursor = res.Next
	}
	if !eq(strings.Fields(fmt.Sprint(pages)), strings.Fields("[20 20 5]")) {
		t.Errorf("pages %v", pages)
	}
	if len(all) != 45 || all[0] != "c:c44" || all[44] != "c:c00" || len(slices.Compact(sorted(all))) != 45 {
		t.Errorf("results %v", all)
	}
	first := f.search(member("g1"), Query{Text: "puffin", Limit: 5})
	bad := []Query{
		{Text: "puffin", Limit: 5, Cursor: first.Next + "x"},
		{Text: "puffin", Limit: 5, Cursor: strings.ToUpper(first.Next)},
		{Text: "other", Limit: 5, Cursor: first.Next},  // another query
		{Text: "puffin", Limit: 6, Cursor: first.Next}, // another page size
		{Text: "puffin", Limit: 51},                    // too large a page
		{Text: "  "},                                   // nothing to search
		{Text: strings.Repeat("a", MaxQueryRunes+1)},   // too long
		{Text: "puffin", Filters: Filters{Kinds: []Kind{"x"}}},
		{Text: "puffin", Filters: Filters{Status: "maybe"}},
		{Text: "puffin", Filters: Filters{AuthorID: "a#b"}},
	}
	for _, q := range bad {
		_, err := f.ix.Search(context.Background(), member("g1"), q, &seeAll{})
		if domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("%+v: got %v, want an invalid request", q, err)
		}
	}
	// Another scope cannot reuse a cursor either.
	_, err := f.ix.Search(context.Background(), member("g1", "g2"), Query{Text: "puffin", Limit: 5, Cursor: first.Next}, &seeAll{})
	if domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a cursor moved to another scope: %v", err)
	}
	big := Scope{}
	for i := 0; i <= MaxScope; i++ {
		big.Groups = append(big.Groups, fmt.Sprint("g", i))
	}
	if _, err := f.ix.Search(context.Background(), big, Query{Text: "puffin"}, &seeAll{}); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an unbounded scope: %v", err)
	}
}
