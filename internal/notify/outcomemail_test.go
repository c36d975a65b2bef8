package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/render/rendertest"
)

// outcomes is an Outcomes that renders src as the decision core does.
type outcomes struct {
	src     string
	meeting string
	review  *time.Time
	hidden  bool
}

func (o outcomes) OutcomeMail(_ context.Context, pr *i18n.Printer, _, _ string) (OutcomeMail, bool, error) {
	r := render.New()
	return OutcomeMail{Text: r.Text(o.src), HTML: r.Markdown(o.src), Meeting: o.meeting, ReviewOn: o.review}, !o.hidden, nil
}

// The outcome's email carries the statement whole (instead of the opening
// the notification holds), the meeting time and the review date, worded
// in each language, the HTML part rendered and the text part clean.
func TestOutcomeEmailInEveryLanguage(t *testing.T) {
	d, _ := unit(t)
	review := time.Date(2027, 5, 4, 0, 0, 0, 0, time.UTC)
	d.c.Outcomes = outcomes{src: "We **agree**:\n- paint\n- plant", meeting: "Thu 10 Dec 2026, 08:00", review: &review}
	n := Notification{Kind: OutcomePublished, GroupID: garden.ID, ThreadID: tid, PollID: pid, Title: "Paint?", Excerpt: "We agree: • paint"}
	for _, l := range lang.Supported {
		p := bob
		p.Lang = l
		n.UserID, n.ID = p.ID, nid
		m, err := d.composeJob(context.Background(), Job{Notification: n}, p, garden, Route{Action: RouteSend}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		checkLanguage(t, string(l)+"/outcome", l, m.Subject, m.Text, m.HTML)
		pr := d.c.Catalog.Printer(l, nil)
		meeting := pr.T("email.outcome.meeting", "When", "Thu 10 Dec 2026, 08:00")
		reviewOn := pr.T("email.outcome.review", "When", pr.Date(time.Date(2027, 5, 4, 12, 0, 0, 0, time.UTC)))
		for _, want := range []string{"We agree:\n• paint\n• plant\n", meeting, reviewOn, testBase + "/polls/" + pid} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("%s: the text part lacks %q:\n%s", l, want, m.Text)
			}
		}
		for _, want := range []string{"<p>We <strong>agree</strong>:</p>", "<li>paint</li>", esc(meeting), esc(reviewOn), `href="` + testBase + "/polls/" + pid + `"`} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("%s: the HTML part lacks %q:\n%s", l, want, m.HTML)
			}
		}
		if strings.Contains(m.Text, "> We agree") || strings.Contains(m.Text, "**") {
			t.Errorf("%s: the excerpt is repeated or the markup shows:\n%s", l, m.Text)
		}
		if l != lang.English && (strings.Contains(meeting, "Meeting time") || strings.Contains(reviewOn, "Review date")) {
			t.Errorf("%s: English facts: %q %q", l, meeting, reviewOn)
		}
	}
	// The outcome cannot be read as the recipient: the email keeps the
	// notification's excerpt and nothing more.
	d.c.Outcomes = outcomes{src: "Secret", hidden: true}
	_, env, _ := built(t, d, n, garden)
	if !strings.Contains(env.Text, "> We agree: • paint") || strings.Contains(env.Text, "Secret") {
		t.Errorf("hidden outcome:\n%s", env.Text)
	}
	// Other kinds carry no outcome.
	d.c.Outcomes = outcomes{src: "Not for this"}
	_, env, _ = built(t, d, Notification{Kind: PollClosed, GroupID: garden.ID, PollID: pid, Title: "Paint?"}, garden)
	if strings.Contains(env.Text, "Not for this") {
		t.Errorf("a closed poll's email carries an outcome:\n%s", env.Text)
	}
}

// A task list in the statement: its boxes are ☐ and ☑ in both parts of
// the email, never an input (mail clients drop form controls).
func TestOutcomeEmailTaskList(t *testing.T) {
	d, _ := unit(t)
	d.c.Outcomes = outcomes{src: "Next:\n\n- [x] buy seeds\n- [ ] dig the bed"}
	_, env, _ := built(t, d, Notification{Kind: OutcomePublished, GroupID: garden.ID, PollID: pid, Title: "P"}, garden)
	if !strings.Contains(env.Text, "☑ buy seeds\r\n☐ dig the bed") {
		t.Errorf("text part:\n%q", env.Text)
	}
	if !strings.Contains(env.HTML, `<li><span class="task">☑</span> buy seeds</li>`) || !strings.Contains(env.HTML, `<li><span class="task">☐</span> dig the bed</li>`) || strings.Contains(env.HTML, "<input") {
		t.Errorf("HTML part:\n%s", env.HTML)
	}
}

