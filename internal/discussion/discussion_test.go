package discussion_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/render/rendertest"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/notify"
	"golang.org/x/net/html"
)

func TestThreadEditHistoryCloseAndTimeline(t *testing.T) {
	f := newFixture(t)
	alice, aid := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Budget")

	// Bob may not edit Alice's thread; Alice may.
	title := "Budget 2027"
	if _, err := f.svc.UpdateThread(bob, th.ID, discussion.UpdateInput{Title: &title, Version: th.Version}); code(err) != domain.Forbidden {
		t.Fatalf("bob edits: %v", err)
	}
	up, err := f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Title: &title, Version: th.Version})
	f.must(err)
	if up.Title != title || up.EditedAt == nil {
		t.Fatalf("edited %+v", up)
	}
	// A stale version conflicts.
	if _, err := f.svc.UpdateThread(alice, th.ID, discussion.UpdateInput{Title: &title, Version: th.Version}); code(err) != domain.Conflict {
		t.Fatalf("stale: %v", err)
	}
	hist, err := f.svc.History(bob, th.ID, "")
	f.must(err)
	if len(hist) != 1 || hist[0].Before["title"] != "Budget" || hist[0].After["title"] != title || hist[0].EditorID != aid {
		t.Fatalf("history %+v", hist)
	}

	c := f.comment(bob, th.ID, "", "first")
	body := "first, edited"
	if _, err := f.svc.EditComment(alice, th.ID, c.ID, body, c.Version); code(err) != domain.Forbidden {
		t.Fatalf("alice edits bob's comment: %v", err)
	}
	ec, err := f.svc.EditComment(bob, th.ID, c.ID, body, c.Version)
	f.must(err)
	if ec.Body != body || ec.EditedAt == nil {
		t.Fatalf("edited comment %+v", ec)
	}
	ch, err := f.svc.History(alice, th.ID, c.ID)
	f.must(err)
	if len(ch) != 1 || ch[0].Before["body"] != "first" || ch[0].After["body"] != body {
		t.Fatalf("comment history %+v", ch)
	}

	// Closed threads refuse comments with 409; reopen allows them again.
	if _, err := f.svc.Close(bob, th.ID); code(err) != domain.Forbidden {
		t.Fatalf("bob closes: %v", err)
	}
	_, err = f.svc.Close(alice, th.ID)
	f.must(err)
	if _, err := f.svc.Comment(bob, th.ID, discussion.CommentInput{Body: "late"}); err != discussion.ErrClosed || code(err) != domain.Conflict {
		t.Fatalf("comment on closed: %v", err)
	}
	_, err = f.svc.Reopen(alice, th.ID)
	f.must(err)
	f.comment(bob, th.ID, "", "again")

	p, err := f.svc.Page(alice, th.ID, "", 0)
	f.must(err)
	var kinds []string
	for _, it := range p.Items {
		kinds = append(kinds, it.Kind)
	}
	want := "thread.edited comment thread.closed thread.reopened comment"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("timeline %q, want %q", strings.Join(kinds, " "), want)
	}
	// Events from another core (a poll) land on the same timeline.
	_, err = f.svc.AppendEvent(bob, th.ID, discussion.Event{Kind: "poll.created", ActorID: aid, RefID: "poll1"})
	f.must(err)
	if _, err := f.svc.AppendEvent(bob, th.ID, discussion.Event{Kind: "poll.vote", ActorID: aid, Anonymous: true}); code(err) != domain.Invalid {
		t.Fatalf("anonymous event with actor: %v", err)
	}
	p, _ = f.svc.Page(alice, th.ID, "", 0)
	if last := p.Items[len(p.Items)-1]; last.Kind != "poll.created" || last.RefID != "poll1" {
		t.Fatalf("event %+v", last)
	}
}

