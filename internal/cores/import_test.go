package cores_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// deployment is one Quorum installation of a round trip.
type deployment struct {
	t   *testing.T
	env *testcloud.Env
	c   *cores.Cores
}

func newDeployment(t *testing.T) *deployment {
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	return &deployment{t: t, env: env, c: c}
}

func (d *deployment) must(err error, what string) {
	d.t.Helper()
	if err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
}

func (d *deployment) person(name string) (context.Context, string) {
	d.t.Helper()
	p := testkit.NewPersonWithEmail(d.t, d.c.Accounts, name+" "+d.env.Prefix, d.env.Prefix+"-"+name+"@example.org")
	return p.Ctx, p.ID
}

// export runs a group export of gid to the end and returns its archive.
func (d *deployment) export(as context.Context, gid string) []byte {
	d.t.Helper()
	e, err := d.c.Exports.RequestGroup(as, gid)
	d.must(err, "export")
	return d.exportArchive(e.ID)
}

// exportArchive runs export id to the end and returns its archive.
func (d *deployment) exportArchive(id string) []byte {
	d.t.Helper()
	e := struct{ ID string }{id}
	for i := 0; ; i++ {
		done, _, err := d.c.Exports.Step(context.Background(), e.ID)
		d.must(err, "export step")
		if done {
			break
		}
		if i > 500 {
			d.t.Fatal("the export did not end")
		}
	}
	var j struct {
		store.Item
		Key string `dynamo:"Key"`
	}
	d.must(d.c.Store.Get(context.Background(), "EXPORT#"+e.ID, "EXPORT", &j), "the export item")
	return d.object(facts.ExportsPrefix + j.Key)
}

func (d *deployment) object(key string) []byte {
	d.t.Helper()
	obj, err := d.env.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(d.env.Config.UploadsBucket), Key: aws.String(key)})
	d.must(err, "object "+key)
	raw, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	return raw
}

