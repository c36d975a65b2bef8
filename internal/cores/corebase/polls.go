package corebase

import (
	"cmp"
	"context"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
)

// PollThreads adapts the discussion core to what the decision core needs of
// threads: checking a poll's thread and appending its timeline items.
type PollThreads struct{ Discussions *discussion.Service }

// ThreadGroup implements decision.Threads: the thread's group, if the actor
// in ctx may see the thread.
func (t PollThreads) ThreadGroup(ctx context.Context, tid string) (string, error) {
	th, err := t.Discussions.Thread(ctx, tid)
	if err != nil {
		return "", err
	}
	return th.GroupID, nil
}

// AppendEvent implements decision.Threads.
func (t PollThreads) AppendEvent(ctx context.Context, tid string, ev decision.TimelineEvent) error {
	_, err := t.Discussions.AppendEvent(ctx, tid, discussion.Event{Kind: ev.Kind, ActorID: ev.ActorID, RefID: ev.PollID, Data: ev.Data})
	return err
}

// ThreadGuests implements decision.Threads.
func (t PollThreads) ThreadGuests(ctx context.Context, tid string) ([]string, error) {
	return t.Discussions.GuestIDs(ctx, tid)
}

// PollNotifier delivers the decision core's notices as in-app
// notifications, respecting each recipient's notification level for the
// poll's group and thread and how the notice reached them (mute silences
// everything; quiet hears what is addressed to them; normal also what is
// announced to the group; loud everything). A notification carries the
// poll's title and, for reminders, its closing time, and for a published
// outcome the opening of its statement: never a result figure.
type PollNotifier struct {
	Notifications *notify.Service
	// Names names the actor of an announcement (may be nil).
	Names func(ctx context.Context, uid string) string
}

var pollReaches = map[decision.NoticeReach]notify.Reach{
	decision.ReachAddressed: notify.Addressed,
	decision.ReachGroup:     notify.GroupWide,
	decision.ReachFollowers: notify.Following,
}

var pollKinds = map[decision.NoticeKind]notify.Kind{
	decision.NoticeClosingSoon:    notify.PollClosingSoon,
	decision.NoticeManualReminder: notify.PollReminder,
	decision.NoticePollClosed:     notify.PollClosed,
	decision.NoticeOutcomeReview:  notify.PollOutcomeReview,
	// Voters hear that a poll opened and that its outcome was published;
	// the latter carries the opening of the statement as clean text
	// (decision.Notice.Excerpt), neither carries a result figure (the
	// rules hiding results differ per poll).
	decision.NoticePollOpened:       notify.PollOpened,
	decision.NoticeOutcomePublished: notify.OutcomePublished,
	decision.NoticeAnnounced:        notify.Announcement,
	// The people a poll's details mention (who wrote them: ActorID).
	decision.NoticeMentioned: notify.Mention,
	// The grantor hears that their proxy voted for them (ActorID).
	decision.NoticeProxyVoted: notify.ProxyVoted,
}

// Notify implements decision.Notifier.
func (p PollNotifier) Notify(ctx context.Context, n decision.Notice) error {
	kind, ok := pollKinds[n.Kind]
	reach, known := pollReaches[n.Reach]
	if !ok || !known || len(n.Recipients) == 0 {
		return nil
	}
	actorName := ""
	if n.ActorID != "" && p.Names != nil && (n.Kind == decision.NoticeAnnounced || n.Kind == decision.NoticeProxyVoted) {
		actorName = p.Names(ctx, n.ActorID)
	}
	levels, err := p.Notifications.Levels(ctx, n.Recipients, n.GroupID, n.ThreadID)
	if err != nil {
		return err
	}
	excerpt := pollExcerpt(n)
	var out []notify.Notification
	seen := map[string]bool{}
	for _, uid := range n.Recipients {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		l := levels[uid]
		if !notify.Effective(l[0], l[1]).Hears(reach) {
			continue
		}
		nt := notify.Notification{UserID: uid, Kind: kind, GroupID: n.GroupID, ThreadID: n.ThreadID,
			PollID: n.PollID, Title: n.Title, Excerpt: excerpt}
		if actorName != "" {
			nt.ActorID, nt.ActorName = n.ActorID, actorName
		}
		out = append(out, nt)
	}
	return p.Notifications.Deliver(ctx, out)
}