func TestRepliesDepthTombstoneAndReactions(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Open, bob)
	th := f.thread(alice, gid, "Depth")
	top := f.comment(alice, th.ID, "", "top")
	r1 := f.comment(bob, th.ID, top.ID, "reply")
	r2 := f.comment(alice, th.ID, r1.ID, "reply to reply")
	cases := []struct {
		name   string
		got    discussion.Item
		depth  int
		parent string
	}{
		{"top-level", top, 1, ""},
		{"reply", r1, 2, top.ID},
		{"too deep attaches to the deepest allowed parent", r2, 2, top.ID},
	}
	for _, c := range cases {
		if c.got.Depth != c.depth || c.got.ParentID != c.parent {
			t.Errorf("%s: depth %d parent %q, want %d %q", c.name, c.got.Depth, c.got.ParentID, c.depth, c.parent)
		}
	}

	// Reactions: one of each kind per person; unknown kinds refused.
	for i := 0; i < 2; i++ {
		f.must(f.svc.React(bob, th.ID, top.ID, "heart", true))
	}
	f.must(f.svc.React(alice, th.ID, top.ID, "heart", true))
	f.must(f.svc.React(bob, th.ID, top.ID, "tada", true))
	if err := f.svc.React(bob, th.ID, top.ID, "skull", true); code(err) != domain.Invalid {
		t.Fatalf("unknown reaction: %v", err)
	}
	f.must(f.svc.React(bob, th.ID, top.ID, "tada", false))
	p, err := f.svc.Page(bob, th.ID, "", 0)
	f.must(err)
	got := p.Items[0]
	if len(got.Reactions) != 1 || got.Reactions[0].Name != "heart" || got.Reactions[0].Count != 2 || !got.Reactions[0].Mine {
		t.Fatalf("reactions %+v", got.Reactions)
	}

	// Deleting a comment with replies leaves a tombstone; without, it disappears.
	if err := f.svc.DeleteComment(bob, th.ID, top.ID); code(err) != domain.Forbidden {
		t.Fatalf("bob deletes alice's: %v", err)
	}
	f.must(f.svc.DeleteComment(alice, th.ID, top.ID))
	f.must(f.svc.DeleteComment(alice, th.ID, r2.ID))
	p, _ = f.svc.Page(bob, th.ID, "", 0)
	if len(p.Items) != 2 || !p.Items[0].Deleted || p.Items[0].Body != "" || p.Items[0].HTML != "" || p.Items[1].ID != r1.ID {
		t.Fatalf("after deletes %+v", p.Items)
	}
	if p.Items[0].Replies != 1 {
		t.Fatalf("replies of tombstone %d", p.Items[0].Replies)
	}
	if err := f.svc.React(bob, th.ID, top.ID, "heart", true); code(err) != domain.NotFound {
		t.Fatalf("react to tombstone: %v", err)
	}
}

func TestMentionsRepliesAndLevels(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice Smith")
	bob, _ := f.user("Bob")
	carol, cid := f.user("Carol")
	dave, _ := f.user("Dave")
	_, eid := f.user("Eve") // not a member: cannot see the secret group's thread
	gid := f.group(alice, authz.Secret, bob, carol, dave)
	f.must(f.svc.SetGroupLevel(dave, gid, notify.Mute))
	th := f.thread(alice, gid, "Plans")

	count := func(ctx context.Context) int64 {
		f.drain()
		n, err := f.notes.UnreadCount(ctx)
		f.must(err)
		return n
	}
	// New thread: bob, carol (normal) notified; dave muted; alice is the author.
	if count(bob) != 1 || count(carol) != 1 || count(dave) != 0 || count(alice) != 0 {
		t.Fatalf("new thread counts %d %d %d %d", count(bob), count(carol), count(dave), count(alice))
	}
	f.must(f.svc.SetThreadLevel(carol, th.ID, notify.Quiet))
	c := f.comment(bob, th.ID, "", "@AliceSmith and @Carol and @Dave and @Eve, see this")
	if count(alice) != 1 || count(carol) != 2 || count(dave) != 0 {
		t.Fatalf("mention counts alice %d carol %d dave %d", count(alice), count(carol), count(dave))
	}
	eve := authz.WithActor(context.Background(), authz.Actor{Kind: authz.User, UserID: eid})
	if count(eve) != 0 {
		t.Fatal("a non-member was notified")
	}
	// Reply to bob: bob notified once (reply).
	f.comment(carol, th.ID, c.ID, "reply")
	list, err := f.notes.List(bob, "", 10)
	f.must(err)
	if len(list.Items) != 2 || list.Items[0].Kind != notify.Reply || list.Items[1].Kind != notify.NewThread || list.Items[0].ActorID != cid {
		t.Fatalf("bob's list %+v", list.Items)
	}
	// Loud: every comment.
	f.must(f.svc.SetThreadLevel(bob, th.ID, notify.Loud))
	f.comment(alice, th.ID, "", "plain comment")
	if count(bob) != 3 {
		t.Fatalf("loud bob %d", count(bob))
	}
	f.must(f.notes.MarkRead(bob, list.Items[0].ID))
	f.must(f.notes.MarkRead(bob, list.Items[0].ID))
	if count(bob) != 2 {
		t.Fatalf("after mark read %d", count(bob))
	}
	f.must(f.notes.MarkAllRead(bob))
	list, _ = f.notes.List(bob, "", 10)
	if count(bob) != 0 || !list.Items[0].Read {
		t.Fatalf("after mark all read %d %+v", count(bob), list.Items[0])
	}
}

