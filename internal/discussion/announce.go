package discussion

import (
	"context"
	"fmt"
	"slices"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Announcing: whoever starts a thread chooses whom to notify (StartInput.
// Notify), and people may be pointed to a thread later (Announce). The
// policy decides who may notify the whole group (group.announce: admins,
// and members when the group lets members announce) and chosen people
// (people.notify: members); chosen people must be members of the group or
// guests of the thread. Fan-out is bounded like a new thread's: the group's
// members are read once and notified in transactions of up to 50.

// ErrNobodyToNotify: an announcement that names nobody.
var ErrNobodyToNotify = domain.Validation(domain.FieldError{Field: "notify", Message: "choose the whole group or at least one person"})

// audience resolves whom a request notifies about a thread of group gid
// (tid: the thread, "" while it is being started) and checks the chosen
// people: each must be a member of the group or a guest of the thread. It
// returns the group's members when it had to read them.
func (s *Service) audience(ctx context.Context, gid, tid string, asked *notify.Audience) (notify.Audience, []memberRow, error) {
	target := authz.Target{Kind: "thread", ID: tid, ThreadID: tid}
	aud, err := notify.Resolve(asked, func(action authz.Action) error { return s.authorize(ctx, gid, action, target) })
	if err != nil || len(aud.UserIDs) == 0 {
		return aud, nil, err
	}
	members, err := s.members(ctx, gid)
	if err != nil {
		return aud, nil, err
	}
	known := map[string]bool{}
	for _, m := range members {
		known[m.UserID] = true
	}
	if tid != "" {
		ids, err := s.GuestIDs(ctx, tid)
		if err != nil {
			return aud, nil, err
		}
		for _, id := range ids {
			known[id] = true
		}
	}
	for i, id := range aud.UserIDs {
		if !known[id] {
			return aud, nil, domain.Validation(domain.FieldError{Field: fmt.Sprintf("notify.user_ids[%d]", i),
				Message: "is not a member of this group or a guest of this thread"})
		}
	}
	return aud, members, nil
}

// Announce notifies people of a thread they may read (policy: thread.view,
// then group.announce for the whole group and people.notify for chosen
// people, who must be members or guests of the thread). Chosen people hear
// of it as addressed to them (quiet and up), the rest of the group, when
// chosen, at normal and up; never the one announcing.
func (s *Service) Announce(ctx context.Context, tid string, aud notify.Audience) error {
	a := authz.ActorFrom(ctx)
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return err
	}
	if aud.Empty() {
		return ErrNobodyToNotify
	}
	aud, members, err := s.audience(ctx, t.GroupID, t.ID, &aud)
	if err != nil {
		return err
	}
	if members == nil && aud.Group {
		if members, err = s.members(ctx, t.GroupID); err != nil {
			return err
		}
	}
	name := s.actorName(ctx, a.UserID)
	told := map[string]bool{a.UserID: true}
	s.announceTo(ctx, t, a.UserID, name, aud.UserIDs, notify.Addressed, told, members)
	if aud.Group {
		var rest []string
		for _, m := range members {
			if !told[m.UserID] {
				rest = append(rest, m.UserID)
			}
		}
		s.announceTo(ctx, t, a.UserID, name, rest, notify.GroupWide, told, members)
	}
	s.log.InfoContext(ctx, "thread announced", "thread_id", t.ID, "notify_group", aud.Group, "notify_people", len(aud.UserIDs))
	return nil
}

// announceTo delivers announcements of thread t by actor to uids (those not
// told yet, at levels that hear reach) and marks them told. Failures are
// logged: what was announced exists either way.
func (s *Service) announceTo(ctx context.Context, t *threadItem, actorID, actorName string, uids []string, reach notify.Reach,
	told map[string]bool, members []memberRow) {
	uids = slices.DeleteFunc(slices.Clone(uids), func(uid string) bool { return told[uid] })
	if len(uids) == 0 {
		return
	}
	ns, err := s.recipients(ctx, t, uids, reach, func(uid string) notify.Notification {
		return notify.Notification{UserID: uid, Kind: notify.Announcement, ActorID: actorID, ActorName: actorName,
			GroupID: t.GroupID, ThreadID: t.ID, Title: t.Title, Excerpt: s.r.Excerpt(t.Description, 140)}
	}, members)
	if err == nil {
		err = s.notify.Deliver(ctx, ns)
	}
	for _, uid := range uids {
		told[uid] = true
	}
	if err != nil {
		s.log.ErrorContext(ctx, "thread announcement", "thread_id", t.ID, "err", err)
	}
}

// GuestIDs lists the people with a guest grant to thread tid (system read
// for the decision core's voter sets and for checking whom to notify; no
// authorization). Bounded by MaxGuests.
func (s *Service) GuestIDs(ctx context.Context, tid string) ([]string, error) {
	if !ids.Valid(tid) {
		return nil, nil
	}
	var rows []struct {
		UserID string `dynamo:"UserID"`
	}
	err := s.st.Table().Get(tabledef.PK, threadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, "GUEST#").
		Project("UserID").Consistent(true).Limit(MaxGuests).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.UserID != "" {
			out = append(out, r.UserID)
		}
	}
	return out, nil
}
