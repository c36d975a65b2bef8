package discussion

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

var errThreadCond = errors.New("thread condition failed")

// appendSpec is one timeline append and what rides in its transaction.
type appendSpec struct {
	item    *timelineItem
	comment bool                    // a comment: the thread must be open; counts as a comment
	thread  func(u *dynamo.Update)  // extra changes and conditions on the thread item
	fail    func(*threadItem) error // explains a failed extra condition from a fresh read
	ops     func(tx *store.Tx)      // other operations of the same transaction
}

// appendItem writes a timeline item and bumps the thread's counters and
// last activity in one transaction. DynamoDB allows one operation per item
// in a transaction, so the caller's changes to the thread ride on the same
// update. A failed condition is explained from a fresh read of the thread;
// a concurrent pin change is retried.
func (s *Service) appendItem(ctx context.Context, t *threadItem, sp appendSpec, now time.Time) error {
	it := sp.item
	if it.ID == "" {
		it.ID = ids.NewSortable(now)
	}
	it.ThreadID, it.At = t.ID, now
	it.PK, it.SK, it.Type = tabledef.ThreadPK(t.ID), itemSK(it.ID), "timeline_item"
	for attempt := 0; ; attempt++ {
		u := s.st.Update(t.PK, t.SK).Add("ItemCount", 1).Set("Activity", now).Set(tabledef.GSI1SK, activityKey(now, t.Pinned, t.ID)).
			If("attribute_exists($) AND $ = ? AND $ = ?", tabledef.PK, "Deleted", false, "Pinned", t.Pinned)
		if sp.comment {
			u.Add("CommentCount", 1).If("$ = ?", "Closed", false)
		}
		if sp.thread != nil {
			sp.thread(u)
		}
		tx := s.st.Tx().Update(u, errThreadCond).Create(it, nil)
		if sp.ops != nil {
			sp.ops(tx)
		}
		err := tx.Run(ctx, "")
		if err != errThreadCond {
			return err
		}
		fresh, gerr := s.getThread(ctx, t.ID)
		switch {
		case gerr != nil:
			return gerr
		case sp.comment && fresh.Closed:
			return ErrClosed
		case fresh.Pinned != t.Pinned && attempt < 3:
			t.Pinned = fresh.Pinned
			continue
		case sp.fail != nil:
			return sp.fail(fresh)
		}
		return ErrChanged
	}
}

// Event is a timeline item appended by another core (polls): "poll.created",
// "poll.vote", "poll.outcome", ... RefID names the poll; Data is a small,
// plain-text payload (at most 10 entries of 500 characters).
type Event struct {
	Kind    string
	ActorID string
	// Anonymous events carry no actor at all. Anonymous polls should append
	// no per-vote items (their time would link a vote to its voter's
	// participation record); append only aggregates and the outcome.
	Anonymous bool
	RefID     string
	Data      map[string]string
}

// AppendEvent adds ev to thread tid's timeline and bumps its activity. It
// is a hook for trusted cores that have already authorized the actor (a
// poll service after its own policy check, or the scheduler closing a
// poll); it does no authorization itself. Closed threads accept events.
// The actor has seen their own event (their read state counts it, as for
// their comments). Cost: 1 GetItem + 1 TransactWriteItems (2 items, 3
// with an actor).
func (s *Service) AppendEvent(ctx context.Context, tid string, ev Event) (string, error) {
	var fe domain.FieldErrors
	if !strings.HasPrefix(ev.Kind, "poll.") || len(ev.Kind) > 40 {
		fe.Add("kind", "must be a poll event")
	}
	if ev.Anonymous && ev.ActorID != "" {
		fe.Add("actor", "an anonymous event carries no actor")
	}
	if ev.RefID != "" && !ids.Valid(ev.RefID) {
		fe.Add("ref", "is not a valid id")
	}
	if len(ev.Data) > 10 {
		fe.Add("data", "has more than 10 entries")
	}
	for k, v := range ev.Data {
		if len(k) > 40 || len(v) > 500 {
			fe.Add("data", "entries are limited to 500 characters")
			break
		}
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return "", err
	}
	it := &timelineItem{Kind: ev.Kind, RefID: ev.RefID, Data: ev.Data}
	if !ev.Anonymous && ev.ActorID != "" {
		it.ActorID, it.ActorName = ev.ActorID, s.actorName(ctx, ev.ActorID)
	}
	sp := appendSpec{item: it}
	if it.ActorID != "" {
		sp.ops = func(tx *store.Tx) { tx.Update(s.seenOwn(it.ActorID, tid), nil) }
	}
	if err := s.appendItem(ctx, t, sp, s.now().UTC()); err != nil {
		return "", err
	}
	return it.ID, nil
}

