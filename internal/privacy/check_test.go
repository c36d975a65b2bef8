package privacy

import (
	"strings"
	"testing"
)

const sample = "# Inventory\n\n## Every item\n\n| attribute | personal | why |\n|---|---|---|\n| `PK`, `SK` | – | keys |\n| `TTL` | – | expiry |\n\n" +
	"## People\n\n### session\nKey `SESSION#<hash>` / `SESSION`. **Kept**: TTL, 7 days.\n\n| attribute | personal | why |\n|---|---|---|\n| `UserID` | L | who |\n| `Device` | P | which browser |\n\n" +
	"### comment\nKey `THREAD#<tid>` / `ITEM#<id>`. **Kept**: with the thread.\n\n| attribute | personal | why |\n|---|---|---|\n| `Body` | C | text |\n| `R_*` | L | reactions |\n\n" +
	"### withdrawal\nKey `WITHDRAW#<gid>#<uid>[#<tid>]` / `WITHDRAW`. Not in the test world: transient.\n\n| attribute | personal | why |\n|---|---|---|\n| `UserID` | L | who |\n\n" +
	"## Buckets\n\n| bucket | prefix | personal | what |\n|---|---|---|---|\n| inbound | `raw/` | P, C | raw mail |\n"

func TestCheck(t *testing.T) {
	inv, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Kinds["session"].TTL || inv.Kinds["comment"].TTL || !inv.Kinds["withdrawal"].Unobserved {
		t.Fatalf("TTL / unobserved flags misread: %+v %+v %+v", inv.Kinds["session"], inv.Kinds["comment"], inv.Kinds["withdrawal"])
	}
	if got := inv.Prefixes["inbound"]; len(got) != 1 || got[0] != "raw/" {
		t.Fatalf("bucket prefixes: %v", got)
	}
	session := Item{PK: "SESSION#ab12", SK: "SESSION", Type: "session", Attributes: []string{"PK", "SK", "TTL", "UserID", "Device"}, HasTTL: true}
	comment := Item{PK: "THREAD#t1", SK: "ITEM#i1", Type: "comment", Attributes: []string{"PK", "SK", "Body", "R_heart", "R_+1"}}
	for _, c := range []struct {
		name  string
		items []Item
		want  string // "" for no problem
	}{
		{"documented items pass", []Item{session, comment, {PK: "WITHDRAW#g#u#t", SK: "WITHDRAW", Type: "withdrawal", Attributes: []string{"UserID"}}}, ""},
		{"a new attribute", []Item{{PK: "SESSION#ab12", SK: "SESSION", Type: "session", Attributes: []string{"UserID", "IPAddress"}, HasTTL: true}},
			"kind session: attribute IPAddress is not in docs/privacy.md"},
		{"a new kind", []Item{{PK: "EXPORT#x", SK: "EXPORT", Type: "export"}}, "kind export (e.g. EXPORT#x / EXPORT) has no section"},
		{"an item without a Type outside the index", []Item{{PK: "AUDIT#g", SK: "1"}}, "kind (AUDIT) (e.g. AUDIT#g / 1) has no section"},
		{"keys off the layout", []Item{{PK: "SESSION#ab12", SK: "OTHER", Type: "session", HasTTL: true}}, "kind session: key SESSION#ab12 / OTHER does not match"},
		{"an optional key part", []Item{{PK: "WITHDRAW#g#u", SK: "WITHDRAW", Type: "withdrawal"}}, ""},
		{"an ephemeral item without a TTL", []Item{{PK: "SESSION#ab12", SK: "SESSION", Type: "session"}},
			"kind session is documented as kept under a TTL but SESSION#ab12 / SESSION has none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems, _ := inv.Check(c.items)
			if c.want == "" {
				if len(problems) != 0 {
					t.Fatalf("want no problem, got %q", problems)
				}
				return
			}
			if len(problems) != 1 || !strings.HasPrefix(problems[0], c.want) {
				t.Fatalf("want one problem starting %q, got %q", c.want, problems)
			}
		})
	}
}

func TestParseRefusesAnUnclearInventory(t *testing.T) {
	for name, doc := range map[string]string{
		"no key layout":      "### session\n\n| `UserID` | L | who |\n",
		"unknown class":      "### session\nKey `S#<x>`.\n\n| `UserID` | maybe | who |\n",
		"a kind twice":       "### session\nKey `S#<x>`.\n### session\nKey `S#<x>`.\n",
		"an attribute twice": "### session\nKey `S#<x>`.\n\n| `UserID` | L | who |\n| `UserID` | L | again |\n",
		"unbalanced key":     "### session\nKey `S#<x>[#<y>`.\n",
	} {
		if _, err := Parse(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: parsed without an error", name)
		}
	}
}

func TestTheInventoryParses(t *testing.T) {
	inv := mustParseDocs(t)
	if len(inv.Kinds) < 40 || len(inv.Common) < 8 || len(inv.Prefixes) < 2 {
		t.Fatalf("docs/privacy.md read as %d kinds, %d common attributes, %d buckets", len(inv.Kinds), len(inv.Common), len(inv.Prefixes))
	}
	for name, k := range inv.Kinds {
		if len(k.Attributes) == 0 {
			t.Errorf("kind %s lists no attributes", name)
		}
	}
}

func mustParseDocs(t *testing.T) *Inventory {
	t.Helper()
	inv, err := Load("../../docs/privacy.md")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
