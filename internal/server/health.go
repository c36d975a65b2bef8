package server

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/logging"
)

// healthz checks each dependency concurrently with a short timeout and
// answers 200 when all are ok, 503 otherwise. Failure causes are logged,
// not returned.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(s.health))
	var wg sync.WaitGroup
	for name, p := range s.health {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- result{name, p.Ping(ctx)}
		}()
	}
	wg.Wait()
	close(results)
	checks := map[string]string{}
	status, code := "ok", http.StatusOK
	names := []string{}
	for res := range results {
		names = append(names, res.name)
		if res.err != nil {
			checks[res.name] = "unavailable"
			status, code = "degraded", http.StatusServiceUnavailable
			s.log.WarnContext(r.Context(), "health check failed", "request_id", logging.RequestID(r.Context()), "check", res.name, "error", res.err.Error())
			continue
		}
		checks[res.name] = "ok"
	}
	sort.Strings(names)
	httpx.WriteJSON(w, code, map[string]any{"status": status, "checks": checks})
}