// Page reads one page of a thread: the thread, the actor's read state, and
// up to limit timeline items (default and maximum useful: 500) in one
// Query of at most 1 MB. For a member of a top-level group that is 4
// DynamoDB calls in all (BatchGetItem thread + read state, the policy's
// group and membership gets, the timeline Query), however long the thread.
// The cursor continues after the last item returned.
func (s *Service) Page(ctx context.Context, tid, cursor string, limit int) (ThreadPage, error) {
	a := authz.ActorFrom(ctx)
	if !ids.Valid(tid) {
		return ThreadPage{}, ErrNoThread
	}
	after := ""
	if cursor != "" {
		var err error
		if after, err = s.openCursor(tid, cursor); err != nil {
			return ThreadPage{}, err
		}
	}
	if limit <= 0 || limit > MaxTimelinePage {
		limit = TimelinePageSize
	}
	t, r, err := s.threadAndRead(ctx, a, tid)
	if err != nil {
		return ThreadPage{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return ThreadPage{}, err
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid))
	if after != "" {
		// The upper bound is the largest code point, not a byte: DynamoDB's
		// strings are valid UTF-8 ("\xff" passed DynamoDB Local, but the
		// in-memory store refuses it, as DynamoDB's rules do).
		q.Range(tabledef.SK, dynamo.Between, itemSK(after)+"\x00", itemPrefix+"\U0010FFFF")
	} else {
		q.Range(tabledef.SK, dynamo.BeginsWith, itemPrefix)
	}
	var items []timelineItem
	// One more than the page tells whether another page follows.
	lek, err := q.Limit(limit+1).RequestLimit(1).AllWithLastEvaluatedKey(ctx, &items)
	if err != nil {
		return ThreadPage{}, store.Classify(err)
	}
	more := len(lek) > 0
	if len(items) > limit {
		items, more = items[:limit], true
	}
	p := ThreadPage{Thread: s.threadView(t, t.ItemCount-r.Seen), Items: make([]Item, 0, len(items)), LastSeen: r.LastSeen,
		Earlier: after != "", Level: r.Level}
	dir, err := s.staleMentions(ctx, t, items)
	if err != nil {
		return ThreadPage{}, err
	}
	if dir != nil {
		p.Thread.HTML = s.descriptionHTML(t, dir)
	}
	for i := range items {
		it := &items[i]
		if it.Removed {
			continue
		}
		v := s.itemView(it, a.UserID, r.LastSeen, dir)
		if v.New && p.FirstUnread == "" {
			p.FirstUnread = v.ID
		}
		p.Items = append(p.Items, v)
	}
	if more && len(items) > 0 {
		p.Next = s.cursor(tid, items[len(items)-1].ID)
	}
	p.Thread.Reactions = reactionsView(&t.reactionSets, a.UserID)
	v := []Thread{p.Thread}
	if err := s.showTags(ctx, []threadItem{*t}, v); err != nil {
		return ThreadPage{}, err
	}
	p.Thread = v[0]
	return p, nil
}

// PageAtContext is how many timeline items PageAt shows before the item
// it was asked for, when that item is beyond the first page.
const PageAtContext = 3

// PageAt is the page of thread tid that holds timeline item iid (a link
// to a comment from search or a notification): the first page when the
// item is on it; else the page that starts PageAtContext items before the
// item, whose Next continues as any page's. An unknown or removed item
// gives the first page. It costs the first page's calls, plus one Query of
// a few keys and the later page's calls when the item is further down.
func (s *Service) PageAt(ctx context.Context, tid, iid string, limit int) (ThreadPage, error) {
	p, err := s.Page(ctx, tid, "", limit)
	if err != nil || p.Next == "" || !validItemID(iid) {
		return p, err
	}
	last, err := s.openCursor(tid, p.Next)
	if err != nil || iid <= last {
		return p, err
	}
	var before []struct {
		SK string `dynamo:"SK"`
	}
	err = s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.Between, itemPrefix, itemSK(iid)).
		Order(dynamo.Descending).Project(tabledef.SK).Limit(PageAtContext+2).All(ctx, &before)
	if err != nil {
		return ThreadPage{}, store.Classify(err)
	}
	if len(before) == 0 || before[0].SK != itemSK(iid) {
		return p, nil // no such item
	}
	if len(before) < PageAtContext+2 {
		return p, nil // the first page holds it (cannot happen: the item is past its end)
	}
	after := strings.TrimPrefix(before[PageAtContext+1].SK, itemPrefix)
	return s.Page(ctx, tid, s.cursor(tid, after), limit)
}

