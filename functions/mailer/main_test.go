package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/cores/mailer"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/stream"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fakeOutbox struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeOutbox) DeliverOne(_ context.Context, uid, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, uid+"/"+id)
	return f.err
}

// mailerOnly is the dispatcher with the outbox consumer alone, over out.
func mailerOnly(out notify.Deliverer, now func() time.Time) *stream.Dispatcher {
	return stream.New(slog.New(slog.DiscardHandler), stream.Named{Name: "mailer", Consumer: notify.StreamConsumer{Out: out, Now: now}})
}

var sample = filepath.Join("..", "..", "events", "mailer-stream.json")

// The sample event: only the INSERT of a pending job is delivered; the
// thread update and the already-sent job are ignored.
func TestSampleEventDeliversOnlyPendingJobs(t *testing.T) {
	fo := &fakeOutbox{}
	var out bytes.Buffer
	if err := invokeOnce(context.Background(), mailerOnly(fo, time.Now), sample, &out); err != nil {
		t.Fatal(err)
	}
	if len(fo.calls) != 1 || fo.calls[0] != "Xq3vK9pL2mN8rT5wY1zA0A/18a9f2c4d5e6f7a8b1c2d3e4" {
		t.Fatalf("calls %v", fo.calls)
	}
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("response %s: %v", out.String(), err)
	}
	// Not yet due (a retry waiting for its backoff): left to the sweep.
	fo.calls = nil
	later := mailerOnly(fo, func() time.Time { return time.Date(2025, 11, 24, 15, 0, 0, 0, time.UTC) })
	if err := invokeOnce(context.Background(), later, sample, &out); err != nil || len(fo.calls) != 0 {
		t.Fatalf("a job due later was delivered: %v %v", fo.calls, err)
	}
}

// A storage failure reports the record, so Lambda retries only it.
func TestFailuresAreReportedPerRecord(t *testing.T) {
	fo := &fakeOutbox{err: errors.New("storage is busy")}
	h := mailerOnly(fo, time.Now)
	raw, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "111100000000000000000001" {
		t.Fatalf("failures %+v", resp.BatchItemFailures)
	}
}

// Through the real wiring: a notification written by the core, seen in a
// stream record, arrives in the SES emulator once.
func TestStreamRecordSendsTheEmail(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	var logs bytes.Buffer
	a, err := mailer.New(ctx, env.Config, os.Getenv, logging.New(&logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	addr := env.Prefix + "-bob@example.org"
	bob, err := a.Accounts.CreateUser(ctx, addr, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Notifications.Deliver(ctx, []notify.Notification{{UserID: bob.ID, Kind: notify.PollClosed, GroupID: "nogroup00000000a",
		PollID: "ppollid000000001", Title: "Which day?", Excerpt: "The poll has closed: write its outcome."}}); err != nil {
		t.Fatal(err)
	}
	jobs, err := a.Notifications.ListAfter(ctx, bob.ID, "", 10)
	if err != nil || len(jobs) != 1 {
		t.Fatal(jobs, err)
	}
	j := jobs[0]
	rec := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "1",
		NewImage: map[string]events.DynamoDBAttributeValue{
			"GSI2PK": events.NewStringAttribute(j.Queue), "GSI2SK": events.NewStringAttribute(j.QueueKey),
			"MailState": events.NewStringAttribute(string(j.State)), "UserID": events.NewStringAttribute(bob.ID),
			"ID": events.NewStringAttribute(j.ID)}}}
	h := consumersOf(a, logging.New(&logs, "info")) // the function's own dispatcher
	for range 2 {                                   // a redelivered record sends nothing twice
		resp, err := h.Handle(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%+v %v", resp, err)
		}
	}
	msgs, err := mail.Emulator{URL: env.Config.SESEndpoint}.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if len(m.Destination.To) == 1 && strings.EqualFold(m.Destination.To[0], addr) {
			n++
			if !strings.Contains(m.Subject, "Which day?") || !strings.Contains(m.Body.Text, "Write the outcome: http://127.0.0.1:8080/polls/ppollid000000001") ||
				!strings.Contains(m.Body.Text, "Unsubscribe from all Quorum email: http://127.0.0.1:8080/unsubscribe/") {
				t.Errorf("message %q:\n%s", m.Subject, m.Body.Text)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d messages to bob", n)
	}
	if got, _ := a.Notifications.GetJob(ctx, bob.ID, j.ID); got.State != notify.MailSent {
		t.Fatalf("job %+v", got)
	}
	if strings.Contains(logs.String(), addr) || strings.Contains(logs.String(), "Which day?") {
		t.Errorf("personal data in the logs:\n%s", logs.String())
	}
}
