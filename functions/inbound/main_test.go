package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores/inboxcores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// A reply to a notification, as SES hands it to the function (raw MIME in
// the bucket, the receipt event), becomes one comment through the real
// wiring; SES delivering the same event again changes nothing.
func TestReplyEventPostsOnceThroughTheWiring(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	var logs bytes.Buffer
	a, err := inboxcores.New(ctx, env.Config, os.Getenv, logging.New(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	addr := env.Prefix + "-alice@example.org"
	alice, err := a.Accounts.CreateUser(ctx, addr, "Alice")
	if err != nil {
		t.Fatal(err)
	}
	actx := authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: alice.ID})
	g, err := a.Groups.Create(actx, group.CreateInput{Name: "Garden", Handle: "garden-" + strings.ToLower(env.Prefix), Privacy: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := a.Discussions.StartThread(actx, discussion.StartInput{GroupID: g.ID, Title: "Spring planting", Description: "What shall we plant?"})
	if err != nil {
		t.Fatal(err)
	}
	to, err := replyaddr.NewTokens(env.Config.SigningKey, env.Config.MailDomain).Mint(replyaddr.Token{UserID: alice.ID,
		Kind: replyaddr.KindThread, ThreadID: th.ID, Expires: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	id := "ses-" + strings.ToLower(env.Prefix)
	raw := fmt.Sprintf("From: Alice <%s>\r\nTo: %s\r\nSubject: Re: [Garden] Spring planting\r\nMessage-ID: <%s@example.org>\r\n"+
		"Date: Mon, 23 Nov 2026 18:40:10 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Tomatoes and beans, please.\r\n\r\nOn Mon, 23 Nov 2026, Quorum wrote:\r\n> What shall we plant?\r\n", addr, to, id)

	h := handler{inbox: a.Inbox, raw: inbox.S3Raw{Client: a.Clients.S3}, bucket: env.Config.InboundBucket,
		prefix: env.Config.InboundPrefix, log: logging.New(&logs, "info")}
	if err := h.raw.Put(ctx, h.bucket, h.prefix+id, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	pass := &events.SimpleEmailVerdict{Status: "PASS"}
	ev := events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{{EventSource: "aws:ses", SES: events.SimpleEmailService{
		Mail: events.SimpleEmailMessage{MessageID: id, Source: addr, Timestamp: time.Now(), Destination: []string{to}},
		Receipt: events.SimpleEmailReceipt{Recipients: []string{to}, SPFVerdict: *pass, DKIMVerdict: *pass,
			DMARCVerdict: *pass, SpamVerdict: *pass, VirusVerdict: *pass},
	}}}}

	var results []inbox.Result
	for range 2 {
		outs, err := h.Handle(ctx, ev)
		if err != nil || len(outs) != 1 {
			t.Fatalf("handle: %+v %v", outs, err)
		}
		results = append(results, outs[0].Result)
	}
	if results[0] != inbox.Posted || results[1] != inbox.Duplicate {
		t.Fatalf("results %v, want [posted duplicate]", results)
	}
	page, err := a.Discussions.Page(actx, th.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var comments []discussion.Item
	for _, it := range page.Items {
		if it.Kind == "comment" {
			comments = append(comments, it)
		}
	}
	if len(comments) != 1 || comments[0].ActorID != alice.ID || strings.TrimSpace(comments[0].Body) != "Tomatoes and beans, please." {
		t.Fatalf("comments: %+v", comments)
	}
	if strings.Contains(logs.String(), addr) || strings.Contains(logs.String(), "Tomatoes") {
		t.Errorf("personal data in the logs:\n%s", logs.String())
	}
}

// The group-mail sample (events/ses-inbound-group.json and its .eml) starts
// a thread in the demo's garden-club group when a member sends it; invoking
// it again is a duplicate. This keeps `make invoke FN=inbound` meaningful.
func TestGroupMailSample(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	a, err := inboxcores.New(ctx, env.Config, os.Getenv, logging.New(&bytes.Buffer{}, "error"))
	if err != nil {
		t.Fatal(err)
	}
	as := func(email, name string) context.Context {
		u, err := a.Accounts.CreateUser(ctx, email, name)
		if err != nil {
			t.Fatal(err)
		}
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID})
	}
	g, err := a.Groups.Create(as("alice@example.org", "Alice"), group.CreateInput{Name: "Garden Club", Handle: "garden-club", Privacy: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Groups.Join(as("bob@example.org", "Bob"), g.ID); err != nil {
		t.Fatal(err)
	}
	cfg := env.Config
	cfg.MailDomain = "quorum.localhost" // the sample is addressed as in make dev
	a2, err := inboxcores.New(ctx, cfg, os.Getenv, logging.New(&bytes.Buffer{}, "error"))
	if err != nil {
		t.Fatal(err)
	}
	h := handler{inbox: a2.Inbox, raw: inbox.S3Raw{Client: a2.Clients.S3}, bucket: cfg.InboundBucket, prefix: cfg.InboundPrefix,
		log: logging.New(&bytes.Buffer{}, "error")}
	for _, want := range []string{`"result": "started"`, `"result": "duplicate"`} {
		var out bytes.Buffer
		if err := invokeOnce(ctx, h, "../../events/ses-inbound-group.json", &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("want %s in:\n%s", want, out.String())
		}
	}
}
