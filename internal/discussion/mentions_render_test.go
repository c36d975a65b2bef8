package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/links"
)

// A comment's mentions are resolved by the rule that notifies (one rule):
// a member's is a link to their row in the group's members tab, a guest's
// is highlighted without a link, text that names no one (or is in code)
// stays text. Who a mention names is decided by the comment's fan-out job
// (issue 14: it reads every member's name), so the request stores it as
// plain text and the job stores it linked. A comment stored by an older
// renderer is rendered again from the people it was found to mention.
func TestMentionsAreLinksToThePeople(t *testing.T) {
	f := newFixture(t)
	alice, aid := f.user("Alice Smith")
	bob, _ := f.user("Bob Jones")
	gus, gusID := f.user("Gus Guest")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Mentions")
	f.must(f.svc.AddGuest(alice, th.ID, gusID))

	c := f.comment(bob, th.ID, "", "Thanks @AliceSmith and @gus; `@bob` is code, @nobody is no one.")
	if strings.Contains(string(c.HTML), `class="mention"`) {
		t.Errorf("mentions resolved inside the request: %s", c.HTML)
	}
	f.drain()
	p, err := f.svc.Page(gus, th.ID, "", 0)
	f.must(err)
	html := string(p.Items[len(p.Items)-1].HTML)
	for _, want := range []string{
		`<a class="mention" href="` + links.Member(gid, aid) + `" rel="nofollow noreferrer">@AliceSmith</a>`,
		`<span class="mention">@gus</span>`,
		`<code>@bob</code>`, ` @nobody is`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("comment HTML %s\nwant %s", html, want)
		}
	}
	if strings.Count(html, `class="mention"`) != 2 {
		t.Errorf("mentions rendered: %s", html)
	}

	// A guest reads the same link as a member (the group's page decides
	// what they may see there).
	p, err = f.svc.Page(alice, th.ID, "", 0)
	f.must(err)
	if got := string(p.Items[len(p.Items)-1].HTML); got != html {
		t.Fatalf("page shows %s, want %s", got, html)
	}

	// Written by the previous renderer (no links): linked when read.
	f.must(f.st.Table().Update("PK", "THREAD#"+th.ID).Range("SK", "ITEM#"+c.ID).
		Set("HTML", "<p>old</p>").Set("RenderV", 1).Run(context.Background()))
	p, err = f.svc.Page(alice, th.ID, "", 0)
	f.must(err)
	if got := string(p.Items[len(p.Items)-1].HTML); got != html {
		t.Fatalf("stale comment shows %s, want %s", got, html)
	}
}

// New marks what came after the reader's last visit, never their own
// items, nothing for a reader who is not signed in; FirstUnread is where
// the page opens.
func TestNewItemsSinceTheLastVisit(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, bid := f.user("Bob")
	gid := f.group(alice, authz.Open, bob)
	th := f.thread(alice, gid, "Unread")
	f.comment(alice, th.ID, "", "one")
	_, err := f.svc.MarkRead(bob, th.ID)
	f.must(err)
	mine := f.comment(bob, th.ID, "", "mine")
	two := f.comment(alice, th.ID, "", "two")
	three := f.comment(alice, th.ID, "", "three")

	p, err := f.svc.Page(bob, th.ID, "", 0)
	f.must(err)
	news := map[string]bool{}
	for _, it := range p.Items {
		if it.New {
			news[it.ID] = true
		}
	}
	if len(news) != 2 || !news[two.ID] || !news[three.ID] || news[mine.ID] || p.FirstUnread != two.ID || p.LastSeen == "" {
		t.Fatalf("new %v, first unread %q, last seen %q (mine %s two %s three %s)", news, p.FirstUnread, p.LastSeen, mine.ID, two.ID, three.ID)
	}
	if p.Thread.Unread < 2 {
		t.Fatalf("unread %d", p.Thread.Unread)
	}
	// Read: nothing new after, not even bob's own event (a poll he opened:
	// his read state counts it, as it counts his comments).
	_, err = f.svc.MarkRead(bob, th.ID)
	f.must(err)
	if _, err := f.svc.AppendEvent(context.Background(), th.ID, discussion.Event{Kind: "poll.opened", ActorID: bid, RefID: "p1"}); err != nil {
		t.Fatal(err)
	}
	p, err = f.svc.Page(bob, th.ID, "", 0)
	f.must(err)
	if p.FirstUnread != "" || p.Thread.Unread != 0 {
		t.Fatalf("after reading and his own event, first unread %q, unread %d", p.FirstUnread, p.Thread.Unread)
	}
	if p, err = f.svc.Page(alice, th.ID, "", 0); err != nil || p.Thread.Unread != 2 { // bob's comment and event
		t.Fatalf("alice: unread %d, %v", p.Thread.Unread, err)
	}
	// Someone not signed in has no reading position: nothing is new.
	p, err = f.svc.Page(anon(), th.ID, "", 0)
	f.must(err)
	for _, it := range p.Items {
		if it.New {
			t.Fatalf("new for an anonymous reader: %+v", it)
		}
	}
}
