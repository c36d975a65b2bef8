package cores

import (
	"context"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/poll"
)

// ProcessSources lets the template core read the thread or poll an admin
// saves as a template, through the cores that own them (and their rules
// on who may read what).
type ProcessSources struct {
	Discussions *discussion.Service
	Decisions   *decision.Service
}

// Poll returns a poll's group and definition.
func (p ProcessSources) Poll(ctx context.Context, pid string) (string, poll.Definition, error) {
	v, err := p.Decisions.Get(ctx, pid)
	if err != nil {
		return "", poll.Definition{}, err
	}
	return v.GroupID, v.Definition, nil
}

// Thread returns a thread's group, title and description.
func (p ProcessSources) Thread(ctx context.Context, tid string) (string, string, string, error) {
	t, err := p.Discussions.Thread(ctx, tid)
	if err != nil {
		return "", "", "", err
	}
	return t.GroupID, t.Title, t.Description, nil
}
