package testcloud

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/inbound"
)

// memSES is the fast tier's SES: it accepts SendEmail (v2, raw content, as
// internal/mail sends) and keeps each message as the local SES emulator
// (aws-ses-v2-local) records it, served at GET /store in the emulator's
// JSON, so mail.Emulator reads both alike. Messages are parsed with the
// inbound mail parser: subject and bodies decoded, attachments listed.
type memSES struct {
	mu     sync.Mutex
	stored []sesMessage
	serial int
}

type sesAddressList struct {
	To  []string `json:"to"`
	Cc  []string `json:"cc"`
	Bcc []string `json:"bcc"`
}

type sesAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
}

type sesMessage struct {
	MessageID   string         `json:"messageId"`
	From        string         `json:"from"`
	ReplyTo     []string       `json:"replyTo"`
	Destination sesAddressList `json:"destination"`
	Subject     string         `json:"subject"`
	Body        struct {
		HTML string `json:"html,omitempty"`
		Text string `json:"text"`
	} `json:"body"`
	Attachments []sesAttachment `json:"attachments"`
	At          int64           `json:"at"`
}

func sesFail(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": "Bad Request Exception", "detail": "in-memory SES: " + detail})
}

func (s *memSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/store":
		s.mu.Lock()
		out := append([]sesMessage{}, s.stored...)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"emails": out})
	case r.Method == http.MethodPost && r.URL.Path == "/clear-store":
		s.mu.Lock()
		s.stored = nil
		s.mu.Unlock()
	case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
		s.send(w, r)
	default:
		sesFail(w, http.StatusNotFound, r.Method+" "+r.URL.Path+" is not part of the in-memory SES")
	}
}

func (s *memSES) send(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Content struct {
			Raw *struct{ Data string }
		}
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 40<<20)).Decode(&in); err != nil || in.Content.Raw == nil {
		sesFail(w, http.StatusBadRequest, "only raw content is supported")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(in.Content.Raw.Data)
	if err != nil {
		sesFail(w, http.StatusBadRequest, "raw data is not base64")
		return
	}
	m, err := inbound.Parse(raw)
	if err != nil || m.From.Address == "" {
		sesFail(w, http.StatusBadRequest, "raw content must be a message with a From address")
		return
	}
	var msg sesMessage
	msg.From = addressText(m.From)
	for _, a := range m.ReplyTo {
		msg.ReplyTo = append(msg.ReplyTo, addressText(a))
	}
	for _, a := range m.To {
		msg.Destination.To = append(msg.Destination.To, addressText(a))
	}
	for _, a := range m.Cc {
		msg.Destination.Cc = append(msg.Destination.Cc, addressText(a))
	}
	msg.Subject = m.Subject
	if m.HasTextPart {
		msg.Body.Text = m.Text
	}
	msg.Body.HTML = m.HTML
	for _, a := range m.Attachments {
		msg.Attachments = append(msg.Attachments, sesAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: len(a.Data)})
	}
	msg.At = time.Now().Unix()
	s.mu.Lock()
	s.serial++
	msg.MessageID = fmt.Sprintf("mem-%09d", s.serial)
	s.stored = append(s.stored, msg)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"MessageId": msg.MessageID})
}

// addressText is an address as the emulator's parser writes it: the name
// and the address in angle brackets, or the bare address.
func addressText(a inbound.Address) string {
	if strings.TrimSpace(a.Name) == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}
