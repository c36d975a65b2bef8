package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/browsertest"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// sweepEnglish are words and phrases of Quorum's own that the English
// version of the swept pages shows (buttons, headings, labels, relative
// times). None may show on a German or an Arabic page: the world's user
// content below is chosen so that it holds none of them.
var sweepEnglish = []string{"Save", "Cancel", "Delete", "Remove", "members", "Members", "Settings", "Sign out",
	"ago", "Closes", "closes", "Edit", "History", "Reply", "Vote", "Search", "Notifications", "Invite",
	"Back", "Submit", "Title", "Description", "Details", "Options", "Add option", "Create", "Start",
	"Group", "Thread", "Poll", "Export", "Download", "Audit", "Requests", "Invitations", "Templates",
	"Tags", "Import", "Proxies", "Sessions", "Tokens", "Email", "Language", "Time zone", "Post comment",
	"Comment", "Move", "Fork", "Guests", "Your", "your", "You ", "the ", "and ", "of ", "to ", "with ",
	"for ", "yet", "None", "No ", "Nothing", "Yes", "Open", "Closed", "Private", "Public", "Secret",
	"minutes", "hours", "days", "Agree", "Disagree", "Abstain", "Block", "Choose", "Send", "Help", "Learn more"}

var sweepWordRe = map[string]*regexp.Regexp{}

func init() {
	for _, w := range sweepEnglish {
		sweepWordRe[w] = regexp.MustCompile(`(^|[^\pL])` + regexp.QuoteMeta(strings.TrimSpace(w)) + `($|[^\pL])`)
	}
}

// germanLoanwords are sentinels German uses as they are ("Thread", "API-Tokens",
// "Export", "Download", "Details (optional)", "Start" for the home link).
var germanLoanwords = map[string]bool{"Start": true, "Tokens": true, "Export": true, "Download": true,
	"Thread": true, "Details": true, "Tags": true, "Templates": true, "Import": true}

// sweepHiddenText is the text a reader meets besides the visible text: the
// document's title, placeholders, accessible names and tooltips, image
// alternatives and the values of submit inputs.
const sweepHiddenText = `[document.title, ...[...document.querySelectorAll(
	"[placeholder],[aria-label],[title],img[alt],input[type=submit],input[type=button]")].flatMap(e =>
	["placeholder", "aria-label", "title", "alt", "value"].filter(a => e.hasAttribute(a) &&
		(a !== "value" || e.type === "submit" || e.type === "button")).map(a => e.getAttribute(a)))].join("\n")`

// sweepOutside names the visible elements drawn past either side of the
// viewport (a right-to-left page overflows to the left), but for those in
// a box that scrolls or clips (a chart's figure, the visually hidden).
const sweepOutside = `[...document.querySelectorAll("body *")].filter(e => {
	const r = e.getBoundingClientRect();
	if (r.width < 1 || r.height < 1 || (r.left > -1 && r.right < window.innerWidth + 1)) return false;
	for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
		if (getComputedStyle(a).overflowX !== "visible") return false;
	}
	return true;
}).slice(0, 8).map(e => e.tagName + "." + e.getAttribute("class") + " " + Math.round(e.getBoundingClientRect().left) + ".." +
	Math.round(e.getBoundingClientRect().right))`

// sweepBareAddresses lists the email addresses (name@domain.tld) in the
// page's main text that are not isolated from its direction (<bdi>, an element with dir, or the
// Unicode isolates the printer adds): in Arabic "ada-x@example.com" would
// show as "-ada ... .com".
const sweepBareAddresses = `(() => {
	const w = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT), bare = [];
	for (let n = w.nextNode(); n; n = w.nextNode()) {
		const m = n.data.match(/[^\s\u2068]+@[a-z0-9-]+\.[a-z.]*[a-z]/);
		if (m && !n.data.includes("\u2068" + m[0]) && !n.parentElement.closest("bdi,[dir]:not(html)")) bare.push(m[0]);
	}
	return bare.slice(0, 8);
})()`

// englishIn lists the sentinel words found in txt (whole words, case as
// written), each with a little of its surroundings; code "de" lets German's
// loanwords pass.
func englishIn(code, txt string) []string {
	var found []string
	for _, w := range sweepEnglish {
		if code == "de" && germanLoanwords[w] {
			continue
		}
		if loc := sweepWordRe[w].FindStringIndex(txt); loc != nil {
			from, to := max(0, loc[0]-30), min(len(txt), loc[1]+30)
			found = append(found, w+" in «"+strings.ReplaceAll(txt[from:to], "\n", " ⏎ ")+"»")
		}
	}
	return found
}

