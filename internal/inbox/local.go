package inbox

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound"
)

// Local tooling (make mail-in, the dev-only /dev/mail page): deliver a raw
// message the way SES does in the cloud.

// PassingVerdicts are the verdicts of a message from a sender whose
// domain authenticates (SPF, DKIM and DMARC pass; no spam, no virus).
func PassingVerdicts() inbound.Verdicts {
	return inbound.Verdicts{Spam: inbound.VerdictPass, Virus: inbound.VerdictPass, SPF: inbound.VerdictPass,
		DKIM: inbound.VerdictPass, DMARC: inbound.VerdictPass}
}

// FailingVerdicts are those of a forged sender (SPF and DKIM fail, DMARC fails).
func FailingVerdicts() inbound.Verdicts {
	return inbound.Verdicts{Spam: inbound.VerdictPass, Virus: inbound.VerdictPass, SPF: inbound.VerdictFail,
		DKIM: inbound.VerdictFail, DMARC: inbound.VerdictFail}
}

// NewMessageID returns a random id shaped like SES's.
func NewMessageID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Inject stores raw in the inbound bucket under the configured prefix and
// a new message id, as the SES receipt rule does, and processes it.
// Recipients default to the message's To and Cc addresses.
func (s *Service) Inject(ctx context.Context, raw []byte, recipients []string, v inbound.Verdicts) (Outcome, error) {
	return s.InjectAs(ctx, NewMessageID(), raw, recipients, v)
}

// InjectAs is Inject under the SES message id id: injecting again under
// the same id is SES delivering the same message again.
func (s *Service) InjectAs(ctx context.Context, id string, raw []byte, recipients []string, v inbound.Verdicts) (Outcome, error) {
	if !messageIDRE().MatchString(id) {
		return Outcome{}, domain.Errorf(domain.Invalid, "the SES message id must be 1-128 letters, digits, '.', '_' or '-'")
	}
	if len(raw) > inbound.MaxMessageSize {
		return Outcome{}, inbound.ErrTooLarge
	}
	if len(recipients) == 0 {
		m, err := inbound.Parse(raw)
		if err != nil {
			return Outcome{}, domain.Errorf(domain.Invalid, "the message could not be read; give the recipient explicitly")
		}
		for _, a := range append(append([]inbound.Address{}, m.To...), m.Cc...) {
			recipients = append(recipients, a.Address)
		}
	}
	var clean []string
	for _, r := range recipients {
		if r = strings.TrimSpace(r); r != "" {
			clean = append(clean, r)
		}
	}
	if v.EnvelopeFrom == "" {
		if m, err := inbound.Parse(raw); err == nil {
			v.EnvelopeFrom = m.From.Address
		}
	}
	key := s.prefix + id
	if err := s.raw.Put(ctx, s.bucket, key, raw); err != nil {
		return Outcome{}, err
	}
	return s.Process(ctx, Delivery{MessageID: id, Bucket: s.bucket, Key: key, Recipients: clean, Verdicts: v, Received: s.now()})
}
