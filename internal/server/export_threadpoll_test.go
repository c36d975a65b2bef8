package server

import (
	"context"

	"github.com/quorum-app/quorum/internal/decision"
)

// SetThreadPolls replaces what opens the poll of a thread started with
// one (tests make it fail to see the thread removed again).
func SetThreadPolls(s *Server, create func(context.Context, decision.CreateInput) (decision.Poll, error)) {
	s.threadPolls.Polls = pollOpenerFunc(create)
}

type pollOpenerFunc func(context.Context, decision.CreateInput) (decision.Poll, error)

func (f pollOpenerFunc) Create(ctx context.Context, in decision.CreateInput) (decision.Poll, error) {
	return f(ctx, in)
}
