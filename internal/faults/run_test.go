package faults

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/idempotency"
)

// The fault run: clients vote, change and withdraw ballots and comment
// over HTTP, each request with its own Idempotency-Key and sent again with
// it after any answer that says "try again" (503, 409 with Retry-After, no
// answer), while the path to DynamoDB Local goes through latency, resets
// (requests lost on the way there and answers lost on the way back), a
// black hole, a closed port, a paused and a killed stand-in. Afterwards the
// invariants of issue 12 are checked against what the clients were told.
//
// make test runs one round of the schedule (about a minute with the set-up);
// make faults runs rounds with longer pauses until QUORUM_FAULTS_DURATION
// (default there 5m) with QUORUM_FAULTS_CLIENTS clients (default 20).
func TestFaultRun(t *testing.T) {
	duration := envDuration(t, "QUORUM_FAULTS_DURATION", 0)
	clients := envInt(t, "QUORUM_FAULTS_CLIENTS", 6)
	x := newToxic(t)
	w := newWorld(t, x.endpoint(), timing{request: 8 * time.Second, attempt: time.Second, budget: 3 * time.Second}, clients, 3)
	r := &run{w: w, stop: make(chan struct{})}
	var wg sync.WaitGroup
	for i, p := range w.people {
		c := &client{r: r, p: p, n: i, rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))), ballots: map[int]string{}}
		r.clients = append(r.clients, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop()
		}()
	}
	start := time.Now()
	s := &schedule{t: t, x: x, cloud: dynamo(t), r: r}
	for round := 0; round == 0 || time.Since(start) < duration; round++ {
		s.round(round, duration > 0)
		t.Logf("round %d: %s", round, strings.Join(s.log, ", "))
		s.log = nil
	}
	close(r.stop)
	stopped := time.Now()
	wg.Wait() // each client finishes its request (at most 3 minutes)
	t.Logf("faults over after %s; the clients' last requests took %s more", stopped.Sub(start).Round(time.Second), time.Since(stopped).Round(100*time.Millisecond))
	r.check(t)
}

// ---- the faults ----

type schedule struct {
	t     *testing.T
	x     *toxic
	cloud interface {
		Signal(string, syscall.Signal) error
	}
	r   *run
	log []string
}

// hold keeps the current faults for d and logs them with the answers the
// clients got meanwhile.
func (s *schedule) hold(name string, d time.Duration) {
	start, before := time.Now(), s.r.answers.Load()
	time.Sleep(d)
	s.log = append(s.log, fmt.Sprintf("%s %s from %s (%d answers)", name, d, start.Format("15:04:05.000"), s.r.answers.Load()-before))
}

