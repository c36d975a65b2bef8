package server_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/poll"
)

// The poll form's steps save nothing: "Add a rule" shows one more
// vote-share row (up to poll.MaxRequirements) keeping what was typed; "Preview" shows the
// card as the thread will, or the form's errors; the default form has no
// empty rows and folds its advanced settings. Only who may start polls
// may use them.
func TestPollFormAddRuleAndPreview(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	x := e.person("Xena Outsider")
	later := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")
	form := e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new?type=proposal", nil), 200, "proposal form").body
	for _, want := range []string{`<details class="more-settings" id="more-settings" >`, `name="form_action" value="preview"`, `name="vs_rows" value="0"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	base := url.Values{"type": {"proposal"}, "title": {"Adopt the charter"}, "details": {"Read it first."}, "closing_at": {later},
		"opt_agree": {"on"}, "opt_disagree": {"on"}, "more_settings": {"on"}, "reason_mode": {"required"}, "vs_rows": {"0"}}
	count := func() int {
		pg, err := e.a.Decisions.List(o.ctx, e.gid, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		return len(pg.Items)
	}
	before := count()

	// Add a rule: one row, the title kept, "More settings" open.
	f := url.Values{}
	for k, v := range base {
		f[k] = v
	}
	f.Set("form_action", "add_rule")
	r := e.must(e.do(o, "POST", "/groups/"+e.gid+"/polls", f), 200, "add a rule").body
	if !strings.Contains(r, `id="vs_option_1"`) || strings.Contains(r, `id="vs_option_2"`) || !strings.Contains(r, `value="Adopt the charter"`) ||
		!strings.Contains(r, `id="more-settings" open`) {
		t.Fatalf("after add a rule: %.3000s", r)
	}
	f.Set("vs_rows", "1")
	f.Set("vs_option_1", "Agree")
	f.Set("vs_threshold_1", "50")
	f.Set("vs_measure_1", "voter_percent")
	f.Set("vs_op_1", ">=")
	f.Set("vs_rows", strconv.Itoa(poll.MaxRequirements-1))
	r = e.must(e.do(o, "POST", "/groups/"+e.gid+"/polls", f), 200, "add the last").body
	last := `id="vs_option_` + strconv.Itoa(poll.MaxRequirements) + `"`
	if !strings.Contains(r, last) || strings.Contains(r, `value="add_rule"`) || !strings.Contains(r, `value="Agree"`) {
		t.Fatalf("all rows, no more to add: %v %v %v", strings.Contains(r, last), strings.Contains(r, `value="add_rule"`), strings.Contains(r, `value="Agree"`))
	}
	f.Set("vs_rows", "1")

	// Preview: the card, nothing saved.
	f.Set("form_action", "preview")
	r = e.must(e.do(o, "POST", "/groups/"+e.gid+"/polls", f), 200, "preview").body
	for _, want := range []string{`id="poll-preview"`, "Preview: the card as the thread will show it", "Adopt the charter", "Read it first.",
		">Agree</button>", ">Disagree</button>", "Voters must give a reason.", "closes in 3 days"} {
		if !strings.Contains(r, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	// A preview of a form in error shows the errors, no card.
	f.Set("title", "")
	r2 := e.do(o, "POST", "/groups/"+e.gid+"/polls", f)
	if r2.code != 400 || strings.Contains(r2.body, `id="poll-preview"`) || !strings.Contains(r2.body, "Please correct the following") {
		t.Errorf("preview of a bad form: %d", r2.code)
	}
	if n := count(); n != before {
		t.Fatalf("the steps saved a poll: %d → %d", before, n)
	}
	// Nobody else may use the steps: a non-member is answered as on the
	// form's page (the group's visibility decides 403 or 404).
	page := e.do(x, "GET", "/groups/"+e.gid+"/polls/new?type=proposal", nil)
	if r := e.do(x, "POST", "/groups/"+e.gid+"/polls", f); r.code != page.code || r.code < 403 || strings.Contains(r.body, "poll-preview") {
		t.Errorf("outsider preview: %d (the form: %d)", r.code, page.code)
	}
	if r := e.do(nil, "POST", "/groups/"+e.gid+"/polls", f); r.code != 404 && r.code != 303 && r.code != 401 && r.code != 403 {
		t.Errorf("signed-out preview: %d", r.code)
	}
	_ = m
}

// The preview shows the details as the card will, for every poll type: the
// Markdown rendered and sanitised exactly as the thread's card renders the
// saved poll's (never the source's ** nor its tags), and the closing time
// as the card words it.
func TestPollPreviewDetailsAsTheCard(t *testing.T) {
	e, o, _, _ := newPollEnv(t)
	later := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")
	day := time.Now().Add(96 * time.Hour).UTC().Format("2006-01-02")
	const details = "Read **this** <b>now</b> & [the plan](https://example.org/plan)\n\n- one\n- two"
	detailsOf := func(page string) string {
		return between(page, `<div class="user-content poll-details" dir="auto">`, "</div>")
	}
	th := threadOf(t, e, "Preview against card")
	for _, ty := range []poll.Type{poll.TypeProposal, poll.TypePoll, poll.TypeCount, poll.TypeCheck, poll.TypeQuestion,
		poll.TypeRankedChoice, poll.TypeScore, poll.TypeDotVote, poll.TypeMeeting} {
		f := url.Values{"type": {string(ty)}, "title": {"Preview " + string(ty)}, "details": {details}, "closing_at": {later},
			"opt_agree": {"on"}, "opt_disagree": {"on"}, "options": {"Red\nBlue"}, "form_action": {"preview"}}
		if ty == poll.TypeMeeting {
			f.Set("options", day+"\n"+day+" 10:00")
			f.Set("time_zone", "UTC")
		}
		if ty == poll.TypeProposal || ty == poll.TypeCount || ty == poll.TypeCheck || ty == poll.TypeQuestion {
			f.Del("options")
		}
		page := e.must(e.do(o, "POST", "/groups/"+e.gid+"/polls", f), 200, "preview "+string(ty)).body
		card := between(page, `<section class="poll-preview"`, "</section>")
		got := detailsOf(card)
		for _, want := range []string{"<strong>this</strong>", `<a href="https://example.org/plan"`, "<li>one</li>"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: the preview's details lack %s: %q", ty, want, got)
			}
		}
		for _, raw := range []string{"**", "&lt;b&gt;", "<b>", "[the plan]"} {
			if strings.Contains(card, raw) {
				t.Errorf("%s: the preview shows the source's %q: %q", ty, raw, card)
			}
		}
		if !strings.Contains(card, "Closes ") || !strings.Contains(card, "(closes in 3 days)") {
			t.Errorf("%s: the preview's closing time: %q", ty, card)
		}
	}
	// The same as the card of the poll once saved (the thread's card).
	f := url.Values{"type": {"proposal"}, "title": {"Saved"}, "details": {details}, "closing_at": {later},
		"opt_agree": {"on"}, "opt_disagree": {"on"}, "form_action": {"preview"}}
	preview := detailsOf(between(e.must(e.do(o, "POST", "/groups/"+e.gid+"/polls", f), 200, "preview").body, `<section class="poll-preview"`, "</section>"))
	p := proposalIn(e, o, th.ID, "Saved", 72*time.Hour, func(d *poll.Definition) { d.Details = details })
	thread := e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "thread").body
	saved := detailsOf(thread[strings.Index(thread, `id="poll-`+p.ID+`"`):])
	if preview == "" || preview != saved {
		t.Errorf("preview details %q, the card's %q", preview, saved)
	}
}
