package process

import (
	"context"
	"errors"

	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
)

// Editable returns a group template for its edit form (admins only, as
// Update; built-in templates are ErrBuiltIn). Its Version goes back with
// the edit, so that an edit made meanwhile by someone else is a conflict
// (store.ErrVersionConflict) rather than lost.
func (s *Service) Editable(ctx context.Context, gid, id string) (Template, error) {
	if err := s.manage(ctx, gid); err != nil {
		return Template{}, err
	}
	if _, ok := builtinByKey(id); ok {
		return Template{}, ErrBuiltIn
	}
	if !ids.Valid(id) {
		return Template{}, ErrNotFound
	}
	var it templateItem
	if err := s.st.Get(ctx, partition(gid), skTplPfx+id, &it); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Template{}, ErrNotFound
		}
		return Template{}, err
	}
	return it.template()
}
