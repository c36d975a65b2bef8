package cores

import (
	"context"
	"encoding/json"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tag"
)

// importer writes the units of a group import (#16) through the cores
// that own them: the group core creates the group, the tag core its tags,
// the discussion core each thread, the decision core each poll; tags are
// put on threads and polls through their cores' own SetThreadTags and
// SetPollTags. Old ids become export.ImportedID of the import; authors and
// voters become placeholders (export.Placeholder) without accounts.
type importer struct{ c *Cores }

func decodeRow(l export.Line, into any) error {
	if err := json.Unmarshal(l.Data, into); err != nil {
		return domain.Validation(domain.FieldError{Field: "archive", Message: "a " + l.Entity + " row cannot be read: " + err.Error()})
	}
	return nil
}

func (im importer) ImportGroup(ctx context.Context, _, gid string, u export.Unit) error {
	if len(u.Rows) == 0 {
		return domain.Validation(domain.FieldError{Field: "archive", Message: "the export has no group"})
	}
	var g group.ExportGroupInfo
	if err := decodeRow(u.Rows[0], &g); err != nil {
		return err
	}
	var perms group.FlagsPatch
	raw, _ := json.Marshal(g.Permissions)
	_ = json.Unmarshal(raw, &perms)
	if _, err := im.c.Groups.ImportGroup(ctx, gid, group.CreateInput{Name: g.Name, Handle: g.Handle, Description: g.Description,
		Privacy: string(g.Privacy), Permissions: &perms}); err != nil {
		return err
	}
	have, err := im.c.Tags.List(ctx, gid)
	if err != nil {
		return err
	}
	named := map[string]bool{}
	for _, t := range have {
		named[t.Name] = true
	}
	for _, l := range u.Rows[1:] {
		var t tag.ExportTag
		if err := decodeRow(l, &t); err != nil {
			return err
		}
		if named[t.Name] {
			continue
		}
		if _, err := im.c.Tags.Create(ctx, gid, tag.Input{Name: &t.Name, Colour: &t.Colour}); err != nil {
			return err
		}
		named[t.Name] = true
	}
	return nil
}

// tagIDs maps tags by name to the group's tags here.
func (im importer) tagIDs(ctx context.Context, gid string, want []tag.Tag) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	have, err := im.c.Tags.List(ctx, gid)
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	for _, t := range have {
		byName[t.Name] = t.ID
	}
	var out []string
	for _, t := range want {
		if id := byName[t.Name]; id != "" {
			out = append(out, id)
		}
	}
	return out, nil
}

func (im importer) ImportUnit(ctx context.Context, importID, gid string, u export.Unit, from int) (int, error) {
	if len(u.Rows) == 0 {
		return -1, nil
	}
	newID := func(old string) string {
		if old == "" {
			return ""
		}
		return export.ImportedID(importID, old)
	}
	switch u.Kind {
	case export.UnitThread:
		in := discussion.ImportThreadInput{GroupID: gid, Ref: newID}
		if err := decodeRow(u.Rows[0], &in.Thread); err != nil {
			return 0, err
		}
		in.ID = newID(in.Thread.ID)
		in.Thread.AuthorID, in.Thread.AuthorName = "", export.Placeholder(in.Thread.AuthorName)
		for _, l := range u.Rows[1:] {
			var it discussion.ExportGroupItem
			if err := decodeRow(l, &it); err != nil {
				return 0, err
			}
			if it.ActorID != "" || it.ActorName != "" {
				it.ActorID, it.ActorName = "", export.Placeholder(it.ActorName)
			}
			in.Items = append(in.Items, it)
		}
		next, err := im.c.Discussions.ImportThread(ctx, in, from)
		if err != nil || next >= 0 {
			return next, err
		}
		tags, err := im.tagIDs(ctx, gid, in.Thread.Tags)
		if err != nil || len(tags) == 0 {
			return -1, err
		}
		_, err = im.c.Discussions.SetThreadTags(ctx, in.ID, tags)
		return -1, err
	case export.UnitPoll:
		var in decision.ImportPollInput
		if err := decodeRow(u.Rows[0], &in.Poll); err != nil {
			return 0, err
		}
		in.ID, in.GroupID, in.ThreadID = newID(in.Poll.ID), gid, newID(in.Poll.ThreadID)
		for _, l := range u.Rows[1:] {
			switch l.Entity {
			case "results":
				in.Results = &decision.ExportGroupResults{}
				if err := decodeRow(l, in.Results); err != nil {
					return 0, err
				}
			case "outcomes":
				in.Outcome = &decision.ExportGroupOutcome{}
				if err := decodeRow(l, in.Outcome); err != nil {
					return 0, err
				}
			case "ballots":
				var b decision.ExportGroupBallot
				if err := decodeRow(l, &b); err != nil {
					return 0, err
				}
				if b.UserID != "" {
					b.UserID = "imported-" + newID("user#"+b.UserID)
				}
				b.CastBy, b.History = "", nil
				in.Ballots = append(in.Ballots, b)
			}
		}
		next, err := im.c.Decisions.ImportPoll(ctx, in, from)
		if err != nil || next >= 0 {
			return next, err
		}
		tags, err := im.tagIDs(ctx, gid, in.Poll.Tags)
		if err != nil || len(tags) == 0 {
			return -1, err
		}
		_, err = im.c.Decisions.SetPollTags(ctx, in.ID, tags)
		return -1, err
	}
	return -1, nil
}

func (im importer) FinishImport(ctx context.Context, gid string, details map[string]string) error {
	return im.c.Groups.RecordImport(ctx, gid, details)
}

// importPresigner presigns the archive's upload with the uploads' limits.
type importPresigner struct{ u *blob.Uploads }

func (p importPresigner) PresignPut(ctx context.Context, key, contentType string, size int64) (export.PresignedPut, error) {
	r, err := p.u.PresignPut(ctx, key, contentType, size)
	if err != nil {
		return export.PresignedPut{}, err
	}
	return export.PresignedPut{URL: r.URL, Method: r.Method, Headers: r.Headers, Expires: r.Expires}, nil
}