// TestGroupImportRoundTrip builds a group with a poll of every type
// (proposal, poll, count, check, score, dot vote, ranked choice with one
// seat and with two, meeting, question), open and closed, anonymous and
// hiding results, with outcomes, tags, comments and replies; exports it,
// imports the archive into another deployment, exports that group and
// compares the two exports (ids, the import's dates and the members left
// aside; authors are placeholders of the same names) and every poll's
// results figures. Then it checks what the import promises besides: the
// importer is the only member and admin, the import is in the new group's
// record, tags filter the imported threads, the archive is deleted,
// another person can neither start nor see the import; and every step is
// run twice (as after a lost cursor update) without writing anything twice.
func TestGroupImportRoundTrip(t *testing.T) {
	src := newDeployment(t)
	ctx := context.Background()
	ada, _ := src.person("ada")
	ben, _ := src.person("ben")
	cat, _ := src.person("cat")
	g, err := src.c.Groups.Create(ada, group.CreateInput{Name: "Allotments " + src.env.Prefix, Handle: "allot-" + src.env.Prefix,
		Description: "Our plots.", Privacy: "closed"})
	src.must(err, "group")
	link, err := src.c.Groups.JoinLink(ada, g.ID)
	src.must(err, "join link")
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, who := range []context.Context{ben, cat} {
		_, err = src.c.Groups.JoinViaLink(who, token)
		src.must(err, "join")
	}
	red, err := src.c.Tags.Create(ada, g.ID, tag.Input{Name: ptr("budget"), Colour: ptr("red")})
	src.must(err, "tag")
	_, err = src.c.Tags.Create(ada, g.ID, tag.Input{Name: ptr("unused"), Colour: ptr("teal")})
	src.must(err, "tag")
	th, err := src.c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Water butts", Description: "Where to put them?"})
	src.must(err, "thread")
	c1, err := src.c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "By the shed."})
	src.must(err, "comment")
	c2, err := src.c.Discussions.Comment(cat, th.ID, discussion.CommentInput{ParentID: c1.ID, Body: "The shed leaks."})
	src.must(err, "reply")
	_, err = src.c.Discussions.Comment(ada, th.ID, discussion.CommentInput{ParentID: c2.ID, Body: "Then by the gate."})
	src.must(err, "reply to the reply")
	_, err = src.c.Discussions.SetThreadTags(ada, th.ID, []string{red.ID})
	src.must(err, "thread tags")
	th2, err := src.c.Discussions.StartThread(ben, discussion.StartInput{GroupID: g.ID, Title: "Compost", Description: "Rota?"})
	src.must(err, "thread 2")
	_, err = src.c.Discussions.Comment(ada, th2.ID, discussion.CommentInput{Body: "Weekly."})
	src.must(err, "comment 2")

	start := time.Now().Add(240 * time.Hour).UTC().Truncate(time.Hour)
	abc := []poll.Option{{ID: "a", Label: "Alpha"}, {ID: "b", Label: "Beta"}, {ID: "c", Label: "Gamma"}}
	one := func(id string) poll.Ballot { return poll.Ballot{Choices: []poll.Choice{{OptionID: id, Score: 1}}} }
	rank := func(ids ...string) poll.Ballot {
		var b poll.Ballot
		for _, id := range ids {
			b.Choices = append(b.Choices, poll.Choice{OptionID: id})
		}
		return b
	}
	type kase struct {
		title   string
		typ     poll.Type
		tweak   func(*poll.Definition)
		ballots [3]poll.Ballot // ada, ben, cat (no Choices and no Reason: no vote)
		close   bool
		outcome string
	}
	cases := []kase{
		{"Proposal", poll.TypeProposal, nil, [3]poll.Ballot{one("agree"), one("abstain"), one("disagree")}, true, "We agreed."},
		{"Open proposal", poll.TypeProposal, nil, [3]poll.Ballot{one("agree"), one("agree")}, false, ""},
		{"Anonymous proposal", poll.TypeProposal, func(d *poll.Definition) { d.Settings.Anonymous = true },
			[3]poll.Ballot{one("agree"), one("block"), one("agree")}, true, "Blocked."},
		{"Hidden proposal", poll.TypeProposal, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed },
			[3]poll.Ballot{one("agree")}, false, ""},
		{"Poll", poll.TypePoll, func(d *poll.Definition) { d.Options = abc; d.Settings.MaxChoices = 2 },
			[3]poll.Ballot{{Choices: []poll.Choice{{OptionID: "a"}, {OptionID: "b"}}}, one("c"), one("a")}, true, "Alpha."},
		{"Count", poll.TypeCount, nil, [3]poll.Ballot{one("accept"), one("accept"), one("decline")}, true, ""},
		{"Check", poll.TypeCheck, nil, [3]poll.Ballot{one("looks_good"), one("concerned")}, false, ""},
		{"Score", poll.TypeScore, func(d *poll.Definition) { d.Options = abc },
			[3]poll.Ballot{{Choices: []poll.Choice{{OptionID: "a", Score: 5}, {OptionID: "b", Score: 2}}},
				{Choices: []poll.Choice{{OptionID: "c", Score: 3}}}, {Choices: []poll.Choice{{OptionID: "a", Score: 1}}}}, true, ""},
		{"Open score", poll.TypeScore, func(d *poll.Definition) { d.Options = abc },
			[3]poll.Ballot{{Choices: []poll.Choice{{OptionID: "a", Score: 4}}}}, false, ""},
		{"Dots", poll.TypeDotVote, func(d *poll.Definition) { d.Options = abc },
			[3]poll.Ballot{{Choices: []poll.Choice{{OptionID: "a", Score: 5}, {OptionID: "b", Score: 3}}},
				{Choices: []poll.Choice{{OptionID: "c", Score: 8}}}}, true, ""},
		{"Ranked Schulze", poll.TypeRankedChoice, func(d *poll.Definition) { d.Options = abc },
			[3]poll.Ballot{rank("a", "b", "c"), rank("b", "c", "a"), rank("c", "a", "b")}, true, "Alpha by Schulze."},
		{"Ranked STV", poll.TypeRankedChoice, func(d *poll.Definition) {
			d.Options = append(append([]poll.Option{}, abc...), poll.Option{ID: "d", Label: "Delta"})
			d.Settings.Seats = 2
		}, [3]poll.Ballot{rank("a", "b", "c"), rank("a", "c", "d"), rank("d", "b", "a")}, true, ""},
		{"Meeting", poll.TypeMeeting, func(d *poll.Definition) {
			d.Options = []poll.Option{{ID: "m1", Start: start}, {ID: "m2", Start: start.Add(time.Hour)}}
		}, [3]poll.Ballot{{Choices: []poll.Choice{{OptionID: "m1", Score: 2}, {OptionID: "m2", Score: 1}}},
			{Choices: []poll.Choice{{OptionID: "m1", Score: 0}, {OptionID: "m2", Score: 2}}}}, true, "Tuesday."},
		{"Question", poll.TypeQuestion, nil, [3]poll.Ballot{{Reason: "More water."}, {Reason: "Less water."}}, true, ""},
	}
	voters := []context.Context{ada, ben, cat}
	for i, k := range cases {
		d := poll.New(k.typ)
		d.Title = k.title
		at := time.Now().Add(72 * time.Hour).UTC()
		d.Settings.ClosingAt = &at
		if k.tweak != nil {
			k.tweak(&d)
		}
		tid := th.ID
		if i%3 == 2 {
			tid = "" // some outside threads
		}
		p, err := src.c.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, ThreadID: tid, Definition: d})
		src.must(err, "poll "+k.title)
		for n, b := range k.ballots {
			if len(b.Choices) == 0 && b.Reason == "" {
				continue
			}
			if b.Reason == "" && n == 1 {
				b.Reason = "because " + k.title
			}
			_, err := src.c.Decisions.Vote(voters[n], p.ID, decision.VoteInput{Ballot: b})
			src.must(err, "vote in "+k.title)
		}
		if i == 0 {
			_, err = src.c.Decisions.SetPollTags(ada, p.ID, []string{red.ID})
			src.must(err, "poll tags")
		}
		if k.close {
			_, err = src.c.Decisions.Close(ada, p.ID)
			src.must(err, "close "+k.title)
		}
		if k.outcome != "" {
			_, err = src.c.Decisions.SetOutcome(ada, p.ID, decision.OutcomeInput{Statement: k.outcome})
			src.must(err, "outcome "+k.title)
		}
	}
	first := src.export(ada, g.ID)

	// Another deployment: Zoe imports the archive.
	dst := newDeployment(t)
	zoe, zoeID := dst.person("zoe")
	yan, _ := dst.person("yan")
	if _, err := dst.c.Exports.StartImport(zoe, 0); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("an empty archive: %v", err)
	}
	job, err := dst.c.Exports.StartImport(zoe, int64(len(first)))
	dst.must(err, "start the import")
	if job.State != export.Uploading || job.Upload == nil {
		t.Fatalf("import %+v", job)
	}
	if _, err := dst.c.Exports.Begin(zoe, job.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("begun before the upload: %v", err)
	}
	testcloud.PutPresigned(t, blobPut(job.Upload), first)
	if _, err := dst.c.Exports.Begin(yan, job.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("someone else began Zoe's import: %v", err)
	}
	job, err = dst.c.Exports.Begin(zoe, job.ID)
	dst.must(err, "begin")
	if job.State != export.Queued {
		t.Fatalf("import %+v", job)
	}
	type cursor struct {
		store.Item
		Units, Unit, Cursor int
	}
	for i := 0; ; i++ {
		// Every unit step twice, as if its cursor update had been lost:
		// the same items are written again, nothing twice.
		var before cursor
		dst.must(dst.c.Store.Get(ctx, "IMPORT#"+job.ID, "IMPORT", &before), "the import item")
		if before.Units > 0 && before.Unit < before.Units {
			_, _, err := dst.c.Exports.ImportStep(ctx, job.ID)
			dst.must(err, "import step")
			dst.must(dst.c.Store.Update("IMPORT#"+job.ID, "IMPORT").Set("Unit", before.Unit).Set("Cursor", before.Cursor).Run(ctx), "rewind")
		}
		done, failed, err := dst.c.Exports.ImportStep(ctx, job.ID)
		dst.must(err, "import step")
		if failed {
			j, _ := dst.c.Exports.GetImport(zoe, job.ID)
			t.Fatalf("the import failed: %+v", j)
		}
		if done {
			break
		}
		if i > 500 {
			t.Fatal("the import did not end")
		}
	}
	job, err = dst.c.Exports.GetImport(zoe, job.ID)
	dst.must(err, "the import")
	if job.State != export.Ready || job.GroupID == "" || job.Threads != 2 || job.Polls != len(cases) || job.Step != job.Steps {
		t.Fatalf("import %+v", job)
	}
	if _, err := dst.c.Exports.GetImport(yan, job.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("someone else read Zoe's import: %v", err)
	}
	members, err := dst.c.Groups.Members(zoe, job.GroupID, "", 10)
	dst.must(err, "members")
	if len(members.Items) != 1 || members.Items[0].UserID != zoeID || members.Items[0].Role != authz.RoleAdmin {
		t.Fatalf("members of the imported group: %+v", members.Items)
	}
	rec, err := dst.c.Audit.List(zoe, job.GroupID, "", 50)
	dst.must(err, "record")
	found := false
	for _, en := range append(rec.Pending, rec.Entries...) {
		found = found || en.Action == audit.GroupImported
	}
	if !found {
		t.Errorf("the import is not in the group's record")
	}
	second := dst.export(zoe, job.GroupID)

	a, b := normalise(t, first), normalise(t, second)
	for _, e := range []string{"group", "tags", "threads", "timeline", "polls", "results", "outcomes", "ballots"} {
		if len(a[e]) == 0 {
			t.Errorf("the first export has no %s", e)
		}
		if strings.Join(a[e], "\n") != strings.Join(b[e], "\n") {
			t.Errorf("%s differ:\nfirst:\n%s\nsecond:\n%s", e, strings.Join(a[e], "\n"), strings.Join(b[e], "\n"))
		}
	}
	// Every poll's figures, read through the poll core on both sides.
	figures := func(d *deployment, as context.Context, gid string) map[string]string {
		ps, err := d.c.Decisions.List(as, gid, "", 50)
		d.must(err, "polls")
		out := map[string]string{}
		for _, p := range ps.Items {
			r, err := d.c.Decisions.Results(as, p.ID)
			d.must(err, "results")
			if r.Results != nil && p.Status == poll.StatusOpen {
				r.Results.Eligible = 0 // members are not imported
				for i := range r.Results.Options {
					r.Results.Options[i].VoterPercent = 0
				}
				r.Results.Rows, r.Results.Undecided, r.Results.Quorum = nil, 0, nil
			}
			raw, _ := json.Marshal(struct {
				R  *poll.Results
				RC *poll.RankedChoiceResults
				H  *decision.Hidden
			}{r.Results, r.RankedChoice, r.Hidden})
			out[p.Definition.Title] = string(raw)
		}
		return out
	}
	fa, fb := figures(src, ada, g.ID), figures(dst, zoe, job.GroupID)
	if len(fa) != len(cases) {
		t.Fatalf("%d polls, want %d", len(fa), len(cases))
	}
	for title, want := range fa {
		if fb[title] != want {
			t.Errorf("%s: results differ:\n%s\n%s", title, want, fb[title])
		}
	}
	// Tag filters work on the imported group (the index was written).
	tags, err := dst.c.Tags.List(zoe, job.GroupID)
	dst.must(err, "tags")
	var budget string
	for _, tg := range tags {
		if tg.Name == "budget" {
			budget = tg.ID
		}
	}
	tagged, err := dst.c.Discussions.TaggedThreads(zoe, job.GroupID, budget, "", 10)
	dst.must(err, "tagged threads")
	if len(tagged.Items) != 1 || tagged.Items[0].Title != "Water butts" {
		t.Fatalf("tagged threads: %+v", tagged.Items)
	}
	// The archive and the units are gone.
	if _, err := dst.env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dst.env.Config.UploadsBucket),
		Key: aws.String(facts.ExportsPrefix + "imports/" + job.ID + "/archive.zip")}); err == nil {
		t.Error("the archive is still there")
	}
}

