package notify

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Level is how much a person wants to hear about a group or a thread. A
// thread's level, when set, overrides the group's; without either, Normal.
//
//	mute    nothing at all from this group/thread, not even mentions or replies
//	quiet   only what is addressed to you: @mentions, replies to your comments,
//	        polls you vote in, and threads or polls someone chose to notify you of
//	normal  quiet + what is announced to the whole group: threads and polls whose
//	        author notified the group (the default)
//	loud    normal + every new thread and poll, announced or not, and every new
//	        comment in the group's threads (or in this thread)
type Level string

// Levels.
const (
	Mute   Level = "mute"
	Quiet  Level = "quiet"
	Normal Level = "normal"
	Loud   Level = "loud"
)

// Reach is how a notification found its recipient. With the recipient's
// level it decides whether they hear of it (Level.Hears).
type Reach int

// Reaches.
const (
	// Addressed: the person was chosen: mentioned, replied to, a voter of
	// the poll, or named by someone notifying people of a thread or poll.
	Addressed Reach = iota
	// GroupWide: announced to the whole group (authz.GroupAnnounce).
	GroupWide
	// Following: nobody chose them; they hear of it because they follow
	// everything in the group or thread (loud): unannounced new threads
	// and polls, every comment.
	Following
)

// Poll reports whether k is about a poll. Poll notifications are addressed
// to the person (voter or poll author), so quiet lets them through.
func (k Kind) Poll() bool {
	return k == PollClosingSoon || k == PollReminder || k == PollClosed || k == PollOutcomeReview || k == PollOpened || k == OutcomePublished ||
		k == ProxyVoted
}

// Reach is the usual reach of a kind (what Wants assumes).
func (k Kind) Reach() Reach {
	switch {
	case k == NewThread:
		return GroupWide
	case k == Comment:
		return Following
	}
	return Addressed // mentions, replies, announcements to you, poll notices
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return l == Mute || l == Quiet || l == Normal || l == Loud }

// Hears reports whether a person at level l hears of what reached them by r.
func (l Level) Hears(r Reach) bool {
	switch l {
	case Mute:
		return false
	case Quiet:
		return r == Addressed
	case Loud:
		return true
	}
	return r != Following // normal (and unset)
}

// Wants reports whether a person at level l gets notifications of kind k
// sent with the kind's usual reach (a new thread announced to the group, a
// comment to followers, the rest addressed).
func (l Level) Wants(k Kind) bool { return l.Hears(k.Reach()) }

// levelItem: PK=USER#<uid> SK=NOTIFLEVEL#GROUP#<gid> or
// NOTIFLEVEL#THREAD#<tid>; GSI1PK=LEVELS#GROUP#<gid> or LEVELS#THREAD#<tid>
// GSI1SK=<level>#<uid>, so "who follows this loudly" is one query.
type levelItem struct {
	store.Item
	UserID string `dynamo:"UserID"`
	Scope  string `dynamo:"Scope"` // GROUP#<gid> or THREAD#<tid>
	Level  Level  `dynamo:"Level"`
}

// GroupScope and ThreadScope name what a level applies to.
func GroupScope(gid string) string  { return tabledef.GroupPK(gid) }
func ThreadScope(tid string) string { return tabledef.ThreadPK(tid) }

func levelSK(scope string) string { return tabledef.NotifyLevelSK(scope) }

// LevelKey is the key of uid's level for scope, for a page that shows the
// setting to read it within a BatchGetItem it already makes (the thread
// page: with the thread and the read mark; the group: with the group and
// the membership) instead of one more call. LevelOf reads what came back.
func LevelKey(uid, scope string) dynamo.Keys {
	return dynamo.Keys{tabledef.UserPK(uid), levelSK(scope)}
}

// LevelOf reads item as a level item fetched with LevelKey(uid, scope):
// its level, and false when item is something else.
func LevelOf(item dynamo.Item, scope string) (Level, bool) {
	sk, _ := item[tabledef.SK].(*types.AttributeValueMemberS)
	if sk == nil || sk.Value != levelSK(scope) {
		return "", false
	}
	var it levelItem
	if err := dynamo.UnmarshalItem(item, &it); err != nil || !it.Level.Valid() {
		return "", false
	}
	return it.Level, true
}

// FollowGroup, given to SetLevel for a thread, removes the thread's own
// level: the thread follows the person's level for its group again (and
// its later changes), as a thread never set does (Effective). It is no
// level of its own and is never stored.
const FollowGroup Level = ""

// SetLevel stores uid's level for scope. The caller has checked that uid
// may see the group or thread. Normal removes a group's setting;
// FollowGroup removes a thread's (doing it again changes nothing).
func (s *Service) SetLevel(ctx context.Context, uid, scope string, l Level) error {
	if l == FollowGroup && strings.HasPrefix(scope, ThreadScope("")) {
		return s.st.Delete(ctx, tabledef.UserPK(uid), levelSK(scope))
	}
	if !l.Valid() {
		return domain.Validation(domain.FieldError{Field: "level", Message: "must be mute, quiet, normal or loud"})
	}
	// Normal is every group's default, so a group's "normal" is no item.
	// A thread's "normal" is kept: the thread's own level wins over the
	// group's (Effective), so someone whose group is loud or quiet can
	// still hear one thread at normal.
	if l == Normal && !strings.HasPrefix(scope, ThreadScope("")) {
		return s.st.Delete(ctx, tabledef.UserPK(uid), levelSK(scope))
	}
	it := &levelItem{Item: store.Item{PK: tabledef.UserPK(uid), SK: levelSK(scope), GSI1PK: "LEVELS#" + scope, GSI1SK: string(l) + "#" + uid,
		Type: "notification_level", Version: 1}, UserID: uid, Scope: scope, Level: l}
	return s.st.Tx().Put(it).Run(ctx, "")
}

// Levels returns the group and thread levels of each person in uids ("" when
// unset) with one BatchGetItem per 50 people.
func (s *Service) Levels(ctx context.Context, uids []string, gid, tid string) (map[string][2]Level, error) {
	out := make(map[string][2]Level, len(uids))
	for start := 0; start < len(uids); start += 50 {
		end := min(start+50, len(uids))
		keys := make([]dynamo.Keyed, 0, 2*(end-start))
		for _, uid := range uids[start:end] {
			keys = append(keys, dynamo.Keys{tabledef.UserPK(uid), levelSK(GroupScope(gid))})
			if tid != "" {
				keys = append(keys, dynamo.Keys{tabledef.UserPK(uid), levelSK(ThreadScope(tid))})
			}
		}
		var items []levelItem
		err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).All(ctx, &items)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, store.Classify(err)
		}
		for _, it := range items {
			v := out[it.UserID]
			if it.Scope == GroupScope(gid) {
				v[0] = it.Level
			} else {
				v[1] = it.Level
			}
			out[it.UserID] = v
		}
	}
	return out, nil
}

// Effective combines a group and a thread level.
func Effective(group, thread Level) Level {
	switch {
	case thread != "":
		return thread
	case group != "":
		return group
	}
	return Normal
}

// AtLevel lists the people who set scope to level l (one query per page of
// up to 1 MB; bounded by the number who chose it).
func (s *Service) AtLevel(ctx context.Context, scope string, l Level) ([]string, error) {
	var items []levelItem
	err := s.st.Table().Get(tabledef.GSI1PK, "LEVELS#"+scope).Index(tabledef.GSI1).
		Range(tabledef.GSI1SK, dynamo.BeginsWith, string(l)+"#").All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.UserID)
	}
	return out, nil
}
