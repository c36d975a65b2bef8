package inbound

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

const testDomain = "quorum.example.org"

func load(t testing.TB, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestCorpusReplies asserts the extracted comment text of every reply in the
// corpus exactly.
func TestCorpusReplies(t *testing.T) {
	cases := []struct {
		file, from, reply string
		htmlOnly          bool
	}{
		{"gmail_reply.eml", "alice@example.org", "Thanks Bob, two points:\n\n- the **compost** line looks high\n- can we add 3 fruit trees?\n\nAlice", false},
		{"gmail_html_only.eml", "alice@example.org", "I can bring the seedlings on Saturday.\n\nAlice", true},
		{"outlook_desktop_html.eml", "carol@example.com", "I agree with the plan, but the fence repair should come first.\n\nRegards,\n\nCarol", true},
		{"outlook_desktop_border.eml", "dieter@example.de", "Count me in for Saturday.", true},
		{"outlook_web.eml", "dan@outlook.example", "Yes, let's do it.\n\nDan", false},
		{"outlook_web_html_only.eml", "dan@outlook.example", "Yes, let's do it.\nDan", true},
		{"outlook_original_message.eml", "erin@example.net", "I'll bring gloves.", false},
		{"apple_mail.eml", "fay@icloud.example", "Great idea.\nI can drive the van.", false},
		{"apple_mail_html_only.eml", "fay@icloud.example", "Great idea. I can drive the van.", true},
		{"thunderbird.eml", "gus@example.org", "Here is my proposal:\n\n1. Buy seeds in January\n2. Plant in March\n\n```\ntotal = 120 EUR\n```", false},
		{"iphone.eml", "hana@example.org", "Sounds good 👍", false},
		{"french_latin1.eml", "amelie@example.fr", "Très bonne idée, je serai là à 10h.\nÀ samedi !", false},
		{"german_cp1252.eml", "joerg@example.de", "Ich bin dabei. Die Kosten von 20 € übernehme ich – „gern“.", false},
		{"german_gmail.eml", "karl@example.de", "Passt mir gut.", false},
		{"spanish.eml", "lucia@example.es", "¡Perfecto! Llevo las herramientas.", false},
		{"spanish_outlook.eml", "mateo@example.es", "De acuerdo con el presupuesto.", false},
		{"japanese_shiftjis.eml", "yamada@example.jp", "了解しました。土曜日に参加します。\n**よろしく**お願いします。", false},
		{"japanese_iso2022jp.eml", "sato@example.jp", "賛成です。", false},
		{"japanese_thunderbird.eml", "suzuki@example.jp", "反対です。理由は後で書きます。", false},
		{"russian_koi8r.eml", "olga@example.ru", "Согласна, давайте купим семена.", false},
		{"html_only.eml", "alice@example.org", "Should we buy *two* compost bins?\n\n* Option A: wood\n* Option B: plastic\n\nAlice", true},
		{"broken_boundary.eml", "ivan@example.org", "I'm in, see the attached list.", false},
		{"rfc2231_attachments.eml", "alice@example.org", "Updated budget attached.", false},
		{"forwarded.eml", "alice@example.org", "FYI, the council's reply below.\n\n---------- Forwarded message ---------\nFrom: Town Council <council@town.example>\nDate: Mon, Nov 23, 2026 at 9:00 AM\nSubject: Allotment permit\nTo: Alice Example <alice@example.org>\n\nYour permit for the allotment has been approved.", false},
		{"markdown_signature.eml", "alice@example.org", "## My answer\n\n> the budget is too high\n\nI don't think so: **compost** is cheap.\n\n    code block stays\n\n日本語もOK", false},
		{"vote_reply.eml", "alice@example.org", "Agree, as long as it is under 500 EUR.\nWe need it for the tomatoes.", false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m := load(t, c.file)
			if got := ExtractReply(m); got != c.reply {
				t.Errorf("reply:\n got %q\nwant %q", got, c.reply)
			}
			if m.From.Address != c.from {
				t.Errorf("from = %q, want %q", m.From.Address, c.from)
			}
			if m.HasTextPart == c.htmlOnly {
				t.Errorf("HasTextPart = %v", m.HasTextPart)
			}
			if cl := Classify(m, testDomain); cl.Drop() {
				t.Errorf("a human reply is classified %v", cl)
			}
		})
	}
}

