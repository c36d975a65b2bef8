package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// The poll pages in German and Arabic (#18), in the browser: a proposal's
// card on the thread, the poll page with its results and outcome, and the
// poll form, each checked by axe-core and for sideways scrolling at 1280
// and 390 px (longer German words; the right-to-left Arabic layout), with
// screenshots under QUORUM_SCREENSHOTS.
func TestPollPagesInGermanAndArabic(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	cy := s.person(t, "cy", "Cy Young")
	for _, p := range []*person{ada, ben, cy} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}
	for p, l := range map[*person]string{ben: "de", cy: "ar"} {
		// The language setting, as the settings page saves it (a change of
		// one's own account needs a session).
		u, err := a.Accounts.UserByEmail(context.Background(), p.Email)
		if err != nil {
			t.Fatal(err)
		}
		ctx := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "settings"})
		if _, err := a.Accounts.UpdateProfile(ctx, account.ProfileUpdate{Locale: &l}); err != nil {
			t.Fatal(err)
		}
	}
	ada.open("/groups/new")
	ada.fill("Name", "Garden Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/join/")+len("/join/"):]
	for _, p := range []*person{ben, cy} {
		if _, err := a.Groups.JoinViaLink(actingAs(t, a, p.Email), token); err != nil {
			t.Fatal(err)
		}
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Spring planting"})
	if err != nil {
		t.Fatal(err)
	}
	proposal := func(title string) string {
		t.Helper()
		d := poll.New(poll.TypeProposal)
		d.Title, d.Details = title, "Decide here, in the thread."
		at := time.Now().Add(72 * time.Hour).UTC()
		d.Settings.ClosingAt = &at
		p, err := a.Decisions.Create(adaCtx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	open := proposal("Move the beans north?")
	closed := proposal("Plant tomatoes this spring?")
	for _, v := range []struct {
		who    *person
		option string
	}{{ben, poll.OptionAgree}, {cy, poll.OptionAgree}, {ada, poll.OptionDisagree}} {
		if _, err := a.Decisions.Vote(actingAs(t, a, v.who.Email), closed, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: v.option, Score: 1}}, Reason: "Fresh tomatoes all summer."}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Decisions.Close(adaCtx, closed); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decisions.SetOutcome(adaCtx, closed, decision.OutcomeInput{Statement: "We plant tomatoes in the south bed."}); err != nil {
		t.Fatal(err)
	}
	shot := func(p *person, name string) {
		t.Helper()
		p.audit(name)
		p.at(1280, name)
		p.at(390, name)
	}
	for _, c := range []struct {
		who                 *person
		l                   string
		card, results, form []string
	}{
		{ben, "de", []string{"Move the beans north?", "Vorschlag", "endet in 3 Tagen", "0 von 3 haben abgestimmt"},
			[]string{"Ergebnisse", "Zustimmen: 2", "Stimmen und Begründungen", "We plant tomatoes in the south bed."},
			[]string{"Neuer Vorschlag", "Wer abstimmen darf", "Abstimmung starten"}},
		{cy, "ar", []string{"Move the beans north?", "مقترح", "يُغلق خلال 3 أيام", "صوّت 0 من 3"},
			[]string{"النتائج", "موافق: 2", "الأصوات والأسباب", "We plant tomatoes in the south bed."},
			[]string{"مقترح جديد", "من يحق له التصويت", "ابدأ التصويت"}},
	} {
		c.who.open("/threads/" + th.ID + "#poll-" + open)
		c.who.sees(c.card...)
		shot(c.who, "poll-card-"+c.l)
		c.who.open("/polls/" + closed)
		c.who.sees(c.results...)
		// On a phone the chart scrolls inside its figure; a right-to-left
		// page must still open it at its start, where the legend is.
		c.who.phone()
		legend := browsertest.Get(c.who.Session, "is the legend in view", chromedp.Evaluate[string](fmt.Sprintf(`(t => {
			if (!t) return "no legend";
			const r = t.getBoundingClientRect();
			return r.left >= 0 && r.right <= innerWidth ? "" : "the legend is at " + Math.round(r.left) + ".." + Math.round(r.right) + " px";
		})([...document.querySelectorAll("figure.chart svg text")].find(t => t.textContent.includes(%q)))`, strings.Split(c.results[1], ":")[0])))
		c.who.Do("viewport back to 1280", chromedp.EmulateViewport(1280, 900))
		if legend != "" {
			t.Errorf("%s results at 390 px: %s, outside the screen", c.l, legend)
		}
		shot(c.who, "poll-results-"+c.l)
		c.who.open("/groups/" + gid + "/polls/new?type=proposal&thread=" + th.ID)
		c.who.unfolds() // who may vote is among the form's "More settings"
		c.who.sees(c.form...)
		shot(c.who, "poll-form-"+c.l)
	}
}
