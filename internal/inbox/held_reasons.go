package inbox

// Why a message was held, in the reviewer's language. The reasons are
// stored as the English sentences internal/inbound and this package write
// (the API's "reasons" and the operator's logs keep them); ReasonText words
// each known one from the catalogs (page.i18n.held.*) for a page or an
// email, and leaves one it does not know as it is.

import (
	"regexp"
	"sync"

	"github.com/quorum-app/quorum/internal/i18n"
)

// Reasons a message is held for (besides inbound.Authenticate's).
const (
	reasonNotMember   = "the sender's address is not a member's"
	reasonMayNotStart = "the sender may not start threads in this group"
)

// heldReasonKeys maps the stored English reasons to their catalog keys.
var heldReasonKeys = map[string]string{
	"virus verdict FAIL":                      "page.i18n.held.virus",
	"spam verdict FAIL":                       "page.i18n.held.spam",
	"DMARC FAIL":                              "page.i18n.held.dmarc",
	"From is not one of the user's addresses": "page.i18n.held.from_mismatch",
	reasonNotMember:                           "page.i18n.held.not_member",
	reasonMayNotStart:                         "page.i18n.held.may_not_start",
}

// unaligned is inbound.Authenticate's reason when neither SPF nor DKIM
// vouches for the From domain; its verdicts are shown as they are.
var unaligned = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^neither SPF \(([A-Za-z_]+)\) nor DKIM \(([A-Za-z_]+)\) passed aligned with the From domain$`)
}) // compiled on first use, not at every cold start

// ReasonText is a stored held reason in p's language.
func ReasonText(p *i18n.Printer, reason string) string {
	if k, ok := heldReasonKeys[reason]; ok {
		return p.T(k)
	}
	if m := unaligned().FindStringSubmatch(reason); m != nil {
		return p.T("page.i18n.held.unaligned", "SPF", m[1], "DKIM", m[2])
	}
	return reason
}

// ReasonsText is ReasonText for each reason.
func ReasonsText(p *i18n.Printer, reasons []string) []string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = ReasonText(p, r)
	}
	return out
}
