package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/privacy"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// world drives every core the way people use Quorum (sign-in, sessions,
// tokens, preferences, groups, invitations, requests, threads, comments,
// reactions, guests, uploads, polls of several kinds with ballots and
// receipts, outcomes, notifications and their email, held and received
// mail, the search index) so that the table holds one of nearly every
// kind of item Quorum stores.
type world struct {
	t   *testing.T
	env *testcloud.Env
	c   *cores.Cores
	n   int
}

func (w *world) must(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

func (w *world) email(name string) string {
	return w.env.Prefix + "-" + strings.ToLower(name) + "@example.org"
}

func (w *world) person(name string) (context.Context, string) {
	w.t.Helper()
	p := testkit.NewPersonWithEmail(w.t, w.c.Accounts, name, w.email(name))
	return p.Ctx, p.ID
}

func (w *world) eml(from, to, subject, body string) []byte {
	w.n++
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Fri, 04 Dec 2026 18:40:10 +0000\r\n"+
		"Message-ID: <%d-%s@mail.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, w.n, w.env.Prefix, body))
}

func build(t *testing.T) *world {
	t.Helper()
	env := testcloud.Fast(t)
	a, err := app.NewAPIWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	c := a.Cores
	w := &world{t: t, env: env, c: c}
	ctx := context.Background()
	cl := account.Client{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}

	ada, adaID := w.person("Ada")
	ben, benID := w.person("Ben")
	cy, cyID := w.person("Cy")

	// Accounts: profile, a password and a password sign-in (a session), an
	// API token, an email change waiting for confirmation, a sign-in code.
	name, tz, loc := "Ada Lovelace", "Europe/London", "en"
	_, err = c.Accounts.UpdateProfile(ada, account.ProfileUpdate{Name: &name, TimeZone: &tz, Locale: &loc})
	w.must(err, "profile")
	// A picture (the processed squares under avatars/; the original of a
	// form upload is never stored).
	pic := image.NewGray(image.Rect(0, 0, 8, 8))
	var picBuf bytes.Buffer
	w.must(png.Encode(&picBuf, pic), "picture")
	_, err = c.Accounts.SetAvatar(ada, picBuf.Bytes())
	w.must(err, "picture")
	w.must(c.Accounts.SetPassword(ada, "", "correct horse battery staple"), "password")
	_, err = c.Accounts.PasswordLogin(ctx, cl, w.email("Ada"), "correct horse battery staple")
	w.must(err, "password sign-in")
	tok, err := c.Accounts.CreateToken(ada, "scripts")
	w.must(err, "token")
	err = c.Accounts.RequestEmailChange(ben, w.email("Ben2"))
	w.must(err, "email change")
	_, err = c.Accounts.RequestDeletion(ben) // a pending account-deletion code
	w.must(err, "deletion code")
	_, err = c.Accounts.RequestLogin(ctx, cl, w.email("Cy"))
	w.must(err, "sign-in code")
	// Dee signs up with the emailed code, accepting the terms the form showed.
	_, err = c.Accounts.RequestLogin(ctx, cl, w.email("Dee"))
	w.must(err, "sign-up code")
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	msg, err := mail.Emulator{URL: env.Config.SESEndpoint}.WaitFor(wait, w.email("Dee"), nil)
	cancel()
	w.must(err, "sign-up email")
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(msg.Body.Text)
	if code == nil {
		t.Fatalf("no code in the sign-up email: %q", msg.Body.Text)
	}
	signup := cl
	signup.Terms = c.Legal.Version()
	_, err = c.Accounts.VerifyCode(ctx, signup, w.email("Dee"), code[1], "Dee")
	w.must(err, "sign-up")

	// Email preferences, an opt-out, a suppressed address, new reply keys.
	mode, hour := mailpref.Daily, 7
	_, err = c.MailPrefs.Update(ben, mailpref.Update{Mode: &mode, DigestHour: &hour})
	w.must(err, "mail preferences")
	w.must(c.MailPrefs.Suppress(ctx, w.email("Cy"), "bounce", "feedback-1", time.Now()), "suppress")
	_, err = c.MailPrefs.ResetReplyAddresses(ben)
	w.must(err, "reset reply addresses")

	// Groups: a group with a subgroup, a member by link, an invitation, a
	// membership request, a role change.
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Garden club", Handle: "garden-" + env.Prefix, Privacy: "open",
		Description: "Growing things together."})
	w.must(err, "group")
	_, err = c.Groups.Create(ada, group.CreateInput{Name: "Seed swap", Handle: "seeds-" + env.Prefix, Privacy: "closed", ParentID: g.ID})
	w.must(err, "subgroup")
	link, err := c.Groups.JoinLink(ada, g.ID)
	w.must(err, "join link")
	_, err = c.Groups.JoinViaLink(ben, link[strings.LastIndex(link, "/join/")+len("/join/"):])
	w.must(err, "join")
	_, err = c.Groups.Invite(ada, g.ID, group.InviteInput{Emails: []string{w.email("Ivy")}, Role: "member"})
	w.must(err, "invite")
	closed, err := c.Groups.Create(ada, group.CreateInput{Name: "Board", Handle: "board-" + env.Prefix, Privacy: "closed"})
	w.must(err, "closed group")
	err = c.Groups.RequestMembership(cy, closed.ID, "I keep the accounts.")
	w.must(err, "membership request")
	w.must(c.MailPrefs.SetOptOut(ben, mailpref.Scope{Kind: mailpref.ScopeGroup, ID: g.ID}, true), "opt out")

	// Threads: a comment with a mention, an edit, a reaction, a guest
	// invitation, an upload, notification levels, read state.
	th, err := c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "What to plant", Description: "Ideas for spring?"})
	w.must(err, "thread")
	cm, err := c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "Tomatoes, @ada?"})
	w.must(err, "comment")
	_, err = c.Discussions.EditComment(ben, th.ID, cm.ID, "Tomatoes and beans, @ada?", cm.Version)
	w.must(err, "edit comment")
	// An @group added by an edit (the admin may announce): GroupMentioned.
	note, err := c.Discussions.Comment(ada, th.ID, discussion.CommentInput{Body: "Planting on Saturday."})
	w.must(err, "comment to edit")
	_, err = c.Discussions.EditComment(ada, th.ID, note.ID, "@group planting on Saturday.", note.Version)
	w.must(err, "@group by an edit")
	err = c.Discussions.React(ada, th.ID, cm.ID, "heart", true)
	w.must(err, "react")
	w.must(c.Discussions.ReactThread(ben, th.ID, "eyes", true), "react to the thread")
	_, err = c.Discussions.InviteGuestByEmail(ada, th.ID, w.email("Gus"))
	w.must(err, "guest invitation")
	png := []byte("\x89PNG\r\n\x1a\n a plan")
	up, err := c.Discussions.StartUpload(ada, th.ID, discussion.UploadInput{Name: "plan.png", ContentType: "image/png", Size: int64(len(png))})
	w.must(err, "upload")
	testcloud.PutPresigned(t, up.Put, png)
	w.must(c.Discussions.AddGuest(ada, th.ID, cyID), "guest")
	w.must(c.Discussions.SetThreadLevel(ben, th.ID, notify.Loud), "thread level")
	_, err = c.Discussions.MarkRead(ben, th.ID)
	w.must(err, "mark read")
	// A comment forked into a new thread (its place keeps ForkedTo), and a
	// thread moved to another group (the move's job item is gone once done).
	fk, err := c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "Off topic: the shed roof leaks."})
	w.must(err, "comment to fork")
	_, err = c.Discussions.ForkComments(ada, th.ID, discussion.ForkInput{Title: "The shed", CommentIDs: []string{fk.ID}})
	w.must(err, "fork")
	mv, err := c.Discussions.StartThread(ada, discussion.StartInput{GroupID: g.ID, Title: "Board matters"})
	w.must(err, "thread to move")
	// Its polls' reasons and outcome go along (search re-files them: their
	// items carry the new group).
	for _, anonymous := range []bool{false, true} {
		d := poll.New(poll.TypeProposal)
		d.Title = "Who sits on the board?"
		at := time.Now().Add(7 * 24 * time.Hour)
		d.Settings.ClosingAt, d.Settings.Anonymous = &at, anonymous
		p, err := c.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, ThreadID: mv.ID, Definition: d})
		w.must(err, "poll of the moved thread")
		_, err = c.Decisions.Vote(ben, p.ID, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "Fine by me."}})
		w.must(err, "vote in the moved thread")
		if !anonymous {
			_, err = c.Decisions.Close(ada, p.ID)
			w.must(err, "close in the moved thread")
			_, err = c.Decisions.SetOutcome(ada, p.ID, decision.OutcomeInput{Statement: "Ada and Ben."})
			w.must(err, "outcome in the moved thread")
		}
	}
	_, err = c.Discussions.MoveThread(ada, mv.ID, closed.ID)
	w.must(err, "move")

	// A comment through the API with an Idempotency-Key (its record).
	req := httptest.NewRequest("POST", "/api/v1/threads/"+th.ID+"/comments", strings.NewReader(`{"body":"Via the API."}`))
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "inventory-"+env.Prefix)
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Fatalf("comment through the API: %d %s", rec.Code, rec.Body)
	}

	// Moderation: the guest's comment removed by an admin (the removal's
	// job stays a week once done; the comment keeps its place, Erased).
	_, err = c.Discussions.Comment(cy, th.ID, discussion.CommentInput{Body: "Selling seeds, cheap!"})
	w.must(err, "guest comment")
	_, err = c.Discussions.RemoveMemberComments(ada, g.ID, cyID)
	w.must(err, "remove comments")
	_, err = c.Discussions.RunRemovals(ctx, 50)
	w.must(err, "run removals")

	// Polls: a proposal with reasons, closed with an outcome; an anonymous
	// poll with receipts; the scheduler's tick freezes results.
	var pid string
	for _, anonymous := range []bool{false, true} {
		d := poll.New(poll.TypeProposal)
		d.Title = "Plant tomatoes?"
		at := time.Now().Add(7 * 24 * time.Hour)
		d.Settings.ClosingAt = &at
		d.Settings.Anonymous = anonymous
		in := decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d}
		if !anonymous {
			d.Settings.SpecifiedVotersOnly = true
			in.Definition, in.Voters = d, []string{adaID, benID}
		}
		p, err := c.Decisions.Create(ada, in)
		w.must(err, "poll")
		pid = p.ID
		for _, voter := range []context.Context{ada, ben} {
			_, err := c.Decisions.Vote(voter, p.ID, decision.VoteInput{Ballot: poll.Ballot{
				Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "Good soil."}})
			w.must(err, "vote")
		}
		if !anonymous { // a changed vote keeps the earlier stance
			_, err := c.Decisions.Vote(ben, p.ID, decision.VoteInput{Ballot: poll.Ballot{
				Choices: []poll.Choice{{OptionID: poll.OptionAbstain, Score: 1}}, Reason: "Not sure about the shade."}})
			w.must(err, "changed vote")
		}
		_, err = c.Decisions.Close(ada, p.ID)
		w.must(err, "close")
		_, err = c.Decisions.SetOutcome(ada, p.ID, decision.OutcomeInput{Statement: "We plant tomatoes."})
		w.must(err, "outcome")
		_, err = c.Decisions.SetOutcome(ada, p.ID, decision.OutcomeInput{Statement: "We plant tomatoes in May."})
		w.must(err, "outcome edit")
		w.must(c.Decisions.React(ben, p.ID, decision.ReactPoll, "thumbsup", true), "react to the poll")
		w.must(c.Decisions.React(ben, p.ID, decision.ReactOutcome, "tada", true), "react to the outcome")
		if !anonymous {
			w.must(c.Decisions.React(ada, p.ID, benID, "heart", true), "react to a ballot")
		}
	}
	// Proxy voting: Ben gives Ada his proxy for every poll; she votes for
	// him in one poll; in another he votes himself, which ends it there.
	on := true
	cur, err := c.Groups.Get(ada, g.ID)
	w.must(err, "group")
	_, err = c.Groups.Update(ada, g.ID, group.UpdateInput{Version: cur.Version, Permissions: &group.FlagsPatch{ProxyVoting: &on}})
	w.must(err, "proxy voting on")
	_, err = c.Decisions.GrantProxy(ben, g.ID, "", adaID)
	w.must(err, "proxy")
	for i, by := range []context.Context{ada, ben} {
		d := poll.New(poll.TypeProposal)
		d.Title = fmt.Sprintf("Buy a shed %d?", i)
		at := time.Now().Add(7 * 24 * time.Hour)
		d.Settings.ClosingAt = &at
		p, err := c.Decisions.Create(ada, decision.CreateInput{GroupID: g.ID, Definition: d})
		w.must(err, "poll")
		in := decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}}}
		if by == ada {
			in.For = benID
		}
		_, err = c.Decisions.Vote(by, p.ID, in)
		w.must(err, "proxy vote")
	}

	_, err = c.Decisions.Tick(ctx, time.Now())
	w.must(err, "tick")

	// Templates: the group's admin saves a thread as a template and hides
	// a built-in one (the arrangement item).
	_, err = c.Processes.Create(ada, g.ID, process.Input{From: "thread:" + th.ID, Name: "Planting plan", Guide: "Say what and where."})
	w.must(err, "template")
	w.must(c.Processes.SetHidden(ada, g.ID, "election", true), "hide a built-in template")

	// Mail: notifications delivered (the outbox writes its records), a
	// message from an unknown sender held for the group, a blocked sender.
	_, err = c.Outbox.DeliverDue(ctx, time.Now().Add(time.Hour))
	w.must(err, "deliver")
	to := g.Handle + "@" + c.Inbox.Domain()
	out, err := c.Inbox.Inject(ctx, w.eml("stranger@elsewhere.example", to, "Hello", "May I join?"), []string{to}, inbox.PassingVerdicts())
	w.must(err, "inbound mail")
	if out.HeldID == "" {
		t.Fatalf("mail from a stranger was not held: %+v", out)
	}
	w.must(c.Inbox.BlockSender(ada, g.ID, out.HeldID), "block sender")
	out, err = c.Inbox.Inject(ctx, w.eml("ben.at.work@elsewhere.example", to, "From my work address", "Count me in."), []string{to}, inbox.PassingVerdicts())
	w.must(err, "inbound mail from a member's other address")
	_, err = c.Inbox.AllowHeld(ada, g.ID, out.HeldID, inbox.AllowInput{AliasUserID: benID})
	w.must(err, "allow as an alias")
	_, err = c.Inbox.Inject(ctx, w.eml("someone@elsewhere.example", w.email("Ben")+"x@"+c.Inbox.Domain(), "Lost", "?"),
		[]string{"nobody@" + c.Inbox.Domain()}, inbox.PassingVerdicts())
	w.must(err, "inbound mail to nobody")

	// The audit record: the admin actions above (held mail, blocks) are
	// sealed into the group's chain by the scheduler's sweep; one more
	// action stays pending.
	// Exports: Ben's is made (its archive goes to exports/), Cy's waits
	// (its lock is held).
	bx, err := c.Exports.Request(ben)
	w.must(err, "Ben's export")
	_, err = c.Tick(ctx, time.Now())
	w.must(err, "tick")
	for i := 0; i < 100; i++ {
		done, _, err := c.Exports.Step(ctx, bx.ID)
		w.must(err, "export step")
		if done {
			break
		}
	}
	_, err = c.Exports.Request(cy)
	w.must(err, "Cy's export")
	// Ada asks for the group's export (indexed under her for her account's
	// erasure).
	_, err = c.Exports.RequestGroup(ada, g.ID)
	w.must(err, "the group's export")
	// An import: Cy turns a small group export into a new group (its
	// job item stays 7 days; the thread, comment, poll and ballot it
	// writes are the cores' own items, with placeholders for people).
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	zf, _ := zw.Create("group.jsonl")
	_, _ = zf.Write([]byte(`{"entity":"group","data":{"name":"Imported garden","privacy":"closed"}}` + "\n" +
		`{"entity":"threads","data":{"id":"t1","title":"Seeds","author_name":"Ada","created_at":"2026-01-02T03:04:05Z"}}` + "\n" +
		`{"entity":"timeline","data":{"thread_id":"t1","id":"c1","kind":"comment","actor_id":"u1","actor_name":"Ben","at":"2026-01-03T03:04:05Z","body":"Tomatoes."}}` + "\n" +
		`{"entity":"polls","data":{"id":"p1","thread_id":"t1","definition":{"type":"proposal","title":"Buy seeds?","options":[{"id":"agree","label":"Agree"}],"settings":{"closing_at":"2026-01-09T03:04:05Z"}},"status":"closed","closed_at":"2026-01-09T03:04:05Z","created_at":"2026-01-02T03:04:05Z"}}` + "\n" +
		`{"entity":"results","data":{"poll_id":"p1","results":{"eligible":2}}}` + "\n" +
		`{"entity":"outcomes","data":{"poll_id":"p1","statement":"Yes.","created_at":"2026-01-09T03:04:05Z","updated_at":"2026-01-09T03:04:05Z"}}` + "\n" +
		`{"entity":"ballots","data":{"poll_id":"p1","user_id":"u1","choices":[{"option_id":"agree","score":1}],"reason":"Cheap.","cast_at":"2026-01-03T03:04:05Z"}}` + "\n"))
	_ = zw.Close()
	ij, err := c.Exports.UploadImport(cy, zb.Bytes())
	w.must(err, "Cy's import")
	for i := 0; i < 20; i++ {
		done, failed, err := c.Exports.ImportStep(ctx, ij.ID)
		w.must(err, "import step")
		if failed {
			w.t.Fatal("the import failed")
		}
		if done {
			break
		}
	}
	_, err = c.Groups.ResetJoinLink(ada, g.ID)
	w.must(err, "reset join link")

	// Tags: the group's definitions, a tagged thread and poll (their index
	// items), and a deleted tag whose purge is still to run.
	name, colour, old := "Garden", "green", "Old"
	kept, err := c.Tags.Create(ada, g.ID, tag.Input{Name: &name, Colour: &colour})
	w.must(err, "tag")
	gone, err := c.Tags.Create(ada, g.ID, tag.Input{Name: &old, Colour: &colour})
	w.must(err, "tag")
	_, err = c.Discussions.SetThreadTags(ada, th.ID, []string{kept.ID, gone.ID})
	w.must(err, "tag a thread")
	_, err = c.Decisions.SetPollTags(ada, pid, []string{kept.ID})
	w.must(err, "tag a poll")
	w.must(c.Tags.Delete(ada, g.ID, gone.ID), "delete a tag")

	// Search: the index of the group.
	_, err = search.NewIndexer(c.Search.Index, nil).Reindex(ctx, search.ReindexRequest{GroupID: g.ID, MaxItems: 1000})
	w.must(err, "reindex")
	return w
}