// sweepWorld is one person's group with a thread, a comment, polls and a
// second member, so that every group, thread and poll page has something
// to show.
type sweepWorld struct {
	gid, tid, cid, memberID string
}

func buildSweepWorld(t *testing.T, a *app.API, owner, member *person, title string) sweepWorld {
	t.Helper()
	ctx := actingAs(t, a, owner.Email)
	g, err := a.Groups.Create(ctx, group.CreateInput{Name: "Quorum " + title, Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := a.Groups.JoinLink(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.JoinViaLink(actingAs(t, a, member.Email), link[strings.LastIndex(link, "/join/")+len("/join/"):]); err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(ctx, discussion.StartInput{GroupID: g.ID, Title: title + " Tomaten",
		Description: "Tomaten, Kürbis, Bohnen.", Notify: &notify.Audience{}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Discussions.Comment(ctx, th.ID, discussion.CommentInput{Body: "Tomaten!"})
	if err != nil {
		t.Fatal(err)
	}
	closing := time.Now().Add(72 * time.Hour).UTC()
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = title+" Tomaten?", "Tomaten."
	d.Settings.ClosingAt = &closing
	if _, err := a.Decisions.Create(ctx, decision.CreateInput{GroupID: g.ID, ThreadID: th.ID, Definition: d}); err != nil {
		t.Fatal(err)
	}
	m, err := a.Accounts.UserByEmail(context.Background(), member.Email)
	if err != nil {
		t.Fatal(err)
	}
	return sweepWorld{gid: g.ID, tid: th.ID, cid: c.ID, memberID: m.ID}
}

// TestSweepPagesInGermanAndArabic walks every kind of page (issue 18: the
// settings pages, the group's admin pages, the thread pages, each poll
// type's form, search and notifications) as a German and as an Arabic
// user: each page says its language and direction, misses no message
// (⟦key⟧), shows none of the English words of its English version, and
// does not scroll sideways at 390 px (screenshots at 1280 and 390 px with
// QUORUM_SCREENSHOTS). The German member also reads a poll email and a
// notification email in German.
func TestSweepPagesInGermanAndArabic(t *testing.T) {
	t.Parallel()
	s, a := newPollSite(t)
	ada := s.person(t, "ada", "Ada Lovelace") // German
	cy := s.person(t, "cy", "Cyra Haddad")    // Arabic
	for _, p := range []*person{ada, cy} {
		p.open("/signup")
		p.signInWithCode(true)
	}
	setLang := func(p *person, code string) {
		p.open("/settings")
		browsertest.Get(p.Session, "choose "+code, chromedp.Evaluate[bool](
			`(e => { e.value = "`+code+`"; return true })(document.querySelector("#locale"))`))
		if st := p.press("save the language", chromedp.CSS(`form[action="/settings"] button[type="submit"]`)); st >= 400 {
			t.Fatalf("set language %s: status %d", code, st)
		}
	}
	setLang(ada, "de")
	setLang(cy, "ar")
	worlds := map[*person]sweepWorld{
		ada: buildSweepWorld(t, a, ada, cy, "Beet"),
		cy:  buildSweepWorld(t, a, cy, ada, "Hof"),
	}

	for _, who := range []struct {
		p         *person
		code, dir string
	}{{ada, "de", "ltr"}, {cy, "ar", "rtl"}} {
		w := worlds[who.p]
		g, th := "/groups/"+w.gid, "/threads/"+w.tid
		pages := []struct{ name, path string }{
			{"settings", "/settings"},
			{"settings-mail", "/settings/email-preferences"},
			{"settings-sessions", "/settings/sessions"},
			{"settings-tokens", "/settings/tokens"},
			{"settings-export", "/settings/export"},
			{"settings-delete", "/settings/delete"},
			{"group-settings", g + "/settings"},
			{"group-members", g + "/members"},
			{"group-invitations", g + "/invitations"},
			{"group-requests", g + "/requests"},
			{"group-audit", g + "/audit"},
			{"group-held-mail", g + "/held-mail"},
			{"group-tags", g + "/tags"},
			{"group-templates", g + "/templates"},
			{"group-export", g + "/export"},
			{"group-import", "/groups/import"},
			{"group-delete", g + "/delete"},
			{"group-remove-comments", g + "/members/" + w.memberID + "/remove-comments"},
			{"group-proxies", g + "/proxies"},
			{"thread", th},
			{"thread-new", g + "/threads/new"},
			{"thread-edit", th + "/edit"},
			{"thread-history", th + "/history"},
			{"thread-move", th + "/move"},
			{"thread-fork", th + "/fork"},
			{"thread-guests", th + "/guests"},
			{"comment-edit", th + "/comments/" + w.cid + "/edit"},
			{"search", "/search?q=Tomaten"},
			{"notifications", "/notifications"},
		}
		for _, ty := range poll.Types() {
			pages = append(pages, struct{ name, path string }{"poll-new-" + string(ty),
				g + "/polls/new?type=" + string(ty) + "&thread=" + w.tid})
		}
		for _, pg := range pages {
			name := "sweep-" + pg.name + "-" + who.code
			if st := who.p.open(pg.path); st != 200 {
				t.Errorf("%s: status %d", name, st)
				continue
			}
			got := browsertest.Get(who.p.Session, "language of "+name,
				chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`))
			if want := who.code + " " + who.dir; got != want {
				t.Errorf("%s: <html lang dir> is %q, want %q", name, got, want)
			}
			if browsertest.Get(who.p.Session, "missing keys of "+name,
				chromedp.Evaluate[bool](`document.documentElement.outerHTML.includes("⟦")`)) {
				t.Errorf("%s: a message is missing from the catalogs (⟦key⟧ on the page)", name)
			}
			hidden := browsertest.Get(who.p.Session, "hidden text of "+name, chromedp.Evaluate[string](sweepHiddenText))
			for _, e := range englishIn(who.code, who.p.Text()+"\n"+hidden) {
				t.Errorf("%s: English on the page: %s", name, e)
			}
			who.p.at(1280, name)
			who.p.Do("viewport 390", chromedp.EmulateViewport(390, 900))
			if out := browsertest.Get(who.p.Session, "outside "+name, chromedp.Evaluate[[]string](sweepOutside)); len(out) > 0 {
				t.Errorf("%s: drawn past the side of a 390 px screen: %v", name, out)
			}
			who.p.Do("viewport 1280", chromedp.EmulateViewport(1280, 900))
			if bare := browsertest.Get(who.p.Session, "bare addresses "+name, chromedp.Evaluate[[]string](sweepBareAddresses)); len(bare) > 0 {
				t.Errorf("%s: email addresses not isolated from the page's direction: %v", name, bare)
			}
			who.p.at(390, name)
		}
	}

	// Mail to the German member of Cy's group: a poll announced to the
	// group, and a comment that mentions her.
	cyCtx := actingAs(t, a, cy.Email)
	cw := worlds[cy]
	closing := time.Now().Add(48 * time.Hour).UTC()
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Hof Kürbis?", "Kürbis."
	d.Settings.ClosingAt = &closing
	if _, err := a.Decisions.Create(cyCtx, decision.CreateInput{GroupID: cw.gid, ThreadID: cw.tid, Definition: d,
		Notify: &notify.Audience{Group: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discussions.Comment(cyCtx, cw.tid, discussion.CommentInput{Body: "Bohnen, @Ada?"}); err != nil {
		t.Fatal(err)
	}
	ada.seesNotifications("Hof Kürbis?")
	ada.seesNotifications("Bohnen, @Ada?")
	for _, e := range englishIn("de", ada.Text()) {
		t.Errorf("notifications-de: English on the page: %s", e)
	}
	if _, err := a.Outbox.DeliverDue(context.Background(), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hof Kürbis?", "Bohnen, @Ada?"} {
		m := s.nextMail(ada.Email, want)
		t.Logf("mail %q:\n%s", m.Subject, m.Body.Text)
		if !strings.Contains(m.Body.Text, "Abstimmung") && !strings.Contains(m.Body.Text, "erwähnt") {
			t.Errorf("mail about %q is not in German:\n%s", want, m.Body.Text)
		}
		for _, e := range englishIn("de", m.Subject+"\n"+m.Body.Text) {
			t.Errorf("mail about %q: English: %s", want, e)
		}
	}
}
