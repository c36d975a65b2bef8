package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// A thread with discussion.MaxGuests guests: inviting one more from the
// guest page shows why it is refused in the form, keeps the address typed,
// passes axe-core and does not scroll sideways at 390 px (screenshots with
// QUORUM_SCREENSHOTS).
func TestGuestBoundForm(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	ada.signedUp()
	ben.signedUp()
	adaCtx := actingAs(t, a, ada.Email)
	g, err := a.Groups.Create(adaCtx, group.CreateInput{Name: "Choir", Privacy: string(authz.Closed)})
	if err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: g.ID, Title: "Open rehearsal",
		Description: "Friends welcome."})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for start := 0; start < discussion.MaxGuests; start += 25 {
		var items []any
		for i := start; i < min(start+25, discussion.MaxGuests); i++ {
			items = append(items, group.NewThreadGuest(g.ID, th.ID, fmt.Sprintf("guest%05d", i), "someone", now))
		}
		if _, err := a.Store.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(items...).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ada.open("/threads/" + th.ID + "/guests")
	ada.fill("Email address", ben.Email)
	if st := ada.submit("Invite"); st != 409 {
		t.Fatalf("invite into a full thread: %d", st)
	}
	ada.sees("this thread already has 200 guests, the most it can have: remove a guest before adding another")
	if !strings.Contains(ada.Text(), "Open rehearsal") {
		t.Error("the refused form left the guest page")
	}
	ada.audit("guest form, thread full")
	ada.at(1280, "guestcap-thread-full")
	ada.at(390, "guestcap-thread-full")
}
