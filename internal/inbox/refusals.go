package inbox

import (
	"errors"
	"fmt"
	"strings"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// Refusals the inbox itself gives (their text is for logs and the held
// message page; emails word them from the catalog, see refusalKey).
var (
	errEmptyReply    = domain.Errorf(domain.Invalid, "the reply is empty: write your comment above the quoted message")
	errPollNotOpen   = domain.Errorf(domain.Conflict, "the poll is not open for votes")
	errAnonymousPoll = domain.Errorf(domain.Unsupported, "this poll is anonymous: please vote on the web, where your receipt is shown to you only")
	errNoCommentMail = domain.Errorf(domain.Unsupported, "replies to comment emails are not available here")
	errMailUnknown   = domain.Errorf(domain.NotFound, "the email this address belongs to is no longer known")
	errMailNoThread  = domain.Errorf(domain.NotFound, "the email this address belongs to was not about a thread")
)

// refusals map the errors a reply by email can be refused with to the
// catalog key (email.inbox.refused.*) that says why to its sender; the
// first match wins.
var refusals = []struct {
	err error
	key string
}{
	{replyaddr.ErrTokenExpired, "expired"},
	{replyaddr.ErrTokenRevoked, "revoked"},
	{errEmptyReply, "empty"},
	{errPollNotOpen, "poll_not_open"},
	{decision.ErrPollClosed, "poll_closed"},
	{decision.ErrPollNotOpen, "poll_not_open"},
	{errAnonymousPoll, "anonymous"},
	{decision.ErrAlreadyVoted, "anonymous"},
	{decision.ErrNotEligible, "not_voter"},
	{decision.ErrBusy, "busy"},
	{discussion.ErrClosed, "thread_closed"},
	{discussion.ErrParentGone, "parent_gone"},
	{errMailUnknown, "mail_unknown"},
	{errMailNoThread, "mail_unknown"},
}

// refusalKey is the catalog key for why err refused a reply: a known
// error by identity, else by its code (not found also covers a person who
// left the group: the thread or poll is hidden from them now), else the
// generic sentence. Never the error's own (English) text.
func refusalKey(err error) string {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return "email.inbox.refused." + r.key
		}
	}
	switch domain.ErrorCode(err) {
	case domain.NotFound, domain.Unauthorized:
		return "email.inbox.refused.not_found"
	case domain.Forbidden:
		return "email.inbox.refused.forbidden"
	case domain.RateLimited:
		return "email.inbox.refused.rate_limited"
	case domain.TooLarge:
		return "email.inbox.refused.too_large"
	case domain.Invalid:
		return "email.inbox.refused.invalid"
	case domain.Gone:
		return "email.inbox.refused.expired"
	}
	return "email.inbox.rejected.default_reason"
}

// proxyNameError refuses a "For <name>:" reply (a vote by proxy) whose
// name matches none, or several (ambiguous), of the members whose proxy
// the sender holds in the poll; held are those members' names.
type proxyNameError struct {
	ambiguous bool
	name      string
	held      []string
}

func (e *proxyNameError) Error() string { return string(domain.Invalid) + ": " + e.english() }

// Unwrap is the domain error with the English message (pages, logs of ids
// only: the outcome's reasons keep the code, not this text).
func (e *proxyNameError) Unwrap() error {
	return &domain.Error{Code: domain.Invalid, Message: e.english()}
}

func (e *proxyNameError) english() string {
	if e.ambiguous {
		return fmt.Sprintf("%q names more than one of the members whose proxy you hold (%s): write their full name", e.name, strings.Join(e.held, ", "))
	}
	return fmt.Sprintf("you do not hold the proxy of anyone named %q in this poll (you hold: %s)", e.name, strings.Join(e.held, ", "))
}

// message words the refusal in p's language, names isolated.
func (e *proxyNameError) message(p *i18n.Printer) string {
	held := make([]string, len(e.held))
	for i, n := range e.held {
		held[i] = p.Isolate(n)
	}
	key := "email.inbox.refused.proxy_unknown"
	if e.ambiguous {
		key = "email.inbox.refused.proxy_ambiguous"
	}
	return p.T(key, "Name", p.Isolate(e.name), "Held", strings.Join(held, ", "))
}

// refusal words why err refused a reply, in p's language.
func refusal(p *i18n.Printer, err error) string {
	if err == nil {
		return p.T("email.inbox.rejected.default_reason")
	}
	var pn *proxyNameError
	if errors.As(err, &pn) {
		return pn.message(p)
	}
	return p.T(refusalKey(err))
}

// skipReason words why an attachment was not kept, in p's language, from
// the upload check's problem (or the per-message file limit); anything
// else gets a generic sentence, never the English reason.
func skipReason(p *i18n.Printer, f discussion.SkippedFile) string {
	var fp *blob.FileProblem
	switch {
	case errors.As(f.Err, &fp):
		switch fp.Kind {
		case blob.FileEmpty:
			return p.T("email.inbox.skipped.empty")
		case blob.FileTooLarge:
			return p.N("email.inbox.skipped.too_large", int(fp.MaxMB))
		case blob.FileType:
			return p.T("email.inbox.skipped.type", "Type", p.Isolate(fp.Type))
		case blob.FileContent:
			return p.T("email.inbox.skipped.content", "Type", p.Isolate(fp.Type))
		}
	case errors.Is(f.Err, discussion.ErrTooManyMailFiles):
		return p.N("email.inbox.skipped.too_many", discussion.MaxFilesPerRef)
	}
	return p.T("email.inbox.skipped.other")
}
