package inbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fx struct {
	t     *testing.T
	a     *cores.Cores
	inbox *inbox.Service
	sent  *testkit.Mailbox
	tok   *replyaddr.Tokens
	em    mail.Emulator
	tag   string
	// received keeps SES's receipt time per message id (the same on every
	// delivery of a message).
	received map[string]time.Time
}

// uploadLimit is the attachment size limit of the tests' discussion core
// (small, so a "too large" file fits in a message).
const uploadLimit = 2 << 20

type person struct {
	id, email string
	ctx       context.Context
}

func newFx(t *testing.T) *fx {
	t.Helper()
	env := testcloud.Fast(t)
	a, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(&bytes.Buffer{}, "error"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.Config
	limits := blob.DefaultLimits()
	limits.MaxBytes = uploadLimit
	threads := discussion.New(discussion.Config{Store: a.Store, Policy: a.Groups, People: cores.DiscussionPeople{Accounts: a.Accounts},
		Uploads: blob.NewUploads(a.Clients.S3, cfg.UploadsBucket, cfg.KMSKeyID, limits), SigningKey: cfg.SigningKey})
	rec := &testkit.Mailbox{Next: mail.NewSES(a.Clients.SES, "", cfg.MailDomain)}
	svc := inbox.New(inbox.Config{Store: a.Store, Raw: inbox.S3Raw{Client: a.Clients.S3}, InboundBucket: cfg.InboundBucket,
		InboundPrefix: "raw/", Tokens: replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain), People: cores.People{Accounts: a.Accounts},
		Notifications: a.Notifications, Discussions: threads, Decisions: a.Decisions, Groups: a.Groups, Mail: rec, MailFrom: cfg.MailFrom,
		BaseURL: cfg.BaseURL.String(), SigningKey: cfg.SigningKey})
	return &fx{t: t, a: a, inbox: svc, sent: rec, tok: replyaddr.NewTokens(cfg.SigningKey, cfg.MailDomain),
		em: mail.Emulator{URL: cfg.SESEndpoint}, tag: env.Prefix, received: map[string]time.Time{}}
}

// addr makes a test-unique address from a corpus address.
func (f *fx) addr(a string) string {
	local, dom, _ := strings.Cut(a, "@")
	return local + "-" + f.tag + "@" + dom
}

func (f *fx) person(email, name string) person {
	f.t.Helper()
	p := testkit.NewPersonWithEmail(f.t, f.a.Accounts, name, email)
	return person{id: p.ID, email: p.Email, ctx: p.Ctx}
}

func (f *fx) group(owner person, handle string, members ...person) string {
	f.t.Helper()
	g, err := f.a.Groups.Create(owner.ctx, group.CreateInput{Name: "Garden " + handle, Handle: handle, Privacy: "open"})
	if err != nil {
		f.t.Fatalf("create group: %v", err)
	}
	for _, m := range members {
		if _, err := f.a.Groups.Join(m.ctx, g.ID); err != nil {
			f.t.Fatalf("join: %v", err)
		}
	}
	return g.ID
}

func (f *fx) thread(p person, gid string) string {
	f.t.Helper()
	th, err := f.a.Discussions.StartThread(p.ctx, discussion.StartInput{GroupID: gid, Title: "Spring planting", Description: "What shall we plant?"})
	if err != nil {
		f.t.Fatalf("start thread: %v", err)
	}
	return th.ID
}

func (f *fx) replyAddr(tok replyaddr.Token) string {
	f.t.Helper()
	tok.Expires = time.Now().Add(30 * 24 * time.Hour)
	a, err := f.tok.Mint(tok)
	if err != nil {
		f.t.Fatalf("mint: %v", err)
	}
	return a
}

var passing = inbox.PassingVerdicts()

