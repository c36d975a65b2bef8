package notify

import (
	"bytes"
	"context"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/render/rendertest"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/testkit"

	"github.com/jhillyerd/enmime"

	"github.com/quorum-app/quorum/internal/inbound"
	qmail "github.com/quorum-app/quorum/internal/mail"
	qmailtest "github.com/quorum-app/quorum/internal/mail/mailtest"
)

type meetings struct{ ics []byte }

func (m meetings) MeetingInvite(context.Context, string, string) ([]byte, bool, error) {
	return m.ics, m.ics != nil, nil
}

// unit builds a dispatcher that only composes (no cloud).
func unit(t testing.TB) (*Dispatcher, *replyaddr.Tokens) {
	t.Helper()
	tokens := replyaddr.NewTokens(testKey, testDomain)
	d, err := NewDispatcher(Config{Notifications: New(nil, nil), Sender: &testkit.Mailbox{}, People: people{}, Groups: groups{},
		Prefs: &prefs{}, Meetings: meetings{ics: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}, Tokens: tokens,
		BaseURL: testBase, MailDomain: testDomain, From: "Quorum <notifications@quorum.test>"})
	if err != nil {
		t.Fatal(err)
	}
	return d, tokens
}

var (
	uid    = "Xq3vK9pL2mN8rT5wY1zA0A"
	bob    = Person{ID: uid, Name: "Bob", Email: "bob@example.org"}
	garden = Group{ID: "m3k5q7s2u2w4y6a6", Name: "Garden club", Handle: "garden"}
	tid    = "c2e4g6i7k3m5o7q2"
	pid    = "p2e4g6i7k3m5o7q3"
	cid    = "18a9f2c4d5e6f7a8b1c2d3e4"
	nid    = "18a9f2c4d5e6f7a8b1c2d3ff"
)

// built composes n and returns the parsed MIME message and its envelope.
func built(t *testing.T, d *Dispatcher, n Notification, g Group) (*mail.Message, *enmime.Envelope, []byte) {
	t.Helper()
	n.UserID, n.ID = bob.ID, nid
	m, err := d.composeJob(context.Background(), Job{Notification: n}, bob, g, Route{Action: RouteSend, KeyGeneration: 3}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := qmail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg, env, raw
}

func TestThreadingAndListHeaders(t *testing.T) {
	d, tokens := unit(t)
	thread, poll := "<thread."+tid+"@quorum.test>", "<poll."+pid+"@quorum.test>"
	own := "<n." + nid + "@quorum.test>"
	cases := []struct {
		name                 string
		n                    Notification
		msgID, inReply, refs string
		token                replyaddr.Kind
		unsub                string
	}{
		{"new thread", Notification{Kind: NewThread, GroupID: garden.ID, ThreadID: tid, Title: "T"}, thread, "", "", replyaddr.KindThread, "thread." + tid},
		{"comment", Notification{Kind: Comment, GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "T"}, own, thread, thread, replyaddr.KindComment, "thread." + tid},
		{"mention", Notification{Kind: Mention, GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "T"}, own, thread, thread, replyaddr.KindComment, "thread." + tid},
		{"reply", Notification{Kind: Reply, GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "T"}, own, thread, thread, replyaddr.KindComment, "thread." + tid},
		{"poll opened in a thread", Notification{Kind: PollOpened, GroupID: garden.ID, ThreadID: tid, PollID: pid, Title: "P"}, poll, thread, thread, replyaddr.KindPoll, "thread." + tid},
		{"poll opened alone", Notification{Kind: PollOpened, GroupID: garden.ID, PollID: pid, Title: "P"}, poll, "", "", replyaddr.KindPoll, "group." + garden.ID},
		{"closing soon in a thread", Notification{Kind: PollClosingSoon, GroupID: garden.ID, ThreadID: tid, PollID: pid, Title: "P"}, own, poll, thread + " " + poll, replyaddr.KindPoll, "thread." + tid},
		{"reminder alone", Notification{Kind: PollReminder, GroupID: garden.ID, PollID: pid, Title: "P"}, own, poll, poll, replyaddr.KindPoll, "group." + garden.ID},
		{"poll closed alone", Notification{Kind: PollClosed, GroupID: garden.ID, PollID: pid, Title: "P"}, own, poll, poll, 0, "group." + garden.ID},
		{"outcome in a thread", Notification{Kind: OutcomePublished, GroupID: garden.ID, ThreadID: tid, PollID: pid, Title: "P"}, own, poll, thread + " " + poll, replyaddr.KindThread, "thread." + tid},
		// Announcements: a reply comments in the thread; a poll's outside a thread takes none.
		{"thread announced", Notification{Kind: Announcement, GroupID: garden.ID, ThreadID: tid, Title: "T"}, own, thread, thread, replyaddr.KindThread, "thread." + tid},
		{"poll in a thread announced", Notification{Kind: Announcement, GroupID: garden.ID, ThreadID: tid, PollID: pid, Title: "T"}, own, poll, thread + " " + poll, replyaddr.KindThread, "thread." + tid},
		{"poll alone announced", Notification{Kind: Announcement, GroupID: garden.ID, PollID: pid, Title: "T"}, own, poll, poll, 0, "group." + garden.ID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, env, _ := built(t, d, c.n, garden)
			h := msg.Header
			if h.Get("Message-Id") != c.msgID || h.Get("In-Reply-To") != c.inReply || h.Get("References") != c.refs {
				t.Errorf("Message-Id %q In-Reply-To %q References %q", h.Get("Message-Id"), h.Get("In-Reply-To"), h.Get("References"))
			}
			if want := "<" + testBase + "/unsubscribe/" + uid + "." + c.unsub + ">"; h.Get("List-Unsubscribe") != want {
				t.Errorf("List-Unsubscribe %q, want %q", h.Get("List-Unsubscribe"), want)
			}
			if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || h.Get("Auto-Submitted") != "auto-generated" ||
				h.Get(inbound.LoopHeader) != testDomain || h.Get("List-Id") != `"Garden club" <garden.quorum.test>` {
				t.Errorf("list headers: %v", h)
			}
			if c.n.Kind.Poll() {
				if h.Get("Subject") != "[Garden club] P" {
					t.Errorf("subject %q", h.Get("Subject"))
				}
			} else if h.Get("Subject") != "[Garden club] T" {
				t.Errorf("subject %q", h.Get("Subject"))
			}
			replyTo := h.Get("Reply-To")
			if c.token == 0 {
				if replyTo != "" {
					t.Errorf("Reply-To %q on an email a reply cannot act on", replyTo)
				}
			} else {
				tok, err := tokens.Verify(replyTo, time.Now(), func(string) int { return 3 })
				if err != nil {
					t.Fatalf("Reply-To %q: %v", replyTo, err)
				}
				if addr, _ := mail.ParseAddress(replyTo); len(strings.Split(addr.Address, "@")[0]) > replyaddr.MaxLocalPart {
					t.Errorf("Reply-To %q: the local part is longer than 64 octets", replyTo)
				}
				if tok.Kind != c.token || tok.UserID != uid || tok.KeyGeneration != 3 || tok.Expires.Before(time.Now().Add(59*24*time.Hour)) {
					t.Errorf("token %+v", tok)
				}
				switch tok.Kind {
				case replyaddr.KindComment:
					if tok.NotificationID != nid || tok.ThreadID != "" || tok.CommentID != "" {
						t.Errorf("comment token %+v", tok)
					}
				case replyaddr.KindThread:
					if tok.ThreadID != tid {
						t.Errorf("thread token %+v", tok)
					}
				case replyaddr.KindPoll:
					if tok.PollID != pid {
						t.Errorf("poll token %+v", tok)
					}
				}
			}
			checkLinks(t, env)
		})
	}
}

