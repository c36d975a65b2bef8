package app_test

// Moving a thread (discussion.MoveThread) in the authorization matrix: a
// fresh thread of the member M in the case's group, moved to an open group
// that the admin A administers (and nobody else of the matrix does). Only
// an admin of both groups moves it: A; everyone else is refused at the
// thread's own group (hidden where they cannot see it).

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
)

func init() { matrixAreas = append(matrixAreas, moveMatrix) }

var (
	moveTargetMu sync.Mutex
	moveTarget   = map[*world]string{}
)

// moveTargetOf is the world's group to move threads into, created by A.
func (w *world) moveTargetOf() string {
	moveTargetMu.Lock()
	defer moveTargetMu.Unlock()
	if id := moveTarget[w]; id != "" {
		return id
	}
	g, err := w.a.Groups.Create(w.people["A"].ctx, group.CreateInput{Name: "Move target", Privacy: "open"})
	w.must(err, "move target group")
	moveTarget[w] = g.ID
	return g.ID
}

func moveMatrix() map[string]spec {
	moveAPI := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H H F H", "S H F A F H F H"}
	// Anonymous callers are asked to sign in before anything is read.
	movePage := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H H F F", "S H F A F H F F"}
	moveForm := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H H F F", "S H F A F H F F"}
	return map[string]spec{
		"POST /api/v1/threads/{tid}/move": {build: freshThread(func(c *cas) call {
			return call{method: "POST", path: "/api/v1/threads/{tid}/move", json: jsonOf(map[string]string{"group_id": c.w.moveTargetOf()})}
		}, false), grp: moveAPI},
		"GET /threads/{tid}/move": {build: freshThread(get("/threads/{tid}/move"), false), grp: moveForm},
		"POST /threads/{tid}/move": {build: freshThread(func(c *cas) call {
			return form("/threads/{tid}/move", "group_id", c.w.moveTargetOf())(c)
		}, false), grp: movePage},
	}
}

func init() { matrixAreas = append(matrixAreas, forkMatrix) }

// forkMatrix: forking a comment of a fresh thread of M (its author) into a
// new thread: the thread's moderators (its author M, M's bot, admins).
func forkMatrix() map[string]spec {
	forkAPI := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	forkPage := [4]string{"S F A A F F F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	build := func(mk func(tid, cid string) call) func(c *cas) call {
		return func(c *cas) call {
			ids := c.w.keep(c.f, "thread to fork", func() string {
				m := c.w.people["M"]
				th, err := c.w.a.Discussions.StartThread(m.ctx, discussion.StartInput{GroupID: c.f.id, Title: fmt.Sprintf("Fork %d", c.w.next())})
				c.w.must(err, "fork thread")
				it, err := c.w.a.Discussions.Comment(m.ctx, th.ID, discussion.CommentInput{Body: "A comment to fork"})
				c.w.must(err, "fork comment")
				return th.ID + " " + it.ID
			})
			tid, cid, _ := strings.Cut(ids, " ")
			return mk(tid, cid)
		}
	}
	return map[string]spec{
		"POST /api/v1/threads/{tid}/fork": {build: build(func(tid, cid string) call {
			return call{method: "POST", path: "/api/v1/threads/" + tid + "/fork", json: jsonOf(map[string]any{"title": "Forked", "comment_ids": []string{cid}})}
		}), grp: forkAPI},
		"GET /threads/{tid}/fork": {build: build(func(tid, _ string) call { return call{method: "GET", path: "/threads/" + tid + "/fork"} }), grp: forkPage},
		"POST /threads/{tid}/fork": {build: build(func(tid, cid string) call {
			return call{method: "POST", path: "/threads/" + tid + "/fork", form: url.Values{"title": {"Forked"}, "comment_id": {cid}}}
		}), grp: forkPage},
	}
}
