package decision

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/render"
)

// What rendering at write saves each read of an outcome (the poll page,
// each thread card, each decision of the group's tab, each email): a
// statement of about 2 KB of Markdown, read from its stored HTML or
// rendered again (an outcome written before, or by an older renderer).
func BenchmarkOutcomeStatementHTML(b *testing.B) {
	r := render.New()
	src := strings.Repeat("We agreed to **plant tomatoes** in the south bed, see [the plan](https://example.org/plan).\n\n- water twice a week\n- stake them in June\n\n", 14)
	stored := string(r.Markdown(src))
	b.Run("stored", func(b *testing.B) {
		for b.Loop() {
			_ = statementHTML(r, src, stored, render.Version)
		}
		b.ReportMetric(float64(len(stored))/float64(len(src)), "html/src")
	})
	b.Run("rendered", func(b *testing.B) {
		for b.Loop() {
			_ = statementHTML(r, src, stored, 1)
		}
	})
}
