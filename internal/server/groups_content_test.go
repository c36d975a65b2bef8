package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/mail"
)

// An admin removes a member's comments from the Members tab: a link per
// member, a confirmation page, a POST that queues one job and redirects;
// the scheduler does the work and the thread then shows "Comment removed"
// where the comment was, with the reply under it. Members are refused; the
// API says the same and reports the state.
func TestRemoveMemberCommentsPagesAndAPI(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Rota"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: "milosremovedwords here"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Discussions.Comment(n.ctx, th.ID, discussion.CommentInput{ParentID: c.ID, Body: "ninasreply stays"}); err != nil {
		t.Fatal(err)
	}
	r := e.must(e.do(o, "GET", "/groups/"+e.gid+"/members", nil), 200, "members")
	if !strings.Contains(r.body, `href="/groups/`+e.gid+`/members/`+m.id+`/remove-comments"`) {
		t.Fatalf("no link to remove comments: %.2000s", r.body)
	}
	if r := e.must(e.do(m, "GET", "/groups/"+e.gid+"/members", nil), 200, "members as a member"); strings.Contains(r.body, "remove-comments") {
		t.Fatal("a member is offered to remove comments")
	}
	e.must(e.do(m, "GET", "/groups/"+e.gid+"/members/"+n.id+"/remove-comments", nil), 403, "member's confirmation page")
	e.must(e.do(m, "POST", "/api/v1/groups/"+e.gid+"/members/"+n.id+"/comment-removal", ""), 403, "member's API call")
	r = e.must(e.do(o, "GET", "/groups/"+e.gid+"/members/"+m.id+"/remove-comments", nil), 200, "confirmation page")
	if !strings.Contains(r.body, "Milo Member") || !strings.Contains(r.body, `action="/groups/`+e.gid+`/members/`+m.id+`/remove-comments"`) {
		t.Fatalf("confirmation page: %.2000s", r.body)
	}
	st := decodeInto[struct{ State string }](t, e.must(e.do(o, "GET", "/api/v1/groups/"+e.gid+"/members/"+m.id+"/comment-removal", nil), 200, "state before"))
	if st.State != "none" {
		t.Fatalf("state before: %+v", st)
	}
	r = e.must(e.do(o, "POST", "/groups/"+e.gid+"/members/"+m.id+"/remove-comments", url.Values{}), 303, "remove")
	if r.hdr.Get("Location") != "/groups/"+e.gid+"/members/"+m.id+"/remove-comments?done=queued" {
		t.Fatalf("redirect to %q", r.hdr.Get("Location"))
	}
	if r := e.must(e.do(o, "GET", r.hdr.Get("Location"), nil), 200, "after asking"); !strings.Contains(r.body, "being removed") {
		t.Fatalf("no notice: %.2000s", r.body)
	}
	// Not done in the request.
	if r := e.must(e.do(n, "GET", "/threads/"+th.ID, nil), 200, "thread"); !strings.Contains(r.body, "milosremovedwords") {
		t.Fatal("removed inside the request")
	}
	st = decodeInto[struct{ State string }](t, e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/members/"+m.id+"/comment-removal", ""), 202, "again over the API"))
	if st.State != "running" {
		t.Fatalf("state while queued: %+v", st)
	}
	for i := 0; i < 20; i++ {
		rep, err := e.a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Removals > 0 {
			break
		}
	}
	done := decodeInto[struct {
		State   string
		Removed int
	}](t, e.must(e.do(o, "GET", "/api/v1/groups/"+e.gid+"/members/"+m.id+"/comment-removal", nil), 200, "state after"))
	if done.State != "done" || done.Removed != 1 {
		t.Fatalf("state after: %+v", done)
	}
	r = e.must(e.do(n, "GET", "/threads/"+th.ID, nil), 200, "thread after")
	if strings.Contains(r.body, "milosremovedwords") || !strings.Contains(r.body, "Comment removed.") || !strings.Contains(r.body, "ninasreply stays") {
		t.Fatalf("thread after: %.3000s", r.body)
	}
	if r := e.must(e.do(o, "GET", "/groups/"+e.gid+"/audit", nil), 200, "audit"); !strings.Contains(r.body, "removed all the comments of") {
		t.Fatalf("audit: %.3000s", r.body)
	}
}

// Deleting one's account with "Also remove my comments": the comment
// becomes "Comment removed" once the scheduler ran.
func TestDeleteAccountRemovingComments(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	th, err := e.a.Discussions.StartThread(o.ctx, discussion.StartInput{GroupID: e.gid, Title: "Leaving"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: "milosleavingwords here"}); err != nil {
		t.Fatal(err)
	}
	r := e.must(e.do(m, "GET", "/settings/delete", nil), 200, "delete page")
	if !strings.Contains(r.body, `name="remove_comments"`) {
		t.Fatalf("no choice to remove comments: %.2000s", r.body)
	}
	me, err := e.a.Accounts.Me(m.ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.must(e.do(m, "POST", "/api/v1/me/deletion-code", ""), 202, "code")
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := mail.Emulator{URL: e.a.Config.SESEndpoint}.WaitFor(wctx, me.Email, func(x mail.StoredMessage) bool {
		return x.Subject == "Confirm deleting your Quorum account"
	})
	if err != nil {
		t.Fatal(err)
	}
	code := codeRe.FindStringSubmatch(msg.Body.Text)[1]
	e.must(e.do(m, "POST", "/settings/delete/confirm", url.Values{"code": {code}, "remove_comments": {"1"}}), 303, "delete")
	for i := 0; i < 20; i++ {
		rep, err := e.a.Tick(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Deletions > 0 {
			break
		}
	}
	r = e.must(e.do(o, "GET", "/threads/"+th.ID, nil), 200, "thread after")
	if strings.Contains(r.body, "milosleavingwords") || !strings.Contains(r.body, "Comment removed.") {
		t.Fatalf("thread after: %.3000s", r.body)
	}
}
