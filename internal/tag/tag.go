// Package tag owns a group's tags: their definitions (names and colours,
// managed by the group's admins), the rules of the Tags that threads and
// polls carry (tag ids only, so a rename shows everywhere at once; their
// owners write them) and the tag
// index that filters a group's lists without reading the whole group.
//
// Stored items (docs/data-model.md, patterns 56-58):
//
//   - PK=GROUP#<gid> SK=TAGS: the group's definitions, one item of at most
//     MaxPerGroup tags, replaced with optimistic concurrency (Version);
//   - PK=TAG#<gid>#<tag id> SK=T#<created>#<thread id> or P#<created>#<poll
//     id>: one index item per (tag, item), written in the transaction that
//     changes the item's Tags (AddSetOps), so the index never disagrees with
//     the items;
//   - PK=GROUP#<gid> SK=TAGGONE#<tag id> (GSI2PK=TAGPURGE): a deleted tag
//     whose index items and references are still being removed, in bounded
//     batches (PurgeDeleted, run by the scheduler).
//
// The discussion and decision cores own their items' Tags: they decide who
// may tag them (those who may edit them), write Tags and call AddSetOps in
// their own transactions, and take a deleted tag off an item when the purge
// asks (Tagged, registered with Own). This package writes only its own
// items.
package tag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Limits.
const (
	// MaxPerGroup bounds a group's tags (the definitions are one item).
	MaxPerGroup = 50
	// MaxName is the longest tag name, in characters.
	MaxName = 30
	// MaxPerItem bounds the tags on one thread or poll.
	MaxPerItem = 10
	// PurgeBatch is how many index items one purge step removes per tag.
	PurgeBatch = 100
)

// Palette is the fixed set of colours a tag may have. Each name is a CSS
// class (tag-<colour>) with a light and a dark mode pair that keeps at
// least 4.5:1 contrast between the badge's text and its background.
var Palette = []string{"grey", "red", "orange", "amber", "green", "teal", "blue", "indigo", "purple", "pink"}

// Kinds of tagged items.
const (
	Thread = "thread"
	Poll   = "poll"
)

// Tag is one tag of a group.
type Tag struct {
	ID     string `json:"id" dynamo:"ID"`
	Name   string `json:"name" dynamo:"Name"`
	Colour string `json:"colour" dynamo:"Colour"`
}

// Errors with meaning for the user.
var (
	ErrNoTag   = domain.Errorf(domain.NotFound, "there is no such tag in this group")
	ErrTooMany = domain.Validation(domain.FieldError{Field: "name", Message: "a group has at most 50 tags: delete one first"})
	ErrChanged = domain.Errorf(domain.Conflict, "the tags were changed by someone else in the meantime; reload and try again")
	ErrTaken   = domain.Validation(domain.FieldError{Field: "name", Message: "another tag of this group has that name"})
)

// Policy decides group actions (the group service).
type Policy interface {
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
}

// Recorder adds an admin action's entry to a transaction (audit.Service).
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

// Config are the Service's dependencies.
type Config struct {
	Store  storage
	Policy Policy
	Audit  Recorder // nil records nothing
	Now    func() time.Time
	Log    *slog.Logger
}

// Service manages tags.
type Service struct {
	st     storage
	policy Policy
	audit  Recorder
	now    func() time.Time
	log    *slog.Logger

	mu     sync.RWMutex
	owners map[string]Tagged // by kind (Thread, Poll)
}

// Tagged is the owner of one kind of tagged item (the discussion core's
// threads, the decision core's polls), which writes the item's Tags: this
// package asks it to take a deleted tag off an item.
type Tagged interface {
	// DropTag removes tagID from the Tags of item id: one conditional
	// update; an item that is gone is not an error.
	DropTag(ctx context.Context, id, tagID string) error
}

// Own makes o the owner of kind's items (Thread or Poll). The owning cores
// call it on the tag service they are given (discussion.New, decision.New).
func (s *Service) Own(kind string, o Tagged) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owners == nil {
		s.owners = map[string]Tagged{}
	}
	s.owners[kind] = o
}

