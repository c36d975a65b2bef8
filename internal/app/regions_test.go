package app_test

// Nothing runs twice across regions: after a failover, or while both
// regions were briefly active, two mailers (each region's stream function,
// which both see every outbox job: the global table replicates it) and two
// schedulers work on the same items. The outbox lease and the scheduler's
// conditional updates let each piece of work happen once.

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestTwoRegionsDoEachPieceOfWorkOnce(t *testing.T) {
	t.Parallel()
	env := testcloud.Fast(t)
	ctx := context.Background()
	region := func() *app.API {
		a, err := app.NewAPIWith(ctx, env.Config, env.Clients, logging.New(io.Discard, "error"))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	primary, dr := region(), region()

	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string, string) {
		addr := env.Prefix + "-" + name + "@example.org"
		u, err := primary.Accounts.CreateUser(ctx, addr, name)
		must(err, "user")
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID}), u.ID, addr
	}
	owner, ownerID, ownerAddr := person("olive")
	g, err := primary.Groups.Create(owner, group.CreateInput{Name: "Two regions", Handle: "regions-" + env.Prefix, Privacy: "closed"})
	must(err, "group")
	th, err := primary.Discussions.StartThread(owner, discussion.StartInput{GroupID: g.ID, Title: "Closing soon", Description: "Vote."})
	must(err, "thread")
	d := poll.New(poll.TypeProposal)
	d.Title = "Close me once"
	closing := time.Now().Add(1500 * time.Millisecond)
	d.Settings.ClosingAt = &closing
	p, err := primary.Decisions.Create(owner, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
	must(err, "poll")
	// Two more jobs for the owner, queued now.
	must(primary.Notifications.Deliver(ctx, []notify.Notification{
		{UserID: ownerID, Kind: notify.PollClosed, GroupID: g.ID, PollID: p.ID, Title: "Job one", Excerpt: "one"},
		{UserID: ownerID, Kind: notify.PollClosed, GroupID: g.ID, PollID: p.ID, Title: "Job two", Excerpt: "two"},
	}), "notify")
	time.Sleep(time.Until(closing) + 200*time.Millisecond)

	// Both regions at once, several rounds: the schedulers' ticks (close,
	// finalize, outbox sweep) and the stream mailers' DeliverOne of every
	// pending job.
	var mu sync.Mutex
	var closed, finalized, sent int
	var errs []error
	record := func(err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		jobs, err := primary.Notifications.ListAfter(ctx, ownerID, "", 50)
		must(err, "jobs")
		for _, a := range []*app.API{primary, dr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := a.Tick(ctx, time.Now())
				record(err)
				mu.Lock()
				closed += r.Polls.Closed
				finalized += r.Polls.Finalized
				sent += r.Mail.Sent
				mu.Unlock()
			}()
			for _, j := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					record(a.Outbox.DeliverOne(ctx, ownerID, j.ID))
				}()
			}
		}
		wg.Wait()
	}
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if closed != 1 || finalized != 1 {
		t.Errorf("the poll was closed %d times and finalized %d times by two schedulers, want once each", closed, finalized)
	}
	got, err := dr.Decisions.Get(owner, p.ID)
	must(err, "poll after")
	if got.Status != poll.StatusClosed {
		t.Errorf("poll status %s", got.Status)
	}

	jobs, err := primary.Notifications.ListAfter(ctx, ownerID, "", 50)
	must(err, "jobs after")
	msgs, err := mail.Emulator{URL: env.Config.SESEndpoint}.Messages(ctx)
	must(err, "emulator")
	emails := 0
	for _, m := range msgs {
		if len(m.Destination.To) == 1 && strings.EqualFold(m.Destination.To[0], ownerAddr) {
			emails++
		}
	}
	sentJobs := 0
	for _, j := range jobs {
		if j.State != notify.MailSent {
			t.Errorf("job %q: %s", j.Title, j.State)
		}
		sentJobs++
	}
	if sentJobs < 3 || emails != sentJobs {
		t.Errorf("%d jobs (incl. the poll's closing notice), %d emails to the owner: want one email per job", sentJobs, emails)
	}
	if sent > sentJobs {
		t.Errorf("the sweeps report %d sends for %d jobs", sent, sentJobs)
	}
}
