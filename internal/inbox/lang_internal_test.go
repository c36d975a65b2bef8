package inbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Every notice the inbox sends, in every language: no missing message, no
// English wording left, dates in the reader's zone; built-in option labels
// are translated and typed ones are not.
func TestNoticesInEveryLanguage(t *testing.T) {
	s := New(Config{BaseURL: "https://q.example"})
	expires := time.Date(2026, 12, 5, 22, 30, 0, 0, time.UTC)
	m := &inbound.Message{MessageID: "abc@example.org"}
	held := &heldItem{ID: "h1", TokenKind: replyaddr.KindPoll.String(), Target: "Plant tomatoes?", FromAddress: "x@example.org",
		Expires: expires, Files: []string{"a.pdf", "b.pdf"}, GroupID: "g1", SenderUserID: "u1"}
	consent := decision.Poll{ID: "p1", Definition: poll.Definition{Type: poll.TypeProposal, Title: "Plant tomatoes?", Options: []poll.Option{
		{ID: poll.OptionAgree, Label: "Agree"}, {ID: poll.OptionBlock, Label: "Hard no"}}}}
	_, err := inbound.ParseVote(consent.Definition, lang.English, "what is this about?")
	var unreadable *inbound.VoteProblem
	if !errors.As(err, &unreadable) {
		t.Fatalf("unreadable vote: %v", err)
	}
	for _, l := range lang.Supported {
		p := group.Person{ID: "u1", Name: "Mona", Email: "mona@example.org", Lang: l, TimeZone: "Asia/Tokyo"}
		pr := s.printer(p)
		notices := map[string]notice{
			"held reply":  s.heldReplyMail(p, m, held),
			"held group":  s.heldGroupMail(p, held),
			"rejected":    s.rejectedMail(p, m, "Plant tomatoes?", nil),
			"rejected(e)": s.rejectedMail(p, m, "", errors.New("x")),
			"skipped":     s.skippedMail(p, m, "https://q.example/threads/t1", []discussion.SkippedFile{{Name: "big.zip", Reason: "too big"}}),
			"help":        s.helpMail(p, m, consent, unreadable),
			"voted": s.votedMail(p, m, consent, decision.VoteResult{Changed: true, Ballot: poll.Ballot{
				Choices: []poll.Choice{{OptionID: poll.OptionAgree}, {OptionID: poll.OptionBlock}}, Reason: "Sunny."}}, ""),
			"voted for": s.votedMail(p, m, consent, decision.VoteResult{Ballot: poll.Ballot{
				Choices: []poll.Choice{{OptionID: poll.OptionAgree}}}}, "Ada Lovelace"),
		}
		for name, n := range notices {
			all := n.subject + "\n" + n.text
			if strings.Contains(all, i18n.Missing) {
				t.Errorf("%s %s: missing message:\n%s", l, name, all)
			}
			if l != lang.English {
				for _, en := range []string{"Hello", "Your email", "Your vote", "Quorum received", "confirm it here", "on the web", "Agree",
					"attachments", "waiting for", "How to vote"} {
					if strings.Contains(all, en) {
						t.Errorf("%s %s: English %q left:\n%s", l, name, en, all)
					}
				}
			}
		}
		// The deadline in Tokyo (UTC+9): 6 Dec, 07:30.
		if want := pr.DateTime(expires) + " (" + pr.Isolate("Asia/Tokyo") + ")"; !strings.Contains(notices["held reply"].text, want) || !strings.Contains(want, "07:30") {
			t.Errorf("%s: no %q in\n%s", l, want, notices["held reply"].text)
		}
		voted := notices["voted"].text
		if !strings.Contains(voted, pr.Isolate(pr.T("poll.option.agree")+", Hard no")) {
			t.Errorf("%s: ballot not worded (preset translated, typed label kept):\n%s", l, voted)
		}
	}
}
