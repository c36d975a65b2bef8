package app_test

// The held inbound mail routes in the authorization matrix (matrix_test.go).
//
// Every held item the matrix meets is real: a message processed by the
// application's own inbox service (inbox.Service.Inject, as SES delivers
// it), held because its SPF/DKIM/DMARC verdicts fail or its sender is
// unknown.
//
//   - A held reply (/mail/held/{hid}) belongs to the user whose reply
//     address the message was sent to. The matrix holds one of M's
//     replies to a thread of the open group for every case: only M may
//     see, confirm or discard it; every other signed-in person gets the
//     same 404 as for a missing item, anonymous callers are asked to sign
//     in.
//   - A group's held mail is for those who may edit its settings (admins),
//     so its routes answer like the group's settings. Each group fixture
//     holds a message from an unknown address (fixture hook), and every
//     case that decides one works on a fresh one, so every case meets the
//     same state; removing a sender rule works on a fresh blocked address.
//   - /dev/mail exists because the test configuration is local; it is a
//     browser-session page (test: TestDevMailOnlyLocal in internal/server).

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

func init() {
	matrixAreas = append(matrixAreas, inboxMatrix)
	fixtureHooks = append(fixtureHooks, inboxFixture)
}

func matrixEML(from, to, subject, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 18:40:10 +0000\r\n"+
		"Message-ID: <%d@mail.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, time.Now().UnixNano(), body))
}

// heldGroupMail holds a message from a new unknown address for group f's
// admins and returns the held id.
func (w *world) heldGroupMail(f *fixture) string {
	w.t.Helper()
	hid, _ := w.heldGroupMailFrom(f)
	return hid
}

// heldGroupMailFrom is heldGroupMail that also returns the sender's address.
func (w *world) heldGroupMailFrom(f *fixture) (hid, from string) {
	w.t.Helper()
	to := f.handle + "@" + w.a.Inbox.Domain()
	from = fmt.Sprintf("stranger-%d-%s@elsewhere.example", w.next(), w.tag)
	out, err := w.a.Inbox.Inject(context.Background(), matrixEML(from, to, "Hello from outside", "May I join the *garden*?"),
		[]string{to}, inbox.PassingVerdicts())
	w.must(err, "hold group mail in "+f.kind)
	if out.Result != inbox.HeldMail || out.HeldID == "" || out.GroupID != f.id {
		w.t.Fatalf("mail to the %s group was not held: %+v", f.kind, out)
	}
	return out.HeldID, from
}

// heldReply holds a reply of M to the open group's inbox thread (its
// verdicts fail) and returns the held id.
func (w *world) heldReply() string {
	w.t.Helper()
	m := w.people["M"]
	tid := w.fixtures[0].ext["inbox_thread"]
	gen, err := w.a.MailPrefs.KeyGeneration(context.Background(), m.id) // the matrix may have reset M's addresses
	w.must(err, "key generation")
	tok := replyaddr.NewTokens(w.a.Config.SigningKey, w.a.Config.MailDomain)
	to, err := tok.Mint(replyaddr.Token{UserID: m.id, Kind: replyaddr.KindThread, ThreadID: tid, KeyGeneration: gen,
		Expires: time.Now().Add(7 * 24 * time.Hour)})
	w.must(err, "mint reply address")
	out, err := w.a.Inbox.Inject(context.Background(), matrixEML(m.email, to, "Re: Inbox thread", fmt.Sprintf("Reply %d", w.next())),
		[]string{to}, inbox.FailingVerdicts())
	w.must(err, "hold a reply")
	if out.Result != inbox.HeldMail || out.HeldID == "" {
		w.t.Fatalf("M's unauthenticated reply was not held: %+v", out)
	}
	return out.HeldID
}

// inboxFixture: held mail from an unknown sender in every group, and in
// the open group a thread of O that M's held replies answer.
func inboxFixture(w *world, f *fixture) {
	f.ext["held"] = w.heldGroupMail(f)
	if f.kind == "open" {
		th, err := w.a.Discussions.StartThread(w.people["O"].ctx, discussion.StartInput{GroupID: f.id, Title: "Inbox thread"})
		w.must(err, "inbox thread")
		f.ext["inbox_thread"] = th.ID
	}
}

// ownHeld fills in {hid} with a fresh held reply of M.
func ownHeld(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{hid}", func(c *cas) string { return c.w.keep(c.f, "held reply", c.w.heldReply) })
}

// freshHeld fills in {hid} with a fresh held message of the case's group.
func freshHeld(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{hid}", func(c *cas) string {
		return c.w.keep(c.f, "held mail", func() string { return c.w.heldGroupMail(c.f) })
	})
}

// freshBlock fills in {rid} with a newly blocked address of the case's group.
func freshBlock(b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{rid}", func(c *cas) string {
		return c.w.keep(c.f, "blocked sender", func() string { return c.w.blockedSender(c.f) })
	})
}

