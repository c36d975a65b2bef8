package render

import "testing"

// Excerpts and the text of emails read as the page does (issue 15): no
// Markdown markup, no escaped entities, lists kept readable.
func TestTextReadsAsThePage(t *testing.T) {
	r := New()
	cases := []struct{ in, want string }{
		{"We **agree**, _mostly_.", "We agree, mostly."},
		{"> quoted & fine\n\nnext", "quoted & fine\nnext"},
		{"Ideas:\n\n- tomatoes\n- beans", "Ideas:\n• tomatoes\n• beans"},
		{"5 < 6 & `x > 3`", "5 < 6 & x > 3"},
		{"Hello <b>world</b>", "Hello world"},
		{"line one\nline two", "line one\nline two"},
		{"| crop | weeks |\n|---|---|\n| beans | 8 |", "crop · weeks\nbeans · 8"},
		{"[the plan](https://example.org)", "the plan"},
	}
	for _, c := range cases {
		if got := r.Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := r.Excerpt("We **agree**:\n\n- tomatoes\n- beans &amp; peas", 40); got != "We agree: • tomatoes • beans & peas" {
		t.Errorf("excerpt %q", got)
	}
}
