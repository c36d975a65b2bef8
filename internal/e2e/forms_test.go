package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser test of issue 15's poll forms and voting in the thread
// (helper "forms"): Ada's proposal form is short (advanced settings folded,
// no empty vote-share rows), adds a rule on demand and previews the card
// before she starts the poll; Ben votes in every poll type from its card
// in the thread with the keyboard alone (Tab, Space, typing, Enter), a
// ranked list untouched is refused with a clear error, and Cy ranks by
// drag and drop; Dan votes on a proposal from the thread with JavaScript
// off. Every new state is checked with axe-core and for sideways
// scrolling at 390 px (screenshots with QUORUM_SCREENSHOTS).
func TestPollFormsAndInlineVoting(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	dan := s.person(t, "dan", "Dan Brown")
	for _, p := range []*person{ada, ben, cy, dan} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*person{ben, cy, dan} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	threadPath := "/threads/" + th.ID

	// ---- the proposal form: short, a rule on demand, a preview ----
	ada.open("/groups/" + gid + "/polls/new?type=proposal&thread=" + th.ID)
	if n := countOf(ada, `input[name^="vs_option_"]`); n != 0 {
		t.Errorf("the new form shows %d empty vote-share rows", n)
	}
	if open := browsertest.Get(ada.Session, "read more settings", chromedp.Evaluate[bool](`document.querySelector("#more-settings").open`)); open {
		t.Errorf("advanced settings are open by default")
	}
	h := browsertest.Get(ada.Session, "measure the form", chromedp.Evaluate[float64](`document.querySelector("main form[method=post]").getBoundingClientRect().height`))
	t.Logf("proposal form height at 1280 px: %.0f px", h)
	if h > 900 {
		t.Errorf("the default proposal form is %.0f px tall (about one screen wanted)", h)
	}
	ada.audit("proposal form")
	ada.at(1280, "forms-proposal-form")
	ada.at(390, "forms-proposal-form")
	ada.fill("Title", "Plant tomatoes this spring?")
	ada.fill("Details", "The south bed gets sun from 10 to 4.")
	if st := ada.submit("Add a rule"); st != 200 {
		t.Fatalf("add a rule: %d", st)
	}
	if n := countOf(ada, `input[name^="vs_option_"]`); n != 1 {
		t.Errorf("after Add a rule: %d rows", n)
	}
	if v := browsertest.Get(ada.Session, "read title", chromedp.Evaluate[string](`document.querySelector("#title").value`)); v != "Plant tomatoes this spring?" {
		t.Errorf("the title typed was lost: %q", v)
	}
	ada.audit("proposal form with a rule")
	ada.at(390, "forms-proposal-rule")
	if st := ada.submit("Preview"); st != 200 {
		t.Fatalf("preview: %d", st)
	}
	ada.sees("Preview: the card as the thread will show it", "Nothing is saved yet.", "Plant tomatoes this spring?", "Agree", "Disagree")
	ada.audit("proposal form with its preview")
	ada.at(1280, "forms-proposal-preview")
	ada.at(390, "forms-proposal-preview")
	if pg, err := a.Decisions.List(adaCtx, gid, "", 10); err != nil || len(pg.Items) != 0 {
		t.Fatalf("the preview saved a poll: %v %d", err, len(pg.Items))
	}
	if st := ada.submit("Start poll"); st != 200 {
		t.Fatalf("start the proposal: %d", st)
	}
	ada.sees("Plant tomatoes this spring?")

	// ---- a poll of every type in the thread ----
	at := time.Now().Add(72 * time.Hour).UTC()
	create := func(tp poll.Type, title string, edit func(*poll.Definition)) string {
		t.Helper()
		d := poll.New(tp)
		d.Title = title
		d.Settings.ClosingAt = &at
		if edit != nil {
			edit(&d)
		}
		p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
		if err != nil {
			t.Fatalf("create %s: %v", tp, err)
		}
		return p.ID
	}
	free := func(labels ...string) func(*poll.Definition) {
		return func(d *poll.Definition) {
			d.Options = nil
			for i, l := range labels {
				d.Options = append(d.Options, poll.Option{ID: fmt.Sprintf("o%d", i+1), Label: l})
			}
		}
	}
	pg, err := a.Decisions.List(adaCtx, gid, "", 10)
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("the proposal: %v", err)
	}
	ids := map[poll.Type]string{poll.TypeProposal: pg.Items[0].ID}
	ids[poll.TypeCheck] = create(poll.TypeCheck, "Is the compost ready?", nil)
	ids[poll.TypeCount] = create(poll.TypeCount, "Who comes to dig on Saturday?", nil)
	ids[poll.TypePoll] = create(poll.TypePoll, "Which bed first?", free("South", "North", "East"))
	ids[poll.TypeQuestion] = create(poll.TypeQuestion, "What should we grow next year?", nil)
	ids[poll.TypeScore] = create(poll.TypeScore, "Rate the seed suppliers", free("Seeds & Co", "Green Hands", "Bloom"))
	ids[poll.TypeDotVote] = create(poll.TypeDotVote, "Spend the budget", free("Tools", "Seeds", "Soil"))
	ids[poll.TypeMeeting] = create(poll.TypeMeeting, "When do we meet?", func(d *poll.Definition) {
		day := time.Now().Add(10 * 24 * time.Hour).UTC().Truncate(24 * time.Hour)
		d.Options = []poll.Option{{ID: "m1", Start: day.Add(17 * time.Hour)}, {ID: "m2", Start: day.Add(41 * time.Hour)}}
		d.Settings.TimeZone, d.Settings.CanRespondMaybe = "UTC", true
	})
	ids[poll.TypeRankedChoice] = create(poll.TypeRankedChoice, "Rank the crops", func(d *poll.Definition) {
		free("Tomatoes", "Beans", "Chard", "Leeks")(d)
		d.Settings.MinChoices = 3
	})
	crowded := create(poll.TypeScore, "Rate every vegetable", free("Kale", "Peas", "Corn", "Okra", "Leeks", "Chard", "Onions", "Garlic"))

	// ---- Ben votes in every type with the keyboard alone ----
	ben.open(threadPath)
	ben.audit("thread with a card of every type")
	ben.at(1280, "forms-thread-cards")
	ben.at(390, "forms-thread-cards")
	card := func(tp poll.Type) string { return "#poll-" + ids[tp] }
	// focus puts the keyboard focus on a control of a card, as Tab would
	// (the Tab order itself is the keyboard test's).
	focus := func(sel string) { ben.Do("focus "+sel, chromedp.Focus(chromedp.CSS(sel))) }
	submitKey := func(step, sel string) int64 {
		t.Helper()
		focus(sel)
		name, mark := ben.focusedName(), ben.seen.docMark()
		resp, err := chromedp.RunResponse(ben.Ctx, chromedp.KeyEvent(kb.Enter))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		ben.checkPRG(step, mark, resp, name)
		return status(resp)
	}
	voted := func(tp poll.Type) {
		t.Helper()
		if u := ben.URL(); !strings.HasSuffix(u, card(tp)) {
			t.Errorf("%s: after the vote at %s", tp, u)
		}
		mine, err := a.Decisions.Mine(actingAs(t, a, ben.Email), ids[tp])
		if err != nil || !mine.Voted {
			t.Errorf("%s: not voted (%v)", tp, err)
		}
	}
	// One press on an option: proposal, check, count.
	for _, tp := range []poll.Type{poll.TypeProposal, poll.TypeCheck, poll.TypeCount} {
		if st := submitKey(string(tp), card(tp)+` fieldset button[name="choice"]`); st != 200 {
			t.Fatalf("%s: %d", tp, st)
		}
		voted(tp)
	}
	// Single choice: a button per option too.
	if st := submitKey("poll", card(poll.TypePoll)+` button[name="choice"][value="o2"]`); st != 200 {
		t.Fatalf("poll: %d", st)
	}
	voted(poll.TypePoll)
	// A question: type the answer, Tab to the button, Enter.
	focus(card(poll.TypeQuestion) + " textarea")
	ben.key("Tomatillos, and more beans.")
	if st := submitKey("question", card(poll.TypeQuestion)+` button[type="submit"]`); st != 200 {
		t.Fatalf("question: %d", st)
	}
	voted(poll.TypeQuestion)
	// Score: type the scores.
	focus(card(poll.TypeScore) + ` input[name="score.o1"]`)
	ben.key("4\t3")
	if st := submitKey("score", card(poll.TypeScore)+` form button[type="submit"]:not([name])`); st != 200 {
		t.Fatalf("score: %d", st)
	}
	voted(poll.TypeScore)
	// Dot vote: Up arrow five times; the count of dots left follows.
	focus(card(poll.TypeDotVote) + ` input[name="dots.o1"]`)
	for range 5 {
		ben.key(kb.ArrowUp)
	}
	if left := ben.Text(); !strings.Contains(left, "Dots left: 3 of 8") {
		t.Errorf("dots left not updated")
	}
	if st := submitKey("dots", card(poll.TypeDotVote)+` form button[type="submit"]:not([name])`); st != 200 {
		t.Fatalf("dots: %d", st)
	}
	voted(poll.TypeDotVote)
	// Meeting: Space on each answer.
	for _, sel := range []string{`input[name="answer.m1"][value="2"]`, `input[name="answer.m2"][value="1"]`} {
		focus(card(poll.TypeMeeting) + " " + sel)
		ben.key(" ")
	}
	if st := submitKey("meeting", card(poll.TypeMeeting)+` form button[type="submit"]:not([name])`); st != 200 {
		t.Fatalf("meeting: %d", st)
	}
	voted(poll.TypeMeeting)
	// Ranked choice: an untouched list is refused, then Down (Enter on the
	// button) arranges it and the vote counts.
	rc := card(poll.TypeRankedChoice)
	ben.sees("Nothing is ranked yet.")
	if st := submitKey("untouched ranking", rc+` form button[type="submit"]:not([name])`); st != 422 && st != 400 {
		t.Fatalf("untouched ranking: %d", st)
	}
	ben.sees("put the options in your order first")
	ben.audit("ranked card refusing an untouched list")
	ben.at(390, "forms-ranked-refused")
	focus(rc + ` li[data-id="o1"] button[value="down:o1"]`)
	ben.key(kb.Enter)
	live := browsertest.Get(ben.Session, "read the announcement", chromedp.Evaluate[string](`document.querySelector("`+rc+` [data-rank-live]").textContent`))
	if !strings.Contains(live, "Tomatoes is now at position 2") {
		t.Errorf("the move was not announced: %q", live)
	}
	if st := submitKey("ranked", rc+` form button[type="submit"]:not([name])`); st != 200 {
		t.Fatalf("ranked: %d", st)
	}
	voted(poll.TypeRankedChoice)
	mine, _ := a.Decisions.Mine(actingAs(t, a, ben.Email), ids[poll.TypeRankedChoice])
	if got := choiceIDs(mine.Ballot); got != "o2,o1,o3" {
		t.Errorf("ranked by keyboard: %s", got)
	}
	ben.sees("Your vote was counted.")
	ben.audit("thread after voting in every type")
	ben.at(390, "forms-thread-voted")

	// ---- Cy ranks by drag and drop (a thread shows decision.MaxCards
	// cards: the ten polls here) ----
	dragged := ids[poll.TypeRankedChoice]
	cy.open(threadPath)
	dc := "#poll-" + dragged
	// Both places measured after one scroll (a second scroll would move the first).
	pos := browsertest.Get(cy.Session, "measure the list", chromedp.Evaluate[[]float64](`(() => {
  const list = document.querySelector(`+fmt.Sprintf("%q", dc+" ol.ranked")+`);
  list.scrollIntoView({block: "center"});
  const a = list.querySelector('li[data-id="o1"] .rank-label').getBoundingClientRect(), c = list.querySelector('li[data-id="o3"]').getBoundingClientRect();
  return [a.left + a.width / 2, a.top + a.height / 2, c.top + c.height / 2, c.height]; })()`))
	x0, y0, y2, h2 := pos[0], pos[1], pos[2], pos[3]
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1}
		if typ == input.DispatchMouseEventTypeMouseMoved {
			p.ClickCount = 0
		}
		if _, err := chromedp.Call(cy.Ctx, input.DispatchMouseEvent, p); err != nil {
			t.Fatal(err)
		}
	}
	mouse(input.DispatchMouseEventTypeMousePressed, x0, y0, 1)
	for i := 1; i <= 8; i++ {
		mouse(input.DispatchMouseEventTypeMouseMoved, x0, y0+(y2+h2/3-y0)*float64(i)/8, 1)
	}
	mouse(input.DispatchMouseEventTypeMouseReleased, x0, y2+h2/3, 0)
	order := browsertest.Get(cy.Session, "read the order", chromedp.Evaluate[string](`document.querySelector("`+dc+` input[name=order]").value`))
	if order != "o2,o3,o1,o4" {
		t.Fatalf("after the drag: order %q", order)
	}
	if live := browsertest.Get(cy.Session, "read the announcement", chromedp.Evaluate[string](`document.querySelector("`+dc+` [data-rank-live]").textContent`)); !strings.Contains(live, "Tomatoes is now at position 3") {
		t.Errorf("the drop was not announced: %q", live)
	}
	cy.audit("ranked card after a drag")
	cy.at(390, "forms-ranked-dragged")
	if st := cy.press("vote the dragged ranking", chromedp.CSS(dc+` form button[type="submit"]:not([name])`)); st != 200 {
		t.Fatalf("dragged vote: %d", st)
	}
	mine, _ = a.Decisions.Mine(actingAs(t, a, cy.Email), dragged)
	if got := choiceIDs(mine.Ballot); got != "o2,o3,o1" {
		t.Errorf("ranked by drag and drop: %s", got)
	}

	// ---- a poll with many options: a compact card ----
	cc := "#poll-" + crowded
	if open := browsertest.Get(cy.Session, "read the compact form", chromedp.Evaluate[bool](`document.querySelector("`+cc+` details.card-vote").open`)); open {
		t.Errorf("the card of a poll with 8 options shows its whole form")
	}

	// ---- Dan votes on the proposal with JavaScript off ----
	if _, err := chromedp.Call(dan.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	dan.open(threadPath)
	if st := dan.press("vote Agree without JavaScript", chromedp.CSS(card(poll.TypeProposal)+` button[value="agree"]`)); st != 200 {
		t.Fatalf("no-JS vote: %d", st)
	}
	if u := dan.URL(); !strings.HasSuffix(u, card(poll.TypeProposal)) {
		t.Errorf("no-JS vote landed at %s", u)
	}
	dan.sees("Your vote was counted.")
	// ... and moves a ranked option with the no-JS Up/Down (the server
	// re-renders the thread at the card with the list arranged).
	if st := dan.press("move without JavaScript", chromedp.CSS(rc+` button[value="down:o1"]`)); st != 200 {
		t.Fatalf("no-JS move: %d", st)
	}
	if v := browsertest.Get(dan.Session, "read the order", chromedp.Evaluate[string](`document.querySelector("`+rc+` input[name=order]").value`)); v != "o2,o1,o3,o4" {
		t.Errorf("no-JS move: order %q", v)
	}
	if _, err := chromedp.Call(dan.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	dan.audit("ranked card after a no-JS move")
	dan.at(390, "forms-ranked-nojs-move")

	// ---- Arabic: right to left ----
	for _, p := range []*person{cy, ada} {
		p.open("/settings")
		browsertest.Get(p.Session, "choose Arabic", chromedp.Evaluate[bool](`(e => { e.value = "ar"; return true })(document.querySelector("#locale"))`))
		if st := p.press("save the language", chromedp.CSS(`form[action="/settings"] button[type="submit"]`)); st >= 400 {
			t.Fatalf("set Arabic: %d", st)
		}
	}
	cy.open(threadPath)
	cy.audit("thread cards in Arabic")
	cy.at(1280, "forms-thread-cards-ar")
	cy.at(390, "forms-thread-cards-ar")
	ada.open("/groups/" + gid + "/polls/new?type=ranked_choice&thread=" + th.ID)
	ada.Do("title", chromedp.SendKeys(chromedp.CSS("#title"), "رتّب المحاصيل"))
	ada.Do("options", chromedp.SendKeys(chromedp.CSS("#options"), "طماطم\nفول\nسلق"))
	if st := ada.press("preview in Arabic", chromedp.CSS(`button[value="preview"]`)); st != 200 {
		t.Fatalf("Arabic preview: %d", st)
	}
	ada.audit("ranked form with its preview in Arabic")
	ada.at(1280, "forms-ranked-preview-ar")
	ada.at(390, "forms-ranked-preview-ar")
}

// choiceIDs lists a ballot's options in order.
func choiceIDs(b *poll.Ballot) string {
	if b == nil {
		return ""
	}
	var out []string
	for _, c := range b.Choices {
		out = append(out, c.OptionID)
	}
	return strings.Join(out, ",")
}
