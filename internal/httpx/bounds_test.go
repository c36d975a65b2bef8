package httpx

import (
	"context"
	"errors"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
)

func TestBoundJSON(t *testing.T) {
	lists := []List{{Field: "options", Max: 3}, {Field: "settings.vote_share", Max: 2}, {Field: "voters", Max: 1}}
	cases := []struct {
		name, body, field, msg string
	}{
		{"within bounds", `{"options":[{"label":"a"},{"label":"b"},{}],"settings":{"vote_share":[1,2]},"voters":["u"]}`, "", ""},
		{"empty lists", `{"options":[],"voters":[]}`, "", ""},
		{"one over", `{"options":[{},{},{},{}]}`, "options", "must hold at most 3 items"},
		{"nested path", `{"settings":{"vote_share":[1,2,3]}}`, "settings.vote_share", "must hold at most 2 items"},
		{"same name elsewhere is not the list", `{"settings":{"options":[1]}}`, "settings.options", "must not be a list"},
		{"undeclared", `{"title":["a"]}`, "title", "must not be a list"},
		{"list in a list", `{"options":[[1]]}`, "options[]", "must not be a list"},
		{"list in an item", `{"options":[{"label":["x"]}]}`, "options[].label", "must not be a list"},
		{"stops before invalid JSON after the bound", `{"voters":["a","b",` + strings.Repeat("!", 100), "voters", "must hold at most 1 items"},
		{"syntax errors are left to the decoder", `{"options":[}`, "", ""},
		{"arrays at the top are left to the decoder", `[1,2,3,4,5]`, "", ""},
		{"keys that are not strings", `{1:[1,2,3,4]}`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/x", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			req = req.WithContext(context.WithValue(req.Context(), listsKey{}, lists))
			var v map[string]any
			err := DecodeJSON(httptest.NewRecorder(), req, &v)
			var de *domain.Error
			switch {
			case c.field == "" && err != nil && errors.As(err, &de) && len(de.Fields) > 0:
				t.Fatalf("unexpected field error %v", err)
			case c.field == "" && c.name == "within bounds" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.field != "":
				if !errors.As(err, &de) || de.Code != domain.Invalid || len(de.Fields) != 1 || de.Fields[0].Field != c.field || de.Fields[0].Message != c.msg {
					t.Fatalf("got %v, want %s: %s", err, c.field, c.msg)
				}
			}
		})
	}
}

// TestBoundJSONStopsReading: a list over its bound ends the request after
// the item that breaks it; the rest of the body is never read.
func TestBoundJSONStopsReading(t *testing.T) {
	body := `{"options":[` + strings.Repeat(`{"label":"x"},`, 100_000) + `{}]}`
	r := strings.NewReader(body)
	req := httptest.NewRequest("POST", "/x", r)
	req.Header.Set("Content-Type", "application/json")
	req = req.WithContext(context.WithValue(req.Context(), listsKey{}, []List{{Field: "options", Max: 50}}))
	var v map[string]any
	if err := DecodeJSON(httptest.NewRecorder(), req, &v); domain.ErrorCode(err) != domain.Invalid {
		t.Fatalf("got %v", err)
	}
	if read := len(body) - r.Len(); read > 64<<10 {
		t.Fatalf("read %d of %d bytes to refuse the list", read, len(body))
	}
}

func TestBoundForm(t *testing.T) {
	lists := []List{{Field: "voter", Max: 2}, {Field: "options", Max: 3, Split: FormLines}, {Field: "order", Max: 2, Split: FormCommas}}
	cases := []struct{ name, form, field string }{
		{"within bounds", "voter=a&voter=b&options=a%0Ab%0D%0A%0A%20%0Ac&order=x,,y,", ""},
		{"repeated field over", "voter=a&voter=b&voter=c", "voter"},
		{"lines over", "options=a%0Ab%0Ac%0Ad", "options"},
		{"lines over across repeats", "options=a%0Ab&options=c%0Ad", "options"},
		{"commas over", "order=a,b,c", "order"},
		{"other fields repeat freely", "title=a&title=b&title=c", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/x", strings.NewReader(c.form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req = req.WithContext(context.WithValue(req.Context(), listsKey{}, lists))
			err := ParseForm(httptest.NewRecorder(), req)
			var de *domain.Error
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.field != "" && (!errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != c.field):
				t.Fatalf("got %v, want an error on %s", err, c.field)
			}
			if _, parsed := req.PostForm[strings.SplitN(c.form, "=", 2)[0]]; !parsed {
				t.Fatal("the form is not parsed")
			}
		})
	}
	if got := FormLines("a\r\n\n  b \n\t\nc"); strings.Join(got, "|") != "a|b|c" {
		t.Fatalf("FormLines %q", got)
	}
	if got := FormCommas(" a,,b , "); strings.Join(got, "|") != "a|b" {
		t.Fatalf("FormCommas %q", got)
	}
}

// BenchmarkBoundJSON is BenchmarkRejectLongList without the application:
// DecodeJSON alone refusing 100 and 10,000 options (bound 50).
func BenchmarkBoundJSON(b *testing.B) {
	body := func(n int) string {
		return `{"type":"poll","title":"Long","options":[` + strings.Repeat(`{"label":"Option"},`, n-1) + `{"label":"Last"}]}`
	}
	lists := []List{{Field: "options", Max: 50}}
	decode := func(body string) time.Duration {
		req := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(context.WithValue(req.Context(), listsKey{}, lists))
		var v map[string]any
		start := time.Now()
		err := DecodeJSON(httptest.NewRecorder(), req, &v)
		d := time.Since(start)
		if domain.ErrorCode(err) != domain.Invalid {
			b.Fatal(err)
		}
		return d
	}
	small, large := body(100), body(10_000)
	var ts, tl time.Duration
	n := 0
	for b.Loop() {
		ts += decode(small)
		tl += decode(large)
		n++
	}
	b.ReportMetric(float64(ts.Nanoseconds())/float64(n), "ns-100/op")
	b.ReportMetric(float64(tl.Nanoseconds())/float64(n), "ns-10000/op")
	b.ReportMetric(float64(tl)/float64(ts), "cost-10000/100")
}

// TestBoundJSONDeepNestingIsLinear: a deeply nested body (here 140,000
// objects, then a list) costs memory in proportion to its size, not to the
// square of its depth.
func TestBoundJSONDeepNestingIsLinear(t *testing.T) {
	const depth = 140_000
	body := strings.Repeat(`{"a":`, depth) + `[1]` + strings.Repeat(`}`, depth)
	req := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := DecodeJSON(httptest.NewRecorder(), req, &map[string]any{})
	runtime.ReadMemStats(&after)
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Message != "must not be a list" || !strings.HasPrefix(de.Fields[0].Field, "a.a.a.a") || len(de.Fields[0].Field) > 210 {
		t.Fatalf("got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100*uint64(len(body)) {
		t.Fatalf("%d bytes allocated for a %d-byte body", alloc, len(body))
	}
}
