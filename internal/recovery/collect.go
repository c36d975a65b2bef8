package recovery

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// Scope is what a restore or a scoped comparison covers: one group (with
// its subgroups unless NoSubgroups) or one thread (with its polls).
type Scope struct {
	GroupID     string
	ThreadID    string
	NoSubgroups bool
}

func (s Scope) String() string {
	switch {
	case s.ThreadID != "":
		return "thread " + s.ThreadID
	case s.NoSubgroups:
		return "group " + s.GroupID + " (without subgroups)"
	default:
		return "group " + s.GroupID + " (with subgroups)"
	}
}

// Validate checks that exactly one of GroupID and ThreadID is set, as an id.
func (s Scope) Validate() error {
	if (s.GroupID == "") == (s.ThreadID == "") {
		return fmt.Errorf("name exactly one group or one thread to restore")
	}
	for _, id := range []string{s.GroupID, s.ThreadID} {
		if strings.ContainsAny(id, "#/ \t\n") || len(id) > 128 {
			return fmt.Errorf("%q is not an id", id)
		}
	}
	return nil
}

// The keys of a group's items (docs/data-model.md, patterns 12-41a and
// 47a). A group's items are those in the partitions of the group, its
// handle, its threads (and their edit histories) and its polls, and its held
// mail, and its templates. Items in people's own partitions (USER#<uid>: read positions,
// notification levels and opt-outs, notifications) are theirs: they are not
// removed with a group or a purged thread, and are not copied back. Nor are
// fan-out jobs (FANOUT#<id>, internal/notify): work in progress, whose
// copy would tell the group again of what it heard already.
// TestCollectFindsEveryItemOfAGroup checks this list against items written
// by the real services.
const (
	groupPrefix   = tabledef.GroupPrefix
	processPrefix = "PROCESS#" // the group's templates (internal/process)
	groupSK       = "GROUP"
	handlePrefix  = "HANDLE#"
	threadPrefix  = tabledef.ThreadPrefix
	threadSK      = "THREAD"
	itemPrefix    = "ITEM#"
	filePrefix    = "FILE#"
	historyPrefix = "HISTORY#"
	pollPrefix    = tabledef.PollPrefix
	heldPrefix    = "HELD#"
	threadsOf     = "THREADS#"   // GSI1: the threads of a group
	pollsOf       = "POLLS#"     // GSI1: the polls of a group
	subgroupsOf   = "SUBGROUPS#" // GSI1: the subgroups of a group
	heldMailOf    = "HELDMAIL#"  // GSI1: pending mail held for a group
	tagsSK        = "TAGS"       // the group's tag definitions (internal/tag)
	tagGonePrefix = "TAGGONE#"   // a deleted tag still being purged
	tagIndexOf    = "TAG#"       // TAG#<gid>#<tag id>: the items with a tag
	purgeQueue    = "PURGE#THREAD"
	// MaxSubgroupDepth bounds the walk down subgroups.
	MaxSubgroupDepth = 8
)

// tagIDs are the ids of the tags of a group's partition: those defined in
// its TAGS item and those deleted whose purge is not finished.
func tagIDs(own []Item) []string {
	var out []string
	for _, it := range own {
		sk := str(it, tabledef.SK)
		switch {
		case sk == tagsSK:
			l, _ := it["Tags"].(*types.AttributeValueMemberL)
			if l == nil {
				continue
			}
			for _, v := range l.Value {
				if m, ok := v.(*types.AttributeValueMemberM); ok {
					if id := str(m.Value, "ID"); id != "" {
						out = append(out, id)
					}
				}
			}
		case strings.HasPrefix(sk, tagGonePrefix):
			out = append(out, strings.TrimPrefix(sk, tagGonePrefix))
		}
	}
	return out
}

// ErrNotInTable: the group or thread to collect is not in the table.
var ErrNotInTable = errors.New("not found")

// collection is the items of a scope in one table, in restore order: a
// group's own item and handle come last, so a group reappears only once its
// content is back.
type collection struct {
	items   []Item
	groups  []string
	threads []string
	polls   []string
	// files are the S3 keys of the scope's attachments (FILE# items).
	files []string
}

type collector struct {
	db    DynamoDB
	table string
	c     collection
	seen  map[Key]bool
	last  []Item // group items and handles, appended at the end
}

// Collect returns the items of scope in table.
func collect(ctx context.Context, db DynamoDB, table string, scope Scope) (collection, error) {
	if err := scope.Validate(); err != nil {
		return collection{}, err
	}
	k := &collector{db: db, table: table, seen: map[Key]bool{}}
	var err error
	if scope.ThreadID != "" {
		err = k.thread(ctx, scope.ThreadID, true)
	} else {
		err = k.group(ctx, scope.GroupID, !scope.NoSubgroups, 0)
	}
	if err != nil {
		return collection{}, err
	}
	k.c.items = append(k.c.items, k.last...)
	sort.Strings(k.c.files)
	return k.c, nil
}

func (k *collector) add(items []Item, last bool) {
	for _, it := range items {
		key := keyOf(it)
		if k.seen[key] {
			continue
		}
		k.seen[key] = true
		if strings.HasPrefix(key.SK, filePrefix) {
			if obj := str(it, "Key"); obj != "" {
				k.c.files = append(k.c.files, obj)
			}
		}
		if last {
			k.last = append(k.last, it)
		} else {
			k.c.items = append(k.c.items, it)
		}
	}
}

