package httpx

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/store"
)

// Observe gives read-only requests (GET, HEAD) a read cache, so that each
// item is read once per request, and never a request that may write; and
// every request its meter.
func TestObserveReadCacheOnlyForReads(t *testing.T) {
	for method, want := range map[string]bool{"GET": true, "HEAD": true, "POST": false, "PUT": false, "PATCH": false, "DELETE": false} {
		var cached, metered bool
		h := Observe(slog.New(slog.DiscardHandler), 0, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cached, metered = store.ReadCacheOn(r.Context()), metering.FromContext(r.Context()) != nil
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/x", nil))
		if cached != want || !metered {
			t.Errorf("%s: read cache %v (want %v), meter %v", method, cached, want, metered)
		}
	}
}
