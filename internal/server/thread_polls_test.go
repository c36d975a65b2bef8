package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/testkit"
)

// Poll cards on the thread page (#15): each poll shows where it was
// opened, with what the rules let the viewer see, and the simple types are
// voted on the card.

// card returns the poll card of pid on a thread page ("" when absent).
func card(page, pid string) string {
	start := strings.Index(page, `<article class="card poll-card" id="poll-`+pid+`"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(page[start:], "</article>")
	return page[start : start+end]
}

func threadOf(t *testing.T, e *pollEnv, title string) discussion.Thread {
	t.Helper()
	th, err := e.a.Discussions.StartThread(e.owner.ctx, discussion.StartInput{GroupID: e.gid, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// voteForm is an inline vote as the card's form posts it.
func inlineVote(item string, choice, reason string) url.Values {
	v := url.Values{"back": {"thread"}, "item": {item}, "reason": {reason}}
	if choice != "" {
		v.Set("choice", choice)
	}
	return v
}

var itemRe = regexp.MustCompile(`name="item" value="([0-9a-f]+)"`)

func TestThreadPollCardVoteInline(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th := threadOf(t, e, "Budget")
	p := proposalIn(e, o, th.ID, "Approve the budget", 72*time.Hour, nil)

	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread page").body
	c := card(page, p.ID)
	for _, want := range []string{"Proposal", "open", "Closes ", "closes in 3 days", "0 of 3 have voted", `action="/polls/` + p.ID + `/vote#poll-` + p.ID + `"`,
		`name="choice" value="agree"`, `name="choice" value="block"`, "Reason <span class=\"muted\">(optional)", `href="/polls/` + p.ID + `"`} {
		if !strings.Contains(c, want) {
			t.Errorf("card lacks %q:\n%s", want, c)
		}
	}
	item := itemRe.FindStringSubmatch(c)
	if item == nil {
		t.Fatalf("no item in the card form: %s", c)
	}

	// One click: the vote comes back to the card with a notice.
	r := e.must(e.do(m, "POST", "/polls/"+p.ID+"/vote", inlineVote(item[1], "agree", "Numbers add up")), 303, "inline vote")
	loc := r.hdr.Get("Location")
	if !strings.HasPrefix(loc, "/threads/"+th.ID+"?") || !strings.HasSuffix(loc, "#poll-"+p.ID) || !strings.Contains(loc, "done=voted") {
		t.Fatalf("inline vote went to %q", loc)
	}
	page = e.must(e.do(m, "GET", strings.Split(loc, "#")[0], nil), 200, "back at the thread").body // a browser keeps the fragment
	c = card(page, p.ID)
	for _, want := range []string{"Your vote was counted.", "You voted: <strong>Agree</strong>", "1 of 3 have voted", "<svg",
		"Latest reasons", "<strong>Milo Member</strong>: Agree", "Numbers add up", `class="chosen"`} {
		if !strings.Contains(page, want) {
			t.Errorf("after the vote, the page lacks %q:\n%s", want, c)
		}
	}
	// Changing it says so.
	r = e.must(e.do(m, "POST", "/polls/"+p.ID+"/vote", inlineVote(item[1], "disagree", "Second thoughts")), 303, "change")
	if !strings.Contains(r.hdr.Get("Location"), "done=changed") {
		t.Errorf("change went to %q", r.hdr.Get("Location"))
	}
	// Another member sees the reason with the voter's name.
	c = card(e.must(e.do(n, "GET", "/threads/"+th.ID, nil), 200, "n").body, p.ID)
	if !strings.Contains(c, "Milo Member") || strings.Contains(c, "You voted") {
		t.Errorf("Nina's card: %s", c)
	}
}

func TestThreadPollCardInlineVoteErrorKeepsChoice(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Reasons please")
	p := proposalIn(e, o, th.ID, "Need reasons", 48*time.Hour, func(d *poll.Definition) { d.Settings.ReasonMode = poll.ReasonRequired })
	c := card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "page").body, p.ID)
	if !strings.Contains(c, "(required)") {
		t.Errorf("the card does not say a reason is required: %s", c)
	}
	item := itemRe.FindStringSubmatch(c)[1]
	r := e.do(m, "POST", "/polls/"+p.ID+"/vote", inlineVote(item, "abstain", ""))
	if r.code != 422 && r.code != 400 {
		t.Fatalf("vote without the required reason: %d", r.code)
	}
	c = card(r.body, p.ID)
	if !strings.Contains(c, `role="alert"`) || !strings.Contains(c, `id="p`+p.ID+`-reason-error"`) ||
		!regexp.MustCompile(`value="abstain" class="chosen"`).MatchString(c) {
		t.Errorf("the refused vote is not shown on the card with its choice:\n%s", c)
	}
	if mine, _ := e.a.Decisions.Mine(m.ctx, p.ID); mine.Voted {
		t.Error("a refused vote was counted")
	}
}

// A vote from a card whose poll closed meanwhile: the card says why.
func TestThreadPollCardVoteAfterClose(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Too late")
	p := proposalIn(e, o, th.ID, "Closing soon", 48*time.Hour, nil)
	item := itemRe.FindStringSubmatch(card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "page").body, p.ID))[1]
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	r := e.do(m, "POST", "/polls/"+p.ID+"/vote", inlineVote(item, "agree", ""))
	c := card(r.body, p.ID)
	if r.code != 409 || !strings.Contains(c, `role="alert"`) || !strings.Contains(c, "this poll is closed") {
		t.Errorf("vote after close: %d\n%s", r.code, c)
	}
}

// At most decision.MaxCards full cards: the newest; older polls keep their
// one-line note linking to the poll.
func TestThreadPollCardsBounded(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Many polls")
	var pids []string
	for i := range decision.MaxCards + 2 {
		pids = append(pids, proposalIn(e, o, th.ID, "Poll number "+string(rune('A'+i)), 48*time.Hour, nil).ID)
	}
	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "page").body
	if k := strings.Count(page, `<article class="card poll-card"`); k != decision.MaxCards {
		t.Errorf("%d cards, want %d", k, decision.MaxCards)
	}
	for i, pid := range pids {
		full := card(page, pid) != ""
		if full != (i >= 2) {
			t.Errorf("poll %d: card %v", i, full)
		}
		if !strings.Contains(page, `href="/polls/`+pid+`"`) {
			t.Errorf("poll %d is not linked", i)
		}
	}
}

func TestThreadPollCardHiddenResults(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th := threadOf(t, e, "Hidden")
	untilVote := proposalIn(e, o, th.ID, "Until vote", 48*time.Hour, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilVote })
	untilClose := proposalIn(e, o, th.ID, "Until close", 48*time.Hour, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed })
	agreeVote(e, m, untilVote.ID)
	agreeVote(e, m, untilClose.ID)

	page := e.must(e.do(n, "GET", "/threads/"+th.ID, nil), 200, "n").body
	for pid, msg := range map[string]string{untilVote.ID: "hidden until you vote", untilClose.ID: "hidden until the poll closes"} {
		c := card(page, pid)
		if !strings.Contains(c, msg) {
			t.Errorf("card %s lacks %q: %s", pid, msg, c)
		}
		// (The reaction bar names "eyes": it says nothing of the results.)
		figures, _, _ := strings.Cut(c, `<div class="reactions row"`)
		// Ids are random base32: "yes" may occur in one by chance.
		for _, id := range []string{untilVote.ID, untilClose.ID, th.ID} {
			figures = strings.ReplaceAll(figures, id, "ID")
		}
		for _, leak := range []string{"have voted", "<svg", "Milo", "yes", "Latest reasons"} {
			if strings.Contains(figures, leak) {
				t.Errorf("hidden results leak %q on the card: %s", leak, c)
			}
		}
	}
	// Milo voted: until-vote shows him the figures, until-close still not.
	page = e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "m").body
	if c := card(page, untilVote.ID); !strings.Contains(c, "1 of 3 have voted") || !strings.Contains(c, "<svg") {
		t.Errorf("until vote, after voting: %s", c)
	}
	if c := card(page, untilClose.ID); strings.Contains(c, "have voted") || !strings.Contains(c, "You voted") {
		t.Errorf("until close, after voting: %s", c)
	}
}

func TestThreadPollCardAnonymous(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Secret")
	p := proposalIn(e, o, th.ID, "Secret proposal", 48*time.Hour, func(d *poll.Definition) { d.Settings.Anonymous = true })
	agreeVote(e, m, p.ID) // reason "yes"
	c := card(e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "o").body, p.ID)
	if !strings.Contains(c, "anonymous") || !strings.Contains(c, "Anonymous voter") || !strings.Contains(c, "1 of 3 have voted") {
		t.Errorf("anonymous card: %s", c)
	}
	if strings.Contains(c, "Milo") || strings.Contains(c, m.id) {
		t.Errorf("anonymous card names the voter: %s", c)
	}
	// Milo voted: changing needs the receipt, on the poll page.
	c = card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "m").body, p.ID)
	if strings.Contains(c, `action="/polls/`+p.ID+`/vote"`) || !strings.Contains(c, `href="/polls/`+p.ID+`#vote-title"`) {
		t.Errorf("anonymous voter's card: %s", c)
	}
}

func TestThreadPollCardClosedWithOutcome(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Closed")
	p := proposalIn(e, o, th.ID, "Decided already", 48*time.Hour, nil)
	agreeVote(e, m, p.ID)
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	review := time.Now().Add(30 * 24 * time.Hour)
	if _, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: "We go ahead.", ReviewOn: &review}); err != nil {
		t.Fatal(err)
	}
	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "m").body
	c := card(page, p.ID)
	for _, want := range []string{"closed", "Closed ", "Outcome", "We go ahead.", "By Olga Owner", "to be reviewed on", "Voting has closed.",
		"1 of 3 have voted", "<svg", "You voted: <strong>Agree</strong>"} {
		if !strings.Contains(c, want) {
			t.Errorf("closed card lacks %q: %s", want, c)
		}
	}
	if strings.Contains(c, "/vote\"") || strings.Contains(c, "left)") {
		t.Errorf("closed card offers a vote: %s", c)
	}
	// One card per poll: the close and outcome items stay one-line notes.
	if k := strings.Count(page, `id="poll-`+p.ID+`"`); k != 1 || !strings.Contains(page, "outcome published") {
		t.Errorf("%d cards for the poll; notes: %v", k, strings.Contains(page, "outcome published"))
	}
}

func TestThreadPollCardGuestAndOutsider(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	g, x := e.person("Gus Guest"), e.person("Xena Outsider")
	th := threadOf(t, e, "With a guest")
	if err := e.a.Discussions.AddGuest(o.ctx, th.ID, g.id); err != nil {
		t.Fatal(err)
	}
	p := proposalIn(e, o, th.ID, "Members only vote", 48*time.Hour, nil)
	agreeVote(e, m, p.ID)
	c := card(e.must(e.do(g, "GET", "/threads/"+th.ID, nil), 200, "guest").body, p.ID)
	if !strings.Contains(c, "You are not among the voters") || strings.Contains(c, `/vote"`) {
		t.Errorf("guest's card: %s", c)
	}
	if strings.Contains(c, "Milo") {
		t.Errorf("a guest who is no voter reads the names of votes: %s", c)
	}
	// Someone outside the group sees neither the thread nor the card.
	r := e.do(x, "GET", "/threads/"+th.ID, nil)
	if r.code == 200 || strings.Contains(r.body, "Members only vote") {
		t.Errorf("outsider: %d", r.code)
	}
	// Signed out: no card either (the thread of a closed group is hidden).
	if r := e.do(nil, "GET", "/threads/"+th.ID, nil); strings.Contains(r.body, "Members only vote") {
		t.Errorf("visitor reads the poll: %d", r.code)
	}
}

