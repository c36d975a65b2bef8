package notify

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Mentions off the request path (issue 14). Which people an @name names
// depends on every member's name, so resolving it grows with the group: a
// request never does it. It writes the mention keys of the text in a
// phase of its fan-out job (Phase.Keys, with the thread's guests in
// Extra); the job pages through the members, looks their names up in
// batches (Names) and keeps what matched in the job item with its cursor,
// so an interrupted run resumes where it stopped. When every member has
// been read, the keys are resolved by the one rule (ResolveMentions), the
// people told (as addressed to them; only those who may view the thread),
// and what was resolved is handed to the owner of the text (Mentions), which
// records it and links the mentions. Telling is idempotent like every
// fan-out phase; recording is conditioned on the text's version.

// MaxMentioned bounds the people one text mentions (and tells).
const MaxMentioned = 20

// mention cursors: after the members come the Extra people ("+<index>"),
// then the scan is done and the phase is resolved and told.
const (
	extraCursor = "+"
	scanDone    = "="
)

// Names looks people's display names up by id (internal/account): absent
// for people without a name or not found. At most 100 ids a call.
type Names interface {
	Names(ctx context.Context, uids []string) (map[string]string, error)
}

// MentionRef is what a Keys phase resolved, for the owner of the text: a
// poll's details (PollID), a comment (CommentID), or a thread's
// description (neither).
type MentionRef struct {
	GroupID, ThreadID, CommentID, PollID string
	// Version is the text's version the keys were read from, and Part
	// which text (Phase.Part).
	Version int64
	Part    string
	// ByKey: whom each key names (keys that name nobody are absent).
	ByKey map[string][]string
	// People: everyone mentioned, in key order, at most MaxMentioned.
	People []string
	// Guests: those of People who are not members (guests of the thread).
	Guests []string
}

// Mentions records what a Keys phase resolved on the text it came from
// (internal/discussion): only if the text still has ref.Version, so a
// later edit's own job is the one that counts. Called again when a run is
// retried: it must be idempotent.
type Mentions interface {
	MentionsResolved(ctx context.Context, ref MentionRef) error
}

// Link is the renderer's resolver (render.MentionResolver) for what ref
// resolved: a mention of one member links to their row in the group's
// members tab (links.Member); a guest's, or one naming several people, is
// highlighted without a link; a key that names no one stays text.
func (ref MentionRef) Link(key string) (string, bool) {
	who := ref.ByKey[key]
	switch {
	case len(who) == 0:
		return "", false
	case len(who) == 1 && !slices.Contains(ref.Guests, who[0]):
		return links.Member(ref.GroupID, who[0]), true
	}
	return "", true
}

// MentionNameKeys are the mention keys a display name answers to: its
// whole name without spaces (render.MentionKey) and its first name.
func MentionNameKeys(name string) (full, first string) {
	if name == "" {
		return "", ""
	}
	full = render.MentionKey(name)
	if f := strings.Fields(name); len(f) > 0 {
		first = render.MentionKey(f[0])
	}
	return full, first
}

// ResolveMentions is the mention rule: a key names the people whose whole
// name matches it (full), or, when none does, the one person whose first
// name matches it (first; nobody when several share it). It returns whom
// each key names, and everyone named in key order, at most MaxMentioned.
func ResolveMentions(keys []string, full, first map[string][]string) (map[string][]string, []string) {
	byKey := map[string][]string{}
	var people []string
	seen := map[string]bool{}
	for _, k := range keys {
		who := full[k]
		if len(who) == 0 {
			if len(first[k]) == 1 {
				who = first[k]
			}
		}
		if len(who) == 0 {
			continue
		}
		byKey[k] = who
		for _, id := range who {
			if !seen[id] && len(people) < MaxMentioned {
				seen[id] = true
				people = append(people, id)
			}
		}
	}
	return byKey, people
}

