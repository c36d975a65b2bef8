package cores_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// TestPersonalExportAcrossCores asks for Ben's personal export through the
// wired cores, runs the scheduler until it is ready, then reads the archive
// from the bucket: Ben's profile, membership, comment, reaction, ballot and
// reason are in it; his anonymous ballot is not (only that he voted, with
// the note why); nothing of Ada's is. The link works for Ben only, the
// item carries its 7-day TTL, and after 7 days the export is gone.
func TestPersonalExportAcrossCores(t *testing.T) {
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string, string) {
		addr := env.Prefix + "-" + name + "@example.org"
		p := testkit.NewPersonWithEmail(t, c.Accounts, name+" "+env.Prefix, addr)
		return p.Ctx, p.ID, addr
	}
	ada, adaID, adaAddr := person("ada")
	ben, benID, benAddr := person("ben")
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Garden " + env.Prefix, Handle: "garden-" + env.Prefix, Privacy: "open"})
	must(err, "group")
	_, err = c.Groups.Join(ben, g.ID)
	must(err, "join")
	th, err := c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Ada's secret thread", Description: "ada-description-words"})
	must(err, "thread")
	adaComment, err := c.Discussions.Comment(ada, th.ID, discussion.CommentInput{Body: "ada-comment-words"})
	must(err, "ada's comment")
	benComment, err := c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "ben-comment-words"})
	must(err, "ben's comment")
	must(c.Discussions.React(ben, th.ID, adaComment.ID, "heart", true), "ben reacts")
	must(c.Notifications.SetLevel(ctx, benID, notify.GroupScope(g.ID), notify.Loud), "level")
	// Ben uploads a file to his comment, Ada one to hers: Ben's archive
	// holds his file's contents, not Ada's.
	upload := func(who context.Context, cid, name, body string) string {
		t.Helper()
		up, err := c.Discussions.StartUpload(who, th.ID, discussion.UploadInput{CommentID: cid, Name: name, ContentType: "text/plain", Size: int64(len(body))})
		must(err, "start upload")
		r, _ := http.NewRequest(up.Put.Method, up.Put.URL, strings.NewReader(body))
		for k, v := range up.Put.Headers {
			r.Header.Set(k, v)
		}
		r.ContentLength = int64(len(body))
		resp, err := http.DefaultClient.Do(r)
		must(err, "put upload")
		_ = resp.Body.Close()
		_, err = c.Discussions.ConfirmUpload(who, th.ID, up.FileID)
		must(err, "confirm upload")
		return up.FileID
	}
	benFile := upload(ben, benComment.ID, "ben-notes.txt", "ben-file-contents")
	upload(ada, adaComment.ID, "ada-notes.txt", "ada-file-contents")
	proposal := func(title string, anonymous bool) string {
		d := poll.New(poll.TypeProposal)
		d.Title = title
		at := time.Now().Add(time.Hour).UTC()
		d.Settings.ClosingAt = &at
		d.Settings.Anonymous = anonymous
		p, err := c.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
		must(err, "poll "+title)
		return p.ID
	}
	vote := func(who context.Context, pid, reason string) {
		_, err := c.Decisions.Vote(who, pid, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: reason}})
		must(err, "vote")
	}
	open, anon := proposal("Open proposal", false), proposal("Anonymous proposal", true)
	vote(ben, open, "ben-reason-words")
	vote(ada, open, "ada-reason-words")
	vote(ben, anon, "ben-anonymous-reason")
	must(c.Decisions.React(ben, open, decision.ReactPoll, "heart", true), "ben reacts to the poll")
	must(c.Decisions.React(ada, open, decision.ReactPoll, "eyes", true), "ada reacts to the poll")

	// Asked for from settings: a browser session only, one at a time.
	if _, err := c.Exports.Request(authz.WithActor(ctx, authz.Actor{Kind: authz.Bot, UserID: benID, TokenID: "t"})); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("an API token asked for an export: %v", err)
	}
	e, err := c.Exports.Request(ben)
	must(err, "request")
	if e.State != export.Queued {
		t.Fatalf("state %q, want queued", e.State)
	}
	if _, err := c.Exports.Request(ben); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("a second export while one is pending: %v", err)
	}
	if _, _, err := c.Exports.Download(ben, e.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("download before ready: %v", err)
	}
	// The scheduler's ticks do the work, a bounded step at a time.
	for i := 0; ; i++ {
		r, err := c.Tick(ctx, time.Now())
		must(err, "tick")
		if r.Exports.Finished > 0 {
			break
		}
		if i == 20 {
			t.Fatalf("not ready after %d ticks", i)
		}
	}
	list, err := c.Exports.List(ben)
	must(err, "list")
	if len(list) != 1 || list[0].State != export.Ready || list[0].Step != list[0].Steps {
		t.Fatalf("exports = %+v", list)
	}
	if others, _ := c.Exports.List(ada); len(others) != 0 {
		t.Fatalf("Ada sees Ben's export: %+v", others)
	}

	// The archive, read from the bucket itself.
	var j struct {
		store.Item
		Key       string    `dynamo:"Key"`
		CreatedAt time.Time `dynamo:"CreatedAt"`
	}
	must(c.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &j), "the export item")
	if want := j.CreatedAt.Add(7 * 24 * time.Hour).Unix(); j.TTL != want {
		t.Errorf("TTL %d, want created + 7 days = %d", j.TTL, want)
	}
	obj, err := env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(env.Config.UploadsBucket),
		Key: aws.String(facts.ExportsPrefix + j.Key)})
	must(err, "the archive in the bucket")
	raw, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	files := unzip(t, raw)
	all := strings.Join(mapValues(files), "\n")
	for _, f := range []string{"README.txt", "profile.jsonl", "memberships.jsonl", "comments.jsonl", "reactions.jsonl",
		"ballots.jsonl", "anonymous_participation.jsonl", "notification_levels.jsonl", "sessions.jsonl", "email_preferences.jsonl"} {
		if _, ok := files[f]; !ok && f != "sessions.jsonl" {
			t.Errorf("%s missing from the archive (has %v)", f, keys(files))
		}
	}
	for _, want := range []string{benAddr, "ben-comment-words", `"reaction":"heart"`, "ben-reason-words", g.ID,
		`"poll_id":"` + anon + `"`, decision.AnonymousNote, `"level":"loud"`} {
		if !strings.Contains(all, want) {
			t.Errorf("the archive lacks %q", want)
		}
	}
	if pr := files["poll_reactions.jsonl"]; !strings.Contains(pr, `"poll_id":"`+open+`"`) || !strings.Contains(pr, `"reaction":"heart"`) ||
		strings.Contains(pr, "eyes") {
		t.Errorf("poll_reactions.jsonl: %q", pr)
	}
	for _, not := range []string{"ben-anonymous-reason", adaAddr, adaID, "ada-comment-words", "ada-reason-words", "ada-description-words"} {
		if strings.Contains(all, not) {
			t.Errorf("the archive holds %q, which is not Ben's", not)
		}
	}
	if got := files["files/"+benFile+"-ben-notes.txt"]; got != "ben-file-contents" {
		t.Errorf("Ben's uploaded file is not in the archive (%q; has %v)", got, keys(files))
	}
	if !strings.Contains(files["files.jsonl"], "ben-notes.txt") || !strings.Contains(files["README.txt"], "files/") {
		t.Errorf("files.jsonl or README.txt do not list Ben's file:\n%s\n%s", files["files.jsonl"], files["README.txt"])
	}
	if strings.Contains(all, "ada-file-contents") || strings.Contains(all, "ada-notes.txt") {
		t.Error("the archive holds Ada's file")
	}
	if strings.Contains(files["ballots.jsonl"], anon) {
		t.Errorf("the anonymous ballot is linked to Ben: %s", files["ballots.jsonl"])
	}
	if !strings.Contains(files["README.txt"], "anonymous") {
		t.Error("the README does not say why anonymous ballots are not in it")
	}

	// The ready email, in Ben's language.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = mail.Emulator{URL: env.Config.SESEndpoint}.WaitFor(wctx, benAddr, func(m mail.StoredMessage) bool {
		return m.Subject == "Your Quorum data export is ready" && strings.Contains(m.Body.Text, "/settings/export")
	})
	must(err, "the ready email")

	// The link: Ben's only, and it downloads the archive.
	if _, _, err := c.Exports.Download(ada, e.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("Ada asked for Ben's link: %v", err)
	}
	if _, _, err := c.Exports.Download(authz.WithActor(ctx, authz.Actor{Kind: authz.Bot, UserID: benID, TokenID: "t"}), e.ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("Ben's API token asked for the link: %v", err)
	}
	url, exp, err := c.Exports.Download(ben, e.ID)
	must(err, "Ben's link")
	if d := time.Until(exp); d > export.LinkTTL || d < export.LinkTTL-time.Minute {
		t.Errorf("the link lives %v", d)
	}
	resp, err := http.Get(url)
	must(err, "download")
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, raw) {
		t.Fatalf("download: %d, %d bytes (want %d)", resp.StatusCode, len(got), len(raw))
	}

	// After 7 days (DynamoDB's TTL may take a while): no longer listed,
	// no link.
	must(c.Store.Update("EXPORT#"+e.ID, "EXPORT").Set("CreatedAt", time.Now().Add(-7*24*time.Hour-time.Minute)).Run(ctx), "age the export")
	if _, _, err := c.Exports.Download(ben, e.ID); domain.ErrorCode(err) != domain.Gone {
		t.Fatalf("a link to an export older than 7 days: %v", err)
	}
	if list, _ := c.Exports.List(ben); len(list) != 0 {
		t.Fatalf("an export older than 7 days is listed: %+v", list)
	}

	// Deleting the account (its eraser) takes the export with it, item and
	// archive, read from the table and the bucket.
	_, err = c.Exports.Request(ben)
	must(err, "a pending export")
	done, err := c.Exports.EraseUser(ctx, benID)
	if err != nil || !done {
		t.Fatalf("erase: %v %v", done, err)
	}
	var left struct{ store.Item }
	if err := c.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &left); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("the export item outlived the account: %v", err)
	}
	if err := c.Store.Get(ctx, "EXPORTLOCK#USER#"+benID, "LOCK", &left); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("the lock outlived the account: %v", err)
	}
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(env.Config.UploadsBucket),
		Key: aws.String(facts.ExportsPrefix + j.Key)}); err == nil {
		t.Error("the archive outlived the account")
	}
}