// validItemID reports whether id has the form of a timeline item id (24
// lowercase hex digits: pattern 25).
func validItemID(id string) bool {
	if len(id) != 24 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// threadAndRead reads the thread, the actor's read item and their
// notification level for the thread in one BatchGetItem.
func (s *Service) threadAndRead(ctx context.Context, a authz.Actor, tid string) (*threadItem, readItem, error) {
	var r readItem
	if !a.Authenticated() {
		t, err := s.getThread(ctx, tid)
		return t, r, err
	}
	// The reader's notification level for the thread comes in the same
	// batch (the page's "Notifications from this thread" menu).
	var raw []dynamo.Item
	err := s.st.Table().Batch(tabledef.PK, tabledef.SK).
		Get(dynamo.Keys{tabledef.ThreadPK(tid), threadSK}, dynamo.Keys{tabledef.UserPK(a.UserID), readSK(tid)},
			notify.LevelKey(a.UserID, notify.ThreadScope(tid))).Consistent(true).All(ctx, &raw)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, r, store.Classify(err)
	}
	var t *threadItem
	for _, it := range raw {
		if l, ok := notify.LevelOf(it, notify.ThreadScope(tid)); ok {
			r.Level = l
			continue
		}
		sk, _ := it[tabledef.SK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == threadSK:
			t = new(threadItem)
			if err := dynamo.UnmarshalItem(it, t); err != nil {
				return nil, r, domain.Wrap(domain.Internal, err, "stored item is unreadable")
			}
		case sk.Value == readSK(tid):
			var got struct {
				store.Item
				LastSeen string `dynamo:"LastSeen"`
				Seen     int64  `dynamo:"Seen"`
			}
			if err := dynamo.UnmarshalItem(it, &got); err != nil {
				return nil, r, domain.Wrap(domain.Internal, err, "stored item is unreadable")
			}
			r.Item, r.ThreadID, r.LastSeen, r.Seen = got.Item, tid, got.LastSeen, got.Seen
		}
	}
	if t == nil || t.Deleted || t.Forking {
		return nil, r, ErrNoThread
	}
	return t, r, nil
}

// itemView is what a reader (uid) sees of it: new when it came after
// lastSeen (the reader's position), unless it is the reader's own. dir
// resolves the mentions of a comment rendered by an older renderer.
func (s *Service) itemView(it *timelineItem, uid, lastSeen string, dir *mentionDir) Item {
	v := Item{ID: it.ID, Kind: it.Kind, ActorID: it.ActorID, ActorName: it.ActorName, At: it.At,
		New:      uid != "" && it.ID > lastSeen && it.ActorID != uid,
		ParentID: it.ParentID, Depth: it.Depth, Deleted: it.Deleted, Removed: it.Erased, Replies: it.ReplyCount, Files: it.Files,
		Version: it.Version, RefID: it.RefID, Data: it.Data, ForkedTo: it.ForkedTo}
	if it.Kind == KindComment && !it.Deleted {
		v.Body, v.HTML = it.Body, s.commentHTML(it, dir)
		if !it.EditedAt.IsZero() {
			e := it.EditedAt
			v.EditedAt = &e
		}
		if rs := reactionsView(&it.reactionSets, uid); len(rs) > 0 {
			v.Reactions = rs
		}
	}
	if it.Deleted {
		v.ActorID, v.ActorName, v.Files = "", "", nil
	}
	return v
}

func (s *Service) cursorMAC(tid, after string) string {
	m := hmac.New(sha256.New, s.cursorKey)
	m.Write([]byte(tid + "\x00" + after))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Service) cursor(tid, after string) string { return after + "." + s.cursorMAC(tid, after) }

func (s *Service) openCursor(tid, c string) (string, error) {
	after, mac, ok := strings.Cut(c, ".")
	if !ok || len(after) != 24 || !hmac.Equal([]byte(mac), []byte(s.cursorMAC(tid, after))) {
		return "", store.ErrBadCursor
	}
	return after, nil
}

