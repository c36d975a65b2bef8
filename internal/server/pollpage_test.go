package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

// The poll page and the thread's heading (#15): only the vote form and the
// results stay open on the poll page; every other action opens on demand;
// the thread's heading shows who takes part; the card's outcome names its
// author beside their avatar.

// between is the part of page from the first start to the next end ("" when
// start is absent).
func between(page, start, end string) string {
	i := strings.Index(page, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], end)
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j+len(end)]
}

func TestPollPageActionsOpenOnDemand(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	on := true
	g, err := e.a.Groups.Get(o.ctx, e.gid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Groups.Update(o.ctx, e.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}}); err != nil {
		t.Fatal(err)
	}
	th := threadOf(t, e, "Panels")
	p := proposalIn(e, o, th.ID, "Open or closed", 48*time.Hour, nil)

	page := e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "admin's poll page").body
	// The admin's actions are a menu; closing confirms.
	menu := between(page, `<details class="menu poll-actions">`, "</details>")
	for _, want := range []string{"/polls/" + p.ID + "/edit", "/polls/" + p.ID + "/remind", `action="/polls/` + p.ID + `/close" data-confirm=`} {
		if !strings.Contains(menu, want) {
			t.Errorf("the poll's menu lacks %q: %q", want, menu)
		}
	}
	if strings.Contains(page, `id="manage-title"`) {
		t.Error("the always-open Manage section is still there")
	}
	// Proxy, notify and extend are closed panels; the vote form is open.
	for _, id := range []string{"proxy", "announce", "extend"} {
		if !regexp.MustCompile(`<details class="panel" id="` + id + `">`).MatchString(page) {
			t.Errorf("no closed %s panel", id)
		}
	}
	if strings.Contains(page, `<section aria-labelledby="proxy-title"`) || strings.Contains(page, `<section aria-labelledby="announce-title"`) {
		t.Error("a section is still always open")
	}
	vote := between(page, `<section aria-labelledby="vote-title">`, "</section>")
	if !strings.Contains(vote, `action="/polls/`+p.ID+`/vote"`) || strings.Contains(vote, "<details") {
		t.Errorf("the vote form is not open: %q", vote)
	}
	// A member sees no admin menu.
	if mp := e.must(e.do(m, "GET", "/polls/"+p.ID, nil), 200, "member").body; strings.Contains(mp, "poll-actions") || !strings.Contains(mp, `id="proxy"`) {
		t.Errorf("member: menu %v, proxy panel %v", strings.Contains(mp, "poll-actions"), strings.Contains(mp, `id="proxy"`))
	}
	// What the panel says about one's proxies is shown: open once given.
	if r := e.do(m, "POST", "/polls/"+p.ID+"/proxy", url.Values{"grantee_id": {o.id}, "scope": {"poll"}}); r.code != 303 {
		t.Fatalf("grant: %d %.500s", r.code, r.body)
	}
	for who, pp := range map[string]*pollPerson{"grantor": m, "holder": o} {
		if pg := e.must(e.do(pp, "GET", "/polls/"+p.ID, nil), 200, who).body; !strings.Contains(pg, `<details class="panel" id="proxy" open>`) {
			t.Errorf("the %s's proxy panel is closed", who)
		}
	}

	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	for who, pp := range map[string]*pollPerson{"admin": o, "member": m} {
		page = e.must(e.do(pp, "GET", "/polls/"+p.ID, nil), 200, who).body
		for _, gone := range []string{`id="proxy"`, "/proxy\"", `/close"`, `/remind"`, `id="extend"`} {
			if strings.Contains(page, gone) {
				t.Errorf("%s: a closed poll offers %q", who, gone)
			}
		}
	}
	// The outcome form waits behind its summary.
	page = e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "admin closed").body
	if !strings.Contains(page, `<details class="panel" id="outcome-form">`) || !strings.Contains(page, "Write the outcome") {
		t.Errorf("no closed outcome panel: %s", between(page, `<section aria-labelledby="outcome-title">`, "</section>"))
	}
}

// participantsOf is the heading's list of faces.
func participantsOf(page string) string {
	return between(page, `<div class="faces row participants">`, "</div>")
}