func (s *Service) ownerOf(kind string) (Tagged, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if o := s.owners[kind]; o != nil {
		return o, nil
	}
	return nil, fmt.Errorf("tag: no owner of %q items is wired to this tag service", kind)
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, policy: c.Policy, audit: c.Audit, now: c.Now, log: c.Log}
	if s.audit == nil {
		s.audit = audit.Discard
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

func indexPK(gid, id string) string { return "TAG#" + gid + "#" + id }
func goneSK(id string) string       { return "TAGGONE#" + id }

const (
	defsSK     = "TAGS"
	purgeQueue = "TAGPURGE"
	timeLayout = "2006-01-02T15:04:05.000000000Z"
)

func kindPrefix(kind string) string {
	if kind == Poll {
		return "P#"
	}
	return "T#"
}

// IndexSK is the sort key of an item in a tag's index: newest first in a
// descending query.
func IndexSK(kind string, created time.Time, id string) string {
	return kindPrefix(kind) + created.UTC().Format(timeLayout) + "#" + id
}

// defsItem: PK=GROUP#<gid> SK=TAGS.
type defsItem struct {
	store.Item
	GroupID string `dynamo:"GroupID"`
	Tags    []Tag  `dynamo:"Tags"`
}

// indexItem: PK=TAG#<gid>#<tag id> SK=<T|P>#<created>#<item id>.
type indexItem struct {
	store.Item
	GroupID string `dynamo:"GroupID"`
	TagID   string `dynamo:"TagID"`
	Kind    string `dynamo:"Kind"`
	ItemID  string `dynamo:"ItemID"`
}

// goneItem: PK=GROUP#<gid> SK=TAGGONE#<tag id>; GSI2PK=TAGPURGE
// GSI2SK=<deleted at>#<gid>#<tag id>.
type goneItem struct {
	store.Item
	GroupID   string    `dynamo:"GroupID"`
	TagID     string    `dynamo:"TagID"`
	DeletedAt time.Time `dynamo:"DeletedAt"`
}

func (s *Service) defs(ctx context.Context, gid string) (*defsItem, error) {
	d := &defsItem{}
	err := s.st.Get(ctx, tabledef.GroupPK(gid), defsSK, d)
	if domain.ErrorCode(err) == domain.NotFound {
		d = &defsItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: defsSK, Type: "tags"}, GroupID: gid}
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Defs returns the tags of group gid by id, for the cores that show them
// (no authorization: the caller has checked that the actor may see the
// group's content). One GetItem.
func (s *Service) Defs(ctx context.Context, gid string) (map[string]Tag, error) {
	d, err := s.defs(ctx, gid)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Tag, len(d.Tags))
	for _, t := range d.Tags {
		out[t.ID] = t
	}
	return out, nil
}

// Shown resolves the stored tag ids of items into their tags, reading each
// group's definitions once, and nothing at all while no item is tagged
// (a list is one group; the dashboard's a few). One per listing.
type Shown struct {
	s    *Service
	defs map[string]map[string]Tag
}

// Shown starts a resolution of the tags of one listing's items.
func (s *Service) Shown() *Shown { return &Shown{s: s, defs: map[string]map[string]Tag{}} }

// Of is the tags still defined among tagIDs of an item of group gid,
// sorted by name (Resolve); nil without ids.
func (r *Shown) Of(ctx context.Context, gid string, tagIDs []string) ([]Tag, error) {
	if len(tagIDs) == 0 {
		return nil, nil
	}
	d, ok := r.defs[gid]
	if !ok {
		var err error
		if d, err = r.s.Defs(ctx, gid); err != nil {
			return nil, err
		}
		r.defs[gid] = d
	}
	return Resolve(d, tagIDs), nil
}

