package search_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
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
	"github.com/quorum-app/quorum/internal/tag"
)

type names map[string]string

func (p names) UserByID(_ context.Context, id string) (discussion.Person, error) {
	if n, ok := p[id]; ok {
		return discussion.Person{ID: id, Name: n}, nil
	}
	return discussion.Person{}, domain.Errorf(domain.NotFound, "no such user")
}

func (p names) UserIDByEmail(context.Context, string) (string, bool, error) { return "", false, nil }

type allowAll struct{}

func (allowAll) CanSee(_ context.Context, hits []search.Hit) ([]bool, error) {
	out := make([]bool, len(hits))
	for i := range out {
		out[i] = true
	}
	return out, nil
}

// TestTheCoresItemsAreIndexed drives the real discussion and decision cores
// on memdb with its stream, hands the stream to the indexer and searches:
// the index reads the items as the cores write them.
func TestTheCoresItemsAreIndexed(t *testing.T) {
	def := tabledef.MainTable("cores")
	db, err := memdb.NewWithTable(def, memdb.Options{Streams: true})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("cores-test-signing-key-0123456789")
	st := store.New(db, def.Name, key)
	groups := group.New(group.Config{Store: st, SigningKey: key})
	people := names{"ualice": "Alice", "ubob": "Bob"}
	disc := discussion.New(discussion.Config{Store: st, Policy: groups, People: people, Notify: notify.New(st, nil), SigningKey: key})
	dec := decision.New(decision.Config{Store: st, Groups: groups})
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
		recs := db.Stream(def.Name, "")
		var fresh = recs[:0:0]
		for _, r := range recs {
			if r.Change.SequenceNumber > seq {
				fresh = append(fresh, r)
			}
		}
		if len(fresh) > 0 {
			seq = fresh[len(fresh)-1].Change.SequenceNumber
		}
		failed, err := indexer.HandleRecords(context.Background(), fresh)
		if err != nil || len(failed) > 0 {
			t.Fatalf("indexer: %v %v", failed, err)
		}
	}

	g, err := groups.Create(as("ualice"), group.CreateInput{Name: "Street", Privacy: string(authz.Open)})
	must(err)
	_, err = groups.Join(as("ubob"), g.ID)
	must(err)
	th, err := disc.StartThread(as("ualice"), discussion.StartInput{GroupID: g.ID, Title: "Recycling bins",
		Description: "Where do the **bins** go?"})
	must(err)
	c1, err := disc.Comment(as("ubob"), th.ID, discussion.CommentInput{Body: "The bins belong by the gate"})
	must(err)
	c2, err := disc.Comment(as("ubob"), th.ID, discussion.CommentInput{Body: "Or behind the shed with the bins"})
	must(err)
	_, err = disc.EditComment(as("ubob"), th.ID, c1.ID, "The bins belong by the fence", c1.Version)
	must(err)
	must(disc.DeleteComment(as("ubob"), th.ID, c2.ID))

	closing := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypePoll)
	d.Title, d.Details = "Which bins?", "Pick the colour of the new bins"
	d.Options = []poll.Option{{ID: "a", Label: "Green bins"}, {ID: "b", Label: "Grey bins"}}
	d.Settings.ClosingAt = &closing
	p, err := dec.Create(as("ualice"), decision.CreateInput{GroupID: g.ID, Definition: d})
	must(err)
	_, err = dec.Vote(as("ubob"), p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 1}},
		Reason: "green bins look friendlier"}})
	must(err)
	a := poll.New(poll.TypePoll)
	a.Title = "Secret bins vote"
	a.Options = d.Options
	a.Settings.ClosingAt = &closing
	a.Settings.Anonymous = true
	ap, err := dec.Create(as("ualice"), decision.CreateInput{GroupID: g.ID, Definition: a})
	must(err)
	_, err = dec.Vote(as("ubob"), ap.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "b", Score: 1}},
		Reason: "grey bins hide the dirt"}})
	must(err)
	_, err = dec.Close(as("ualice"), p.ID)
	must(err)
	_, err = dec.SetOutcome(as("ualice"), p.ID, decision.OutcomeInput{Statement: "We buy green bins in spring"})
	must(err)
	sync()

	scope := search.Scope{UserID: "ubob", Groups: []string{g.ID}}
	find := func(text string) []string {
		t.Helper()
		res, err := ix.Search(context.Background(), scope, search.Query{Text: text}, allowAll{})
		must(err)
		var out []string
		for _, h := range res.Hits {
			out = append(out, string(h.Kind)+":"+h.AuthorID)
		}
		sort.Strings(out)
		return out
	}
	got := strings.Join(find("bins"), " ")
	want := "comment:ubob outcome:ualice poll:ualice poll:ualice reason: reason:ubob thread:ualice"
	if got != want {
		t.Errorf("bins: got %s, want %s", got, want)
	}
	if got := find("fence"); len(got) != 1 {
		t.Errorf("the edit is not found: %v", got)
	}
	if got := find("gate"); len(got) != 0 {
		t.Errorf("the text before the edit is found: %v", got)
	}
	if got := find("shed"); len(got) != 0 {
		t.Errorf("a deleted comment is found: %v", got)
	}

	// Tags (internal/tag): the ids on a thread and a poll reach the index
	// with their items, and the search's tag filter keeps exactly them.
	name, colour := "Waste", "green"
	tg, err := disc.Tags().Create(as("ualice"), g.ID, tag.Input{Name: &name, Colour: &colour})
	must(err)
	_, err = disc.SetThreadTags(as("ualice"), th.ID, []string{tg.ID})
	must(err)
	_, err = dec.SetPollTags(as("ualice"), ap.ID, []string{tg.ID})
	must(err)
	sync()
	res, err := ix.Search(context.Background(), scope, search.Query{Text: "bins", Filters: search.Filters{Tags: []string{tg.ID}}}, allowAll{})
	must(err)
	var tagged []string
	for _, h := range res.Hits {
		if h.ThreadID != th.ID && h.PollID != ap.ID {
			t.Errorf("tag filter found %s %s/%s, which is not tagged", h.Kind, h.ThreadID, h.PollID)
		}
		tagged = append(tagged, string(h.Kind))
	}
	sort.Strings(tagged)
	if got := strings.Join(tagged, " "); got != "comment poll reason thread" {
		t.Errorf("tag filter: got %s, want the tagged thread, its comment, the tagged poll and its reason", got)
	}

	must(disc.Delete(as("ualice"), th.ID))
	sync()
	if got := find("fence"); len(got) != 0 {
		t.Errorf("a comment of a deleted thread is found: %v", got)
	}
	if got := strings.Join(find("bins"), " "); got != "outcome:ualice poll:ualice poll:ualice reason: reason:ubob" {
		t.Errorf("after deleting the thread: %s", got)
	}
}
