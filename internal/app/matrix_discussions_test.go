package app_test

// The discussion routes in the authorization matrix (matrix_test.go).
//
// Each group fixture gets a real thread started by its owner O, with a
// comment by O and a confirmed attachment; the guest actor G is made a
// real guest of that thread through the discussion core (AddGuest), and
// fixture.thread names it. Routes about that thread are marked guest: G
// may read it, comment and react in it, and nothing else, even in the
// secret group and the subgroup under the secret parent.
//
// Cases that change or use up a thread or comment (edit, close, delete,
// attach) work on a fresh thread or comment of the member M made by the
// request builder, so every case meets the same state; those threads are
// not the guest's, so G is an unrelated person there.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func init() {
	matrixAreas = append(matrixAreas, discussionMatrix)
	fixtureHooks = append(fixtureHooks, discussionFixture)
}

var matrixPNG = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 32)...)

func (w *world) must(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// upload attaches matrixPNG to thread tid as the person of ctx and returns
// the pending upload (confirm says whether it is confirmed too).
func (w *world) upload(ctx context.Context, tid string, confirm bool) discussion.PendingUpload {
	w.t.Helper()
	up, err := w.a.Discussions.StartUpload(ctx, tid, discussion.UploadInput{Name: "plan.png", ContentType: "image/png", Size: int64(len(matrixPNG))})
	w.must(err, "start upload")
	testcloud.PutPresigned(w.t, up.Put, matrixPNG)
	if confirm {
		_, err := w.a.Discussions.ConfirmUpload(ctx, tid, up.FileID)
		w.must(err, "confirm upload")
	}
	return up
}

// discussionFixture: a real thread of O in group f, O's comment, a file,
// and G as a real guest of the thread (replacing the grant to a thread
// that did not exist, written by grantGuest).
func discussionFixture(w *world, f *fixture) {
	o, g := w.people["O"], w.people["G"]
	th, err := w.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: f.id, Title: "Matrix thread " + f.kind,
		Description: "What shall we **plant**?"})
	w.must(err, "start thread in "+f.kind)
	c, err := w.a.Discussions.Comment(o.ctx, th.ID, discussion.CommentInput{Body: "Beans, I think."})
	w.must(err, "comment in "+f.kind)
	up := w.upload(o.ctx, th.ID, true)
	w.must(w.a.Store.Delete(context.Background(), "THREAD#"+f.thread, "GUEST#"+g.id), "drop the placeholder grant")
	w.must(w.a.Discussions.AddGuest(o.ctx, th.ID, g.id), "add the guest in "+f.kind)
	f.thread = th.ID
	f.ext["thread"], f.ext["comment"], f.ext["file"] = th.ID, c.ID, up.FileID
	// The guest reads and comments in this thread, and in no other.
	if _, err := w.a.Discussions.Thread(g.ctx, th.ID); err != nil {
		w.t.Fatalf("guest cannot read their thread in %s: %v", f.kind, err)
	}
	other, err := w.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: f.id, Title: "Not for guests"})
	w.must(err, "second thread")
	if _, err := w.a.Discussions.Thread(g.ctx, other.ID); err == nil && f.kind != "open" {
		w.t.Fatalf("guest reads another thread of the %s group", f.kind)
	}
}

// ---- request builders ----

// onThread fills in {tid} (the guest's thread), {cid} (O's comment) and {fid}.
func onThread(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		cl := b(c)
		r := strings.NewReplacer("{tid}", c.f.ext["thread"], "{cid}", c.f.ext["comment"], "{fid}", c.f.ext["file"])
		cl.path = r.Replace(cl.path)
		return cl
	}
}

// freshThread fills in {tid} with a new thread of M (closed first when
// closed is set), so cases that change or delete a thread never meet each
// other's changes (kept while the cases are refused: world.keep).
func freshThread(b func(c *cas) call, closed bool) func(c *cas) call {
	key := "open thread"
	if closed {
		key = "closed thread"
	}
	return func(c *cas) call {
		tid := c.w.keep(c.f, key, func() string {
			m := c.w.people["M"]
			th, err := c.w.a.Discussions.StartThread(m.ctx, discussion.StartInput{GroupID: c.f.id, Title: fmt.Sprintf("Fresh %d", c.w.next())})
			c.w.must(err, "fresh thread")
			if closed {
				_, err := c.w.a.Discussions.Close(m.ctx, th.ID)
				c.w.must(err, "close fresh thread")
			}
			return th.ID
		})
		cl := b(c)
		cl.path = strings.ReplaceAll(cl.path, "{tid}", tid)
		return cl
	}
}

