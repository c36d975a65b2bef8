package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	qmail "github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type mimeDecoder = mime.WordDecoder

func TestBuildRejectsHeaderInjection(t *testing.T) {
	base := qmail.Message{From: "Quorum <n@quorum.test>", To: []string{"a@example.org"}, Subject: "Hi", Text: "x"}
	cases := []struct {
		name   string
		change func(*qmail.Message)
	}{
		{"subject newline", func(m *qmail.Message) { m.Subject = "Hi\r\nBcc: victim@example.org" }},
		{"bad to", func(m *qmail.Message) { m.To = []string{"not an address"} }},
		{"to newline", func(m *qmail.Message) { m.To = []string{"a@example.org\r\nBcc: x@y.z"} }},
		{"header value newline", func(m *qmail.Message) { m.Headers = map[string]string{"In-Reply-To": "<a>\nBcc: x@y.z"} }},
		{"no recipients", func(m *qmail.Message) { m.To = nil }},
		{"no body", func(m *qmail.Message) { m.Text = "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base
			c.change(&m)
			if _, err := qmail.Build(m); domain.ErrorCode(err) != domain.Invalid {
				t.Fatalf("want invalid, got %v", err)
			}
		})
	}
}

// A message sent through the SES v2 API reaches the emulator with its
// subject, both bodies, threading headers and attachment intact.
func TestSendThroughSESEmulator(t *testing.T) {
	env := testcloud.New(t)
	s := qmail.NewSES(env.Clients.SES, "", "quorum.test")
	to := env.Prefix + "@example.org"
	_, err := s.Send(context.Background(), qmail.Message{
		From:        "Quorum <notifications@quorum.test>",
		To:          []string{to},
		ReplyTo:     []string{"r+token@quorum.test"},
		Subject:     "Your sign-in code: 123456 — Quorum",
		Text:        "Your code is 123456.\nIt expires in 15 minutes.",
		HTML:        "<p>Your code is <strong>123456</strong>.</p>",
		Headers:     map[string]string{"In-Reply-To": "<thread-1@quorum.test>", "List-Unsubscribe": "<https://q.test/u/abc>"},
		Attachments: []qmail.Attachment{{Filename: "invite.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := qmail.Emulator{URL: env.Config.SESEndpoint}.WaitFor(ctx, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Your sign-in code: 123456 — Quorum" || !strings.Contains(got.Body.Text, "expires in 15 minutes") ||
		!strings.Contains(got.Body.HTML, "<strong>123456</strong>") {
		t.Fatalf("content: %+v", got)
	}
	if len(got.ReplyTo) != 1 || !strings.Contains(got.ReplyTo[0], "r+token@quorum.test") {
		t.Fatalf("reply-to: %+v", got.ReplyTo)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].Filename != "invite.ics" {
		t.Fatalf("attachments: %+v", got.Attachments)
	}
}

// The emulator does not keep the headers of raw messages, so the MIME the
// sender builds is checked here: headers survive, the subject is encoded,
// and both bodies parse.
func TestBuildHeadersAndStructure(t *testing.T) {
	raw, err := qmail.Build(qmail.Message{
		From: "Quorum <n@quorum.test>", To: []string{"a@example.org"}, Subject: "Décision: budget",
		Text: "plain", HTML: "<p>html</p>",
		Headers: map[string]string{"Message-Id": "<m1@quorum.test>", "In-Reply-To": "<t1@quorum.test>", "References": "<t1@quorum.test>",
			"List-Unsubscribe": "<https://q.test/u/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Message-Id": "<m1@quorum.test>", "In-Reply-To": "<t1@quorum.test>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	subj, err := new(mimeDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "Décision: budget" {
		t.Errorf("subject %q %v", subj, err)
	}
	body, _ := io.ReadAll(msg.Body)
	if !strings.Contains(msg.Header.Get("Content-Type"), "multipart/alternative") || !strings.Contains(string(body), "text/html") {
		t.Errorf("structure: %s", msg.Header.Get("Content-Type"))
	}
	if strings.Contains(string(raw), "\n") && !strings.Contains(string(raw), "\r\n") {
		t.Error("not CRLF")
	}
}

// An attachment's content type keeps its parameters (an .ics invitation
// needs method=PUBLISH) and gains the file name.
func TestAttachmentContentTypeParameters(t *testing.T) {
	raw, err := qmail.Build(qmail.Message{From: "q@example.org", To: []string{"a@example.org"}, Subject: "s", Text: "t",
		Attachments: []qmail.Attachment{{Filename: "invite.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: []byte("BEGIN:VCALENDAR")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`Content-Type: text/calendar; charset=utf-8; method=PUBLISH; name=invite.ics`)) {
		t.Errorf("attachment header:\n%s", raw)
	}
	if _, err := qmail.Build(qmail.Message{From: "q@example.org", To: []string{"a@example.org"}, Subject: "s", Text: "t",
		Attachments: []qmail.Attachment{{Filename: "x", ContentType: "not a type;;", Data: []byte("x")}}}); err == nil {
		t.Error("a malformed content type was accepted")
	}
}
