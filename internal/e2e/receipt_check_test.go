package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

// The browser walk of "Check a receipt" (issue 15, Post/Redirect/Get
// everywhere): Ben votes in an anonymous proposal on its page and is shown
// his receipt; on the receipt page a forged receipt is refused with the
// field's error, his own is checked and the answer is a redirect (the
// press's PRG check) to a page that shows the result once, with no
// receipt in its address; a refresh sends nothing and says why the result
// is gone. Every state is checked with axe-core (light and dark) and for
// sideways scrolling at 390 px; screenshots in both schemes with
// QUORUM_SCREENSHOTS.
func TestReceiptCheckIsPostRedirectGet(t *testing.T) {
	t.Parallel()
	g := newGardenThread(t, nil) // the group, Ada and Ben in it; the poll stands outside its thread
	a, ben, gid, adaCtx := g.a, g.ben, g.gid, g.adaCtx
	d := poll.New(poll.TypeProposal)
	d.Title = "Hire a new caretaker?"
	at := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &at
	d.Settings.Anonymous = true
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	both := func(name string) {
		t.Helper()
		for _, scheme := range []string{"", "dark"} {
			ben.colorScheme(scheme)
			for _, w := range []int64{1280, 390} {
				ben.at(w, "receipt-"+name+map[string]string{"": "", "dark": "-dark"}[scheme])
			}
		}
		ben.colorScheme("")
	}

	ben.open("/polls/" + p.ID)
	ben.Do("choose Agree", chromedp.Click(ben.field("Agree")))
	if st := ben.submit("Vote"); st != 200 {
		t.Fatalf("vote: %d", st)
	}
	receipt := strings.TrimSpace(browsertest.Get(ben.Session, "read the receipt", chromedp.Evaluate[string](`(document.getElementById("receipt-value") || {}).textContent || ""`)))
	if receipt == "" {
		t.Fatal("no receipt shown after the vote")
	}
	if st := ben.press("follow Check a receipt", chromedp.CSS(`.flash.receipt a[href$="/receipt"]`)); st != 200 {
		t.Fatalf("the receipt page: %d", st)
	}
	ben.sees("Check your receipt")
	ben.audit("receipt page")
	both("form")

	// A receipt that matches no ballot: the field's error, nothing else.
	ben.fill("Receipt", "not-a-receipt")
	if st := ben.submit("Check receipt"); st != 400 {
		t.Fatalf("a forged receipt: %d, want 400", st)
	}
	ben.sees("does not match a ballot in this poll")
	ben.audit("receipt page refusing a forged receipt")
	both("refused")

	// His receipt: 303 to the page (press checks the PRG), the result once.
	ben.fill("Receipt", receipt)
	if st := ben.submit("Check receipt"); st != 200 {
		t.Fatalf("check the receipt: %d", st)
	}
	if u := ben.URL(); !strings.Contains(u, "/polls/"+p.ID+"/receipt?done=checked") || strings.Contains(u, receipt) {
		t.Errorf("after the check the page is %s", u)
	}
	ben.sees("Your ballot is stored and counted.", "Your vote: Agree")
	if strings.Contains(ben.Text(), receipt) {
		t.Error("the result page shows the receipt")
	}
	ben.audit("receipt checked")
	both("checked")

	// A refresh: a GET (nothing sent again), the form, and why.
	if _, err := chromedp.RunResponse(ben.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	ben.sees("shown only once")
	ben.notSees("Your ballot is stored and counted.")
	ben.audit("receipt page refreshed")
	both("refreshed")
}