// deliver stores raw as SES would and processes it under message id id
// ("" for a new one).
func (f *fx) deliver(id string, raw []byte, to string, v inbound.Verdicts) inbox.Outcome {
	f.t.Helper()
	out, err := f.process(id, raw, to, v)
	if err != nil {
		f.t.Fatalf("process: %v", err)
	}
	return out
}

func (f *fx) process(id string, raw []byte, to string, v inbound.Verdicts) (inbox.Outcome, error) {
	if id == "" {
		id = inbox.NewMessageID()
	}
	cfg := f.a.Config
	key := "raw/" + id
	if err := (inbox.S3Raw{Client: f.a.Clients.S3}).Put(context.Background(), cfg.InboundBucket, key, raw); err != nil {
		f.t.Fatal(err)
	}
	if _, ok := f.received[id]; !ok {
		f.received[id] = time.Now()
	}
	return f.inbox.Process(context.Background(), inbox.Delivery{MessageID: id, Bucket: cfg.InboundBucket, Key: key,
		Recipients: []string{to}, Verdicts: v, Received: f.received[id]})
}

func (f *fx) comments(p person, tid string) []discussion.Item {
	f.t.Helper()
	pg, err := f.a.Discussions.Page(p.ctx, tid, "", 0)
	if err != nil {
		f.t.Fatalf("page: %v", err)
	}
	var out []discussion.Item
	for _, it := range pg.Items {
		if it.Kind == discussion.KindComment {
			out = append(out, it)
		}
	}
	return out
}

func (f *fx) mailsTo(addr string) []mail.StoredMessage {
	f.t.Helper()
	msgs, err := f.em.Messages(context.Background())
	if err != nil {
		f.t.Fatalf("emulator: %v", err)
	}
	var out []mail.StoredMessage
	for _, m := range msgs {
		for _, to := range m.Destination.To {
			if strings.Contains(strings.ToLower(to), strings.ToLower(addr)) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (f *fx) waitMail(addr string, re *regexp.Regexp) mail.StoredMessage {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := f.em.WaitFor(ctx, addr, func(m mail.StoredMessage) bool { return re.MatchString(m.Subject + "\n" + m.Body.Text) })
	if err != nil {
		f.t.Fatalf("no mail to %s matching %s: %v", addr, re, err)
	}
	// Every mail we send answers no robot and is recognised if it comes back.
	sent := f.sent.To(addr)
	if len(sent) == 0 {
		f.t.Fatalf("mail to %s not sent through the service's sender", addr)
	}
	for _, m := range sent {
		if m.Headers["Auto-Submitted"] != "auto-replied" || m.Headers[inbound.LoopHeader] != f.a.Config.MailDomain {
			f.t.Fatalf("mail to %s lacks Auto-Submitted/%s: %+v", addr, inbound.LoopHeader, m.Headers)
		}
	}
	return m
}

func eml(from, to, subject, body string, extra ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 18:40:10 +0000\r\nMessage-ID: <%d@mail.example.org>\r\n",
		from, to, subject, time.Now().UnixNano())
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)

func withAttachment(from, to, subject, body, name, ct string, data []byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 18:40:10 +0000\r\nMessage-ID: <%d@mail.example.org>\r\n",
		from, to, subject, time.Now().UnixNano())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(body + "\r\n--b1\r\n")
	fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", ct, name, name)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return []byte(b.String())
}

// setup: alice and bob are members of a group with a thread by bob.
type scene struct {
	f          *fx
	alice, bob person
	gid, tid   string
	handle     string
}

func newScene(t *testing.T) *scene {
	f := newFx(t)
	s := &scene{f: f, alice: f.person(f.addr("alice@example.org"), "Alice"), bob: f.person(f.addr("bob@example.org"), "Bob")}
	s.handle = "garden-" + f.tag
	s.gid = f.group(s.bob, s.handle, s.alice)
	s.tid = f.thread(s.bob, s.gid)
	return s
}

// proposal is an open proposal by bob in the scene's thread, closing in
// three days.
func (s *scene) proposal(title string) string {
	s.f.t.Helper()
	d := poll.New(poll.TypeProposal)
	d.Title = title
	closing := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &closing
	p, err := s.f.a.Decisions.Create(s.bob.ctx, decision.CreateInput{GroupID: s.gid, ThreadID: s.tid, Definition: d})
	if err != nil {
		s.f.t.Fatal(err)
	}
	return p.ID
}

func (s *scene) aliceReply() string {
	return s.f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindThread, ThreadID: s.tid})
}

