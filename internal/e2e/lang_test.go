package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// TestPagesInEveryLanguage opens the main pages in every language Quorum
// speaks (issue 18), as a member whose setting is that language: the page
// says its language and direction, no message is missing from the
// catalogs (⟦key⟧), nothing scrolls sideways at 1280 or 390 px and chart
// text stays readable (person.at), the Arabic pages run right to left with
// the layout mirrored and pass axe-core and the CSP checks (so does the
// German thread: the longest words).
func TestPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.open("/signup")
	ada.signInWithCode(true)
	adaCtx := actingAs(t, a, ada.Email)
	g, err := a.Groups.Create(adaCtx, group.CreateInput{Name: "Garden Club", Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: g.ID, Title: "Spring planting",
		Description: "What goes in the south bed this year?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(adaCtx, th.ID, discussion.CommentInput{Body: "Tomatoes, all summer."}); err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Plant tomatoes this spring?", "Decide here, in the thread."
	closing := time.Now().Add(72 * time.Hour).UTC()
	d.Settings.ClosingAt = &closing
	p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.Vote(adaCtx, p.ID, decision.VoteInput{Ballot: poll.Ballot{
		Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "Fresh tomatoes."}}); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"dashboard", "/dashboard"},
		{"group", "/groups/" + g.ID},
		{"thread", "/threads/" + th.ID},
		{"poll", "/polls/" + p.ID},
		{"new-poll", "/groups/" + g.ID + "/polls/new?type=proposal&thread=" + th.ID},
	}
	for _, l := range lang.Supported {
		code := string(l)
		// Her language, chosen in her settings (by the field's id: its label is translated).
		ada.open("/settings")
		browsertest.Get(ada.Session, "choose "+code, chromedp.Evaluate[bool](
			`(e => { e.value = "`+code+`"; return true })(document.querySelector("#locale"))`))
		if st := ada.press("save the language", chromedp.CSS(`form[action="/settings"] button[type="submit"]`)); st >= 400 {
			t.Fatalf("set language %s: status %d", code, st)
		}
		for _, pg := range pages {
			name := pg.name + "-" + code
			if st := ada.open(pg.path); st != 200 {
				t.Errorf("%s: status %d", name, st)
				continue
			}
			got := browsertest.Get(ada.Session, "language of "+name,
				chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`))
			if want := code + " " + l.Dir(); got != want {
				t.Errorf("%s: <html lang dir> is %q, want %q", name, got, want)
			}
			if missing := browsertest.Get(ada.Session, "missing keys of "+name,
				chromedp.Evaluate[bool](`document.documentElement.outerHTML.includes("⟦")`)); missing {
				t.Errorf("%s: a message is missing from the catalogs (⟦key⟧ on the page)", name)
			}
			if l == lang.Arabic {
				// Mirrored: the brand sits at the right, the text runs from the right.
				mirrored := browsertest.Get(ada.Session, "mirrored "+name, chromedp.Evaluate[bool](`(() => {
					const b = document.querySelector(".brand").getBoundingClientRect();
					return getComputedStyle(document.body).direction === "rtl" && b.left > window.innerWidth / 2;
				})()`))
				if !mirrored {
					t.Errorf("%s: the Arabic page is not mirrored (body direction and the brand's place)", name)
				}
			}
			ada.at(1280, name)
			ada.at(390, name)
			if l == lang.Arabic || (l == lang.German && pg.name == "thread") {
				ada.audit(name)
			}
		}
	}
}
