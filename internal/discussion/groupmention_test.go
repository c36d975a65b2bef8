package discussion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
)

// mentionsOf counts the mention notifications of the person of ctx about comment cid.
func (f *fixture) mentionsOf(ctx context.Context, cid string) int {
	f.t.Helper()
	list, err := f.notes.List(ctx, "", 50)
	f.must(err)
	n := 0
	for _, it := range list.Items {
		if it.Kind == notify.Mention && it.CommentID == cid {
			n++
		}
	}
	return n
}

// TestGroupMention: @group in a comment tells every member (through the
// fan-out job, once each) when the author may announce; otherwise it is
// plain text, nobody is told and the author gets a notice saying why.
func TestGroupMention(t *testing.T) {
	f := newFixture(t)
	ada, _ := f.user("Ada")
	ben, _ := f.user("Ben")
	cy, _ := f.user("Cy")
	// A secret group: members may not announce by default, admins may.
	gid := f.group(ada, authz.Secret, ben, cy)
	th := f.thread(ada, gid, "Garden day")
	f.drain()

	c := f.comment(ada, th.ID, "", "Hello @Group: Saturday at ten!")
	if len(c.Notices) != 0 {
		t.Fatalf("the admin's @group got notices: %v", c.Notices)
	}
	f.drain()
	f.drain() // a second run tells nobody twice
	for name, who := range map[string]context.Context{"Ben": ben, "Cy": cy} {
		if n := f.mentionsOf(who, c.ID); n != 1 {
			t.Errorf("%s has %d mentions of the @group comment, want 1", name, n)
		}
	}
	if n := f.mentionsOf(ada, c.ID); n != 0 {
		t.Errorf("the author was told of their own @group: %d", n)
	}

	plain, err := f.svc.Comment(ben, th.ID, discussion.CommentInput{Body: "@group me too"})
	f.must(err)
	if len(plain.Notices) != 1 || !strings.HasPrefix(plain.Notices[0], discussion.NoticeGroupMention) ||
		!strings.Contains(plain.Notices[0], "only admins") {
		t.Fatalf("a member's @group: notices %v", plain.Notices)
	}
	f.drain()
	if n := f.mentionsOf(cy, plain.ID); n != 0 {
		t.Errorf("a member without the announce permission paged the group: %d", n)
	}
	// "@groupie" or an address is not the group.
	other := f.comment(ada, th.ID, "", "mail garden@group.example or ask @groupie")
	f.drain()
	if n := f.mentionsOf(ben, other.ID); n != 0 {
		t.Errorf("not an @group, yet %d mentions", n)
	}

	// A new thread's description: the same rule, the notice on the thread.
	st, err := f.svc.StartThread(ben, discussion.StartInput{GroupID: gid, Title: "Tools", Description: "@group who has a rake?"})
	f.must(err)
	if len(st.Notices) != 1 {
		t.Fatalf("a member's @group in a new thread: notices %v", st.Notices)
	}
}
