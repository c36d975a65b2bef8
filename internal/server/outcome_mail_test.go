package server_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// The statement of the outcome the tests publish: Markdown with a list, a
// link and a script tag typed by its author.
const outcomeMarkdown = "We meet **in the garden**:\n\n- bring gloves\n- read [the plan](https://example.org/plan)\n\n<script>alert('x')</script>"

// A published outcome reaches the voters whole, in their language: the
// email carries the statement rendered (HTML part) and as clean text (text
// part), the chosen meeting time, the review date and a link to the poll;
// no result figure. The poll page, the thread's card and the group's
// decisions show the statement rendered, the script inert.
func TestOutcomeEmailCarriesTheStatement(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	ctx := context.Background()
	de := "de"
	if _, err := e.a.Accounts.UpdateProfile(m.ctx, account.ProfileUpdate{Locale: &de}); err != nil {
		t.Fatal(err)
	}
	p := e.createAPI(o, poll.TypeMeeting, nil, meetingOptions())
	e.must(e.do(m, "PUT", "/api/v1/polls/"+p.ID+"/ballot", validBallot(p.Definition)), 201, "vote")
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	review := time.Date(time.Now().Year()+1, time.May, 4, 0, 0, 0, 0, time.UTC)
	out, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: outcomeMarkdown,
		MeetingOptionID: p.Definition.Options[0].ID, ReviewOn: &review})
	if err != nil {
		t.Fatal(err)
	}
	checkRendered(t, "SetOutcome", string(out.StatementHTML))
	if _, err := e.a.Outbox.DeliverDue(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	msgs, err := mail.Emulator{URL: e.ses}.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]mail.StoredMessage{}
	for _, msg := range msgs {
		if strings.Contains(msg.Subject, p.Definition.Title) && len(msg.Destination.To) == 1 {
			sent[strings.ToLower(msg.Destination.To[0])] = msg
		}
	}
	words := map[*pollPerson][]string{
		m: {"Ergebnis", "Termin: ", "Überprüfung am: 4. Mai", "Ergebnis lesen"},
		n: {"Meeting time: ", "Review date: 4 May", "Read the outcome"},
	}
	for _, who := range []*pollPerson{m, n} {
		u, err := e.a.Accounts.User(ctx, who.id)
		if err != nil {
			t.Fatal(err)
		}
		msg, ok := sent[strings.ToLower(u.Email)]
		if !ok {
			t.Fatalf("%s got no outcome email (%d sent)", who.name, len(msgs))
		}
		if dir := os.Getenv("QUORUM_SCREENSHOTS"); dir != "" {
			base := filepath.Join(dir, "outcome-email-"+strings.Fields(who.name)[0])
			_ = os.WriteFile(base+".txt", []byte(msg.Body.Text), 0o600)
			_ = os.WriteFile(base+".html", []byte(msg.Body.HTML), 0o600)
		}
		// The text part, as a plain-text mail client shows it.
		txt := msg.Body.Text
		for _, want := range append([]string{"We meet in the garden:", "• bring gloves", "• read the plan", "/polls/" + p.ID}, words[who][1:]...) {
			if !strings.Contains(txt, want) {
				t.Errorf("%s: the text part lacks %q:\n%s", who.name, want, txt)
			}
		}
		for _, bad := range []string{"**", "<script", "alert(", "&gt;", "&amp;"} {
			if strings.Contains(txt, bad) {
				t.Errorf("%s: the text part shows %q:\n%s", who.name, bad, txt)
			}
		}
		// The HTML part, as a mail client renders it: the statement's
		// markup, its link, no script; the facts and the action worded for
		// the reader; no figure of the results.
		checkRendered(t, who.name+"'s email", msg.Body.HTML)
		shown := visibleText(t, msg.Body.HTML)
		for _, want := range words[who] {
			if !strings.Contains(shown, want) {
				t.Errorf("%s: the HTML part lacks %q:\n%s", who.name, want, shown)
			}
		}
		if !regexp.MustCompile(`href="https?://[^"/]+/polls/` + p.ID + `"`).MatchString(msg.Body.HTML) {
			t.Errorf("%s: no link to the poll:\n%s", who.name, msg.Body.HTML)
		}
		if strings.Contains(shown, "%") {
			t.Errorf("%s: a result figure in the email:\n%s", who.name, shown)
		}
	}
	// The in-app notification: the statement's opening, clean.
	got := pollNotes(e, n, p.ID, notify.OutcomePublished)
	if len(got) != 1 || got[0].Excerpt != "We meet in the garden: • bring gloves • read the plan" {
		t.Fatalf("notification: %+v", got)
	}

	// The pages: the poll page and the group's decisions render it.
	for what, path := range map[string]string{"poll page": "/polls/" + p.ID, "group decisions": "/groups/" + e.gid + "?tab=decisions"} {
		r := e.do(m, "GET", path, nil)
		if r.code != 200 {
			t.Fatalf("%s: %d", what, r.code)
		}
		checkRendered(t, what, r.body)
	}
}

// checkRendered: the statement's Markdown became markup (bold, a list, a
// link that cannot carry the reader's referrer), and its script tag is
// inert (escaped or dropped, never an element).
func checkRendered(t *testing.T, what, page string) {
	t.Helper()
	for _, want := range []string{"<strong>in the garden</strong>", "<li>bring gloves</li>", `<a href="https://example.org/plan" rel="nofollow noreferrer">the plan</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("%s: no %s in:\n%s", what, want, page)
		}
	}
	if strings.Contains(page, "**in the garden**") || strings.Contains(page, "<script>alert") {
		t.Errorf("%s: the statement is shown as typed, or its script is live:\n%s", what, page)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for nd := range doc.Descendants() {
		if nd.Type == html.ElementNode && nd.Data == "script" {
			for c := nd.FirstChild; c != nil; c = c.NextSibling {
				if strings.Contains(c.Data, "alert('x')") {
					t.Errorf("%s: the statement's script is an element", what)
				}
			}
		}
	}
}

// visibleText is the text a reader sees in an HTML document.
func visibleText(t *testing.T, page string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for nd := range doc.Descendants() {
		if nd.Type == html.TextNode && (nd.Parent == nil || (nd.Parent.Data != "style" && nd.Parent.Data != "title")) {
			b.WriteString(nd.Data)
		}
	}
	return b.String()
}

// The thread's card of a poll shows its outcome rendered, as the poll page
// does; the form that writes it says that Markdown works.
func TestOutcomeRendersInTheThreadCard(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th := threadOf(t, e, "Garden day")
	p := proposalIn(e, o, th.ID, "Meet in the garden?", 48*time.Hour, nil)
	agreeVote(e, m, p.ID)
	if _, err := e.a.Decisions.Close(o.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	form := e.must(e.do(o, "GET", "/polls/"+p.ID, nil), 200, "poll page").body
	if !strings.Contains(form, `aria-describedby="statement-hint"`) || !strings.Contains(form, "Markdown: **bold**") {
		t.Errorf("the outcome form does not say Markdown works")
	}
	if _, err := e.a.Decisions.SetOutcome(o.ctx, p.ID, decision.OutcomeInput{Statement: outcomeMarkdown}); err != nil {
		t.Fatal(err)
	}
	c := card(e.must(e.do(m, "GET", "/threads/"+th.ID, nil), 200, "thread").body, p.ID)
	if c == "" {
		t.Fatal("no card")
	}
	checkRendered(t, "thread card", c)
}