func str(av types.AttributeValue) string {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// stored reads every item of the world's table.
func (w *world) stored() []privacy.Item {
	w.t.Helper()
	var items []privacy.Item
	p := dynamodb.NewScanPaginator(w.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(w.env.Config.Table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		w.must(err, "scan")
		for _, it := range page.Items {
			x := privacy.Item{PK: str(it["PK"]), SK: str(it["SK"]), Type: str(it["Type"])}
			for a := range it {
				x.Attributes = append(x.Attributes, a)
			}
			_, x.HasTTL = it["TTL"].(*types.AttributeValueMemberN)
			items = append(items, x)
		}
	}
	return items
}

// objects lists the keys of every object in bucket.
func (w *world) objects(bucket string) []string {
	w.t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(w.env.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		w.must(err, "list "+bucket)
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func inventory(t *testing.T) *privacy.Inventory {
	t.Helper()
	inv, err := privacy.Load("../../docs/privacy.md")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestEveryStoredAttributeIsInTheInventory is the check docs/privacy.md
// promises: what a world of people using every core leaves in the table
// and the buckets is exactly what the page lists.
func TestEveryStoredAttributeIsInTheInventory(t *testing.T) {
	inv := inventory(t)
	w := build(t)
	problems, seen := inv.Check(w.stored())

	t.Run("documented", func(t *testing.T) {
		for _, p := range problems {
			if !strings.Contains(p, "TTL") {
				t.Error(p)
			}
		}
		var names []string
		for name, k := range inv.Kinds {
			if seen[name] == 0 && !k.Unobserved {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			t.Errorf("kind %s is in docs/privacy.md but the test world stored none: produce one in build, or say "+
				"\"Not in the test world\" and why in its section (stored kinds: %v)", name, seen)
		}
	})
	t.Run("ephemeral items expire", func(t *testing.T) {
		n := 0
		for _, p := range problems {
			if strings.Contains(p, "TTL") {
				t.Error(p)
			}
		}
		for name, k := range inv.Kinds {
			if k.TTL {
				n += seen[name]
			}
		}
		if n < 10 {
			t.Errorf("only %d items of kinds kept under a TTL were checked; the world should hold sessions, codes, "+
				"invitations, idempotency records, counters, notifications and received mail", n)
		}
	})
	t.Run("buckets", func(t *testing.T) {
		for role, bucket := range map[string]string{"uploads": w.env.Config.UploadsBucket, "inbound": w.env.Config.InboundBucket} {
			keys := w.objects(bucket)
			if len(keys) == 0 {
				t.Errorf("the world stored nothing in the %s bucket: the check does not cover it", role)
			}
			for _, key := range keys {
				ok := false
				for _, p := range inv.Prefixes[role] {
					ok = ok || strings.HasPrefix(key, p)
				}
				if !ok {
					t.Errorf("%s bucket: object %s is under no prefix listed in docs/privacy.md (%v)", role, key, inv.Prefixes[role])
				}
			}
		}
	})
}
