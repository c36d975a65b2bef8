package inbox

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Every reason a reply can be refused for is worded from the catalog in
// the recipient's language; errors nobody mapped (or not the domain's)
// get the generic sentence, never their English text.
func TestRefusalsAreWordedInEveryLanguage(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{replyaddr.ErrTokenExpired, "expired"},
		{replyaddr.ErrTokenRevoked, "revoked"},
		{errEmptyReply, "empty"},
		{errPollNotOpen, "poll_not_open"},
		{decision.ErrPollClosed, "poll_closed"},
		{fmt.Errorf("voting: %w", decision.ErrPollClosed), "poll_closed"},
		{errAnonymousPoll, "anonymous"},
		{decision.ErrNotEligible, "not_voter"},
		{decision.ErrBusy, "busy"},
		{discussion.ErrClosed, "thread_closed"},
		{discussion.ErrParentGone, "parent_gone"},
		{errMailUnknown, "mail_unknown"},
		{errMailNoThread, "mail_unknown"},
		{discussion.ErrNoThread, "not_found"},
		{domain.Errorf(domain.Forbidden, "only members may comment"), "forbidden"},
		{ratelimit.Limited(time.Minute), "rate_limited"},
		{domain.Errorf(domain.TooLarge, "too big"), "too_large"},
		{domain.Validation(domain.FieldError{Field: "body", Message: "is too long"}), "invalid"},
	}
	s := New(Config{BaseURL: "https://q.example"})
	for _, c := range cases {
		if got := refusalKey(c.err); got != "email.inbox.refused."+c.want {
			t.Errorf("%v: %s, want %s", c.err, got, c.want)
		}
	}
	unknown := []error{errNoCommentMail, errors.New("disk on fire"), domain.Errorf(domain.Precondition, "changed")}
	for _, l := range lang.Supported {
		p := s.cat.Printer(l, nil)
		en := s.cat.Printer(lang.English, nil)
		for _, c := range cases {
			got := refusal(p, c.err)
			if strings.Contains(got, i18n.Missing) || (l != lang.English && got == refusal(en, c.err)) {
				t.Errorf("%s %v: %q", l, c.err, got)
			}
		}
		for _, err := range unknown {
			if got := refusal(p, err); got != p.T("email.inbox.rejected.default_reason") {
				t.Errorf("%s %v: %q, want the generic sentence", l, err, got)
			}
		}
		// In the mail: the reason in the reader's words, not the core's.
		n := s.rejectedMail(group.Person{Email: "m@example.org", Lang: l}, nil, "Tulips", decision.ErrPollClosed)
		if !strings.Contains(n.text, p.T("email.inbox.refused.poll_closed")) ||
			(l != lang.English && strings.Contains(n.text, domain.ErrorMessage(decision.ErrPollClosed))) {
			t.Errorf("%s: %s", l, n.text)
		}
	}
	// The errors' own text (logs, API, the held message page) is unchanged.
	if domain.ErrorMessage(errEmptyReply) != "the reply is empty: write your comment above the quoted message" {
		t.Errorf("empty reply: %q", domain.ErrorMessage(errEmptyReply))
	}
}

// Why an attachment was not kept, in every language: each upload problem
// and the per-message limit from the catalog; an unknown cause gets the
// generic sentence, never the English reason.
func TestSkippedAttachmentReasonsInEveryLanguage(t *testing.T) {
	s := New(Config{BaseURL: "https://q.example"})
	files := []discussion.SkippedFile{
		{Name: "a.pdf", Err: &blob.FileProblem{Kind: blob.FileEmpty}},
		{Name: "b.pdf", Err: &blob.FileProblem{Kind: blob.FileTooLarge, MaxMB: 25}},
		{Name: "c.exe", Err: &blob.FileProblem{Kind: blob.FileType, Type: "application/x-msdownload"}},
		{Name: "d.png", Err: &blob.FileProblem{Kind: blob.FileContent, Type: "image/png"}},
		{Name: "e.png", Err: discussion.ErrTooManyMailFiles},
	}
	en := s.cat.Printer(lang.English, nil)
	for _, l := range lang.Supported {
		p := s.cat.Printer(l, nil)
		for _, f := range files {
			got := skipReason(p, f)
			if strings.Contains(got, i18n.Missing) || (l != lang.English && got == skipReason(en, f)) {
				t.Errorf("%s %s: %q", l, f.Name, got)
			}
		}
		odd := discussion.SkippedFile{Name: "x", Reason: "something in English", Err: errors.New("x")}
		if got := skipReason(p, odd); got != p.T("email.inbox.skipped.other") {
			t.Errorf("%s: %q, want the generic sentence", l, got)
		}
	}
	// The English wording is the upload check's own message.
	for _, f := range files {
		if got, want := skipReason(en, f), domain.ErrorMessage(f.Err); got != strings.ReplaceAll(want, "'", "’") {
			t.Errorf("English %q, the check says %q", got, want)
		}
	}
}

// A vote by proxy naming no one (or several) of the members whose proxy
// the sender holds is refused in their language, with the names they
// wrote and hold, and stays an invalid-input error for the core.
func TestProxyNameRefusalIsWordedInEveryLanguage(t *testing.T) {
	cat := i18n.New()
	en := cat.Printer(lang.English, time.UTC)
	for _, ambiguous := range []bool{false, true} {
		err := error(&proxyNameError{ambiguous: ambiguous, name: "Carl", held: []string{"Bob Baker", "Bea Brown"}})
		if domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("code %s", domain.ErrorCode(err))
		}
		english := refusal(en, err)
		for _, l := range lang.Supported {
			got := refusal(cat.Printer(l, time.UTC), err)
			if strings.Contains(got, "⟦") || !strings.Contains(got, "Carl") || !strings.Contains(got, "Bea Brown") {
				t.Errorf("%s (ambiguous %v): %q", l, ambiguous, got)
			}
			if l != lang.English && got == english {
				t.Errorf("%s (ambiguous %v) is the English text: %q", l, ambiguous, got)
			}
		}
	}
}
