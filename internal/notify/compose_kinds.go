package notify

import (
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// copyText is the wording of one kind of notification email. Every string
// is plain text: the HTML template escapes it, user text included.
type copyText struct {
	heading string // first line of the body
	action  string // the link's text
	why     string // why the recipient got it (footer)
}

// kindKey is the catalog key (email.notify.<kindKey>.*) of n's wording.
func kindKey(n Notification) string {
	switch n.Kind {
	case Mention:
		if n.PollID != "" && n.CommentID == "" {
			return "mention_poll" // in a poll's details or outcome: the email opens the poll
		}
		return "mention"
	case Reply, NewThread, Comment, PollOpened, PollClosingSoon, PollClosed, PollOutcomeReview, OutcomePublished, ProxyVoted:
		return string(n.Kind)
	case PollReminder:
		if n.ActorName != "" {
			return "poll_reminder_by"
		}
		return "poll_reminder"
	case Announcement:
		if n.PollID != "" {
			return "announcement_poll"
		}
		return "announcement_thread"
	}
	return "other"
}

// kindCopy words the email for a notification in the printer's language.
// actor, title and group are user text (names and titles), inserted as
// plain text, never translated, and isolated when their direction may
// differ from the message's (i18n.Printer.Isolate).
func kindCopy(p *i18n.Printer, n Notification, group string) copyText {
	actor := n.ActorName
	if actor == "" {
		actor = p.T("email.someone")
	}
	title := n.Title
	if title == "" {
		title = p.T("email.untitled")
	}
	k := "email.notify." + kindKey(n)
	kv := []any{"Actor", p.Isolate(actor), "Title", p.Isolate(title), "Group", p.Isolate(groupOr(p, group))}
	return copyText{heading: p.T(k+".heading", kv...), action: p.T(k + ".action"), why: p.T(k+".why", kv...)}
}

func groupOr(p *i18n.Printer, name string) string {
	if name == "" {
		return p.T("email.the_group")
	}
	return name
}

// replyKind is what a reply to this email does: answer the comment,
// comment in the thread, or vote in the poll. ok is false for emails a
// reply cannot act on (they get no Reply-To token).
func replyKind(n Notification) (replyaddr.Token, bool) {
	switch {
	case (n.Kind == PollOpened || n.Kind == PollClosingSoon || n.Kind == PollReminder) && n.PollID != "":
		return replyaddr.Token{Kind: replyaddr.KindPoll, PollID: n.PollID}, true
	case n.Kind.Poll() || (n.Kind == Announcement && n.PollID != ""):
		if n.ThreadID != "" {
			return replyaddr.Token{Kind: replyaddr.KindThread, ThreadID: n.ThreadID}, true
		}
		return replyaddr.Token{}, false
	case n.ThreadID != "" && n.CommentID != "" && n.Kind != NewThread:
		return replyaddr.Token{Kind: replyaddr.KindComment, ThreadID: n.ThreadID, CommentID: n.CommentID}, true
	case n.ThreadID != "":
		return replyaddr.Token{Kind: replyaddr.KindThread, ThreadID: n.ThreadID}, true
	}
	return replyaddr.Token{}, false
}
