package decision

import (
	"context"
	"fmt"
	"slices"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// Announcing a poll: whoever opens it (creating it open, or publishing a
// draft) chooses whom to notify, and people may be pointed to it later
// (Announce). notify.Resolve applies the policy (authz.GroupAnnounce for
// the whole group, authz.PeopleNotify for chosen people); chosen people
// must be members of the group or guests of the poll's thread. Fan-out is
// bounded like a new thread's: one query of the group's members, notices
// delivered in transactions of up to 50 recipients.

// ErrNobodyToNotify: an announcement that names nobody.
var ErrNobodyToNotify = domain.Validation(domain.FieldError{Field: "notify", Message: "choose the whole group or at least one person"})

// errDraftNotify: notify given for a draft, which tells nobody.
var errDraftNotify = domain.Validation(domain.FieldError{Field: "notify",
	Message: "a draft notifies nobody: choose whom to notify when you publish it"})

// audience resolves whom a request notifies about a poll of group gid in
// thread tid and checks that each chosen person may be notified.
func (s *Service) audience(ctx context.Context, gid, tid, pid string, asked *notify.Audience) (notify.Audience, error) {
	target := authz.Target{Kind: "poll", ID: pid, ThreadID: tid}
	aud, err := notify.Resolve(asked, func(action authz.Action) error { return s.groups.Authorize(ctx, gid, action, target) })
	if err != nil || len(aud.UserIDs) == 0 {
		return aud, err
	}
	rel, err := s.relations(ctx, gid, tid, "", aud.UserIDs)
	if err != nil {
		return aud, err
	}
	for i, uid := range aud.UserIDs {
		if r := rel[uid]; !r.Member && !r.ThreadGuest {
			return aud, domain.Validation(domain.FieldError{Field: fmt.Sprintf("notify.user_ids[%d]", i),
				Message: "is not a member of this group or a guest of the poll's thread"})
		}
	}
	return aud, nil
}

// Announce notifies people of a poll that is not a draft (anyone who sees
// it may ask; the policy decides whom they may notify: group.announce for
// the whole group, people.notify for chosen people). The notice carries the
// poll's title and closing time, never a figure. Never the one announcing.
func (s *Service) Announce(ctx context.Context, pid string, aud notify.Audience) error {
	l, err := s.load(ctx, pid)
	if err != nil {
		return err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return err
	}
	if l.p.Status == string(poll.StatusDraft) {
		return ErrDraftAnnounce
	}
	if aud.Empty() {
		return ErrNobodyToNotify
	}
	if aud, err = s.audience(ctx, l.p.GroupID, l.p.ThreadID, pid, &aud); err != nil {
		return err
	}
	actor := l.ac.a.UserID
	told := map[string]bool{actor: true}
	s.send(ctx, NoticeAnnounced, ReachAddressed, l.p, l.def, actor, aud.UserIDs, told)
	if aud.Group {
		members, err := s.members(ctx, l.p.GroupID)
		if err != nil {
			return err
		}
		s.send(ctx, NoticeAnnounced, ReachGroup, l.p, l.def, actor, members, told)
	}
	s.log.InfoContext(ctx, "poll announced", "poll_id", pid, "notify_group", aud.Group, "notify_people", len(aud.UserIDs))
	return nil
}

// noticeOpened tells of a poll that just opened (created open or a draft
// published) by actor with audience aud, never actor:
//
//   - the voters who were chosen (chosen voters, invited thread guests, and
//     voters the actor named) hear it as addressed to them;
//   - the other voters (the group's members) as announced to the group when
//     aud.Group, otherwise only if they follow everything (loud);
//   - people the actor named who are not voters, and with aud.Group the
//     members who are not voters, get an announcement.
//
// The poll is written already: failures are logged, not returned.
func (s *Service) noticeOpened(ctx context.Context, p *pollItem, d poll.Definition, actor string, aud notify.Audience) {
	// chosen: voters chosen as persons (specified voters, invited thread
	// guests); members: the group's members (voters unless specified).
	var chosen, members []string
	var err error
	if d.Settings.SpecifiedVotersOnly {
		chosen, err = s.voterSet(ctx, p, d)
	} else {
		chosen, err = s.guestVoters(ctx, p, d)
	}
	if err == nil && (!d.Settings.SpecifiedVotersOnly || aud.Group) {
		members, err = s.members(ctx, p.GroupID)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "poll opened notice: voters", "poll_id", p.ID, "err", err)
		return
	}
	named := map[string]bool{}
	for _, uid := range aud.UserIDs {
		named[uid] = true
	}
	addressed := slices.Clone(chosen)
	var rest []string
	if !d.Settings.SpecifiedVotersOnly {
		for _, m := range members {
			if named[m] {
				addressed = append(addressed, m)
			} else {
				rest = append(rest, m)
			}
		}
	}
	told := map[string]bool{actor: true}
	s.send(ctx, NoticePollOpened, ReachAddressed, p, d, actor, addressed, told)
	reach := ReachFollowers
	if aud.Group {
		reach = ReachGroup
	}
	s.send(ctx, NoticePollOpened, reach, p, d, actor, rest, told)
	// Those left are not voters: they hear of it as an announcement.
	s.send(ctx, NoticeAnnounced, ReachAddressed, p, d, actor, aud.UserIDs, told)
	if aud.Group {
		s.send(ctx, NoticeAnnounced, ReachGroup, p, d, actor, members, told)
	}
}

// send notifies the people of to who were not told yet, and marks them
// told. A failure is logged: what it tells of is written already.
func (s *Service) send(ctx context.Context, kind NoticeKind, reach NoticeReach, p *pollItem, d poll.Definition, actor string,
	to []string, told map[string]bool) {
	to = slices.DeleteFunc(slices.Clone(to), func(uid string) bool { return uid == "" || told[uid] })
	for _, uid := range to {
		told[uid] = true
	}
	if len(to) == 0 {
		return
	}
	n := s.notice(kind, p, d, to)
	n.Reach, n.ActorID = reach, actor
	if err := s.notifier.Notify(ctx, n); err != nil {
		s.log.ErrorContext(ctx, "poll notice failed", "poll_id", p.ID, "kind", string(kind), "err", err)
	}
}
