package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// The tests of this package pause, kill and cut off the DynamoDB Local they
// use, so they get one of their own (not the one other packages share) and
// run one after another (none calls t.Parallel).

func TestMain(m *testing.M) {
	code := testcloud.Run(m)
	if own.cloud != nil {
		own.cloud.Stop()
	}
	os.Exit(code)
}

var own struct {
	once  sync.Once
	cloud *localcloud.Cloud
	err   error
}

// dynamo returns this package's DynamoDB Local: persisted to a temporary
// directory (so a killed one comes back with its data) and restarted by
// the local cloud's supervisor when it dies, as under make dev.
func dynamo(t testing.TB) *localcloud.Cloud {
	t.Helper()
	if testing.Short() {
		t.Skip("fault suite (its own DynamoDB Local): runs in `make test`, not with -short")
	}
	own.once.Do(func() {
		wd, _ := os.Getwd()
		root, err := localcloud.FindRoot(wd)
		if err == nil {
			err = localcloud.EnsureTools(root, os.Stderr)
		}
		if err != nil {
			own.err = err
			return
		}
		dir, err := os.MkdirTemp("", "quorum-faults-")
		if err != nil {
			own.err = err
			return
		}
		own.cloud, own.err = localcloud.Start(context.Background(), localcloud.Options{
			Root: root, DataDir: dir, Services: []string{localcloud.Dynamo}, Restart: true})
	})
	if own.err != nil {
		t.Fatalf("DynamoDB Local for the fault tests: %v", own.err)
	}
	return own.cloud
}

// toxic is one Toxiproxy proxy between the app and this package's DynamoDB Local.
type toxic struct {
	t     testing.TB
	proxy *toxiproxy.Proxy
	n     int
}

func newToxic(t testing.TB) *toxic {
	t.Helper()
	up, err := url.Parse(dynamo(t).DynamoDBEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "dynamodb", "127.0.0.1:0", up.Host)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return &toxic{t: t, proxy: p}
}

func (x *toxic) endpoint() string { return "http://" + x.proxy.Listen }

// add adds a toxic (Toxiproxy's JSON: type, stream, toxicity, attributes)
// and returns its name for remove.
func (x *toxic) add(kind, stream string, toxicity float64, attrs map[string]any) string {
	x.t.Helper()
	x.n++
	name := fmt.Sprintf("%s-%s-%d", kind, stream, x.n)
	b, _ := json.Marshal(map[string]any{"name": name, "type": kind, "stream": stream, "toxicity": toxicity, "attributes": attrs})
	if _, err := x.proxy.Toxics.AddToxicJson(bytes.NewReader(b)); err != nil {
		x.t.Fatalf("add toxic %s: %v", name, err)
	}
	return name
}

func (x *toxic) remove(names ...string) {
	for _, n := range names {
		if err := x.proxy.Toxics.RemoveToxic(context.Background(), n); err != nil {
			x.t.Errorf("remove toxic %s: %v", n, err)
		}
	}
}

// refuse closes the proxy's port (connections are refused) and accept opens it again.
func (x *toxic) refuse() { x.proxy.Stop() }
func (x *toxic) accept() {
	x.t.Helper()
	if err := x.proxy.Start(); err != nil {
		x.t.Fatalf("reopen the proxy: %v", err)
	}
}

// world is the application on the faulty path, with people and things to
// act on. Everyone is a member of one open group with one thread and polls.
type world struct {
	t testing.TB
	// api serves srv on the faulty path; direct is the same app on the
	// table itself (set-up and checks).
	api    *app.API
	direct *app.API
	logs   *logBuffer // the faulty app's JSON log
	srv    *httptest.Server
	cfg    config.Config
	people []*member
	group  string
	thread string
	polls  []string
}

type member struct {
	id, token string
	ctx       context.Context
}

// timing sets the bounds the tests rely on; the defaults of a deployment
// are longer.
type timing struct {
	request, attempt, budget time.Duration
}

