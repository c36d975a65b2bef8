package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	qmailtest "github.com/quorum-app/quorum/internal/mail/mailtest"
)

// A notification to a German-speaking member about what an
// English-speaking author did is in German: the recipient's setting
// decides, never the author's. The subject is the group and the title as
// people typed them (stable per thread, so mail clients group the
// messages); every word Quorum adds is German.
func TestNotificationIsInTheRecipientsLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	greta := f.person("Greta")
	greta.Lang = lang.German
	f.people[greta.ID] = greta
	ada := f.person("Ada") // writes in English: her language plays no part
	ada.Lang = lang.English
	f.people[ada.ID] = ada
	f.notify(Notification{UserID: greta.ID, Kind: Mention, ActorID: ada.ID, ActorName: "Ada", GroupID: "g1",
		ThreadID: "tthreadid0000001", CommentID: "18a9f2c4d5e6f7a8b1c2d3e4", Title: "Plant tomatoes?", Excerpt: "@Greta what do you think?"},
		Notification{UserID: greta.ID, Kind: NewThread, ActorID: ada.ID, ActorName: "Ada", GroupID: "g1",
			ThreadID: "tthreadid0000002", Title: ""})
	if r, err := f.d.DeliverDue(ctx, time.Now()); err != nil || r.Sent != 2 {
		t.Fatalf("delivery: %+v %v", r, err)
	}
	msgs := f.messagesTo(greta.Email)
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	subjects := map[string]bool{}
	for _, m := range msgs {
		subjects[m.Subject] = true
		for _, part := range []string{m.Body.Text, m.Body.HTML} {
			for _, english := range []string{"You received", "Unsubscribe", "mentioned you", "Read the", "Reply to this email", "Email settings"} {
				if strings.Contains(part, english) {
					t.Errorf("English %q in a German email:\n%s", english, part)
				}
			}
			if strings.Contains(part, i18n.Missing) {
				t.Errorf("missing message:\n%s", part)
			}
		}
		if !strings.Contains(m.Body.HTML, `<html lang="de" dir="ltr">`) {
			t.Errorf("html element: %.120s", m.Body.HTML)
		}
	}
	if !subjects["[Garden club] Plant tomatoes?"] || !subjects["[Garden club] Benachrichtigung"] {
		t.Errorf("subjects %v", subjects)
	}
	var mention string
	for _, m := range msgs {
		if strings.Contains(m.Subject, "tomatoes") {
			mention = m.Body.Text
		}
	}
	for _, want := range []string{"Ada hat Sie in „Plant tomatoes?“ erwähnt.", "> @Greta what do you think?", "Kommentar lesen: ",
		"Sie erhalten diese E-Mail, weil Ada Sie erwähnt hat.",
		"Diesen Thread abbestellen: ", "Keine E-Mails mehr zu Garden club: ", "E-Mail-Einstellungen: "} {
		if !strings.Contains(mention, want) {
			t.Errorf("the German mention lacks %q:\n%s", want, mention)
		}
	}
}

// Every kind of notification email, and the digest, in every language: no
// missing message, the html element names the language and its direction,
// and no wording falls back to English.
func TestEveryEmailInEveryLanguage(t *testing.T) {
	d, _ := unit(t)
	kinds := []Notification{}
	for _, k := range []Kind{Mention, Reply, NewThread, Comment, PollClosingSoon, PollReminder,
		PollClosed, PollOutcomeReview, PollOpened, OutcomePublished, Announcement, Kind("future_kind")} {
		n := Notification{Kind: k, ActorName: "Alice", GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "Tomatoes", Excerpt: "Short."}
		if k.Poll() {
			n.CommentID, n.PollID = "", pid
		}
		kinds = append(kinds, n)
	}
	kinds = append(kinds,
		Notification{Kind: Announcement, ActorName: "Alice", GroupID: garden.ID, PollID: pid, ThreadID: tid, Title: "Tomatoes"},
		Notification{Kind: PollReminder, GroupID: garden.ID, PollID: pid, Title: "Tomatoes"},
		Notification{Kind: Comment, GroupID: garden.ID, ThreadID: tid, CommentID: cid}) // no actor, no title
	english := map[string]string{}
	for _, l := range lang.Supported {
		p := bob
		p.Lang = l
		for i, n := range kinds {
			n.UserID, n.ID = p.ID, nid
			m, err := d.composeJob(context.Background(), Job{Notification: n}, p, garden, Route{Action: RouteSend}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			name := string(l) + "/" + string(n.Kind)
			checkLanguage(t, name, l, m.Subject, m.Text, m.HTML)
			first := strings.SplitN(m.Text, "\n", 2)[0]
			key := string(n.Kind) + string(rune('a'+i))
			if l == lang.English {
				english[key] = first
			} else if first == english[key] {
				t.Errorf("%s: heading %q is the English one", name, first)
			}
		}
		// The digest: plural forms for 1 and several.
		for _, count := range []int{1, 2, 5, 12} {
			dv := digestView{Lang: string(l), Dir: l.Dir()}
			pr := d.c.Catalog.Printer(l, nil)
			dv.Subject, dv.Heading, dv.Why = pr.N("email.digest.weekly.subject", count), pr.N("email.digest.heading", count), pr.T("email.digest.weekly.why")
			dv.Links = d.footerLinks(pr, p.ID, "", "", "")
			txt, html := layoutDigest(dv)
			checkLanguage(t, string(l)+"/digest", l, dv.Subject, txt, html)
			if !strings.Contains(dv.Subject, "Quorum") || (count > 2 && !strings.Contains(dv.Subject, pr.Number(count))) {
				t.Errorf("%s digest subject for %d: %q", l, count, dv.Subject)
			}
		}
	}
}

// checkLanguage: no missing-message marker, the html element's lang and
// dir, and (in other languages) none of the English wording.
func checkLanguage(t *testing.T, name string, l lang.Lang, subject, text, html string) {
	t.Helper()
	for _, s := range []string{subject, text, html} {
		if strings.Contains(s, i18n.Missing) {
			t.Errorf("%s: missing message in %q", name, s)
		}
		if l != lang.English {
			for _, en := range []string{"You received", "Unsubscribe", "Email settings", "new notification", "Reply to this", "Read the"} {
				if strings.Contains(s, en) {
					t.Errorf("%s: English %q left in:\n%s", name, en, s)
				}
			}
		}
	}
	if want := `<html lang="` + string(l) + `" dir="` + l.Dir() + `">`; !strings.Contains(html, want) {
		t.Errorf("%s: no %s in %.100s", name, want, html)
	}
	qmailtest.CheckHTML(t, html, qmailtest.Want{Lang: string(l), Dir: l.Dir(), Base: testBase})
}
