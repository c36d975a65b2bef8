package decision

import (
	"context"
	"fmt"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
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
	f := NoticeFanout{Notice: s.notice(NoticeAnnounced, l.p, l.def, nil), Skip: []string{actor}}
	f.ActorID = actor
	if len(aud.UserIDs) > 0 {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticeAnnounced, Reach: ReachAddressed, UserIDs: aud.UserIDs})
	}
	if aud.Group {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticeAnnounced, Reach: ReachGroup, Members: true})
	}
	// One job item: the people are told off the request path.
	tx := s.st.Tx()
	if err := s.fanout.AddFanout(ctx, tx, f); err != nil {
		return err
	}
	if tx.Len() > 0 {
		if err := tx.Run(ctx, ""); err != nil {
			return err
		}
	}
	s.log.InfoContext(ctx, "poll announced", "poll_id", pid, "notify_group", aud.Group, "notify_people", len(aud.UserIDs))
	return nil
}

// addOpenedFanout adds to tx, the transaction that opens poll p (created
// open or a draft published) by actor with audience aud, the job that
// tells of it off the request path, never actor; each person hears of it
// once, by the first of:
//
//   - the people its details @mention hear it as a mention (mentionPhase);
//   - the voters who were chosen (chosen voters, invited thread guests, and
//     voters the actor named) hear it as addressed to them;
//   - the other voters (the group's members) as announced to the group when
//     aud.Group, otherwise only if they follow everything (loud);
//   - people the actor named who are not voters, and with aud.Group the
//     members who are not voters, get an announcement.
//
// The chosen voters are read here unless given (voters: the specified
// voters of a poll being created; nil: read them): the poll's specified
// voters or the thread's guests. The group's members are paged by the job.
func (s *Service) addOpenedFanout(ctx context.Context, tx *store.Tx, p *pollItem, d poll.Definition, actor string, aud notify.Audience, voters []string) error {
	chosen := voters
	var err error
	switch {
	case d.Settings.SpecifiedVotersOnly && chosen == nil:
		chosen, err = s.voterSet(ctx, p, d)
	case !d.Settings.SpecifiedVotersOnly:
		chosen, err = s.guestVoters(ctx, p, d)
	}
	if err != nil {
		return err
	}
	f := NoticeFanout{Notice: s.notice(NoticePollOpened, p, d, nil), Skip: []string{actor}}
	f.ActorID = actor
	// The people the details mention hear of it first, as a mention.
	mention, ok, err := s.mentionPhase(ctx, p, d.Details)
	if err != nil {
		return err
	}
	if ok {
		f.Phases = append(f.Phases, mention)
	}
	if len(chosen) > 0 {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticePollOpened, Reach: ReachAddressed, UserIDs: chosen})
	}
	reach := ReachFollowers
	if aud.Group {
		reach = ReachGroup
	}
	if !d.Settings.SpecifiedVotersOnly {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticePollOpened, Reach: reach, Members: true, Named: aud.UserIDs})
	}
	// Those left are not voters: they hear of it as an announcement.
	if len(aud.UserIDs) > 0 {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticeAnnounced, Reach: ReachAddressed, UserIDs: aud.UserIDs})
	}
	if aud.Group && d.Settings.SpecifiedVotersOnly {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticeAnnounced, Reach: ReachGroup, Members: true})
	}
	return s.fanout.AddFanout(ctx, tx, f)
}
