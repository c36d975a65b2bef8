package idempotency_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/idempotency"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

func setup(t *testing.T, h http.HandlerFunc) http.Handler {
	env := testcloud.New(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	scope := func(r *http.Request) string { return r.Header.Get("X-Test-User") }
	return idempotency.Middleware(st, scope, idempotency.Options{}, func(w http.ResponseWriter, r *http.Request, err error) {
		httpx.WriteError(w, r, nil, err)
	})(h)
}

func send(h http.Handler, user, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/v1/things", strings.NewReader(body))
	if key != "" {
		req.Header.Set(idempotency.Header, key)
	}
	req.Header.Set("X-Test-User", user)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRetryReplaysAndWritesOnce(t *testing.T) {
	var writes atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		n := writes.Add(1)
		w.Header().Set("Location", fmt.Sprintf("/api/v1/things/%d", n))
		httpx.WriteJSON(w, http.StatusCreated, map[string]int32{"id": n})
	})
	first := send(h, "u1", "key-00000001", `{"a":1}`)
	again := send(h, "u1", "key-00000001", `{"a":1}`)
	if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() || writes.Load() != 1 {
		t.Fatalf("first %d %s, again %d %s, writes %d", first.Code, first.Body, again.Code, again.Body, writes.Load())
	}
	if again.Header().Get("Idempotent-Replayed") != "true" || again.Header().Get("Location") != "/api/v1/things/1" {
		t.Fatalf("replay headers %v", again.Header())
	}
	// Another caller with the same key is a different request.
	if other := send(h, "u2", "key-00000001", `{"a":1}`); other.Code != 201 || writes.Load() != 2 {
		t.Fatalf("other caller: %d writes %d", other.Code, writes.Load())
	}
	// Same key, different body: refused.
	if diff := send(h, "u1", "key-00000001", `{"a":2}`); diff.Code != 400 || !strings.Contains(diff.Body.String(), "different request") {
		t.Fatalf("reuse: %d %s", diff.Code, diff.Body)
	}
	// No key: every request runs.
	send(h, "u1", "", `{}`)
	send(h, "u1", "", `{}`)
	if writes.Load() != 4 {
		t.Fatalf("unkeyed writes %d", writes.Load())
	}
}

func TestConcurrentRetriesRunOnce(t *testing.T) {
	var writes atomic.Int32
	release := make(chan struct{})
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		writes.Add(1)
		<-release
		httpx.WriteJSON(w, http.StatusCreated, map[string]string{"ok": "yes"})
	})
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = send(h, "u1", "key-concurrent", `{}`).Code
		}()
	}
	for writes.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	created, conflicts := 0, 0
	for _, c := range codes {
		switch c {
		case 201:
			created++
		case 409:
			conflicts++
		}
	}
	if writes.Load() != 1 || created < 1 || created+conflicts != len(codes) {
		t.Fatalf("writes %d codes %v", writes.Load(), codes)
	}
}

func TestFailuresAndSecretsAreNotStored(t *testing.T) {
	var calls atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch r.URL.Query().Get("mode") {
		case "fail":
			if n == 1 {
				httpx.WriteError(w, r, nil, domain.Errorf(domain.Unavailable, "try again"))
				return
			}
			httpx.WriteJSON(w, http.StatusCreated, map[string]string{"ok": "second time"})
		case "secret":
			w.Header().Set(idempotency.SensitiveHeader, "1")
			httpx.WriteJSON(w, http.StatusCreated, map[string]string{"token": "qrm_supersecret"})
		}
	})
	req := func(mode string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/api/v1/x?mode="+mode, strings.NewReader(`{}`))
		r.Header.Set(idempotency.Header, "key-"+mode+"-0001")
		r.Header.Set("X-Test-User", "u1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	if c := req("fail").Code; c != 503 {
		t.Fatalf("first: %d", c)
	}
	if rec := req("fail"); rec.Code != 201 {
		t.Fatalf("a 5xx must not be replayed: %d %s", rec.Code, rec.Body)
	}
	first := req("secret")
	if first.Code != 201 || first.Header().Get(idempotency.SensitiveHeader) != "" {
		t.Fatalf("secret first %d, header leaked %v", first.Code, first.Header())
	}
	again := req("secret")
	var p httpx.Problem
	_ = json.Unmarshal(again.Body.Bytes(), &p)
	if again.Code != 409 || strings.Contains(again.Body.String(), "qrm_supersecret") || calls.Load() != 3 {
		t.Fatalf("secret replay: %d %s calls %d", again.Code, again.Body, calls.Load())
	}
}

func TestBadKey(t *testing.T) {
	h := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	for _, k := range []string{"short", strings.Repeat("k", 256), "has space in it"} {
		if rec := send(h, "u1", k, `{}`); rec.Code != 400 {
			t.Errorf("key %q: %d", k, rec.Code)
		}
	}
}

type counter struct {
	store.Item
	N int64 `dynamo:"N"`
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// A claim holds for its lease: a retry meanwhile is told to come back
// (409 with Retry-After). Once the lease has run out (the first request
// went silent) a retry takes the key over and runs; the first request,
// should it still try to apply its effect afterwards, cannot: its
// transaction carries the claim's condition. The effect happens once.
func TestLeaseRunsOutAndARetryTakesOver(t *testing.T) {
	env := testcloud.New(t)
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	clk := &clock{t: time.Now()}
	lease := 10 * time.Second
	started, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	h := idempotency.Middleware(st, func(r *http.Request) string { return "u1" }, idempotency.Options{Lease: lease, Now: clk.now},
		func(w http.ResponseWriter, r *http.Request, err error) { httpx.WriteError(w, r, nil, err) })(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if runs.Add(1) == 1 {
				close(started)
				<-release
			}
			err := st.Tx().Update(st.Update("COUNTER#lease", "C").Add("N", 1), nil).Run(r.Context(), "")
			if err != nil {
				httpx.WriteError(w, r, nil, err)
				return
			}
			httpx.WriteJSON(w, http.StatusCreated, map[string]int32{"run": runs.Load()})
		}))
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- send(h, "u1", "lease-key-1", `{}`) }()
	<-started
	busy := send(h, "u1", "lease-key-1", `{}`)
	if busy.Code != 409 || busy.Header().Get("Retry-After") == "" {
		t.Fatalf("a retry within the lease: %d %s (Retry-After %q)", busy.Code, busy.Body, busy.Header().Get("Retry-After"))
	}
	clk.add(lease + time.Second)
	took := send(h, "u1", "lease-key-1", `{}`)
	if took.Code != 201 {
		t.Fatalf("a retry after the lease: %d %s", took.Code, took.Body)
	}
	close(release)
	if late := <-first; late.Code != 409 || !strings.Contains(late.Body.String(), "took over") {
		t.Fatalf("the first request, after it lost its claim: %d %s", late.Code, late.Body)
	}
	var c counter
	if err := st.Get(context.Background(), "COUNTER#lease", "C", &c); err != nil || c.N != 1 {
		t.Fatalf("effect applied %d times (%v)", c.N, err)
	}
	again := send(h, "u1", "lease-key-1", `{}`)
	if again.Code != 201 || again.Body.String() != took.Body.String() || again.Header().Get(idempotency.ReplayedHeader) != "true" {
		t.Fatalf("replay: %d %s", again.Code, again.Body)
	}
}
