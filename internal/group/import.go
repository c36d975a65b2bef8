package group

import (
	"context"
	"errors"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
)

// ErrImported: the group an import creates is there already (the step
// ran before); ImportGroup then returns it.
var ErrImported = domain.Errorf(domain.Conflict, "this group was imported already")

// ImportGroup creates the group of an import (#16) with the id the import
// fixed, the actor as its only member and admin: the same checks as
// Create, so whoever may create a group may import one. The archive's
// handle is kept when it is free here, else one is made from the name.
// Repeated (a retried step), it returns the group it created before, if
// the actor created it.
func (s *Service) ImportGroup(ctx context.Context, id string, in CreateInput) (Group, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(id) {
		return Group{}, domain.Errorf(domain.Invalid, "import: invalid group id")
	}
	in.ParentID = ""
	if g, err := s.getGroup(ctx, id); err == nil {
		if g.CreatedBy != a.UserID {
			return Group{}, ErrImported
		}
		return s.Get(ctx, id)
	} else if domain.ErrorCode(err) != domain.NotFound {
		return Group{}, err
	}
	g, err := s.create(ctx, in, id)
	if errors.Is(err, ErrHandleTaken) && in.Handle != "" {
		in.Handle = ""
		g, err = s.create(ctx, in, id)
	}
	if errors.Is(err, ErrImported) {
		return s.Get(ctx, id)
	}
	return g, err
}

// RecordImport adds the import's entry to the new group's record (once:
// the import finishes once).
func (s *Service) RecordImport(ctx context.Context, gid string, details map[string]string) error {
	tx := s.st.Tx()
	if err := s.audit.Record(ctx, tx, gid, audit.GroupImported, audit.Target{Kind: "group", ID: gid}, details); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}