// round is one pass over every kind of fault. Long runs (make faults)
// pause the stand-in longer, up to the 35 s the issue saw.
func (s *schedule) round(n int, long bool) {
	x := s.x
	s.hold("calm", 4*time.Second)

	lat := []string{x.add("latency", "downstream", 1, map[string]any{"latency": 150, "jitter": 150}),
		x.add("latency", "upstream", 1, map[string]any{"latency": 50, "jitter": 50})}
	s.hold("latency", 6*time.Second)
	x.remove(lat...)

	// Requests reset on the way to the table (nothing applied) and answers
	// reset on the way back (applied, answer lost).
	rs := []string{x.add("reset_peer", "upstream", 0.15, map[string]any{"timeout": 0}),
		x.add("reset_peer", "downstream", 0.3, map[string]any{"timeout": 20})}
	s.hold("resets", 6*time.Second)
	x.remove(rs...)

	bh := []string{x.add("timeout", "upstream", 1, map[string]any{"timeout": 0}),
		x.add("timeout", "downstream", 1, map[string]any{"timeout": 0})}
	s.hold("black hole", 5*time.Second)
	x.remove(bh...)

	x.refuse()
	s.hold("refused", 4*time.Second)
	x.accept()

	pause := 6 * time.Second
	if long {
		pause = []time.Duration{6 * time.Second, 15 * time.Second, 20 * time.Second, 35 * time.Second}[n%4]
	}
	if err := s.cloud.Signal("dynamodb", syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
	s.hold("paused", pause)
	if err := s.cloud.Signal("dynamodb", syscall.SIGCONT); err != nil {
		s.t.Fatal(err)
	}
	s.hold("calm", 3*time.Second)

	// Killed: the supervisor (as under make dev) starts it again with its
	// data. DynamoDB Local itself can lose a transaction it acknowledged a
	// moment before a kill -9 (measured: one in ~190, acknowledged 0.13 s
	// before), which DynamoDB never does; so the app is cut off from it
	// (its connections reset, new ones refused) for two seconds before the
	// kill, and until it is back.
	x.refuse()
	s.hold("cut off", 2*time.Second)
	killed := time.Now()
	if err := s.cloud.Signal("dynamodb", syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	s.waitBack(killed)
	x.accept()
	s.hold("calm", 4*time.Second)
}

// waitBack waits until the killed stand-in answers again.
func (s *schedule) waitBack(since time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for {
		select {
		case ev := <-own.cloud.Events():
			if ev.Service == "dynamodb" && ev.Err == nil {
				s.log = append(s.log, fmt.Sprintf("killed and back after %s", time.Since(since).Round(100*time.Millisecond)))
				return
			}
		case <-ctx.Done():
			s.t.Fatal("the killed DynamoDB Local did not come back within 3 minutes")
		}
	}
}

// ---- the clients ----

type run struct {
	w       *world
	stop    chan struct{}
	clients []*client

	mu         sync.Mutex
	violations []string
	ops        []*op
	attempts   atomic.Int64
	answers    atomic.Int64 // attempts that ended (with an answer or none)
	statuses   sync.Map     // status -> *atomic.Int64
}

func (r *run) violation(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *run) count(status int) {
	r.answers.Add(1)
	v, _ := r.statuses.LoadOrStore(status, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// op is one logical request: its key, what it asked, and its final answer.
type op struct {
	client       int
	kind         string // vote | withdraw | comment
	poll         int
	option, text string
	method, path string
	body, key    string
	final        answer
	applied      bool
	tries        int
	trail        []string // each attempt: when, status, request id
	ids          []string // request ids
}

type client struct {
	r   *run
	p   *member
	n   int
	rng *rand.Rand
	seq int
	// ballots is what this client was told it has: option per poll.
	ballots map[int]string
}

var options = []string{"agree", "abstain", "disagree"}

func (c *client) loop() {
	w := c.r.w
	for {
		select {
		case <-c.r.stop:
			return
		default:
		}
		c.seq++
		o := &op{client: c.n, key: fmt.Sprintf("fault-run-%d-%d-%d", c.n, c.seq, c.rng.Int64())}
		pi := c.rng.IntN(len(w.polls))
		switch roll := c.rng.Float64(); {
		case roll < 0.35:
			o.kind, o.text = "comment", fmt.Sprintf("Comment %d.%d under fire", c.n, c.seq)
			o.method, o.path, o.body = "POST", "/api/v1/threads/"+w.thread+"/comments", fmt.Sprintf(`{"body":%q}`, o.text)
		case roll < 0.5 && c.ballots[pi] != "":
			o.kind, o.poll = "withdraw", pi
			o.method, o.path = "DELETE", "/api/v1/polls/"+w.polls[pi]+"/ballot"
		default:
			o.kind, o.poll, o.option = "vote", pi, options[c.rng.IntN(len(options))]
			o.method, o.path = "PUT", "/api/v1/polls/"+w.polls[pi]+"/ballot"
			o.body = fmt.Sprintf(`{"choices":[{"option_id":%q,"score":1}],"reason":"%d.%d"}`, o.option, c.n, c.seq)
		}
		c.send(o)
		c.r.mu.Lock()
		c.r.ops = append(c.r.ops, o)
		c.r.mu.Unlock()
		if o.applied {
			switch o.kind {
			case "vote":
				c.ballots[o.poll] = o.option
			case "withdraw":
				delete(c.ballots, o.poll)
			}
		}
		time.Sleep(time.Duration(20+c.rng.IntN(60)) * time.Millisecond)
	}
}

// send sends o until its answer is final, as a client of the retry
// contract does: 503 and 409 with Retry-After mean "the same request again
// after Retry-After", and so does no answer at all (some clients give up
// after 1.5 s and go away). It checks the contract of every answer.
func (c *client) send(o *op) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		o.tries++
		c.r.attempts.Add(1)
		limit := 20 * time.Second
		if c.rng.Float64() < 0.15 {
			limit = 1500 * time.Millisecond
		}
		a := c.r.w.call(c.p, o.method, o.path, o.body, o.key, limit)
		o.trail = append(o.trail, fmt.Sprintf("%s %d %s", time.Now().Format("15:04:05.000"), a.status, a.requestID))
		o.ids = append(o.ids, a.requestID)
		c.r.count(a.status)
		switch {
		case a.status >= 500 && a.status != 503:
			c.r.violation("%s %s (key %s, try %d): %s", o.method, o.path, o.key, o.tries, a)
		case a.status == 503 && a.retryAfterSeconds() < 1:
			c.r.violation("503 without Retry-After: %s %s: %s", o.method, o.path, a)
		}
		again := a.status == 0 || a.status == 503 || (a.status == 409 && a.retryAfter != "")
		if !again {
			o.final = a
			o.applied = a.status/100 == 2 || (a.status == 409 && a.replayed && strings.Contains(string(a.body), "already applied"))
			if !o.applied && !(o.kind == "vote" && a.status == 409) {
				// A vote may lose to contention (409, nothing applied);
				// nothing else these clients send may be refused.
				c.r.violation("%s %s (key %s) finally refused: %s", o.method, o.path, o.key, a)
			}
			return
		}
		if time.Now().After(deadline) {
			c.r.violation("%s %s (key %s) still not done after %d tries in 3 minutes: %s", o.method, o.path, o.key, o.tries, a)
			o.final = a
			return
		}
		time.Sleep(min(time.Duration(max(a.retryAfterSeconds(), 0))*time.Second, 2*time.Second) + time.Duration(c.rng.IntN(200))*time.Millisecond)
	}
}

// ---- the invariants ----

func (r *run) check(t *testing.T) {
	w := r.w
	ctx := context.Background()
	stats := map[string]int{}
	r.statuses.Range(func(k, v any) bool {
		stats[strconv.Itoa(k.(int))] = int(v.(*atomic.Int64).Load())
		return true
	})
	kinds := map[string]int{}
	for _, o := range r.ops {
		kinds[o.kind]++
	}
	t.Logf("%d logical requests %v in %d attempts; answers by status (0: none) %v", len(r.ops), kinds, r.attempts.Load(), stats)
	if len(r.ops) < 20 {
		t.Fatalf("only %d requests were made", len(r.ops))
	}
	for _, v := range r.violations {
		t.Error(v)
	}

	// Every comment the clients were told about exists exactly once; the
	// ones that were refused (none should be) not at all.
	copies := r.w.comments()
	for _, o := range r.ops {
		if o.kind != "comment" {
			continue
		}
		want := 0
		if o.applied {
			want = 1
		}
		if got := copies[o.text]; got != want {
			for _, l := range w.logs.about(o.ids...) {
				t.Log(l)
			}
			t.Errorf("comment %q (key %s, %d tries, final %d): %d copies, want %d; answers %v; record %s", o.text, o.key, o.tries, o.final.status, got, want, o.trail, r.record(w.people[o.client], o.key))
		}
	}

	// Each client's ballots are what it was last told, and each poll's
	// tally is what those ballots add up to, and a recount of them.
	r.checkBallots(t, "after the run")
	for _, pid := range w.polls {
		rep, err := w.direct.Decisions.Recount(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Differences) > 0 {
			t.Errorf("poll %s: stored tally differs from a recount: %v", pid, rep.Differences)
		}
	}

	// Sent once more with its key, an answered request replays its answer
	// and changes nothing: not even an old vote after a newer one. (When
	// the table failed between the effect and the recording of its answer,
	// the retry says "already applied" instead.)
	replayed, lost := 0, 0
	for _, o := range r.ops {
		if o.final.status/100 != 2 || replayed >= 60 {
			continue
		}
		replayed++
		rec := r.record(w.people[o.client], o.key)
		a, _ := w.retryUntilFinal(w.people[o.client], o.method, o.path, o.body, o.key, time.Minute)
		switch {
		case a.status == 409 && a.replayed && strings.Contains(string(a.body), "already applied"):
			lost++
		case a.status != o.final.status || !a.replayed || string(a.body) != string(o.final.body):
			for _, l := range w.logs.about(o.ids...) {
				t.Log(l)
			}
			t.Errorf("replay of %s %s (key %s): %s (replayed %v), first answer %s; answers %v; record before the replay: %s",
				o.method, o.path, o.key, a, a.replayed, o.final, o.trail, rec)
		}
	}
	t.Logf("replayed %d answered requests: %d answers had not been recorded", replayed, lost)
	r.checkBallots(t, "after the replays")
	if again := r.w.comments(); len(again) != len(copies) {
		t.Errorf("the replays changed the comments: %d distinct before, %d after", len(copies), len(again))
	}
}

func (r *run) checkBallots(t *testing.T, when string) {
	w := r.w
	for pi, pid := range w.polls {
		want := map[string]int64{}
		decided := int64(0)
		for _, c := range r.clients {
			var mine struct {
				Voted  bool `json:"voted"`
				Ballot *struct {
					Choices []struct {
						OptionID string `json:"option_id"`
					} `json:"choices"`
				} `json:"ballot"`
			}
			w.get(c.p, "/api/v1/polls/"+pid+"/ballot", &mine)
			got := ""
			if mine.Ballot != nil && len(mine.Ballot.Choices) == 1 {
				got = mine.Ballot.Choices[0].OptionID
			}
			if got != c.ballots[pi] {
				t.Errorf("%s: client %d, poll %d: ballot %q, but it was told %q", when, c.n, pi, got, c.ballots[pi])
				r.history(t, c, pi)
			}
			if exp := c.ballots[pi]; exp != "" {
				want[exp]++
				decided++
			}
		}
		var res struct {
			Results struct {
				Decided int64 `json:"decided"`
				Options []struct {
					ID    string `json:"id"`
					Total int64  `json:"total"`
				} `json:"options"`
			} `json:"results"`
		}
		w.get(w.people[0], "/api/v1/polls/"+pid+"/results", &res)
		if res.Results.Decided != decided {
			t.Errorf("%s: poll %d: decided %d, clients hold %d ballots", when, pi, res.Results.Decided, decided)
		}
		got := map[string]int64{}
		for _, o := range res.Results.Options {
			if o.Total != 0 {
				got[o.ID] = o.Total
			}
		}
		if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
			t.Errorf("%s: poll %d: totals %v, clients' ballots %v", when, pi, got, want)
		}
	}
}

// history logs what client c did in poll pi (diagnostics).
func (r *run) history(t *testing.T, c *client, pi int) {
	for _, o := range r.ops {
		if o.client != c.n || o.kind == "comment" || o.poll != pi {
			continue
		}
		t.Logf("  %s %s key %s: final %d applied %v; answers %v; record %s", o.kind, o.option, o.key, o.final.status, o.applied, o.trail, r.record(c.p, o.key))
		for _, l := range r.w.logs.about(o.ids...) {
			t.Logf("    %s", l)
		}
	}
}

// record describes the idempotency record of key (diagnostics).
func (r *run) record(p *member, key string) string {
	var rec idempotency.Record
	sum := sha256.Sum256([]byte(key))
	err := r.w.direct.Store.Get(context.Background(), "IDEM#"+p.id+"#"+hex.EncodeToString(sum[:]), "IDEM", &rec)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s owner %s lease until %s status %d", rec.State, rec.Owner, time.UnixMilli(rec.LeaseUntil).Format("15:04:05.000"), rec.Status)
}

func sorted(m map[string]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return d
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}
