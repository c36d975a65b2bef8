package discussion

import (
	"context"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Mentions: the syntax is the renderer's (render.MentionKeys, one rule for
// who is notified and what the page links); who a key names is decided
// here, by mentionDir.

// mentionDir is who the mention keys of a thread name: a key names the
// people whose name without spaces matches it (render.MentionKey), or, when
// none does, the one person whose first name matches it (no one if
// several share it).
type mentionDir struct {
	gid   string
	full  map[string][]string
	first map[string][]string
	guest map[string]bool // a guest of the thread, not a member
}

// newMentionDir indexes the people ids of group gid by their names.
func newMentionDir(gid string, ids []string, names map[string]string, guests map[string]bool) *mentionDir {
	d := &mentionDir{gid: gid, full: map[string][]string{}, first: map[string][]string{}, guest: guests}
	for _, id := range ids {
		name := names[id]
		if name == "" {
			continue
		}
		k := render.MentionKey(name)
		d.full[k] = append(d.full[k], id)
		if f := strings.Fields(name); len(f) > 0 {
			fk := render.MentionKey(f[0])
			d.first[fk] = append(d.first[fk], id)
		}
	}
	return d
}

// who lists the people key names.
func (d *mentionDir) who(key string) []string {
	if d == nil {
		return nil
	}
	if m := d.full[key]; len(m) > 0 {
		return m
	}
	if m := d.first[key]; len(m) == 1 {
		return m
	}
	return nil
}

// link is the renderer's resolver: a mention of one member links to their
// row in the group's members tab; a guest's, or one naming several
// people, is highlighted without a link. The link says no more than the
// page it opens lets the reader see (the group page decides).
func (d *mentionDir) link(key string) (string, bool) {
	ids := d.who(key)
	switch {
	case key == GroupMention:
		return "", false
	case len(ids) == 0:
		return "", false
	case len(ids) == 1 && !d.guest[ids[0]]:
		return links.Member(d.gid, ids[0]), true
	}
	return "", true
}

// mentions resolves the @mentions of body against the group's members and
// the thread's guests. Only done when the body has a mention; costs a
// query of the members, one of the guests, and one People lookup per
// person. dir (nil without mentions) renders the links.
func (s *Service) mentions(ctx context.Context, t *threadItem, body string, members *[]memberRow) ([]string, *mentionDir, error) {
	out, dir, err := s.mentionsOf(ctx, t, []string{body}, members)
	if err != nil {
		return nil, nil, err
	}
	return out[0], dir, nil
}

// mentionsOf resolves the mentions of several bodies (the text before and
// after an edit) with one lookup of the people who could be meant; out[i]
// are the people bodies[i] mentions (at most MaxMentions).
func (s *Service) mentionsOf(ctx context.Context, t *threadItem, bodies []string, members *[]memberRow) ([][]string, *mentionDir, error) {
	out := make([][]string, len(bodies))
	keys := make([][]string, len(bodies))
	anyKey := false
	for i, b := range bodies {
		for _, k := range s.r.MentionKeys(b) {
			if k != GroupMention { // the whole group, never a person named Group
				keys[i] = append(keys[i], k)
			}
		}
		anyKey = anyKey || len(keys[i]) > 0
	}
	if !anyKey {
		return out, nil, nil
	}
	ms, err := s.members(ctx, t.GroupID)
	if err != nil {
		return nil, nil, err
	}
	*members = ms
	ids := make([]string, 0, len(ms))
	isMember := map[string]bool{}
	for _, m := range ms {
		ids = append(ids, m.UserID)
		isMember[m.UserID] = true
	}
	var guests []guestItem
	if err := s.st.Table().Get(tabledef.PK, threadPK(t.ID)).Range(tabledef.SK, dynamo.BeginsWith, "GUEST#").All(ctx, &guests); err != nil {
		return nil, nil, store.Classify(err)
	}
	guest := map[string]bool{}
	for _, g := range guests {
		if !isMember[g.UserID] && !guest[g.UserID] {
			guest[g.UserID] = true
			ids = append(ids, g.UserID)
		}
	}
	dir := newMentionDir(t.GroupID, ids, s.names(ctx, ids), guest)
	for i := range keys {
		seen := map[string]bool{}
		for _, key := range keys[i] {
			for _, id := range dir.who(key) {
				if !seen[id] && len(out[i]) < MaxMentions {
					seen[id] = true
					out[i] = append(out[i], id)
				}
			}
		}
	}
	return out, dir, nil
}

// names looks people up by id (one People lookup each); people without a
// name, or not found, are left out.
func (s *Service) names(ctx context.Context, ids []string) map[string]string {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if p, err := s.people.UserByID(ctx, id); err == nil && p.Name != "" {
			out[id] = p.Name
		}
	}
	return out
}
