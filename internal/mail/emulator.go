package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// StoredMessage is a message as the local SES emulator recorded it.
type StoredMessage struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"contentType"`
		Size        int    `json:"size"`
	} `json:"attachments"`
	At int64 `json:"at"`
}

// Header returns the first value of the named header (case-insensitive).
func (m StoredMessage) Header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Emulator reads the local SES emulator's store (make dev, tests).
type Emulator struct {
	URL    string
	Client *http.Client
}

// Messages returns every stored message, oldest first.
func (e Emulator) Messages(ctx context.Context) ([]StoredMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(e.URL, "/")+"/store", nil)
	if err != nil {
		return nil, err
	}
	c := e.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("SES emulator store: %s", resp.Status)
	}
	var body struct {
		Emails []StoredMessage `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	return body.Emails, nil
}

// WaitFor polls the store until a message to the given address matches
// (match may be nil) or the context ends.
func (e Emulator) WaitFor(ctx context.Context, to string, match func(StoredMessage) bool) (StoredMessage, error) {
	for {
		msgs, err := e.Messages(ctx)
		if err == nil {
			for i := len(msgs) - 1; i >= 0; i-- {
				for _, addr := range msgs[i].Destination.To {
					if strings.Contains(strings.ToLower(addr), strings.ToLower(to)) && (match == nil || match(msgs[i])) {
						return msgs[i], nil
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return StoredMessage{}, fmt.Errorf("no message to %s arrived: %w", to, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