func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		_ = r.Close()
		out[f.Name] = string(data)
	}
	return out
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestGroupExportAcrossCores exports a group as its admin: members may not
// ask; the export is in the group's record; the archive's JSON Lines, CSV
// tables and offline page hold the threads, comments, polls, results and
// outcomes; a poll hiding its results until it closes has neither results
// nor ballots in it; an anonymous poll's ballots carry no voter; members'
// addresses are not in it.
func TestGroupExportAcrossCores(t *testing.T) {
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string, string) {
		addr := env.Prefix + "-" + name + "@example.org"
		p := testkit.NewPersonWithEmail(t, c.Accounts, name+" "+env.Prefix, addr)
		return p.Ctx, p.ID, addr
	}
	ada, adaID, adaAddr := person("ada")
	ben, benID, benAddr := person("ben")
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Tenants " + env.Prefix, Handle: "tenants-" + env.Prefix, Privacy: "closed"})
	must(err, "group")
	inv, err := c.Groups.JoinLink(ada, g.ID)
	must(err, "join link")
	_, err = c.Groups.JoinViaLink(ben, inv[strings.LastIndex(inv, "/join/")+len("/join/"):])
	must(err, "join")
	th, err := c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Heating repairs", Description: "thread-description-words"})
	must(err, "thread")
	_, err = c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "=SUM(1) the radiator in flat 3 <b>leaks</b>"})
	must(err, "comment")
	proposal := func(title string, settings func(*poll.Settings)) string {
		d := poll.New(poll.TypeProposal)
		d.Title = title
		at := time.Now().Add(time.Hour).UTC()
		d.Settings.ClosingAt = &at
		settings(&d.Settings)
		p, err := c.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
		must(err, "poll "+title)
		return p.ID
	}
	vote := func(who context.Context, pid, reason string) {
		_, err := c.Decisions.Vote(who, pid, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: reason}})
		must(err, "vote")
	}
	closed := proposal("Hire a plumber", func(*poll.Settings) {})
	vote(ben, closed, "closed-poll-reason")
	_, err = c.Decisions.Close(ada, closed)
	must(err, "close")
	_, err = c.Decisions.SetOutcome(ada, closed, decision.OutcomeInput{Statement: "outcome-statement-words"})
	must(err, "outcome")
	hidden := proposal("Raise the fee", func(s *poll.Settings) { s.HideResults = poll.HideUntilClosed })
	vote(ben, hidden, "hidden-poll-reason")
	anon := proposal("Secret ballot", func(s *poll.Settings) { s.Anonymous = true })
	vote(ben, anon, "anonymous-poll-reason")
	_, err = c.Decisions.Close(ada, anon)
	must(err, "close the anonymous poll")
	// Tags: the thread and a poll carry theirs, by name and colour; the
	// group's definitions are their own entity (an unused one too). The
	// thread itself has a reaction.
	tagDef := func(name, colour string) string {
		tg, err := c.Tags.Create(ada, g.ID, tag.Input{Name: &name, Colour: &colour})
		must(err, "tag "+name)
		return tg.ID
	}
	urgent, boiler := tagDef("urgent-tag-name", "red"), tagDef("boiler-tag-name", "teal")
	tagDef("unused-tag-name", "purple")
	_, err = c.Discussions.SetThreadTags(ada, th.ID, []string{urgent, boiler})
	must(err, "tag the thread")
	_, err = c.Decisions.SetPollTags(ada, closed, []string{boiler})
	must(err, "tag the poll")
	must(c.Discussions.ReactThread(ben, th.ID, "eyes", true), "react to the thread")

	if _, err := c.Exports.RequestGroup(ben, g.ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("a member asked for the group's export: %v", err)
	}
	e, err := c.Exports.RequestGroup(ada, g.ID)
	must(err, "request")
	for i := 0; i < 100; i++ {
		done, _, err := c.Exports.Step(ctx, e.ID)
		must(err, "step")
		if done {
			break
		}
	}
	list, err := c.Exports.ListGroup(ada, g.ID)
	must(err, "list")
	if len(list) != 1 || list[0].State != export.Ready || !list[0].Mine {
		t.Fatalf("exports: %+v", list)
	}
	rec, err := c.Audit.List(ada, g.ID, "", 50)
	must(err, "record")
	found := false
	for _, en := range append(rec.Pending, rec.Entries...) {
		found = found || en.Action == audit.GroupExported
	}
	if !found {
		t.Errorf("the export is not in the group's record: %+v", rec)
	}
	if _, _, err := c.Exports.Download(ben, e.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("a member asked for the admin's link: %v", err)
	}

	var j struct {
		store.Item
		Key string `dynamo:"Key"`
	}
	must(c.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &j), "the export item")
	obj, err := env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(env.Config.UploadsBucket),
		Key: aws.String(facts.ExportsPrefix + j.Key)})
	must(err, "the archive")
	raw, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	files := unzip(t, raw)
	for _, f := range []string{"README.txt", "group.jsonl", "index.html", "csv/group.csv", "csv/members.csv", "csv/threads.csv",
		"csv/timeline.csv", "csv/polls.csv", "csv/results.csv", "csv/outcomes.csv", "csv/ballots.csv", "csv/tags.csv"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s missing (has %v)", f, keys(files))
		}
	}
	jl := files["group.jsonl"]
	for _, want := range []string{"thread-description-words", "the radiator in flat 3", "closed-poll-reason",
		"outcome-statement-words", "anonymous-poll-reason", `"hidden_until":"close"`, "ben " + env.Prefix} {
		if !strings.Contains(jl, want) {
			t.Errorf("group.jsonl lacks %q", want)
		}
	}
	all := strings.Join(mapValues(files), "\n")
	for _, not := range []string{"hidden-poll-reason", adaAddr, benAddr} {
		if strings.Contains(all, not) {
			t.Errorf("the archive holds %q", not)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(jl), "\n") {
		if strings.Contains(l, `"entity":"ballots"`) && strings.Contains(l, anon) && strings.Contains(l, benID) {
			t.Errorf("an anonymous ballot names its voter: %s", l)
		}
	}
	type tagged struct {
		Entity string
		Data   struct {
			ID, Name, Colour string
			Title            string
			Definition       struct{ Title string }
			Tags             []struct{ ID, Name, Colour string }
			Reactions        map[string]int
		}
	}
	var defs []string
	threadTags, pollTags := map[string]string{}, map[string]string{}
	var threadReacts map[string]int
	for _, l := range strings.Split(strings.TrimSpace(jl), "\n") {
		var row tagged
		must(json.Unmarshal([]byte(l), &row), "a line of group.jsonl")
		var names []string
		for _, tg := range row.Data.Tags {
			names = append(names, tg.Name+"/"+tg.Colour)
		}
		switch row.Entity {
		case "tags":
			defs = append(defs, row.Data.Name+"/"+row.Data.Colour)
		case "threads":
			threadTags[row.Data.Title] = strings.Join(names, ",")
			threadReacts = row.Data.Reactions
		case "polls":
			pollTags[row.Data.Definition.Title] = strings.Join(names, ",")
		}
	}
	if got := strings.Join(defs, ","); got != "boiler-tag-name/teal,unused-tag-name/purple,urgent-tag-name/red" {
		t.Errorf("tag definitions in group.jsonl: %q", got)
	}
	if got := threadTags["Heating repairs"]; got != "boiler-tag-name/teal,urgent-tag-name/red" {
		t.Errorf("the thread's tags in group.jsonl: %q", got)
	}
	if threadReacts["eyes"] != 1 {
		t.Errorf("the thread's reactions in group.jsonl: %v", threadReacts)
	}
	if got, untagged := pollTags["Hire a plumber"], pollTags["Raise the fee"]; got != "boiler-tag-name/teal" || untagged != "" {
		t.Errorf("the polls' tags in group.jsonl: %q, %q", got, untagged)
	}
	if tc := files["csv/tags.csv"]; !strings.HasPrefix(tc, "id,colour,name\n") || !strings.Contains(tc, ",red,urgent-tag-name") {
		t.Errorf("csv/tags.csv:\n%s", tc)
	}
	if !strings.Contains(files["csv/threads.csv"], "urgent-tag-name") || !strings.Contains(files["csv/polls.csv"], "boiler-tag-name") {
		t.Errorf("the CSVs of threads and polls lack their tags:\n%s\n%s", files["csv/threads.csv"], files["csv/polls.csv"])
	}
	for _, want := range []string{"Tags: boiler-tag-name (teal), urgent-tag-name (red)", "Tags: boiler-tag-name (teal)</p>",
		"unused-tag-name"} {
		if !strings.Contains(files["index.html"], want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if !strings.Contains(files["csv/timeline.csv"], "'=SUM(1)") {
		t.Errorf("a formula in a comment is not neutralised in the CSV: %s", files["csv/timeline.csv"])
	}
	page := files["index.html"]
	for _, want := range []string{"Heating repairs", "the radiator in flat 3 &lt;b&gt;leaks&lt;/b&gt;", "outcome-statement-words",
		"Results are hidden until the poll closes", "Hire a plumber"} {
		if !strings.Contains(page, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("index.html is not self-contained")
	}

	// A second export, made as exports were before the owner index item
	// existed (its index item removed): the account's erasure finds it too.
	old, err := c.Exports.RequestGroup(ada, g.ID)
	must(err, "an older export")
	for i := 0; i < 100; i++ {
		done, _, err := c.Exports.Step(ctx, old.ID)
		must(err, "step")
		if done {
			break
		}
	}
	var oldJob struct {
		store.Item
		Key string `dynamo:"Key"`
	}
	must(c.Store.Get(ctx, "EXPORT#"+old.ID, "EXPORT", &oldJob), "the older export item")
	must(c.Store.Delete(ctx, "USER#"+adaID, "GROUPEXPORT#"+old.ID), "drop the older export's index item")

	// The admin deletes their account: the group exports they asked for go,
	// items and archives with every version.
	var done bool
	for i := 0; i < 10 && !done; i++ {
		done, err = c.Exports.EraseUser(ctx, adaID)
		must(err, "erase the admin")
	}
	if !done {
		t.Fatal("erasing the admin's exports never finished")
	}
	for _, k := range []string{old.ID, e.ID} {
		var gone struct{ store.Item }
		if err := c.Store.Get(ctx, "EXPORT#"+k, "EXPORT", &gone); domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("group export %s outlived its admin's account: %v", k, err)
		}
	}
	if n := exportVersions(t, env, oldJob.Key); n != 0 {
		t.Errorf("%d versions of the older archive outlived the admin's account", n)
	}
	var left struct{ store.Item }
	if err := c.Store.Get(ctx, "EXPORT#"+e.ID, "EXPORT", &left); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("the group export outlived its admin's account: %v", err)
	}
	if n := exportVersions(t, env, j.Key); n != 0 {
		t.Errorf("%d versions of the archive outlived the admin's account", n)
	}
	// The group's erasure takes the group's other exports.
	e2, err := c.Exports.RequestGroup(ada, g.ID)
	must(err, "another export")
	for i := 0; i < 100; i++ {
		done, _, err := c.Exports.Step(ctx, e2.ID)
		must(err, "step")
		if done {
			break
		}
	}
	must(c.Store.Get(ctx, "EXPORT#"+e2.ID, "EXPORT", &j), "the second export item")
	done, err = c.Exports.EraseGroup(ctx, g.ID)
	if err != nil || !done {
		t.Fatalf("erase the group's exports: %v %v", done, err)
	}
	if list, err := c.Exports.ListGroup(ada, g.ID); err != nil || len(list) != 0 {
		t.Errorf("exports left after the group's erasure: %+v %v", list, err)
	}
	if n := exportVersions(t, env, j.Key); n != 0 {
		t.Errorf("%d versions of the group's archive left", n)
	}
}

// exportVersions counts the versions and delete markers of an export object.
func exportVersions(t *testing.T, env *testcloud.Env, key string) int {
	t.Helper()
	out, err := env.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(env.Config.UploadsBucket), Prefix: aws.String(facts.ExportsPrefix + key)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Versions) + len(out.DeleteMarkers)
}
