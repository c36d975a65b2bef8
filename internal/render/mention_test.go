package render

import (
	"html/template"
	"reflect"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/links"
)

// people resolves the keys of a test group: two members and a guest.
func people(key string) (string, bool) {
	switch key {
	case "ada", "adalovelace":
		return links.Member("g1", "u-ada"), true
	case "bob":
		return links.Member("g1", "u_bob"), true
	case "gus":
		return "", true // a guest: highlighted, no link
	}
	return "", false
}

func TestMentionKeysFollowTheOneRule(t *testing.T) {
	r := New()
	src := "Hi @Ada.Lovelace and @bob. Not me@example.org, not a/@path, not `@code`,\n" +
		"not [@linked](https://example.org), **@gus** yes, @bob again, @-x no.\n\n```\n@fenced\n```\n> @quoted"
	got := r.MentionKeys(src)
	want := []string{"adalovelace", "bob", "gus", "quoted"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MentionKeys = %q, want %q", got, want)
	}
	if r.MentionKeys("no mentions here") != nil {
		t.Fatal("keys without an @")
	}
}

func TestMentionsRenderAsLinksToThePerson(t *testing.T) {
	r := New()
	got := string(r.MarkdownMentions("Hi @Ada.Lovelace, @bob. and @gus; @nobody and `@bob` and [@bob](https://example.org).", people))
	for _, want := range []string{
		`Hi <a class="mention" href="/groups/g1?tab=members#member-u-ada" rel="nofollow noreferrer">@Ada.Lovelace</a>, `,
		`<a class="mention" href="/groups/g1?tab=members#member-u_bob" rel="nofollow noreferrer">@bob</a>. and `,
		`<span class="mention">@gus</span>; @nobody and <code>@bob</code> and <a href="https://example.org" rel="nofollow noreferrer">@bob</a>.`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %s\nwant it to contain %s", got, want)
		}
	}
	// Every mention rendered is one MentionKeys finds, and no other.
	if n := strings.Count(got, `class="mention"`); n != 3 {
		t.Errorf("%d mentions rendered: %s", n, got)
	}
	// Without a resolver (or resolving no one) the text is as before.
	plain := "Hi @bob, see **this**\nand that"
	if a, b := r.Markdown(plain), r.MarkdownMentions(plain, func(string) (string, bool) { return "", false }); a != b || strings.Contains(string(a), "mention") {
		t.Errorf("unresolved: %s / %s", a, b)
	}
	// The line break after a mention stays.
	if got := string(r.MarkdownMentions("@bob\nnext", people)); !strings.Contains(got, `@bob</a><br>`) {
		t.Errorf("line break lost: %s", got)
	}
}

// The sanitiser keeps the mention markup the renderer writes and nothing
// like it written by hand: no other relative link, no class on anything
// else, no mention href with more in it.
func TestSanitiserKeepsOnlyTheMentionMarkup(t *testing.T) {
	r := New()
	evil := func(string) (string, bool) { return `/groups/g1?tab=members#member-x" onclick="alert(1)`, true }
	for _, c := range []struct {
		src     string
		resolve MentionResolver
		banned  []string
	}{
		{"[x](/groups/g1/settings) [y](/logout) [z](//evil.example/groups/a?tab=members#member-b)", nil, []string{"href"}},
		{"[x](javascript:alert(1)//groups/a?tab=members#member-b)", nil, []string{"href", "javascript"}},
		{"@bob", evil, []string{"onclick", "href"}},
		{"@bob", func(string) (string, bool) { return "javascript:alert(1)", true }, []string{"javascript", "href"}},
		{"<span class=\"mention\">@x</span> <a class=mention href=/x>y</a>", nil, []string{"<span", "<a", "class"}},
		{"```mention\ncode\n```", nil, []string{`class="mention"`}},
	} {
		got := string(r.MarkdownMentions(c.src, c.resolve))
		Inert(t, c.src, got)
		for _, b := range c.banned {
			if strings.Contains(got, b) {
				t.Errorf("%q rendered %s: has %q", c.src, got, b)
			}
		}
	}
	// The hand-written link to a member's row is the same link as a mention
	// (the reader may follow it either way) but carries no mention class.
	got := r.Markdown("[Ada](/groups/g1?tab=members#member-u-ada)")
	if !strings.Contains(string(got), `href="/groups/g1?tab=members#member-u-ada"`) || strings.Contains(string(got), "mention\"") {
		t.Errorf("member link: %s", got)
	}
	var _ template.HTML = got
}

func FuzzMentionsInert(f *testing.F) {
	for _, p := range []string{"@bob", "x@ada [@bob](javascript:x)", "**@gus**\n@adalovelace", "`@bob`"} {
		f.Add(p)
	}
	r := New()
	f.Fuzz(func(t *testing.T, s string) {
		out := string(r.MarkdownMentions(s, people))
		Inert(t, s, out)
		if n, k := strings.Count(out, `class="mention"`), len(r.MentionKeys(s)); n > 0 && k == 0 {
			t.Errorf("%q rendered %d mentions but has no keys", s, n)
		}
	})
}
