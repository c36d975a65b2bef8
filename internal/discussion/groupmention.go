package discussion

import (
	"context"
	"slices"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
)

// GroupMention is the token that mentions the whole group: "@group"
// (any case) in a comment or a new thread's description. It is reserved:
// it never resolves to a person named Group.
const GroupMention = "group"

// groupMentioned reports whether body mentions the whole group, by the
// one mention rule (render.MentionKeys: not in code, not in a link's text).
func (s *Service) groupMentioned(body string) bool {
	for _, k := range s.r.MentionKeys(body) {
		if k == GroupMention {
			return true
		}
	}
	return false
}

// groupMention decides an @group in body: true when the actor may notify
// the whole group (authz.GroupAnnounce, the group's announce permission);
// otherwise the mention stays plain text and notice says why. Only an
// error that is not a refusal is returned as an error.
func (s *Service) groupMention(ctx context.Context, gid, body string) (bool, string, error) {
	if !s.groupMentioned(body) {
		return false, "", nil
	}
	err := s.authorize(ctx, gid, authz.GroupAnnounce, authz.Target{})
	switch {
	case err == nil:
		return true, "", nil
	case domain.Denied(err):
		return false, NoticeGroupMention + ": " + domain.ErrorMessage(err), nil
	}
	return false, "", err
}

// groupMentionAdded decides an @group that an edit adds (after mentions
// the group, before did not) to a text that never told the group (sent:
// its GroupMentioned mark): like groupMention, the editor must be allowed
// to announce. An edit that keeps, removes or re-adds an @group that was
// sent tells nobody, so editing never notifies the group twice.
func (s *Service) groupMentionAdded(ctx context.Context, gid, before, after string, sent bool) (bool, string, error) {
	if sent || s.groupMentioned(before) {
		return false, "", nil
	}
	return s.groupMention(ctx, gid, after)
}

// editFanout is the job of an edit of a comment or a description: the
// people its @mentions name (mention, when mentions; the mention phase),
// then, when everyone (an @group the edit adds), the whole group (the same
// phase as a new comment's @group, groupMentionPhase); never the people in
// skip (the editor, those the text mentioned before). No phase: no job.
func editFanout(n notify.Notification, skip []string, mention notify.Phase, mentions, everyone bool) notify.Fanout {
	skip = slices.Compact(slices.Sorted(slices.Values(skip)))
	j := notify.Fanout{Notification: n, View: true, Skip: skip}
	if mentions {
		j.Phases = append(j.Phases, mention)
	}
	if everyone {
		j.Phases = append(j.Phases, groupMentionPhase())
	}
	return j
}

// NoticeGroupMention starts the notice of an @group that stayed plain text.
const NoticeGroupMention = "@group did not notify the group"

// groupMentionPhase tells the whole group of a comment that mentions it:
// members whose level hears what is announced to the group (normal and
// loud; quiet and muted people are not paged by @group), as a mention.
func groupMentionPhase() notify.Phase {
	return notify.Phase{Kind: notify.Mention, Reach: notify.GroupWide, Members: true}
}