func TestUnreadPaginationAndDashboard(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	var ths []discussion.Thread
	for i := 0; i < 5; i++ {
		ths = append(ths, f.thread(alice, gid, fmt.Sprint("T", i)))
	}
	for i := 0; i < 7; i++ {
		f.comment(alice, ths[1].ID, "", fmt.Sprint("c", i))
	}
	_, err := f.svc.Pin(alice, ths[3].ID, true)
	f.must(err)
	if _, err := f.svc.Pin(bob, ths[3].ID, false); code(err) != domain.Forbidden {
		t.Fatalf("bob pins: %v", err)
	}
	// Order: pinned first, then by last activity.
	var order []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := f.svc.Threads(bob, gid, cursor, 2)
		f.must(err)
		for _, th := range p.Items {
			order = append(order, th.Title)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if strings.Join(order, ",") != "T3,T1,T4,T2,T0" {
		t.Fatalf("order %v", order)
	}
	if _, err := f.svc.Threads(bob, gid, cursor+"x", 2); code(err) != domain.Invalid {
		t.Fatalf("tampered cursor: %v", err)
	}
	th, _ := f.svc.Thread(bob, ths[1].ID)
	if th.Unread != 7 {
		t.Fatalf("unread %d", th.Unread)
	}
	_, err = f.svc.MarkRead(bob, ths[1].ID)
	f.must(err)
	f.comment(alice, ths[1].ID, "", "new one")
	th, _ = f.svc.Thread(bob, ths[1].ID)
	if th.Unread != 1 {
		t.Fatalf("unread after read %d", th.Unread)
	}
	p, err := f.svc.Page(bob, ths[1].ID, "", 3)
	f.must(err)
	if len(p.Items) != 3 || p.Next == "" || p.Items[0].New {
		t.Fatalf("page 1 %+v", p)
	}
	var all []discussion.Item
	all = append(all, p.Items...)
	for p.Next != "" {
		if p, err = f.svc.Page(bob, ths[1].ID, p.Next, 3); err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Items...)
	}
	if len(all) != 8 || !all[7].New || all[6].New {
		t.Fatalf("all pages %d, new flags %v %v", len(all), all[6].New, all[7].New)
	}
	if _, err := f.svc.Page(bob, ths[2].ID, p.Next+"x", 3); err == nil {
		// empty Next + "x" is an invalid cursor
		t.Fatal("bad cursor accepted")
	}
	dash, err := f.svc.Dashboard(bob, 3)
	f.must(err)
	if len(dash) != 3 || dash[0].Title != "T1" {
		t.Fatalf("dashboard %+v", dash)
	}
}