// freshComment fills in {tid} (the guest's thread) and {cid} with a new comment of M.
func freshComment(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		tid := c.f.ext["thread"]
		cid := c.w.keep(c.f, "comment", func() string {
			it, err := c.w.a.Discussions.Comment(c.w.people["M"].ctx, tid, discussion.CommentInput{Body: fmt.Sprintf("Fresh comment %d", c.w.next())})
			c.w.must(err, "fresh comment")
			return it.ID
		})
		cl := b(c)
		cl.path = strings.NewReplacer("{tid}", tid, "{cid}", cid).Replace(cl.path)
		return cl
	}
}

// freshUpload: a new thread of M with M's uploaded, unconfirmed file: only
// its uploader may confirm it.
func freshUpload(c *cas) call {
	path := c.w.keep(c.f, "upload", func() string {
		m := c.w.people["M"]
		th, err := c.w.a.Discussions.StartThread(m.ctx, discussion.StartInput{GroupID: c.f.id, Title: fmt.Sprintf("Upload %d", c.w.next())})
		c.w.must(err, "upload thread")
		up := c.w.upload(m.ctx, th.ID, false)
		return "/api/v1/threads/" + th.ID + "/attachments/" + up.FileID + "/confirm"
	})
	return call{method: "POST", path: path}
}

// guestR makes sure R is no guest of the fixture thread yet (the case adds them).
func guestR(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		r := c.w.people["R"]
		c.w.must(c.w.a.Store.Delete(context.Background(), "THREAD#"+c.f.ext["thread"], "GUEST#"+r.id), "drop R's grant")
		return onThread(b)(c)
	}
}

// ownNotification delivers a notification to the caller (or, anonymous,
// to M) and fills in {nid}.
func ownNotification(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		p := c.owner()
		nid := c.w.keep(c.f, "notification of "+p.key, func() string {
			n := notify.Notification{ID: ids.NewSortable(time.Now()), UserID: p.id, Kind: notify.Mention, GroupID: "g", ThreadID: "t", Title: "x"}
			c.w.must(c.w.a.Notifications.Deliver(context.Background(), []notify.Notification{n}), "deliver")
			return n.ID
		})
		cl := b(c)
		cl.path = strings.ReplaceAll(cl.path, "{nid}", nid)
		return cl
	}
}

func form(path string, kv ...string) func(c *cas) call {
	return func(c *cas) call {
		f := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return call{method: "POST", path: path, form: f}
	}
}

// ---- thread guest invitations ----

var (
	threadInviteRe = regexp.MustCompile(`/thread-invitations/(\S+)`)
	mintDiscMu     sync.Mutex
	mintDisc       = map[*world]*discussion.Service{}
)

// mintDiscussions is a discussion service over the application's table
// and keys whose invitation email goes to the world's mailbox.
func (w *world) mintDiscussions() *discussion.Service {
	mintDiscMu.Lock()
	defer mintDiscMu.Unlock()
	if d := mintDisc[w]; d != nil {
		return d
	}
	d := discussion.New(discussion.Config{Store: w.a.Store, Policy: w.a.Groups, People: cores.DiscussionPeople{Accounts: w.a.Accounts},
		Notify: w.a.Notifications, SigningKey: w.a.Config.SigningKey, Mail: w.box, MailFrom: w.a.Config.MailFrom,
		BaseURL: w.a.Config.BaseURL})
	mintDisc[w] = d
	return d
}

// threadInvite invites addr to thread tid as O and returns the emailed token.
func (w *world) threadInvite(tid, addr string) (discussion.GuestInviteResult, string) {
	w.t.Helper()
	res, err := w.mintDiscussions().SendGuestInvitation(w.people["O"].ctx, tid, addr)
	w.must(err, "thread invitation")
	return res, w.box.Find(w.t, addr, threadInviteRe)
}

// threadInviteToken fills in {token} with an invitation of N to a fresh
// thread of O (so accepting it changes nothing any other case meets).
func threadInviteToken(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		token := c.w.keep(c.f, "thread invitation of N", func() string {
			o := c.w.people["O"]
			th, err := c.w.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: c.f.id, Title: fmt.Sprintf("Invited %d", c.w.next())})
			c.w.must(err, "invitation thread")
			_, token := c.w.threadInvite(th.ID, c.w.people["N"].email)
			return token
		})
		cl := b(c)
		cl.path = strings.ReplaceAll(cl.path, "{token}", url.PathEscape(token))
		cl.capability = c.f
		return cl
	}
}

