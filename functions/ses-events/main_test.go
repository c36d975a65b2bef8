package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// box captures sign-in mail to read the code from.
type box struct {
	mu   sync.Mutex
	last string
}

func (b *box) Send(_ context.Context, m mail.Message) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = m.Text
	return "id", nil
}

var codeRe = regexp.MustCompile(`Your code: (\d{6})`)

// signIn returns a session cookie value for addr (the account is created).
func signIn(t *testing.T, a *app.API, addr string) string {
	t.Helper()
	b := &box{}
	acc, err := account.New(account.Options{Store: a.Store, Mail: b, BaseURL: a.Config.BaseURL, SigningKey: a.Config.SigningKey,
		Argon2: account.FastArgon2()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := acc.RequestLogin(ctx, account.Client{IP: "10.0.0.1"}, addr); err != nil {
		t.Fatal(err)
	}
	v, err := acc.VerifyCode(ctx, account.Client{IP: "10.0.0.1"}, addr, codeRe.FindStringSubmatch(b.last)[1], "Someone")
	if err != nil {
		t.Fatal(err)
	}
	return v.Token
}

func sample(name string) string { return filepath.Join("..", "..", "events", name) }

func invoke(t *testing.T, h handler, file string) Report {
	t.Helper()
	var out bytes.Buffer
	if err := invokeOnce(context.Background(), h, sample(file), &out); err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// The whole path: the SNS sample suppresses the address, the next
// notification is skipped, the settings page says why, the owner resumes.
// Logs never contain the address.
func TestBounceSuppressesAndTheOwnerResumes(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	var logs bytes.Buffer
	a, err := app.NewAPI(ctx, env.Config, logging.New(&logs, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	const bounced, complained = "bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"
	cookie := signIn(t, a, bounced)
	u, err := a.Accounts.UserByEmail(ctx, bounced)
	if err != nil {
		t.Fatal(err)
	}
	h := handler{prefs: a.MailPrefs, log: logging.New(&logs, "debug")}

	for i := 0; i < 2; i++ { // SNS may deliver twice
		if r := invoke(t, h, "ses-events-bounce.json"); r != (Report{Records: 1, Suppressed: 1}) {
			t.Fatalf("bounce report #%d: %+v", i+1, r)
		}
	}
	if r := invoke(t, h, "ses-events-complaint.json"); r != (Report{Records: 1, Suppressed: 1}) {
		t.Fatalf("complaint report: %+v", r)
	}
	sup, err := a.MailPrefs.Suppression(ctx, complained)
	if err != nil || sup == nil || sup.Reason != mailpref.ReasonComplaint {
		t.Fatalf("complaint suppression: %+v %v", sup, err)
	}

	r, err := a.MailPrefs.Route(ctx, u.ID, u.Email, "grp1", "thr1")
	if err != nil || r.Action != mailpref.Skip || r.Reason != mailpref.ReasonSuppressed {
		t.Fatalf("route after the bounce: %+v %v", r, err)
	}

	page := func() string {
		req := httptest.NewRequest("GET", "/settings/email-preferences", nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("settings page: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	if body := page(); !strings.Contains(body, "We have stopped emailing "+bounced) || !strings.Contains(body, "23 Nov 2026, 18:44 UTC") {
		t.Fatalf("settings page without the notice: %s", body)
	}
	req := httptest.NewRequest("POST", "/settings/email-preferences/resume-delivery", nil)
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != 303 {
		t.Fatalf("resume: %d %s", rec.Code, rec.Body)
	}
	if r, err := a.MailPrefs.Route(ctx, u.ID, u.Email, "grp1", "thr1"); err != nil || r.Action != mailpref.Send {
		t.Fatalf("route after resuming: %+v %v", r, err)
	}
	if body := page(); strings.Contains(body, "We have stopped emailing") {
		t.Fatal("the notice is still shown after resuming")
	}
	// The complaint of another address is untouched by this owner's resume.
	if sup, _ := a.MailPrefs.Suppression(ctx, complained); sup == nil {
		t.Fatal("resuming one address lifted another's suppression")
	}
	for _, addr := range []string{bounced, complained, "simulator.amazonses"} {
		if strings.Contains(logs.String(), addr) {
			t.Fatalf("logs contain an address (%s):\n%s", addr, logs.String())
		}
	}
}

func TestEventsThatDoNotSuppress(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	a, err := app.NewAPI(ctx, env.Config, logging.New(&bytes.Buffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	h := handler{prefs: a.MailPrefs, log: logging.New(&bytes.Buffer{}, "info")}
	const addr = "someone@example.org"
	msg := func(v string) events.SNSEvent {
		return events.SNSEvent{Records: []events.SNSEventRecord{{SNS: events.SNSEntity{MessageID: "m", Message: v}}}}
	}
	cases := []struct {
		name string
		msg  string
		want Report
	}{
		{"transient bounce", `{"eventType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","feedbackId":"f1","bouncedRecipients":[{"emailAddress":"` + addr + `"}]}}`, Report{Records: 1, Ignored: 1}},
		{"undetermined bounce", `{"eventType":"Bounce","bounce":{"bounceType":"Undetermined","feedbackId":"f2","bouncedRecipients":[{"emailAddress":"` + addr + `"}]}}`, Report{Records: 1, Ignored: 1}},
		{"delivery", `{"eventType":"Delivery","delivery":{"recipients":["` + addr + `"]}}`, Report{Records: 1, Ignored: 1}},
		{"send", `{"eventType":"Send","mail":{"destination":["` + addr + `"]}}`, Report{Records: 1, Ignored: 1}},
		{"not-spam feedback", `{"eventType":"Complaint","complaint":{"complaintFeedbackType":"not-spam","feedbackId":"f3","complainedRecipients":[{"emailAddress":"` + addr + `"}]}}`, Report{Records: 1, Ignored: 1}},
		{"not JSON", `Bounce! ` + addr, Report{Records: 1, Malformed: 1}},
		{"no event type", `{"hello":"world"}`, Report{Records: 1, Malformed: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := h.Handle(ctx, msg(tc.msg))
			if err != nil || r != tc.want {
				t.Fatalf("Handle = %+v, %v; want %+v", r, err, tc.want)
			}
			if sup, err := a.MailPrefs.Suppression(ctx, addr); err != nil || sup != nil {
				t.Fatalf("%s suppressed the address: %+v %v", tc.name, sup, err)
			}
		})
	}
	// A feedback notification (notificationType) suppresses like an event.
	r, err := h.Handle(ctx, msg(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","feedbackId":"f4","timestamp":"2026-01-02T03:04:05Z","bouncedRecipients":[{"emailAddress":"`+addr+`"}]}}`))
	if err != nil || r.Suppressed != 1 {
		t.Fatalf("notification: %+v %v", r, err)
	}
	if sup, _ := a.MailPrefs.Suppression(ctx, strings.ToUpper(addr)); sup == nil || sup.Reason != mailpref.ReasonBounce {
		t.Fatalf("after a permanent bounce notification: %+v", sup)
	}
}
