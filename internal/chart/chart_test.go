package chart

import (
	"encoding/xml"
	"html/template"
	"io"
	"strings"
	"testing"
)

// parse checks the SVG is well-formed XML and returns its character data
// and element names.
func parse(t *testing.T, svg string) (text string, elems map[string]int) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	elems = map[string]int{}
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			elems[x.Name.Local]++
			for _, a := range x.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "style" || a.Name.Local == "href" {
					t.Errorf("attribute %s not allowed: %s", a.Name.Local, svg)
				}
			}
		case xml.CharData:
			b.Write(x)
			b.WriteByte('\n')
		}
	}
	return b.String(), elems
}

func TestChartBars(t *testing.T) {
	svg := string(Bars(Head{ID: "p1", Title: "Results of <Lunch>", Desc: "Votes per option"}, []Bar{
		{Label: `Pizza & "pasta"`, Value: 3}, {Label: "Soup <script>alert(1)</script>", Value: 1, Text: "1 vote"}, {Label: "Nothing", Value: 0},
	}))
	text, elems := parse(t, svg)
	for _, want := range []string{"Results of <Lunch>", "Votes per option", `Pizza & "pasta"`, "1 vote", "Nothing"} {
		if !strings.Contains(text, want) {
			t.Errorf("chart text lacks %q:\n%s", want, text)
		}
	}
	if elems["script"] > 0 || elems["title"] < 1 || elems["desc"] != 1 {
		t.Errorf("elements %v", elems)
	}
	if !strings.Contains(svg, `role="img"`) || strings.Contains(svg, "<script") {
		t.Errorf("svg: %s", svg)
	}
	// The largest value fills the span; zero draws no bar.
	if strings.Count(svg, `class="q-bar`) != 2 {
		t.Errorf("want 2 bars: %s", svg)
	}
}

func TestChartStackedAndGrid(t *testing.T) {
	svg := string(Stacked(Head{ID: "p2", Title: "Proposal", Desc: "Share of votes"}, []Segment{{Label: "Agree", Value: 2, Text: "2 (67%)"}, {Label: "Block", Value: 1}}))
	text, _ := parse(t, svg)
	for _, want := range []string{"Agree: 2 (67%)", "Block: 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("stacked lacks %q: %s", want, text)
		}
	}
	// The words for an empty chart are the caller's (in the page's language).
	empty := string(Stacked(Head{ID: "p3", Title: "Empty", Desc: "none", Empty: "Noch keine Stimmen"}, []Segment{{Label: "Agree"}}))
	if text, _ := parse(t, empty); !strings.Contains(text, "Noch keine Stimmen") {
		t.Errorf("empty stacked: %s", text)
	}
	// They start at the left edge: a phone shows the chart's start
	// without scrolling, and centred words were cut in two there.
	for name, c := range map[string]template.HTML{"stacked": template.HTML(empty), "bars": Bars(Head{ID: "p5", Empty: "none yet"}, nil),
		"grid": Grid(Head{ID: "p6", Empty: "none yet"}, []string{"Yes"}, nil)} {
		if !strings.Contains(string(c), `x="16"`) || !strings.Contains(string(c), `text-anchor="start"`) {
			t.Errorf("%s: the empty chart's words are not at its start: %s", name, c)
		}
	}
	g := string(Grid(Head{ID: "p4", Title: "Meeting", Desc: "Answers per time"}, []string{"Yes", "Maybe", "No"},
		[]GridRow{{Label: "Mon 4 May 10:00", Counts: []int64{2, 1, 0}}, {Label: "Tue\x00 5 May", Counts: []int64{0, 0, 3}}}))
	text, elems := parse(t, g)
	for _, want := range []string{"Yes", "Maybe", "No", "Mon 4 May 10:00", "Tue 5 May", "3"} {
		if !strings.Contains(text, want) {
			t.Errorf("grid lacks %q: %s", want, text)
		}
	}
	if elems["rect"] != 6 {
		t.Errorf("grid cells: %v", elems)
	}
}
