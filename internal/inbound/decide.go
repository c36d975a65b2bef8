package inbound

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// SES verdict statuses.
const (
	VerdictPass             = "PASS"
	VerdictFail             = "FAIL"
	VerdictGray             = "GRAY"
	VerdictProcessingFailed = "PROCESSING_FAILED"
	VerdictDisabled         = "DISABLED"
)

// Verdicts are SES's receipt verdicts plus the envelope sender (for SPF
// alignment).
type Verdicts struct {
	Spam, Virus, SPF, DKIM, DMARC string
	EnvelopeFrom                  string // SES mail.source (MAIL FROM)
}

// VerdictsFromSES reads the verdicts of an SES receipt record.
func VerdictsFromSES(s events.SimpleEmailService) Verdicts {
	up := func(v events.SimpleEmailVerdict) string { return strings.ToUpper(strings.TrimSpace(v.Status)) }
	r := s.Receipt
	return Verdicts{Spam: up(r.SpamVerdict), Virus: up(r.VirusVerdict), SPF: up(r.SPFVerdict), DKIM: up(r.DKIMVerdict),
		DMARC: up(r.DMARCVerdict), EnvelopeFrom: strings.ToLower(strings.TrimSpace(s.Mail.Source))}
}

var dkimDomainRe = lazyRegexp(`(?i)(?:^|;)\s*d\s*=\s*([a-z0-9.-]+)`)

// aligned reports relaxed alignment of two domains (equal, or one a
// subdomain of the other).
func aligned(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}

// Authenticate applies the sender-authentication rule to m's From domain:
// authenticated = (SPF PASS or DKIM PASS) AND DMARC not FAIL AND spam not
// FAIL AND virus not FAIL. Because SES's SPF/DKIM verdicts are not about the
// From domain, a PASS only counts when it is aligned with it (DMARC PASS
// implies alignment; otherwise SPF needs the envelope sender's domain and
// DKIM every DKIM-Signature d= to align with the From domain). reasons say
// what failed.
func Authenticate(m *Message, v Verdicts) (ok bool, reasons []string) {
	fromDomain := ""
	if m != nil {
		fromDomain = m.From.Domain()
	}
	if v.Virus == VerdictFail {
		reasons = append(reasons, "virus verdict FAIL")
	}
	if v.Spam == VerdictFail {
		reasons = append(reasons, "spam verdict FAIL")
	}
	if v.DMARC == VerdictFail {
		reasons = append(reasons, "DMARC FAIL")
	}
	spf := v.SPF == VerdictPass && (v.DMARC == VerdictPass || aligned(addrDomain(v.EnvelopeFrom), fromDomain))
	dkim := v.DKIM == VerdictPass && (v.DMARC == VerdictPass || dkimAligned(m, fromDomain))
	if !spf && !dkim {
		reasons = append(reasons, "neither SPF ("+orNone(v.SPF)+") nor DKIM ("+orNone(v.DKIM)+") passed aligned with the From domain")
	}
	return len(reasons) == 0, reasons
}

func orNone(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}

func addrDomain(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[i+1:]
	}
	return ""
}

func dkimAligned(m *Message, fromDomain string) bool {
	if m == nil {
		return false
	}
	sigs := m.Header["Dkim-Signature"]
	if len(sigs) == 0 {
		return false
	}
	for _, s := range sigs {
		d := dkimDomainRe().FindStringSubmatch(s)
		if d == nil || !aligned(d[1], fromDomain) {
			return false
		}
	}
	return true
}

// Outcome is what the inbound handler does with a message.
type Outcome string

// Outcomes.
const (
	Accept Outcome = "accept" // post it as the token's user
	Hold   Outcome = "hold"   // keep it; email the token's user a confirmation link
	Reject Outcome = "reject" // refuse it (invalid token, wrong target, virus)
	Drop   Outcome = "drop"   // auto-reply, bulk, bounce or loop: ignore silently
)

// DecideInput is everything Decide looks at. The caller fills TokenErr and
// Token from replyaddr.Tokens.Verify on the reply address, and TargetErr from loading
// the token's target (nil when it exists and the user may still post
// there: e.g. the comment belongs to the thread, the poll is open).
type DecideInput struct {
	Message       *Message
	Verdicts      Verdicts
	OwnDomain     string
	Token         replyaddr.Token
	TokenErr      error
	TargetErr     error
	UserAddresses []string // the token user's verified addresses (and aliases)
}

// Decision is the verdict on one inbound message.
type Decision struct {
	Outcome Outcome
	Reasons []string
	Auto    Classification
	// Authenticated: the SES verdicts pass (see Authenticate).
	Authenticated bool
	// FromMatches: From is one of the token user's addresses.
	FromMatches bool
	// MayReply: the sender may be told about a Reject (only when the sender
	// is authenticated, so forged senders never get backscatter). Holds are
	// told to the token's user at their own address, never to From.
	MayReply bool
}

// Decide applies the acceptance rules, in order:
//  1. Drop: auto-replies, bulk, bounces, loops (Classify) — never answered.
//  2. Reject: no valid token (malformed, bad MAC, wrong domain, expired,
//     revoked by key rotation).
//  3. Reject: the target is wrong (TargetErr).
//  4. Reject: virus verdict FAIL (a confirmation would post the virus).
//  5. Accept: sender authenticated AND From belongs to the token's user.
//  6. Hold: everything else with a valid token — forged or mismatched From,
//     failing SPF/DKIM/DMARC, spam. The token's user confirms by link.
func Decide(in DecideInput) Decision {
	d := Decision{Auto: Classify(in.Message, in.OwnDomain)}
	if d.Auto.Drop() {
		d.Outcome = Drop
		d.Reasons = []string{string(d.Auto.Kind) + ": " + d.Auto.Reason}
		return d
	}
	var reasons []string
	d.Authenticated, reasons = Authenticate(in.Message, in.Verdicts)
	if in.Message != nil && in.Message.From.Address != "" {
		for _, a := range in.UserAddresses {
			if strings.EqualFold(strings.TrimSpace(a), in.Message.From.Address) {
				d.FromMatches = true
				break
			}
		}
	}
	d.MayReply = d.Authenticated
	switch {
	case in.TokenErr != nil:
		d.Outcome = Reject
		d.Reasons = []string{"token: " + errorMessage(in.TokenErr)}
	case in.Token.UserID == "":
		d.Outcome = Reject
		d.Reasons = []string{"token: missing"}
	case in.TargetErr != nil:
		d.Outcome = Reject
		d.Reasons = []string{"target: " + errorMessage(in.TargetErr)}
	case in.Verdicts.Virus == VerdictFail:
		d.Outcome = Reject
		d.MayReply = false
		d.Reasons = reasons
	case d.Authenticated && d.FromMatches:
		d.Outcome = Accept
	default:
		d.Outcome = Hold
		if !d.FromMatches {
			reasons = append(reasons, "From is not one of the user's addresses")
		}
		d.Reasons = reasons
	}
	return d
}

func errorMessage(err error) string { return err.Error() }
