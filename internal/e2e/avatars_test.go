package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/discussion"
)

// The browser test of pictures (issue 15, avatars): Ada uploads a picture
// in Settings with the plain form (no script involved), sees it there, and
// Ben, who shares her group, sees it beside her comment and her thread;
// his own comment shows his initials. Every state is checked with
// axe-core and the CSP checks, at 1280 and 390 px, and in Arabic (right to
// left). Then Ada removes it and her initials are back.
func TestPictureBesideComments(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ben := s.person(t, "ben", "Ben Franklin")
	for _, p := range []*person{ada, ben} {
		p.signedUp() // a minted session: signing in is other tests' subject
	}
	ada.open("/groups/new")
	ada.fill("Name", "Picture Club")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	adaCtx := actingAs(t, a, ada.Email)
	link, err := a.Groups.JoinLink(adaCtx, gid)
	if err != nil {
		t.Fatal(err)
	}
	benCtx := actingAs(t, a, ben.Email)
	if _, err := a.Groups.JoinViaLink(benCtx, link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}

	// A photo with a location in its EXIF.
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			img.Set(x, y, color.RGBA{R: uint8(120 + x/4), G: uint8(60 + y/3), B: 150, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	payload := []byte("Exif\x00\x00GPS-SECRET-51.5N-0.1W")
	photo := append(append(append([]byte{}, raw[:2]...), append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)...), raw[2:]...)
	file := filepath.Join(t.TempDir(), "ada.jpg")
	if err := os.WriteFile(file, photo, 0o600); err != nil {
		t.Fatal(err)
	}

	// JavaScript off: the plain form posts the file to Quorum (with the
	// script, the page uploads straight to storage:
	// TestPictureUploadedStraightToStorage).
	noScript := func(off bool) {
		if _, err := chromedp.Call(ada.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
			t.Fatal(err)
		}
	}
	noScript(true)
	ada.open("/settings")
	ada.sees("Picture", "Without a picture, your initials are shown")
	ada.Do("choose the picture", chromedp.SetUploadFiles(ada.field("Picture (JPEG, PNG, GIF or WebP)"), []string{file}))
	ada.submit("Upload picture")
	ada.sees("Your picture is saved.", "Remove picture")
	noScript(false)
	ada.open("/settings?done=avatar")
	ada.audit("settings with a picture")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "avatars-settings")
	}

	th, err := a.Discussions.StartThread(adaCtx, discussion.StartInput{GroupID: gid, Title: "Seed swap in March",
		Description: "Bring what you saved from last year."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(adaCtx, th.ID, discussion.CommentInput{Body: "I have far too many bean seeds."}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(benCtx, th.ID, discussion.CommentInput{Body: "I will bring squash."}); err != nil {
		t.Fatal(err)
	}
	// loaded reads the widths of the comments' pictures once each has
	// loaded (-1 while one is still loading, at most StepTimeout).
	loaded := func(p *person) []int {
		deadline := time.Now().Add(browsertest.StepTimeout)
		for {
			got := browsertest.Get(p.Session, "pictures on the page", chromedp.Evaluate[[]int](
				`[...document.querySelectorAll(".comment img.avatar")].map(i => i.complete ? i.naturalWidth : -1)`))
			if !slices.Contains(got, -1) || time.Now().After(deadline) {
				return got
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	ben.open("/threads/" + th.ID)
	ben.sees("I have far too many bean seeds.", "I will bring squash.")
	if got := loaded(ben); len(got) != 1 || got[0] != 64 {
		t.Fatalf("Ben sees pictures %v beside the comments, want Ada's (64 px)", got)
	}
	if n := countOf(ben, ".comment span.avatar"); n != 1 {
		t.Fatalf("Ben's comment should show his initials (%d)", n)
	}
	ben.audit("thread with a picture")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "avatars-thread")
	}
	ben.open("/groups/" + gid + "?tab=members")
	if n := countOf(ben, "img.avatar"); n < 2 { // the faces and the list
		t.Fatalf("members tab shows %d pictures", n)
	}
	ben.at(1280, "avatars-members")

	// In Arabic, right to left.
	u, err := a.Accounts.UserByEmail(context.Background(), ben.Email)
	if err != nil {
		t.Fatal(err)
	}
	ar := "ar"
	if _, err := a.Accounts.UpdateProfile(authz.WithActor(context.Background(),
		authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "e2e"}), account.ProfileUpdate{Locale: &ar}); err != nil {
		t.Fatal(err)
	}
	ben.open("/threads/" + th.ID)
	ben.audit("thread with a picture, Arabic")
	for _, w := range []int64{1280, 390} {
		ben.at(w, "avatars-thread-ar")
	}

	// Removing the picture: initials again.
	ada.open("/settings")
	ada.submit("Remove picture")
	ada.sees("Your picture is removed")
	ben.open("/threads/" + th.ID)
	if got := loaded(ben); len(got) != 0 {
		t.Fatalf("after removal Ben still sees pictures %v", got)
	}
}
