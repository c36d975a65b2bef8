package notify

import (
	"fmt"

	"github.com/quorum-app/quorum/internal/replyaddr"
)

// copyText is the wording of one kind of notification email. Every string
// is plain text: the HTML template escapes it, user text included.
type copyText struct {
	heading string // first line of the body
	action  string // the link's text
	why     string // why the recipient got it (footer)
}

// kindCopy words the email for a notification. actor, title and group are
// user text (names and titles), inserted as plain text.
func kindCopy(n Notification, group string) copyText {
	actor := n.ActorName
	if actor == "" {
		actor = "Someone"
	}
	title := n.Title
	if title == "" {
		title = "untitled"
	}
	member := "you are a member of " + groupOr(group)
	switch n.Kind {
	case Mention:
		return copyText{fmt.Sprintf("%s mentioned you in “%s”.", actor, title), "Read the comment",
			"You received this email because " + actor + " mentioned you."}
	case Reply:
		return copyText{fmt.Sprintf("%s replied to your comment in “%s”.", actor, title), "Read the reply",
			"You received this email because someone replied to your comment."}
	case NewThread:
		return copyText{fmt.Sprintf("%s started a new thread: “%s”.", actor, title), "Read the thread",
			"You received this email because " + member + " and its notification level includes new threads."}
	case Comment:
		return copyText{fmt.Sprintf("%s commented in “%s”.", actor, title), "Read the comment",
			"You received this email because you follow this thread or its group loudly (every comment)."}
	case PollOpened:
		return copyText{fmt.Sprintf("A poll you can vote in has opened: “%s”.", title), "Vote",
			"You received this email because you can vote in this poll."}
	case PollClosingSoon:
		return copyText{fmt.Sprintf("The poll “%s” closes within 24 hours.", title), "Vote before it closes",
			"You received this email because you can vote in this poll and have not voted yet."}
	case PollReminder:
		if n.ActorName != "" {
			return copyText{fmt.Sprintf("%s reminded you to vote in “%s”.", actor, title), "Vote",
				"You received this email because a poll admin reminded the people who have not voted yet."}
		}
		return copyText{fmt.Sprintf("A reminder to vote in “%s”.", title), "Vote",
			"You received this email because a poll admin reminded the people who have not voted yet."}
	case PollClosed:
		return copyText{fmt.Sprintf("Your poll “%s” has closed: write its outcome so everyone knows what was decided.", title),
			"Write the outcome", "You received this email because you started this poll."}
	case PollOutcomeReview:
		return copyText{fmt.Sprintf("It is time to review the outcome of “%s”.", title), "Review the outcome",
			"You received this email because you set a review date on this outcome."}
	case Announcement:
		what := "the thread"
		if n.PollID != "" {
			what = "the poll"
		}
		return copyText{fmt.Sprintf("%s wants you to see %s “%s”.", actor, what, title), "Open " + what[4:],
			"You received this email because " + actor + " chose to notify you (or everyone in " + groupOr(group) + ")."}
	case OutcomePublished:
		return copyText{fmt.Sprintf("The outcome of “%s” was published.", title), "Read the outcome",
			"You received this email because you could vote in this poll."}
	}
	return copyText{fmt.Sprintf("You have a new notification about “%s”.", title), "Open your notifications",
		"You received this email because " + member + "."}
}

func groupOr(name string) string {
	if name == "" {
		return "the group"
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
