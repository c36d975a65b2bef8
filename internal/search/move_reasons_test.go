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
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// TestMovedPollsReasonsAndOutcomesFollowTheirThread moves a thread whose
// polls hold a named reason, an anonymous (sealed) reason and an outcome:
// after the move they are found in the new group and never in the old
// one, even when the indexer applies the ballots' and the outcome's
// records before their polls' (it would file them under the polls' stale
// documents otherwise). It fails without the move's re-filing phase.
func TestMovedPollsReasonsAndOutcomesFollowTheirThread(t *testing.T) {
	def := tabledef.MainTable("movereasons")
	db, err := memdb.NewWithTable(def, memdb.Options{Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("move-test-signing-key-0123456789ab")
	st := store.New(db, def.Name, key)
	groups := group.New(group.Config{Store: st, SigningKey: key})
	people := names{"ualice": "Alice", "ubob": "Bob"}
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
	apply := func(recs []events.DynamoDBEventRecord) {
		t.Helper()
		if len(recs) == 0 {
			return
		}
		failed, err := indexer.HandleRecords(context.Background(), recs)
		if err != nil || len(failed) > 0 {
			t.Fatalf("indexer: %v %v", failed, err)
		}
	}
	// sync applies the new records; childrenFirst applies the ballots' and
	// outcomes' records in a batch before the rest.
	sync := func(childrenFirst bool) {
		t.Helper()
		for range 3 {
			var first, rest []events.DynamoDBEventRecord
			for _, r := range db.Stream(def.Name, "") {
				if r.Change.SequenceNumber <= seq {
					continue
				}
				seq = r.Change.SequenceNumber
				sk := r.Change.Keys["SK"].String()
				if childrenFirst && (strings.HasPrefix(sk, "BALLOT#") || strings.HasPrefix(sk, "SEALED#") || sk == "OUTCOME") {
					first = append(first, r)
				} else {
					rest = append(rest, r)
				}
			}
			if len(first)+len(rest) == 0 {
				return
			}
			apply(first)
			apply(rest)
		}
	}
	a, err := groups.Create(as("ualice"), group.CreateInput{Name: "Street", Privacy: string(authz.Open)})
	must(err)
	_, err = groups.Join(as("ubob"), a.ID)
	must(err)
	b, err := groups.Create(as("ualice"), group.CreateInput{Name: "Board", Privacy: string(authz.Secret)})
	must(err)
	th, err := disc.StartThread(as("ualice"), discussion.StartInput{GroupID: a.ID, Title: "The summer fair"})
	must(err)
	closing := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypePoll)
	d.Title = "Which stalls?"
	d.Options = []poll.Option{{ID: "a", Label: "Cakes"}, {ID: "b", Label: "Books"}}
	d.Settings.ClosingAt = &closing
	p, err := dec.Create(as("ualice"), decision.CreateInput{GroupID: a.ID, ThreadID: th.ID, Definition: d})
	must(err)
	_, err = dec.Vote(as("ubob"), p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 1}},
		Reason: "lanterns over the cake stall"}})
	must(err)
	_, err = dec.Close(as("ualice"), p.ID)
	must(err)
	_, err = dec.SetOutcome(as("ualice"), p.ID, decision.OutcomeInput{Statement: "Lanterns and cakes it is"})
	must(err)
	an := poll.New(poll.TypePoll)
	an.Title = "Secret stalls vote"
	an.Options = d.Options
	an.Settings.ClosingAt = &closing
	an.Settings.Anonymous = true
	ap, err := dec.Create(as("ualice"), decision.CreateInput{GroupID: a.ID, ThreadID: th.ID, Definition: an})
	must(err)
	_, err = dec.Vote(as("ubob"), ap.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "b", Score: 1}},
		Reason: "lanterns by the book stall"}})
	must(err)
	sync(false)

	find := func(gid string) string {
		t.Helper()
		res, err := ix.Search(context.Background(), search.Scope{UserID: "ualice", Groups: []string{gid}},
			search.Query{Text: "lanterns"}, allowAll{})
		must(err)
		var out []string
		for _, h := range res.Hits {
			out = append(out, string(h.Kind)+":"+h.AuthorID)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	const want = "outcome:ualice reason: reason:ubob"
	if got := find(a.ID); got != want {
		t.Fatalf("before the move, in A: %q, want %q", got, want)
	}
	res, err := disc.MoveThread(as("ualice"), th.ID, b.ID)
	must(err)
	if !res.Done {
		t.Fatalf("move: %+v", res)
	}
	sync(true)
	if got := find(a.ID); got != "" {
		t.Errorf("after the move, the old group's search finds %q", got)
	}
	if got := find(b.ID); got != want {
		t.Errorf("after the move, the new group's search finds %q, want %q", got, want)
	}
	// The index's counts follow: the old group holds none of them.
	res2, err := ix.Search(context.Background(), search.Scope{UserID: "ualice", Groups: []string{a.ID}},
		search.Query{Text: "cakes"}, allowAll{})
	must(err)
	if len(res2.Hits) != 0 {
		t.Errorf("the old group still finds %d hits for cakes", len(res2.Hits))
	}
}