func (k *collector) group(ctx context.Context, gid string, subgroups bool, depth int) error {
	own, err := partition(ctx, k.db, k.table, groupPrefix+gid)
	if err != nil {
		return err
	}
	var groupItem Item
	var rest []Item
	for _, it := range own {
		if str(it, tabledef.SK) == groupSK {
			groupItem = it
		} else {
			rest = append(rest, it)
		}
	}
	if groupItem == nil {
		return fmt.Errorf("group %s is not in table %s: %w", gid, k.table, ErrNotInTable)
	}
	k.c.groups = append(k.c.groups, gid)
	templates, err := partition(ctx, k.db, k.table, processPrefix+gid)
	if err != nil {
		return err
	}
	k.add(templates, false)

	threads, err := indexPartition(ctx, k.db, k.table, tabledef.GSI1, tabledef.GSI1PK, threadsOf+gid)
	if err != nil {
		return err
	}
	// Soft-deleted threads left the group's list for the purge queue.
	queued, err := indexPartition(ctx, k.db, k.table, tabledef.GSI2, tabledef.GSI2PK, purgeQueue)
	if err != nil {
		return err
	}
	for _, t := range append(threads, queued...) {
		if str(t, "GroupID") == gid && strings.HasPrefix(str(t, tabledef.PK), threadPrefix) {
			if err := k.thread(ctx, strings.TrimPrefix(str(t, tabledef.PK), threadPrefix), false); err != nil {
				return err
			}
		}
	}
	polls, err := indexPartition(ctx, k.db, k.table, tabledef.GSI1, tabledef.GSI1PK, pollsOf+gid)
	if err != nil {
		return err
	}
	for _, p := range polls {
		if err := k.poll(ctx, strings.TrimPrefix(str(p, tabledef.PK), pollPrefix)); err != nil {
			return err
		}
	}
	// The tag index (internal/tag): one partition per tag of the group,
	// defined or deleted and still being purged.
	for _, tid := range tagIDs(own) {
		items, err := partition(ctx, k.db, k.table, tagIndexOf+gid+"#"+tid)
		if err != nil {
			return err
		}
		k.add(items, false)
	}
	held, err := indexPartition(ctx, k.db, k.table, tabledef.GSI1, tabledef.GSI1PK, heldMailOf+gid)
	if err != nil {
		return err
	}
	for _, h := range held {
		items, err := partition(ctx, k.db, k.table, str(h, tabledef.PK))
		if err != nil {
			return err
		}
		k.add(items, false)
	}
	if subgroups {
		if depth >= MaxSubgroupDepth {
			return fmt.Errorf("group %s: subgroups nested deeper than %d", gid, MaxSubgroupDepth)
		}
		subs, err := indexPartition(ctx, k.db, k.table, tabledef.GSI1, tabledef.GSI1PK, subgroupsOf+gid)
		if err != nil {
			return err
		}
		for _, sg := range subs {
			if err := k.group(ctx, strings.TrimPrefix(str(sg, tabledef.PK), groupPrefix), true, depth+1); err != nil {
				return err
			}
		}
	}
	// Memberships, invitations, requests and mail rules, then the handle and
	// the group itself.
	k.add(rest, false)
	var last []Item
	if h := str(groupItem, "Handle"); h != "" {
		hs, err := getItems(ctx, k.db, k.table, []Key{{handlePrefix + h, "HANDLE"}})
		if err != nil {
			return err
		}
		for _, it := range hs {
			if str(it, "GroupID") == gid {
				last = append(last, it)
			}
		}
	}
	k.add(append(last, groupItem), true)
	return nil
}

// thread adds a thread's partition and edit histories; withPolls adds the
// polls of its group that belong to it (a thread restored on its own).
func (k *collector) thread(ctx context.Context, tid string, withPolls bool) error {
	items, err := partition(ctx, k.db, k.table, threadPrefix+tid)
	if err != nil {
		return err
	}
	var head Item
	for _, it := range items {
		if str(it, tabledef.SK) == threadSK {
			head = it
		}
	}
	if head == nil {
		return fmt.Errorf("thread %s is not in table %s: %w", tid, k.table, ErrNotInTable)
	}
	k.c.threads = append(k.c.threads, tid)
	hist := []string{historyPrefix + threadPrefix + tid}
	for _, it := range items {
		if sk := str(it, tabledef.SK); strings.HasPrefix(sk, itemPrefix) {
			hist = append(hist, historyPrefix+threadPrefix+tid+"#"+sk)
		}
	}
	var body []Item
	for _, it := range items {
		if str(it, tabledef.SK) != threadSK {
			body = append(body, it)
		}
	}
	for _, pk := range hist {
		hs, err := partition(ctx, k.db, k.table, pk)
		if err != nil {
			return err
		}
		body = append(body, hs...)
	}
	if withPolls {
		polls, err := indexPartition(ctx, k.db, k.table, tabledef.GSI1, tabledef.GSI1PK, pollsOf+str(head, "GroupID"))
		if err != nil {
			return err
		}
		for _, p := range polls {
			if str(p, "ThreadID") == tid {
				if err := k.poll(ctx, strings.TrimPrefix(str(p, tabledef.PK), pollPrefix)); err != nil {
					return err
				}
			}
		}
	}
	// The thread item after its timeline, so it reappears complete.
	k.add(append(body, head), false)
	return nil
}

func (k *collector) poll(ctx context.Context, pid string) error {
	items, err := partition(ctx, k.db, k.table, pollPrefix+pid)
	if err != nil {
		return err
	}
	k.c.polls = append(k.c.polls, pid)
	// The poll item after its tally and ballots.
	sort.SliceStable(items, func(i, j int) bool {
		return str(items[j], tabledef.SK) == "POLL" && str(items[i], tabledef.SK) != "POLL"
	})
	k.add(items, false)
	return nil
}