func TestThreadHeadingParticipants(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th := threadOf(t, e, "Who is here")
	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread").body
	if got := participantsOf(page); !strings.Contains(got, "Olga Owner") || strings.Contains(got, "Milo Member") {
		t.Errorf("a new thread's participants: %q", got)
	}
	if _, err := e.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: "Hello"}); err != nil {
		t.Fatal(err)
	}
	p := proposalIn(e, o, th.ID, "Who votes", 48*time.Hour, nil)
	agreeVote(e, n, p.ID)
	page = e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread").body
	got := participantsOf(page)
	for _, want := range []string{`aria-label="Participants"`, "Olga Owner", "Milo Member", "Nina Member", `class="avatar c`} {
		if !strings.Contains(got, want) {
			t.Errorf("participants lack %q: %q", want, got)
		}
	}
	if k := strings.Count(got, "<li"); k != 3 || strings.Contains(got, "+") {
		t.Errorf("%d faces (want 3, each once): %q", k, got)
	}

	// Beyond eight, the rest are counted.
	link, err := e.a.Groups.JoinLink(o.ctx, e.gid)
	if err != nil {
		t.Fatal(err)
	}
	tok := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, name := range []string{"Ann A", "Ben B", "Cat C", "Dan D", "Eve E", "Fay F", "Gil G"} {
		pp := e.person(name)
		if _, err := e.a.Groups.JoinViaLink(pp.ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Discussions.Comment(pp.ctx, th.ID, discussion.CommentInput{Body: "Me too"}); err != nil {
			t.Fatal(err)
		}
	}
	got = participantsOf(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread").body)
	if k := strings.Count(got, "<li"); k != 8 || !strings.Contains(got, "+2") || !strings.Contains(got, "2 more participants") {
		t.Errorf("10 participants: %d faces, want 8 and +2: %q", k, got)
	}
}

func TestThreadPollCardOutcomeAuthorAvatar(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Outcome face")
	p := proposalIn(e, o, th.ID, "Decided", 48*time.Hour, nil)
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: "Done."}); err != nil {
		t.Fatal(err)
	}
	c := card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread").body, p.ID)
	by := between(c, `<div class="outcome"`, "</p>\n  </div>") // the statement is a div of its own
	if !regexp.MustCompile(`<span class="avatar c\d" aria-hidden="true">OO</span> By Olga Owner`).MatchString(by) {
		t.Errorf("the outcome does not name its author beside their avatar: %q", by)
	}
}

// The participants are everyone who took part: voters with no reason too,
// but never an anonymous poll's voters, nor the voters of a poll whose
// results are hidden from the reader.
func TestThreadParticipantsVoters(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th := threadOf(t, e, "Who voted")
	link, err := e.a.Groups.JoinLink(o.ctx, e.gid)
	if err != nil {
		t.Fatal(err)
	}
	pia := e.person("Pia Hidden")
	if _, err := e.a.Groups.JoinViaLink(pia.ctx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	open := proposalIn(e, o, th.ID, "Open", 48*time.Hour, nil)
	anon := proposalIn(e, o, th.ID, "Secret", 48*time.Hour, func(d *poll.Definition) { d.Settings.Anonymous = true })
	hidden := proposalIn(e, o, th.ID, "Later", 48*time.Hour, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed })
	agree := poll.Ballot{Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}} // no reason
	for _, v := range []struct {
		who *pollPerson
		pid string
	}{{m, open.ID}, {n, anon.ID}, {pia, hidden.ID}} {
		if _, err := e.a.Decisions.Vote(v.who.ctx, v.pid, decision.VoteInput{Ballot: agree}); err != nil {
			t.Fatalf("%s: %v", v.who.name, err)
		}
	}
	got := participantsOf(e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "thread").body)
	if !strings.Contains(got, "Olga Owner") || !strings.Contains(got, "Milo Member") {
		t.Errorf("the author and a voter without a reason: %q", got)
	}
	for _, secret := range []string{"Nina Member", "Pia Hidden", "+"} {
		if strings.Contains(got, secret) {
			t.Errorf("participants reveal %q: %q", secret, got)
		}
	}
	// Once the hidden poll closes, its voters are known.
	if _, err := e.a.Decisions.Close(o.ctx, hidden.ID); err != nil {
		t.Fatal(err)
	}
	got = participantsOf(e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "thread").body)
	if !strings.Contains(got, "Pia Hidden") || strings.Contains(got, "Nina Member") {
		t.Errorf("after the close: %q", got)
	}
}
