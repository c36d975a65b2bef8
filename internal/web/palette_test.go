package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/tag"
)

// TestTagPaletteKeepsContrast: every colour of tag.Palette has a badge rule
// in the light scheme and one in the dark scheme, and each pair of text and
// background keeps at least WCAG AA's 4.5:1 contrast.
func TestTagPaletteKeepsContrast(t *testing.T) {
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	light, dark, ok := strings.Cut(string(css), "@media (prefers-color-scheme: dark) {\n  .label-")
	if !ok {
		t.Fatal("no dark-scheme block of tag badges in app.css")
	}
	dark = ".label-" + dark
	rule := regexp.MustCompile(`\.label-([a-z]+) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}`)
	for scheme, text := range map[string]string{"light": light, "dark": dark} {
		found := map[string][2]string{}
		for _, m := range rule.FindAllStringSubmatch(text, -1) {
			if _, seen := found[m[1]]; !seen {
				found[m[1]] = [2]string{m[2], m[3]}
			}
		}
		for _, c := range tag.Palette {
			pair, ok := found[c]
			if !ok {
				t.Errorf("%s scheme: no rule for the tag colour %s", scheme, c)
				continue
			}
			if r := contrast(pair[0], pair[1]); r < 4.5 {
				t.Errorf("%s scheme: %s badge contrast %.2f:1, want at least 4.5:1", scheme, c, r)
			}
		}
	}
}

func luminance(hex string) float64 {
	var ch [3]float64
	for i := range ch {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			ch[i] = c / 12.92
		} else {
			ch[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