// mentionStep does one step of Keys phase p of job j: one page of people
// scanned (members, then Extra) and saved with the cursor, or, once the
// scan is done, the resolution told and recorded and the phase ended.
// gone: the job was finished by another run.
func (f *Fanouts) mentionStep(ctx context.Context, j *fanoutItem, p Phase, skip map[string]bool) (int, bool, error) {
	if j.Cursor == scanDone {
		return f.mentionTell(ctx, j, p, skip)
	}
	size := f.page()
	var uids []string
	next := ""
	extra := strings.HasPrefix(j.Cursor, extraCursor)
	if !extra {
		if f.Members != nil {
			rows, nx, err := f.Members.MemberPage(ctx, j.GroupID, j.Cursor, size)
			if err != nil {
				return 0, false, err
			}
			for _, m := range rows {
				uids = append(uids, m.UserID)
			}
			next = nx
		}
		if next == "" {
			next = extraCursor + "0"
		}
	} else {
		start, _ := strconv.Atoi(strings.TrimPrefix(j.Cursor, extraCursor))
		start = min(max(start, 0), len(p.Extra))
		end := min(start+size, len(p.Extra))
		uids = p.Extra[start:end]
		next = extraCursor + strconv.Itoa(end)
	}
	if next == extraCursor+strconv.Itoa(len(p.Extra)) {
		next = scanDone
	}
	if err := f.match(ctx, j, p, uids, extra); err != nil {
		return 0, false, err
	}
	j.Cursor = next
	u := f.N.st.Update(j.PK, j.SK).Set("Cursor", j.Cursor)
	for name, v := range map[string]map[string][]string{"Found": j.Found, "First": j.First} {
		if len(v) > 0 {
			u.Set(name, v)
		} else {
			u.Remove(name)
		}
	}
	if len(j.Guests) > 0 {
		u.Set("Guests", j.Guests)
	}
	err := u.If("attribute_exists($)", tabledef.PK).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, store.Classify(err)
	}
	if f.afterBatch != nil {
		return 0, false, f.afterBatch()
	}
	return 0, false, nil
}

// match adds those of uids whose names answer to the keys of p to j's
// findings (guest: they come from Extra, not from the members).
func (f *Fanouts) match(ctx context.Context, j *fanoutItem, p Phase, uids []string, guest bool) error {
	if len(uids) == 0 || f.Names == nil {
		return nil
	}
	names := map[string]string{}
	for start := 0; start < len(uids); start += 100 {
		got, err := f.Names.Names(ctx, uids[start:min(start+100, len(uids))])
		if err != nil {
			return err
		}
		for id, n := range got {
			names[id] = n
		}
	}
	want := make(map[string]bool, len(p.Keys))
	for _, k := range p.Keys {
		want[k] = true
	}
	if j.Found == nil {
		j.Found = map[string][]string{}
	}
	if j.First == nil {
		j.First = map[string][]string{}
	}
	add := func(m map[string][]string, k, uid string, most int) bool {
		if !want[k] || slices.Contains(m[k], uid) || len(m[k]) >= most {
			return false
		}
		m[k] = append(m[k], uid)
		return true
	}
	for _, uid := range uids {
		full, first := MentionNameKeys(names[uid])
		if full == "" {
			continue
		}
		a := add(j.Found, full, uid, MaxMentioned)
		b := add(j.First, first, uid, 2)
		if guest && (a || b) && !slices.Contains(j.Guests, uid) {
			j.Guests = append(j.Guests, uid)
		}
	}
	return nil
}

// mentionTell ends Keys phase p: resolves the keys from what the scan
// found, tells those named (not skipped, at a level that hears a mention,
// able to view the thread), records the resolution, and moves to the
// next phase.
func (f *Fanouts) mentionTell(ctx context.Context, j *fanoutItem, p Phase, skip map[string]bool) (int, bool, error) {
	byKey, people := ResolveMentions(p.Keys, j.Found, j.First)
	n, err := f.tell(ctx, j, p, people, nil, skip)
	if err != nil {
		return n, false, err
	}
	if f.Mentions != nil && (j.CommentID != "" || j.ThreadID != "" || j.PollID != "") && p.Version > 0 {
		var guests []string
		for _, id := range people {
			if slices.Contains(j.Guests, id) {
				guests = append(guests, id)
			}
		}
		err := f.Mentions.MentionsResolved(ctx, MentionRef{GroupID: j.GroupID, ThreadID: j.ThreadID, CommentID: j.CommentID, PollID: j.PollID,
			Version: p.Version, Part: p.Part, ByKey: byKey, People: people, Guests: guests})
		if err != nil {
			return n, false, err
		}
	}
	j.Phase, j.Cursor, j.Told = j.Phase+1, "", j.Told+n
	j.Found, j.First, j.Guests = nil, nil, nil
	err = f.N.st.Update(j.PK, j.SK).Set("Phase", j.Phase).Set("Told", j.Told).Remove("Cursor").Remove("Found").
		Remove("First").Remove("Guests").If("attribute_exists($)", tabledef.PK).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return n, true, nil
	}
	if err != nil {
		return n, false, store.Classify(err)
	}
	if f.afterBatch != nil {
		return n, false, f.afterBatch()
	}
	return n, false, nil
}
