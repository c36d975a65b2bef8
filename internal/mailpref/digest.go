package mailpref

import (
	"context"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// DigestDue is one person whose catch-up digest is due.
type DigestDue struct {
	UserID string
	// Period is Daily or Weekly.
	Period Mode
	// After is the id of the last notification the previous digest covered
	// ("" before the first one): the digest lists the person's
	// notifications with a greater id (notify ids sort by time).
	After string
	// Since is when this digest period began (the switch to digest mode, or
	// the previous digest): with After == "" it bounds the first digest.
	Since time.Time
	// Due is when the digest was due (UTC); DigestSent is conditioned on it.
	Due time.Time
}

// MaxDuePerCall bounds DueDigests; the rest are returned by the next call.
const MaxDuePerCall = 500

// NextDue is the first digest time strictly after after: the local
// DigestHour of the next day (weekly: the next Monday) in loc. It is
// DST-correct: on a day when that hour does not exist (clocks jump
// forward over it) it is the moment the clocks jump; on a day when it
// happens twice (clocks go back) it is the first of the two, and the same
// local day never gets two digests.
func NextDue(period Mode, hour int, loc *time.Location, after time.Time) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := after.In(loc)
	y, m, d := l.Date()
	for i := 0; i < 16; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc) // noon exists every day
		if period == Weekly && day.Weekday() != time.Monday {
			continue
		}
		t := slot(day.Year(), day.Month(), day.Day(), hour, loc)
		if t.After(after) {
			return t.UTC()
		}
	}
	return after.Add(24 * time.Hour).UTC() // unreachable: some day in 16 is a Monday with a slot after "after"
}

// slot is the first instant of the local day y-m-d at which the local clock
// reads hour:00 or later. Every zone's offset is a multiple of 15 minutes,
// so stepping by 15 minutes around the naive time finds it.
func slot(y int, m time.Month, d, hour int, loc *time.Location) time.Time {
	want := time.Date(y, m, d, hour, 0, 0, 0, time.UTC) // the wall clock asked for
	naive := time.Date(y, m, d, hour, 0, 0, 0, loc)
	for t := naive.Add(-3 * time.Hour); t.Before(naive.Add(3*time.Hour + time.Second)); t = t.Add(15 * time.Minute) {
		l := t.In(loc)
		wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
		if !wall.Before(want) {
			return t
		}
	}
	return naive
}

// schedule puts p on the digest queue, due at the next digest time after
// now in zone, when it is in digest mode and not unsubscribed from all
// mail; otherwise it takes p off the queue. The position (After) is kept.
func (s *Service) schedule(p *prefsItem, now time.Time, zone string) {
	if !p.mode().digest() || p.AllOff {
		p.GSI2PK, p.GSI2SK, p.Due = "", "", nil
		return
	}
	p.Zone = zone
	due := NextDue(p.mode(), p.hour(), i18n.Zone(zone), now)
	p.Due = &due
	if p.Since == nil {
		n := now.UTC()
		p.Since = &n
	}
	p.GSI2PK, p.GSI2SK = queueDigest, timeKey(due)+"#"+p.UserID
}

// DueDigests lists the digests due at now (at most MaxDuePerCall, oldest
// first): one Query on GSI2 (DIGEST, <= now). GSI reads are eventually
// consistent; DigestSent re-reads and checks before it writes.
func (s *Service) DueDigests(ctx context.Context, now time.Time) ([]DigestDue, error) {
	var items []prefsItem
	err := s.st.Table().Get(tabledef.GSI2PK, queueDigest).Index(tabledef.GSI2).
		Range(tabledef.GSI2SK, dynamo.LessOrEqual, timeKey(now)+"#~").Limit(MaxDuePerCall).All(ctx, &items)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make([]DigestDue, 0, len(items))
	for _, it := range items {
		if it.Due == nil || !it.mode().digest() || it.AllOff {
			continue
		}
		d := DigestDue{UserID: it.UserID, Period: it.mode(), After: it.After, Due: it.Due.UTC()}
		if it.Since != nil {
			d.Since = it.Since.UTC()
		}
		out = append(out, d)
	}
	return out, nil
}

// DigestSent records that the digest d was sent (or found empty) and
// covered notifications up to through (an id; "" or d.After when there
// were none): After moves to through and the next due time is computed.
// It is conditioned on the due time read: a second call for the same due is
// a no-op, not an error, so a retried scheduler run never skips a period
// or sends twice. When the person changed their schedule in between, their
// new due time is kept and only the position advances.
func (s *Service) DigestSent(ctx context.Context, d DigestDue, through string, now time.Time) error {
	if !ids.Valid(d.UserID) {
		return domain.Errorf(domain.Invalid, "mailpref: digest of an invalid user id")
	}
	if through == "" {
		through = d.After
	}
	zone := ""
	for attempt := 0; ; attempt++ {
		p, err := s.getPrefs(ctx, d.UserID)
		if err != nil {
			return err
		}
		if p.Version == 0 || p.Due == nil {
			return nil // no longer in digest mode
		}
		if !p.Due.Equal(d.Due) {
			// Already advanced by an earlier call, or rescheduled by the
			// person: only a position nobody has moved yet still moves.
			if p.After != d.After || through == d.After || strings.Compare(through, p.After) <= 0 {
				return nil
			}
			p.After = through
		} else {
			if through != d.After && strings.Compare(through, p.After) > 0 {
				p.After = through
			}
			if zone == "" {
				zone = s.accountZone(ctx, p)
			}
			ref := now
			if d.Due.After(ref) {
				ref = d.Due
			}
			n := now.UTC()
			p.Since = &n
			s.schedule(p, ref, zone)
		}
		err = s.st.Save(ctx, p)
		if domain.ErrorCode(err) == domain.Conflict && attempt < 4 {
			continue
		}
		return err
	}
}

// accountZone is the zone to schedule p in: the chosen one, else the
// account's current one (looked up when a directory is configured), else
// the one last used.
func (s *Service) accountZone(ctx context.Context, p *prefsItem) string {
	if p.TimeZone != "" || s.users == nil {
		return p.zone()
	}
	u, err := s.users.MailPerson(ctx, p.UserID)
	if err != nil || u.TimeZone == "" || !checkZone(u.TimeZone) {
		return p.zone()
	}
	return u.TimeZone
}