// pendingInvite fills in {tid} (the guest's thread) and {iid} with a new
// invitation to a fresh address.
func pendingInvite(b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		iid := c.w.keep(c.f, "pending thread invitation", func() string {
			res, _ := c.w.threadInvite(c.f.ext["thread"], c.w.email("pending"))
			return res.Invitation.ID
		})
		cl := onThread(b)(c)
		cl.path = strings.ReplaceAll(cl.path, "{iid}", iid)
		return cl
	}
}

func discussionMatrix() map[string]spec {
	const all = "A A A A A A A A"
	const sessionOnly, tokenOK = "S A A A A A F F", "S A A A A A A A"
	//                open      closed              secret              subgroup of the secret parent
	view := [4]string{all, "S F A A F A A F", "H H A A H A A H", "H H A A F A A H"}
	content := [4]string{all, "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	// Writing in the guest's thread (API: anonymous callers are asked to sign in first).
	commentAPI := [4]string{"S F A A F A A F", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	reactAPI := [4]string{"S F A A F A A F", "S F A A F A A F", "H H A A H A A H", "H H A A F A A H"}
	commentPage := [4]string{"S F A A F A F F", "S F A A F A F F", "H H A A H A F F", "H H A A F A F F"}
	readAPI := [4]string{"S A A A A A A A", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	readPage := [4]string{"S A A A A A F F", "S F A A F A F F", "S H A A H A F F", "S H A A F A F F"}
	// M's own thread: M (and M's bot) may edit it; admins may not edit others' content by default.
	editOwnAPI := [4]string{"S F A F F F A F", "S F A F F F A F", "S H A F H H A H", "S H A F F H A H"}
	editOwnPage := [4]string{"S F A F F F F F", "S F A F F F F F", "H H A F H H F F", "H H A F F H F F"}
	editOwnForm := [4]string{"S F A F F F F F", "S F A F F F F F", "S H A F H H F F", "S H A F F H F F"}
	// M's own thread: the author or an admin moderates (close, reopen, delete).
	moderateAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	moderatePage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H H F F", "H H A A F H F F"}
	pinAPI := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F H", "H H F A F H F H"}
	pinPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	// M's comment in the guest's thread: the guest sees it but may not change it.
	editCommentAPI := [4]string{"S F A F F F A F", "S F A F F F A F", "S H A F H F A H", "S H A F F F A H"}
	editCommentPage := [4]string{"S F A F F F F F", "S F A F F F F F", "H H A F H F F F", "H H A F F F F F"}
	editCommentForm := [4]string{"S F A F F F F F", "S F A F F F F F", "S H A F H F F F", "S H A F F F F F"}
	deleteCommentAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "H H A A H F A H", "H H A A F F A H"}
	deleteCommentPage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H F F F", "H H A A F F F F"}
	// Guests: members where the group lets them (not in secret groups), and admins.
	addGuestAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "S H F A H F F H", "S H A A F F A H"}
	removeGuestAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "H H F A H F F H", "H H A A F F A H"}
	addGuestPage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H F A H F F F", "H H A A F F F F"}
	guestListPage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H F A H F F F", "H H A A F F F F"}
	startAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	startPage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H H F F", "H H A A F H F F"}
	startForm := [4]string{"S F A A F F F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	groupLevelAPI := [4]string{"S A A A A A A A", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	groupLevelPage := [4]string{"S A A A A A F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	// Only the uploader confirms; anyone else who can see the thread gets 404.
	confirm := [4]string{"H H A H H H A H", "S F A H F F A F", "H H A H H H A H", "H H A H F H A H"}
	// Notifying chosen people of the guest's thread: members (and their
	// bots); the guest reads it but may not page the group.
	announceAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "H H A A H F A H", "H H A A F F A H"}
	announcePage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H F F F", "H H A A F F F F"}
	attachAPI := editOwnAPI

	thread := func(b func(c *cas) call) func(c *cas) call { return onThread(b) }
	return map[string]spec{
		// ---- JSON API ----
		"GET /api/v1/groups/{id}/threads": {build: get("/api/v1/groups/{id}/threads"), grp: content},
		"POST /api/v1/groups/{id}/threads": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/api/v1/groups/{id}/threads"), json: jsonOf(map[string]string{"title": fmt.Sprintf("API thread %d", c.w.next())})}
		}, grp: startAPI},
		"PUT /api/v1/groups/{id}/notification-level": {build: api("PUT", "/api/v1/groups/{id}/notification-level", `{"level":"normal"}`), grp: groupLevelAPI},
		"GET /api/v1/threads/{tid}":                  {build: thread(get("/api/v1/threads/{tid}")), grp: view, guest: true},
		"PATCH /api/v1/threads/{tid}": {build: freshThread(api("PATCH", "/api/v1/threads/{tid}", `{"title":"Renamed","version":1}`), false),
			grp: editOwnAPI},
		"DELETE /api/v1/threads/{tid}":       {build: freshThread(api("DELETE", "/api/v1/threads/{tid}", ""), false), grp: moderateAPI},
		"GET /api/v1/threads/{tid}/history":  {build: thread(get("/api/v1/threads/{tid}/history")), grp: view, guest: true},
		"POST /api/v1/threads/{tid}/close":   {build: freshThread(api("POST", "/api/v1/threads/{tid}/close", ""), false), grp: moderateAPI},
		"POST /api/v1/threads/{tid}/reopen":  {build: freshThread(api("POST", "/api/v1/threads/{tid}/reopen", ""), true), grp: moderateAPI},
		"PUT /api/v1/threads/{tid}/pin":      {build: freshThread(api("PUT", "/api/v1/threads/{tid}/pin", ""), false), grp: pinAPI},
		"DELETE /api/v1/threads/{tid}/pin":   {build: freshThread(api("DELETE", "/api/v1/threads/{tid}/pin", ""), false), grp: pinAPI},
		"GET /api/v1/threads/{tid}/timeline": {build: thread(get("/api/v1/threads/{tid}/timeline")), grp: view, guest: true},
		"POST /api/v1/threads/{tid}/read":    {build: thread(api("POST", "/api/v1/threads/{tid}/read", "")), grp: readAPI, guest: true},
		"POST /api/v1/threads/{tid}/announce": {build: thread(func(c *cas) call {
			return call{method: "POST", path: "/api/v1/threads/{tid}/announce", json: jsonOf(map[string]any{"user_ids": []string{c.w.people["O"].id}})}
		}), grp: announceAPI, guest: true},
		"POST /threads/{tid}/announce": {build: thread(func(c *cas) call {
			return call{method: "POST", path: "/threads/{tid}/announce", form: url.Values{"notify_shown": {"1"}, "notify_user": {c.w.people["O"].id}}}
		}), grp: announcePage, guest: true},
		"PUT /api/v1/threads/{tid}/notification-level": {build: thread(api("PUT", "/api/v1/threads/{tid}/notification-level", `{"level":"loud"}`)),
			grp: readAPI, guest: true},
		"POST /api/v1/threads/{tid}/comments": {build: thread(api("POST", "/api/v1/threads/{tid}/comments", `{"body":"From the matrix"}`)),
			grp: commentAPI, guest: true},
		"PATCH /api/v1/threads/{tid}/comments/{cid}": {build: freshComment(api("PATCH", "/api/v1/threads/{tid}/comments/{cid}", `{"body":"Edited","version":1}`)),
			grp: editCommentAPI, guest: true},
		"DELETE /api/v1/threads/{tid}/comments/{cid}": {build: freshComment(api("DELETE", "/api/v1/threads/{tid}/comments/{cid}", "")),
			grp: deleteCommentAPI, guest: true},
		"GET /api/v1/threads/{tid}/comments/{cid}/history": {build: thread(get("/api/v1/threads/{tid}/comments/{cid}/history")), grp: view, guest: true},
		"PUT /api/v1/threads/{tid}/comments/{cid}/reactions/{name}": {build: thread(api("PUT", "/api/v1/threads/{tid}/comments/{cid}/reactions/heart", "")),
			grp: reactAPI, guest: true},
		"DELETE /api/v1/threads/{tid}/comments/{cid}/reactions/{name}": {build: thread(api("DELETE", "/api/v1/threads/{tid}/comments/{cid}/reactions/heart", "")),
			grp: reactAPI, guest: true},
		"PUT /api/v1/threads/{tid}/reactions/{name}":    {build: thread(api("PUT", "/api/v1/threads/{tid}/reactions/heart", "")), grp: reactAPI, guest: true},
		"DELETE /api/v1/threads/{tid}/reactions/{name}": {build: thread(api("DELETE", "/api/v1/threads/{tid}/reactions/heart", "")), grp: reactAPI, guest: true},
		"POST /api/v1/threads/{tid}/attachments": {build: freshThread(api("POST", "/api/v1/threads/{tid}/attachments",
			`{"name":"a.png","content_type":"image/png","size":100}`), false), grp: attachAPI},
		"POST /api/v1/threads/{tid}/attachments/{fid}/confirm": {build: freshUpload, grp: confirm},
		"GET /api/v1/threads/{tid}/attachments/{fid}":          {build: thread(get("/api/v1/threads/{tid}/attachments/{fid}")), grp: view, guest: true},
		"POST /api/v1/threads/{tid}/guests": {build: guestR(func(c *cas) call {
			return call{method: "POST", path: "/api/v1/threads/{tid}/guests", json: jsonOf(map[string]string{"user_id": c.w.people["R"].id})}
		}), grp: addGuestAPI, guest: true},
		"DELETE /api/v1/threads/{tid}/guests/{uid}": {build: withParam(thread(api("DELETE", "/api/v1/threads/{tid}/guests/{uid}", "")), "{uid}", requester),
			grp: removeGuestAPI, guest: true},
		"GET /api/v1/threads/{tid}/guests":             {build: thread(get("/api/v1/threads/{tid}/guests")), grp: addGuestAPI, guest: true},
		"GET /api/v1/threads/{tid}/guests/invitations": {build: thread(get("/api/v1/threads/{tid}/guests/invitations")), grp: addGuestAPI, guest: true},
		"POST /api/v1/threads/{tid}/guests/invitations": {build: thread(func(c *cas) call {
			return call{method: "POST", path: "/api/v1/threads/{tid}/guests/invitations", json: jsonOf(map[string]string{"email": c.w.email("apiguest")})}
		}), grp: addGuestAPI, guest: true},
		"DELETE /api/v1/threads/{tid}/guests/invitations/{iid}": {build: pendingInvite(api("DELETE", "/api/v1/threads/{tid}/guests/invitations/{iid}", "")),
			grp: addGuestAPI, guest: true},
		"GET /api/v1/thread-invitations/{token}":         {build: threadInviteToken(get("/api/v1/thread-invitations/{token}")), grp: [4]string{all, all, all, all}},
		"POST /api/v1/thread-invitations/{token}/accept": {build: threadInviteToken(api("POST", "/api/v1/thread-invitations/{token}/accept", "")), grp: [4]string{"S A F F F F F A", "S A F F F F F A", "S A F F F F F A", "S A F F F F F A"}},
		"GET /api/v1/dashboard":                          {acct: tokenOK, build: get("/api/v1/dashboard")},
		"GET /api/v1/notifications":                      {acct: tokenOK, build: get("/api/v1/notifications")},
		"GET /api/v1/notifications/unread-count":         {acct: tokenOK, build: get("/api/v1/notifications/unread-count")},
		"POST /api/v1/notifications/{nid}/read":          {acct: tokenOK, build: ownNotification(api("POST", "/api/v1/notifications/{nid}/read", ""))},
		"POST /api/v1/notifications/read-all":            {acct: tokenOK, build: api("POST", "/api/v1/notifications/read-all", "")},

		// ---- pages ----
		"GET /groups/{id}/threads":     {build: get("/groups/{id}/threads"), grp: content},
		"GET /groups/{id}/threads/new": {build: get("/groups/{id}/threads/new"), grp: startForm},
		"POST /groups/{id}/threads": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/threads"), form: url.Values{"title": {fmt.Sprintf("Page thread %d", c.w.next())}}}
		}, grp: startPage},
		"POST /groups/{id}/notification-level":   {build: page("/groups/{id}/notification-level", "level", "normal"), grp: groupLevelPage},
		"GET /threads/{tid}":                     {build: thread(get("/threads/{tid}")), grp: view, guest: true},
		"GET /threads/{tid}/edit":                {build: freshThread(get("/threads/{tid}/edit"), false), grp: editOwnForm},
		"POST /threads/{tid}/edit":               {build: freshThread(form("/threads/{tid}/edit", "title", "Renamed", "version", "1"), false), grp: editOwnPage},
		"GET /threads/{tid}/history":             {build: thread(get("/threads/{tid}/history")), grp: view, guest: true},
		"POST /threads/{tid}/close":              {build: freshThread(form("/threads/{tid}/close"), false), grp: moderatePage},
		"POST /threads/{tid}/reopen":             {build: freshThread(form("/threads/{tid}/reopen"), true), grp: moderatePage},
		"POST /threads/{tid}/pin":                {build: freshThread(form("/threads/{tid}/pin"), false), grp: pinPage},
		"POST /threads/{tid}/unpin":              {build: freshThread(form("/threads/{tid}/unpin"), false), grp: pinPage},
		"POST /threads/{tid}/delete":             {build: freshThread(form("/threads/{tid}/delete"), false), grp: moderatePage},
		"POST /threads/{tid}/notification-level": {build: thread(form("/threads/{tid}/notification-level", "level", "quiet")), grp: readPage, guest: true},
		"POST /threads/{tid}/guests": {build: guestR(func(c *cas) call {
			return call{method: "POST", path: "/threads/{tid}/guests", form: url.Values{"email": {c.w.people["R"].email}}}
		}), grp: addGuestPage, guest: true},
		"GET /threads/{tid}/guests": {build: thread(get("/threads/{tid}/guests")), grp: guestListPage, guest: true},
		"POST /threads/{tid}/guests/invite": {build: thread(func(c *cas) call {
			return call{method: "POST", path: "/threads/{tid}/guests/invite", form: url.Values{"email": {c.w.email("pageguest")}}}
		}), grp: addGuestPage, guest: true},
		"POST /threads/{tid}/guests/{uid}/remove": {build: withParam(thread(form("/threads/{tid}/guests/{uid}/remove")), "{uid}", requester),
			grp: addGuestPage, guest: true},
		"POST /threads/{tid}/guests/invitations/{iid}/revoke": {build: pendingInvite(form("/threads/{tid}/guests/invitations/{iid}/revoke")),
			grp: addGuestPage, guest: true},
		"GET /thread-invitations/{token}":           {build: threadInviteToken(get("/thread-invitations/{token}")), grp: [4]string{all, all, all, all}},
		"POST /thread-invitations/{token}/accept":   {build: threadInviteToken(form("/thread-invitations/{token}/accept")), grp: [4]string{"S A F F F F F F", "S A F F F F F F", "S A F F F F F F", "S A F F F F F F"}},
		"POST /threads/{tid}/comments":              {build: thread(form("/threads/{tid}/comments", "body", "From a page")), grp: commentPage, guest: true},
		"GET /threads/{tid}/comments/{cid}/edit":    {build: freshComment(get("/threads/{tid}/comments/{cid}/edit")), grp: editCommentForm, guest: true},
		"POST /threads/{tid}/comments/{cid}/edit":   {build: freshComment(form("/threads/{tid}/comments/{cid}/edit", "body", "Edited", "version", "1")), grp: editCommentPage, guest: true},
		"POST /threads/{tid}/comments/{cid}/delete": {build: freshComment(form("/threads/{tid}/comments/{cid}/delete")), grp: deleteCommentPage, guest: true},
		"GET /threads/{tid}/comments/{cid}/history": {build: thread(get("/threads/{tid}/comments/{cid}/history")), grp: view, guest: true},
		"POST /threads/{tid}/comments/{cid}/react":  {build: thread(form("/threads/{tid}/comments/{cid}/react", "name", "tada", "on", "1")), grp: commentPage, guest: true},
		"POST /threads/{tid}/react":                 {build: thread(form("/threads/{tid}/react", "name", "tada", "on", "1")), grp: commentPage, guest: true},
		"POST /threads/{tid}/files":                 {build: thread(form("/threads/{tid}/files")), grp: readPage, guest: true},
		"GET /threads/{tid}/files/{fid}":            {build: thread(get("/threads/{tid}/files/{fid}")), grp: view, guest: true},
		"GET /dashboard":                            {acct: sessionOnly, build: get("/dashboard")},
		"GET /notifications":                        {acct: sessionOnly, build: get("/notifications")},
		"POST /notifications/{nid}/read":            {acct: sessionOnly, build: ownNotification(form("/notifications/{nid}/read", "next", "/notifications"))},
		"POST /notifications/read-all":              {acct: sessionOnly, build: form("/notifications/read-all")},
	}
}
