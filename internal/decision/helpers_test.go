package decision_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// recorder is a Notifier that keeps every notice.
type recorder struct {
	mu      sync.Mutex
	notices []decision.Notice
}

func (r *recorder) Notify(_ context.Context, n decision.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) of(kind decision.NoticeKind) []decision.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []decision.Notice
	for _, n := range r.notices {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

type fixture struct {
	t      testing.TB
	env    *testcloud.Env
	st     *store.Store
	groups *group.Service
	svc    *decision.Service
	clock  *testkit.Clock
	notes  *recorder
	tag    string
}

// newFixture runs the cores on the in-memory table (the fast tier).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, testcloud.Fast(t))
}

// newRealFixture runs them on DynamoDB Local, for what only it proves.
func newRealFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, testcloud.New(t))
}

func newFixtureOn(t testing.TB, env *testcloud.Env) *fixture {
	t.Helper()
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	f := &fixture{t: t, env: env, st: st, clock: testkit.NewLiveClock(), notes: &recorder{}, tag: env.Prefix}
	f.wire(env.Config.SigningKey)
	return f
}

// wire builds the group and decision services on f.st.
func (f *fixture) wire(key []byte) {
	f.groups = group.New(group.Config{Store: f.st, SigningKey: key, Now: f.clock.Now})
	f.svc = decision.New(decision.Config{Store: f.st, Groups: f.groups, Notifier: f.notes, Now: f.clock.Now})
}

// as returns a context acting as user name.
func (f *fixture) as(name string) context.Context { return testkit.As(f.uid(name)) }

func (f *fixture) uid(name string) string { return "u" + strings.ToLower(name) + f.tag }

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// group creates a group administered by admin and joined by members.
func (f *fixture) group(privacy authz.Privacy, admin string, members ...string) string {
	f.t.Helper()
	g, err := f.groups.Create(f.as(admin), group.CreateInput{Name: "Group " + admin, Privacy: string(authz.Open)})
	f.must(err)
	for _, m := range members {
		_, err := f.groups.Join(f.as(m), g.ID)
		f.must(err)
	}
	if privacy != authz.Open {
		priv := string(privacy)
		cur, err := f.groups.Get(f.as(admin), g.ID)
		f.must(err)
		_, err = f.groups.Update(f.as(admin), g.ID, group.UpdateInput{Version: cur.Version, Privacy: &priv})
		f.must(err)
	}
	return g.ID
}

func (f *fixture) closing(d time.Duration) *time.Time {
	t := f.clock.Now().Add(d).UTC()
	return &t
}

// definition returns a valid definition of type t closing in 3 days.
func (f *fixture) definition(t poll.Type, tweak func(*poll.Definition)) poll.Definition {
	d := poll.New(t)
	d.Title = "Decide " + string(t)
	switch t {
	case poll.TypePoll, poll.TypeScore, poll.TypeDotVote, poll.TypeRankedChoice:
		d.Options = []poll.Option{{ID: "a", Label: "Alpha"}, {ID: "b", Label: "Beta"}, {ID: "c", Label: "Gamma"}}
	}
	d.Settings.ClosingAt = f.closing(72 * time.Hour)
	if tweak != nil {
		tweak(&d)
	}
	return d
}

func (f *fixture) create(ctx context.Context, gid string, d poll.Definition, voters ...string) decision.Poll {
	f.t.Helper()
	p, err := f.svc.Create(ctx, decision.CreateInput{GroupID: gid, Definition: d, Voters: voters})
	f.must(err)
	return p
}

func one(id string) poll.Ballot { return poll.Ballot{Choices: []poll.Choice{{OptionID: id, Score: 1}}} }

func code(err error) domain.Code { return domain.ErrorCode(err) }

func (f *fixture) recountClean(pid string) decision.RecountReport {
	f.t.Helper()
	rep, err := f.svc.Recount(context.Background(), pid)
	f.must(err)
	if len(rep.Differences) != 0 || rep.Stored.Negative() {
		f.t.Fatalf("recount differs: %v", rep.Differences)
	}
	return rep
}
