package mailpref_test

import (
	"context"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/mailpref"
)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestNextDueAcrossTimeZonesAndDST(t *testing.T) {
	// 2030: 4 March is a Monday; Europe changes clocks on 31 March and 27
	// October, the US on 10 March and 3 November, Lord Howe (30 minutes)
	// on 6 October.
	cases := []struct {
		name   string
		period mailpref.Mode
		hour   int
		zone   string
		after  time.Time
		want   time.Time
	}{
		{"UTC later today", mailpref.Daily, 8, "UTC", utc(2030, 3, 4, 5, 6), utc(2030, 3, 4, 8, 0)},
		{"UTC exactly at the slot: tomorrow", mailpref.Daily, 8, "UTC", utc(2030, 3, 4, 8, 0), utc(2030, 3, 5, 8, 0)},
		{"midnight hour", mailpref.Daily, 0, "UTC", utc(2030, 3, 4, 0, 0), utc(2030, 3, 5, 0, 0)},
		{"Berlin winter", mailpref.Daily, 8, "Europe/Berlin", utc(2030, 3, 29, 12, 0), utc(2030, 3, 30, 7, 0)},
		{"Berlin, the day summer time starts", mailpref.Daily, 8, "Europe/Berlin", utc(2030, 3, 30, 12, 0), utc(2030, 3, 31, 6, 0)},
		{"Berlin 02:00 does not exist: when the clocks jump", mailpref.Daily, 2, "Europe/Berlin", utc(2030, 3, 30, 12, 0), utc(2030, 3, 31, 1, 0)},
		{"Berlin 02:00 twice: the first", mailpref.Daily, 2, "Europe/Berlin", utc(2030, 10, 26, 12, 0), utc(2030, 10, 27, 0, 0)},
		{"Berlin 02:00 twice: never the second", mailpref.Daily, 2, "Europe/Berlin", utc(2030, 10, 27, 0, 0), utc(2030, 10, 28, 1, 0)},
		{"Berlin after winter time returns", mailpref.Daily, 8, "Europe/Berlin", utc(2030, 10, 27, 12, 0), utc(2030, 10, 28, 7, 0)},
		{"New York, the day summer time starts", mailpref.Daily, 8, "America/New_York", utc(2030, 3, 9, 14, 0), utc(2030, 3, 10, 12, 0)},
		{"New York 01:00 twice: the first", mailpref.Daily, 1, "America/New_York", utc(2030, 11, 3, 4, 0), utc(2030, 11, 3, 5, 0)},
		{"New York 01:00 twice: never the second", mailpref.Daily, 1, "America/New_York", utc(2030, 11, 3, 5, 0), utc(2030, 11, 4, 6, 0)},
		{"Los Angeles late hour crosses the UTC date", mailpref.Daily, 23, "America/Los_Angeles", utc(2030, 1, 1, 7, 30), utc(2030, 1, 2, 7, 0)},
		{"Lord Howe 30-minute jump", mailpref.Daily, 2, "Australia/Lord_Howe", utc(2030, 10, 5, 0, 0), utc(2030, 10, 5, 15, 30)},
		{"Chatham +13:45", mailpref.Daily, 8, "Pacific/Chatham", utc(2030, 3, 4, 12, 0), utc(2030, 3, 4, 18, 15)},
		{"weekly: next Monday", mailpref.Weekly, 9, "Asia/Kolkata", utc(2030, 3, 6, 0, 0), utc(2030, 3, 11, 3, 30)},
		{"weekly: this Monday, before the hour", mailpref.Weekly, 9, "Asia/Kolkata", utc(2030, 3, 4, 3, 0), utc(2030, 3, 4, 3, 30)},
		{"weekly: this Monday, after the hour", mailpref.Weekly, 9, "Asia/Kolkata", utc(2030, 3, 4, 4, 0), utc(2030, 3, 11, 3, 30)},
		{"weekly: Monday is still Sunday in UTC", mailpref.Weekly, 8, "Pacific/Auckland", utc(2030, 3, 2, 0, 0), utc(2030, 3, 3, 19, 0)},
		{"weekly over the Berlin change", mailpref.Weekly, 8, "Europe/Berlin", utc(2030, 3, 26, 0, 0), utc(2030, 4, 1, 6, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			got := mailpref.NextDue(tc.period, tc.hour, loc, tc.after)
			if !got.Equal(tc.want) {
				t.Fatalf("NextDue = %s (%s), want %s (%s)", got, got.In(loc), tc.want, tc.want.In(loc))
			}
			if got.Location() != time.UTC {
				t.Fatalf("NextDue is not in UTC: %s", got.Location())
			}
		})
	}
}

func TestDigestQueueAndDigestSentIsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Set(utc(2030, 3, 30, 12, 0))
	u, sess, _ := f.person(t, "Digest", "Europe/Berlin")
	bystander, bsess, _ := f.person(t, "Bystander", "")
	if _, err := f.svc.Update(bsess, mailpref.Update{Mode: ptr(mailpref.Weekly)}); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Update(sess, mailpref.Update{Mode: ptr(mailpref.Daily), DigestHour: ptr(8)})
	if err != nil {
		t.Fatal(err)
	}
	first := utc(2030, 3, 31, 6, 0) // 08:00 CEST, the first morning of summer time
	if p.NextDigest == nil || !p.NextDigest.Equal(first) || p.TimeZone != "Europe/Berlin" {
		t.Fatalf("prefs = %+v", p)
	}
	if due, err := f.svc.DueDigests(ctx, first.Add(-time.Second)); err != nil || len(due) != 0 {
		t.Fatalf("due before time: %+v %v", due, err)
	}
	due, err := f.svc.DueDigests(ctx, first)
	if err != nil || len(due) != 1 {
		t.Fatalf("due at time: %+v %v", due, err)
	}
	d := due[0]
	if d.UserID != u.ID || d.Period != mailpref.Daily || d.After != "" || !d.Due.Equal(first) || !d.Since.Equal(utc(2030, 3, 30, 12, 0)) {
		t.Fatalf("due = %+v", d)
	}
	if containsUser(due, bystander.ID) {
		t.Fatal("the weekly bystander is due on a Sunday")
	}

	sentAt := first.Add(2 * time.Minute)
	for i := 0; i < 2; i++ { // the second call is a no-op
		if err := f.svc.DigestSent(ctx, d, "00000000000000a0aaaaaaaa", sentAt); err != nil {
			t.Fatalf("DigestSent #%d: %v", i+1, err)
		}
	}
	// A late retry with a different position is a no-op too.
	if err := f.svc.DigestSent(ctx, d, "00000000000000b0bbbbbbbb", sentAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	second := utc(2030, 4, 1, 6, 0)
	if due, _ := f.svc.DueDigests(ctx, second.Add(-time.Minute)); len(due) != 0 {
		t.Fatalf("still due after sending: %+v", due)
	}
	due, _ = f.svc.DueDigests(ctx, second)
	if len(due) != 1 || due[0].After != "00000000000000a0aaaaaaaa" || !due[0].Due.Equal(second) || !due[0].Since.Equal(sentAt) {
		t.Fatalf("next due = %+v", due)
	}

	// An empty digest (nothing new) moves the due time and keeps the position.
	if err := f.svc.DigestSent(ctx, due[0], "", second.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	third := utc(2030, 4, 2, 6, 0)
	due, _ = f.svc.DueDigests(ctx, third)
	due = only(due, u.ID) // the weekly bystander is due on Monday too
	if len(due) != 1 || due[0].After != "00000000000000a0aaaaaaaa" || !due[0].Due.Equal(third) {
		t.Fatalf("after an empty digest: %+v", due)
	}

	// The person changes the hour between the read and DigestSent: their
	// new schedule stays, and the position still advances.
	f.clk.Set(third.Add(-time.Hour))
	p, err = f.svc.Update(sess, mailpref.Update{DigestHour: ptr(9)})
	if err != nil || p.NextDigest == nil || !p.NextDigest.Equal(utc(2030, 4, 2, 7, 0)) {
		t.Fatalf("after changing the hour: %+v %v", p, err)
	}
	if err := f.svc.DigestSent(ctx, due[0], "00000000000000c0cccccccc", third.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	due, _ = f.svc.DueDigests(ctx, utc(2030, 4, 2, 7, 0))
	due = only(due, u.ID)
	if len(due) != 1 || due[0].After != "00000000000000c0cccccccc" || !due[0].Due.Equal(utc(2030, 4, 2, 7, 0)) {
		t.Fatalf("after a change in between: %+v", due)
	}

	// Back to immediate: off the queue; DigestSent of a stale due is a no-op.
	if _, err := f.svc.Update(sess, mailpref.Update{Mode: ptr(mailpref.Immediate)}); err != nil {
		t.Fatal(err)
	}
	if due2, _ := f.svc.DueDigests(ctx, utc(2030, 5, 1, 0, 0)); containsUser(due2, u.ID) {
		t.Fatal("immediate user on the digest queue")
	}
	if err := f.svc.DigestSent(ctx, due[0], "00000000000000d0dddddddd", utc(2030, 4, 2, 7, 1)); err != nil {
		t.Fatal(err)
	}
	if r := f.route(t, u.ID, u.Email, "", ""); r.Action != mailpref.Send {
		t.Fatalf("route after switching back: %+v", r)
	}
}

func only(ds []mailpref.DigestDue, uid string) []mailpref.DigestDue {
	var out []mailpref.DigestDue
	for _, d := range ds {
		if d.UserID == uid {
			out = append(out, d)
		}
	}
	return out
}