// An outcome's mentions, linked once its mention job has run, link to the
// site in the email: a path alone goes nowhere from an inbox.
func TestOutcomeEmailMentionLinks(t *testing.T) {
	d, _ := unit(t)
	d.c.Outcomes = mentionOutcome{}
	_, env, _ := built(t, d, Notification{Kind: OutcomePublished, GroupID: garden.ID, PollID: pid, Title: "P"}, garden)
	want := `<a class="mention" href="` + testBase + `/groups/` + garden.ID + `?tab=members#member-` + uid + `" rel="nofollow noreferrer">@bob</a>`
	if !strings.Contains(env.HTML, want) || strings.Contains(env.HTML, `href="/`) {
		t.Errorf("HTML part:\n%s", env.HTML)
	}
	if !strings.Contains(env.Text, "Thanks @bob.") {
		t.Errorf("text part:\n%s", env.Text)
	}
}

// mentionOutcome is an outcome whose mention of Bob was resolved.
type mentionOutcome struct{}

func (mentionOutcome) OutcomeMail(context.Context, *i18n.Printer, string, string) (OutcomeMail, bool, error) {
	r := render.New()
	const src = "Thanks @bob."
	link := func(string) (string, bool) { return "/groups/" + garden.ID + "?tab=members#member-" + uid, true }
	return OutcomeMail{Text: r.Text(src), HTML: r.MarkdownMentions(src, link)}, true, nil
}

// Whatever the statement holds, the email's HTML part carries it inert:
// only the renderer's and the layout's elements, no event handler or
// source attribute, links to http(s) and mailto only.
func TestOutcomeEmailIsInert(t *testing.T) {
	d, _ := unit(t)
	allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "body": true, "main": true, "h1": true,
		"blockquote": true, "p": true, "a": true, "footer": true, "hr": true, "ul": true, "li": true, "section": true, "div": true,
		"br": true, "em": true, "strong": true, "del": true, "s": true, "code": true, "pre": true, "ol": true, "h2": true, "h3": true,
		"h4": true, "h5": true, "h6": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"sup": true, "sub": true, "span": true, "style": true} // <style>: the frame's, in the head (below)
	for _, payload := range rendertest.XSSCorpus(t) {
		d.c.Outcomes = outcomes{src: payload, meeting: payload}
		_, env, _ := built(t, d, Notification{Kind: OutcomePublished, GroupID: garden.ID, PollID: pid, Title: "P"}, garden)
		// The frame (internal/mail) styles its own elements inline; inside
		// the outcome's section, what the statement became, no style at all.
		z := html.NewTokenizer(strings.NewReader(env.HTML))
		inHead, inContent := false, false
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt == html.EndTagToken {
				switch name, _ := z.TagName(); string(name) {
				case "head":
					inHead = false
				case "section":
					inContent = false
				}
				continue
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !allowed[tok.Data] || tok.Data == "style" && !inHead {
				t.Errorf("payload %q: element <%s>", payload, tok.Data)
			}
			switch tok.Data {
			case "head":
				inHead = true
			case "section":
				inContent = true
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "style" && inContent ||
					a.Key == "href" && !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:")) {
					t.Errorf("payload %q: <%s %s=%q>", payload, tok.Data, a.Key, a.Val)
				}
			}
		}
	}
}

// A mention in a poll's details or outcome opens the poll ("Open poll"),
// not a comment; a mention in a comment still reads the comment.
func TestPollMentionEmailOpensThePoll(t *testing.T) {
	d, _ := unit(t)
	_, env, _ := built(t, d, Notification{Kind: Mention, ActorName: "Ada", GroupID: garden.ID, PollID: pid, Title: "Paint?", Excerpt: "Thanks @bob."}, garden)
	if !strings.Contains(env.Text, "Open poll: "+testBase+"/polls/"+pid) || !strings.Contains(env.Text, "Ada mentioned you in “Paint?”.") || strings.Contains(env.Text, "Read the comment") {
		t.Errorf("poll mention:\n%s", env.Text)
	}
	_, env, _ = built(t, d, Notification{Kind: Mention, ActorName: "Ada", GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "T"}, garden)
	if !strings.Contains(env.Text, "Read the comment") {
		t.Errorf("comment mention:\n%s", env.Text)
	}
}
