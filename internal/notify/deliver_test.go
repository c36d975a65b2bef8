package notify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// A due job is sent to the SES emulator once, marked sent; a second sweep
// sends nothing.
func TestDeliverDueSendsOnceAndMarksSent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bob := f.person("Bob")
	f.notify(Notification{UserID: bob.ID, Kind: Mention, ActorID: "a1", ActorName: "Alice", GroupID: "g1",
		ThreadID: "tthreadid0000001", CommentID: "18a9f2c4d5e6f7a8b1c2d3e4", Title: "Plant tomatoes?", Excerpt: "@Bob what do you think?"})

	r, err := f.d.DeliverDue(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 1 || r.Due != 1 {
		t.Fatalf("report %+v", r)
	}
	msgs := f.messagesTo(bob.Email)
	if len(msgs) != 1 {
		t.Fatalf("%d messages to bob", len(msgs))
	}
	m := msgs[0]
	if m.Subject != "[Garden club] Plant tomatoes?" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"Alice mentioned you in “Plant tomatoes?”.", "> @Bob what do you think?",
		testBase + "/threads/tthreadid0000001?comment=18a9f2c4d5e6f7a8b1c2d3e4#c-18a9f2c4d5e6f7a8b1c2d3e4", "Unsubscribe from this thread"} {
		if !strings.Contains(m.Body.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, m.Body.Text)
		}
	}
	if !strings.Contains(m.Body.HTML, `<html lang="en"`) {
		t.Errorf("html: %s", m.Body.HTML)
	}
	j := f.only(bob.ID)
	if j.State != MailSent || j.Queue != "" || j.MessageID == "" || j.SentAt.IsZero() || j.Attempts != 1 {
		t.Fatalf("job after sending: %+v", j)
	}
	r, err = f.d.DeliverDue(ctx, time.Now().Add(time.Hour))
	if err != nil || r.Due != 0 || r.Sent != 0 {
		t.Fatalf("second run: %+v %v", r, err)
	}
	if n := len(f.messagesTo(bob.Email)); n != 1 {
		t.Fatalf("%d messages after the second run", n)
	}
	// The stream path on a sent job is a no-op too.
	if err := f.d.DeliverOne(ctx, bob.ID, j.ID); err != nil || f.sender.Calls() != 1 {
		t.Fatalf("DeliverOne on a sent job: %v, %d sends", err, f.sender.Calls())
	}
}

// DeliverOne (the stream function's call) sends a new job at once.
func TestDeliverOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cy := f.person("Cy")
	f.notify(Notification{UserID: cy.ID, Kind: NewThread, ActorName: "Alice", GroupID: "g1",
		ThreadID: "tthreadid0000002", Title: "Compost", Excerpt: "Let us start composting."})
	j := f.only(cy.ID)
	if err := f.d.DeliverOne(ctx, cy.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.d.DeliverOne(ctx, cy.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	if msgs := f.messagesTo(cy.Email); len(msgs) != 1 || msgs[0].Subject != "[Garden club] Compost" {
		t.Fatalf("messages: %+v", msgs)
	}
	if err := f.d.DeliverOne(ctx, cy.ID, "000000000000000000000000"); err != nil {
		t.Fatalf("unknown job: %v", err)
	}
}

// Two sweepers racing over the same jobs send each email exactly once.
func TestConcurrentSweepersSendEachOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ns []Notification
	var ps []Person
	for i := range 12 {
		p := f.person(fmt.Sprintf("P%02d", i))
		ps = append(ps, p)
		ns = append(ns, Notification{UserID: p.ID, Kind: NewThread, ActorName: "Alice", GroupID: "g1",
			ThreadID: "tthreadid0000003", Title: "Race"})
	}
	f.notify(ns...)
	now := time.Now()
	var wg sync.WaitGroup
	reports := make([]Report, 3)
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := f.dispatcher(f.sender)
			d.c.Workers = 3
			r, err := d.DeliverDue(ctx, now)
			if err != nil {
				t.Error(err)
			}
			reports[i] = r
		}()
	}
	wg.Wait()
	sent, busy := 0, 0
	for _, r := range reports {
		sent += r.Sent
		busy += r.Busy
	}
	if sent != 12 {
		t.Fatalf("sent %d in total (reports %+v), want 12", sent, reports)
	}
	if f.sender.Calls() != 12 {
		t.Fatalf("%d calls to the sender, want 12", f.sender.Calls())
	}
	for _, p := range ps {
		if n := len(f.messagesTo(p.Email)); n != 1 {
			t.Errorf("%s got %d messages", p.Name, n)
		}
	}
}