var urlRE = regexp.MustCompile(`(?i)\b(?:https?:)?//[^\s"'<>]+`)

// checkLinks: every URL points at the installation; the HTML keeps the
// frame's invariants (mailtest.CheckHTML: no image, no remote content, a
// language and direction, nothing but our own elements).
func checkLinks(t *testing.T, env *enmime.Envelope) { checkLinksIn(t, env, true) }

// checkLinksIn: with strict false the bodies may quote addresses people
// wrote (plain text, never a link); only our links and elements count.
func checkLinksIn(t *testing.T, env *enmime.Envelope, strict bool) {
	t.Helper()
	for _, body := range []string{env.Text, env.HTML} {
		for _, u := range urlRE.FindAllString(body, -1) {
			if strict && !strings.HasPrefix(u, testBase+"/") {
				t.Errorf("URL outside the installation: %q", u)
			}
		}
	}
	if env.Text == "" || env.HTML == "" {
		t.Fatal("both a text and an HTML part are required")
	}
	qmailtest.CheckHTML(t, env.HTML, qmailtest.Want{Lang: "en", Dir: "ltr", Base: testBase})
}

// Every kind has its own wording, subject and link.
func TestEveryKindComposes(t *testing.T) {
	d, _ := unit(t)
	type kind struct {
		Kind
		aboutPoll bool // an announcement points to a thread or a poll
	}
	var kinds []kind
	for _, k := range []Kind{Mention, Reply, NewThread, Comment, PollClosingSoon, PollReminder,
		PollClosed, PollOutcomeReview, PollOpened, OutcomePublished, Announcement} {
		kinds = append(kinds, kind{k, k.Poll()})
	}
	kinds = append(kinds, kind{Announcement, true})
	headings := map[string]bool{}
	for _, kk := range kinds {
		k, aboutPoll := kk.Kind, kk.aboutPoll
		n := Notification{Kind: k, ActorName: "Alice", GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "Tomatoes", Excerpt: "Short."}
		if k == Announcement {
			n.CommentID = ""
		}
		if aboutPoll {
			n.CommentID, n.PollID = "", pid
		}
		_, env, _ := built(t, d, n, garden)
		first := strings.SplitN(env.Text, "\n", 2)[0]
		if headings[first] || !strings.Contains(first, "Tomatoes") {
			t.Errorf("%s: heading %q", k, first)
		}
		headings[first] = true
		want := testBase + "/threads/" + tid
		if aboutPoll {
			want = testBase + "/polls/" + pid
		}
		if k == Announcement && (!strings.Contains(first, "Alice wants you to see") || !strings.Contains(env.Text, "Alice chose to notify you")) {
			t.Errorf("announcement (poll %v): %q", aboutPoll, env.Text)
		}
		if !strings.Contains(env.Text, want) || !strings.Contains(env.HTML, want) {
			t.Errorf("%s: no link to %s", k, want)
		}
		if !strings.Contains(env.Text, "Unsubscribe from all Quorum email") || !strings.Contains(env.HTML, testBase+"/settings/email-preferences") {
			t.Errorf("%s: footer", k)
		}
		checkLinks(t, env)
		// The action is a button; the text part says what the HTML shows;
		// the preview line is the excerpt.
		page := qmailtest.CheckHTML(t, env.HTML, qmailtest.Want{Lang: "en", Dir: "ltr", Base: testBase, Action: actionURL(env.Text)})
		qmailtest.SameContent(t, env.Text, page)
		if page.Preheader != "Short." {
			t.Errorf("%s: preheader %q", k, page.Preheader)
		}
	}
}