// Real-world-shaped messages from the corpus become the right comment text.
func TestCorpusRepliesBecomeComments(t *testing.T) {
	s := newScene(t)
	f := s.f
	cases := []struct{ file, from, want string }{
		{"gmail_reply.eml", "alice@example.org", "Thanks Bob, two points:\n\n- the **compost** line looks high\n- can we add 3 fruit trees?\n\nAlice"},
		{"outlook_desktop_html.eml", "carol@example.com", "I agree with the plan, but the fence repair should come first.\n\nRegards,\n\nCarol"},
		{"outlook_web.eml", "dan@outlook.example", "Yes, let's do it.\n\nDan"},
		{"apple_mail.eml", "fay@icloud.example", "Great idea.\nI can drive the van."},
		{"gmail_html_only.eml", "alice@example.org", "I can bring the seedlings on Saturday.\n\nAlice"},
		{"german_cp1252.eml", "joerg@example.de", "Ich bin dabei. Die Kosten von 20 € übernehme ich – „gern“."},
		{"japanese_shiftjis.eml", "yamada@example.jp", "了解しました。土曜日に参加します。\n**よろしく**お願いします。"},
		{"broken_boundary.eml", "ivan@example.org", "I'm in, see the attached list."},
	}
	people := map[string]person{"alice@example.org": s.alice}
	for _, c := range cases {
		p, ok := people[c.from]
		if !ok {
			p = f.person(f.addr(c.from), "Person")
			if _, err := f.a.Groups.Join(p.ctx, s.gid); err != nil {
				t.Fatal(err)
			}
			people[c.from] = p
		}
		raw, err := os.ReadFile(filepath.Join("..", "inbound", "testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(raw, []byte(c.from), []byte(p.email))
		// The corpus files share one Message-ID; here they are distinct messages.
		raw = bytes.Replace(raw, []byte("<CAF=abc123@"), []byte("<"+c.file+"@"), 1)
		to := f.replyAddr(replyaddr.Token{UserID: p.id, Kind: replyaddr.KindThread, ThreadID: s.tid})
		out := f.deliver("", raw, to, passing)
		if out.Result != inbox.Posted {
			t.Fatalf("%s: %+v", c.file, out)
		}
		found := false
		for _, it := range f.comments(s.bob, s.tid) {
			if it.ID == out.CommentID {
				found = true
				if it.Body != c.want || it.ActorID != p.id {
					t.Errorf("%s: comment by %s = %q, want %q by %s", c.file, it.ActorID, it.Body, c.want, p.id)
				}
			}
		}
		if !found {
			t.Errorf("%s: comment %s not on the timeline", c.file, out.CommentID)
		}
	}
}

// Machine mail is dropped and never answered.
func TestMachineMailIsDroppedSilently(t *testing.T) {
	s := newScene(t)
	f := s.f
	for _, file := range []string{"ooo_en.eml", "auto_submitted.eml", "precedence_bulk.eml", "bounce.eml", "loop_header.eml", "x_autoreply.eml"} {
		raw, err := os.ReadFile(filepath.Join("..", "inbound", "testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		out := f.deliver("", raw, s.aliceReply(), passing)
		if out.Result != inbox.Dropped || out.Replied {
			t.Errorf("%s: %+v, want dropped without reply", file, out)
		}
	}
	if n := len(f.comments(s.bob, s.tid)); n != 0 {
		t.Fatalf("%d comments from machine mail", n)
	}
	if m := f.mailsTo(s.alice.email); len(m) != 0 {
		t.Fatalf("machine mail was answered: %d messages", len(m))
	}
}

var heldLink = regexp.MustCompile(`/mail/held/([a-z2-7]{24})`)

// A valid reply address with a forged From is held: nothing is posted, the
// account owner (not the sender) gets a confirmation link, and confirming
// posts exactly once.
func TestForgedFromIsHeldAndConfirmedOnce(t *testing.T) {
	s := newScene(t)
	f := s.f
	mallory := f.addr("mallory@evil.example")
	out := f.deliver("", eml("Mallory <"+mallory+">", "x", "Re: Spring planting", "Delete the group!"), s.aliceReply(), passing)
	if out.Result != inbox.HeldMail || !out.Replied || out.HeldID == "" {
		t.Fatalf("forged From: %+v", out)
	}
	if n := len(f.comments(s.bob, s.tid)); n != 0 {
		t.Fatalf("forged reply posted (%d comments)", n)
	}
	m := f.waitMail(s.alice.email, heldLink)
	if strings.Contains(m.Body.Text, "Delete the group") {
		t.Fatal("the held notice repeats the unverified text")
	}
	if len(f.mailsTo(mallory)) != 0 {
		t.Fatal("the forged sender got mail (backscatter)")
	}
	hid := heldLink.FindStringSubmatch(m.Body.Text)[1]
	if hid != out.HeldID {
		t.Fatalf("link names %s, held %s", hid, out.HeldID)
	}
	// Only alice, signed in, sees and confirms it.
	if _, err := f.inbox.HeldMessage(s.bob.ctx, hid); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("bob reads alice's held mail: %v", err)
	}
	if _, err := f.inbox.ConfirmHeld(context.Background(), hid); domain.ErrorCode(err) != domain.Unauthorized {
		t.Fatalf("anonymous confirm: %v", err)
	}
	h, err := f.inbox.HeldMessage(s.alice.ctx, hid)
	if err != nil || h.Text != "Delete the group!" || h.FromAddress != mallory {
		t.Fatalf("held: %+v %v", h, err)
	}
	got, err := f.inbox.ConfirmHeld(s.alice.ctx, hid)
	if err != nil || got.Result != inbox.Posted {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	if _, err := f.inbox.ConfirmHeld(s.alice.ctx, hid); err != inbox.ErrHeldPosted {
		t.Fatalf("second confirm: %v", err)
	}
	cs := f.comments(s.bob, s.tid)
	if len(cs) != 1 || cs[0].ActorID != s.alice.id || cs[0].Body != "Delete the group!" {
		t.Fatalf("after confirm: %+v", cs)
	}

	// The right From with failing authentication is held as well.
	out = f.deliver("", eml("Alice <"+s.alice.email+">", "x", "Re: Spring planting", "Me, really?"), s.aliceReply(), inbox.FailingVerdicts())
	if out.Result != inbox.HeldMail {
		t.Fatalf("unauthenticated From: %+v", out)
	}
}

// A reply address for a thread the user cannot reach is rejected, and so
// is a tampered one; only the authenticated account owner is told.
func TestWrongTargetsAreRejected(t *testing.T) {
	s := newScene(t)
	f := s.f
	carol := f.person(f.addr("carol@example.org"), "Carol")
	secret, err := f.a.Groups.Create(carol.ctx, group.CreateInput{Name: "Secret", Handle: "secret-" + f.tag, Privacy: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	other := f.thread(carol, secret.ID)
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindThread, ThreadID: other})
	out := f.deliver("", eml(s.alice.email, "x", "Re", "Let me in"), to, passing)
	if out.Result != inbox.Rejected || !out.Replied {
		t.Fatalf("thread without access: %+v", out)
	}
	if n := len(f.comments(carol, other)); n != 0 {
		t.Fatal("posted in a thread without access")
	}
	// A comment token naming a notification alice does not have (ids are
	// read in her own list only; see TestReplyToACommentEmail).
	to = f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindComment, NotificationID: "18a2b3c4d5e6f70801020304"})
	if out := f.deliver("", eml(s.alice.email, "x", "Re", "mismatch"), to, passing); out.Result != inbox.Rejected {
		t.Fatalf("unknown notification: %+v", out)
	}
	// Tampered address: no reply to anybody.
	good := s.aliceReply()
	bad := good[:5] + map[bool]string{true: "b", false: "a"}[good[5] == 'a'] + good[6:]
	before := len(f.mailsTo(s.alice.email))
	out = f.deliver("", eml(s.alice.email, "x", "Re", "tampered"), bad, passing)
	if out.Result != inbox.Rejected || out.Replied || len(f.mailsTo(s.alice.email)) != before {
		t.Fatalf("tampered token: %+v", out)
	}
	if n := len(f.comments(s.bob, s.tid)); n != 0 {
		t.Fatalf("%d comments after rejections", n)
	}
}

// The same SES message id is processed once, even when the first attempt
// crashed between posting and recording its outcome.
func TestReplayedMessageIsANoOp(t *testing.T) {
	s := newScene(t)
	f := s.f
	raw := eml(s.alice.email, "x", "Re: Spring planting", "Tulips!")
	id := inbox.NewMessageID()
	first := f.deliver(id, raw, s.aliceReply(), passing)
	if first.Result != inbox.Posted {
		t.Fatalf("first: %+v", first)
	}
	again := f.deliver(id, raw, s.aliceReply(), passing)
	if again.Result != inbox.Duplicate || again.Previous != inbox.Posted {
		t.Fatalf("replay: %+v", again)
	}
	// Simulate a crash after the comment, before the record: the record is
	// still "processing" and its lease has lapsed.
	err := f.a.Store.Update("INBOUND#"+id, "INBOUND").Set("State", "processing").Set("LeaseUntil", 0).Remove("Result").Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	retry := f.deliver(id, raw, s.aliceReply(), passing)
	if retry.Result != inbox.Posted || !retry.Repeat || retry.CommentID != first.CommentID {
		t.Fatalf("retry after crash: %+v (first %+v)", retry, first)
	}
	if cs := f.comments(s.bob, s.tid); len(cs) != 1 {
		t.Fatalf("%d comments after replays", len(cs))
	}
	// A claim that has not lapsed (another invocation working) is busy.
	err = f.a.Store.Update("INBOUND#"+id, "INBOUND").Set("State", "processing").Set("LeaseUntil", time.Now().Add(time.Minute).UnixMilli()).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.process(id, raw, s.aliceReply(), passing); err != inbox.ErrBusy {
		t.Fatalf("concurrent delivery: %v", err)
	}
}

// Votes by email go through the decision core; unreadable ones get help.
func TestVoteByEmail(t *testing.T) {
	s := newScene(t)
	f := s.f
	pid := s.proposal("Plant tulips")
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	out := f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "agree\nTulips are lovely."), to, passing)
	if out.Result != inbox.Voted {
		t.Fatalf("vote: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`was recorded`))
	out = f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "disagree"), to, passing)
	if out.Result != inbox.Voted {
		t.Fatalf("change: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`was changed`))
	got, err := f.a.Decisions.Get(s.alice.ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	_ = got
	out = f.deliver("", eml(s.alice.email, "x", "Re: Plant tulips", "what is this about?"), to, passing)
	if out.Result != inbox.Helped || !out.Replied {
		t.Fatalf("unreadable: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`Reply with your vote on the first line`))
	// A forged vote is held, not cast.
	out = f.deliver("", eml(f.addr("mallory@evil.example"), "x", "Re", "agree"), to, passing)
	if out.Result != inbox.HeldMail {
		t.Fatalf("forged vote: %+v", out)
	}
}

// Mail to a group's address: members start threads (with attachments);
// unknown senders are held for admins, who allow (remembering an alias) or
// block them.
func TestEmailToGroup(t *testing.T) {
	s := newScene(t)
	f := s.f
	groupAddr := s.handle + "@" + f.a.Config.MailDomain
	out := f.deliver("", withAttachment(s.alice.email, groupAddr, "Seed order", "Here is the list.", "seeds.png", "image/png", pngBytes), groupAddr, passing)
	if out.Result != inbox.Started || out.Attached != 1 {
		t.Fatalf("member mail: %+v", out)
	}
	th, err := f.a.Discussions.Thread(s.bob.ctx, out.ThreadID)
	if err != nil || th.Title != "Seed order" || th.AuthorID != s.alice.id || len(th.Files) != 1 || th.Files[0].Name != "seeds.png" {
		t.Fatalf("thread: %+v %v", th, err)
	}

	// An unknown address: held, the admin (bob) is told.
	stranger := f.addr("alice.home@example.net")
	out = f.deliver("", eml(stranger, groupAddr, "From my other address", "Hi all"), groupAddr, passing)
	if out.Result != inbox.HeldMail || out.HeldID == "" {
		t.Fatalf("unknown sender: %+v", out)
	}
	f.waitMail(s.bob.email, regexp.MustCompile(`/held-mail`))
	if _, err := f.inbox.GroupHeld(s.alice.ctx, s.gid); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("member lists held mail: %v", err)
	}
	list, err := f.inbox.GroupHeld(s.bob.ctx, s.gid)
	if err != nil || len(list) != 1 || list[0].FromAddress != stranger || list[0].Subject != "From my other address" {
		t.Fatalf("held list: %+v %v", list, err)
	}
	if _, err := f.inbox.AllowHeld(s.alice.ctx, s.gid, out.HeldID, inbox.AllowInput{}); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("member allows: %v", err)
	}
	allowed, err := f.inbox.AllowHeld(s.bob.ctx, s.gid, out.HeldID, inbox.AllowInput{AliasUserID: s.alice.id})
	if err != nil || allowed.Result != inbox.Started {
		t.Fatalf("allow: %+v %v", allowed, err)
	}
	th, err = f.a.Discussions.Thread(s.bob.ctx, allowed.ThreadID)
	if err != nil || th.AuthorID != s.alice.id {
		t.Fatalf("allowed thread: %+v %v", th, err)
	}
	if list, _ := f.inbox.GroupHeld(s.bob.ctx, s.gid); len(list) != 0 {
		t.Fatalf("still listed: %+v", list)
	}
	// The alias now counts as alice.
	out = f.deliver("", eml(stranger, groupAddr, "Again from home", "Hello"), groupAddr, passing)
	if out.Result != inbox.Started {
		t.Fatalf("alias mail: %+v", out)
	}

	// Block a spammer.
	spammer := f.addr("spam@junk.example")
	out = f.deliver("", eml(spammer, groupAddr, "Cheap seeds", "Buy now"), groupAddr, passing)
	if out.Result != inbox.HeldMail {
		t.Fatalf("spam: %+v", out)
	}
	if err := f.inbox.BlockSender(s.bob.ctx, s.gid, out.HeldID); err != nil {
		t.Fatal(err)
	}
	out = f.deliver("", eml(spammer, groupAddr, "Cheap seeds again", "Buy now"), groupAddr, passing)
	if out.Result != inbox.Dropped {
		t.Fatalf("blocked sender: %+v", out)
	}
	if list, _ := f.inbox.GroupHeld(s.bob.ctx, s.gid); len(list) != 0 {
		t.Fatalf("blocked mail listed: %+v", list)
	}
}

// Attachments beyond the upload limits are skipped and the sender (at the
// account address) is told; the comment is posted. A message beyond the
// 30 MB parser limit is dropped without posting anything.
func TestHugeAttachmentIsSkipped(t *testing.T) {
	s := newScene(t)
	f := s.f
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), uploadLimit+1)...)
	out := f.deliver("", withAttachment(s.alice.email, "x", "Re", "See the plan.", "plan.pdf", "application/pdf", big), s.aliceReply(), passing)
	if out.Result != inbox.Posted || out.Skipped != 1 || out.Attached != 0 {
		t.Fatalf("too large: %+v", out)
	}
	f.waitMail(s.alice.email, regexp.MustCompile(`plan\.pdf: the file is larger than`))
	exe := withAttachment(s.alice.email, "x", "Re", "Run this.", "run.exe", "application/x-msdownload", []byte("MZ\x90\x00"))
	if out := f.deliver("", exe, s.aliceReply(), passing); out.Result != inbox.Posted || out.Skipped != 1 {
		t.Fatalf("exe: %+v", out)
	}
	ok := withAttachment(s.alice.email, "x", "Re", "Photo.", "bed.png", "application/octet-stream", pngBytes)
	out = f.deliver("", ok, s.aliceReply(), passing)
	if out.Result != inbox.Posted || out.Attached != 1 {
		t.Fatalf("png as octet-stream: %+v", out)
	}
	found := false
	for _, c := range f.comments(s.bob, s.tid) {
		if c.ID == out.CommentID {
			found = len(c.Files) == 1 && c.Files[0].ContentType == "image/png" && c.Files[0].Name == "bed.png"
		}
	}
	if !found {
		t.Fatal("the png is not attached to its comment")
	}
	before := len(f.comments(s.bob, s.tid))
	huge := withAttachment(s.alice.email, "x", "Re", "Everything.", "all.pdf", "application/pdf", bytes.Repeat([]byte("y"), 23<<20))
	if out := f.deliver("", huge, s.aliceReply(), passing); out.Result != inbox.Dropped {
		t.Fatalf("31 MB message: %+v", out)
	}
	if n := len(f.comments(s.bob, s.tid)); n != before {
		t.Fatal("a message over the size limit was posted")
	}
}

