package tag

import "context"

// ExportTag is one of the group's tag definitions in a group export (the
// threads and polls there carry the tags they have, with these names and
// colours).
type ExportTag struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// ExportEntity names the row's file in the archive.
func (ExportTag) ExportEntity() string { return "tags" }

// ExportGroup returns group gid's tag definitions, sorted by name, for the
// group export (policy: group.content.view, asked as the export's owner).
// One GetItem; a group has at most MaxPerGroup tags.
func (s *Service) ExportGroup(ctx context.Context, gid string) ([]any, error) {
	ts, err := s.List(ctx, gid)
	if err != nil {
		return nil, err
	}
	rows := make([]any, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, ExportTag(t))
	}
	return rows, nil
}
