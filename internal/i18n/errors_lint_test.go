package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// errorFormats finds every string literal format given to a domain error
// constructor in the non-test Go files under root: domain.Errorf(code,
// "…"), domain.Wrap(code, err, "…"), fe.Add(field, "…") on a
// domain.FieldErrors, and the Message of a domain.FieldError or
// domain.Error literal. It returns each format with where it is used.
func errorFormats(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "vendor", "testdata", ".git", ".bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inDomain := f.Name.Name == "domain"
		// isDomain: the expression names domain.<name> (or <name> inside
		// package domain).
		isDomain := func(e ast.Expr, name string) bool {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				id, ok := x.X.(*ast.Ident)
				return ok && id.Name == "domain" && x.Sel.Name == name
			case *ast.Ident:
				return inDomain && x.Name == name
			case *ast.StarExpr:
				return false
			}
			return false
		}
		// Names declared as domain.FieldErrors (variables and parameters).
		fieldErrs := map[string]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			var names []*ast.Ident
			var typ ast.Expr
			switch x := n.(type) {
			case *ast.ValueSpec:
				names, typ = x.Names, x.Type
			case *ast.Field:
				names, typ = x.Names, x.Type
			default:
				return true
			}
			if s, ok := typ.(*ast.StarExpr); ok {
				typ = s.X
			}
			if typ != nil && isDomain(typ, "FieldErrors") {
				for _, id := range names {
					fieldErrs[id.Name] = true
				}
			}
			return true
		})
		// Wrappers: a function (declared, or a literal bound to a name)
		// that hands one of its string parameters to a constructor as the
		// format; a literal at that position of a call is a format too.
		wrappers := map[string]int{}
		paramUse := func(name string, ft *ast.FuncType, body *ast.BlockStmt) {
			if ft.Params == nil || body == nil {
				return
			}
			idx := map[string]int{}
			i := 0
			for _, p := range ft.Params.List {
				for _, n := range p.Names {
					idx[n.Name] = i
					i++
				}
				if len(p.Names) == 0 {
					i++
				}
			}
			use := func(e ast.Expr) {
				if id, ok := e.(*ast.Ident); ok {
					if j, ok := idx[id.Name]; ok {
						wrappers[name] = j
					}
				}
			}
			ast.Inspect(body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					switch {
					case isDomain(x.Fun, "Errorf") && len(x.Args) >= 2:
						use(x.Args[1])
					case isDomain(x.Fun, "Wrap") && len(x.Args) >= 3:
						use(x.Args[2])
					}
				case *ast.CompositeLit:
					if isDomain(x.Type, "FieldError") || isDomain(x.Type, "Error") {
						for _, el := range x.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
									use(kv.Value)
								}
							}
						}
					}
				}
				return true
			})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if x.Recv == nil {
					paramUse(x.Name.Name, x.Type, x.Body)
				}
			case *ast.AssignStmt:
				for i, rhs := range x.Rhs {
					if fl, ok := rhs.(*ast.FuncLit); ok && i < len(x.Lhs) {
						if id, ok := x.Lhs[i].(*ast.Ident); ok {
							paramUse(id.Name, fl.Type, fl.Body)
						}
					}
				}
			}
			return true
		})
		lit := func(e ast.Expr, at token.Pos) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return
			}
			s, err := strconv.Unquote(b.Value)
			if err == nil {
				out[s] = append(out[s], fset.Position(at).String())
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				switch {
				case isDomain(x.Fun, "Errorf") && len(x.Args) >= 2:
					lit(x.Args[1], x.Pos())
				case isDomain(x.Fun, "Wrap") && len(x.Args) >= 3:
					lit(x.Args[2], x.Pos())
				default:
					if id, ok := x.Fun.(*ast.Ident); ok {
						if j, ok := wrappers[id.Name]; ok && j < len(x.Args) {
							lit(x.Args[j], x.Pos())
						}
					}
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Add" && len(x.Args) >= 2 {
						if id, ok := sel.X.(*ast.Ident); ok && fieldErrs[id.Name] {
							lit(x.Args[1], x.Pos())
						}
					}
				}
			case *ast.CompositeLit:
				if isDomain(x.Type, "FieldError") || isDomain(x.Type, "Error") {
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
								lit(kv.Value, kv.Pos())
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every error message format in the code is a key of the English errors
// catalog (locales/errors/en.json), so every language can word it
// (TestCatalogsAreComplete then asks every catalog for it). Set
// QUORUM_ERRORS_MISSING=file to have the missing formats written there as
// JSON, ready to paste.
func TestErrorFormatsAreCatalogKeys(t *testing.T) {
	buf, err := os.ReadFile("locales/errors/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]any
	if err := json.Unmarshal(buf, &en); err != nil {
		t.Fatal(err)
	}
	found := errorFormats(t, "../..")
	if len(found) < 100 {
		t.Fatalf("only %d error formats found: is the walk looking at the repository?", len(found))
	}
	missing := map[string]string{}
	var lines []string
	for f, at := range found {
		if _, ok := en[f]; !ok {
			missing[f] = f
			lines = append(lines, at[0]+": "+strconv.Quote(f))
		}
	}
	for _, f := range []string{"the request has invalid fields", "an internal error occurred", "Please correct the following:"} {
		if _, ok := en[f]; !ok {
			missing[f] = f
			lines = append(lines, "domain/pages: "+strconv.Quote(f))
		}
	}
	if len(missing) == 0 {
		return
	}
	sort.Strings(lines)
	if path := os.Getenv("QUORUM_ERRORS_MISSING"); path != "" {
		b, _ := json.MarshalIndent(missing, "", "  ")
		_ = os.WriteFile(path, b, 0o600)
	}
	t.Errorf("%d error formats are not keys of locales/errors/en.json (add them, with their translations):\n%s",
		len(missing), strings.Join(lines, "\n"))
}