// actionURL is the URL of the text part's first "Label: URL" line: the
// email's action.
func actionURL(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if _, u, ok := strings.Cut(strings.TrimRight(line, "\r"), ": "+testBase); ok {
			return testBase + u
		}
	}
	return ""
}

// A published meeting outcome carries the invitation.
func TestOutcomeCarriesTheMeetingInvitation(t *testing.T) {
	d, _ := unit(t)
	_, env, _ := built(t, d, Notification{Kind: OutcomePublished, GroupID: garden.ID, PollID: pid, Title: "When?"}, garden)
	env.Attachments = append(env.Attachments, env.Inlines...)
	env.Attachments = append(env.Attachments, env.OtherParts...)
	if len(env.Attachments) != 1 || env.Attachments[0].FileName != "meeting-"+pid+".ics" ||
		!strings.HasPrefix(env.Attachments[0].ContentType, "text/calendar") || !bytes.Contains(env.Attachments[0].Content, []byte("BEGIN:VCALENDAR")) {
		t.Fatalf("attachments: %q %q %q", env.Attachments[0].FileName, env.Attachments[0].ContentType, env.Attachments[0].Content)
	}
	_, env, _ = built(t, d, Notification{Kind: PollClosed, GroupID: garden.ID, PollID: pid, Title: "When?"}, garden)
	if len(env.Attachments) != 0 {
		t.Fatal("only the outcome carries an invitation")
	}
}

// Every field of user text is escaped in the HTML and kept on one line in
// headers, for every payload of the XSS corpus.
func TestUserTextIsEscaped(t *testing.T) {
	d, _ := unit(t)
	payloads := rendertest.XSSCorpus(t)
	if len(payloads) < 20 {
		t.Fatalf("only %d payloads", len(payloads))
	}
	for _, p := range payloads {
		g := Group{ID: garden.ID, Name: p, Handle: "garden"}
		for _, k := range []Kind{Mention, PollOpened} {
			n := Notification{Kind: k, ActorName: p, GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: p, Excerpt: p + "\n" + p}
			if k.Poll() {
				n.PollID, n.CommentID = pid, ""
			}
			msg, env, _ := built(t, d, n, g)
			checkLinksIn(t, env, false)
			if strings.Contains(env.HTML, p) && strings.ContainsAny(p, "<>&\"'") {
				t.Errorf("payload %q appears unescaped", p)
			}
			if s := msg.Header.Get("Subject"); s == "" {
				t.Errorf("no subject for %q", p)
			}
		}
	}
	// The digest too.
	v := digestView{Lang: "en", Dir: "ltr", Subject: "S", Heading: "H", Groups: []*digestGroup{{Name: payloads[0], Topics: []*digestTopic{{Title: payloads[1],
		URL: testBase + "/threads/" + tid, Items: []digestItem{{Heading: payloads[2], Excerpt: []string{payloads[3]}}}}}}}}
	_, h := layoutDigest(v)
	for _, p := range payloads[:4] {
		if strings.Contains(h, p) {
			t.Errorf("digest: %q unescaped", p)
		}
	}
	checkLinksIn(t, &enmime.Envelope{Text: "x", HTML: h}, false)
}

func TestSubjectIsOneLine(t *testing.T) {
	en := i18n.New().Printer(lang.English, nil)
	if s := subject(en, "Garden\r\nBcc: x@evil.example", "Hello\nworld"); s != "[Garden Bcc: x@evil.example] Hello world" {
		t.Fatalf("subject %q", s)
	}
	if s := subject(en, "", "invoice\u202egpj.exe"); s != "invoicegpj.exe" {
		t.Fatalf("bidi override kept: %q", s)
	}
	if s := subject(en, "", strings.Repeat("é", 400)); len([]rune(s)) != 150 {
		t.Fatalf("long subject: %d runes", len([]rune(s)))
	}
}
