package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// Tests of how the decision core is wired to the others in internal/app:
// polls in thread timelines, ballots following membership, reminders as
// in-app notifications.

func proposalIn(e *pollEnv, p *pollPerson, tid, title string, closeIn time.Duration, tweak func(*poll.Definition)) decision.Poll {
	e.t.Helper()
	d := poll.New(poll.TypeProposal)
	d.Title = title
	at := time.Now().Add(closeIn).UTC()
	d.Settings.ClosingAt = &at
	if tweak != nil {
		tweak(&d)
	}
	pl, err := e.a.Decisions.Create(p.ctx, decision.CreateInput{GroupID: e.gid, ThreadID: tid, Definition: d})
	if err != nil {
		e.t.Fatalf("create %q: %v", title, err)
	}
	return pl
}

func agreeVote(e *pollEnv, p *pollPerson, pid string) {
	e.t.Helper()
	_, err := e.a.Decisions.Vote(p.ctx, pid, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "yes"}})
	if err != nil {
		e.t.Fatalf("vote by %s: %v", p.name, err)
	}
}

// pollItems returns the poll items of a thread's timeline for pid.
func pollItems(e *pollEnv, p *pollPerson, tid, pid string) []discussion.Item {
	e.t.Helper()
	pg, err := e.a.Discussions.Page(p.ctx, tid, "", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []discussion.Item
	for _, it := range pg.Items {
		if strings.HasPrefix(it.Kind, "poll.") && it.RefID == pid {
			out = append(out, it)
		}
	}
	return out
}

func kinds(items []discussion.Item) string {
	var ks []string
	for _, it := range items {
		ks = append(ks, it.Kind)
	}
	return strings.Join(ks, ",")
}

func TestPollsInThreadTimeline(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Where to meet"})
	if err != nil {
		t.Fatal(err)
	}

	// Open, closed by an admin, outcome: three items, linked on the page.
	p := proposalIn(e, o, th.ID, "Meet in the library", 48*time.Hour, nil)
	agreeVote(e, m, p.ID)
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: "Library it is."}); err != nil {
		t.Fatal(err)
	}
	// Editing the outcome adds nothing.
	if _, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: "Library it is, 6 pm."}); err != nil {
		t.Fatal(err)
	}
	items := pollItems(e, m, th.ID, p.ID)
	if got := kinds(items); got != "poll.opened,poll.closed,poll.outcome" {
		t.Fatalf("timeline items: %s", got)
	}
	for _, it := range items {
		if it.ActorID != o.id || it.Data["title"] != "Meet in the library" {
			t.Errorf("%s: actor %q data %v", it.Kind, it.ActorID, it.Data)
		}
		for k, v := range it.Data {
			if k != "title" && k != "type" && k != "status" {
				t.Errorf("%s carries %s=%s", it.Kind, k, v)
			}
		}
	}
	page := e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread page")
	if !strings.Contains(page.body, `href="/polls/`+p.ID+`"`) || !strings.Contains(page.body, "outcome published") {
		t.Errorf("thread page lacks the poll items: %.2000s", page.body)
	}

	// A draft appears when published, not before.
	d := poll.New(poll.TypeProposal)
	d.Title = "Draft first"
	draft, err := e.a.Decisions.Create(o.ctx, decision.CreateInput{GroupID: e.gid, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(pollItems(e, o, th.ID, draft.ID)); got != "" {
		t.Fatalf("draft in timeline: %s", got)
	}
	at := time.Now().Add(4 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	if _, err := e.a.Decisions.Update(o.ctx, draft.ID, decision.UpdateInput{Definition: d}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(pollItems(e, o, th.ID, draft.ID)); got != "poll.opened" {
		t.Fatalf("published draft: %s", got)
	}

	// Anonymous: votes append nothing; the scheduler's close has no actor.
	anon := proposalIn(e, o, th.ID, "Secret ballot", 2*time.Hour, func(d *poll.Definition) { d.Settings.Anonymous = true })
	before := len(pollItems(e, o, th.ID, anon.ID))
	for _, v := range []*pollPerson{m, n} {
		agreeVote(e, v, anon.ID)
	}
	if after := len(pollItems(e, o, th.ID, anon.ID)); after != before {
		t.Fatalf("votes added %d timeline items", after-before)
	}
	if _, err := e.a.Tick(context.Background(), time.Now().Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	items = pollItems(e, o, th.ID, anon.ID)
	if got := kinds(items); got != "poll.opened,poll.closed" {
		t.Fatalf("anonymous poll items: %s", got)
	}
	if items[1].ActorID != "" {
		t.Errorf("scheduler close has actor %q", items[1].ActorID)
	}
	pg, err := e.a.Discussions.Page(o.ctx, th.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range pg.Items {
		if it.ActorID == m.id || it.ActorID == n.id {
			t.Errorf("a voter appears in the timeline: %s", it.Kind)
		}
	}
}

func TestPollThreadMustBeVisibleAndInGroup(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	// Olga's other group: a thread of another group is refused.
	g2, err := e.a.Groups.Create(o.ctx, group.CreateInput{Name: "Other group " + e.tag, Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: g2.ID, Title: "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title = "Misplaced"
	_, err = e.a.Decisions.Create(o.ctx, decision.CreateInput{GroupID: e.gid, ThreadID: other.ID, Definition: d})
	if domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("thread of another group: %v", err)
	}
	// Milo cannot see that closed group's thread: the same answer as for
	// a missing one, so it reveals nothing.
	_, err = e.a.Decisions.Create(m.ctx, decision.CreateInput{GroupID: e.gid, ThreadID: other.ID, Definition: d})
	if err != decision.ErrThreadGroup {
		t.Fatalf("invisible thread: %v", err)
	}
	_, err = e.a.Decisions.Create(o.ctx, decision.CreateInput{GroupID: e.gid, ThreadID: strings.Repeat("0", len(other.ID)), Definition: d})
	if err != decision.ErrThreadGroup {
		t.Fatalf("missing thread: %v", err)
	}
	// Through the API: 400 on thread_id.
	r := e.do(m, "POST", "/api/v1/groups/"+e.gid+"/polls", map[string]any{"thread_id": other.ID,
		"type": "proposal", "title": "Misplaced"})
	if r.code != 400 || !strings.Contains(r.body, `"field":"thread_id"`) {
		t.Errorf("API: %d %s", r.code, r.body)
	}
}

func TestLeavingWithdrawsBallotsFromOpenPolls(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	open := proposalIn(e, o, "", "Still open", 48*time.Hour, nil)
	closed := proposalIn(e, o, "", "Already closed", 48*time.Hour, nil)
	for _, v := range []*pollPerson{m, n} {
		agreeVote(e, v, open.ID)
		agreeVote(e, v, closed.ID)
	}
	if _, err := e.a.Decisions.Close(o.ctx, closed.ID); err != nil {
		t.Fatal(err)
	}
	decided := func(pid string) int64 {
		t.Helper()
		r, err := e.a.Decisions.Results(o.ctx, pid)
		if err != nil || r.Results == nil {
			t.Fatalf("results: %v %+v", err, r)
		}
		return r.Results.Decided
	}
	recount := func(pid string) {
		t.Helper()
		rep, err := e.a.Decisions.Recount(context.Background(), pid)
		if err != nil || len(rep.Differences) > 0 {
			t.Fatalf("recount: %v %v", err, rep.Differences)
		}
	}
	if decided(open.ID) != 2 || decided(closed.ID) != 2 {
		t.Fatalf("before: %d %d", decided(open.ID), decided(closed.ID))
	}
	// Milo leaves.
	if err := e.a.Groups.Leave(m.ctx, e.gid); err != nil {
		t.Fatal(err)
	}
	if got := decided(open.ID); got != 1 {
		t.Errorf("open poll after leave: decided %d, want 1", got)
	}
	recount(open.ID)
	// Nina is removed by Olga.
	if err := e.a.Groups.RemoveMember(o.ctx, e.gid, n.id); err != nil {
		t.Fatal(err)
	}
	if got := decided(open.ID); got != 0 {
		t.Errorf("open poll after removal: decided %d, want 0", got)
	}
	recount(open.ID)
	if got := decided(closed.ID); got != 2 {
		t.Errorf("closed results changed: decided %d, want 2", got)
	}
	if _, err := e.a.Decisions.Mine(m.ctx, open.ID); err == nil {
		t.Error("Milo still has a ballot")
	}
}

func pollNotes(e *pollEnv, p *pollPerson, pid string, kind notify.Kind) []notify.Notification {
	e.t.Helper()
	e.drain()
	pg, err := e.a.Notifications.List(p.ctx, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range pg.Items {
		if n.PollID == pid && n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func TestPollReminderNotifications(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Budget"})
	if err != nil {
		t.Fatal(err)
	}
	p := proposalIn(e, o, th.ID, "Approve the budget", 30*time.Hour, func(d *poll.Definition) {
		d.Settings.HideResults = poll.HideUntilClosed
	})
	agreeVote(e, m, p.ID)

	// 7 h later the poll closes within 24 h: undecided members (Olga, Nina)
	// are told once, however often the scheduler runs.
	for range 2 {
		if _, err := e.a.Tick(context.Background(), time.Now().Add(7*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []*pollPerson{o, n} {
		got := pollNotes(e, who, p.ID, notify.PollClosingSoon)
		if len(got) != 1 {
			t.Fatalf("%s: %d closing-soon notifications, want 1", who.name, len(got))
		}
		if got[0].Title != "Approve the budget" || got[0].ThreadID != th.ID || !strings.HasPrefix(got[0].Excerpt, "Closes ") {
			t.Errorf("notification: %+v", got[0])
		}
	}
	if got := pollNotes(e, m, p.ID, notify.PollClosingSoon); len(got) != 0 {
		t.Errorf("Milo voted but was reminded")
	}

	// A manual reminder reaches the undecided, except who muted the group.
	if err := e.a.Notifications.SetLevel(context.Background(), o.id, notify.GroupScope(e.gid), notify.Mute); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Decisions.Remind(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := pollNotes(e, n, p.ID, notify.PollReminder); len(got) != 1 {
		t.Errorf("Nina: %d reminders, want 1", len(got))
	}
	if got := pollNotes(e, o, p.ID, notify.PollReminder); len(got) != 0 {
		t.Errorf("muted Olga got %d reminders", len(got))
	}
	if got := pollNotes(e, m, p.ID, notify.PollReminder); len(got) != 0 {
		t.Errorf("Milo voted but got %d reminders", len(got))
	}
	if err := e.a.Notifications.SetLevel(context.Background(), o.id, notify.GroupScope(e.gid), notify.Normal); err != nil {
		t.Fatal(err)
	}

	// Closing tells the author to write the outcome; the notifications
	// page links to the poll. Nothing carries a figure.
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := pollNotes(e, o, p.ID, notify.PollClosed); len(got) != 1 {
		t.Fatalf("author: %d poll-closed notifications", len(got))
	}
	page := e.must(e.do(o, "GET", "/notifications", nil), 200, "notifications page")
	if !strings.Contains(page.body, `href="/polls/`+p.ID+`"`) {
		t.Errorf("notifications page lacks the poll link")
	}
	for _, who := range []*pollPerson{o, m, n} {
		all, err := e.a.Notifications.List(who.ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range all.Items {
			if x.PollID == "" {
				continue
			}
			if strings.ContainsAny(x.Excerpt+x.Title, "%") || strings.Contains(strings.ToLower(x.Excerpt), "agree") {
				t.Errorf("%s: notification carries a figure: %+v", who.name, x)
			}
		}
	}
}