func TestCorpusHeaders(t *testing.T) {
	m := load(t, "gmail_reply.eml")
	if m.MessageID != "CAF=abc123@mail.example.org" || m.InReplyTo != "thread-01jdx4.comment-01jdx9@quorum.example.org" {
		t.Errorf("ids: %q %q", m.MessageID, m.InReplyTo)
	}
	if len(m.References) != 2 || m.References[0] != "thread-01jdx4@quorum.example.org" {
		t.Errorf("references: %q", m.References)
	}
	if m.From.Name != "Alice Example" || len(m.To) != 1 || !strings.HasPrefix(m.To[0].Address, "r+") || len(m.DeliveredTo) != 1 {
		t.Errorf("addresses: %+v %+v %+v", m.From, m.To, m.DeliveredTo)
	}
	if !m.Date.Equal(time.Date(2026, 11, 23, 18, 40, 10, 0, time.UTC)) {
		t.Errorf("date: %v", m.Date)
	}
	if !strings.Contains(m.HTML, "gmail_quote") {
		t.Errorf("html not kept")
	}
	// Encoded words in several charsets.
	if m := load(t, "french_latin1.eml"); m.From.Name != "Amélie Exemple" || m.Subject != "Re\u00a0: Samedi" {
		t.Errorf("latin1 headers: %+v %q", m.From, m.Subject)
	}
	if m := load(t, "japanese_shiftjis.eml"); m.From.Name != "山田" || m.Subject != "Re: 土曜日" {
		t.Errorf("iso-2022-jp headers: %+v %q", m.From, m.Subject)
	}
	if m := load(t, "spanish.eml"); m.Subject != "Re: Sábado" {
		t.Errorf("subject %q", m.Subject)
	}
}

func TestCorpusDrops(t *testing.T) {
	cases := map[string]AutoKind{
		"ooo_en.eml":          AutoReply,
		"ooo_de.eml":          AutoReply,
		"ooo_fr.eml":          AutoReply,
		"auto_submitted.eml":  AutoReply,
		"x_autoreply.eml":     AutoReply,
		"precedence_bulk.eml": Bulk,
		"mailing_list.eml":    Bulk,
		"bounce.eml":          Bounce,
		"loop_header.eml":     Loop,
		"own_domain.eml":      Loop,
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			m := load(t, file)
			c := Classify(m, testDomain)
			if c.Kind != want || !c.Drop() {
				t.Errorf("classified %+v, want %s", c, want)
			}
			d := Decide(DecideInput{Message: m, Verdicts: passing(m), OwnDomain: testDomain, Token: replyaddr.Token{UserID: "u"},
				UserAddresses: []string{m.From.Address}})
			if d.Outcome != Drop {
				t.Errorf("decision %+v", d)
			}
		})
	}
}

