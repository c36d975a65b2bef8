package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/i18n"
	qmailtest "github.com/quorum-app/quorum/internal/mail/mailtest"
)

type pollMail struct{ details, help string }

func (p pollMail) PollMail(context.Context, *i18n.Printer, string, string) (string, string, bool, error) {
	return p.details, p.help, true, nil
}

// A poll email carries the poll itself (issue 15): its details, its options
// and exactly how to vote by replying, read as text and as HTML.
func TestPollEmailCarriesTheOptionsAndHowToVote(t *testing.T) {
	d, _ := unit(t)
	d.c.Polls = pollMail{details: "Plant tomatoes in the south bed.\n• or beans", help: "Reply with your vote on the first line; anything after it is your reason.\nWrite one of these options (or its number):\n  1. Agree\n  2. Abstain"}
	_, env, _ := built(t, d, Notification{Kind: PollOpened, GroupID: garden.ID, PollID: pid, Title: "Tomatoes?"}, garden)
	for part, body := range map[string]string{"text": env.Text, "html": env.HTML} {
		for _, want := range []string{"Plant tomatoes in the south bed.", "• or beans", "Reply with your vote on the first line", "1. Agree", "2. Abstain"} {
			if !strings.Contains(body, want) {
				t.Errorf("the %s part lacks %q:\n%s", part, want, body)
			}
		}
	}
	page := qmailtest.CheckHTML(t, env.HTML, qmailtest.Want{Lang: "en", Dir: "ltr", Base: testBase, Action: testBase + "/polls/" + pid})
	qmailtest.SameContent(t, env.Text, page)
	if page.Preheader != "Plant tomatoes in the south bed. • or beans" {
		t.Errorf("preheader %q", page.Preheader)
	}
	if strings.Count(env.Text, "first line") != 1 {
		t.Errorf("how to reply is said twice:\n%s", env.Text)
	}
	// An anonymous poll is voted on the web: its email does not say to reply.
	d.c.Polls = pollMail{details: "Secret ballot."}
	_, env, _ = built(t, d, Notification{Kind: PollOpened, GroupID: garden.ID, PollID: pid, Title: "Tomatoes?"}, garden)
	if !strings.Contains(env.Text, "This poll is anonymous: vote on the web") || strings.Contains(env.Text, "first line") {
		t.Errorf("an anonymous poll's email:\n%s", env.Text)
	}
	// A comment's email is unchanged.
	_, env, _ = built(t, d, Notification{Kind: Comment, GroupID: garden.ID, ThreadID: tid, CommentID: cid, Title: "T"}, garden)
	if strings.Contains(env.Text, "Agree") {
		t.Errorf("a comment's email carries a poll:\n%s", env.Text)
	}
}
