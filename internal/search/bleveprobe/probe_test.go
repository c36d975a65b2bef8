// Package bleveprobe measures the alternative docs/search.md compares the
// chosen design with: one bleve index per group. It is a module of its own
// so the application never links bleve's index (only its analysis
// packages). Run: cd internal/search/bleveprobe && go test -run TestProbe -v
package bleveprobe

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
)

func vocabulary(n int) []string {
	on := []string{"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "st", "pl", "gr", "br"}
	nu := []string{"a", "e", "i", "o", "u", "ai", "ea", "ou"}
	co := []string{"n", "t", "r", "ck", "m", "ll", "sh", "nd", "rt", "ng"}
	seen := map[string]bool{}
	var out []string
	r := rand.New(rand.NewPCG(1, 2))
	for len(out) < n {
		w := ""
		for s := 0; s < 1+r.IntN(3); s++ {
			w += on[r.IntN(len(on))] + nu[r.IntN(len(nu))] + co[r.IntN(len(co))]
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func dirSize(dir string) int64 {
	var total int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total
}

// TestProbe indexes the same 100,000 synthetic comments as the search
// package's benchmark into one bleve (scorch) index and reports build
// time, size, open time and query latency.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = "en"
	ix, err := bleve.New(filepath.Join(dir, "g"), m)
	if err != nil {
		t.Fatal(err)
	}
	words := vocabulary(20_000)
	r := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(words)-1))
	start := time.Now()
	batch := ix.NewBatch()
	for i := 0; i < 100_000; i++ {
		var sb strings.Builder
		for w := 0; w < 8+r.IntN(25); w++ {
			sb.WriteString(words[zipf.Uint64()] + " ")
		}
		_ = batch.Index(fmt.Sprint("c", i), map[string]any{"body": sb.String(), "created": time.Unix(int64(i)*900, 0)})
		if batch.Size() == 1000 {
			if err := ix.Batch(batch); err != nil {
				t.Fatal(err)
			}
			batch = ix.NewBatch()
		}
	}
	_ = ix.Batch(batch)
	build := time.Since(start)
	_ = ix.Close()
	size := dirSize(dir)

	start = time.Now()
	ix, err = bleve.Open(filepath.Join(dir, "g"))
	if err != nil {
		t.Fatal(err)
	}
	open := time.Since(start)
	// One comment added to the big index: what a single writer does per record.
	start = time.Now()
	before := dirSize(dir)
	for i := 0; i < 100; i++ {
		_ = ix.Index(fmt.Sprint("n", i), map[string]any{"body": "a new comment about " + words[i*7]})
	}
	perDoc := time.Since(start) / 100
	grown := (dirSize(dir) - before) / 100

	queries := []string{words[3], words[60], words[4000], words[5] + " " + words[200]}
	var lat []time.Duration
	for i := 0; i < 400; i++ {
		q := bleve.NewMatchQuery(queries[i%len(queries)])
		req := bleve.NewSearchRequestOptions(q, 20, 0, false)
		req.Highlight = bleve.NewHighlight()
		start := time.Now()
		if _, err := ix.Search(req); err != nil {
			t.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("build %v, size %.1f MB, open %v, add one doc %v (+%d bytes on disk), query p50 %v p95 %v",
		build.Round(time.Millisecond), float64(size)/1e6, open.Round(time.Microsecond), perDoc.Round(time.Microsecond),
		grown, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*95/100].Round(time.Microsecond))
}
