package server

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/testkit"
	"github.com/quorum-app/quorum/internal/web"
)

// harness is what newHarness serves.
type harness struct {
	// routes picks the routes served.
	routes func(s *Server) []Route
	// logs receives the server's logs; nil sends warnings to the test log.
	logs *slog.Logger
	// guestMail lets the discussion core mail thread invitations (the SES
	// emulator); without it inviting an address without an account is
	// refused, as in a deployment without mail.
	guestMail bool
}

// newHarness is the one wiring of the route-level harnesses (group,
// discussion, guest and template tests): the group core with its audit
// record and invitation mail, the discussion core with guest invitations by
// mail, notifications, thread templates and the fan-out, on the fast tier
// and the test people directory (testkit). It serves the routes routes
// picks with the actor named by the test header X-Test-User (X-Test-Bot
// makes them a bot token); the accounts' middleware does this for real from
// cookies and tokens, and internal/app's tests go through it.
func newHarness(t *testing.T, o harness) *groupHarness {
	t.Helper()
	logs := o.logs
	if logs == nil {
		logs = logging.New(testLogWriter{t}, "warn")
	}
	env := testkit.NewEnv(t, testkit.FastTier)
	st := testkit.StoreOf(env)
	people := testkit.NewDirectory()
	sender := mail.NewSES(env.Clients.SES, "", env.Config.MailDomain)
	var groups *group.Service
	au := audit.New(st, env.Config.SigningKey, audit.PolicyFunc(func(ctx context.Context, gid string, a authz.Action, tg authz.Target) error {
		return groups.Authorize(ctx, gid, a, tg)
	}), nil, nil)
	groups = group.New(group.Config{Store: st, People: people, Mail: sender,
		MailFrom: env.Config.MailFrom, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey, Audit: au})
	notes := notify.New(st, nil)
	dc := discussion.Config{Store: st, Policy: groups, People: mailDiscPeople{people}, Notify: notes,
		Uploads:    blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, blob.DefaultLimits()),
		SigningKey: env.Config.SigningKey}
	if o.guestMail {
		dc.Mail, dc.MailFrom, dc.BaseURL = sender, env.Config.MailFrom, env.Config.BaseURL
	}
	disc := discussion.New(dc)
	tpl := process.New(process.Config{Store: st, Policy: groups, Sources: cores.ProcessSources{Discussions: disc}})
	renderer, err := web.New(logs)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Web: renderer, Groups: groups, Discussions: disc, Notifications: notes, Templates: tpl,
		Log: logs, Audit: au, Names: people})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, rt := range o.routes(s) {
		handler := rt.Handler
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			a := authz.Actor{Kind: authz.Anonymous}
			if id := r.Header.Get("X-Test-User"); id != "" {
				a = authz.Actor{Kind: authz.User, UserID: id}
				if r.Header.Get("X-Test-Bot") != "" {
					a.Kind, a.TokenID = authz.Bot, "tok"
				}
			}
			handler(w, r.WithContext(authz.WithActor(r.Context(), a)))
		})
	}
	mux.HandleFunc("/", s.notFound)
	fan := cores.NewFanouts(notes, groups, nil)
	fan.Names, fan.Mentions = people, disc
	return &groupHarness{t: t, env: env, h: httpx.Observe(s.log, s.timeout, s.uploadOrigin, mux), people: people, tag: env.Prefix,
		audit: au, fan: fan}
}
