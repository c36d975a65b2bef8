package testkit

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
)

// Mailbox is the recording mail.Sender every test uses: it keeps each
// message it accepts (with the headers and attachments SES's store does
// not keep) and, when Next is set, sends it on (to the environment's SES,
// say). FailNext makes the next sends fail as an unavailable mail service
// does, to prove retries.
type Mailbox struct {
	// Next, if set, also sends each accepted message; its error is the
	// Send's error and the message is then not kept.
	Next mail.Sender

	mu    sync.Mutex
	msgs  []mail.Message
	calls int
	fail  int
}

// ErrInjected is the cause of the failures FailNext injects.
var ErrInjected = errors.New("testkit: injected mail failure")

// Send implements mail.Sender.
func (b *Mailbox) Send(ctx context.Context, m mail.Message) (string, error) {
	b.mu.Lock()
	b.calls++
	if b.fail > 0 {
		b.fail--
		b.mu.Unlock()
		return "", domain.Wrap(domain.Unavailable, ErrInjected, "the mail service did not accept the message; try again")
	}
	b.mu.Unlock()
	id := ""
	if b.Next != nil {
		var err error
		if id, err = b.Next.Send(ctx, m); err != nil {
			return "", err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
	if id == "" {
		id = fmt.Sprintf("testkit-%d", len(b.msgs))
	}
	return id, nil
}

// FailNext makes the next n sends fail (Unavailable) without sending.
func (b *Mailbox) FailNext(n int) {
	b.mu.Lock()
	b.fail = n
	b.mu.Unlock()
}

// Calls is how many sends were asked for, failed ones included.
func (b *Mailbox) Calls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// All is every message sent, oldest first.
func (b *Mailbox) All() []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mail.Message(nil), b.msgs...)
}

// Len is how many messages were sent.
func (b *Mailbox) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.msgs)
}

// To is every message sent to addr (any of its To addresses, letter case
// ignored), oldest first.
func (b *Mailbox) To(addr string) []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []mail.Message
	for _, m := range b.msgs {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Find is the first submatch of re in the text of the newest message to
// addr that has one; the test fails when none has.
func (b *Mailbox) Find(t testing.TB, addr string, re *regexp.Regexp) string {
	t.Helper()
	msgs := b.To(addr)
	for i := len(msgs) - 1; i >= 0; i-- {
		if s := re.FindStringSubmatch(msgs[i].Text); s != nil {
			if len(s) > 1 {
				return s[1]
			}
			return s[0]
		}
	}
	t.Fatalf("no message to %s matching %s (%d to them, %d in all)", addr, re, len(msgs), b.Len())
	return ""
}

// Reset forgets every message and call.
func (b *Mailbox) Reset() {
	b.mu.Lock()
	b.msgs, b.calls, b.fail = nil, 0, 0
	b.mu.Unlock()
}
