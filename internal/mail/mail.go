// Package mail builds and sends Quorum's outbound email. Messages are
// assembled as MIME (plain text + HTML, attachments, threading and list
// headers) and sent raw through the SES v2 API; locally the SES emulator
// receives them and tests read its store (see Emulator).
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
)

// Attachment is a file carried by a message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is one email to one or more recipients.
type Message struct {
	From    string
	To      []string
	ReplyTo []string
	Subject string
	Text    string
	HTML    string
	// Headers are extra headers (Message-ID, In-Reply-To, References,
	// List-Unsubscribe, ...). Names are canonicalised; CR/LF are rejected.
	Headers     map[string]string
	Attachments []Attachment
	// Date defaults to now.
	Date time.Time
}

// Sender sends messages. SES implements it; tests may use a fake.
type Sender interface {
	Send(ctx context.Context, m Message) (messageID string, err error)
}

// SESAPI sends a raw MIME message through SES v2's SendEmail
// (awsclient.SES, a signed call without the SDK's sesv2 client).
type SESAPI interface {
	SendRaw(ctx context.Context, from string, to []string, configSet string, raw []byte) (messageID string, err error)
}

// SES sends through the SES v2 API.
type SES struct {
	client    SESAPI
	configSet string
	domain    string
}

// NewSES returns a sender; configSet may be empty. domain is used for
// generated Message-IDs.
func NewSES(client SESAPI, configSet, domain string) *SES {
	return &SES{client: client, configSet: configSet, domain: domain}
}

// Send builds the MIME message and sends it raw.
func (s *SES) Send(ctx context.Context, m Message) (string, error) {
	if m.Headers == nil {
		m.Headers = map[string]string{}
	}
	if _, ok := m.Headers["Message-Id"]; !ok {
		m.Headers["Message-Id"] = NewMessageID(s.domain)
	}
	raw, err := Build(m)
	if err != nil {
		return "", err
	}
	id, err := s.client.SendRaw(ctx, m.From, m.To, s.configSet, raw)
	if err != nil {
		return "", domain.Wrap(domain.Unavailable, err, "the mail service did not accept the message; try again")
	}
	return id, nil
}

// NewMessageID returns a fresh RFC 5322 message id at domain.
func NewMessageID(domainName string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "<" + hex.EncodeToString(b) + "@" + domainName + ">"
}

func headerSafe(s string) bool { return !strings.ContainsAny(s, "\r\n") }

// Build renders m as a MIME message with CRLF line endings.
func Build(m Message) ([]byte, error) {
	if len(m.To) == 0 {
		return nil, domain.Errorf(domain.Invalid, "a message needs at least one recipient")
	}
	for _, a := range append(append([]string{m.From}, m.To...), m.ReplyTo...) {
		if a == "" {
			continue
		}
		if _, err := mail.ParseAddress(a); err != nil || !headerSafe(a) {
			return nil, domain.Errorf(domain.Invalid, "%q is not an email address", a)
		}
	}
	if !headerSafe(m.Subject) {
		return nil, domain.Errorf(domain.Invalid, "the subject must be one line")
	}
	if m.Text == "" && m.HTML == "" {
		return nil, domain.Errorf(domain.Invalid, "a message needs a body")
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var b bytes.Buffer
	h := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	h("MIME-Version", "1.0")
	h("Date", date.UTC().Format(time.RFC1123Z))
	if m.From != "" {
		h("From", m.From)
	}
	h("To", strings.Join(m.To, ", "))
	if len(m.ReplyTo) > 0 {
		h("Reply-To", strings.Join(m.ReplyTo, ", "))
	}
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := m.Headers[k]
		if !headerSafe(k) || !headerSafe(v) || strings.ContainsAny(k, ": ") {
			return nil, domain.Errorf(domain.Invalid, "header %q is not allowed", k)
		}
		h(k, v)
	}

	alt := newBoundary()
	body := func() {
		if m.Text != "" && m.HTML != "" {
			h("Content-Type", `multipart/alternative; boundary="`+alt+`"`)
			b.WriteString("\r\n")
			part(&b, alt, "text/plain; charset=utf-8", m.Text)
			part(&b, alt, "text/html; charset=utf-8", m.HTML)
			fmt.Fprintf(&b, "--%s--\r\n", alt)
			return
		}
		ct, content := "text/plain; charset=utf-8", m.Text
		if m.Text == "" {
			ct, content = "text/html; charset=utf-8", m.HTML
		}
		h("Content-Type", ct)
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, content)
	}
	if len(m.Attachments) == 0 {
		body()
		return b.Bytes(), nil
	}
	mixed := newBoundary()
	h("Content-Type", `multipart/mixed; boundary="`+mixed+`"`)
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "--%s\r\n", mixed)
	body()
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if !headerSafe(ct) || !headerSafe(a.Filename) {
			return nil, domain.Errorf(domain.Invalid, "attachment metadata must be one line")
		}
		fmt.Fprintf(&b, "--%s\r\n", mixed)
		// The content type may carry parameters (text/calendar; method=PUBLISH):
		// parse them, then format the type with the name added.
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, domain.Errorf(domain.Invalid, "attachment content type %q is not a media type", ct)
		}
		params["name"] = a.Filename
		ctHeader := mime.FormatMediaType(mt, params)
		if ctHeader == "" {
			return nil, domain.Errorf(domain.Invalid, "attachment content type %q cannot be written", ct)
		}
		fmt.Fprintf(&b, "Content-Type: %s\r\n", ctHeader)
		fmt.Fprintf(&b, "Content-Disposition: %s\r\n", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", mixed)
	return b.Bytes(), nil
}

func part(b *bytes.Buffer, boundary, ct, content string) {
	fmt.Fprintf(b, "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ct)
	writeQP(b, content)
}

func writeQP(b *bytes.Buffer, content string) {
	w := quotedprintable.NewWriter(b)
	_, _ = w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(content, "\r\n", "\n"), "\n", "\r\n")))
	_ = w.Close()
	b.WriteString("\r\n")
}

func newBoundary() string {
	r := make([]byte, 12)
	_, _ = rand.Read(r)
	return "quorum-" + hex.EncodeToString(r)
}