// TestGroupImportRejectsWhatIsNotAnExport: a zip without group.jsonl, or
// with rows that do not belong together, fails with a message saying why.
func TestGroupImportRejectsWhatIsNotAnExport(t *testing.T) {
	dst := newDeployment(t)
	n := 0
	for name, jsonl := range map[string]string{
		"no group.jsonl": "",
		"no group":       `{"entity":"tags","data":{"id":"t","name":"x","colour":"red"}}` + "\n",
		"orphan item":    `{"entity":"group","data":{"name":"G"}}` + "\n" + `{"entity":"timeline","data":{"thread_id":"nope"}}` + "\n",
		"not json":       "{nope\n",
	} {
		n++
		zoe, _ := dst.person("zoe" + strconv.Itoa(n))
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			fname := "group.jsonl"
			if name == "no group.jsonl" {
				fname = "other.txt"
			}
			w, _ := z.Create(fname)
			_, _ = w.Write([]byte(jsonl))
			_ = z.Close()
			job, err := dst.c.Exports.UploadImport(zoe, b.Bytes())
			dst.must(err, "upload")
			done, failed, err := dst.c.Exports.ImportStep(context.Background(), job.ID)
			if err != nil || !done || !failed {
				t.Fatalf("step: done=%v failed=%v err=%v", done, failed, err)
			}
			job, err = dst.c.Exports.GetImport(zoe, job.ID)
			dst.must(err, "the import")
			if job.State != export.Failed || job.Problem == "" {
				t.Fatalf("import %+v", job)
			}
		})
	}
	zoe, _ := dst.person("zoe")
	if _, err := dst.c.Exports.UploadImport(zoe, []byte("not a zip")); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("not a zip: %v", err)
	}
}

