package discussion_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// discPeople adapts the directory to discussion.People.
type discPeople struct{ p *testkit.Directory }

func (d discPeople) UserByID(ctx context.Context, id string) (discussion.Person, error) {
	v, err := d.p.UserByID(ctx, id)
	return discussion.Person{ID: v.ID, Name: v.Name}, err
}

func (d discPeople) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	return d.p.UserIDByEmail(ctx, email)
}

type fixture struct {
	t      testing.TB
	env    *testcloud.Env
	st     *store.Store
	groups *group.Service
	svc    *discussion.Service
	notes  *notify.Service
	fan    *notify.Fanouts
	people *testkit.Directory
	tag    string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, testcloud.Fast(t))
}

// newFixtureOn is newFixture on env (testcloud.New for the real tier).
func newFixtureOn(t testing.TB, env *testcloud.Env) *fixture {
	t.Helper()
	st := store.New(env.Clients.DynamoDB, env.Config.Table, env.Config.SigningKey)
	f := &fixture{t: t, env: env, st: st, people: testkit.NewDirectory(), tag: env.Prefix}
	f.groups = group.New(group.Config{Store: st, People: f.people, Mail: mail.NewSES(env.Clients.SES, "", env.Config.MailDomain),
		MailFrom: env.Config.MailFrom, BaseURL: env.Config.BaseURL, SigningKey: env.Config.SigningKey})
	f.notes = notify.New(st, nil)
	f.fan = cores.NewFanouts(f.notes, f.groups, nil)
	f.svc = discussion.New(discussion.Config{
		Store: st, Policy: f.groups, People: discPeople{f.people}, Notify: f.notes,
		Uploads:    blob.NewUploads(env.Clients.S3, env.Config.UploadsBucket, env.Config.KMSKeyID, blob.DefaultLimits()),
		SigningKey: env.Config.SigningKey,
	})
	f.fan.Names, f.fan.Mentions = f.people, f.svc
	return f
}

func (f *fixture) user(name string) (context.Context, string) {
	ctx, p := f.people.User(name, f.tag)
	return ctx, p.ID
}

// drain expands every pending fan-out job now, as the stream's consumer
// does in a deployment (the scheduler's sweep with a clock far ahead).
func (f *fixture) drain() {
	f.t.Helper()
	_, err := f.fan.Sweep(context.Background(), time.Now().Add(time.Hour), 1000)
	f.must(err)
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// group creates a group with admin as its admin and members joined via the link.
func (f *fixture) group(admin context.Context, privacy authz.Privacy, members ...context.Context) string {
	f.t.Helper()
	g, err := f.groups.Create(admin, group.CreateInput{Name: "G " + f.tag, Privacy: string(privacy)})
	f.must(err)
	link, err := f.groups.JoinLink(admin, g.ID)
	f.must(err)
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, m := range members {
		_, err := f.groups.JoinViaLink(m, token)
		f.must(err)
	}
	return g.ID
}

func (f *fixture) thread(ctx context.Context, gid, title string) discussion.Thread {
	f.t.Helper()
	th, err := f.svc.StartThread(ctx, discussion.StartInput{GroupID: gid, Title: title, Description: "Let us *talk*."})
	f.must(err)
	return th
}

func (f *fixture) comment(ctx context.Context, tid, parent, body string) discussion.Item {
	f.t.Helper()
	c, err := f.svc.Comment(ctx, tid, discussion.CommentInput{ParentID: parent, Body: body})
	f.must(err)
	return c
}

func code(err error) domain.Code { return domain.ErrorCode(err) }

func anon() context.Context { return context.Background() }
