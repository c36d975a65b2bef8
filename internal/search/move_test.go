package search_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// TestMovedThreadIsSearchedInItsNewGroupOnly moves a thread with a comment
// and a poll from an open group to a secret one through the real cores on
// memdb with its stream: the old group's search finds nothing of it, the
// new group's finds the thread, the comment and the poll, and the poll
// followed (its group, its place in the group's decisions).
func TestMovedThreadIsSearchedInItsNewGroupOnly(t *testing.T) {
	def := tabledef.MainTable("move")
	db, err := memdb.NewWithTable(def, memdb.Options{Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("move-test-signing-key-0123456789ab")
	st := store.New(db, def.Name, key)
	groups := group.New(group.Config{Store: st, SigningKey: key})
	people := names{"ualice": "Alice", "ubob": "Bob", "ucarol": "Carol"}
	var dec *decision.Service
	disc := discussion.New(discussion.Config{Store: st, Policy: groups, People: people, Notify: notify.New(st, nil),
		SigningKey: key, Polls: cores.ThreadPolls{Decisions: &dec}})
	dec = decision.New(decision.Config{Store: st, Groups: groups, Threads: cores.PollThreads{Discussions: disc}})
	as := func(uid string) context.Context {
		return authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: uid})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ix, err := search.New(search.Config{DB: db, Table: def.Name, SigningKey: key, Threads: disc, Polls: dec})
	must(err)
	indexer := search.NewIndexer(ix, nil)
	seq := ""
	sync := func() {
		t.Helper()
		for range 3 { // the move's own writes cause more records
			var fresh []events.DynamoDBEventRecord
			for _, r := range db.Stream(def.Name, "") {
				if r.Change.SequenceNumber > seq {
					fresh = append(fresh, r)
				}
			}
			if len(fresh) == 0 {
				return
			}
			seq = fresh[len(fresh)-1].Change.SequenceNumber
			failed, err := indexer.HandleRecords(context.Background(), fresh)
			if err != nil || len(failed) > 0 {
				t.Fatalf("indexer: %v %v", failed, err)
			}
		}
	}
	a, err := groups.Create(as("ualice"), group.CreateInput{Name: "Street", Privacy: string(authz.Open)})
	must(err)
	_, err = groups.Join(as("ubob"), a.ID)
	must(err)
	b, err := groups.Create(as("ualice"), group.CreateInput{Name: "Board", Privacy: string(authz.Secret)})
	must(err)
	th, err := disc.StartThread(as("ualice"), discussion.StartInput{GroupID: a.ID, Title: "Lanterns for the fair"})
	must(err)
	_, err = disc.Comment(as("ubob"), th.ID, discussion.CommentInput{Body: "Paper lanterns are cheap"})
	must(err)
	closing := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypePoll)
	d.Title = "Which lanterns?"
	d.Options = []poll.Option{{ID: "a", Label: "Paper lanterns"}, {ID: "b", Label: "Glass lanterns"}}
	d.Settings.ClosingAt = &closing
	p, err := dec.Create(as("ualice"), decision.CreateInput{GroupID: a.ID, ThreadID: th.ID, Definition: d})
	must(err)
	sync()

	find := func(gid string) string {
		t.Helper()
		res, err := ix.Search(context.Background(), search.Scope{UserID: "ualice", Groups: []string{gid}},
			search.Query{Text: "lanterns"}, allowAll{})
		must(err)
		var out []string
		for _, h := range res.Hits {
			out = append(out, string(h.Kind))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	if got := find(a.ID); got != "comment poll thread" {
		t.Fatalf("before the move, in A: %q", got)
	}
	res, err := disc.MoveThread(as("ualice"), th.ID, b.ID)
	must(err)
	if !res.Done {
		t.Fatalf("move: %+v", res)
	}
	sync()
	if got := find(a.ID); got != "" {
		t.Errorf("after the move, the old group's search finds %q", got)
	}
	if got := find(b.ID); got != "comment poll thread" {
		t.Errorf("after the move, the new group's search finds %q", got)
	}
	// The poll followed its thread.
	got, err := dec.Get(as("ualice"), p.ID)
	must(err)
	if got.GroupID != b.ID {
		t.Errorf("poll group %s, want %s", got.GroupID, b.ID)
	}
	if _, err := dec.Get(as("ubob"), p.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("the old group's member reads the moved poll: %v", err)
	}
}