// newWorld builds the app with its DynamoDB endpoint at endpoint (a proxy
// in front of this package's DynamoDB Local) and the timing tm, and creates
// n members, a group, a thread and polls polls. The table and the people
// are made directly, by a second instance of the app with the shared test
// timing, so that a slow first start of the table cannot fail the set-up.
func newWorld(t testing.TB, endpoint string, tm timing, n, polls int) *world {
	t.Helper()
	// The table on this package's DynamoDB Local (the shared one gets none),
	// the buckets and mail on the shared stand-ins.
	env := testcloud.NewOn(t, dynamo(t).DynamoDBEndpoint)
	cfg := env.Config
	ctx := context.Background()
	a, err := app.NewAPI(ctx, cfg, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	faulty := cfg
	faulty.DynamoDBEndpoint = endpoint
	faulty.RequestTimeout, faulty.AWSAttemptTimeout, faulty.AWSCallBudget = tm.request, tm.attempt, tm.budget
	logs := &logBuffer{}
	fa, err := app.NewAPI(ctx, faulty, logging.New(logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, api: fa, direct: a, cfg: faulty, logs: logs}
	w.srv = httptest.NewServer(fa.Handler())
	t.Cleanup(w.srv.Close)
	for i := range n {
		p := testkit.NewPersonWithEmail(t, a.Accounts, fmt.Sprintf("Member %d", i), fmt.Sprintf("faults-%d-%s@example.org", i, env.Prefix))
		w.people = append(w.people, &member{id: p.ID, token: p.Token(t), ctx: p.Ctx})
	}
	owner := w.people[0]
	g, err := a.Groups.Create(owner.ctx, group.CreateInput{Name: "Faults " + env.Prefix, Privacy: "open"})
	if err != nil {
		t.Fatal(err)
	}
	w.group = g.ID
	for _, p := range w.people[1:] {
		if _, err := a.Groups.Join(p.ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(owner.ctx, discussion.StartInput{GroupID: g.ID, Title: "Under fire"})
	if err != nil {
		t.Fatal(err)
	}
	w.thread = th.ID
	for i := range polls {
		d := poll.New(poll.TypeProposal)
		d.Title = fmt.Sprintf("Proposal %d", i)
		at := time.Now().Add(24 * time.Hour).UTC()
		d.Settings.ClosingAt = &at
		pl, err := a.Decisions.Create(owner.ctx, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
		if err != nil {
			t.Fatal(err)
		}
		w.polls = append(w.polls, pl.ID)
	}
	return w
}

// answer is what one HTTP request got: a status (0: no answer at all) and
// what the retry contract needs.
type answer struct {
	status     int
	retryAfter string
	replayed   bool
	body       []byte
	err        error
	took       time.Duration
	requestID  string
}

func (a answer) String() string {
	if a.err != nil {
		return "no answer: " + a.err.Error()
	}
	return fmt.Sprintf("%d %s", a.status, strings.TrimSpace(string(a.body)))
}

// call sends one API request as p with an optional Idempotency-Key; limit
// bounds the wait for the answer (0: none).
func (w *world) call(p *member, method, path, body, key string, limit time.Duration) answer {
	ctx := context.Background()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.srv.URL+path, rd)
	if err != nil {
		return answer{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	rid := fmt.Sprintf("t%x", rand.Uint64())
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
		rid = key + "." + rid
	}
	req.Header.Set("X-Request-Id", rid)
	start := time.Now()
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start), requestID: rid}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		replayed: resp.Header.Get("Idempotent-Replayed") == "true", body: b, err: err, took: time.Since(start),
		requestID: rid}
}

// retryAfter is the answer's Retry-After in seconds (0 when absent or not a number).
func (a answer) retryAfterSeconds() int {
	n, err := strconv.Atoi(a.retryAfter)
	if err != nil {
		return 0
	}
	return n
}

// get decodes a GET that must succeed; like any client it tries again
// after a 503 (a loaded machine can make the tests' tight storage bounds
// run out with no fault injected).
func (w *world) get(p *member, path string, out any) {
	w.t.Helper()
	a, _ := w.retryUntilFinal(p, "GET", path, "", "", time.Minute)
	if a.status != 200 {
		w.t.Fatalf("GET %s: %s", path, a)
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		w.t.Fatalf("GET %s: %v", path, err)
	}
}

// logBuffer keeps the app's log lines for diagnostics.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, strings.TrimSpace(string(p)))
	return len(p), nil
}

// about returns the lines that mention any of ids.
func (b *logBuffer) about(ids ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range b.lines {
		for _, id := range ids {
			if id != "" && strings.Contains(l, id) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}
