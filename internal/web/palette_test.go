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

// schemeRoles reads the colour roles (--name: #hex) of app.css's token
// block, light (the first :root) and dark (the :root inside the first
// prefers-color-scheme: dark block); a dark role not set there keeps its
// light value.
func schemeRoles(t *testing.T) (light, dark map[string]string) {
	t.Helper()
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	s := string(css)
	block := func(from string) string {
		i := strings.Index(s, from)
		if i < 0 {
			t.Fatalf("app.css has no %q", from)
		}
		rest := s[i+len(from):]
		j := strings.Index(rest, "}")
		return rest[:j]
	}
	decl := regexp.MustCompile(`--([a-z0-9-]+):\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\s*;`)
	read := func(b string, into map[string]string) {
		for _, m := range decl.FindAllStringSubmatch(b, -1) {
			hex := m[2]
			if len(hex) == 4 { // #abc → #aabbcc
				hex = "#" + strings.Repeat(hex[1:2], 2) + strings.Repeat(hex[2:3], 2) + strings.Repeat(hex[3:4], 2)
			}
			into[m[1]] = hex
		}
	}
	light, dark = map[string]string{}, map[string]string{}
	read(block(":root {"), light)
	for k, v := range light {
		dark[k] = v
	}
	read(block("@media (prefers-color-scheme: dark) {\n  /* colour roles, dark scheme"), dark)
	return light, dark
}

// TestColourRolesKeepContrast: the design tokens' text roles keep WCAG AA's
// 4.5:1 on both backgrounds (page and surface), the "on-" roles on the role
// they sit on, and the focus ring and field borders 3:1 (WCAG 1.4.11), in
// the light scheme and in the dark one (docs/design.md).
func TestColourRolesKeepContrast(t *testing.T) {
	light, dark := schemeRoles(t)
	type pair struct {
		fg, bg string
		min    float64
	}
	var pairs []pair
	for _, text := range []string{"text", "muted", "accent", "danger", "success", "warning"} {
		for _, bg := range []string{"page", "surface"} {
			pairs = append(pairs, pair{text, bg, 4.5})
		}
	}
	pairs = append(pairs, pair{"on-accent", "accent", 4.5}, pair{"on-danger", "danger", 4.5}, pair{"on-highlight", "highlight", 4.5},
		// .badge-success and .badge-warning: the surface colour on the role
		pair{"surface", "success", 4.5}, pair{"surface", "warning", 4.5},
		pair{"focus", "page", 3}, pair{"focus", "surface", 3}, pair{"field-border", "page", 3}, pair{"field-border", "surface", 3})
	for i := range 8 {
		pairs = append(pairs, pair{"on-avatar", "avatar-" + strconv.Itoa(i), 4.5})
	}
	for scheme, roles := range map[string]map[string]string{"light": light, "dark": dark} {
		for _, p := range pairs {
			fg, bg := roles[p.fg], roles[p.bg]
			if fg == "" || bg == "" {
				t.Errorf("%s scheme: role --%s or --%s is not a colour in app.css's tokens", scheme, p.fg, p.bg)
				continue
			}
			if r := contrast(fg, bg); r < p.min {
				t.Errorf("%s scheme: --%s (%s) on --%s (%s) is %.2f:1, want at least %.1f:1", scheme, p.fg, fg, p.bg, bg, r, p.min)
			}
		}
	}
	// The tokens differ between the schemes where they must: a dark page.
	if luminance(dark["page"]) >= luminance(light["page"]) || luminance(dark["text"]) <= luminance(light["text"]) {
		t.Errorf("the dark scheme's page and text are not darker and lighter than the light scheme's")
	}
}
