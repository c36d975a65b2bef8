package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/server"
)

// BenchmarkRejectLongList measures what refusing a list over its bound
// costs, through the whole application (session, routing, decoding) on the
// local cloud: a signed-in outsider posts a poll with 100 and with 10,000
// options to a made-up group, as JSON and as the poll form. It reports the
// time of each and the ratio (cost-10000/100; the goal is at most 2: the
// cost must not grow with the list).
func BenchmarkRejectLongList(b *testing.B) {
	app := newSignedIn(b, io.Discard)
	h := app.h

	jsonBody := func(n int) string {
		var sb strings.Builder
		sb.WriteString(`{"type":"poll","title":"Long","options":[`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"label":"Option %d"}`, i)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	formBody := func(n int) string { // short lines: 10,000 fit in the form's 64 KB
		lines := make([]string, n)
		for i := range lines {
			lines[i] = "o"
		}
		return url.Values{"type": {"poll"}, "title": {"Long"}, "options": {strings.Join(lines, "\n")}}.Encode()
	}
	send := func(path, ctype, body string) time.Duration {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: app.cookie})
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, r)
		d := time.Since(start)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "must hold at most") {
			b.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body.String())
		}
		return d
	}
	for _, c := range []struct {
		name, path, ctype string
		body              func(int) string
	}{
		{"json", "/api/v1/groups/nosuchgroup/polls", "application/json", jsonBody},
		{"form", "/groups/nosuchgroup/polls", "application/x-www-form-urlencoded", formBody},
	} {
		small, large := c.body(100), c.body(10_000)
		b.Run(c.name, func(b *testing.B) {
			var ts, tl time.Duration
			n := 0
			for b.Loop() {
				ts += send(c.path, c.ctype, small)
				tl += send(c.path, c.ctype, large)
				n++
			}
			b.ReportMetric(float64(ts.Nanoseconds())/float64(n), "ns-100/op")
			b.ReportMetric(float64(tl.Nanoseconds())/float64(n), "ns-10000/op")
			b.ReportMetric(float64(tl)/float64(ts), "cost-10000/100")
		})
	}
}
