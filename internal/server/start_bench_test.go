package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/web"
)

// What the api function's start costs in this package: building the
// server (the route table) and answering its first request, for the
// cold-start benchmark's event (GET /healthz, here without dependencies to
// ping) and for a first API request. Each iteration is a new server, as
// each cold start is.
func BenchmarkNewAndFirstRequest(b *testing.B) {
	r, err := web.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/api/v1/me"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := server.New(server.Deps{Health: map[string]server.Pinger{}, Web: r})
				if err != nil {
					b.Fatal(err)
				}
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code >= 500 && path == "/healthz" {
					b.Fatalf("GET %s: %d", path, rec.Code)
				}
			}
		})
	}
}
