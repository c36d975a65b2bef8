package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

// Timeline kinds a poll appends to its thread. Only life-cycle events
// appear there, never a vote (in an anonymous poll the time of a vote item
// would link the vote to its voter's participation record) and never a
// result figure (hide_results).
const (
	EventOpened   = "poll.opened"   // created open, or a draft published
	EventClosed   = "poll.closed"   // closed early or by the scheduler
	EventReopened = "poll.reopened" // reopened with a new closing time
	EventOutcome  = "poll.outcome"  // the outcome was published
)

// TimelineEvent is one poll item for a thread's timeline.
type TimelineEvent struct {
	Kind string
	// ActorID is who caused it; "" for the scheduler.
	ActorID string
	PollID  string
	// Data is plain text: title, type and status; never figures.
	Data map[string]string
}

// Threads is what the decision core needs of the discussion core
// (internal/app adapts *discussion.Service).
type Threads interface {
	// ThreadGroup returns the group of thread tid if the actor in ctx may
	// see the thread; an error otherwise (hidden or missing).
	ThreadGroup(ctx context.Context, tid string) (string, error)
	// AppendEvent adds a poll item to the thread's timeline (trusted: no
	// authorization; the decision core has done its own).
	AppendEvent(ctx context.Context, tid string, ev TimelineEvent) error
	// ThreadGuests lists the user ids of the thread's guests (trusted: for
	// voter sets; no authorization).
	ThreadGuests(ctx context.Context, tid string) ([]string, error)
}

// ErrThreadGroup: a poll's thread must belong to the poll's group and be
// visible to its author. Missing, invisible and other groups' threads get
// the same answer, so it tells nothing about threads one cannot see.
var ErrThreadGroup = domain.Validation(domain.FieldError{Field: "thread_id", Message: "is not a thread of this group that you can see"})

// checkThread verifies that thread tid is in group gid and visible to the
// actor. Without a Threads dependency no thread can be checked, so none is
// accepted.
func (s *Service) checkThread(ctx context.Context, gid, tid string) error {
	if tid == "" {
		return nil
	}
	if s.threads == nil {
		return ErrThreadGroup
	}
	tg, err := s.threads.ThreadGroup(ctx, tid)
	switch domain.ErrorCode(err) {
	case "":
	case domain.NotFound, domain.Forbidden, domain.Invalid:
		return ErrThreadGroup
	default:
		return err
	}
	if tg != gid {
		return ErrThreadGroup
	}
	return nil
}

// appendEvent adds a life-cycle item of p to its thread, if it has one.
// The poll change is already written: a failure is logged, not returned.
func (s *Service) appendEvent(ctx context.Context, kind, actor string, p *pollItem, d poll.Definition) {
	if p.ThreadID == "" || s.threads == nil {
		return
	}
	status := string(poll.StatusOf(d.Settings, p.state(0), s.now()))
	ev := TimelineEvent{Kind: kind, ActorID: actor, PollID: p.ID,
		Data: map[string]string{"title": d.Title, "type": string(d.Type), "status": status}}
	if err := s.threads.AppendEvent(ctx, p.ThreadID, ev); err != nil {
		s.log.ErrorContext(ctx, "poll timeline item failed", "poll_id", p.ID, "thread_id", p.ThreadID, "kind", kind, "err", err)
	}
}
