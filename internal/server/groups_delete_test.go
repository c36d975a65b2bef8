package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// An admin deletes a group from its page: a confirmation page that wants
// the group's name, then the group page with a banner and Restore; members
// get 404 meanwhile; Restore brings it back. The API does the same.
func TestDeleteAndRestoreGroupPagesAndAPI(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	g := e.must(e.do(o, "GET", "/groups/"+e.gid, nil), 200, "group page")
	if !strings.Contains(g.body, `href="/groups/`+e.gid+`/delete"`) {
		t.Fatalf("no link to delete: %.2000s", g.body)
	}
	e.must(e.do(m, "GET", "/groups/"+e.gid+"/delete", nil), 403, "member's confirmation page")
	r := e.must(e.do(o, "GET", "/groups/"+e.gid+"/delete", nil), 200, "confirmation page")
	if !strings.Contains(r.body, `name="name"`) || !strings.Contains(r.body, "14 days") {
		t.Fatalf("confirmation page: %.2000s", r.body)
	}
	r = e.must(e.do(o, "POST", "/groups/"+e.gid+"/delete", url.Values{"name": {"not the name"}}), 400, "wrong name")
	if !strings.Contains(r.body, "type the group") {
		t.Fatalf("wrong name: %.2000s", r.body)
	}
	name := decodeInto[struct{ Name string }](t, e.must(e.do(o, "GET", "/api/v1/groups/"+e.gid, nil), 200, "group")).Name
	r = e.must(e.do(o, "POST", "/groups/"+e.gid+"/delete", url.Values{"name": {name}}), 303, "delete")
	if r.hdr.Get("Location") != "/groups/"+e.gid {
		t.Fatalf("redirect to %q", r.hdr.Get("Location"))
	}
	r = e.must(e.do(o, "GET", "/groups/"+e.gid, nil), 200, "admin's group page")
	if !strings.Contains(r.body, "deleted and hidden") || !strings.Contains(r.body, `action="/groups/`+e.gid+`/restore"`) {
		t.Fatalf("no banner: %.3000s", r.body)
	}
	e.must(e.do(m, "GET", "/groups/"+e.gid, nil), 404, "member's group page")
	e.must(e.do(m, "GET", "/api/v1/groups/"+e.gid, nil), 404, "member's API")
	if r := e.must(e.do(m, "GET", "/groups", nil), 200, "member's groups"); strings.Contains(r.body, e.gid) {
		t.Fatal("the deleted group is in the member's list")
	}
	// Members are told by the scheduler.
	if _, err := e.a.Tick(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	e.must(e.do(o, "POST", "/groups/"+e.gid+"/restore", url.Values{}), 303, "restore")
	e.must(e.do(m, "GET", "/groups/"+e.gid, nil), 200, "member's page after restore")
	e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/restore", ""), 409, "restore again")

	// The API.
	e.must(e.do(m, "DELETE", "/api/v1/groups/"+e.gid, map[string]string{"name": name}), 403, "member deletes")
	e.must(e.do(o, "DELETE", "/api/v1/groups/"+e.gid, map[string]string{"name": "nope"}), 400, "wrong name over the API")
	del := decodeInto[struct {
		DeletingAt *time.Time `json:"deleting_at"`
		PurgeAt    *time.Time `json:"purge_at"`
	}](t, e.must(e.do(o, "DELETE", "/api/v1/groups/"+e.gid, map[string]string{"name": name}), 202, "delete over the API"))
	if del.DeletingAt == nil || del.PurgeAt == nil {
		t.Fatalf("deleted: %+v", del)
	}
	e.must(e.do(o, "DELETE", "/api/v1/groups/"+e.gid, map[string]string{"name": name}), 409, "delete twice")
	e.must(e.do(o, "POST", "/api/v1/groups/"+e.gid+"/restore", ""), 200, "restore over the API")
}
