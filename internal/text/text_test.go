package text_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Garden club", "Garden club"},
		{"trimmed", "  Garden club \t", "Garden club"},
		{"white space runs become one space", "Garden\t\tclub\r\nnews\u00a0\u3000today", "Garden club news today"},
		{"NFC", "Cafe\u0301", "Café"},
		{"NFC after removing a zero-width space", "e\u200b\u0301", "é"},
		{"control characters", "a\x00b\x07c\x1bd\u0085e", "ab" + "cd e"},
		{"bidi override (Trojan Source)", "\u202eevil\u202c.exe", "evil.exe"},
		{"bidi embeddings", "\u202a\u202b\u202dx\u202c", "x"},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"bidi marks", "a\u200eb\u200fc\u061cd", "abcd"},
		{"zero-width space", "adm\u200bin", "admin"},
		{"word joiner and BOM", "\ufeffa\u2060b", "ab"},
		{"soft hyphen", "co\u00adop", "coop"},
		{"Hangul fillers", "\u3164\u115f\u1160name\uffa0", "name"},
		{"interlinear annotation", "a\ufff9b\ufffac\ufffb", "abc"},
		{"noncharacters", "a\ufdd0b\uffffc\U0001fffe", "abc"},
		{"tag characters (ASCII smuggling)", "hi\U000E0041\U000E0042\U000E007F", "hi"},
		{"stray joiners", "\u200da\u200db\u200c", "ab"},
		{"stray variation selector", "\ufe0fabc", "abc"},
		{"combining grapheme joiner", "a\u034fb", "ab"},
		{"Mongolian vowel separator", "a\u180eb", "ab"},
		{"ZWNJ in Persian", "می\u200cخواهم", "می\u200cخواهم"},
		{"ZWNJ between Latin letters", "a\u200cb", "ab"},
		{"ZWJ after a virama", "क्\u200dष", "क्\u200dष"},
		{"ZWNJ after a virama", "क्\u200cष", "क्\u200cष"},
		{"emoji ZWJ sequence", "👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"},
		{"emoji with selector and ZWJ", "🏳\ufe0f\u200d🌈", "🏳\ufe0f\u200d🌈"},
		{"emoji with skin tone and ZWJ", "👩🏽\u200d💻", "👩🏽\u200d💻"},
		{"double ZWJ", "👨\u200d\u200d👩", "👨\u200d👩"},
		{"keycap", "1\ufe0f\u20e3", "1\ufe0f\u20e3"},
		{"emoji flag tag sequence", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F team", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F team"},
		{"unterminated tag sequence", "🏴\U000E0067\U000E0062", "🏴"},
		{"right-to-left text", "שלום עולם", "שלום עולם"},
		{"only invisible", "\u200b\u200c\u200d\u2060\ufeff\u202e", ""},
		{"only white space", " \t\n\u00a0", ""},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"Egyptian format control kept", "\U00013000\U00013430\U00013001", "\U00013000\U00013430\U00013001"},
		{"Arabic number sign kept", "\u0600١٢", "\u0600١٢"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := text.Line(c.in); got != c.want {
				t.Fatalf("Line(%+q) = %+q, want %+q", c.in, got, c.want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Hello\n\nworld", "Hello\n\nworld"},
		{"trimmed", "\n  Hello  \n", "Hello"},
		{"line ends", "a\r\nb\rc\u2028d\u2029e", "a\nb\nc\nd\ne"},
		{"tabs and indentation kept", "- a\n\t- b\n    code", "- a\n\t- b\n    code"},
		{"NFC", "Cafe\u0301", "Café"},
		{"control characters", "a\x00b\x07c\x1b\u0085d", "abcd"},
		{"bidi overrides and isolates", "x\u202ey\u202c \u2066z\u2069", "xy z"},
		{"bidi marks kept", "(\u200fשלום\u200e) \u061c", "(\u200fשלום\u200e) \u061c"},
		{"zero-width space and joiners kept", "ภาษา\u200bไทย می\u200cخواهم", "ภาษา\u200bไทย می\u200cخواهم"},
		{"emoji ZWJ sequences kept", "👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈 👩🏽\u200d💻", "👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈 👩🏽\u200d💻"},
		{"BOM", "\ufeffhello\ufeff", "hello"},
		{"noncharacters and annotation", "a\ufdd0\ufff9b", "ab"},
		{"tag characters outside a flag", "hi\U000E0041\U000E007F", "hi"},
		{"emoji flag kept", "🏴\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F", "🏴\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F"},
		{"invalid UTF-8", "a\xc3b", "a\ufffdb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := text.Block(c.in); got != c.want {
				t.Fatalf("Block(%+q) = %+q, want %+q", c.in, got, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name, in  string
		min, max  int
		multiline bool
		want, msg string
	}{
		{"ok", " Name ", 1, 10, false, "Name", ""},
		{"required", "\u200b \u202e", 1, 10, false, "", "is required"},
		{"optional empty", "  ", 0, 10, false, "", ""},
		{"too short", "ab", 3, 10, false, "ab", "must be at least 3 characters"},
		{"length in characters", strings.Repeat("é", 10), 1, 10, false, strings.Repeat("é", 10), ""},
		{"length counted after NFC", strings.Repeat("e\u0301", 10), 1, 10, false, strings.Repeat("é", 10), ""},
		{"too long", strings.Repeat("ü", 11), 1, 10, false, strings.Repeat("ü", 11), "must be at most 10 characters"},
		{"invisible characters do not count", "abc" + strings.Repeat("\u200b", 20), 1, 3, false, "abc", ""},
		{"invalid UTF-8", "a\xff", 1, 10, false, "", "is not valid UTF-8"},
		{"body", "line 1\r\nline 2", 1, 20, true, "line 1\nline 2", ""},
		{"body required", "\r\n\u202e\t", 1, 20, true, "", "is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fe domain.FieldErrors
			check := text.CheckLine
			if c.multiline {
				check = text.CheckBlock
			}
			got := check(&fe, "field", c.in, c.min, c.max)
			if got != c.want {
				t.Fatalf("got %+q, want %+q", got, c.want)
			}
			err := fe.Err()
			switch {
			case c.msg == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.msg != "" && (err == nil || !strings.Contains(err.Error(), "field: "+c.msg)):
				t.Fatalf("error %v, want %q", err, c.msg)
			}
		})
	}
}

// FuzzClean checks the cleaners' promises on any input: valid UTF-8 in
// NFC, idempotent, no forbidden character left, single lines without line
// breaks or surrounding spaces.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "Garden club", "\u202eevil", "👨\u200d👩\u200d👧", "क्\u200dष", "می\u200cخواهم",
		"a\r\nb", "🏴\U000E0067\U000E0062\U000E007F", "e\u200b\u0301", "\xff\xfe", "\ufe0f\u200d", "क\u094d\u200d\u0301ष"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, clean := range map[string]func(string) string{"Line": text.Line, "Block": text.Block} {
			out := clean(s)
			if !utf8.ValidString(out) || !norm.NFC.IsNormalString(out) {
				t.Fatalf("%s(%+q) = %+q: not valid NFC", name, s, out)
			}
			if again := clean(out); again != out {
				t.Fatalf("%s not idempotent: %+q -> %+q -> %+q", name, s, out, again)
			}
			if out != strings.TrimSpace(out) {
				t.Fatalf("%s(%+q) = %+q: not trimmed", name, s, out)
			}
			for _, r := range out {
				bad := (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\ufeff' ||
					r == '\r' || (unicode.IsControl(r) && r != '\n' && r != '\t')
				if name == "Line" {
					bad = bad || r == '\n' || r == '\t' || r == '\u200b' || r == '\u200e' || r == '\u200f' || r == '\u2060' || r == '\u00ad'
				}
				if bad {
					t.Fatalf("%s(%+q) = %+q keeps %U", name, s, out, r)
				}
			}
		}
		if strings.Contains(text.Line(s), "  ") {
			t.Fatalf("Line(%+q) keeps a double space", s)
		}
	})
}

func TestClip(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"short", 5, "short"},
		{"longer", 5, "long…"},
		{"ab cd ef", 4, "ab…"},
		{"مرحبا بالعالم", 6, "مرحبا…"},
		{"日本語のテキスト", 3, "日本…"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	}
	for _, c := range cases {
		got := text.Clip(c.s, c.n)
		if got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if c.n > 0 && utf8.RuneCountInString(got) > c.n {
			t.Errorf("Clip(%q, %d) = %q: %d characters", c.s, c.n, got, utf8.RuneCountInString(got))
		}
	}
}
