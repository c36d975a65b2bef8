package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"testing"
)

const storePath = "github.com/quorum-app/quorum/internal/store"

// storeComposers may name the concrete *store.Store: the store itself and
// the composition roots that build it and hand it to the cores.
var storeComposers = []string{
	"internal/store/",
	"internal/cores/",
	"internal/testkit/",
	"internal/cmd/",
	"functions/",
}

// Every core holds the storage it consumes, an interface it declares
// (docs/architecture.md#storage-each-core-declares-what-it-consumes), never
// the concrete store: outside the store and the composition roots, no
// non-test file names store.Store (a field, parameter, result or variable).
func TestCoresHoldTheirStorageNotTheStore(t *testing.T) {
	seen := 0
	eachSource(t, func(rel, path string) error {
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		uses := storeUses(t, rel, src)
		seen += len(uses)
		if under(rel, storeComposers) {
			return nil
		}
		for _, at := range uses {
			t.Errorf("%s names store.Store: hold the core's storage interface (a field, parameter or variable of it), built of store's roles", at)
		}
		return nil
	})
	if seen == 0 {
		t.Fatal("found no use of store.Store at all, not even in the composition roots: is this test still reading the module?")
	}
}

// storeUses lists where src names store.Store, as "file:line".
func storeUses(t *testing.T, name string, src []byte) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	local := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == storePath {
			local = "store"
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
	}
	if local == "" || local == "_" {
		return nil
	}
	var at []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Store" {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
			at = append(at, fset.Position(sel.Pos()).String())
		}
		return true
	})
	return at
}

// The rule sees the concrete store however it is named and wherever it
// stands, and not the cores' storage built of store's roles.
func TestStoreUsesFindsTheConcreteStore(t *testing.T) {
	src := `package p
import (
	st "` + storePath + `"
)
type storage interface{ st.Getter }
type core struct{ a *st.Store; b storage }
func New(x *st.Store) (*st.Store, error) { var y *st.Store = x; return y, nil }
`
	if got := storeUses(t, "p.go", []byte(src)); len(got) != 4 {
		t.Fatalf("found %d uses, want 4 (field, parameter, result, variable): %v", len(got), got)
	}
	if got := storeUses(t, "q.go", []byte("package q\ntype Store struct{}\nvar s *Store\n")); len(got) != 0 {
		t.Fatalf("a type of the file's own named Store is not the store: %v", got)
	}
}