// A sender failing twice: retried after 1 then 5 minutes, sent once on
// the third attempt.
func TestRetryWithBackoff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dee := f.person("Dee")
	f.sender.FailNext(2)
	f.notify(Notification{UserID: dee.ID, Kind: PollClosingSoon, GroupID: "g1", PollID: "ppollid000000001",
		Title: "Which day?", Excerpt: "Closes 2 Jan 2026 10:00 UTC"})
	t0 := time.Now().UTC().Truncate(time.Millisecond)

	r, err := f.d.DeliverDue(ctx, t0)
	if err != nil || r.Retried != 1 {
		t.Fatalf("first attempt: %+v %v", r, err)
	}
	j := f.only(dee.ID)
	if j.Attempts != 1 || !j.Pending() || !j.Due().Equal(t0.Add(time.Minute)) || j.Reason != "send:unavailable" {
		t.Fatalf("after 1 failure: attempts %d due %v (want %v) reason %q", j.Attempts, j.Due(), t0.Add(time.Minute), j.Reason)
	}
	if r, _ := f.d.DeliverDue(ctx, t0.Add(59*time.Second)); r.Due != 0 {
		t.Fatalf("retried before its backoff: %+v", r)
	}
	t1 := t0.Add(time.Minute)
	if r, err := f.d.DeliverDue(ctx, t1); err != nil || r.Retried != 1 {
		t.Fatalf("second attempt: %+v %v", r, err)
	}
	j = f.only(dee.ID)
	if j.Attempts != 2 || !j.Due().Equal(t1.Add(5*time.Minute)) {
		t.Fatalf("after 2 failures: attempts %d due %v", j.Attempts, j.Due())
	}
	if r, err := f.d.DeliverDue(ctx, t1.Add(5*time.Minute)); err != nil || r.Sent != 1 {
		t.Fatalf("third attempt: %+v %v", r, err)
	}
	j = f.only(dee.ID)
	if j.Attempts != 3 || j.State != MailSent || f.sender.Calls() != 3 {
		t.Fatalf("after success: attempts %d state %s calls %d", j.Attempts, j.State, f.sender.Calls())
	}
	if n := len(f.messagesTo(dee.Email)); n != 1 {
		t.Fatalf("%d messages", n)
	}
}

// A sender that never succeeds: dead after MaxAttempts, listed for
// inspection, never tried again.
func TestDeadAfterMaxAttempts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eve := f.person("Eve")
	f.sender.FailNext(1000)
	f.notify(Notification{UserID: eve.ID, Kind: Comment, GroupID: "g1", ThreadID: "tthreadid0000004", Title: "Dead"})
	now := time.Now()
	for range f.d.MaxAttempts() {
		if _, err := f.d.DeliverDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(13 * time.Hour)
	}
	j := f.only(eve.ID)
	if j.State != MailDead || j.Attempts != f.d.MaxAttempts() || j.Queue != DeadQueue {
		t.Fatalf("job: %+v", j)
	}
	dead, err := f.notes.DeadJobs(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != j.ID {
		t.Fatalf("dead jobs: %+v %v", dead, err)
	}
	calls := f.sender.Calls()
	if r, _ := f.d.DeliverDue(ctx, now.Add(48*time.Hour)); r.Due != 0 || f.sender.Calls() != calls {
		t.Fatalf("a dead job was tried again: %+v", r)
	}
	if calls != 6 {
		t.Fatalf("%d attempts, want 6", calls)
	}
}

// A claim whose sender vanished comes back once its lease has passed.
func TestAbandonedClaimComesBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fay := f.person("Fay")
	f.notify(Notification{UserID: fay.ID, Kind: Reply, ActorName: "Al", GroupID: "g1", ThreadID: "tthreadid0000005",
		CommentID: "18a9f2c4d5e6f7a8b1c2d3e5", Title: "Lease"})
	now := time.Now()
	jobs, err := f.notes.DueJobs(ctx, now, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatal(jobs, err)
	}
	if _, err := f.notes.Claim(ctx, jobs[0], now, f.d.c.Lease); err != nil { // the sender then crashes
		t.Fatal(err)
	}
	if r, _ := f.d.DeliverDue(ctx, now.Add(time.Minute)); r.Due != 0 {
		t.Fatalf("a claimed job was taken over early: %+v", r)
	}
	r, err := f.d.DeliverDue(ctx, now.Add(f.d.c.Lease+time.Second))
	if err != nil || r.Sent != 1 {
		t.Fatalf("after the lease: %+v %v", r, err)
	}
	if j := f.only(fay.ID); j.Attempts != 2 || j.State != MailSent {
		t.Fatalf("job %+v", j)
	}
}

