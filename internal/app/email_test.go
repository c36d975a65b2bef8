package app_test

// The acceptance path of one-click unsubscribe through the whole wiring:
// a notification email carries an unsubscribe link; one POST to it, without
// a session, as a mail provider sends it (RFC 8058), stops the next
// notification's email.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/testcloud"
)

var unsubscribeAllRe = regexp.MustCompile(`Unsubscribe from all Quorum email: (\S+)`)

func TestOneClickUnsubscribeIsHonouredByTheNextNotification(t *testing.T) {
	t.Parallel()
	env := testcloud.Fast(t)
	ctx := context.Background()
	a, err := app.NewAPIWith(ctx, env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	addr := env.Prefix + "-una@example.org"
	una, err := a.Accounts.CreateUser(ctx, addr, "Una")
	if err != nil {
		t.Fatal(err)
	}
	notifyUna := func(title string) {
		t.Helper()
		if err := a.Notifications.Deliver(ctx, []notify.Notification{{UserID: una.ID, Kind: notify.PollClosed,
			GroupID: "nogroup00000000a", PollID: "ppollid000000001", Title: title, Excerpt: "Write its outcome."}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Outbox.DeliverDue(ctx, time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	toUna := func() []mail.StoredMessage {
		t.Helper()
		msgs, err := mail.Emulator{URL: env.Config.SESEndpoint}.Messages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []mail.StoredMessage
		for _, m := range msgs {
			if len(m.Destination.To) == 1 && strings.EqualFold(m.Destination.To[0], addr) {
				out = append(out, m)
			}
		}
		return out
	}

	notifyUna("First poll")
	got := toUna()
	if len(got) != 1 {
		t.Fatalf("%d emails before unsubscribing, want 1", len(got))
	}
	m := unsubscribeAllRe.FindStringSubmatch(got[0].Body.Text)
	if m == nil {
		t.Fatalf("no unsubscribe link in:\n%s", got[0].Body.Text)
	}
	link, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}

	// One POST, no cookie, no CSRF token, no Origin: what Gmail or Yahoo send.
	req := httptest.NewRequest(http.MethodPost, link.Path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("one-click POST: %d %s", rec.Code, rec.Body.String())
	}

	notifyUna("Second poll")
	if got := toUna(); len(got) != 1 {
		t.Fatalf("%d emails after unsubscribing from all email, want still 1", len(got))
	}
	jobs, err := a.Notifications.ListAfter(ctx, una.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var second *notify.Job
	for i := range jobs {
		if jobs[i].Title == "Second poll" {
			second = &jobs[i]
		}
	}
	if second == nil || second.State != notify.MailSkipped || second.Reason != "unsubscribed_all" {
		t.Fatalf("second job: %+v", second)
	}
	// The in-app notification still exists: unsubscribing stops email only.
	if len(jobs) != 2 {
		t.Errorf("in-app notifications: %d, want 2", len(jobs))
	}
}
