package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
)

// threadMentionsOf counts the mention notifications of the person of ctx
// about thread tid's description (no comment).
func (f *fixture) threadMentionsOf(ctx context.Context, tid string) int {
	f.t.Helper()
	list, err := f.notes.List(ctx, "", 50)
	f.must(err)
	n := 0
	for _, it := range list.Items {
		if it.Kind == notify.Mention && it.ThreadID == tid && it.CommentID == "" {
			n++
		}
	}
	return n
}

// TestGroupMentionAddedByEdit: an @group that an edit adds to a comment or
// a thread's description tells the whole group through the same fan-out
// job as on creation, when the editor may announce; never twice (editing
// again, removing and re-adding it, or an @group the comment already
// sent); never the editor; otherwise plain text and a notice.
func TestGroupMentionAddedByEdit(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	ben, _ := f.user("Ben")
	cy, _ := f.user("Cy")
	// A secret group: members may not announce by default, admins may.
	gid := f.group(ada, authz.Secret, ben, cy)
	th := f.thread(ada, gid, "Garden day")
	f.drain()

	// A comment edited to add @group, by an admin (its author).
	c := f.comment(ada, th.ID, "", "Saturday at ten!")
	f.drain()
	if n := f.mentionsOf(ben, c.ID); n != 0 {
		t.Fatalf("no @group yet, %d mentions", n)
	}
	ed, err := f.svc.EditComment(ada, th.ID, c.ID, "@group Saturday at ten!", c.Version)
	f.must(err)
	if len(ed.Notices) != 0 {
		t.Fatalf("the admin's @group edit got notices: %v", ed.Notices)
	}
	f.drain()
	f.drain()
	for name, who := range map[string]context.Context{"Ben": ben, "Cy": cy} {
		if n := f.mentionsOf(who, c.ID); n != 1 {
			t.Errorf("%s has %d mentions after the @group edit, want 1", name, n)
		}
	}
	if n := f.mentionsOf(ada, c.ID); n != 0 {
		t.Errorf("the editor was told of their own @group: %d", n)
	}
	// Edit again keeping it, remove it, put it back: nobody is told again.
	for _, body := range []string{"@group Saturday at eleven!", "Saturday at eleven!", "@group back again"} {
		ed, err = f.svc.EditComment(ada, th.ID, c.ID, body, ed.Version)
		f.must(err)
		f.drain()
	}
	if n := f.mentionsOf(ben, c.ID); n != 1 {
		t.Errorf("Ben has %d mentions after more edits, want 1", n)
	}
	// A comment written with @group: an edit adding text tells nobody again.
	sent := f.comment(ada, th.ID, "", "@group hello")
	f.drain()
	_, err = f.svc.EditComment(ada, th.ID, sent.ID, "@group hello, and bring gloves", sent.Version)
	f.must(err)
	f.drain()
	if n := f.mentionsOf(cy, sent.ID); n != 1 {
		t.Errorf("Cy has %d mentions of a comment written with @group and edited, want 1", n)
	}

	// A member who may not announce: plain text, a notice, nobody told;
	// the mark stays unset, yet an admin's later edit keeping the @group
	// does not tell the group either (it was in the previous version).
	mine := f.comment(ben, th.ID, "", "Who has a rake?")
	pl, err := f.svc.EditComment(ben, th.ID, mine.ID, "@group who has a rake?", mine.Version)
	f.must(err)
	if len(pl.Notices) != 1 || !strings.HasPrefix(pl.Notices[0], discussion.NoticeGroupMention) {
		t.Fatalf("a member's @group edit: notices %v", pl.Notices)
	}
	f.drain()
	if n := f.mentionsOf(cy, mine.ID); n != 0 {
		t.Errorf("a member without the announce permission paged the group by an edit: %d", n)
	}

	// A thread's description edited to add @group.
	th2 := f.thread(ada, gid, "Tools")
	f.drain()
	got, err := f.svc.Thread(ada, th2.ID)
	f.must(err)
	desc := "@group who has a rake?"
	up, err := f.svc.UpdateThread(ada, th2.ID, discussion.UpdateInput{Description: &desc, Version: got.Version})
	f.must(err)
	if len(up.Notices) != 0 {
		t.Fatalf("admin's description edit: notices %v", up.Notices)
	}
	f.drain()
	desc2, desc3 := "who has a rake?", "@group who has a rake? Or a spade?"
	up, err = f.svc.UpdateThread(ada, th2.ID, discussion.UpdateInput{Description: &desc2, Version: up.Version})
	f.must(err)
	_, err = f.svc.UpdateThread(ada, th2.ID, discussion.UpdateInput{Description: &desc3, Version: up.Version})
	f.must(err)
	f.drain()
	for name, who := range map[string]context.Context{"Ben": ben, "Cy": cy} {
		if n := f.threadMentionsOf(who, th2.ID); n != 1 {
			t.Errorf("%s has %d mentions of the description, want 1", name, n)
		}
	}
	if n := f.threadMentionsOf(ada, th2.ID); n != 0 {
		t.Errorf("the editor was told of their own @group: %d", n)
	}
	// A member's own thread: their @group edit is plain text.
	th3 := f.thread(ben, gid, "Ben's")
	f.drain()
	got, err = f.svc.Thread(ben, th3.ID)
	f.must(err)
	up, err = f.svc.UpdateThread(ben, th3.ID, discussion.UpdateInput{Description: &desc, Version: got.Version})
	f.must(err)
	if len(up.Notices) != 1 {
		t.Fatalf("a member's @group description edit: notices %v", up.Notices)
	}
	f.drain()
	if n := f.threadMentionsOf(cy, th3.ID); n != 0 {
		t.Errorf("a member's description edit paged the group: %d", n)
	}
}
