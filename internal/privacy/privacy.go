// Package privacy holds the inventory of what Quorum stores about people
// (docs/privacy.md) and the checks that keep that page true: every kind of
// table item, its key layout, its attributes (personal or not), how long it
// is kept, and the bucket prefixes that hold personal data.
package privacy

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Kind is one section of the inventory: a kind of table item.
type Kind struct {
	Name string
	// PK and SK match the item's keys (SK nil: any).
	PK, SK *regexp.Regexp
	// TTL is set when the kind is always kept under a TTL ("**Kept**: TTL").
	TTL bool
	// Unobserved is set when the section says the test world cannot
	// produce the kind ("Not in the test world").
	Unobserved bool
	// Attributes maps a name, or a family ending in "*", to its
	// personal-data class (P, C, L or –).
	Attributes map[string]string
}

// Inventory is docs/privacy.md read by machine.
type Inventory struct {
	// Common are the attributes every item may carry.
	Common map[string]string
	Kinds  map[string]*Kind
	// Prefixes are the documented object key prefixes per bucket role.
	Prefixes map[string][]string
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	classes    = map[string]bool{"P": true, "C": true, "L": true, "–": true, "P, C": true}
)

// Load reads the inventory from the file at path (docs/privacy.md).
func Load(path string) (*Inventory, error) {
	f, err := os.Open(path) // #nosec G304 -- a path chosen by the caller (tests, tools)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	inv, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return inv, nil
}

// Parse reads the inventory from docs/privacy.md.
func Parse(r io.Reader) (*Inventory, error) {
	inv := &Inventory{Common: map[string]string{}, Kinds: map[string]*Kind{}, Prefixes: map[string][]string{}}
	var (
		cur     *Kind
		section string
		line    int
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "## "):
			section, cur = strings.TrimSpace(l[3:]), nil
		case strings.HasPrefix(l, "### "):
			name := strings.TrimSpace(l[4:])
			if inv.Kinds[name] != nil {
				return nil, fmt.Errorf("line %d: kind %q twice", line, name)
			}
			cur = &Kind{Name: name, Attributes: map[string]string{}}
			inv.Kinds[name] = cur
		case cur != nil && strings.HasPrefix(l, "Key `"):
			keys := backticked.FindAllStringSubmatch(l, 2)
			pk, err := keyPattern(keys[0][1])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			cur.PK = pk
			if len(keys) > 1 && strings.Contains(l, "` / `") {
				if cur.SK, err = keyPattern(keys[1][1]); err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
			}
			fallthrough
		case cur != nil && !strings.HasPrefix(l, "|"):
			cur.TTL = cur.TTL || strings.Contains(l, "**Kept**: TTL")
			cur.Unobserved = cur.Unobserved || strings.Contains(l, "Not in the test world")
		case section == "Buckets" && strings.HasPrefix(l, "| ") && strings.Contains(l, "`"):
			cells := strings.Split(strings.Trim(l, "|"), "|")
			{
				if len(cells) < 2 {
					return nil, fmt.Errorf("line %d: a bucket row needs a bucket and a prefix", line)
				}
				role := strings.TrimSpace(cells[0])
				for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
					inv.Prefixes[role] = append(inv.Prefixes[role], m[1])
				}
			}
		case strings.HasPrefix(l, "| `"):
			cells := strings.Split(strings.Trim(l, "|"), "|")
			if len(cells) < 3 {
				return nil, fmt.Errorf("line %d: an attribute row needs a name, a class and a reason", line)
			}
			class := strings.TrimSpace(cells[1])
			if !classes[class] {
				return nil, fmt.Errorf("line %d: %q is not a class (P, C, L or –)", line, class)
			}
			into := inv.Common
			switch {
			case cur != nil:
				into = cur.Attributes
			case section != "Every item":
				continue // a table outside the inventory (e.g. where data lives)
			}
			for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
				if _, dup := into[m[1]]; dup {
					return nil, fmt.Errorf("line %d: attribute %s twice", line, m[1])
				}
				into[m[1]] = class
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, k := range inv.Kinds {
		if k.PK == nil {
			return nil, fmt.Errorf("kind %s: no key layout (a line starting with Key `...`)", k.Name)
		}
	}
	return inv, nil
}

// keyPattern turns a documented key such as `THREAD#<tid>` or
// `WITHDRAW#<gid>#<uid>[#<tid>]` into an anchored expression: each
// <placeholder> stands for one or more characters, [...] is optional.
func keyPattern(doc string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	for i := 0; i < len(doc); i++ {
		switch c := doc[i]; c {
		case '<':
			end := strings.IndexByte(doc[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("key %q: unclosed <", doc)
			}
			b.WriteString(".+")
			i += end
		case '[':
			depth++
			b.WriteString("(?:")
		case ']':
			depth--
			b.WriteString(")?")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("key %q: unbalanced [ ]", doc)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// KindOf names the kind of a table item: its Type attribute, or for the
// search index's postings, which are written without one to stay small,
// "search_posting". Anything else without a Type is "(<PK prefix>)", which
// no section of the inventory names.
func KindOf(pk, typ string) string {
	if typ != "" {
		return typ
	}
	p, _, _ := strings.Cut(pk, "#")
	if p == "SEARCH" {
		return "search_posting"
	}
	return "(" + p + ")"
}

// Class is the documented class of attribute attr on an item of kind k
// (its own entry, a family "X*", or an attribute every item has).
func (inv *Inventory) Class(k *Kind, attr string) (string, bool) {
	if c, ok := k.Attributes[attr]; ok {
		return c, true
	}
	if c, ok := inv.Common[attr]; ok {
		return c, true
	}
	for name, c := range k.Attributes {
		if strings.HasSuffix(name, "*") && strings.HasPrefix(attr, strings.TrimSuffix(name, "*")) {
			return c, true
		}
	}
	return "", false
}

// Item is what Check needs of one stored item.
type Item struct {
	PK, SK, Type string
	Attributes   []string
	HasTTL       bool
}

// Check compares stored items with the inventory and returns every
// disagreement, sorted: an unknown kind, an undocumented attribute, keys
// that do not match the documented layout, an ephemeral kind without a
// TTL. Each problem is reported once per kind and attribute.
func (inv *Inventory) Check(items []Item) (problems []string, seen map[string]int) {
	seen = map[string]int{}
	once := map[string]bool{}
	report := func(format string, a ...any) {
		p := fmt.Sprintf(format, a...)
		if !once[p] {
			once[p] = true
			problems = append(problems, p)
		}
	}
	for _, it := range items {
		name := KindOf(it.PK, it.Type)
		seen[name]++
		k := inv.Kinds[name]
		if k == nil {
			report("kind %s (e.g. %s / %s) has no section in docs/privacy.md", name, it.PK, it.SK)
			continue
		}
		if !k.PK.MatchString(it.PK) || (k.SK != nil && !k.SK.MatchString(it.SK)) {
			report("kind %s: key %s / %s does not match the documented layout", name, it.PK, it.SK)
		}
		for _, a := range it.Attributes {
			if _, ok := inv.Class(k, a); !ok {
				report("kind %s: attribute %s is not in docs/privacy.md", name, a)
			}
		}
		if k.TTL && !it.HasTTL {
			report("kind %s is documented as kept under a TTL but %s / %s has none", name, it.PK, it.SK)
		}
	}
	sort.Strings(problems)
	return problems, seen
}
