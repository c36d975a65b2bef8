package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/localcloud"
)

// A member attaches a file through the thread page's own upload control:
// the test only chooses the file (as a person would in the file picker) and
// presses "Attach file"; app.js asks Quorum for the presigned PUT, sends the
// file from the browser straight to storage (versitygw) with the signed
// SSE-KMS headers, and confirms. The page's CSP allows exactly the bucket's
// origin in connect-src, and the bucket's CORS rule (as in the cloud) allows
// the site's origin: before the rule is set the browser refuses the PUT, so
// both are load-bearing. The attachment link then downloads the file in the
// browser.
func TestUploadThroughThePage(t *testing.T) {
	t.Parallel()
	s := newRealSite(t)
	ada := s.person(t, "ada", "Ada Uploader")
	ctx := context.Background()
	s3Origin := s.env.Clients.UploadOrigin // path style: http://127.0.0.1:<port>
	bucket := s.env.Config.UploadsBucket
	if s3Origin != s.env.Config.S3Endpoint {
		t.Fatalf("upload origin %q, want the S3 endpoint %q", s3Origin, s.env.Config.S3Endpoint)
	}

	ada.signedUp() // a minted session: signing in is other tests' subject
	ada.open("/groups/new")
	ada.fill("Name", "Allotment Society")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	ada.follow("Threads")
	ada.follow("New thread")
	ada.fill("Title", "Spring planting")
	ada.fill("Description", "The seed order is attached.")
	ada.submit("Start thread")
	ada.sees("Your thread is started", "Spring planting")
	threadPath := ada.path()

	// The thread page allows the bucket's origin, and only it, in connect-src.
	resp := browsertest.Get(ada.Session, "open the thread", chromedp.NavigateResponse(s.URL+threadPath))
	csp, _ := resp.Headers["Content-Security-Policy"].(string)
	if !strings.Contains(csp, "connect-src 'self' "+s3Origin+";") || strings.Count(csp, "http") != 1 || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("thread page CSP %q: want connect-src 'self' %s and no other origin", csp, s3Origin)
	}

	content := "Seed order\n- 2 packets broad beans\n- 1 packet chard\n"
	file := filepath.Join(t.TempDir(), "seed-order.txt")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	attach := func(step string) string {
		t.Helper()
		ada.Do(step+": choose the file", chromedp.SetUploadFiles(ada.field("File"), []string{file}))
		ada.Do(step+": attach", chromedp.Click(ada.button("Attach file")))
		return waitUpload(t, ada)
	}

	// Without a CORS rule on the bucket, the browser refuses the PUT (no
	// CSP violation: the CSP allows the origin; CORS is what is missing).
	got := attach("without CORS")
	if !strings.HasPrefix(got, "The file was not attached") {
		t.Fatalf("upload without a CORS rule: %q", got)
	}
	t.Logf("without a CORS rule the page says: %s", got)
	if v := browsertest.Get(ada.Session, "CSP violations", chromedp.Evaluate[[]string](`window.__cspViolations || ["(recorder missing)"]`)); len(v) != 0 {
		t.Fatalf("CSP violations: %v", v)
	}
	ada.open(threadPath)
	ada.notSees("seed-order.txt")
	ada.seen.take() // the refused PUT's console errors

	// With the cloud's rule for the site's origin, the page's own script
	// uploads, confirms and reloads; the attachment is listed.
	if err := localcloud.EnsureUploadsCors(ctx, s.env.S3, bucket, s.URL); err != nil {
		t.Fatal(err)
	}
	if got = attach("with CORS"); got != "attached" {
		t.Fatalf("upload through the page: %q", got)
	}
	ada.sees("seed-order.txt")
	requests, errs := ada.seen.take()
	put := false
	for _, u := range requests {
		switch {
		case strings.HasPrefix(u, s.URL+"/"):
		case strings.HasPrefix(u, s3Origin+"/"+bucket+"/"):
			put = true
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

	// The attachment link downloads the file in the browser.
	dir := t.TempDir()
	done := make(chan browser.EventDownloadProgress, 4)
	if err := chromedp.ListenBrowser(ada.Ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State != browser.DownloadProgressStateInProgress {
			select {
			case done <- *e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := chromedp.CallBrowser(ada.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(ada.Ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: &yes,
	}); err != nil {
		t.Fatal(err)
	}
	ada.Do("download", chromedp.Click(`a[download]`))
	select {
	case e := <-done:
		if e.State != browser.DownloadProgressStateCompleted {
			t.Fatalf("download %s: %s", e.GUID, e.State)
		}
		got, err := os.ReadFile(filepath.Join(dir, e.GUID))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Fatalf("downloaded %q, want %q", got, content)
		}
	case <-time.After(browsertest.StepTimeout):
		t.Fatal("the download did not complete")
	}
}

// waitUpload waits for app.js to finish an upload: "attached" once the page
// reloaded with the attachment listed, else the status it reported.
func waitUpload(t *testing.T, p *person) string {
	t.Helper()
	deadline := time.Now().Add(browsertest.StepTimeout)
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(p.Ctx, 2*time.Second)
		// Errors (the page reloading under the query) mean: not yet.
		got, err := chromedp.Run(c, chromedp.Evaluate[string](`(() => {
  const status = (document.querySelector(".upload-status") || {}).textContent || "";
  if (status.startsWith("The file was not attached")) return status;
  if (!status && document.querySelector("a[download]")) return "attached";
  return "";
})()`))
		cancel()
		if err == nil && got != "" {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	status, _ := chromedp.Run(p.Ctx, chromedp.Text(chromedp.CSS(".upload-status")))
	t.Fatalf("the upload did not finish (status %q)", status)
	return ""
}
