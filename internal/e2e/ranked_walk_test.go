package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser walk of a ranked-choice poll on its page (issue 15, ranked
// choice), at 1280 and 390 px: Ben, at 1280 px, sends the list untouched
// and is refused with a clear error, then arranges it with the keyboard
// alone (Enter on a Down button, twice) and votes; Cy, on a 390 px phone,
// is refused too, then drags Chard to the top and votes. Ada votes through
// the API and closes the poll: the page shows the Schulze (Condorcet)
// winner and who STV elects, and the thread's card the same, its heading
// naming the voters (who gave no reason). Every state is checked with
// axe-core (light and dark) and for sideways scrolling at 390 px;
// screenshots in both schemes with QUORUM_SCREENSHOTS.
func TestRankedChoiceWalk(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil)
	a, ada, ben, cy, gid, adaCtx, thread := g.a, g.ada, g.ben, g.cy, g.gid, g.adaCtx, g.thread
	d := poll.New(poll.TypeRankedChoice)
	d.Title = "Rank the crops"
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	d.Settings.MinChoices = 3
	d.Options = nil
	for i, l := range []string{"Tomatoes", "Beans", "Chard", "Leeks"} {
		d.Options = append(d.Options, poll.Option{ID: fmt.Sprintf("o%d", i+1), Label: l})
	}
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: thread, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	pollPath := "/polls/" + p.ID
	const list = "form.vote ol.ranked"
	const send = `form.vote button[type="submit"]:not([name])`
	order := func(who *person) string {
		return browsertest.Get(who.Session, "read the order", chromedp.Evaluate[string](`document.querySelector("form.vote input[name=order]").value`))
	}
	// sendKey focuses sel and presses Enter, as the keyboard would submit.
	sendKey := func(who *person, step, sel string) int64 {
		t.Helper()
		who.Do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
		ctx, cancel := context.WithTimeout(who.Ctx, browsertest.StepTimeout)
		defer cancel()
		name, mark := who.focusedName(), who.seen.docMark()
		resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		who.checkPRG(step, mark, resp, name)
		return status(resp)
	}
	// both takes the page at 1280 and 390 px, light and dark.
	both := func(who *person, name string) {
		t.Helper()
		for _, scheme := range []string{"", "dark"} {
			who.colorScheme(scheme)
			for _, w := range []int64{1280, 390} {
				who.at(w, "ranked-"+name+map[string]string{"": "", "dark": "-dark"}[scheme])
			}
		}
		who.colorScheme("")
	}

	// ---- Ben, 1280 px, keyboard ----
	ben.open(pollPath)
	ben.sees("Nothing is ranked yet.")
	if o := order(ben); o != "" {
		t.Fatalf("an untouched list carries an order: %q", o)
	}
	if st := sendKey(ben, "send the untouched list", send); st != 400 && st != 422 {
		t.Fatalf("untouched list: %d, want it refused", st)
	}
	ben.sees("put the options in your order first")
	ben.audit("ranked poll page refusing an untouched list")
	both(ben, "refused")
	// Enter on Tomatoes' Down button, twice: Tomatoes goes to 3rd place,
	// and the focus stays on the button for the next press.
	down := list + ` li[data-id="o1"] button[value="down:o1"]`
	ben.Do("focus Down", chromedp.Focus(chromedp.CSS(down)))
	ben.key(kb.Enter)
	ben.key(kb.Enter)
	if o := order(ben); o != "o2,o3,o1,o4" {
		t.Fatalf("after two Downs: order %q", o)
	}
	live := browsertest.Get(ben.Session, "read the announcement", chromedp.Evaluate[string](`document.querySelector("form.vote [data-rank-live]").textContent`))
	if !strings.Contains(live, "Tomatoes is now at position 3") {
		t.Errorf("the move was not announced: %q", live)
	}
	if f := ben.focused(); !strings.Contains(f, "button") {
		t.Errorf("the focus left the Down button: %s", f)
	}
	// Arranged, the list's refusal no longer holds: its error and the
	// summary (whose only entry it was) are gone.
	ben.notSees("put the options in your order first", "Please correct the following")
	ben.audit("ranked poll page arranged by keyboard")
	both(ben, "keyboard")
	if st := sendKey(ben, "vote the keyboard ranking", send); st != 200 {
		t.Fatalf("keyboard vote: %d", st)
	}
	mine, err := a.Decisions.Mine(actingAs(t, a, ben.Email), p.ID)
	if err != nil || choiceIDs(mine.Ballot) != "o2,o3,o1" {
		t.Errorf("ranked by keyboard: %v %s", err, choiceIDs(mine.Ballot))
	}
	ben.sees("Your vote was counted.")

	// ---- Cy, a 390 px phone, drag and drop ----
	cy.phone()
	cy.open(pollPath)
	if st := cy.press("send the untouched list on a phone", chromedp.CSS(send)); st != 400 && st != 422 {
		t.Fatalf("untouched list on a phone: %d", st)
	}
	cy.sees("put the options in your order first")
	cy.phone()
	// Chard (3rd) dragged by its label above Tomatoes (1st). Both places
	// are measured after one scroll (a second would move the first).
	pos := browsertest.Get(cy.Session, "measure the list", chromedp.Evaluate[[]float64](`(() => {
  const list = document.querySelector(`+fmt.Sprintf("%q", list)+`);
  list.scrollIntoView({block: "center"});
  const c = list.querySelector('li[data-id="o3"] .rank-label').getBoundingClientRect(), t = list.querySelector('li[data-id="o1"]').getBoundingClientRect();
  return [c.left + c.width / 2, c.top + c.height / 2, t.top + t.height / 4]; })()`))
	x0, y0, y1 := pos[0], pos[1], pos[2]
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) {
		prm := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1}
		if typ == input.DispatchMouseEventTypeMouseMoved {
			prm.ClickCount = 0
		}
		if _, err := chromedp.Call(cy.Ctx, input.DispatchMouseEvent, prm); err != nil {
			t.Fatal(err)
		}
	}
	mouse(input.DispatchMouseEventTypeMousePressed, x0, y0, 1)
	for i := 1; i <= 8; i++ {
		mouse(input.DispatchMouseEventTypeMouseMoved, x0, y0+(y1-y0)*float64(i)/8, 1)
	}
	mouse(input.DispatchMouseEventTypeMouseReleased, x0, y1, 0)
	if o := order(cy); o != "o3,o1,o2,o4" {
		t.Fatalf("after the drag: order %q", o)
	}
	cy.notSees("put the options in your order first")
	if live := browsertest.Get(cy.Session, "read the announcement", chromedp.Evaluate[string](`document.querySelector("form.vote [data-rank-live]").textContent`)); !strings.Contains(live, "Chard is now at position 1") {
		t.Errorf("the drop was not announced: %q", live)
	}
	cy.audit("ranked poll page arranged by drag and drop")
	both(cy, "dragged")
	cy.phone()
	if st := cy.press("vote the dragged ranking", chromedp.CSS(send)); st != 200 {
		t.Fatalf("dragged vote: %d", st)
	}
	mine, err = a.Decisions.Mine(actingAs(t, a, cy.Email), p.ID)
	if err != nil || choiceIDs(mine.Ballot) != "o3,o1,o2" {
		t.Errorf("ranked by drag and drop: %v %s", err, choiceIDs(mine.Ballot))
	}

	// ---- the result: Ada votes, closes; Schulze and STV ----
	rank := func(ids ...string) poll.Ballot {
		var b poll.Ballot
		for i, id := range ids {
			b.Choices = append(b.Choices, poll.Choice{OptionID: id, Score: len(ids) - i})
		}
		return b
	}
	if _, err := a.Decisions.Vote(adaCtx, p.ID, decision.VoteInput{Ballot: rank("o3", "o2", "o1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.Close(adaCtx, p.ID); err != nil {
		t.Fatal(err)
	}
	// plain is the page's text without the Unicode isolates around names.
	plain := func(who *person) string {
		return strings.NewReplacer("\u2068", "", "\u2069", "").Replace(strings.Join(strings.Fields(who.Text()), " "))
	}
	ada.open(pollPath)
	for _, want := range []string{"Condorcet (Schulze) winners: Chard.", "Single transferable vote (1 seat, Droop quota): elected Chard."} {
		if txt := plain(ada); !strings.Contains(txt, want) {
			t.Errorf("the closed poll's page lacks %q: %s", want, txt)
		}
	}
	ada.audit("closed ranked poll's results")
	both(ada, "results")
	ada.open("/threads/" + thread)
	if txt := plain(ada); !strings.Contains(txt, "Condorcet (Schulze) winners: Chard.") {
		t.Errorf("the thread's card lacks the Schulze winner: %s", txt)
	}
	faces := browsertest.Get(ada.Session, "read the participants", chromedp.Evaluate[string](`(document.querySelector(".participants") || {}).textContent || ""`))
	for _, name := range []string{"Ada Lovelace", "Ben Franklin", "Cy Young"} {
		if !strings.Contains(faces, name) {
			t.Errorf("the thread's participants lack %s (a voter without a reason): %q", name, faces)
		}
	}
	ada.audit("thread with the closed ranked poll")
	both(ada, "thread")
	if dir := os.Getenv("QUORUM_SCREENSHOTS"); dir != "" {
		t.Logf("screenshots in %s", dir)
	}
}
