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
	"sync"
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

// ChromiumPath finds Debian's Chromium (CHROMIUM overrides): its headless
// shell (the Debian package chromium-headless-shell, `make chromium`) when
// installed, else the browser itself. The shell is the same Blink, V8 and
// network stack without the browser's user interface, profile and
// services, which is all the tests use: measured on internal/e2e's tests,
// it costs a fifth of the CPU per new browser context (~0.2 s against
// ~1.1 s), under half per page load, and ~3.5 s less to start.
func ChromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser"} {
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
	b, stop, err := launch(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return b
}

// shared is the one Chromium of a test binary (Shared).
var shared struct {
	mu   sync.Mutex
	b    *Browser
	stop func()
	dir  string
}

// Shared is Start with one Chromium for the whole test binary: the first
// test that asks launches it, the next ones get the same process, and
// StopShared (from TestMain, after the tests) closes it. Every Session is
// still a browser context of its own (own cookies, storage and tabs), so
// tests stay isolated; what they share is the browser process and its
// start-up, which cost each test of internal/e2e about a second of CPU and
// ~300 MB. A shared Chromium that has died is launched again.
func Shared(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test (headless Chromium): runs in `make test`, not with -short")
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b != nil && shared.b.root.Err() == nil {
		return shared.b
	}
	stopShared()
	dir, err := os.MkdirTemp("", "quorum-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	b, stop, err := launch(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatal(err)
	}
	shared.b, shared.stop, shared.dir = b, stop, dir
	return b
}

// StopShared closes the Chromium of Shared, if one was launched.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	stopShared()
}

func stopShared() {
	if shared.stop != nil {
		shared.stop()
		_ = os.RemoveAll(shared.dir)
	}
	shared.b, shared.stop, shared.dir = nil, nil, ""
}

// launch starts Chromium with its profile in dir.
func launch(dir string) (*Browser, func(), error) {
	path, err := ChromiumPath()
	if err != nil {
		return nil, nil, err
	}
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		return nil, nil, err
	}
	axe, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return nil, nil, fmt.Errorf("axe-core is not installed (run make tools): %w", err)
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
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	}
	// QUORUM_CHROMIUM_FLAGS adds flags (space-separated, "--name" or
	// "--name=value"), to measure others.
	for _, f := range strings.Fields(os.Getenv("QUORUM_CHROMIUM_FLAGS")) {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	rootCtx, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(rootCtx); err != nil {
		cancelRoot()
		cancelAlloc()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return &Browser{alloc: alloc, root: rootCtx, axe: string(axe)}, func() { cancelRoot(); cancelAlloc() }, nil
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
