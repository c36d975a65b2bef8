package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// keyOwners are key prefixes with one owner (docs/data-model.md, "Who owns
// what"): outside the listed packages no non-test file spells a string
// literal that begins with them. Others ask the owner, or take its key
// builders (group.MembershipKey, group.GuestKey).
var keyOwners = map[string][]string{
	"MEMBER#": {"internal/group/"},
	"GUEST#":  {"internal/group/"},
	// internal/recovery copies and deletes a whole group's raw items by
	// design, the handle with it.
	"HANDLE#": {"internal/group/", "internal/recovery/"},
}

func TestKeyPrefixesOnlyInTheirOwner(t *testing.T) {
	found := map[string]int{}
	eachSource(t, func(rel, path string) error {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for prefix, owners := range keyOwners {
				if !strings.HasPrefix(v, prefix) {
					continue
				}
				found[prefix]++
				if !under(rel, owners) {
					t.Errorf("%s: %q spells another owner's key (%s belongs to %s): ask the owner or use its key builder",
						fset.Position(lit.Pos()), v, prefix, strings.Join(owners, ", "))
				}
			}
			return true
		})
		return nil
	})
	for prefix := range keyOwners {
		if found[prefix] == 0 {
			t.Errorf("no literal %q found at all: the walk is broken or the prefix is gone (update keyOwners)", prefix)
		}
	}
}
