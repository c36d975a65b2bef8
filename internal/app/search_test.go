package app_test

// Search through the running local cloud: the application of the
// authorization matrix (its people, groups and guest), DynamoDB Local's
// stream read by the same consumers functions/mailer runs in the cloud
// (internal/cores/consumers), and GET /api/v1/search and /search through the
// real handler as every actor of the matrix.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/cores/consumers/localstream"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
)

type searchHit struct {
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	GroupID     string `json:"group_id"`
	ThreadID    string `json:"thread_id"`
	PollID      string `json:"poll_id"`
	CommentID   string `json:"comment_id"`
	AuthorID    string `json:"author_id"`
	AuthorName  string `json:"author_name"`
	Passage     string `json:"passage"`
	PassageHTML string `json:"passage_html"`
	TitleHTML   string `json:"title_html"`
}

// searchAs sends GET /api/v1/search?<query> as act and returns the status,
// the hits and the raw body.
func (w *world) searchAs(act *actor, query url.Values) (int, []searchHit, string) {
	w.t.Helper()
	cookie := ""
	if act.session() {
		cookie = act.user.cookie
	}
	s := w.send(call{method: "GET", path: "/api/v1/search?" + query.Encode()}, act, cookie, nil)
	var body struct {
		Hits []searchHit `json:"hits"`
	}
	if s.code == 200 {
		if err := json.Unmarshal([]byte(s.body), &body); err != nil {
			w.t.Fatalf("search answer %q: %v", s.body, err)
		}
	}
	return s.code, body.Hits, s.body
}

// startStream runs the stream consumers on the world's table until the
// test ends: DynamoDB Local's stream through the poller functions/mailer
// uses, or memdb's records (newStreamWorld) handed to the same dispatcher
// in batches of at most 100, as Lambda's event source mapping does; a batch
// with failures is handed again from its first failed record.
func (w *world) startStream() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if w.env.Mem == nil {
			if err := localstream.Poll(ctx, w.a.Cores, slog.New(slog.DiscardHandler)); err != nil && ctx.Err() == nil {
				w.t.Errorf("stream: %v", err)
			}
			return
		}
		d := consumers.Dispatcher(w.a.Cores, slog.New(slog.DiscardHandler))
		after := ""
		for ctx.Err() == nil {
			recs := w.env.Mem.Stream(w.env.Config.Table, after)
			if len(recs) > 100 {
				recs = recs[:100]
			}
			if len(recs) == 0 {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			failed, err := d.HandleRecords(ctx, recs)
			if err != nil {
				return
			}
			next := recs[len(recs)-1].Change.SequenceNumber
			if len(failed) > 0 {
				// Hand the batch again from just before its first failure.
				next = after
				for _, r := range recs {
					if r.Change.SequenceNumber == failed[0] {
						break
					}
					next = r.Change.SequenceNumber
				}
				time.Sleep(20 * time.Millisecond)
			}
			after = next
		}
	}()
	w.t.Cleanup(func() { cancel(); <-done })
}

