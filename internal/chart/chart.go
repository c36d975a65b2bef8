// Package chart draws Quorum's result charts as server-side SVG: horizontal
// bars (poll, score, dot vote, ranked choice), a stacked bar with a legend
// (proposal, check, count) and a grid (meeting). The output is a complete
// <svg> element, safe to embed in HTML or serve on its own: every text is
// XML-escaped, it has role="img", a <title> and a <desc>, every figure is
// also written as text, and it holds no script, no style attribute (the
// CSP forbids inline styles) and no external reference. Colours come from
// presentation attributes, which the stylesheet may override through the
// class names (q-bar, q-c0..q-c7, q-text, q-yes, q-maybe, q-no).
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/quorum-app/quorum/internal/text"
)

// Width is the drawing width in SVG user units (the element scales to its container).
const Width = 640

// palette of the series colours (readable in both colour schemes).
var palette = []string{"#1f5fbf", "#b35c00", "#1e6b3a", "#a4262c", "#6b3fa0", "#00707a", "#7a5c00", "#586174"}

// Bar is one row of a bar chart. Value is drawn against the largest value
// of the chart; Text is the figure written next to the bar (Value when empty).
type Bar struct {
	Label string
	Value float64
	Text  string
}

// Segment is one part of a stacked bar.
type Segment struct {
	Label string
	Value float64
	Text  string
}

// Head is what a chart says of itself, in the reader's language: ID names
// it (unique on its page), Title and Desc are its accessible title and
// description, Empty is written across it when there is nothing to draw
// ("No votes yet"). The chart has no words of its own: every one comes
// from the caller, so it speaks the page's language.
type Head struct {
	ID, Title, Desc, Empty string
}

// GridRow is one row of a grid: a label and one count per column.
type GridRow struct {
	Label  string
	Counts []int64
}

type svg struct {
	b      strings.Builder
	id     string
	title  string
	desc   string
	height int
}

// esc escapes text for XML content and attribute values.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			// Characters XML 1.0 does not allow are dropped.
			if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF && !(r >= 0xD800 && r <= 0xDFFF)) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// safeID keeps letters, digits, '-' and '_' for an element id.
func safeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return "chart-" + b.String()
}

func (s *svg) open() {
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="q-chart" role="img" width="100%%" viewBox="0 0 %d %d" aria-labelledby="%s-t %s-d">`,
		Width, s.height, s.id, s.id)
	fmt.Fprintf(&s.b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, s.id, esc(s.title), s.id, esc(s.desc))
}

func (s *svg) text(x, y int, anchor, class, t string) {
	fmt.Fprintf(&s.b, `<text x="%d" y="%d" text-anchor="%s" class="q-text %s" fill="currentColor" font-size="14">%s</text>`, x, y, anchor, class, esc(t))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // #nosec G203 -- every text above went through esc
}

// Bars draws one horizontal bar per row, scaled to the largest value, with
// the label on the left and the figure on the right. id names the chart
// (unique on its page).
func Bars(h Head, rows []Bar) template.HTML {
	const rowH, top, labelW, textW = 30, 8, 200, 90
	s := &svg{id: safeID(h.ID), title: h.Title, desc: h.Desc, height: top*2 + rowH*max(len(rows), 1)}
	s.open()
	maxV := 0.0
	for _, r := range rows {
		maxV = math.Max(maxV, r.Value)
	}
	span := Width - labelW - textW - 10
	if len(rows) == 0 {
		s.text(emptyX, top+20, "start", "q-empty", h.Empty)
	}
	for i, r := range rows {
		y := top + i*rowH
		txt := r.Text
		if txt == "" {
			txt = num(r.Value)
		}
		w := 0
		if maxV > 0 && r.Value > 0 {
			w = max(int(math.Round(r.Value/maxV*float64(span))), 2)
		}
		fmt.Fprintf(&s.b, `<g class="q-row"><title>%s: %s</title>`, esc(r.Label), esc(txt))
		s.text(labelW-8, y+20, "end", "q-label", text.Clip(r.Label, 26))
		fmt.Fprintf(&s.b, `<rect class="q-track" x="%d" y="%d" width="%d" height="20" rx="3" fill="#d9dbe1" fill-opacity="0.35"></rect>`, labelW, y+5, span)
		if w > 0 {
			fmt.Fprintf(&s.b, `<rect class="q-bar q-c%d" x="%d" y="%d" width="%d" height="20" rx="3" fill="%s"></rect>`, i%len(palette), labelW, y+5, w, palette[i%len(palette)])
		}
		s.text(labelW+span+8, y+20, "start", "q-value", txt)
		s.b.WriteString(`</g>`)
	}
	return s.close()
}

// Stacked draws one bar split into segments in proportion to their
// values, with a legend row per segment (colour key, label, figure).
func Stacked(h Head, segs []Segment) template.HTML {
	const barH, top, legendH = 36, 8, 26
	s := &svg{id: safeID(h.ID), title: h.Title, desc: h.Desc, height: top + barH + 12 + legendH*max(len(segs), 1) + 4}
	s.open()
	sum := 0.0
	for _, g := range segs {
		sum += math.Max(g.Value, 0)
	}
	fmt.Fprintf(&s.b, `<rect class="q-track" x="0" y="%d" width="%d" height="%d" rx="4" fill="#d9dbe1" fill-opacity="0.35"></rect>`, top, Width, barH)
	x := 0.0
	for i, g := range segs {
		if sum <= 0 || g.Value <= 0 {
			continue
		}
		w := g.Value / sum * Width
		fmt.Fprintf(&s.b, `<rect class="q-bar q-c%d" x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			i%len(palette), x, top, w, barH, palette[i%len(palette)], esc(g.Label), esc(segText(g)))
		x += w
	}
	if sum <= 0 {
		s.text(emptyX, top+24, "start", "q-empty", h.Empty)
	}
	for i, g := range segs {
		y := top + barH + 12 + i*legendH
		fmt.Fprintf(&s.b, `<g class="q-row"><rect class="q-bar q-c%d" x="0" y="%d" width="16" height="16" rx="2" fill="%s"></rect>`, i%len(palette), y, palette[i%len(palette)])
		s.text(24, y+13, "start", "q-label", text.Clip(g.Label, 40)+": "+segText(g))
		s.b.WriteString(`</g>`)
	}
	return s.close()
}