func TestVisibilityGuestsAndSecrets(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	guest, gsid := f.user("Gus")
	outsider, _ := f.user("Olga")
	gid := f.group(alice, authz.Secret, bob)
	th := f.thread(alice, gid, "Secret plans")
	other := f.thread(alice, gid, "Other")
	f.must(f.svc.AddGuest(alice, th.ID, gsid))

	// Guest: sees and comments on their thread only.
	if _, err := f.svc.Page(guest, th.ID, "", 0); err != nil {
		t.Fatalf("guest page: %v", err)
	}
	f.comment(guest, th.ID, "", "hello from a guest")
	if _, err := f.svc.Page(guest, other.ID, "", 0); code(err) == "" {
		t.Fatal("guest read another thread")
	}
	if _, err := f.svc.Threads(guest, gid, "", 10); code(err) == "" {
		t.Fatal("guest listed the group's threads")
	}
	// Outsiders and anonymous: 404 everywhere, like a missing thread.
	for name, ctx := range map[string]context.Context{"outsider": outsider, "anonymous": anon()} {
		checks := map[string]error{}
		_, checks["page"] = f.svc.Page(ctx, th.ID, "", 0)
		_, checks["thread"] = f.svc.Thread(ctx, th.ID)
		_, checks["comment"] = f.svc.Comment(ctx, th.ID, discussion.CommentInput{Body: "x"})
		_, checks["list"] = f.svc.Threads(ctx, gid, "", 10)
		_, checks["download"] = f.svc.DownloadURL(ctx, th.ID, "nofile")
		_, checks["history"] = f.svc.History(ctx, th.ID, "")
		checks["react"] = f.svc.React(ctx, th.ID, "0000000000000000aaaaaaaa", "heart", true)
		for op, err := range checks {
			if code(err) != domain.NotFound {
				t.Errorf("%s %s: %v, want not found", name, op, err)
			}
		}
	}
	if _, err := f.svc.Page(alice, "missing", "", 0); code(err) != domain.NotFound {
		t.Fatalf("missing: %v", err)
	}
	// Deleted threads vanish.
	f.must(f.svc.Delete(alice, other.ID))
	if _, err := f.svc.Page(alice, other.ID, "", 0); code(err) != domain.NotFound {
		t.Fatalf("deleted: %v", err)
	}
	p, _ := f.svc.Threads(bob, gid, "", 10)
	if len(p.Items) != 1 {
		t.Fatalf("list after delete %d", len(p.Items))
	}
}

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func put(t *testing.T, req blob.PresignedRequest, body []byte) int {
	t.Helper()
	r, _ := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestAttachments(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	outsider, _ := f.user("Olga")
	gid := f.group(alice, authz.Secret, bob)
	th := f.thread(alice, gid, "Files")
	c := f.comment(bob, th.ID, "", "see attached")

	if _, err := f.svc.StartUpload(bob, th.ID, discussion.UploadInput{Name: "x.png", ContentType: "image/png", Size: 10}); code(err) != domain.Forbidden {
		t.Fatalf("bob attaches to alice's thread: %v", err)
	}
	if _, err := f.svc.StartUpload(outsider, th.ID, discussion.UploadInput{CommentID: c.ID, Name: "x.png", ContentType: "image/png", Size: 10}); code(err) != domain.NotFound {
		t.Fatalf("outsider: %v", err)
	}
	up, err := f.svc.StartUpload(bob, th.ID, discussion.UploadInput{CommentID: c.ID, Name: "../diagram.png", ContentType: "image/png", Size: int64(len(png))})
	f.must(err)
	if _, err := f.svc.ConfirmUpload(bob, th.ID, up.FileID); err != blob.ErrNotUploaded {
		t.Fatalf("confirm before upload: %v", err)
	}
	if got := put(t, up.Put, png); got != 200 {
		t.Fatalf("PUT %d", got)
	}
	if _, err := f.svc.ConfirmUpload(alice, th.ID, up.FileID); code(err) != domain.NotFound {
		t.Fatalf("confirm by someone else: %v", err)
	}
	ref, err := f.svc.ConfirmUpload(bob, th.ID, up.FileID)
	f.must(err)
	if ref.Name != "diagram.png" || ref.ContentType != "image/png" {
		t.Fatalf("ref %+v", ref)
	}
	p, _ := f.svc.Page(alice, th.ID, "", 0)
	if len(p.Items[0].Files) != 1 || p.Items[0].Files[0].ID != up.FileID {
		t.Fatalf("files on comment %+v", p.Items[0])
	}
	url, err := f.svc.DownloadURL(alice, th.ID, up.FileID)
	f.must(err)
	resp, err := http.Get(url)
	f.must(err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, png) {
		t.Fatalf("download %d", resp.StatusCode)
	}
	if _, err := f.svc.DownloadURL(outsider, th.ID, up.FileID); code(err) != domain.NotFound {
		t.Fatalf("outsider download: %v", err)
	}
	// A file whose comment was deleted is gone.
	f.must(f.svc.DeleteComment(bob, th.ID, c.ID))
	if _, err := f.svc.DownloadURL(alice, th.ID, up.FileID); code(err) != domain.NotFound {
		t.Fatalf("download after delete: %v", err)
	}
}

func TestXSSCorpusRendersInert(t *testing.T) {
	payloads := rendertest.XSSCorpus(t)
	f := newFixture(t)
	alice, _ := f.user("Alice")
	gid := f.group(alice, authz.Open)
	th, err := f.svc.StartThread(alice, discussion.StartInput{GroupID: gid, Title: "xss", Description: strings.Join(payloads, "\n\n")})
	f.must(err)
	for _, p := range payloads {
		if _, err := f.svc.Comment(alice, th.ID, discussion.CommentInput{Body: p}); err != nil && code(err) != domain.Invalid {
			t.Fatal(err)
		}
	}
	page, err := f.svc.Page(alice, th.ID, "", 0)
	f.must(err)
	htmls := []string{string(page.Thread.HTML)}
	for _, it := range page.Items {
		htmls = append(htmls, string(it.HTML))
	}
	for _, h := range htmls {
		z := html.NewTokenizer(strings.NewReader(h))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "svg", "math", "iframe", "object", "embed", "img", "form", "base", "link", "meta":
				t.Errorf("element <%s> survived: %s", tok.Data, h)
			}
			for _, at := range tok.Attr {
				k, v := strings.ToLower(at.Key), strings.ToLower(strings.TrimSpace(at.Val))
				if strings.HasPrefix(k, "on") || k == "style" || k == "src" || k == "srcdoc" {
					t.Errorf("attribute %s survived: %s", k, h)
				}
				if k == "href" && !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:")) {
					t.Errorf("href %q survived: %s", v, h)
				}
			}
		}
	}
	if len(page.Items) < len(payloads)/2 {
		t.Fatalf("only %d of %d payloads stored", len(page.Items), len(payloads))
	}
}

