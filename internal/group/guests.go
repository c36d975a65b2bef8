package group

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The group core owns the guest grants (pattern 30): the policy's fact
// "guest of" a thread of a group. Other cores never build their keys or
// read their rows by hand. The discussion core decides when a grant is
// given, moved or withdrawn (adding a guest, accepting an invitation,
// moving a thread) and writes it inside its own writes with NewThreadGuest,
// GuestKey and RefileThreadGuest; the decision core checks one inside a
// vote's transaction with RequireGuest. Reads are this Service's methods.

// guestPrefix begins a guest grant's SK and its GSI1SK.
const guestPrefix = "GUEST#"

func guestSK(uid string) string { return guestPrefix + uid }

// guestGrantSK is a grant's GSI1 sort key: GUEST#<gid>#<kind>#<id> under
// GSI1PK=USER#<uid>, so a person's grants in one group are one query.
func guestGrantSK(gid, kind, id string) string { return guestPrefix + gid + "#" + kind + "#" + id }

// guestItem: PK=THREAD#<tid> SK=GUEST#<uid>; GSI1PK=USER#<uid>
// GSI1SK=GUEST#<gid>#thread#<tid>.
type guestItem struct {
	store.Item
	GroupID   string    `dynamo:"GroupID"`
	UserID    string    `dynamo:"UserID"`
	Kind      string    `dynamo:"Kind"` // thread (poll grants are not written yet)
	TargetID  string    `dynamo:"TargetID"`
	AddedBy   string    `dynamo:"AddedBy"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
}

// ThreadGuest is a guest grant to a thread as other cores see it.
type ThreadGuest struct {
	UserID  string
	GroupID string
	AddedBy string
	AddedAt time.Time
}

// GuestKey is the primary key of uid's guest grant to thread tid.
func GuestKey(tid, uid string) Key { return Key{tabledef.ThreadPK(tid), guestSK(uid)} }

// RequireGuest adds to tx the condition that uid is a guest of thread tid;
// the transaction fails with onFail when not.
func RequireGuest(tx *store.Tx, tid, uid string, onFail error) {
	tx.Check(tabledef.ThreadPK(tid), guestSK(uid), "attribute_exists($)", onFail, tabledef.PK)
}

// NewThreadGuest is the item that makes uid a guest of thread tid of group
// gid, added by by at at: the caller puts or creates it in its own write.
func NewThreadGuest(gid, tid, uid, by string, at time.Time) store.Entity {
	return &guestItem{Item: store.Item{PK: tabledef.ThreadPK(tid), SK: guestSK(uid), GSI1PK: tabledef.UserPK(uid),
		GSI1SK: guestGrantSK(gid, "thread", tid), Type: "guest", Version: 1},
		GroupID: gid, UserID: uid, Kind: "thread", TargetID: tid, AddedBy: by, CreatedAt: at}
}

// RefileThreadGuest adds to tx the move of uid's grant to thread tid from
// group from to group to (a thread moved); it does nothing to a grant that
// is no longer filed under from.
func RefileThreadGuest(st store.Updater, tx *store.Tx, tid, uid, from, to string) {
	k := GuestKey(tid, uid)
	tx.Update(st.Update(k.PK, k.SK).Set("GroupID", to).Set(tabledef.GSI1SK, guestGrantSK(to, "thread", tid)).
		If("$ = ?", "GroupID", from), nil)
}

// ThreadGuests lists up to limit guests of thread tid (system read, one
// consistent query; the caller has authorized).
func (s *Service) ThreadGuests(ctx context.Context, tid string, limit int) ([]ThreadGuest, error) {
	if !ids.Valid(tid) {
		return nil, nil
	}
	var rows []guestItem
	err := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, guestPrefix).
		Consistent(true).Limit(limit).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]ThreadGuest, 0, len(rows))
	for _, r := range rows {
		out = append(out, ThreadGuest{UserID: r.UserID, GroupID: r.GroupID, AddedBy: r.AddedBy, AddedAt: r.CreatedAt})
	}
	return out, nil
}

// ThreadGuestIDs lists the user ids of up to limit guests of thread tid
// (system read: one consistent query of the ids alone).
func (s *Service) ThreadGuestIDs(ctx context.Context, tid string, limit int) ([]string, error) {
	if !ids.Valid(tid) {
		return nil, nil
	}
	var rows []struct {
		UserID string `dynamo:"UserID"`
	}
	err := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, guestPrefix).
		Project("UserID").Consistent(true).Limit(limit).All(ctx, &rows)
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

// ThreadGuestPage is one page of thread tid's guests after cursor (a
// thread's move re-files them a page at a time).
func (s *Service) ThreadGuestPage(ctx context.Context, tid, cursor string, limit int) (store.Page[ThreadGuest], error) {
	q := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, guestPrefix)
	page, err := store.QueryPage[guestItem](ctx, s.st, q, "move-guests:"+tid, cursor, limit)
	if err != nil {
		return store.Page[ThreadGuest]{}, err
	}
	out := store.Page[ThreadGuest]{Items: make([]ThreadGuest, 0, len(page.Items)), Next: page.Next}
	for _, r := range page.Items {
		out.Items = append(out.Items, ThreadGuest{UserID: r.UserID, GroupID: r.GroupID, AddedBy: r.AddedBy, AddedAt: r.CreatedAt})
	}
	return out, nil
}

// guestGrantsOf lists up to limit of uid's guest grants in every group
// (system read, one query of GSI1 USER#<uid> / GUEST#): GuestGrantsOf's
// query.
func (s *Service) guestGrantsOf(ctx context.Context, uid string, limit int) ([]GuestOf, error) {
	if !ids.Valid(uid) {
		return nil, nil
	}
	var rows []guestItem
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, guestPrefix).Limit(limit).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]GuestOf, 0, len(rows))
	for _, r := range rows {
		if ids.Valid(r.GroupID) && ids.Valid(r.TargetID) && (r.Kind == "thread" || r.Kind == "poll") {
			out = append(out, GuestOf{GroupID: r.GroupID, Kind: r.Kind, ID: r.TargetID})
		}
	}
	return out, nil
}

// guestGrants lists the threads and polls of group gid the person is a
// guest of (pattern 30), once per request for the actor.
func (s *Service) guestGrants(ctx context.Context, gid, uid string) ([]authz.GuestGrant, error) {
	// Within a read-only request, once per group and person: every policy
	// question about a guest asks it (the poll page asked it 13 times).
	read := func() ([]authz.GuestGrant, error) {
		return store.Memo(ctx, "group.guests/"+gid+"/"+uid, func() ([]authz.GuestGrant, error) { return s.guestGrantsUncached(ctx, gid, uid) })
	}
	if c := cacheFrom(ctx, authz.ActorFrom(ctx)); c != nil && uid == c.actorID {
		return cached(c, c.grants, gid, read)
	}
	return read()
}

func (s *Service) guestGrantsUncached(ctx context.Context, gid, uid string) ([]authz.GuestGrant, error) {
	var items []guestItem
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, guestPrefix+gid+"#").All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]authz.GuestGrant, 0, len(items))
	for _, it := range items {
		out = append(out, authz.GuestGrant{Kind: it.Kind, ID: it.TargetID})
	}
	return out, nil
}

// eraseGuestBatch bounds the guest grants one EraseGuestGrants call deletes.
const eraseGuestBatch = 25

// EraseGuestGrants deletes up to one batch of deleted account uid's guest
// grants (GSI1 USER#<uid> / GUEST#) and reports done when none are left.
// Their ballots stay, as a member's do when they delete their account.
func (s *Service) EraseGuestGrants(ctx context.Context, uid string) (bool, error) {
	var page []store.Item
	err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, guestPrefix).Limit(eraseGuestBatch).All(ctx, &page)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return false, store.Classify(err)
	}
	for _, it := range page {
		if err := s.st.Delete(ctx, it.PK, it.SK); err != nil {
			return false, err
		}
	}
	return len(page) == 0, nil
}