// seenOwn counts an item the reader uid added to thread tid as seen: their
// own comments and events are never unread for them.
func (s *Service) seenOwn(uid, tid string) *dynamo.Update {
	return s.st.Update(tabledef.UserPK(uid), readSK(tid)).Add("Seen", 1).Set("ThreadID", tid).
		SetIfNotExists("Type", "read_state").SetIfNotExists(tabledef.Version, 1)
}

// ReadState is what the actor has seen of a thread.
type ReadState struct {
	LastSeen string `json:"last_seen"`
	Unread   int64  `json:"unread"`
}

// MarkRead records that the actor has seen the whole thread as it is now
// (1 g thread + policy + 1 q for the newest item + 1 conditional put). The
// read position only moves forward.
func (s *Service) MarkRead(ctx context.Context, tid string) (ReadState, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return ReadState{}, err
	}
	t, err := s.getThread(ctx, tid)
	if err != nil {
		return ReadState{}, err
	}
	if err := s.authorize(ctx, t.GroupID, authz.ThreadView, threadTarget(t, a.UserID)); err != nil {
		return ReadState{}, err
	}
	var last []keyOnly
	err = s.st.Table().Get(tabledef.PK, tabledef.ThreadPK(tid)).Range(tabledef.SK, dynamo.BeginsWith, itemPrefix).
		Order(dynamo.Descending).Project(tabledef.PK, tabledef.SK).Limit(1).RequestLimit(1).All(ctx, &last)
	if err != nil {
		return ReadState{}, store.Classify(err)
	}
	lastSeen := ""
	if len(last) > 0 {
		lastSeen = strings.TrimPrefix(last[0].SK, itemPrefix)
	}
	err = s.st.Update(tabledef.UserPK(a.UserID), readSK(tid)).Set("ThreadID", tid).Set("LastSeen", lastSeen).Set("Seen", t.ItemCount).
		Set("At", s.now().UTC()).Set("Type", "read_state").SetIfNotExists(tabledef.Version, 1).
		If("attribute_not_exists($) OR $ <= ?", "Seen", "Seen", t.ItemCount).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return ReadState{}, store.Classify(err)
	}
	return ReadState{LastSeen: lastSeen}, nil
}

// render renders a comment's Markdown for storing beside its source, with
// the renderer's version; the mentions dir resolves are links to the
// people.
func (s *Service) render(body string, dir *mentionDir) (string, int) {
	return string(s.r.MarkdownMentions(body, dir.link)), render.Version
}

// commentHTML is the comment's stored HTML when the current renderer wrote
// it, and otherwise (written before render-at-write, or by an older
// renderer) its source rendered now, its mentions resolved by dir.
func (s *Service) commentHTML(it *timelineItem, dir *mentionDir) template.HTML {
	if fresh(it) {
		return template.HTML(it.HTML) // #nosec G203 -- rendered and sanitised by render.Markdown when written
	}
	return s.r.MarkdownMentions(it.Body, dir.link)
}

// fresh reports whether a comment's stored HTML is the current renderer's.
func fresh(it *timelineItem) bool { return render.Current(it.RenderV, it.HTML) }

// MaxStaleMentions bounds the people looked up to link the mentions of
// the comments of one page that an older renderer wrote.
const MaxStaleMentions = 20

// staleMentions resolves the mentions of the comments among items that an
// older renderer wrote (before mentions were links), from the people they
// were found to mention when written (Mentions): a query of the thread's
// guests and a People lookup per person, at most MaxStaleMentions, and
// only for such pages; nil when there are none. The thread's description
// counts as such a comment. A name changed since can leave a mention
// unlinked.
func (s *Service) staleMentions(ctx context.Context, t *threadItem, items []timelineItem) (*mentionDir, error) {
	var ids []string
	seen := map[string]bool{}
	if !render.Current(t.DescRenderV, t.DescHTML) {
		for _, id := range t.Mentions {
			if !seen[id] && len(ids) < MaxStaleMentions {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for i := range items {
		it := &items[i]
		if it.Kind != KindComment || it.Deleted || it.Removed || fresh(it) {
			continue
		}
		for _, id := range it.Mentions {
			if !seen[id] && len(ids) < MaxStaleMentions {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	guests, err := s.policy.ThreadGuestIDs(ctx, t.ID, MaxGuests)
	if err != nil {
		return nil, err
	}
	guest := map[string]bool{}
	for _, uid := range guests {
		guest[uid] = seen[uid]
	}
	return newMentionDir(t.GroupID, ids, s.names(ctx, ids), guest), nil
}