// The bound stated in docs/data-model.md: a thread page with 500 comments
// is 4 DynamoDB calls for a member of a top-level group.
func TestThreadPageWith500CommentsIsBounded(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	bob, _ := f.user("Bob")
	gid := f.group(alice, authz.Closed, bob)
	th := f.thread(alice, gid, "Long")
	seed500(f, alice, th.ID)
	f.must(f.svc.React(bob, th.ID, firstComment(f, alice, th.ID), "heart", true))
	f.must(f.svc.ReactThread(bob, th.ID, "tada", true)) // stored on the thread item: no extra read
	ctx, m := metering.NewContext(bob)
	p, err := f.svc.Page(ctx, th.ID, "", 0)
	f.must(err)
	snap := m.Snapshot()
	if len(p.Items) != 500 || p.Next != "" {
		t.Fatalf("items %d next %q", len(p.Items), p.Next)
	}
	if len(p.Thread.Reactions) != 1 || !p.Thread.Reactions[0].Mine {
		t.Fatalf("thread reactions %+v", p.Thread.Reactions)
	}
	if snap.DynamoDBCalls != discussion.ThreadPageCalls {
		t.Fatalf("thread page: %s, want %d calls", snap, discussion.ThreadPageCalls)
	}
	t.Logf("thread page with 500 comments: %s", snap)
}
