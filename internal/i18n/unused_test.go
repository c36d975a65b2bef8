package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keyUses collects what the product's code could name a catalog key with:
// every string literal of the non-test Go files, every string inside the
// {{actions}} of the templates, every string literal of the JavaScript.
// A literal that is a key uses it; a literal that is a key's stem (ends in
// "." or "_", or is a stem followed by a format verb: "page.thread.level.%s",
// {{print "page.group.tab." .Tab}}) uses every key that starts with it.
type keyUses struct {
	literals map[string]bool
	stems    map[string]bool
}

var (
	templateAction = regexp.MustCompile(`(?s)\{\{(.*?)\}\}`)
	templateString = regexp.MustCompile("\"(?:[^\"\\\\\\n]|\\\\.)*\"|`[^`]*`")
	jsString       = regexp.MustCompile("\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*'|`[^`]*`")
	keyStem        = regexp.MustCompile(`^([a-z0-9_]+(?:\.[a-z0-9_]+)*[._])(?:%[sdvq].*)?$`)
)

func (u *keyUses) add(s string) {
	u.literals[s] = true
	if m := keyStem.FindStringSubmatch(s); m != nil && strings.Contains(m[1], ".") {
		u.stems[m[1]] = true
	}
}

// uses reports whether key is named by the code.
func (u *keyUses) uses(key string) bool {
	if u.literals[key] {
		return true
	}
	for s := range u.stems {
		if strings.HasPrefix(key, s) {
			return true
		}
	}
	return false
}

func (u *keyUses) addTemplate(src string) {
	for _, a := range templateAction.FindAllStringSubmatch(src, -1) {
		for _, lit := range templateString.FindAllString(a[1], -1) {
			if s, err := strconv.Unquote(lit); err == nil {
				u.add(s)
			}
		}
	}
}

func (u *keyUses) addJS(src string) {
	for _, lit := range jsString.FindAllString(src, -1) {
		body := lit[1 : len(lit)-1]
		if lit[0] == '\'' {
			lit = strconv.Quote(strings.ReplaceAll(body, `\'`, `'`))
		}
		if s, err := strconv.Unquote(lit); err == nil {
			u.add(s)
		} else {
			u.add(body)
		}
	}
}

func (u *keyUses) addGo(t *testing.T, fset *token.FileSet, path string) {
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, err := strconv.Unquote(b.Value); err == nil {
				u.add(s)
			}
		}
		return true
	})
}

// scanUses walks the repository at root (tests, test data, the catalogs,
// docs and node_modules left out).
func scanUses(t *testing.T, root string) *keyUses {
	t.Helper()
	u := &keyUses{literals: map[string]bool{}, stems: map[string]bool{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "vendor", "testdata", ".git", ".bin", "locales", "docs", "cdk.out":
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, "_test.go"):
		case strings.HasSuffix(name, ".go"):
			u.addGo(t, fset, path)
		case strings.HasSuffix(name, ".html"), strings.HasSuffix(name, ".tmpl"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			u.addTemplate(string(b))
		case strings.HasSuffix(name, ".js"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			u.addJS(string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// englishKeys reads every English catalog: key → file.
func englishKeys(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("locales/*/en.json")
	files = append(files, "locales/en.json")
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k := range m {
			out[k] = f
		}
	}
	return out
}

// Every catalog key is named by a template, the Go code or the
// JavaScript: a message nothing shows any more is removed (from every
// language), so translators do not keep wording it and the catalogs say
// what the product says.
func TestEveryCatalogKeyIsUsed(t *testing.T) {
	keys := englishKeys(t)
	u := scanUses(t, "../..")
	if len(u.literals) < 2000 || !u.uses("page.thread.level.loud") {
		t.Fatalf("%d literals found, page.thread.level.%%s not seen: is the walk looking at the repository?", len(u.literals))
	}
	var unused []string
	for k, f := range keys {
		if !u.uses(k) {
			unused = append(unused, f+": "+strconv.Quote(k))
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("%d catalog keys are used by no template, Go code or JavaScript (remove them from every language):\n%s",
			len(unused), strings.Join(unused, "\n"))
	}
}

// The detector sees each way a key is named, and only those.
func TestKeyUsesFindsEachWayOfNaming(t *testing.T) {
	u := &keyUses{literals: map[string]bool{}, stems: map[string]bool{}}
	u.addTemplate(`<p title="{{t "page.a.title"}}">{{t (printf "page.a.level.%s" .L)}} {{tn "count.x" 2}} {{t (print "page.a.tab." .T)}}</p> page.a.text_outside`)
	u.addJS(`msg('page.js.single'); x = "page.js.double"; y = ` + "`page.js.back`")
	fset := token.NewFileSet()
	dir := t.TempDir()
	src := "package x\nconst k = \"page.go.const\"\nvar f = \"%s\\n\\n%s\"\nvar e = \"header \\\"Bearer\\\"\"\nvar s = \"page.go.kind_\"\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	u.addGo(t, fset, filepath.Join(dir, "x.go"))
	for _, k := range []string{"page.a.title", "page.a.level.loud", "count.x", "page.a.tab.members", "page.js.single", "page.js.double",
		"page.js.back", "page.go.const", "%s\n\n%s", `header "Bearer"`, "page.go.kind_one"} {
		if !u.uses(k) {
			t.Errorf("%q is named but not seen", k)
		}
	}
	for _, k := range []string{"page.a.text_outside", "page.a.other", "page.go.constant", "count.y", "page.b.level.loud"} {
		if u.uses(k) {
			t.Errorf("%q is not named but seen as used", k)
		}
	}
}
