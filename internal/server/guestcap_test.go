package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testkit"
)

// A thread with MaxGuests guests refuses another, in the API (409
// problem+json with the catalog's message, in the reader's language), in
// the guest form (the message in the form) and on the invitation's page.
func TestThreadGuestBound(t *testing.T) {
	g := newGuestHarness(t)
	alice, bob, carl := g.user("Alice"), g.user("Bob"), g.user("Carl")
	grp := g.createGroup(alice, "Choir "+g.tag, "closed")
	th := g.startThread(alice, grp.ID, "Concert", "Who comes?")

	// 199 guests from before the count (their grants written directly).
	st := testkit.StoreOf(g.env)
	now := time.Now().UTC()
	for start := 0; start < discussion.MaxGuests-1; start += 25 {
		var items []any
		for i := start; i < min(start+25, discussion.MaxGuests-1); i++ {
			items = append(items, group.NewThreadGuest(grp.ID, th.ID, fmt.Sprintf("g%s%05d", strings.ToLower(g.tag), i), alice, now))
		}
		if _, err := st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	// An invitation sent while there is room, accepted once the thread is full.
	addr := "late." + g.tag + "@example.org"
	rec := g.do(alice, "POST", "/threads/"+th.ID+"/guests/invite", url.Values{"email": {addr}}.Encode())
	g.expect(rec, rec.Body.String(), 303)
	_, token := g.guestInvitation(addr)

	// The last place goes to Carl.
	g.json(g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"user_id":"`+carl+`"}`), 201, nil)

	rec = g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"user_id":"`+bob+`"}`)
	g.expect(rec, rec.Body.String(), 409, "already has 200 guests", "remove a guest before adding another")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q", ct)
	}
	rec = g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests", `{"email":"`+g.email(bob)+`"}`)
	g.expect(rec, rec.Body.String(), 409, "already has 200 guests")

	// No invitation is sent to an address without an account either.
	rec = g.do(alice, "POST", "/api/v1/threads/"+th.ID+"/guests/invitations", `{"email":"later.`+g.tag+`@example.org"}`)
	g.expect(rec, rec.Body.String(), 409, "already has 200 guests")

	rec = g.do(alice, "POST", "/threads/"+th.ID+"/guests/invite", url.Values{"email": {g.email(bob)}}.Encode())
	g.expect(rec, rec.Body.String(), 409, "already has 200 guests", "remove a guest to invite someone else")
	// The guest page of a full thread says so instead of offering a form the core would refuse.
	rec = g.do(alice, "GET", "/threads/"+th.ID+"/guests", "")
	g.expect(rec, rec.Body.String(), 200, "This thread has 200 guests, the most it can have")
	if strings.Contains(rec.Body.String(), `action="/threads/`+th.ID+`/guests/invite"`) {
		t.Fatal("the guest page of a full thread offers the invitation form")
	}
	rec = g.do(alice, "POST", "/threads/"+th.ID+"/guests/invite", url.Values{"email": {g.email(bob)}}.Encode(), "Accept-Language", "de")
	g.expect(rec, rec.Body.String(), 409, "bereits 200 Gäste")

	late := "ulate" + g.tag
	g.people.Add(group.Person{ID: late, Name: "Late", Email: addr})
	rec = g.do(late, "POST", "/thread-invitations/"+token+"/accept", "x=1")
	g.expect(rec, rec.Body.String(), 409, "already has 200 guests")
	rec = g.do(late, "GET", "/threads/"+th.ID, "")
	if rec.Code == 200 {
		t.Fatal("refused invitee reads the thread")
	}
}