func TestThreadPollCardRankedAndMultiInline(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Ranking")
	created := e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "ranked_choice", "title": "Rank them",
		"thread_id": th.ID, "options": labels("A", "B", "C"), "settings": map[string]any{"closing_at": closing(), "min_choices": 2}}), 201, "create")
	rc := decodeInto[pollJSON](t, created)
	multi := e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"type": "poll", "title": "Pick two",
		"thread_id": th.ID, "options": labels("Tea", "Coffee", "Water"),
		"settings": map[string]any{"closing_at": closing(), "min_choices": 1, "max_choices": 2}}), 201, "create poll")
	mp := decodeInto[pollJSON](t, multi)
	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "m").body
	// The ranked card votes inline: an untouched list, nothing ranked.
	rcard := card(page, rc.ID)
	for _, want := range []string{`action="/polls/` + rc.ID + `/vote#poll-` + rc.ID + `"`, `name="order" value=""`, `value="keep"`, "Rank in this order",
		`class="ranked untouched"`, "not ranked"} {
		if !strings.Contains(rcard, want) {
			t.Errorf("ranked card lacks %q: %s", want, rcard)
		}
	}
	ids := []string{rc.Definition.Options[0].ID, rc.Definition.Options[1].ID, rc.Definition.Options[2].ID}
	ritem := itemRe.FindStringSubmatch(rcard)[1]
	// Cast untouched: refused on the card, nothing counted.
	r := e.do(m, "POST", "/polls/"+rc.ID+"/vote", inlineVote(ritem, "", ""))
	if r.code != 422 && r.code != 400 || !strings.Contains(card(r.body, rc.ID), "put the options in your order first") {
		t.Errorf("untouched ranking: %d %s", r.code, card(r.body, rc.ID))
	}
	if mine, _ := e.a.Decisions.Mine(m.ctx, rc.ID); mine.Voted {
		t.Fatalf("an untouched list was counted")
	}
	// A no-JS move re-renders the thread with the card arranged.
	v := inlineVote(ritem, "", "")
	v.Set("move", "down:"+ids[0])
	moved := card(e.must(e.do(m, "POST", "/polls/"+rc.ID+"/vote", v), 200, "move on the card").body, rc.ID)
	want := ids[1] + "," + ids[0] + "," + ids[2]
	if !strings.Contains(moved, `name="order" value="`+want+`"`) || strings.Contains(moved, "untouched") || !strings.Contains(moved, "rank 1") {
		t.Errorf("moved card: %s", moved)
	}
	if mine, _ := e.a.Decisions.Mine(m.ctx, rc.ID); mine.Voted {
		t.Fatalf("a move voted")
	}
	v = inlineVote(ritem, "", "")
	v.Set("order", want)
	r = e.must(e.do(m, "POST", "/polls/"+rc.ID+"/vote", v), 303, "ranked vote on the card")
	if loc := r.hdr.Get("Location"); !strings.HasSuffix(loc, "#poll-"+rc.ID) {
		t.Errorf("back to %q", loc)
	}
	if mine, _ := e.a.Decisions.Mine(m.ctx, rc.ID); mine.Ballot == nil || mine.Ballot.Choices[0].OptionID != ids[1] || len(mine.Ballot.Choices) != 2 {
		t.Errorf("ranked ballot %+v", mine.Ballot)
	}
	c := card(page, mp.ID)
	if !strings.Contains(c, `type="checkbox"`) || !strings.Contains(c, "Choose 1 to 2 options") {
		t.Errorf("multiple choice card: %s", c)
	}
	item := itemRe.FindStringSubmatch(c)[1]
	v = inlineVote(item, "", "")
	v["choice"] = []string{mp.Definition.Options[0].ID, mp.Definition.Options[2].ID}
	e.must(e.do(m, "POST", "/polls/"+mp.ID+"/vote", v), 303, "vote two")
	if c := card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "m").body, mp.ID); !strings.Contains(c, "You voted: <strong>Tea; Water</strong>") {
		t.Errorf("after voting two: %s", c)
	}
}

