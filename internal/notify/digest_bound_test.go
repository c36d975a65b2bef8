package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/lang"
)

// worstDigest is a full digest (MaxDigestItems) of comments, each in a
// thread of its own (so no topic's bound helps), every title, name and
// excerpt as long as they come, in letters of two bytes for Arabic.
func worstDigest(l lang.Lang) []Job {
	letter := "w"
	if l == lang.Arabic {
		letter = "ض"
	}
	word := strings.Repeat(letter, 9) + " "
	long := func(runes int) string { return strings.TrimSpace(strings.Repeat(word, runes/10)) }
	jobs := make([]Job, MaxDigestItems)
	for i := range jobs {
		jobs[i] = Job{Notification: Notification{ID: fmt.Sprintf("18a9f2c4d5e6f7a8b1c2%04d", i), UserID: bob.ID, Kind: Comment,
			ActorName: long(80), GroupID: garden.ID, ThreadID: fmt.Sprintf("c2e4g6i7k3m5%04d", i), CommentID: fmt.Sprintf("18a9f2c4d5e6f7a8b1c3%04d", i),
			Title: long(200), Excerpt: long(140) + "…"}}
	}
	return jobs
}

// A digest's HTML stays under 100 KB, whatever it holds, in every
// language: it shows as many items as fit, then a line, from the
// catalogs, tells how many more there are and links to the
// notifications page; the footer (why, the unsubscribe links) is always
// there.
func TestWorstCaseDigestFitsGmail(t *testing.T) {
	d, _ := unit(t)
	for _, l := range lang.Supported {
		p := bob
		p.Lang = l
		jobs := worstDigest(l)
		m, err := d.composeDigest(context.Background(), DigestDue{UserID: p.ID, Period: "daily"}, p, jobs, jobs[len(jobs)-1].ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(m.HTML) >= 100_000 {
			t.Errorf("%s: %d bytes of HTML", l, len(m.HTML))
		}
		checkLanguage(t, string(l)+"/digest", l, m.Subject, m.Text, m.HTML)
		pr := d.c.Catalog.Printer(l, nil)
		shown := strings.Count(m.HTML, "<article>")
		if shown < 20 || shown >= MaxDigestItems {
			t.Errorf("%s: %d items shown", l, shown)
		}
		more := pr.N("email.digest.more", MaxDigestItems-shown)
		if !strings.Contains(m.HTML, `<a href="`+testBase+`/notifications" style="color:#1f5fbf;text-decoration:underline">`+esc(more)+"</a>") ||
			!strings.Contains(m.Text, more+": "+testBase+"/notifications") {
			t.Errorf("%s: no line tells of the %d items left out (%q)", l, MaxDigestItems-shown, more)
		}
		for _, part := range []string{m.HTML, m.Text} {
			for _, want := range []string{pr.T("email.digest.daily.why"), "/unsubscribe/", "/settings/email-preferences"} {
				if !strings.Contains(part, want) {
					t.Errorf("%s: the footer lacks %q", l, want)
				}
			}
		}
		if !strings.HasSuffix(m.HTML, "</footer>\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n") {
			t.Errorf("%s: the HTML does not end with the footer", l)
		}
		t.Logf("%s: %d of %d items shown, %d bytes of HTML, %d of text", l, shown, MaxDigestItems, len(m.HTML), len(m.Text))
	}
}

// A busy thread shows its first DigestTopicItems items and a line, linked
// to the thread, telling how many more it has; other topics show whole,
// and with everything told of there is no line at the end.
func TestDigestBoundsATopic(t *testing.T) {
	d, _ := unit(t)
	var jobs []Job
	for i := range 12 {
		jobs = append(jobs, Job{Notification: Notification{ID: fmt.Sprintf("18a9f2c4d5e6f7a8b1c2%04d", i), UserID: bob.ID, Kind: Comment,
			ActorName: "Ada", GroupID: garden.ID, ThreadID: tid, CommentID: fmt.Sprintf("18a9f2c4d5e6f7a8b1c3%04d", i),
			Title: "Seeds", Excerpt: fmt.Sprintf("Comment number %d.", i)}})
	}
	jobs = append(jobs, Job{Notification: Notification{ID: "18a9f2c4d5e6f7a8b1c29999", UserID: bob.ID, Kind: PollOpened,
		GroupID: garden.ID, PollID: pid, Title: "Paint?"}})
	m, err := d.composeDigest(context.Background(), DigestDue{UserID: bob.ID, Period: "weekly"}, bob, jobs, "18a9f2c4d5e6f7a8b1c29999", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if shown := strings.Contains(m.Text, fmt.Sprintf("> Comment number %d.", i)); shown != (i < DigestTopicItems) {
			t.Errorf("comment %d shown: %v", i, shown)
		}
	}
	const more = "…and 7 more notifications here"
	if !strings.Contains(m.Text, "  "+more+"\n") ||
		!strings.Contains(m.HTML, `<a href="`+testBase+"/threads/"+tid+`" style="color:#1f5fbf;text-decoration:underline">`+more+"</a>") {
		t.Errorf("no line tells of the thread's other 7:\n%s", m.Text)
	}
	if !strings.Contains(m.Text, "Paint?") || strings.Contains(m.Text, "open Quorum") {
		t.Errorf("the poll is missing or a closing line is there:\n%s", m.Text)
	}
	if m.Subject != "Your weekly Quorum digest: 13 new notifications" {
		t.Errorf("subject %q", m.Subject)
	}
}

// What bounding costs a digest: one that fits is laid out once; the worst
// (200 items of the longest text, 204 KB of HTML in English, 310 KB in
// Arabic laid out whole) about nine times, to find how many items fit:
// measured on a loaded 2-core machine, 6 → 26 ms and 3 → 11 MB allocated
// (English), 8 → 26 ms (Arabic), once a day or week per person, in the
// scheduler; a digest that fits is unchanged (0.6–0.8 ms for 20 items).
func BenchmarkComposeDigest(b *testing.B) {
	d, _ := unit(b)
	for _, c := range []struct {
		name string
		l    lang.Lang
		n    int
	}{{"fits-en-20", lang.English, 20}, {"worst-en-200", lang.English, MaxDigestItems}, {"worst-ar-200", lang.Arabic, MaxDigestItems}} {
		p := bob
		p.Lang = c.l
		jobs := worstDigest(c.l)[:c.n]
		b.Run(c.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				m, err := d.composeDigest(context.Background(), DigestDue{UserID: p.ID, Period: "daily"}, p, jobs, jobs[len(jobs)-1].ID, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				size = len(m.HTML)
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}