func TestCorpusAttachments(t *testing.T) {
	m := load(t, "rfc2231_attachments.eml")
	want := []struct {
		name, ct string
		size     int
	}{
		{"€ budget 2026.pdf", "application/pdf", 14},
		{"プランド.png", "image/png", 12},
		{"evilgnp.exe", "application/octet-stream", 2},
	}
	if len(m.Attachments) != len(want) {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	for i, w := range want {
		a := m.Attachments[i]
		if a.Filename != w.name || a.ContentType != w.ct || a.Size != w.size || len(a.Data) != w.size {
			t.Errorf("attachment %d = %q %q %d, want %+v", i, a.Filename, a.ContentType, a.Size, w)
		}
	}
	m = load(t, "broken_boundary.eml")
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "list.csv" || !bytes.Contains(m.Attachments[0].Data, []byte("ivan,spade")) {
		t.Errorf("broken boundary attachment: %+v", m.Attachments)
	}
	if len(m.ParseErrors) == 0 {
		t.Error("broken boundary: no parse error recorded")
	}
}

func TestBrokenBase64KeepsGoing(t *testing.T) {
	m := load(t, "bad_base64.eml")
	if !strings.HasPrefix(ExtractReply(m), "Count me in!") || len(m.ParseErrors) == 0 {
		t.Errorf("reply %q errors %q", ExtractReply(m), m.ParseErrors)
	}
}

func TestHugeAttachment(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (20<<20)/16) // 20 MiB -> ~27 MiB base64
	raw, err := mail.Build(mail.Message{From: "alice@example.org", To: []string{"r+x@" + testDomain}, Subject: "big",
		Text: "See the scan.", Attachments: []mail.Attachment{{Filename: "scan.tiff", ContentType: "image/tiff", Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > MaxMessageSize {
		t.Fatalf("test message is %d bytes", len(raw))
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Size != len(data) || !bytes.Equal(m.Attachments[0].Data, data) {
		t.Fatalf("attachment not intact")
	}
	if ExtractReply(m) != "See the scan." {
		t.Errorf("reply %q", ExtractReply(m))
	}
	// Over the limit: a clear TooLarge error, without parsing.
	big := append(raw, bytes.Repeat([]byte("A"), MaxMessageSize)...)
	if _, err := Parse(big); !errors.Is(err, ErrTooLarge) || domain.ErrorCode(err) != domain.TooLarge {
		t.Errorf("oversized: %v", err)
	}
}

func TestParseRejectsEmpty(t *testing.T) {
	for _, raw := range [][]byte{nil, []byte("  \r\n")} {
		if _, err := Parse(raw); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("Parse(%q) = %v", raw, err)
		}
	}
}

// TestRoundTripOutbound parses what internal/mail builds.
func TestRoundTripOutbound(t *testing.T) {
	in := mail.Message{
		From: "Quorum <notifications@" + testDomain + ">", To: []string{"Zoë <zoe@example.org>"},
		ReplyTo: []string{"r+abc@" + testDomain}, Subject: "Ünïcode – subject ✓",
		Text: "Line one\nLine two with = and a very long line that needs soft breaks because quoted-printable wraps at seventy-six characters.",
		HTML: "<p>Line one</p>",
		Headers: map[string]string{"Message-Id": "<m1@" + testDomain + ">", "In-Reply-To": "<t1@" + testDomain + ">",
			"References": "<t0@" + testDomain + "> <t1@" + testDomain + ">", LoopHeader: testDomain, "Auto-Submitted": "auto-generated"},
		Attachments: []mail.Attachment{{Filename: "réunion.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}},
		Date:        time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC),
	}
	raw, err := mail.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != in.Subject || m.Text != in.Text || m.HTML != in.HTML || m.MessageID != "m1@"+testDomain ||
		m.InReplyTo != "t1@"+testDomain || len(m.References) != 2 || !m.Date.Equal(in.Date) {
		t.Errorf("round trip: %+v", m)
	}
	if m.From.Address != "notifications@"+testDomain || m.To[0].Name != "Zoë" || m.ReplyTo[0].Address != "r+abc@"+testDomain {
		t.Errorf("addresses: %+v %+v %+v", m.From, m.To, m.ReplyTo)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "réunion.ics" || m.Attachments[0].ContentType != "text/calendar" {
		t.Errorf("attachments: %+v", m.Attachments)
	}
	if c := Classify(m, testDomain); c.Kind != Loop {
		t.Errorf("our own mail coming back must be a loop: %+v", c)
	}
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("é", 200) + ".pdf"
	cases := map[string]string{
		"report.pdf":                   "report.pdf",
		"../../etc/passwd":             "passwd",
		`C:\Users\bob\evil.exe`:        "evil.exe",
		"a\x00b\x1fc\r\n.txt":          "abc.txt",
		"invoice\u202Efdp.exe":         "invoicefdp.exe",
		"what?*:<>|\".txt":             "what_______.txt",
		"  ..hidden.  ":                "hidden",
		"..":                           "attachment.pdf",
		"":                             "attachment.pdf",
		"=?UTF-8?B?44OX44Op44Oz44OJ?=": "プランド",
		"tab\tand   spaces.doc":        "tab and spaces.doc",
		"bad\xffutf8.txt":              "badutf8.txt",
	}
	for in, want := range cases {
		if got := SanitizeFilename(in, "application/pdf"); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
	got := SanitizeFilename(long, "application/pdf")
	if len(got) > MaxFilenameBytes || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "éé") {
		t.Errorf("long name: %q (%d bytes)", got, len(got))
	}
}