// The cards cost a bounded number of DynamoDB calls: one batch for all
// polls' items, one Query per card for its latest reasons and one batch of
// names, whatever the number of ballots (the group is the page's).
func TestThreadPollCardsDynamoDBCalls(t *testing.T) {
	logs := &testkit.RequestLog{}
	e, o, m, n := newPollEnvLog(t, logging.New(logs, "info"))
	th := threadOf(t, e, "Costs")
	gus := e.person("Gus Guest")
	if err := e.a.Discussions.AddGuest(o.ctx, th.ID, gus.id); err != nil {
		t.Fatal(err)
	}
	callsOf := func(who *pollPerson) float64 {
		t.Helper()
		e.must(e.do(who, "GET", "/threads/"+th.ID, nil), 200, "page")
		line := logs.Last()
		if line["route"] != "GET /threads/{tid}" {
			t.Fatalf("last request line %v", line)
		}
		return line["ddb_calls"].(float64)
	}
	calls := func() float64 { t.Helper(); return callsOf(m) }
	guest := func() float64 { t.Helper(); callsOf(gus); return callsOf(gus) } // the first marks read
	calls()                                                                   // marks read
	none, guestNone := calls(), guest()
	var pids []string
	for _, title := range []string{"One", "Two", "Three"} {
		pids = append(pids, proposalIn(e, o, th.ID, title, 48*time.Hour, nil).ID)
	}
	calls()
	three := calls()
	for _, pid := range pids {
		agreeVote(e, m, pid)
		agreeVote(e, n, pid)
	}
	calls()
	voted := calls()
	guestVoted := guest()
	t.Logf("thread page DynamoDB calls: %v without polls, %v with 3 polls, %v with their votes; a guest: %v and %v", none, three, voted, guestNone, guestVoted)
	// A guest who is no voter reads no reasons: the cards' batch, nothing
	// per card (it was 20 calls). The group, the membership and the
	// guest's grants were read by the page already (a read-only request
	// reads an item, and asks a question, once: store.WithReadCache).
	if guestVoted != guestNone+1 {
		t.Errorf("a guest's 3 cards cost %v calls more, want 1", guestVoted-guestNone)
	}
	// Cards: 1 (polls' items) + 3 (reasons); the group and membership
	// come from the page's own read.
	if three != none+4 {
		t.Errorf("3 cards cost %v calls more, want 4", three-none)
	}
	// With reasons: + 1 batch of names.
	if voted != none+5 {
		t.Errorf("3 cards with reasons cost %v calls more, want 5", voted-none)
	}
}