// The preferences decide: skip (with its reason) and digest send nothing.
func TestRouteSkipAndDigest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gus, hal, ida := f.person("Gus"), f.person("Hal"), f.person("Ida")
	f.prefs.routes[gus.ID] = Route{Action: RouteSkip, Reason: "suppressed"}
	f.prefs.routes[hal.ID] = Route{Action: RouteDigest}
	delete(f.people, ida.ID) // the account is gone
	for _, p := range []Person{gus, hal, ida} {
		f.notify(Notification{UserID: p.ID, Kind: NewThread, GroupID: "g1", ThreadID: "tthreadid0000006", Title: "Routes"})
	}
	r, err := f.d.DeliverDue(ctx, time.Now())
	if err != nil || r.Skipped != 2 || r.Digested != 1 || r.Sent != 0 {
		t.Fatalf("report %+v %v", r, err)
	}
	if j := f.only(gus.ID); j.State != MailSkipped || j.Reason != "suppressed" || j.Queue != "" {
		t.Fatalf("skipped job %+v", j)
	}
	if j := f.only(hal.ID); j.State != MailDigest || j.Queue != "" {
		t.Fatalf("digest job %+v", j)
	}
	if j := f.only(ida.ID); j.State != MailSkipped || j.Reason != "no_user" {
		t.Fatalf("job of a deleted account %+v", j)
	}
	if f.sender.Calls() != 0 {
		t.Fatalf("%d sends", f.sender.Calls())
	}
}

// A digest lists what was kept for it, once; a repeated run sends nothing
// twice; a digest with nothing new sends nothing but advances.
func TestDigestsAreIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jo := f.person("Jo")
	f.prefs.routes[jo.ID] = Route{Action: RouteDigest}
	f.groups["g2"] = Group{ID: "g2", Name: "Choir"}
	base := time.Now().UTC().Add(-time.Hour)
	for i, n := range []Notification{
		{Kind: NewThread, ActorName: "Al", GroupID: "g1", ThreadID: "tthreadid0000007", Title: "Seeds", Excerpt: "Which seeds?"},
		{Kind: Comment, ActorName: "Bo", GroupID: "g1", ThreadID: "tthreadid0000007", CommentID: "18a9f2c4d5e6f7a8b1c2d3e6", Title: "Seeds", Excerpt: "Heirloom ones."},
		{Kind: PollOpened, GroupID: "g2", PollID: "ppollid000000002", Title: "Concert date"},
	} {
		n.UserID, n.CreatedAt = jo.ID, base.Add(time.Duration(i)*time.Second)
		f.notify(n)
	}
	if r, err := f.d.DeliverDue(ctx, time.Now()); err != nil || r.Digested != 3 {
		t.Fatalf("routing: %+v %v", r, err)
	}
	due := time.Now().Add(-time.Minute)
	f.prefs.digests[jo.ID] = &DigestDue{UserID: jo.ID, Period: "daily", Due: due}

	r, err := f.d.SendDigests(ctx, time.Now())
	if err != nil || r.Sent != 1 {
		t.Fatalf("digest run: %+v %v", r, err)
	}
	msgs := f.messagesTo(jo.Email)
	if len(msgs) != 1 {
		t.Fatalf("%d digests", len(msgs))
	}
	m := msgs[0]
	if m.Subject != "Your daily Quorum digest: 3 new notifications" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"== Garden club ==", "== Choir ==", "Seeds", "Al started a new thread", "> Heirloom ones.",
		"Concert date", testBase + "/polls/ppollid000000002", testBase + "/threads/tthreadid0000007"} {
		if !strings.Contains(m.Body.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, m.Body.Text)
		}
	}
	if strings.Index(m.Body.Text, "Garden club") > strings.Index(m.Body.Text, "Choir") {
		t.Error("groups are not in the order of their first notification")
	}
	all, _ := f.notes.ListAfter(ctx, jo.ID, "", 10)
	if len(f.prefs.sent) != 1 || f.prefs.sent[0] != jo.ID+":"+all[2].ID {
		t.Fatalf("DigestSent calls %v", f.prefs.sent)
	}
	// The same run again: nothing is due any more.
	if r, err := f.d.SendDigests(ctx, time.Now()); err != nil || r.Due != 0 {
		t.Fatalf("repeat: %+v %v", r, err)
	}
	// A run that read the due digest before the first one recorded it
	// (stale copy): the Message-ID is the same, DigestSent a no-op.
	stale := DigestDue{UserID: jo.ID, Period: "daily", Due: due}
	res, err := f.d.sendDigest(ctx, stale, time.Now())
	if err != nil || res != digestSent || len(f.prefs.sent) != 1 {
		t.Fatalf("stale run: %v %v %v", res, err, f.prefs.sent)
	}
	ids := map[string]bool{}
	for _, m := range f.sender.All() {
		ids[m.Headers[hMessageID]] = true
	}
	if len(f.sender.All()) != 2 || len(ids) != 1 {
		t.Fatalf("the two copies must share their Message-ID: %v", ids)
	}
	// The next period with nothing new: no email, but it advances.
	next := time.Now().Add(25 * time.Hour)
	if r, err := f.d.SendDigests(ctx, next); err != nil || r.Empty != 1 || r.Sent != 0 {
		t.Fatalf("empty digest: %+v %v", r, err)
	}
	if len(f.prefs.sent) != 2 || len(f.messagesTo(jo.Email)) != 2 {
		t.Fatalf("empty digest: sent %v, %d messages", f.prefs.sent, len(f.messagesTo(jo.Email)))
	}
}