func ptr(s string) *string { return &s }

func blobPut(p *export.PresignedPut) blob.PresignedRequest {
	return blob.PresignedRequest{URL: p.URL, Method: p.Method, Headers: p.Headers, Expires: p.Expires}
}

// normalise reads an export's group.jsonl into canonical rows per entity,
// sorted: ids become what they point at (a thread's or poll's title, a
// comment's text), voters' ids only whether there is one, placeholders'
// names the names they stand for; the group's creation date and the
// members (not imported) are left out.
func normalise(t *testing.T, archive []byte) map[string][]string {
	t.Helper()
	jsonl := unzip(t, archive)["group.jsonl"]
	var rows []struct {
		Entity string
		Data   map[string]any
	}
	for _, l := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var r struct {
			Entity string
			Data   map[string]any
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	names := map[string]string{}
	status := map[string]string{}
	for _, r := range rows {
		id, _ := r.Data["id"].(string)
		switch r.Entity {
		case "threads":
			names[id] = "thread:" + r.Data["title"].(string)
		case "polls":
			names[id] = "poll:" + r.Data["definition"].(map[string]any)["title"].(string)
			status[id], _ = r.Data["status"].(string)
		case "timeline":
			body, _ := r.Data["body"].(string)
			names[id] = "item:" + body
		}
	}
	out := map[string][]string{}
	for _, r := range rows {
		d := r.Data
		if r.Entity == "members" {
			continue
		}
		for _, k := range []string{"thread_id", "poll_id", "ref_id", "parent_id"} {
			if v, ok := d[k].(string); ok && v != "" {
				d[k] = names[v]
			}
		}
		for _, k := range []string{"id", "user_id"} {
			if v, ok := d[k].(string); ok && v != "" {
				d[k] = "set"
			}
		}
		// Authors are placeholders here, without accounts.
		delete(d, "author_id")
		delete(d, "actor_id")
		for _, k := range []string{"author_name", "actor_name"} {
			if v, ok := d[k].(string); ok {
				d[k] = strings.TrimSuffix(v, " (imported)")
			}
		}
		if tags, ok := d["tags"].([]any); ok {
			for _, tg := range tags {
				delete(tg.(map[string]any), "id")
			}
		}
		switch r.Entity {
		case "group":
			delete(d, "created_at")
			delete(d, "handle")
		case "results":
			pid := ""
			for id, n := range names {
				if n == d["poll_id"] {
					pid = id
				}
			}
			if res, ok := d["results"].(map[string]any); ok && status[pid] == "open" {
				// Open polls count the members here, who are not imported.
				for _, k := range []string{"eligible", "undecided", "rows", "quorum"} {
					delete(res, k)
				}
				for _, o := range res["options"].([]any) {
					delete(o.(map[string]any), "voter_percent")
				}
			}
		case "outcomes":
			delete(d, "version")
		}
		raw, _ := json.Marshal(d)
		out[r.Entity] = append(out[r.Entity], string(raw))
	}
	for e := range out {
		sort.Strings(out[e])
	}
	return out
}
