package pages

import (
	"testing"

	"github.com/quorum-app/quorum/internal/discussion"
)

// When the first unread item is past the page shown (a thread longer than
// a page), the jump link opens the page holding the last item read.
func TestUnreadJumpToALaterPage(t *testing.T) {
	p := discussion.ThreadPage{Thread: discussion.Thread{ID: "t1", Unread: 3}, LastSeen: "18eac4890af49fc27cd3994e", Next: "cursor"}
	if m := unreadOf(p); m.Jump != "/threads/t1?comment=18eac4890af49fc27cd3994e#first-unread" || m.FirstUnread != "" || m.Count != 3 {
		t.Fatalf("later page: %+v", m)
	}
	p.FirstUnread = "18eac4890af49fc27cd39950"
	p.Items = []discussion.Item{{ID: "18eac4890af49fc27cd3994e"}, {ID: p.FirstUnread, New: true}}
	if m := unreadOf(p); m.Jump != "#first-unread" || m.FirstUnread != p.FirstUnread || m.Count != 1 {
		t.Fatalf("on this page: %+v", m)
	}
	p.LastSeen = "" // a first visit: everything is new, nothing to jump to
	if m := unreadOf(p); m != (unreadMarks{}) {
		t.Fatalf("first visit: %+v", m)
	}
}