func segText(g Segment) string {
	if g.Text != "" {
		return g.Text
	}
	return num(g.Value)
}

// Grid draws a table of counts: one row per label, one column per heading
// (a meeting poll: yes / maybe / no per time). Each cell is shaded by its
// share of the row's answers and shows the count.
func Grid(h Head, columns []string, rows []GridRow) template.HTML {
	const rowH, headH, labelW = 30, 28, 240
	s := &svg{id: safeID(h.ID), title: h.Title, desc: h.Desc, height: headH + rowH*max(len(rows), 1) + 6}
	s.open()
	colW := 0
	if len(columns) > 0 {
		colW = (Width - labelW) / len(columns)
	}
	colours := []string{"#1e6b3a", "#b35c00", "#a4262c"}
	classes := []string{"q-yes", "q-maybe", "q-no"}
	for j, c := range columns {
		s.text(labelW+j*colW+colW/2, 20, "middle", "q-head", text.Clip(c, 14))
	}
	if len(rows) == 0 {
		s.text(emptyX, headH+20, "start", "q-empty", h.Empty)
	}
	for i, r := range rows {
		y := headH + i*rowH
		var total int64
		for _, n := range r.Counts {
			total += max(n, 0)
		}
		fmt.Fprintf(&s.b, `<g class="q-row"><title>%s</title>`, esc(r.Label))
		s.text(labelW-8, y+20, "end", "q-label", text.Clip(r.Label, 30))
		for j := range columns {
			var n int64
			if j < len(r.Counts) {
				n = r.Counts[j]
			}
			op := 0.08
			if total > 0 && n > 0 {
				op = 0.2 + 0.6*float64(n)/float64(total)
			}
			k := j % len(colours)
			fmt.Fprintf(&s.b, `<rect class="q-cell %s" x="%d" y="%d" width="%d" height="%d" fill="%s" fill-opacity="%.2f"><title>%s, %s: %d</title></rect>`,
				classes[k], labelW+j*colW+2, y+2, colW-4, rowH-4, colours[k], op, esc(r.Label), esc(columns[j]), n)
			s.text(labelW+j*colW+colW/2, y+20, "middle", "q-value", fmt.Sprint(n))
		}
		s.b.WriteString(`</g>`)
	}
	return s.close()
}

// emptyX is where "nothing to draw" starts: at the chart's left edge, so a
// phone, which scrolls the chart inside its figure, shows it without
// scrolling (centred, it was cut in two at 390 px).
const emptyX = 16