// waitFor searches as act until found reports true (the stream has
// delivered), failing after a generous deadline.
func (w *world) waitFor(act *actor, query url.Values, what string, found func([]searchHit) bool) []searchHit {
	w.t.Helper()
	// A bound, not a measurement (freshness is benchmarked): the poller
	// reads every record the world's set-up wrote before the test's, and
	// DynamoDB Local on a loaded 2-core machine was seen to need more than
	// 30 s for that.
	const patience = 120 * time.Second
	deadline := time.Now().Add(patience)
	for {
		code, hits, body := w.searchAs(act, query)
		if code == 200 && found(hits) {
			return hits
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: not found through the stream within %s (status %d): %s", what, patience, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSearchFindsTheSecretPhraseOnlyForThoseAllowed places one phrase in
// every kind of place and searches for it as every actor: members, admins,
// a parent group's member, a thread guest, an outsider, bots, and nobody
// signed in. Deleted comments and threads, reasons of a poll hiding its
// results, the words of an erased account are found by nobody; reasons in
// an anonymous poll are found with no author.
//
// It runs on memdb's stream: DynamoDB Local's stream is proved by
// TestSearchIsFreshThroughTheStream, and this test's minute on DynamoDB
// Local was mostly the poller reading the world's set-up.
func TestSearchFindsTheSecretPhraseOnlyForThoseAllowed(t *testing.T) {
	t.Parallel()
	w := newStreamWorld(t)
	w.setUp()
	w.startStream()
	o := w.people["O"]
	phrase := "Zanzibar quokkas"
	// what names each placement: the comment's, thread's or poll's id → label.
	labels := map[string]string{}
	comment := func(ctx context.Context, tid, body, label string) discussion.Item {
		t.Helper()
		it, err := w.a.Discussions.Comment(ctx, tid, discussion.CommentInput{Body: body})
		w.must(err, "comment "+label)
		labels[it.ID] = label
		return it
	}
	thread := func(ctx context.Context, gid, title, label string) discussion.Thread {
		t.Helper()
		th, err := w.a.Discussions.StartThread(ctx, discussion.StartInput{GroupID: gid, Title: title})
		w.must(err, "thread "+label)
		labels[th.ID] = label
		return th
	}
	byKind := map[string]*fixture{}
	for _, f := range w.fixtures {
		byKind[f.kind] = f
		// In the thread the guest is invited to, and in another one.
		comment(o.ctx, f.ext["thread"], "In the guest's thread: "+phrase, "guest-thread/"+f.kind)
		thread(o.ctx, f.id, "Elsewhere: "+phrase, "other-thread/"+f.kind)
	}
	open, closed := byKind["open"], byKind["closed"]
	// Deleted: a comment and a thread of the open group.
	gone := comment(o.ctx, open.ext["thread"], "Deleted words: "+phrase, "deleted-comment")
	w.must(w.a.Discussions.DeleteComment(o.ctx, open.ext["thread"], gone.ID), "delete comment")
	goneThread := thread(o.ctx, open.id, "Deleted thread: "+phrase, "deleted-thread")
	w.must(w.a.Discussions.Delete(o.ctx, goneThread.ID), "delete thread")
	// A poll that hides results until it closes: M's reason is nobody's yet.
	hidden := w.newPoll(o.ctx, closed, poll.TypeProposal, false, func(d *poll.Definition) {
		d.Title = "Hidden results poll"
		d.Settings.HideResults = poll.HideUntilClosed
	})
	_, err := w.a.Decisions.Vote(w.people["M"].ctx, hidden.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "Hidden reason: " + phrase}})
	w.must(err, "vote in the hidden poll")
	labels[hidden.ID] = "hidden-reason"
	// An anonymous poll with results shown: M's reason, linked to nobody.
	anon := w.newPoll(o.ctx, closed, poll.TypeProposal, false, func(d *poll.Definition) {
		d.Title = "Anonymous poll"
		d.Settings.Anonymous = true
		d.Settings.HideResults = poll.HideOff
	})
	_, err = w.a.Decisions.Vote(w.people["M"].ctx, anon.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "Anonymous reason: " + phrase}})
	w.must(err, "vote in the anonymous poll")
	labels[anon.ID] = "anonymous-reason"
	// An account erased after writing: its words go with it.
	e := w.newPerson("E", "Erin Erased")
	w.joinVia(e, closed)
	comment(e.ctx, closed.ext["thread"], "Erased words: "+phrase, "erased-account")
	w.must(w.a.Store.Delete(context.Background(), "USER#"+e.id, "USER"), "erase the account")
	// The sentinel, written last: once M finds it, every record before it
	// has been through the stream.
	comment(o.ctx, closed.ext["thread"], "Sentinel pangolin", "sentinel")

	member := w.actors[2]
	w.waitFor(member, url.Values{"q": {"pangolin"}}, "the sentinel", func(h []searchHit) bool { return len(h) == 1 })

	found := func(hits []searchHit) string {
		var out []string
		for _, h := range hits {
			id := h.PollID
			switch h.Kind {
			case "comment":
				id = h.CommentID
			case "thread":
				id = h.ThreadID
			}
			l := labels[id]
			if l == "" {
				l = "unexpected-" + h.Kind
			}
			out = append(out, l)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	everywhere := "anonymous-reason guest-thread/closed guest-thread/open guest-thread/secret guest-thread/sub " +
		"other-thread/closed other-thread/open other-thread/secret other-thread/sub"
	// The polls are in the guest's thread of the closed group (newPoll):
	// the guest may read them too.
	guestOnly := "anonymous-reason guest-thread/closed guest-thread/open guest-thread/secret guest-thread/sub"
	openOnly := "guest-thread/open other-thread/open"
	for _, tc := range []struct {
		actor int    // index in w.actors
		group string // "" for every group of the searcher, else a fixture kind
		code  int
		want  string
	}{
		{0, "", 401, ""},
		{0, "open", 401, ""},
		{1, "", 200, ""}, // an outsider belongs nowhere
		{1, "open", 200, openOnly},
		{1, "closed", 403, ""},
		{1, "secret", 404, ""},
		{1, "sub", 404, ""},
		{2, "", 200, everywhere},
		{2, "secret", 200, "guest-thread/secret other-thread/secret"},
		{3, "", 200, everywhere},
		{4, "", 200, ""}, // the secret parent holds no phrase; its closed subgroup keeps threads to its members
		{4, "open", 200, openOnly},
		{4, "sub", 403, ""},
		{5, "", 200, guestOnly},
		{5, "secret", 200, "guest-thread/secret"},
		{5, "open", 200, openOnly},
		{6, "", 200, everywhere},
		{7, "", 200, ""},
		{7, "open", 200, openOnly},
		{7, "secret", 404, ""},
	} {
		act := w.actors[tc.actor]
		q := url.Values{"q": {phrase}, "limit": {"50"}}
		if tc.group != "" {
			q.Set("group", byKind[tc.group].id)
		}
		t.Run(fmt.Sprintf("%s in %q", act.name, tc.group), func(t *testing.T) {
			code, hits, body := w.searchAs(act, q)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, body)
			}
			if code != 200 {
				if !strings.Contains(body, `"status"`) {
					t.Errorf("the refusal is no problem+json body: %s", body)
				}
				if strings.Contains(body, "quokka") || strings.Contains(body, byKind["secret"].name) {
					t.Errorf("the refusal tells what it refused: %s", body)
				}
				return
			}
			if got := found(hits); got != tc.want {
				t.Errorf("found %q, want %q", got, tc.want)
			}
			for _, h := range hits {
				if h.Kind == "reason" && (h.AuthorID != "" || h.AuthorName != "") {
					t.Errorf("an anonymous reason names its author: %+v", h)
				}
				if !strings.Contains(h.PassageHTML+h.TitleHTML, "<mark>") {
					t.Errorf("no match marked in %q / %q", h.TitleHTML, h.PassageHTML)
				}
			}
			for _, h := range hits {
				if h.Kind == "reason" && h.AuthorID+h.AuthorName != "" {
					t.Errorf("an anonymous reason is linked to its voter: %+v", h)
				}
			}
		})
	}
}

