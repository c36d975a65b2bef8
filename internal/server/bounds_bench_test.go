package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	qapp "github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/ratelimit"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// BenchmarkRejectLongList measures what refusing a list over its bound
// costs, through the whole application (session, routing, decoding) on the
// local cloud: a signed-in outsider posts a poll with 100 and with 10,000
// options to a made-up group, as JSON and as the poll form. It reports the
// time of each and the ratio (cost-10000/100; the goal is at most 2: the
// cost must not grow with the list).
func BenchmarkRejectLongList(b *testing.B) {
	env := testcloud.New(b)
	a, err := qapp.NewAPI(context.Background(), env.Config, server.NewLogger(io.Discard, "error"))
	if err != nil {
		b.Fatal(err)
	}
	box := &pollBox{}
	limits := account.DefaultLimits()
	for _, r := range []*ratelimit.Rule{&limits.LoginPerEmail, &limits.LoginPerIP, &limits.VerifyPerIP} {
		r.Max = 1_000_000
	}
	mint, err := account.New(account.Options{Store: a.Store, Mail: box, From: a.Config.MailFrom, BaseURL: a.Config.BaseURL,
		SigningKey: a.Config.SigningKey, Argon2: account.FastArgon2(), Limits: &limits})
	if err != nil {
		b.Fatal(err)
	}
	addr := "bench-" + env.Prefix + "@example.org"
	cl := account.Client{IP: "10.7.0.1"}
	if _, err := mint.RequestLogin(context.Background(), cl, addr); err != nil {
		b.Fatal(err)
	}
	v, err := mint.VerifyCode(context.Background(), cl, addr, box.code(b, addr), "Bench Outsider")
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()

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
		r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: v.Token})
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
