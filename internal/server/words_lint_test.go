package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// englishWords is a string literal holding words of a sentence (two words
// of letters in a row).
var englishWords = regexp.MustCompile(`[A-Za-z]{2,} [A-Za-z]{2,}`)

// TestHandlersBuildNoEnglish fails when a handler builds text a reader
// sees from English of its own, which the catalogs cannot translate
// (docs/i18n.md): a page title given as English (s.web.Page's title), a
// sentence joined from English and a value ("Held mail of " + name), or
// a Forbidden reason built at run time (authz.Forbidden("… " + name): its
// English is the errors catalog's key only when it is a literal).
// Logs, URLs and dev_mail (a developer tool) are not read by members.
func TestHandlersBuildNoEnglish(t *testing.T) {
	// This package and the handlers it composes: the JSON API, the pages
	// and what both share.
	var files []string
	for _, dir := range []string{".", "../api", "../web/pages", "../handlerkit"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	if len(files) < 50 {
		t.Fatalf("found %d handler files; the directories moved?", len(files))
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				// an error's or a value's text for logs and programs
				return x.Name.Name != "Error" && x.Name.Name != "String"
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if isLog(sel) {
					return false // a log message and its values
				}
				switch {
				case sel.Sel.Name == "Page" && len(x.Args) == 6:
					if name, _ := literal(x.Args[3]); name != "dev_mail" && holdsEnglish(x.Args[4]) {
						t.Errorf("%s: the page title is English; word it with the reader's printer", fset.Position(x.Args[4].Pos()))
					}
				case sel.Sel.Name == "Forbidden" && len(x.Args) == 1:
					if _, ok := literal(x.Args[0]); !ok {
						t.Errorf("%s: a Forbidden reason built at run time stays English; use domain.Errorf(domain.Forbidden, format, values)", fset.Position(x.Pos()))
					}
				}
			case *ast.BinaryExpr:
				if x.Op != token.ADD {
					return true
				}
				for _, side := range []ast.Expr{x.X, x.Y} {
					if s, ok := literal(side); ok && englishWords.MatchString(s) {
						t.Errorf("%s: English joined with a value at run time (%q); use a catalog message with the value", fset.Position(side.Pos()), s)
					}
				}
			}
			return true
		})
	}
}

func literal(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// holdsEnglish: e is, or joins, a literal with letters other than "Quorum".
func holdsEnglish(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "T" || sel.Sel.Name == "N") {
				return false // a catalog key and its values
			}
		}
		if s, ok := literal(asExpr(n)); ok && strings.TrimSpace(strings.ReplaceAll(s, "Quorum", "")) != "" &&
			strings.ContainsFunc(strings.ReplaceAll(s, "Quorum", ""), isLetter) {
			found = true
		}
		return !found
	})
	return found
}

func asExpr(n ast.Node) ast.Expr {
	e, _ := n.(ast.Expr)
	return e
}

func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// isLog: a call of a logger (slog's methods, log.Printf) or of an error
// wrapper whose text only reaches logs.
func isLog(sel *ast.SelectorExpr) bool {
	switch sel.Sel.Name {
	case "InfoContext", "WarnContext", "ErrorContext", "DebugContext", "Info", "Warn", "Debug", "Printf", "Errorf", "Log":
		if id, ok := sel.X.(*ast.Ident); ok && (id.Name == "fmt" || id.Name == "domain") && sel.Sel.Name == "Errorf" {
			return id.Name == "fmt"
		}
		return true
	}
	return false
}