// blockedSender blocks a new sender of group f and returns the rule's id.
func (w *world) blockedSender(f *fixture) string {
	hid, from := w.heldGroupMailFrom(f)
	o := w.people["O"]
	w.must(w.a.Inbox.BlockSender(o.ctx, f.id, hid), "block a sender")
	rules, err := w.a.Inbox.GroupSenders(o.ctx, f.id)
	w.must(err, "sender rules")
	for _, r := range rules {
		if r.Kind == inbox.RuleBlock && strings.EqualFold(r.Address, from) {
			return r.ID
		}
	}
	w.t.Fatalf("the blocked address is not among the %s group's rules", f.kind)
	return ""
}

// allowAsT: the page's allow form remembering the sender as T's alias.
func allowAsT(c *cas) call {
	return call{method: "POST", path: c.sub("/groups/{id}/held-mail/{hid}/allow"), form: url.Values{"alias": {c.w.people["T"].id}}}
}

func inboxMatrix() map[string]spec {
	const sessionOnly = "S A A A A A F F"
	// A held reply: its user only (M); the rest get 404, like a missing one.
	const ownPage, ownAPI = "S H A H H H F F", "S H A H H H A H"
	//                 open               closed             secret             subgroup of the secret parent
	adminPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F F", "H H F A F H F F"}
	adminAPI := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H H F H", "H H F A F H F H"}
	return map[string]spec{
		// ---- a held reply, for its user ----
		"GET /mail/held/{hid}":          {acct: ownPage, build: ownHeld(get("/mail/held/{hid}"))},
		"POST /mail/held/{hid}/confirm": {acct: ownPage, build: ownHeld(form("/mail/held/{hid}/confirm"))},
		"POST /mail/held/{hid}/discard": {acct: ownPage, build: ownHeld(form("/mail/held/{hid}/discard"))},
		"GET /api/v1/mail/held/{hid}":   {acct: ownAPI, build: ownHeld(get("/api/v1/mail/held/{hid}"))},
		"POST /api/v1/mail/held/{hid}/confirm": {acct: ownAPI,
			build: ownHeld(api("POST", "/api/v1/mail/held/{hid}/confirm", ""))},
		"POST /api/v1/mail/held/{hid}/discard": {acct: ownAPI,
			build: ownHeld(api("POST", "/api/v1/mail/held/{hid}/discard", ""))},

		// ---- a group's held mail, for its admins ----
		"GET /groups/{id}/held-mail":                         {build: get("/groups/{id}/held-mail"), grp: adminPage},
		"POST /groups/{id}/held-mail/{hid}/allow":            {build: freshHeld(allowAsT), grp: adminPage, mut: true},
		"POST /groups/{id}/held-mail/{hid}/discard":          {build: freshHeld(page("/groups/{id}/held-mail/{hid}/discard")), grp: adminPage, mut: true},
		"POST /groups/{id}/held-mail/{hid}/block":            {build: freshHeld(page("/groups/{id}/held-mail/{hid}/block")), grp: adminPage, mut: true},
		"POST /groups/{id}/held-mail/senders/{rid}/remove":   {build: freshBlock(page("/groups/{id}/held-mail/senders/{rid}/remove")), grp: adminPage, mut: true},
		"GET /api/v1/groups/{id}/held-mail":                  {build: get("/api/v1/groups/{id}/held-mail"), grp: adminAPI},
		"POST /api/v1/groups/{id}/held-mail/{hid}/allow":     {build: freshHeld(api("POST", "/api/v1/groups/{id}/held-mail/{hid}/allow", "")), grp: adminAPI, mut: true},
		"POST /api/v1/groups/{id}/held-mail/{hid}/discard":   {build: freshHeld(api("POST", "/api/v1/groups/{id}/held-mail/{hid}/discard", "")), grp: adminAPI, mut: true},
		"POST /api/v1/groups/{id}/held-mail/{hid}/block":     {build: freshHeld(api("POST", "/api/v1/groups/{id}/held-mail/{hid}/block", "")), grp: adminAPI, mut: true},
		"GET /api/v1/groups/{id}/held-mail/senders":          {build: get("/api/v1/groups/{id}/held-mail/senders"), grp: adminAPI},
		"DELETE /api/v1/groups/{id}/held-mail/senders/{rid}": {build: freshBlock(api("DELETE", "/api/v1/groups/{id}/held-mail/senders/{rid}", "")), grp: adminAPI, mut: true},

		// ---- development only (the test configuration is local) ----
		"GET /dev/mail": {acct: sessionOnly, build: get("/dev/mail")},
		"POST /dev/mail": {acct: sessionOnly, build: func(c *cas) call {
			raw := matrixEML("someone@example.org", "nobody@example.org", "Not for Quorum", "Hello")
			return call{method: "POST", path: "/dev/mail", form: url.Values{"eml": {string(raw)}}}
		}},
	}
}
