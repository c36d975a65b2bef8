package inbox

import (
	"testing"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/lang"
)

// Every reason a message can be held for is worded in the reviewer's
// language; the stored English (the API's, the logs') stays as it was.
func TestHeldReasonsAreWorded(t *testing.T) {
	_, reasons := inbound.Authenticate(&inbound.Message{}, inbound.Verdicts{Spam: inbound.VerdictFail, Virus: inbound.VerdictFail,
		DMARC: inbound.VerdictFail, SPF: "SOFTFAIL"})
	reasons = append(reasons, "From is not one of the user's addresses", reasonNotMember, reasonMayNotStart)
	if len(reasons) != 7 {
		t.Fatalf("reasons %q", reasons)
	}
	de := i18n.New().Printer(lang.German, nil)
	for i, got := range ReasonsText(de, reasons) {
		if got == reasons[i] || got == "" || got[0] == i18n.Missing[0] {
			t.Errorf("%q is not worded in German: %q", reasons[i], got)
		}
	}
	if got := ReasonText(de, reasons[3]); got != "weder SPF (SOFTFAIL) noch DKIM (missing) bestätigt, dass sie von der Domain des Absenders kommt" {
		t.Errorf("verdicts: %q", got)
	}
	if got := ReasonText(de, "something new"); got != "something new" {
		t.Errorf("an unknown reason stays as stored: %q", got)
	}
}
