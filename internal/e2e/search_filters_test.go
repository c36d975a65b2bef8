package e2e

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/tag"
)

// The search page's tag picker and author filter (issue 19): with no group
// chosen the filters say how to get the tags; once Ada chooses her group
// and searches, its tags are listed by name and colour, and ticking one
// narrows the results. A result's tag and its author's name narrow the
// search too; a chosen author shows as a filter that can be removed.
// Checked with axe and the CSP checks, at 1280 and 390 px.
func TestSearchTagPickerAndAuthorFilter(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	s.env.Follow(t, consumers.Dispatcher(a.Cores, slog.New(slog.DiscardHandler)))

	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp()
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx, benCtx := actingAs(t, a, ada.Email), actingAs(t, a, ben.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(benCtx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	newTag := func(name, colour string) tag.Tag {
		tg, err := a.Tags.Create(adaCtx, gid, tag.Input{Name: &name, Colour: &colour})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	compost, budget := newTag("Compost", "green"), newTag("Budget", "amber")
	heap, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "The compost heap in spring"})
	if err != nil {
		t.Fatal(err)
	}
	money, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Our budget for spring"})
	if err != nil {
		t.Fatal(err)
	}
	for th, tg := range map[string]string{heap.ID: compost.ID, money.ID: budget.ID} {
		if _, err := a.Discussions.SetThreadTags(adaCtx, th, []string{tg}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Discussions.Comment(benCtx, heap.ID, discussion.CommentInput{Body: "Turn the heap every spring."}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(adaCtx, money.ID, discussion.CommentInput{Body: "We spend less this spring."}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Both threads and both comments, and the tagged two among them:
		// the page below expects all four indexed.
		res, err := a.Search.Search(adaCtx, search.Query{Text: "spring", Limit: 10, Filters: search.Filters{Tags: []string{compost.ID}}})
		all, allErr := a.Search.Search(adaCtx, search.Query{Text: "spring", Limit: 10})
		if err == nil && allErr == nil && len(res.Hits) >= 2 && len(all.Hits) >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the threads and comments did not reach the index: %+v %v", res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// No group chosen: every result, its tags shown; the picker says how.
	ada.open("/search?q=spring")
	ada.sees("Turn the heap every spring.", "We spend less this spring.")
	ada.Do("open filters", chromedp.Click(`details.search-filters summary`))
	ada.sees("Choose a group above and search: its tags appear here.")
	if n := countOf(ada, `main .search-hit .hit-tags a.label`); n != 4 {
		t.Errorf("%d tag labels on the results, want 4 (each thread and its comment)", n)
	}

	// Choose the group: its tags are listed; tick Compost.
	ada.Do("choose the group", chromedp.SetValue(`#search-group`, gid))
	ada.press("search in the group", chromedp.CSS(`main form.search-form button[type=submit]`))
	if h := ada.heading(); h != "Search in Garden Club" {
		t.Fatalf("heading %q", h)
	}
	// The group alone leaves the filters closed (the results come first on
	// a phone); opening them shows the group's tags.
	if open := browsertest.Get(ada.Session, "is the panel open", chromedp.Evaluate[bool](
		`document.querySelector("details.search-filters").open`)); open {
		t.Errorf("the filters panel is open with only a group chosen")
	}
	ada.Do("open filters in the group", chromedp.Click(`details.search-filters summary`))
	ada.sees("Budget", "Compost", "Results tagged with every tag ticked.")
	ada.Do("tick Compost", chromedp.Click(ada.field("Compost")))
	ada.press("search with the tag", chromedp.CSS(`main form.search-form button[type=submit]`))
	ada.sees("Turn the heap every spring.", "The compost heap in spring")
	ada.notSees("We spend less this spring.")
	if !ada.checked(ada.field("Compost")) {
		t.Errorf("the ticked tag is not ticked on the results page")
	}
	for _, w := range []int64{1280, 390} {
		ada.at(w, "search-tags")
	}
	ada.audit("search results with a tag ticked")

	// The author's name narrows to what they wrote; the filter is shown
	// and can be removed.
	ada.open("/search?q=spring")
	ada.follow("Ben Franklin")
	ada.sees("By Ben Franklin", "Turn the heap every spring.")
	ada.notSees("We spend less this spring.", "Our budget for spring")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "search-author")
	}
	ada.audit("search results by one author")
	ada.follow("remove")
	ada.sees("We spend less this spring.")
	ada.notSees("By Ben Franklin")

	// A result's tag narrows the search to it, in its group.
	ada.Do("follow a result's Budget tag", chromedp.Click(`main .search-hit .hit-tags a.label-amber`))
	ada.Do("wait for the results", chromedp.WaitVisible(`#results-title`))
	ada.sees("We spend less this spring.")
	ada.notSees("Turn the heap every spring.")
	if !ada.checked(ada.field("Budget")) {
		t.Errorf("the result's tag is not ticked in the picker")
	}

	// A vote's reason links to the voter's row among the poll's votes.
	closing := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypePoll)
	d.Title = "Where does the heap go?"
	d.Options = []poll.Option{{ID: "a", Label: "By the shed"}, {ID: "b", Label: "By the gate"}}
	d.Settings.ClosingAt = &closing
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: heap.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.Vote(benCtx, p.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: "a", Score: 1}}, Reason: "Mulch stays dry by the shed."}}); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		res, err := a.Search.Search(adaCtx, search.Query{Text: "mulch", Limit: 10})
		if err == nil && len(res.Hits) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reason did not reach the index: %+v %v", res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ada.open("/search?q=mulch")
	ada.follow("Where does the heap go?")
	benID := strings.TrimPrefix(ada.URL(), s.URL+"/polls/"+p.ID+"#ballot-")
	if benID == ada.URL() || benID == "" {
		t.Fatalf("the reason leads to %s, want the voter's row on the poll page", ada.URL())
	}
	if txt := browsertest.Get(ada.Session, "read the targeted row", chromedp.Evaluate[string](
		`(document.querySelector(":target") || {textContent: ""}).textContent`)); !strings.Contains(txt, "Mulch stays dry by the shed.") {
		t.Errorf("the targeted element holds %q, want Ben's row with his reason", txt)
	}
}

// countOf is the number of elements matching sel.
func countOf(p *person, sel string) int {
	p.t.Helper()
	return browsertest.Get(p.Session, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}
