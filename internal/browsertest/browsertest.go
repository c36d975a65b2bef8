// Package browsertest drives Debian's headless Chromium through chromedp for
// Quorum's browser tests, and runs axe-core (from the pinned npm package)
// inside pages to check accessibility. Each Session is an isolated browser
// context: its own cookies and storage, like a separate person.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/localcloud"
)

// Browser is one Chromium process.
type Browser struct {
	alloc context.Context
	root  context.Context
	axe   string
}

// ChromiumPath finds Debian's chromium (CHROMIUM overrides).
func ChromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium is not installed: run `make chromium` (apt-get install chromium)")
}

// Start launches headless Chromium for the test (closed at cleanup). A test
// that needs a browser and cannot start one fails; it is never skipped.
func Start(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test (headless Chromium): runs in `make test`, not with -short")
	}
	path, err := ChromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	axe, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (run make tools): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	rootCtx, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(rootCtx); err != nil {
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	return &Browser{alloc: alloc, root: rootCtx, axe: string(axe)}
}

// StepTimeout bounds one browser step (an action, a navigation, a wait for
// an email or a page to show something). It only matters when a step
// fails; it is generous because browser tests run several at once beside
// other packages on a loaded 2-core machine.
const StepTimeout = 60 * time.Second

// Session is an isolated browser context with one tab.
type Session struct {
	Ctx context.Context
	b   *Browser
	t   testing.TB
}

// NewSession opens a new isolated browser context (own cookie jar).
func (b *Browser) NewSession(t testing.TB) *Session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	return &Session{Ctx: ctx, b: b, t: t}
}

// Do runs actions in order with a per-call timeout, failing the test with
// the step name and the page it was on.
func (s *Session) Do(step string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	Get(s, step, chromedp.Steps(actions...))
}

// Get runs one action that returns a value, failing the test on error.
func Get[T any](s *Session, step string, a chromedp.Action[T]) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.Ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		url, _ := chromedp.Run(s.Ctx, chromedp.Location())
		s.t.Fatalf("%s: %v (at %s)", step, err, url)
	}
	return v
}

// Text returns the visible text of the page body. Reading it queries the
// body node and then its text; when the document is replaced in between (a
// navigation finishing on a loaded machine: "No node with given id
// found"), it reads again, up to five times.
func (s *Session) Text() string {
	s.t.Helper()
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(250 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(s.Ctx, StepTimeout)
		var txt string
		txt, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		cancel()
		if err == nil {
			return txt
		}
	}
	url, _ := chromedp.Run(s.Ctx, chromedp.Location())
	s.t.Fatalf("read page text: %v (at %s)", err, url)
	return ""
}

// URL returns the current location.
func (s *Session) URL() string {
	s.t.Helper()
	return Get(s, "read location", chromedp.Location())
}

// Violation is one axe-core finding.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// Axe runs axe-core in the current page and returns serious and critical
// violations. The script is evaluated through the DevTools protocol, which
// the page's CSP does not restrict; the page itself stays unchanged.
func (s *Session) Axe() []Violation {
	s.t.Helper()
	script := s.b.axe + `;
(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical"));
})()`
	raw := Get(s, "run axe-core", chromedp.Evaluate[string](script, func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		s.t.Fatalf("axe result: %v", err)
	}
	return vs
}

// RequireAccessible fails the test when axe finds serious or critical issues.
func (s *Session) RequireAccessible(page string) {
	s.t.Helper()
	if vs := s.Axe(); len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintf(&b, "\n  %s (%s): %s %v", v.ID, v.Impact, v.Help, v.Nodes)
		}
		s.t.Errorf("accessibility violations on %s:%s", page, b.String())
	}
}
