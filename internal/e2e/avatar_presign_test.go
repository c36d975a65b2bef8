package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/localcloud"
)

// Ada sets her picture in Settings with the page's own script (issue 15,
// avatars): the test only chooses a WebP file and presses "Upload
// picture"; app.js asks Quorum for a presigned PUT, sends the picture from
// the browser straight to the encrypted bucket (versitygw) and asks Quorum
// to make the avatar from it. The picture's bytes never pass through
// Quorum: no request goes to the plain form's /settings/avatar. The CSP
// allows the bucket's origin in connect-src and nothing else. A malformed
// WebP is refused on the page in her language (the script hands it to the
// plain form, which explains).
func TestPictureUploadedStraightToStorage(t *testing.T) {
	t.Parallel()
	s := newRealSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ctx := context.Background()
	s3Origin, bucket := s.env.Clients.UploadOrigin, s.env.Config.UploadsBucket
	if err := localcloud.EnsureUploadsCors(ctx, s.env.S3, bucket, s.URL); err != nil {
		t.Fatal(err)
	}
	ada.signedUp() // a minted session: signing in is other tests' subject

	webp, err := os.ReadFile("../avatar/testdata/lossy-alpha.webp")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good, broken := filepath.Join(dir, "me.webp"), filepath.Join(dir, "broken.webp")
	if err := os.WriteFile(good, webp, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, webp[:len(webp)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	resp := browsertest.Get(ada.Session, "open settings", chromedp.NavigateResponse(s.URL+"/settings"))
	csp, _ := resp.Headers["Content-Security-Policy"].(string)
	if !strings.Contains(csp, "connect-src 'self' "+s3Origin+";") || strings.Count(csp, "http") != 1 || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("settings CSP %q: want connect-src 'self' %s and no other origin", csp, s3Origin)
	}
	ada.sees("Without a picture, your initials are shown")
	ada.seen.take()
	ada.Do("choose the picture", chromedp.SetUploadFiles(ada.field("Picture (JPEG, PNG, GIF or WebP)"), []string{good}))
	if st := ada.submit("Upload picture"); st != 200 {
		t.Fatalf("upload: %d", st)
	}
	if u := ada.URL(); !strings.Contains(u, "/settings?done=avatar") {
		t.Fatalf("after the upload the page is %s", u)
	}
	ada.sees("Your picture is saved.", "Remove picture")
	requests, errs := ada.seen.take()
	put := false
	for _, u := range requests {
		switch {
		case strings.HasPrefix(u, s3Origin+"/"+bucket+"/avatar-uploads/"):
			put = true
		case u == s.URL+"/settings/avatar":
			t.Errorf("the picture went through the plain form: %v", requests)
		case strings.HasPrefix(u, s.URL+"/"):
		default:
			t.Errorf("request to another origin: %s", u)
		}
	}
	if !put {
		t.Errorf("the browser sent nothing to the bucket: %v", requests)
	}
	if len(errs) > 0 {
		t.Errorf("console errors during the upload: %v", errs)
	}
	if w := browsertest.Get(ada.Session, "the picture's width", chromedp.Evaluate[int](
		`new Promise(ok => { const i = document.querySelector("img.avatar-large"); if (!i) return ok(0); if (i.complete) return ok(i.naturalWidth); i.onload = () => ok(i.naturalWidth); i.onerror = () => ok(-1); })`,
		chromedp.EvalAwaitPromise)); w != 256 {
		t.Fatalf("the settings page shows a picture %d px wide, want the 256 px square", w)
	}
	ada.audit("settings after a direct upload")
	for _, w := range []int64{1280, 390} {
		ada.at(w, "avatars-direct-upload")
	}

	// A malformed WebP: the bucket takes it, Quorum refuses it, the page
	// says why (through the plain form, in the reader's language).
	ada.Do("choose the broken picture", chromedp.SetUploadFiles(ada.field("Picture (JPEG, PNG, GIF or WebP)"), []string{broken}))
	if st := ada.submit("Upload picture"); st != 400 {
		t.Fatalf("malformed WebP: %d", st)
	}
	ada.sees("the picture could not be read")
	// The bucket took it; Quorum's confirm refused it (400), then the
	// plain form said why.
	requests, errs = ada.seen.take()
	if !hasPrefix(requests, s3Origin+"/"+bucket+"/avatar-uploads/") || !hasPrefix(requests, s.URL+"/settings/avatar") {
		t.Errorf("the malformed picture's way: %v", requests)
	}
	for _, e := range errs {
		if !strings.Contains(e, "status of 400") {
			t.Errorf("console error: %s", e)
		}
	}
	if inv := browsertest.Get(ada.Session, "the field is marked", chromedp.Evaluate[string](
		`document.getElementById("picture").getAttribute("aria-invalid") || ""`)); inv != "true" {
		t.Errorf("the picture field is not marked invalid (%q)", inv)
	}
	ada.audit("settings, a malformed picture refused")
	ada.at(390, "avatars-direct-upload-refused")
}

func hasPrefix(urls []string, prefix string) bool {
	for _, u := range urls {
		if strings.HasPrefix(u, prefix) {
			return true
		}
	}
	return false
}
