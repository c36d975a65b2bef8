package e2e

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/search"
)

// xssPayload is a comment that tries to become markup in a results page
// (Markdown drops raw HTML, so the markup is in code spans, which keep it
// as text): an element with a handler, a closing tag for the <mark> the
// highlighting adds, an element of its own.
const xssPayload = "The bins decision `<img src=x onerror=\"window.__xss=2\">` and " +
	"`</mark><b id=\"injected\">bold</b>` bins again"

// xssTitle is a thread title (plain text, not Markdown) trying the same.
const xssTitle = `Where do the bins go? <script>window.__xss=1</script><svg onload="window.__xss=3">`

// at sets the viewport width (height 900) and, when QUORUM_SCREENSHOTS
// names a folder, saves a full-page PNG screenshot there. At every width the
// page must not scroll sideways. The test goes on at the desktop width
// (1280 px); phone() stays at 390 px for steps taken on a phone.
func (p *person) at(width int64, name string) {
	p.t.Helper()
	p.Do(fmt.Sprintf("viewport %d", width), chromedp.EmulateViewport(width, 900))
	defer func() {
		if width != 1280 {
			p.Do("viewport back to 1280", chromedp.EmulateViewport(1280, 900))
		}
	}()
	overflow := browsertest.Get(p.Session, "measure overflow",
		chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if overflow {
		p.t.Errorf("%s scrolls sideways at %d px", name, width)
	}
	// Chart labels stay readable: no text of a results chart drawn under
	// 12 px (issue 15), whatever the width.
	small := browsertest.Get(p.Session, "measure chart text",
		chromedp.Evaluate[float64](`Math.min(99, ...[...document.querySelectorAll("svg.q-chart text")]
			.filter(t => t.getBoundingClientRect().width > 0)
			.map(t => t.getScreenCTM().a * parseFloat(t.getAttribute("font-size") || "14")))`))
	if small < 11.9 {
		p.t.Errorf("%s draws chart text at %.1f px at %d px wide (at least 12)", name, small, width)
	}
	if dir := os.Getenv("QUORUM_SCREENSHOTS"); dir != "" {
		buf := browsertest.Get(p.Session, "screenshot "+name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), buf, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// phone sets a 390 px wide viewport for the steps that follow.
func (p *person) phone() {
	p.t.Helper()
	p.Do("viewport 390", chromedp.EmulateViewport(390, 900))
}

// The browser test of issue 19: Ada searches her group's discussion from
// the header box and from the group page, sees the matching passage
// highlighted (a comment carrying an XSS payload stays text), narrows the
// results with a filter, and follows a result to the comment's anchor in
// its thread. Every page works without JavaScript (plain GET forms), is
// checked with axe-core and the CSP checks, at 1280 and 390 px.
func TestSearchJourney(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	s.env.Follow(t, consumers.Dispatcher(a.Cores, slog.New(slog.DiscardHandler)))

	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp()
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	groupPath := ada.path()
	gid := strings.TrimPrefix(groupPath, "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: xssTitle,
		Description: "The council changed the collection day."})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Discussions.Comment(adaCtx, th.ID, discussion.CommentInput{Body: xssPayload})
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.Discussions.Comment(adaCtx, th.ID, discussion.CommentInput{Body: "We decided: the green bin goes out on Tuesday evenings."})
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the stream to bring both comments into the index.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := a.Search.Search(adaCtx, search.Query{Text: "bins", Limit: 10})
		if err == nil && len(res.Hits) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the comments did not reach the index: %+v %v", res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The header box, on any signed-in page.
	ada.open("/dashboard")
	ada.fillIn("header.site", "Search", "what did we decide about the bins")
	ada.press("search from the header", chromedp.CSS(`header.site form[role=search] button[type=submit]`))
	if h := ada.heading(); h != "Search" {
		t.Fatalf("results heading %q", h)
	}
	ada.sees("Results", "We decided: the green bin goes out on Tuesday evenings.", xssTitle, "Ada Lovelace")
	marks := browsertest.Get(ada.Session, "read marks", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("main .search-hit mark")].map(m => m.textContent)`))
	if len(marks) == 0 || !strings.Contains(strings.ToLower(strings.Join(marks, " ")), "decided") {
		t.Errorf("marked words %q, want the matches (decided, bins)", marks)
	}
	// The payload is shown as text: nothing of it became an element or ran.
	injected := browsertest.Get(ada.Session, "look for injected markup", chromedp.Evaluate[string](`JSON.stringify({
	  xss: window.__xss || 0,
	  elements: document.querySelectorAll("main script, main img, main svg, main #injected, main [onerror], main [onload]").length,
	  marksOnlyText: [...document.querySelectorAll("main .search-hit mark")].every(m => m.children.length === 0)})`))
	if injected != `{"xss":0,"elements":0,"marksOnlyText":true}` {
		t.Errorf("the results page turned the comment into markup: %s", injected)
	}
	ada.sees(`<img src=x onerror="window.__xss=2">`, `</mark><b id="injected">bold</b>`, `<script>window.__xss=1</script>`)
	for _, w := range []int64{1280, 390} {
		ada.at(w, "search-results")
	}
	ada.audit("search results")

	// Filters: threads only.
	ada.Do("open filters", chromedp.Click(`details.search-filters summary`))
	ada.Do("only threads", chromedp.Click(ada.field("threads")))
	ada.press("search with the filter", chromedp.CSS(`main form.search-form button[type=submit]`))
	ada.sees("Where do the bins go?")
	ada.notSees("Tuesday evenings")
	ada.audit("search results filtered")

	// The group page's box searches that group.
	ada.open(groupPath)
	ada.audit("group page with its search box")
	// Its suggestions stay within the group.
	ada.Do("type in the group box", chromedp.Click(`#group-q`), chromedp.SendKeys(`#group-q`, "tuesd"))
	ada.Do("wait for the group's suggestions", chromedp.WaitVisible(`#group-q-suggestions [role=option]`))
	if all := browsertest.Get(ada.Session, "read the see-all link", chromedp.Evaluate[string](
		`document.querySelector("#group-q-suggestions .suggestion-all").dataset.href`)); all != "/search?q=tuesd&group="+gid {
		t.Errorf("the group box's suggestions lead to %q", all)
	}
	ada.fill("Search this group", "tuesday")
	ada.press("search the group", chromedp.CSS(`form.group-search button[type=submit]`))
	if h := ada.heading(); h != "Search in Garden Club" {
		t.Fatalf("group search heading %q", h)
	}
	ada.sees("Tuesday evenings")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "search-group")
	}

	// A result links straight to the comment in its thread.
	ada.follow(xssTitle)
	if got, want := ada.URL(), s.URL+"/threads/"+th.ID+"?comment="+other.ID+"#c-"+other.ID; got != want {
		t.Fatalf("the result leads to %s, want %s", got, want)
	}
	if n := browsertest.Get(ada.Session, "find the anchor", chromedp.Evaluate[int](
		fmt.Sprintf(`document.querySelectorAll("#c-%s").length`, other.ID))); n != 1 {
		t.Errorf("the thread has %d elements #c-%s", n, other.ID)
	}

	// Search as you type in the header box: a prefix brings suggestions
	// (the combobox pattern), the arrows choose, Escape closes, Enter opens
	// the chosen result.
	// On a phone the search box is in the header's menu.
	ada.open("/dashboard")
	ada.phone()
	ada.Do("open the menu", chromedp.Click(`header.site .menu-toggle`))
	ada.Do("type a prefix on a phone", chromedp.Click(`#site-q`), chromedp.SendKeys(`#site-q`, "tuesd"))
	ada.Do("wait for suggestions on a phone", chromedp.WaitVisible(`#site-q-suggestions [role=option]`))
	ada.at(390, "search-suggestions")
	ada.open("/dashboard")
	ada.Do("type a prefix", chromedp.Click(`#site-q`), chromedp.SendKeys(`#site-q`, "tuesd"))
	ada.Do("wait for suggestions", chromedp.WaitVisible(`#site-q-suggestions [role=option]`))
	state := func() string {
		return browsertest.Get(ada.Session, "read the combobox", chromedp.Evaluate[string](`(() => {
  const q = document.querySelector("#site-q"), l = document.querySelector("#site-q-suggestions");
  const act = q.getAttribute("aria-activedescendant");
  return JSON.stringify({role: q.getAttribute("role"), expanded: q.getAttribute("aria-expanded"), controls: q.getAttribute("aria-controls"),
    open: !l.hidden, options: [...l.querySelectorAll("[role=option]")].map(o => o.textContent.trim().replace(/\s+/g, " ")),
    marks: [...l.querySelectorAll("mark")].map(m => m.textContent), active: act ? document.getElementById(act).textContent.trim().slice(0, 20) : "",
    status: document.querySelector("form.site-search [role=status]").textContent})
})()`))
	}
	st := state()
	if !strings.Contains(st, `"role":"combobox","expanded":"true","controls":"site-q-suggestions","open":true`) ||
		!strings.Contains(st, "Tuesday evenings") || !strings.Contains(st, `"marks":["Tuesday"]`) ||
		!strings.Contains(st, "See all results for") || !strings.Contains(st, `"status":"1 suggestion: use the up and down arrows to choose."`) {
		t.Errorf("suggestions for a prefix: %s", st)
	}
	ada.audit("search suggestions")
	ada.at(1280, "search-suggestions")
	ada.key(kb.ArrowDown)
	if st := state(); !strings.Contains(st, `"active":"comment Where do the`) {
		t.Errorf("after ArrowDown: %s", st)
	}
	ada.key(kb.Escape)
	if st := state(); !strings.Contains(st, `"expanded":"false","controls":"site-q-suggestions","open":false`) {
		t.Errorf("after Escape: %s", st)
	}
	// A later word replaces the suggestions of the earlier one; Enter on
	// the chosen suggestion opens it.
	ada.Do("type more", chromedp.SendKeys(`#site-q`, " evening"))
	ada.Do("wait for the new suggestions", chromedp.Poll[chromedp.Void](`document.querySelector("#site-q-suggestions [role=option]") &&
	  document.querySelector("#site-q-suggestions .suggestion-all").textContent.includes("tuesd evening")`))
	ada.key(kb.ArrowDown)
	pressKey(t, ada, kb.Enter)
	if got, want := ada.URL(), s.URL+"/threads/"+th.ID+"?comment="+other.ID+"#c-"+other.ID; got != want {
		t.Errorf("Enter on the suggestion opened %s, want %s", got, want)
	}

	// Nothing to search, a search too long: the form says what is wrong.
	if st := ada.open("/search?q=" + strings.Repeat("x", 201)); st != 400 {
		t.Errorf("a 201-character search: status %d, want 400", st)
	}
	ada.sees("at most 200")
	ada.audit("search error")
	if st := ada.open("/search?q=nothing+like+this+anywhere"); st != 200 {
		t.Errorf("no results: status %d", st)
	}
	ada.sees("No results")
	_ = c
}