// Resolve turns stored tag ids into the tags still defined, sorted by name
// (ids of deleted tags are dropped). It never returns nil.
func Resolve(defs map[string]Tag, tagIDs []string) []Tag {
	out := make([]Tag, 0, len(tagIDs))
	for _, id := range tagIDs {
		if t, ok := defs[id]; ok {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// List returns a group's tags sorted by name (policy: group.content.view).
func (s *Service) List(ctx context.Context, gid string) ([]Tag, error) {
	if !ids.Valid(gid) {
		return nil, authz.ErrHidden
	}
	if err := s.policy.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return nil, err
	}
	d, err := s.defs(ctx, gid)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(d.Tags)
	if out == nil {
		out = []Tag{}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// Input is a tag's name and colour; nil fields stay (on update).
type Input struct {
	Name   *string
	Colour *string
}

func validColour(c string) bool { return slices.Contains(Palette, c) }

func (s *Service) manage(ctx context.Context, gid string) error {
	if !ids.Valid(gid) {
		return authz.ErrHidden
	}
	return s.policy.Authorize(ctx, gid, authz.GroupManageTags, authz.Target{})
}

// check validates in against the group's other tags (except id).
func check(d *defsItem, id string, in Input, create bool) (string, string, error) {
	var fe domain.FieldErrors
	var name, colour string
	if in.Name != nil || create {
		n := ""
		if in.Name != nil {
			n = *in.Name
		}
		name = text.CheckLine(&fe, "name", n, 1, MaxName)
	}
	if in.Colour != nil || create {
		c := ""
		if in.Colour != nil {
			c = *in.Colour
		}
		if !validColour(c) {
			fe.Add("colour", "must be one of: %s", strings.Join(Palette, ", "))
		}
		colour = c
	}
	if err := fe.Err(); err != nil {
		return "", "", err
	}
	if name != "" {
		for _, t := range d.Tags {
			if t.ID != id && strings.EqualFold(t.Name, name) {
				return "", "", ErrTaken
			}
		}
	}
	return name, colour, nil
}

func (s *Service) save(ctx context.Context, d *defsItem, build func(tx *store.Tx) error) error {
	tx := s.st.Tx()
	if d.Version == 0 {
		tx.Create(d, ErrChanged)
	} else {
		tx.Save(d)
	}
	if err := build(tx); err != nil {
		return err
	}
	err := tx.Run(ctx, "")
	if errors.Is(err, store.ErrVersionConflict) {
		return ErrChanged
	}
	return err
}

// Create adds a tag to group gid (policy: group.tags.manage, admins), with
// an entry in the group's record of admin actions.
func (s *Service) Create(ctx context.Context, gid string, in Input) (Tag, error) {
	if err := s.manage(ctx, gid); err != nil {
		return Tag{}, err
	}
	d, err := s.defs(ctx, gid)
	if err != nil {
		return Tag{}, err
	}
	name, colour, err := check(d, "", in, true)
	if err != nil {
		return Tag{}, err
	}
	if len(d.Tags) >= MaxPerGroup {
		return Tag{}, ErrTooMany
	}
	t := Tag{ID: ids.New(), Name: name, Colour: colour}
	d.Tags = append(d.Tags, t)
	err = s.save(ctx, d, func(tx *store.Tx) error {
		return s.audit.Record(ctx, tx, gid, audit.TagCreated, audit.Target{Kind: "tag", ID: t.ID}, map[string]string{"colour": colour})
	})
	if err != nil {
		return Tag{}, err
	}
	return t, nil
}

// Update renames or recolours a tag (admins). Items hold only the tag's
// id, so the new name shows everywhere at once.
func (s *Service) Update(ctx context.Context, gid, id string, in Input) (Tag, error) {
	if err := s.manage(ctx, gid); err != nil {
		return Tag{}, err
	}
	d, err := s.defs(ctx, gid)
	if err != nil {
		return Tag{}, err
	}
	i := slices.IndexFunc(d.Tags, func(t Tag) bool { return t.ID == id })
	if i < 0 {
		return Tag{}, ErrNoTag
	}
	name, colour, err := check(d, id, in, false)
	if err != nil {
		return Tag{}, err
	}
	t := d.Tags[i]
	details := map[string]string{}
	if name != "" && name != t.Name {
		t.Name, details["renamed"] = name, "true"
	}
	if colour != "" && colour != t.Colour {
		details["colour"], t.Colour = colour, colour
	}
	if len(details) == 0 {
		return t, nil
	}
	d.Tags[i] = t
	err = s.save(ctx, d, func(tx *store.Tx) error {
		return s.audit.Record(ctx, tx, gid, audit.TagChanged, audit.Target{Kind: "tag", ID: id}, details)
	})
	if err != nil {
		return Tag{}, err
	}
	return t, nil
}

// Delete removes a tag (admins). Its definition goes in the request, so
// it disappears from every item and list at once (items' ids of unknown
// tags are not shown); its index items and the references in items are
// removed afterwards in bounded batches (PurgeDeleted).
func (s *Service) Delete(ctx context.Context, gid, id string) error {
	if err := s.manage(ctx, gid); err != nil {
		return err
	}
	d, err := s.defs(ctx, gid)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Tags, func(t Tag) bool { return t.ID == id })
	if i < 0 {
		return ErrNoTag
	}
	d.Tags = slices.Delete(d.Tags, i, i+1)
	now := s.now().UTC()
	return s.save(ctx, d, func(tx *store.Tx) error {
		tx.Put(&goneItem{Item: store.Item{PK: tabledef.GroupPK(gid), SK: goneSK(id), Type: "tag_gone", GSI2PK: purgeQueue,
			GSI2SK: now.Format(timeLayout) + "#" + gid + "#" + id}, GroupID: gid, TagID: id, DeletedAt: now})
		return s.audit.Record(ctx, tx, gid, audit.TagDeleted, audit.Target{Kind: "tag", ID: id}, nil)
	})
}

// Check validates the tags an editor puts on an item of group gid: every
// id must be one of the group's tags, at most MaxPerItem. It returns them
// sorted and without repeats.
func (s *Service) Check(ctx context.Context, gid string, tagIDs []string) ([]string, map[string]Tag, error) {
	if len(tagIDs) > MaxPerItem {
		return nil, nil, domain.Validation(domain.FieldError{Field: "tags", Message: "at most 10 tags on one item"})
	}
	defs, err := s.Defs(ctx, gid)
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(tagIDs))
	for _, id := range tagIDs {
		if _, ok := defs[id]; !ok {
			return nil, nil, domain.Validation(domain.FieldError{Field: "tags", Message: "names a tag this group does not have"})
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out, defs, nil
}

// Item is what the index needs to know of a tagged thread or poll.
type Item struct {
	Kind    string // Thread or Poll
	ID      string
	GroupID string
	Created time.Time
}

// AddSetOps adds to tx, the transaction that changes item's Tags from old
// to next (the caller updates the item, conditioned on what it read), the
// index items to create and delete.
func (s *Service) AddSetOps(tx *store.Tx, it Item, old, next []string) {
	for _, id := range next {
		if !slices.Contains(old, id) {
			tx.Put(&indexItem{Item: store.Item{PK: indexPK(it.GroupID, id), SK: IndexSK(it.Kind, it.Created, it.ID), Type: "tag_index"},
				GroupID: it.GroupID, TagID: id, Kind: it.Kind, ItemID: it.ID})
		}
	}
	for _, id := range old {
		if !slices.Contains(next, id) {
			tx.Delete(s.st.DeleteOp(indexPK(it.GroupID, id), IndexSK(it.Kind, it.Created, it.ID)), nil)
		}
	}
}

// RemoveAll deletes the index items of an item that is gone (a purged
// thread, a deleted draft poll): at most MaxPerItem deletes.
func (s *Service) RemoveAll(ctx context.Context, it Item, tagIDs []string) error {
	if len(tagIDs) == 0 {
		return nil
	}
	keys := make([]dynamo.Keyed, 0, len(tagIDs))
	for _, id := range tagIDs {
		keys = append(keys, dynamo.Keys{indexPK(it.GroupID, id), IndexSK(it.Kind, it.Created, it.ID)})
	}
	_, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Delete(keys...).Run(ctx)
	return store.Classify(err)
}

// Page lists the ids of group gid's items of kind with tag id, newest
// created first (one Query of the tag's index). The caller has authorized
// the list and reads the items; a tag the group does not have is ErrNoTag.
func (s *Service) Page(ctx context.Context, gid, id, kind, cursor string, limit int) (store.Page[string], error) {
	if !ids.Valid(id) {
		return store.Page[string]{}, ErrNoTag
	}
	defs, err := s.Defs(ctx, gid)
	if err != nil {
		return store.Page[string]{}, err
	}
	if _, ok := defs[id]; !ok {
		return store.Page[string]{}, ErrNoTag
	}
	q := s.st.Table().Get(tabledef.PK, indexPK(gid, id)).Range(tabledef.SK, dynamo.BeginsWith, kindPrefix(kind)).
		Order(dynamo.Descending)
	page, err := store.QueryPage[indexItem](ctx, s.st, q, "tag:"+gid+":"+id+":"+kind, cursor, limit)
	if err != nil {
		return store.Page[string]{}, err
	}
	out := store.Page[string]{Items: make([]string, 0, len(page.Items)), Next: page.Next}
	for _, it := range page.Items {
		out.Items = append(out.Items, it.ItemID)
	}
	return out, nil
}

// DropFrom runs u, an owner's update of its tagged item, as the removal of
// tagID from the item's Tags (Tagged.DropTag): conditioned on the item
// existing, and a success when it does not.
func DropFrom(ctx context.Context, u *dynamo.Update, tagID string) error {
	err := u.DeleteFromSet("Tags", []string{tagID}).If("attribute_exists($)", tabledef.PK).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return store.Classify(err)
	}
	return nil
}

// PurgeReport is what one PurgeDeleted run did.
type PurgeReport struct {
	Tags    int `json:"tags"`
	Removed int `json:"references"`
}

// PurgeDeleted removes deleted tags from the items that carried them and
// their index items: per deleted tag (at most maxTags a run), one Query of
// up to PurgeBatch index items, one update per item by the item's owner
// (Tagged.DropTag) and batch deletes of the index items; a tag with nothing
// left loses its marker. For the scheduler; idempotent.
func (s *Service) PurgeDeleted(ctx context.Context, maxTags int) (PurgeReport, error) {
	var r PurgeReport
	var gone []goneItem
	err := s.st.Table().Get(tabledef.GSI2PK, purgeQueue).Index(tabledef.GSI2).Limit(maxTags).All(ctx, &gone)
	if err != nil {
		return r, store.Classify(err)
	}
	for _, g := range gone {
		var items []indexItem
		err := s.st.Table().Get(tabledef.PK, indexPK(g.GroupID, g.TagID)).Limit(PurgeBatch).All(ctx, &items)
		if err != nil {
			return r, store.Classify(err)
		}
		if len(items) == 0 {
			if err := s.st.Delete(ctx, tabledef.GroupPK(g.GroupID), goneSK(g.TagID)); err != nil {
				return r, err
			}
			r.Tags++
			continue
		}
		keys := make([]dynamo.Keyed, 0, len(items))
		for _, it := range items {
			owner, err := s.ownerOf(it.Kind)
			if err != nil {
				return r, err
			}
			if err := owner.DropTag(ctx, it.ItemID, g.TagID); err != nil {
				return r, err
			}
			keys = append(keys, dynamo.Keys{it.PK, it.SK})
			r.Removed++
		}
		for start := 0; start < len(keys); start += 25 {
			if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Delete(keys[start:min(start+25, len(keys))]...).Run(ctx); err != nil {
				return r, store.Classify(err)
			}
		}
	}
	return r, nil
}
