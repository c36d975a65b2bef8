package inbox_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// speaks sets p's language from a web session (where settings change).
func (f *fx) speaks(p person, l string) {
	f.t.Helper()
	web := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: p.id, SessionID: "s1"})
	if _, err := f.a.Accounts.UpdateProfile(web, account.ProfileUpdate{Locale: &l}); err != nil {
		f.t.Fatal(err)
	}
}

// A German voter's unreadable reply gets the whole help mail in German:
// what could not be read, how to vote, the options; no English sentence.
func TestUnreadableVoteGetsGermanHelp(t *testing.T) {
	s := newScene(t)
	f := s.f
	f.speaks(s.alice, "de")
	pid := s.proposal("Tulpen pflanzen")
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	out := f.deliver("", eml(s.alice.email, "x", "Re: Tulpen pflanzen", "Worum geht es hier?"), to, passing)
	if out.Result != inbox.Helped || !out.Replied {
		t.Fatalf("unreadable: %+v", out)
	}
	m := f.waitMail(s.alice.email, regexp.MustCompile(`Wir konnten Ihre Stimme nicht lesen: .Worum geht es hier\?. ist keine der Optionen`))
	body := m.Subject + "\n" + m.Body.Text
	for _, want := range []string{"So stimmen Sie per E-Mail ab", "Antworten Sie mit Ihrer Stimme in der ersten Zeile",
		"Schreiben Sie eine dieser Optionen", "1. Zustimmen", "Sie können auch im Web abstimmen"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in\n%s", want, body)
		}
	}
	for _, en := range []string{"We could not read", "Reply with your vote", "Write one of", "Agree", "does not name"} {
		if strings.Contains(body, en) {
			t.Errorf("English %q left in\n%s", en, body)
		}
	}
}

// A vote for a poll that closed, from a French member: refused in French,
// never with the core's English reason.
func TestRefusedVoteIsInFrench(t *testing.T) {
	s := newScene(t)
	f := s.f
	f.speaks(s.alice, "fr")
	pid := s.proposal("Planter des tulipes")
	if _, err := f.a.Decisions.Close(s.bob.ctx, pid); err != nil {
		t.Fatal(err)
	}
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	out := f.deliver("", eml(s.alice.email, "x", "Re: Planter des tulipes", "oui"), to, passing)
	if out.Result != inbox.Rejected || !out.Replied {
		t.Fatalf("closed poll: %+v", out)
	}
	m := f.waitMail(s.alice.email, regexp.MustCompile(`n’a pas été publié : le sondage est clos : les votes ne sont plus acceptés\.`))
	body := m.Subject + "\n" + m.Body.Text
	for _, en := range []string{"closed", "not open", "votes are no longer", "Your email"} {
		if strings.Contains(body, en) {
			t.Errorf("English %q left in\n%s", en, body)
		}
	}
	// The reason in the outcome (for logs) is still the core's.
	if len(out.Reasons) == 0 || !strings.Contains(strings.Join(out.Reasons, "; "), "closed") {
		t.Errorf("reasons: %q", out.Reasons)
	}
}

// A held vote that turns out unreadable when confirmed: the page (English,
// like every page) gets the problem and the help from the catalog.
func TestConfirmedUnreadableVoteExplainsOnThePage(t *testing.T) {
	s := newScene(t)
	f := s.f
	f.speaks(s.alice, "de")
	pid := s.proposal("Tulpen pflanzen")
	to := f.replyAddr(replyaddr.Token{UserID: s.alice.id, Kind: replyaddr.KindPoll, PollID: pid})
	out := f.deliver("", eml(s.alice.email, "x", "Re: Tulpen pflanzen", "Worum geht es?"), to, inbox.FailingVerdicts())
	if out.Result != inbox.HeldMail || out.HeldID == "" {
		t.Fatalf("held: %+v", out)
	}
	_, err := f.inbox.ConfirmHeld(s.alice.ctx, out.HeldID)
	msg := domain.ErrorMessage(err)
	if domain.ErrorCode(err) != domain.Invalid || !strings.Contains(msg, "We could not read your vote: “Worum geht es?” does not name an option.") ||
		!strings.Contains(msg, "Reply with your vote on the first line") || !strings.Contains(msg, "1. Agree") {
		t.Fatalf("confirm: %v", err)
	}
}