// A German-speaking member votes in German: "Dafür", "Nein" and "Ja" count
// as Agree, Disagree and Agree (the reply is read in the recipient's
// language as well as English).
func TestVoteByEmailInTheMembersLanguage(t *testing.T) {
	s := newScene(t)
	f := s.f
	de := "de"
	web := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: s.alice.id, SessionID: "s1"}) // settings are changed from a session
	if _, err := f.a.Accounts.UpdateProfile(web, account.ProfileUpdate{Locale: &de}); err != nil {
		t.Fatal(err)
	}
	pid := s.proposal("Tulpen pflanzen")
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	for i, c := range []struct{ text, want, reason string }{
		{"Dafür\nTulpen sind schön.", poll.OptionAgree, "Tulpen sind schön."},
		{"Nein", poll.OptionDisagree, ""},
		{"Ja, aber erst im Herbst", poll.OptionAgree, "aber erst im Herbst"},
	} {
		out := f.deliver("", eml(s.alice.email, "x", "Re: Tulpen pflanzen", c.text), to, passing)
		if out.Result != inbox.Voted {
			t.Fatalf("%d %q: %+v", i, c.text, out)
		}
		list, err := f.a.Decisions.Ballots(s.alice.ctx, pid, "", 10)
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("%d: ballots %+v %v", i, list, err)
		}
		b := list.Items[0]
		if b.UserID != s.alice.id || len(b.Choices) != 1 || b.Choices[0].OptionID != c.want || b.Reason != c.reason {
			t.Errorf("%d %q: ballot %+v, want %s %q", i, c.text, b, c.want, c.reason)
		}
	}
	// A word of neither German nor English is not guessed: the help reply.
	if out := f.deliver("", eml(s.alice.email, "x", "Re: Tulpen pflanzen", "oui"), to, passing); out.Result != inbox.Helped {
		t.Fatalf("oui: %+v", out)
	}
}
