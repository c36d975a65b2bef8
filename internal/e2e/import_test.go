package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
)

// TestGroupImport (#16): the archive of a group export becomes a new group
// through the page: Zoe goes from her groups to the import page, chooses
// the zip (as in a file picker), imports it, follows the progress and
// opens the new group, where the thread, its comment under its author's
// placeholder name and the closed proposal's results are. The pages are
// accessible, keep the CSP and fit a phone.
func TestGroupImport(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ctx := context.Background()
	// The group to export, made through the cores (the export's own
	// browser test covers its pages).
	mk := func(email, name string) context.Context {
		u, err := a.Accounts.CreateUser(ctx, email, name)
		if err != nil {
			t.Fatal(err)
		}
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "s-" + name})
	}
	ada, ben := mk("ada-import@example.org", "Ada Lovelace"), mk("ben-import@example.org", "Ben Okafor")
	g, err := a.Groups.Create(ada, group.CreateInput{Name: "Orchard Friends", Privacy: "open"})
	must(t, err)
	_, err = a.Groups.Join(ben, g.ID)
	must(t, err)
	th, err := a.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Pruning the pears", Description: "When?"})
	must(t, err)
	_, err = a.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "In late winter."})
	must(t, err)
	d := poll.New(poll.TypeProposal)
	d.Title = "Prune in February"
	at := time.Now().Add(time.Hour).UTC()
	d.Settings.ClosingAt = &at
	p, err := a.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
	must(t, err)
	_, err = a.Decisions.Vote(ben, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}}})
	must(t, err)
	_, err = a.Decisions.Close(ada, p.ID)
	must(t, err)
	e, err := a.Exports.RequestGroup(ada, g.ID)
	must(t, err)
	for i := 0; i < 50; i++ {
		done, _, err := a.Exports.Step(ctx, e.ID)
		must(t, err)
		if done {
			break
		}
	}
	var j struct {
		store.Item
		Key string `dynamo:"Key"`
	}
	must(t, a.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &j))
	obj, err := s.env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.Config.UploadsBucket), Key: aws.String(facts.ExportsPrefix + j.Key)})
	must(t, err)
	raw, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	file := filepath.Join(t.TempDir(), "orchard-export.zip")
	must(t, os.WriteFile(file, raw, 0o600))

	zoe := s.person(t, "zoe", "Zoe Import")
	zoe.signedUp() // a minted session: signing in is other tests' subject
	zoe.open("/dashboard")
	zoe.follow("Groups")
	zoe.follow("Import a group from an export")
	zoe.sees("Import a group", "(imported)", "Not imported")
	zoe.RequireAccessible("import page")
	zoe.Do("choose the archive", chromedp.SetUploadFiles(zoe.field("Archive of a group export (.zip, at most 25 MB)"), []string{file}))
	zoe.submit("Import")
	zoe.sees("The import has started", "Waiting to start")
	for _, w := range []int64{1280, 390} {
		zoe.at(w, "group-import-started")
	}
	for i := 0; i < 20; i++ {
		r, err := a.Tick(ctx, time.Now())
		must(t, err)
		if r.Imports.Finished > 0 {
			break
		}
	}
	zoe.follow("Refresh to see the progress")
	zoe.sees("Done.", "Threads: 1, polls: 1.")
	zoe.RequireAccessible("import done")
	zoe.checkCSP("import done")
	for _, w := range []int64{1280, 390} {
		zoe.at(w, "group-import-done")
	}
	zoe.follow("Open the group")
	zoe.sees("Orchard Friends", "Pruning the pears")
	zoe.follow("Pruning the pears")
	zoe.sees("In late winter.", "Ben Okafor (imported)", "Prune in February")
	zoe.RequireAccessible("imported thread")
	for _, w := range []int64{1280, 390} {
		zoe.at(w, "group-import-thread")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
