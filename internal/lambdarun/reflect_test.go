package lambdarun

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A function that reaches reflect.Value.Method or MethodByName with a
// name known only at run time (text/template and html/template execution
// do, for every field they evaluate) makes the linker keep every exported
// method of every type the program links: the mailer and the scheduler
// were 34 MB for it instead of 19. Only the api function, whose pages are
// html/template, may; the others word their messages with internal/i18n's
// own placeholders and write their emails and export pages in Go. This
// links each non-api function as deployed and reads the linker's
// reachability graph (-ldflags=-dumpdep): no reached function may be one
// the compiler marked as such a reflective method call, and none may be
// template execution.
func TestFunctionsWithoutHTTPDoNotExecuteTemplates(t *testing.T) {
	root, fns := functions(t)
	for _, fn := range fns {
		if fn == "api" {
			continue
		}
		t.Run(fn, func(t *testing.T) {
			parent, reflective := linkGraph(t, root, fn)
			if len(parent) < 1000 {
				t.Fatalf("the linker reported %d reached symbols: is -dumpdep still the flag?", len(parent))
			}
			for _, sym := range reflective {
				t.Errorf("functions/%s reaches %s, a reflective method call, which keeps every exported method "+
					"of every type; reached through:\n%s", fn, sym, chain(parent, sym))
			}
			for sym := range parent {
				if strings.HasPrefix(sym, "text/template.(*Template).execute") {
					t.Errorf("functions/%s executes a template; reached through:\n%s", fn, chain(parent, sym))
				}
			}
		})
	}
}

// linkGraph links functions/fn as deployed with the linker's -dumpdep and
// returns each reached symbol's first reacher, and the reached functions
// marked <ReflectMethod>.
// Each function is linked once per test run, whichever test asks first
// (TestFunctionsWithoutHTTPDoNotExecuteTemplates and
// TestFunctionsLinkOnlyWhatTheyUse read the same graph and binary): a
// deployed link with -dumpdep costs seconds of CPU.
func linkGraph(t *testing.T, root, fn string) (parent map[string]string, reflective []string) {
	t.Helper()
	l := linkOnce(t, root, fn)
	return l.parent, l.reflective
}

// linked is one function's link: its graph and the binary as deployed.
type linked struct {
	parent     map[string]string
	reflective []string
	bin        string
}

var links struct {
	mu  sync.Mutex
	dir string // removed by TestMain
	by  map[string]*linked
}

// linkOnce links functions/fn as deployed (the first time it is asked for)
// into a directory TestMain removes.
func linkOnce(t *testing.T, root, fn string) *linked {
	t.Helper()
	links.mu.Lock()
	defer links.mu.Unlock()
	if l := links.by[fn]; l != nil {
		return l
	}
	if links.dir == "" {
		dir, err := os.MkdirTemp("", "lambdarun-links-")
		if err != nil {
			t.Fatal(err)
		}
		links.dir, links.by = dir, map[string]*linked{}
	}
	l := &linked{bin: filepath.Join(links.dir, fn)}
	l.parent, l.reflective = linkGraphTo(t, root, fn, l.bin)
	links.by[fn] = l
	return l
}

// removeLinks removes what linkOnce wrote.
func removeLinks() {
	if links.dir != "" {
		os.RemoveAll(links.dir)
	}
}

// linkGraphTo is linkGraph writing the binary, as deployed, to bin.
func linkGraphTo(t *testing.T, root, fn, bin string) (parent map[string]string, reflective []string) {
	t.Helper()
	args := []string{"build"}
	for _, f := range BuildFlags {
		if strings.HasPrefix(f, "-ldflags=") {
			f += " -dumpdep"
		}
		args = append(args, f)
	}
	args = append(args, "-o", bin, "./functions/"+fn)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+DeployArch, "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build ./functions/%s: %v\n%.2000s", fn, err, out.String())
	}
	parent = map[string]string{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " -> ")
		if !ok {
			continue
		}
		from, marked := strings.CutSuffix(from, " <ReflectMethod>")
		from = trimAttrs(from)
		if marked && !seen[from] {
			seen[from] = true
			reflective = append(reflective, from)
		}
		if to = trimAttrs(to); parent[to] == "" {
			parent[to] = from
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return parent, reflective
}

// trimAttrs drops the linker's " <Attr>" notes after a symbol.
func trimAttrs(s string) string {
	if i := strings.Index(s, " <"); i >= 0 {
		return s[:i]
	}
	return s
}

// chain is how sym was reached, from sym back to the program's entry (at
// most 25 steps).
func chain(parent map[string]string, sym string) string {
	var b strings.Builder
	for i := 0; i < 25 && sym != ""; i++ {
		b.WriteString("\t" + sym + "\n")
		sym = parent[sym]
	}
	return b.String()
}
