package faults

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// retryUntilFinal sends the same keyed request until it gets an answer that
// is not "try again" (503, 409 with Retry-After, no answer at all), waiting
// as Retry-After says; it gives up after limit.
func (w *world) retryUntilFinal(p *member, method, path, body, key string, limit time.Duration) (answer, int) {
	deadline := time.Now().Add(limit)
	tries := 0
	for {
		tries++
		a := w.call(p, method, path, body, key, 30*time.Second)
		again := a.status == 0 || a.status == 503 || (a.status == 409 && a.retryAfter != "")
		if !again || time.Now().After(deadline) {
			return a, tries
		}
		wait := time.Duration(max(a.retryAfterSeconds(), 1)) * time.Second
		time.Sleep(min(wait, 2*time.Second))
	}
}

// roomy are the bounds of tests that lose one answer and expect the SDK's
// retry to succeed: no outage, so nothing needs to answer fast, and a
// loaded machine must not turn the retry into a 503.
var roomy = timing{request: 30 * time.Second, attempt: 5 * time.Second, budget: 15 * time.Second}

// comments counts the comments of the world's thread by body.
func (w *world) comments() map[string]int {
	w.t.Helper()
	out, cursor := map[string]int{}, ""
	for {
		var page struct {
			Items []struct {
				Kind string `json:"kind"`
				Body string `json:"body"`
			} `json:"items"`
			Next string `json:"next"`
		}
		path := "/api/v1/threads/" + w.thread + "/timeline?limit=1000"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		w.get(w.people[0], path, &page)
		for _, it := range page.Items {
			if it.Kind == "comment" {
				out[it.Body]++
			}
		}
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

// copies counts the comments of the world's thread whose body is body.
// alreadyApplied is the answer to a retry of a request whose effect was
// applied while its own answer was lost.
func alreadyApplied(a answer) bool {
	return a.status == 409 && a.replayed && strings.Contains(string(a.body), "already applied")
}

func (w *world) copies(body string) int { return w.comments()[body] }

// Issue 12 item 1, "DynamoDB died while the request was in flight": the
// table is paused (SIGSTOP) just as the comment's transaction reaches it,
// the request and its client give up, and the table resumes and works
// through what it had received: the transaction, and the release of the
// claim. Whatever their order, the comment sent again with its key ends
// posted exactly once, answered 201 (the release came first and the stale
// transaction failed on the claim) or 409 "already applied" (the other
// way round); before, the key answered 409 "being processed" for 24 hours.
func TestKeyOfARequestCaughtInAPauseCanBeRetried(t *testing.T) {
	px := newDDBProxy(t, only("TransactWriteItems"))
	w := newWorld(t, px.endpoint(), timing{request: 3 * time.Second, attempt: 500 * time.Millisecond, budget: 2 * time.Second}, 2, 0)
	p, cloud := w.people[1], dynamo(t)
	body := `{"body":"Posted during a pause"}`
	px.set(pauseOnce)
	first := w.call(p, "POST", "/api/v1/threads/"+w.thread+"/comments", body, "paused-comment-1", 4*time.Second)
	time.Sleep(time.Second)
	if err := cloud.Signal("dynamodb", syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if px.paused.Load() != 1 || first.status == 201 {
		t.Fatalf("paused %d times; first answer %s", px.paused.Load(), first)
	}
	a, tries := w.retryUntilFinal(p, "POST", "/api/v1/threads/"+w.thread+"/comments", body, "paused-comment-1", time.Minute)
	applied := alreadyApplied(a)
	if a.status != 201 && !applied {
		t.Fatalf("the comment sent again with its key (%d tries): %s", tries, a)
	}
	if n := w.copies("Posted during a pause"); n != 1 {
		t.Fatalf("%d copies of the comment (answer %s)", n, a)
	}
	if a.status == 201 {
		again := w.call(p, "POST", "/api/v1/threads/"+w.thread+"/comments", body, "paused-comment-1", time.Minute)
		if again.status != 201 || !again.replayed || string(again.body) != string(a.body) {
			t.Fatalf("a retry after success must replay it: %s (replayed %v)", again, again.replayed)
		}
	}
}

// Issue 12 item 1: a client that goes away, and a request that reaches its
// deadline, while the effect's transaction waits for the table leave a key
// that the very next retry can use: the claim is released with a context
// that outlives the request.
func TestKeyIsReleasedWhenTheRequestEnds(t *testing.T) {
	for _, c := range []struct {
		name        string
		tm          timing
		clientLimit time.Duration
	}{
		{"client went away", timing{request: time.Minute, attempt: 10 * time.Second, budget: 30 * time.Second}, 2 * time.Second},
		{"request deadline", timing{request: 2 * time.Second, attempt: 10 * time.Second, budget: 30 * time.Second}, time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			px := newDDBProxy(t, only("TransactWriteItems"))
			w := newWorld(t, px.endpoint(), c.tm, 2, 0)
			p := w.people[1]
			text := "Sent as the request ended: " + c.name
			body := fmt.Sprintf(`{"body":%q}`, text)
			key := "ended-" + strings.ReplaceAll(c.name, " ", "-")
			px.set(hang)
			first := w.call(p, "POST", "/api/v1/threads/"+w.thread+"/comments", body, key, c.clientLimit)
			if first.status == 201 {
				t.Fatalf("posted although its transaction got no answer: %s", first)
			}
			px.set(pass)
			// The server settles the claim right after the request ends;
			// a client may come back at once. Allow it a moment.
			var a answer
			for range 50 {
				a = w.call(p, "POST", "/api/v1/threads/"+w.thread+"/comments", body, key, time.Minute)
				if a.status == 201 || alreadyApplied(a) {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			// 201 from the retry that ran it; or, when that retry's own
			// effect outran a slow table's answer (the 2 s deadline on a
			// loaded machine), 409 "already applied" on the next one. A
			// claim still held would answer "being processed" instead.
			applied := alreadyApplied(a)
			if (a.status != 201 || a.replayed) && !applied {
				t.Fatalf("the same request with the same key: %s (replayed %v)", a, a.replayed)
			}
			if n := w.copies(text); n != 1 {
				t.Fatalf("%d copies", n)
			}
		})
	}
}

// Issue 12 item 1, "two comments that were written answered 409 instead of
// replaying": the write of a request is applied but its answer is lost, so
// the SDK sends it again, and the retry fails its own condition. That is
// not a conflict: the request succeeds once, and a retry with its key
// replays it. For a keyed comment the transaction carries the idempotency
// record (and its ClientRequestToken); for a thread started without a key
// (a single put) the item's WriteID shows that the write was this one.
func TestLostAnswerIsNotAConflict(t *testing.T) {
	for _, c := range []struct {
		name, op, path, body, key, text string
		who                             int
		count                           func(w *world, text string) int
	}{
		{"comment, a transaction", "TransactWriteItems", "/api/v1/threads/{tid}/comments", `{"body":"Answer lost on the way back"}`,
			"lost-answer-1", "Answer lost on the way back", 1, (*world).copies},
		// Starting a thread is a transaction since its notices became a
		// fan-out job; an invitation is still one conditional put.
		{"invitation, a single put", "PutItem", "/api/v1/groups/{gid}/invitations", `{"emails":["lost-answer@example.org"],"role":"member"}`,
			"", "lost-answer@example.org", 0, (*world).invitations},
	} {
		t.Run(c.name, func(t *testing.T) {
			px := newDDBProxy(t, only(c.op))
			w := newWorld(t, px.endpoint(), roomy, 2, 0)
			p := w.people[c.who]
			path := strings.NewReplacer("{tid}", w.thread, "{gid}", w.group).Replace(c.path)
			px.set(loseOnce)
			a := w.call(p, "POST", path, c.body, c.key, time.Minute)
			if px.lost.Load() != 1 {
				t.Fatalf("the proxy lost %d answers", px.lost.Load())
			}
			if a.status != 201 {
				t.Fatalf("a write whose first answer was lost: %s", a)
			}
			if n := c.count(w, c.text); n != 1 {
				t.Fatalf("%d copies", n)
			}
			if c.key == "" {
				return
			}
			again := w.call(p, "POST", path, c.body, c.key, time.Minute)
			if again.status != 201 || !again.replayed || string(again.body) != string(a.body) {
				t.Fatalf("retry: %s (replayed %v)", again, again.replayed)
			}
		})
	}
}

// The one answer that cannot be replayed: the effect was applied, its
// answer was lost and every attempt after it failed, so the first request
// answered 503. Its retries say "already applied" (409, Idempotent-Replayed)
// and never apply it a second time: neither a comment (a transaction) nor a
// thread (a single put, which a keyed request writes in a transaction with
// its idempotency record; before, the released key let the retry start a
// second thread).
func TestAppliedEffectWithoutAnAnswerIsNeverRepeated(t *testing.T) {
	for _, c := range []struct {
		name, path, body, text string
		count                  func(w *world, text string) int
	}{
		{"comment", "/api/v1/threads/{tid}/comments", `{"body":"Applied in the dark"}`, "Applied in the dark", (*world).copies},
		{"thread", "/api/v1/groups/{gid}/threads", `{"title":"Started in the dark"}`, "Started in the dark", (*world).threads},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Only the effect's write is faulted (its body holds the text),
			// whatever call carries it.
			px := newDDBProxy(t, containing(c.text))
			w := newWorld(t, px.endpoint(), timing{request: 5 * time.Second, attempt: 500 * time.Millisecond, budget: 2 * time.Second}, 2, 0)
			p := w.people[1]
			path := strings.NewReplacer("{tid}", w.thread, "{gid}", w.group).Replace(c.path)
			key := "applied-in-the-dark-" + c.name
			px.set(loseThenHang)
			first := w.call(p, "POST", path, c.body, key, time.Minute)
			px.set(pass)
			if px.lost.Load() != 1 {
				t.Fatalf("the proxy lost %d answers", px.lost.Load())
			}
			checkUnavailable(t, "the first attempt", first)
			a, tries := w.retryUntilFinal(p, "POST", path, c.body, key, time.Minute)
			var prob struct {
				Detail string `json:"detail"`
			}
			_ = json.Unmarshal(a.body, &prob)
			if a.status != 409 || !a.replayed || a.retryAfter != "" || !strings.Contains(prob.Detail, "already applied") {
				t.Errorf("retry (%d tries): %s (replayed %v)", tries, a, a.replayed)
			}
			if n := c.count(w, c.text); n != 1 {
				t.Fatalf("%d copies", n)
			}
		})
	}
}

// invitations counts the group's open invitations to addr.
func (w *world) invitations(addr string) int {
	return w.listed("/api/v1/groups/"+w.group+"/invitations?limit=100", "email", addr)
}

// threads counts the world's group's threads titled title.
func (w *world) threads(title string) int {
	return w.listed("/api/v1/groups/"+w.group+"/threads?limit=100", "title", title)
}

// listed counts the items of the list at path (read as the group's owner)
// whose field is value.
func (w *world) listed(path, field, value string) int {
	w.t.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	w.get(w.people[0], path, &page)
	n := 0
	for _, it := range page.Items {
		if it[field] == value {
			n++
		}
	}
	return n
}
