package notify

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

const (
	testBase   = "http://127.0.0.1:8080"
	testDomain = "quorum.test"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

type people map[string]Person

func (p people) Person(_ context.Context, uid string) (Person, error) {
	if v, ok := p[uid]; ok {
		return v, nil
	}
	return Person{}, domain.Errorf(domain.NotFound, "no such person")
}

type groups map[string]Group

func (g groups) Group(_ context.Context, _, gid string) (Group, error) {
	if v, ok := g[gid]; ok {
		return v, nil
	}
	return Group{ID: gid}, nil
}

// prefs behaves like internal/mailpref for the outbox: a route per person
// and digests that advance once sent.
type prefs struct {
	mu      sync.Mutex
	routes  map[string]Route
	digests map[string]*DigestDue
	sent    []string // "uid:through"
}

func (p *prefs) Route(_ context.Context, uid, _, _, _ string) (Route, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.routes[uid]; ok {
		return r, nil
	}
	return Route{Action: RouteSend, KeyGeneration: 2}, nil
}

func (p *prefs) UnsubscribeURL(uid string, sc Scope) string {
	return testBase + "/unsubscribe/" + uid + "." + sc.Kind + "." + sc.ID
}

func (p *prefs) DueDigests(_ context.Context, now time.Time) ([]DigestDue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []DigestDue
	for _, d := range p.digests {
		if !d.Due.After(now) {
			out = append(out, *d)
		}
	}
	return out, nil
}

func (p *prefs) DigestSent(_ context.Context, d DigestDue, through string, _ time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.digests[d.UserID]
	if cur == nil || !cur.Due.Equal(d.Due) {
		return nil // already advanced: a no-op, like mailpref
	}
	cur.After, cur.Due = through, cur.Due.Add(24*time.Hour)
	p.sent = append(p.sent, d.UserID+":"+through)
	return nil
}

type fixture struct {
	t      *testing.T
	env    *testcloud.Env
	notes  *Service
	sender *testkit.Mailbox
	prefs  *prefs
	people people
	groups groups
	d      *Dispatcher
	tokens *replyaddr.Tokens
	emu    mail.Emulator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testcloud.Fast(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	f := &fixture{t: t, env: env, notes: New(st, nil),
		sender: &testkit.Mailbox{Next: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain)},
		prefs:  &prefs{routes: map[string]Route{}, digests: map[string]*DigestDue{}},
		people: people{}, groups: groups{"g1": {ID: "g1", Name: "Garden club", Handle: "garden"}},
		tokens: replyaddr.NewTokens(env.Config.SigningKey, env.Config.MailDomain),
		emu:    mail.Emulator{URL: env.Config.SESEndpoint},
	}
	f.d = f.dispatcher(f.sender)
	return f
}

func (f *fixture) dispatcher(s mail.Sender) *Dispatcher {
	d, err := NewDispatcher(Config{Notifications: f.notes, Sender: s, People: f.people, Groups: f.groups, Prefs: f.prefs,
		Tokens: f.tokens, BaseURL: testBase, MailDomain: f.env.Config.MailDomain, From: f.env.Config.MailFrom})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// person registers a recipient with an address unique to this test.
func (f *fixture) person(name string) Person {
	p := Person{ID: name + "-" + f.env.Prefix, Name: name, Email: strings.ToLower(name) + "-" + f.env.Prefix + "@example.org"}
	f.people[p.ID] = p
	return p
}

func (f *fixture) notify(ns ...Notification) {
	f.t.Helper()
	if err := f.notes.Deliver(context.Background(), ns); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) messagesTo(addr string) []mail.StoredMessage {
	f.t.Helper()
	all, err := f.emu.Messages(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	var out []mail.StoredMessage
	for _, m := range all {
		for _, to := range m.Destination.To {
			if strings.Contains(strings.ToLower(to), strings.ToLower(addr)) {
				out = append(out, m)
			}
		}
	}
	return out
}

// only returns the one job of uid.
func (f *fixture) only(uid string) Job {
	f.t.Helper()
	js, err := f.notes.ListAfter(context.Background(), uid, "", 10)
	if err != nil || len(js) != 1 {
		f.t.Fatalf("jobs of %s: %d %v", uid, len(js), err)
	}
	return js[0]
}
