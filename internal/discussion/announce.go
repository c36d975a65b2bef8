package discussion

import (
	"context"
	"errors"
	"fmt"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
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
// guests of the thread. Telling them is a fan-out job (notify.Fanouts), off
// the request path, like a new thread's.

// ErrNobodyToNotify: an announcement that names nobody.
var ErrNobodyToNotify = domain.Validation(domain.FieldError{Field: "notify", Message: "choose the whole group or at least one person"})

// audience resolves whom a request notifies about a thread of group gid
// (tid: the thread, "" while it is being started) and checks the chosen
// people: each must be a member of the group or a guest of the thread. The
// check reads only the chosen people (one BatchGetItem of their
// memberships and guest grants, at most notify.MaxAudiencePeople of them),
// never the whole group.
func (s *Service) audience(ctx context.Context, gid, tid string, asked *notify.Audience) (notify.Audience, error) {
	target := authz.Target{Kind: "thread", ID: tid, ThreadID: tid}
	aud, err := notify.Resolve(asked, func(action authz.Action) error { return s.authorize(ctx, gid, action, target) })
	if err != nil || len(aud.UserIDs) == 0 {
		return aud, err
	}
	members, guests, err := s.relationsOf(ctx, gid, tid, aud.UserIDs)
	if err != nil {
		return aud, err
	}
	known := map[string]bool{}
	for _, m := range members {
		known[m.UserID] = true
	}
	for i, id := range aud.UserIDs {
		if !known[id] && !guests[id] {
			return aud, domain.Validation(domain.FieldError{Field: fmt.Sprintf("notify.user_ids[%d]", i),
				Message: "is not a member of this group or a guest of this thread"})
		}
	}
	return aud, nil
}

// relationsOf reads how people uids relate to group gid and thread tid
// ("" for none): their memberships and which of them are guests of the
// thread. One BatchGetItem per 50 people (two keys each), whatever the
// size of the group; invalid ids are neither. The memberships are the
// group core's: their keys and rows come from internal/group and ride in
// this core's batch with the guest grants (one read, not two).
func (s *Service) relationsOf(ctx context.Context, gid, tid string, uids []string) ([]memberRow, map[string]bool, error) {
	var members []memberRow
	guests := map[string]bool{}
	var keys []dynamo.Keyed
	for _, uid := range uids {
		if !ids.Valid(uid) {
			continue
		}
		mk := group.MembershipKey(gid, uid)
		keys = append(keys, dynamo.Keys{mk.PK, mk.SK})
		if tid != "" {
			gk := group.GuestKey(tid, uid)
			keys = append(keys, dynamo.Keys{gk.PK, gk.SK})
		}
	}
	for start := 0; start < len(keys); start += 100 {
		var rows []dynamo.Item
		err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys[start:min(start+100, len(keys))]...).
			Project(tabledef.PK, "UserID", "Role").Consistent(true).All(ctx, &rows)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, nil, store.Classify(err)
		}
		for _, it := range rows {
			var r struct {
				PK     string `dynamo:"PK"`
				UserID string `dynamo:"UserID"`
			}
			if err := dynamo.UnmarshalItem(it, &r); err != nil || r.UserID == "" {
				continue
			}
			if tid != "" && r.PK == tabledef.ThreadPK(tid) {
				guests[r.UserID] = true
				continue
			}
			if m, ok, err := group.DecodeMembership(it); err == nil && ok {
				members = append(members, memberRow{GroupID: gid, UserID: m.UserID, Role: string(m.Role)})
			}
		}
	}
	return members, guests, nil
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
	aud, err = s.audience(ctx, t.GroupID, t.ID, &aud)
	if err != nil {
		return err
	}
	j := notify.Fanout{View: true, Skip: []string{a.UserID},
		Notification: notify.Notification{Kind: notify.Announcement, ActorID: a.UserID, ActorName: s.actorName(ctx, a.UserID),
			GroupID: t.GroupID, ThreadID: t.ID, Title: t.Title, Excerpt: s.r.Excerpt(t.Description, 140)}}
	if len(aud.UserIDs) > 0 {
		j.Phases = append(j.Phases, notify.Phase{Kind: notify.Announcement, Reach: notify.Addressed, UserIDs: aud.UserIDs})
	}
	if aud.Group {
		j.Phases = append(j.Phases, notify.Phase{Kind: notify.Announcement, Reach: notify.GroupWide, Members: true})
	}
	// One job item: the people are told off the request path.
	if err := s.notify.StartFanout(ctx, j); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "thread announced", "thread_id", t.ID, "notify_group", aud.Group, "notify_people", len(aud.UserIDs))
	return nil
}

// GuestIDs lists the people with a guest grant to thread tid (system read
// for the decision core's voter sets and for checking whom to notify; no
// authorization). Bounded by MaxGuests.
func (s *Service) GuestIDs(ctx context.Context, tid string) ([]string, error) {
	return s.policy.ThreadGuestIDs(ctx, tid, MaxGuests)
}
