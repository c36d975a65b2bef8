package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/web"
)

// The harness drives real Chromium against the web shell: the home page
// renders, its stylesheet applies under the strict CSP, axe-core reports no
// serious issues, and an inaccessible page is caught.
func TestHarnessOnWebShell(t *testing.T) {
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Web: r})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s)
	mux.HandleFunc("/bad", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><html><head><title>x</title></head><body><main><form><input type="text"></form><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	b := browsertest.Start(t)
	sess := b.NewSession(t)
	sess.Do("open home", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if txt := sess.Text(); !strings.Contains(txt, "Discuss and decide together") {
		t.Fatalf("home text: %q", txt)
	}
	// The stylesheet is served from 'self' and applies despite the CSP.
	bg := browsertest.Get(sess, "computed style", chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.site")).borderBottomStyle`))
	if bg != "solid" {
		t.Fatalf("stylesheet not applied: border-bottom-style %q", bg)
	}
	sess.RequireAccessible("home")

	sess.Do("open bad page", chromedp.Navigate(ts.URL+"/bad"))
	vs := sess.Axe()
	ids := []string{}
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	if !strings.Contains(strings.Join(ids, ","), "label") && !strings.Contains(strings.Join(ids, ","), "image-alt") {
		t.Fatalf("axe missed obvious violations: %v", ids)
	}

	// Two sessions do not share cookies.
	other := b.NewSession(t)
	sess.Do("open home again", chromedp.Navigate(ts.URL+"/"))
	browsertest.Get(sess, "set cookie", chromedp.Evaluate[string](`document.cookie = "probe=1; path=/"`))
	other.Do("open home in the other session", chromedp.Navigate(ts.URL+"/"))
	got := browsertest.Get(other, "read cookie", chromedp.Evaluate[string](`document.cookie`))
	if strings.Contains(got, "probe=1") {
		t.Fatal("sessions share cookies")
	}
}
