package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// smallTargets lists the buttons, links, summaries and submit inputs of
// the page that show a box smaller than min×min CSS px. Links inside a
// sentence (inline, with other text around them) are exempt, as WCAG 2.2
// (2.5.8) exempts them; what has no box (a closed menu's items) is not
// measured.
const smallTargets = `((min) => {
	const out = [];
	for (const el of document.querySelectorAll("button, summary, a[href], input[type=submit], [role=button]")) {
		if (el.getClientRects().length === 0) continue;
		const cs = getComputedStyle(el);
		if (cs.visibility === "hidden" || el.closest(".visually-hidden")) continue;
		if (el.tagName === "A" && cs.display === "inline") {
			const around = (el.parentElement.textContent || "").replace(/\s+/g, "").length;
			const own = (el.textContent || "").replace(/\s+/g, "").length;
			if (around > own) continue;
		}
		const r = el.getBoundingClientRect();
		if (r.width + 0.5 < min || r.height + 0.5 < min) {
			out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") +
				" “" + (el.textContent || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 40) +
				"” " + Math.round(r.width) + "×" + Math.round(r.height));
		}
	}
	return out;
})`

// Touch targets (WCAG 2.2 target size): on the thread, the group hub and
// the poll page every button, toggle, tab, menu summary and standalone
// link is at least 24×24 px at 1280 px with a mouse, and at least 44×44 px
// on a 390 px phone with touch (pointer: coarse), where the design
// system's --target token grows.
func TestTouchTargets(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace")
	ada.signedUp() // a minted session: signing in is other tests' subject
	ada.open("/groups/new")
	ada.fill("Name", "Orchard Group")
	ada.fill("Description", "Apples, pears and the cider press.")
	if st := ada.submit("Create group"); st != 200 {
		t.Fatalf("create group: %d", st)
	}
	gid := strings.TrimPrefix(ada.path(), "/groups/")
	ctx := actingAs(t, a, ada.Email)
	th, err := a.Discussions.StartThread(ctx, discussion.StartInput{GroupID: gid, Title: "Pressing day",
		Description: "Which **Saturday** do we press?"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Discussions.Comment(ctx, th.ID, discussion.CommentInput{Body: "The 12th works for me."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(ctx, th.ID, discussion.CommentInput{Body: "Or the 19th.", ParentID: c.ID}); err != nil {
		t.Fatal(err)
	}
	d := poll.New(poll.TypeProposal)
	d.Title = "Press on the 12th"
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	d.Settings.ClosingAt = &at
	p, err := a.Decisions.Create(ctx, decision.CreateInput{GroupID: gid, ThreadID: th.ID, Definition: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Discussions.SetGroupLevel(ctx, gid, notify.Quiet); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"thread", "/threads/" + th.ID},
		{"group hub", "/groups/" + gid},
		{"group hub, decisions tab", "/groups/" + gid + "?tab=decisions"},
		{"poll", "/polls/" + p.ID},
	}
	// QUORUM_SCREENSHOTS=dir keeps each page at each size, light and dark.
	shoot := func(name string) {
		t.Helper()
		dir := os.Getenv("QUORUM_SCREENSHOTS")
		if dir == "" {
			return
		}
		// The notification menu open: it shows the level Ada chose for the group.
		browsertest.Get(ada.Session, "open the notification menu",
			chromedp.Evaluate[bool](`(document.querySelectorAll("details#follow").forEach(d => d.open = true), true)`))
		for _, scheme := range []string{"light", "dark"} {
			if scheme == "dark" {
				ada.colorScheme("dark")
			}
			buf := browsertest.Get(ada.Session, "screenshot "+name, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, "targets-"+name+"-"+scheme+".png"), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ada.colorScheme("")
	}
	measure := func(where string, min int) {
		t.Helper()
		for _, pg := range pages {
			ada.open(pg.path)
			small := browsertest.Get(ada.Session, "measure targets", chromedp.Evaluate[[]string](smallTargets+"("+itoa(min)+")"))
			if len(small) > 0 {
				t.Errorf("%s %s: %d targets under %d×%d px:\n  %s", pg.name, where, len(small), min, min, strings.Join(small, "\n  "))
			}
			shoot(strings.ReplaceAll(strings.ReplaceAll(pg.name, ", ", "-"), " ", "-") + "-" + itoa(min))
		}
	}
	measure("at 1280 px with a mouse", 24)

	ada.Do("phone with touch", chromedp.EmulateViewport(390, 900, chromedp.EmulateTouch, chromedp.EmulateMobile))
	ada.open(pages[0].path)
	if !browsertest.Get(ada.Session, "pointer", chromedp.Evaluate[bool](`matchMedia("(pointer: coarse)").matches`)) {
		t.Fatal("touch emulation does not make the pointer coarse: the check would measure nothing")
	}
	measure("at 390 px with touch", 44)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
