package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// A thread with discussion.MaxGuests guests: the guest page says it is
// full instead of offering the invitation form, passes axe-core and does
// not scroll sideways at 390 px (screenshots with QUORUM_SCREENSHOTS). The
// refusal of an invitation that meets a full thread is internal/server's
// TestThreadGuestBound.
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
	ada.sees("This thread has 200 guests, the most it can have: remove a guest to invite someone else.")
	if !strings.Contains(ada.Text(), "Open rehearsal") {
		t.Error("the guest page of a full thread is not the guest page")
	}
	if n := browsertest.Get(ada.Session, "count the invitation forms", chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/guests/invite"]').length`)); n != 0 {
		t.Errorf("the guest page of a full thread offers %d invitation forms", n)
	}
	ada.audit("guest page, thread full")
	ada.at(1280, "guestcap-thread-full")
	ada.at(390, "guestcap-thread-full")
}