// pollExcerpt is the plain text a poll notice shows: its closing time,
// review date, what to do, or the opening of a published outcome's
// statement; never a figure.
func pollExcerpt(n decision.Notice) string {
	excerpt := ""
	switch {
	case n.Kind == decision.NoticeOutcomeReview && n.ReviewOn != nil:
		excerpt = notify.ExcerptReview.At(*n.ReviewOn)
	case (n.Kind == decision.NoticeClosingSoon || n.Kind == decision.NoticeManualReminder) && n.ClosingAt != nil:
		excerpt = notify.ExcerptCloses.At(*n.ClosingAt)
	case n.Kind == decision.NoticePollClosed:
		excerpt = string(notify.ExcerptClosed)
	case n.Kind == decision.NoticePollOpened && n.ClosingAt != nil:
		excerpt = notify.ExcerptOpenUntil.At(*n.ClosingAt)
	case n.Kind == decision.NoticeProxyVoted:
		excerpt = string(notify.ExcerptProxy)
	case n.Kind == decision.NoticeOutcomePublished && n.Excerpt != "":
		excerpt = n.Excerpt
	case n.Kind == decision.NoticeOutcomePublished:
		excerpt = string(notify.ExcerptOutcome)
	case n.Kind == decision.NoticeAnnounced && n.ClosingAt != nil:
		excerpt = notify.ExcerptCloses.At(*n.ClosingAt)
	}
	return excerpt
}

// AddFanout implements decision.Fanouter: the notice becomes one fan-out
// job (notify.Fanouts) in tx; its phases are told off the request path.
func (p PollNotifier) AddFanout(ctx context.Context, tx *store.Tx, f decision.NoticeFanout) error {
	j := notify.Fanout{Skip: f.Skip, Notification: notify.Notification{Kind: pollKinds[f.Kind], GroupID: f.GroupID,
		ThreadID: f.ThreadID, PollID: f.PollID, Title: f.Title}}
	j.Notification.ActorID = f.ActorID
	actorNamed := false
	for _, ph := range f.Phases {
		kind, ok := pollKinds[ph.Kind]
		reach, known := pollReaches[ph.Reach]
		if !ok || !known {
			continue
		}
		n := f.Notice
		n.Kind = ph.Kind
		named := ph.Kind == decision.NoticeAnnounced || ph.Kind == decision.NoticeMentioned
		j.Phases = append(j.Phases, notify.Phase{Kind: kind, Reach: reach, Excerpt: cmp.Or(ph.Excerpt, pollExcerpt(n)), UserIDs: ph.UserIDs,
			Members: ph.Members, Named: ph.Named, Undecided: ph.Undecided, NoActor: !named,
			Keys: ph.Keys, Extra: ph.Extra, Version: ph.Version, Part: ph.Part})
		// Announcements and mentions name who made them (one read, at most).
		if named && !actorNamed && f.ActorID != "" && p.Names != nil {
			j.Notification.ActorName, actorNamed = p.Names(ctx, f.ActorID), true
		}
	}
	return p.Notifications.AddFanoutToTx(tx, j)
}

// ThreadPolls adapts the decision core to what moving a thread needs of
// its polls (discussion.ThreadPolls). It holds the address of the service
// because the decision core is built after the discussion core.
type ThreadPolls struct{ Decisions **decision.Service }

// PollsOfThread implements discussion.ThreadPolls.
func (p ThreadPolls) PollsOfThread(ctx context.Context, gid, tid, cursor string) ([]string, string, error) {
	return (*p.Decisions).PollsOfThread(ctx, gid, tid, cursor)
}

// WithdrawMoved implements discussion.ThreadPolls.
func (p ThreadPolls) WithdrawMoved(ctx context.Context, pid, cursor string) (string, int, error) {
	return (*p.Decisions).WithdrawMoved(ctx, pid, cursor)
}

// MovePolls implements discussion.ThreadPolls.
func (p ThreadPolls) MovePolls(tx *store.Tx, tid string, pids []string, from, to string) {
	(*p.Decisions).MovePolls(tx, tid, pids, from, to)
}

// RefilePollSearch implements discussion.ThreadPolls.
func (p ThreadPolls) RefilePollSearch(ctx context.Context, tx *store.Tx, pid, to, cursor string) (string, error) {
	return (*p.Decisions).RefilePollSearch(ctx, tx, pid, to, cursor)
}

// MentionOwners hands what a mention job resolved to the owner of the
// text (notify.Mentions): a poll's details to the decision core, a
// comment or a thread's description to the discussion core.
type MentionOwners struct {
	Polls, Threads notify.Mentions
}

// MentionsResolved implements notify.Mentions.
func (m MentionOwners) MentionsResolved(ctx context.Context, ref notify.MentionRef) error {
	if ref.PollID != "" {
		return m.Polls.MentionsResolved(ctx, ref)
	}
	return m.Threads.MentionsResolved(ctx, ref)
}
