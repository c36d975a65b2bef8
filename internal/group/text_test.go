package group_test

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/text"
)

// TestTextFieldsAreCleaned: group names and handles go through the one
// single-line cleaner and descriptions through the body cleaner
// (internal/text), on creation and on update.
func TestTextFieldsAreCleaned(t *testing.T) {
	f := newFixture(t)
	alice, _ := f.user("Alice")
	name := "\u202eGarden\u200b  club\t" + f.tag + "\u2069"
	desc := "We grow\r\n\u202evegetables \u200f(עברית)\u200e 🧑\u200d🌾"
	handle := " Garden-\u200b" + strings.ToUpper(f.tag) + "\ufeff "
	g, err := f.svc.Create(alice, group.CreateInput{Name: name, Description: desc, Handle: handle, Privacy: "closed"})
	f.must(err)
	if g.Name != text.Line(name) || g.Name != "Garden club "+f.tag {
		t.Fatalf("name %+q", g.Name)
	}
	if g.Description != "We grow\nvegetables \u200f(עברית)\u200e 🧑\u200d🌾" {
		t.Fatalf("description %+q", g.Description)
	}
	if g.Handle != "garden-"+f.tag || group.NormaliseHandle(handle) != g.Handle {
		t.Fatalf("handle %+q", g.Handle)
	}
	renamed := "Re\u0301named \u2066group\u2069\x00"
	up, err := f.svc.Update(alice, g.ID, group.UpdateInput{Version: g.Version, Name: &renamed})
	f.must(err)
	if up.Name != "Rénamed group" {
		t.Fatalf("renamed %+q", up.Name)
	}
	if _, err := f.svc.Create(alice, group.CreateInput{Name: "\u200b\u200d\u2060", Privacy: string(authz.Closed)}); code(err) != "invalid" {
		t.Fatalf("invisible name: %v", err)
	}
}
