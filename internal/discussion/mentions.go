package discussion

import (
	"context"
	"errors"
	"html/template"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/notify"
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

// newMentionDir indexes the people ids of group gid by their names (the
// keys a name answers to: notify.MentionNameKeys).
func newMentionDir(gid string, ids []string, names map[string]string, guests map[string]bool) *mentionDir {
	d := &mentionDir{gid: gid, full: map[string][]string{}, first: map[string][]string{}, guest: guests}
	for _, id := range ids {
		full, first := notify.MentionNameKeys(names[id])
		if full == "" {
			continue
		}
		d.full[full] = append(d.full[full], id)
		if first != "" {
			d.first[first] = append(d.first[first], id)
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

// Who an @name names is decided off the request path (issue 14: it reads
// every member's name): a comment or description is written with its
// mentions as plain text, and its fan-out job carries a phase with the
// mention keys (mentionPhase). The job pages through the members, tells
// those named, and hands the resolution back (MentionsResolved), which
// records Mentions on the comment and stores its HTML with the links. The
// request's cost is one query of the thread's guests (at most MaxGuests),
// only when the text has an @name, whatever the size of the group.

// mentionKeys lists the @name keys of body, not @group (the whole group,
// never a person named Group), at most render.MaxMentionKeys.
func (s *Service) mentionKeys(body string) []string {
	var keys []string
	for _, k := range s.r.MentionKeys(body) {
		if k != GroupMention {
			keys = append(keys, k)
		}
	}
	return keys
}

// mentionPhase is the fan-out phase that tells the people keys name, as
// a mention (addressed to them: quiet and up), among the group's members
// and the guests of thread tid ("" for a thread being started); version is
// the comment's version the keys come from (0: not a comment; nothing is
// recorded). No phase (false) without keys.
func (s *Service) mentionPhase(ctx context.Context, tid string, keys []string, version int64) (notify.Phase, bool, error) {
	if len(keys) == 0 {
		return notify.Phase{}, false, nil
	}
	var guests []string
	if tid != "" {
		var err error
		if guests, err = s.GuestIDs(ctx, tid); err != nil {
			return notify.Phase{}, false, err
		}
	}
	return notify.Phase{Kind: notify.Mention, Reach: notify.Mention.Reach(), Keys: keys, Extra: guests, Version: version}, true, nil
}

// MentionsResolved records on a comment whom its mentions name, as its
// fan-out job resolved them (notify.Mentions): Mentions, and its HTML
// rendered again with the mentions linked. Only while the comment still
// has the version the job read (a later edit has its own job) and is not
// deleted; otherwise, or with nobody mentioned, nothing. One read and one
// conditional update; repeating it changes nothing.
//
// Without CommentID the mentions are the thread's description's
// (descriptionMentionsResolved).
func (s *Service) MentionsResolved(ctx context.Context, ref notify.MentionRef) error {
	if len(ref.People) == 0 || ref.ThreadID == "" {
		return nil
	}
	if ref.CommentID == "" {
		return s.descriptionMentionsResolved(ctx, ref)
	}
	c, err := s.getComment(ctx, ref.ThreadID, ref.CommentID)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil
		}
		return err
	}
	if c.Version != ref.Version || c.Deleted || c.Erased {
		return nil
	}
	guest := map[string]bool{}
	for _, id := range ref.Guests {
		guest[id] = true
	}
	dir := &mentionDir{gid: ref.GroupID, full: ref.ByKey, first: map[string][]string{}, guest: guest}
	html, rv := s.render(c.Body, dir)
	err = s.st.Update(c.PK, c.SK).SetSet("Mentions", ref.People).Set("HTML", html).Set("RenderV", rv).
		If("$ = ? AND (attribute_not_exists($) OR $ = ?) AND attribute_not_exists($)",
			tabledef.Version, ref.Version, "Deleted", "Deleted", false, "Erased").Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil
	}
	return store.Classify(err)
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

// descriptionMentionsResolved records on thread ref.ThreadID whom its
// description mentions (Mentions) and the description rendered with them
// linked (DescHTML), while the description is the version the job read
// (DescV) and the thread is not deleted. One read and one conditional
// update; repeating it changes nothing.
func (s *Service) descriptionMentionsResolved(ctx context.Context, ref notify.MentionRef) error {
	t, err := s.getThread(ctx, ref.ThreadID)
	if err != nil {
		if errors.Is(err, ErrNoThread) {
			return nil
		}
		return err
	}
	if t.DescV != ref.Version {
		return nil
	}
	guest := map[string]bool{}
	for _, id := range ref.Guests {
		guest[id] = true
	}
	dir := &mentionDir{gid: ref.GroupID, full: ref.ByKey, first: map[string][]string{}, guest: guest}
	html, rv := s.render(t.Description, dir)
	err = s.st.Update(t.PK, t.SK).SetSet("Mentions", ref.People).Set("DescHTML", html).Set("DescRenderV", rv).
		If("DescV = ? AND $ = ?", ref.Version, "Deleted", false).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil
	}
	return store.Classify(err)
}

// descriptionHTML is thread t's description as the page shows it: the
// HTML its fan-out job stored with the mentions linked, when the current
// renderer wrote it; otherwise rendered now, its mentions linked by dir
// (nil: plain text, until the job has run).
func (s *Service) descriptionHTML(t *threadItem, dir *mentionDir) template.HTML {
	if render.Current(t.DescRenderV, t.DescHTML) {
		return template.HTML(t.DescHTML) // #nosec G203 -- rendered and sanitised by render.MarkdownMentions when stored
	}
	if dir == nil {
		return s.r.Markdown(t.Description)
	}
	return s.r.MarkdownMentions(t.Description, dir.link)
}
