package render

import (
	"strings"
	"testing"
)

// A task list's boxes render as disabled checkboxes (browsers show an
// input without its type as an empty text box), as ☐ and ☑ in plain text
// and in an email's HTML, where mail clients drop form controls.
func TestTaskListBoxes(t *testing.T) {
	r := New()
	const src = "Shopping:\n\n- [ ] buy milk\n- [x] bake **bread**\n  - [X] nested\n- plain item"
	h := string(r.Markdown(src))
	for _, want := range []string{
		`<li><input disabled="" type="checkbox"> buy milk</li>`,
		`<li><input checked="" disabled="" type="checkbox"> bake <strong>bread</strong>`,
		`<li><input checked="" disabled="" type="checkbox"> nested</li>`,
		`<li>plain item</li>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("Markdown lacks %s:\n%s", want, h)
		}
	}
	if got, want := r.Text(src), "Shopping:\n☐ buy milk\n☑ bake bread\n☑ nested\n• plain item"; got != want {
		t.Errorf("Text:\n got %q\nwant %q", got, want)
	}
	if got, want := r.Excerpt(src, 42), "Shopping: ☐ buy milk ☑ bake bread ☑ nested…"; got != want {
		t.Errorf("Excerpt: got %q, want %q", got, want)
	}
	mail := string(EmailHTML(r.Markdown(src)))
	if strings.Contains(mail, "<input") {
		t.Errorf("EmailHTML kept an input:\n%s", mail)
	}
	for _, want := range []string{"<li>☐ buy milk</li>", "<li>☑ bake <strong>bread</strong>", "<li>☑ nested</li>", "<li>plain item</li>"} {
		if !strings.Contains(mail, want) {
			t.Errorf("EmailHTML lacks %s:\n%s", want, mail)
		}
	}
	// Without a box, the HTML is as it was.
	if plain := r.Markdown("- a\n- b"); EmailHTML(plain) != plain {
		t.Errorf("EmailHTML changed %q", plain)
	}
}