// TestSearchIsFreshThroughTheStream: a new comment is found as soon as
// DynamoDB Local's stream delivers it to the consumers, an edit replaces
// its words and a deletion removes it just as fast (each within seconds;
// the deadline is only a bound for a broken pipeline).
func TestSearchIsFreshThroughTheStream(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	w.startStream()
	m := w.newPerson("M", "Milo Member")
	me := &actor{name: "member", user: m}
	g, err := w.a.Groups.Create(m.ctx, group.CreateInput{Name: "Bins committee", Privacy: "closed"})
	w.must(err, "create group")
	th, err := w.a.Discussions.StartThread(m.ctx, discussion.StartInput{GroupID: g.ID, Title: "Collection day"})
	w.must(err, "start thread")
	has := func(cid string) func([]searchHit) bool {
		return func(hs []searchHit) bool {
			for _, h := range hs {
				if h.CommentID == cid {
					return true
				}
			}
			return false
		}
	}
	none := func(hs []searchHit) bool { return len(hs) == 0 }

	start := time.Now()
	c, err := w.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: "We decided the bins go out on Tuesdays."})
	w.must(err, "comment")
	hits := w.waitFor(me, url.Values{"q": {"what did we decide about the bins"}}, "a new comment", has(c.ID))
	t.Logf("new comment findable after %s", time.Since(start).Round(time.Millisecond))
	if hits[0].CommentID != c.ID || hits[0].URL != "/threads/"+th.ID+"?comment="+c.ID+"#c-"+c.ID {
		t.Errorf("best hit %+v, want the comment linked at its anchor", hits[0])
	}

	start = time.Now()
	_, err = w.a.Discussions.EditComment(m.ctx, th.ID, c.ID, "The recycling goes out on Thursdays.", c.Version)
	w.must(err, "edit")
	w.waitFor(me, url.Values{"q": {"recycling"}}, "the edited words", has(c.ID))
	w.waitFor(me, url.Values{"q": {"Tuesdays"}}, "the words edited away", none)
	t.Logf("edit reflected after %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	w.must(w.a.Discussions.DeleteComment(m.ctx, th.ID, c.ID), "delete")
	w.waitFor(me, url.Values{"q": {"recycling"}}, "a deleted comment", none)
	t.Logf("deletion reflected after %s", time.Since(start).Round(time.Millisecond))
}
