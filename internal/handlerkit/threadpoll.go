package handlerkit

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

// ThreadPolls starts a thread with a poll in it (issue #17: a template
// that is a thread and a poll): the thread first, then the poll through
// the decision core; if the poll fails, the thread is removed again
// (compensation). The API and the new-thread page both start them here.
type ThreadPolls struct {
	Log    *slog.Logger
	Groups interface {
		Authorize(ctx context.Context, gid string, a authz.Action, t authz.Target) error
	}
	Discussions interface {
		StartThread(ctx context.Context, in discussion.StartInput) (discussion.Thread, error)
		Delete(ctx context.Context, tid string) error
	}
	// Polls opens the poll (*decision.Service implements it).
	Polls PollOpener
}

// PollOpener opens a poll (*decision.Service implements it).
type PollOpener interface {
	Create(ctx context.Context, in decision.CreateInput) (decision.Poll, error)
}

// PollFailed is the error of a poll that could not be opened with its
// thread; the thread was removed again.
type PollFailed struct{ Err error }

func (e *PollFailed) Error() string { return "the poll could not be opened: " + e.Err.Error() }

func (e *PollFailed) Unwrap() error { return e.Err }

// Start starts a thread and opens poll d in it. The poll is
// checked before the thread exists (its kind, options and settings, and
// whether the author may start polls), so that only a failure of the poll
// core itself leads to the compensation. An empty poll title is the
// thread's.
func (s *ThreadPolls) Start(ctx context.Context, in discussion.StartInput, d poll.Definition) (discussion.Thread, decision.Poll, error) {
	if s.Polls == nil {
		return discussion.Thread{}, decision.Poll{}, domain.Errorf(domain.Unavailable, "polls are not available on this server")
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = in.Title
	}
	if err := s.Groups.Authorize(ctx, in.GroupID, authz.PollStart, authz.Target{}); err != nil {
		return discussion.Thread{}, decision.Poll{}, err
	}
	if strings.TrimSpace(in.Title) != "" {
		if _, err := poll.ValidateNew(d, time.Now()); err != nil {
			return discussion.Thread{}, decision.Poll{}, PrefixFields(err, "poll.")
		}
	}
	t, err := s.Discussions.StartThread(ctx, in)
	if err != nil {
		return discussion.Thread{}, decision.Poll{}, err
	}
	p, err := s.Polls.Create(ctx, decision.CreateInput{GroupID: in.GroupID, ThreadID: t.ID, Definition: d, Notify: in.Notify})
	if err != nil {
		// Compensation: the thread goes again (its author may delete it),
		// even when the request's context has ended.
		if derr := s.Discussions.Delete(context.WithoutCancel(ctx), t.ID); derr != nil {
			s.Log.ErrorContext(ctx, "thread of a failed poll not removed", "thread_id", t.ID, "error", derr.Error())
			return discussion.Thread{}, decision.Poll{}, errors.Join(&PollFailed{err}, derr)
		}
		s.Log.WarnContext(ctx, "poll of a new thread failed; thread removed", "thread_id", t.ID, "error", err.Error())
		return discussion.Thread{}, decision.Poll{}, &PollFailed{err}
	}
	return t, p, nil
}

// PrefixFields names the field errors of err as fields of prefix.
func PrefixFields(err error, prefix string) error {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	fe := make([]domain.FieldError, len(de.Fields))
	for i, f := range de.Fields {
		fe[i] = domain.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return domain.Validation(fe...)
}
