package notify

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/lang"
)

// gallery is what a recipient reads: the notification emails of issue 15
// (a poll opened with its options and how to vote by reply, a mention, a
// comment, closing soon, an outcome published) and a digest, in English,
// and some in Arabic (right to left).
func gallery(t *testing.T) map[string]string {
	t.Helper()
	d, _ := unit(t)
	d.c.Polls = pollMail{details: "We have €400 left this season. Plant tomatoes in the south bed, or beans along the fence.\n• Tomatoes need staking\n• Beans feed the soil",
		help: "Reply to this email with your vote on the first line; anything after it is your reason.\nWrite one of these options (or its number):\n  1. Agree\n  2. Abstain\n  3. Disagree\n  4. Block"}
	out := map[string]string{}
	compose := func(name string, p Person, n Notification) {
		n.UserID, n.ID = p.ID, nid
		m, err := d.composeJob(context.Background(), Job{Notification: n}, p, garden, Route{Action: RouteSend, KeyGeneration: 3}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out[name] = m.HTML
	}
	comment := "Good idea, @Bob. I can bring stakes on Saturday.\nWe have €400 left\nShall we also ask the school?" // as ExcerptText gives it: clean text
	ar := bob
	ar.Lang = lang.Arabic
	compose("poll-opened", bob, Notification{Kind: PollOpened, ActorName: "Ada Lovelace", GroupID: garden.ID, ThreadID: tid, PollID: pid,
		Title: "Tomatoes or beans in the south bed?", Excerpt: "Closes Fri 12 Dec, 18:00"})
	compose("mention", bob, Notification{Kind: Mention, ActorName: "Ada Lovelace", GroupID: garden.ID, ThreadID: tid, CommentID: cid,
		Title: "Spring planting plan", Excerpt: comment})
	compose("comment", bob, Notification{Kind: Comment, ActorName: "Grace Hopper", GroupID: garden.ID, ThreadID: tid, CommentID: cid,
		Title: "Spring planting plan", Excerpt: "Count me in for the watering rota. I'm away the first week of May."})
	compose("closing-soon", bob, Notification{Kind: PollClosingSoon, GroupID: garden.ID, ThreadID: tid, PollID: pid,
		Title: "Tomatoes or beans in the south bed?", Excerpt: "Closes in 24 hours"})
	review := time.Date(2027, 5, 4, 0, 0, 0, 0, time.UTC)
	d.c.Outcomes = outcomes{src: "We **agree**: tomatoes in the south bed, beans along the fence next year.\n\n- Ada buys the stakes\n- Grace sets up the [watering rota](https://quorum.example.org/threads/x)\n\n> Keep €50 for compost",
		meeting: "Sat 14 Mar 2027, 10:00", review: &review}
	compose("outcome", bob, Notification{Kind: OutcomePublished, ActorName: "Ada Lovelace", GroupID: garden.ID, ThreadID: tid, PollID: pid,
		Title: "Tomatoes or beans in the south bed?"})
	d.c.Polls = nil
	compose("mention-ar", ar, Notification{Kind: Mention, ActorName: "ليلى", GroupID: garden.ID, ThreadID: tid, CommentID: cid,
		Title: "خطة الزراعة", Excerpt: "فكرة جيدة يا @Bob. سأحضر الأوتاد يوم السبت."})
	for _, l := range []lang.Lang{lang.English, lang.Arabic} {
		pr := d.c.Catalog.Printer(l, nil)
		dv := digestView{Lang: string(l), Dir: l.Dir(), Subject: pr.N("email.digest.daily.subject", 3), Heading: pr.N("email.digest.heading", 3),
			Why: pr.T("email.digest.daily.why"), Links: d.footerLinks(pr, bob.ID, "", "", ""), Preheader: "Ada Lovelace mentioned you"}
		dv.Groups = []*digestGroup{{Name: garden.Name, Topics: []*digestTopic{
			{Title: "Spring planting plan", URL: d.threadURL(tid, ""), Items: []digestItem{
				{Heading: "Ada Lovelace mentioned you in Spring planting plan", Excerpt: excerptLines("Good idea, @Bob. I can bring stakes on Saturday.")},
				{Heading: "Grace Hopper commented", Excerpt: excerptLines("Count me in for the watering rota.")}}},
			{Title: "Tomatoes or beans in the south bed?", URL: d.pollURL(pid), Items: []digestItem{{Heading: "Ada Lovelace opened a poll"}}},
		}}}
		_, h := layoutDigest(dv)
		out["digest-"+string(l)] = h
	}
	return out
}

// Every email, read in real Chromium at 600 and 390 px in the light and
// the dark scheme: nothing wider than the screen, system fonts (never the
// default serif), the action a filled button, and axe-core clean (colour
// contrast included). With QUORUM_SCREENSHOTS set, each is saved as a PNG.
func TestEmailsReadWellInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	s := b.NewSession(t)
	shots := os.Getenv("QUORUM_SCREENSHOTS")
	for name, doc := range gallery(t) {
		url := "data:text/html;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(doc))
		s.Do("open "+name, chromedp.Navigate(url))
		for _, scheme := range []string{"light", "dark"} {
			params := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}
			if _, err := chromedp.Call(s.Ctx, emulation.SetEmulatedMedia, params); err != nil {
				t.Fatal(err)
			}
			for _, width := range []int64{600, 390} {
				s.Do(fmt.Sprintf("viewport %d", width), chromedp.EmulateViewport(width, 900))
				wide := browsertest.Get(s, "measure", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
				if wide > width {
					t.Errorf("%s (%s) is %d px wide at %d px", name, scheme, wide, width)
				}
				font := browsertest.Get(s, "font", chromedp.Evaluate[string](`getComputedStyle(document.querySelector("main")).fontFamily`))
				if font == "" || font[0] == 's' || font[0] == 'T' { // "serif", "Times New Roman"
					t.Errorf("%s: font %q", name, font)
				}
				bg := browsertest.Get(s, "button", chromedp.Evaluate[string](`(() => { const a = document.querySelector("a.q-btn-a");
					return a ? getComputedStyle(a.parentElement).backgroundColor : "none"; })()`))
				if name[:6] != "digest" && (bg == "none" || bg == "rgba(0, 0, 0, 0)") {
					t.Errorf("%s (%s): the action is not a filled button (%s)", name, scheme, bg)
				}
				if vs := s.Axe(); len(vs) > 0 {
					t.Errorf("%s (%s, %d px): axe-core: %+v", name, scheme, width, vs)
				}
				if shots != "" {
					// The viewport made as tall as the page: a full-page
					// capture of a right-to-left page shows its left edge.
					tall := browsertest.Get(s, "height", chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
					s.Do("tall viewport", chromedp.EmulateViewport(width, tall))
					buf := browsertest.Get(s, "screenshot", chromedp.CaptureScreenshot())
					if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("email-%s-%s-%d.png", name, scheme, width)), buf, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
