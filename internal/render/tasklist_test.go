package render

import (
	"strings"
	"testing"
)

// A task list's boxes ("- [ ] …", "- [x] …") render as the characters ☐
// and ☑, never a form control (an input without its type, which the
// allow-list dropped, showed as an empty text box), and read as such in
// plain text, where the box takes the bullet's place.
func TestTaskListBoxes(t *testing.T) {
	r := New()
	const src = "Shopping:\n\n- [ ] buy milk\n- [x] bake **bread**\n  - [X] nested\n- plain item"
	h := string(r.Markdown(src))
	for _, want := range []string{
		`<li><span class="task">☐</span> buy milk</li>`,
		`<li><span class="task">☑</span> bake <strong>bread</strong>`,
		`<li><span class="task">☑</span> nested</li>`,
		`<li>plain item</li>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("Markdown lacks %s:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<input") {
		t.Errorf("Markdown holds an input:\n%s", h)
	}
	// A loose list: each item a paragraph.
	if got := string(r.Markdown("- [x] one\n\n- [ ] two")); !strings.Contains(got, "<li>\n<p><span class=\"task\">☑</span> one</p>") {
		t.Errorf("loose list: %s", got)
	}
	if got, want := r.Text(src), "Shopping:\n☐ buy milk\n☑ bake bread\n☑ nested\n• plain item"; got != want {
		t.Errorf("Text:\n got %q\nwant %q", got, want)
	}
	if got, want := r.Text("- [x] one\n\n- [ ] two"), "☑ one\n☐ two"; got != want {
		t.Errorf("Text of a loose list: got %q, want %q", got, want)
	}
	if got, want := r.Excerpt(src, 42), "Shopping: ☐ buy milk ☑ bake bread ☑ nested…"; got != want {
		t.Errorf("Excerpt: got %q, want %q", got, want)
	}
	// Only a list item's "[ ]" is a box.
	if got := string(r.Markdown("[ ] not in a list, `- [x] code`")); strings.Contains(got, "task") {
		t.Errorf("a box outside a list: %s", got)
	}
}
