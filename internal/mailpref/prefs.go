package mailpref

import (
	"context"
	"sort"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// MaxOptOuts bounds the opt-outs listed with the preferences.
const MaxOptOuts = 200

// Prefs are a person's email preferences as shown in settings and the API.
type Prefs struct {
	Mode       Mode `json:"mode"`
	DigestHour int  `json:"digest_hour"`
	// TimeZone is the zone digests are scheduled in; TimeZoneChosen is
	// false when it follows the account's time zone.
	TimeZone       string `json:"time_zone"`
	TimeZoneChosen bool   `json:"time_zone_chosen"`
	// KeyGeneration counts resets of the reply-by-email addresses.
	KeyGeneration int `json:"key_generation"`
	// UnsubscribedAll is set by an "all email" unsubscribe link.
	UnsubscribedAll   bool       `json:"unsubscribed_all"`
	UnsubscribedAllAt *time.Time `json:"unsubscribed_all_at,omitempty"`
	// NextDigest is when the next digest is due (digest modes only).
	NextDigest *time.Time `json:"next_digest,omitempty"`
	// OptOuts are the groups and threads with no email, newest first.
	OptOuts []OptOut `json:"opt_outs"`
	// Suppressed is set when Quorum stopped sending to the address because
	// it bounced or the recipient reported spam.
	Suppressed *Suppressed `json:"suppressed,omitempty"`
}

// OptOut is one group or thread the person gets no email about.
type OptOut struct {
	Scope
	At time.Time `json:"at"`
}

// Get returns the actor's own preferences: 3 calls (the account, one
// Query for the preferences and opt-outs, the suppression record).
func (s *Service) Get(ctx context.Context) (*Prefs, error) {
	uid, err := self(ctx, authz.AccountRead)
	if err != nil {
		return nil, err
	}
	return s.prefsOf(ctx, uid)
}

func (s *Service) prefsOf(ctx context.Context, uid string) (*Prefs, error) {
	u, err := s.user(ctx, uid)
	if err != nil {
		return nil, err
	}
	// MAILOPTOUT#... sorts before MAILPREF: one Query reads both.
	var rows []struct {
		prefsItem
		Kind    string    `dynamo:"Kind"`
		ScopeID string    `dynamo:"ScopeID"`
		At      time.Time `dynamo:"At"`
	}
	err = s.st.Table().Get(tabledef.PK, tabledef.UserPK(uid)).Range(tabledef.SK, dynamo.Between, prefixOptOut, skPrefs).
		Consistent(true).Limit(MaxOptOuts+1).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	p := newPrefs(uid)
	out := &Prefs{OptOuts: []OptOut{}}
	for _, r := range rows {
		if r.SK == skPrefs {
			it := r.prefsItem
			p = &it
			continue
		}
		if len(out.OptOuts) < MaxOptOuts {
			out.OptOuts = append(out.OptOuts, OptOut{Scope: Scope{Kind: r.Kind, ID: r.ScopeID}, At: r.At})
		}
	}
	sort.SliceStable(out.OptOuts, func(i, j int) bool { return out.OptOuts[i].At.After(out.OptOuts[j].At) })
	out.Mode, out.DigestHour, out.KeyGeneration = p.mode(), p.hour(), p.KeyGeneration
	out.TimeZone, out.TimeZoneChosen = p.TimeZone, p.TimeZone != ""
	if out.TimeZone == "" {
		out.TimeZone = u.TimeZone
		if out.TimeZone == "" {
			out.TimeZone = "UTC"
		}
	}
	out.UnsubscribedAll, out.UnsubscribedAllAt = p.AllOff, p.AllOffAt
	if p.Due != nil {
		d := p.Due.UTC()
		out.NextDigest = &d
	}
	sup, err := s.Suppression(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	out.Suppressed = sup
	return out, nil
}

// Update is a change of preferences; nil fields stay as they are.
type Update struct {
	Mode       *Mode `json:"mode,omitempty"`
	DigestHour *int  `json:"digest_hour,omitempty"`
	// TimeZone "" follows the account's time zone.
	TimeZone *string `json:"time_zone,omitempty"`
	// UnsubscribedAll false resumes email after an "all email" unsubscribe
	// (true is what the link does; both are allowed).
	UnsubscribedAll *bool `json:"unsubscribed_all,omitempty"`
}

// Update changes the actor's own preferences and reschedules their digest.
// Errors: Unauthorized, Invalid with field details.
func (s *Service) Update(ctx context.Context, in Update) (*Prefs, error) {
	uid, err := self(ctx, authz.AccountUpdate)
	if err != nil {
		return nil, err
	}
	var fe domain.FieldErrors
	if in.Mode != nil && !in.Mode.Valid() {
		fe.Add("mode", "must be immediate, daily, weekly or off")
	}
	if in.DigestHour != nil && (*in.DigestHour < 0 || *in.DigestHour > 23) {
		fe.Add("digest_hour", "must be an hour from 0 to 23")
	}
	if in.TimeZone != nil && *in.TimeZone != "" && !checkZone(*in.TimeZone) {
		fe.Add("time_zone", "is not a known time zone (use a name like Europe/Berlin)")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	u, err := s.user(ctx, uid)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	_, err = s.modifyPrefs(ctx, uid, func(p *prefsItem) error {
		wasDigest := p.mode().digest() && !p.AllOff
		if in.Mode != nil {
			p.Mode = *in.Mode
		}
		if in.DigestHour != nil {
			h := *in.DigestHour
			p.DigestHour = &h
		}
		if in.TimeZone != nil {
			p.TimeZone = *in.TimeZone
		}
		if in.UnsubscribedAll != nil && *in.UnsubscribedAll != p.AllOff {
			p.AllOff, p.AllOffAt = *in.UnsubscribedAll, nil
			if p.AllOff {
				p.AllOffAt = &now
			}
		}
		if !wasDigest {
			// A new digest period starts now: the first digest lists what
			// came after the switch, not the whole notification history.
			p.Since, p.After = &now, ""
		}
		zone := p.TimeZone
		if zone == "" {
			zone = u.TimeZone
		}
		if !checkZone(zone) {
			zone = "UTC"
		}
		s.schedule(p, now, zone)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.prefsOf(ctx, uid)
}

// ResetReplyAddresses increments the actor's key generation, so every
// reply-by-email address in mail already sent stops working. A browser
// session is required (not an API token). It returns the new generation.
func (s *Service) ResetReplyAddresses(ctx context.Context) (int, error) {
	uid, err := self(ctx, ActionResetReply)
	if err != nil {
		return 0, err
	}
	p, err := s.modifyPrefs(ctx, uid, func(p *prefsItem) error {
		p.KeyGeneration++
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "reply addresses reset", "generation", p.KeyGeneration)
	return p.KeyGeneration, nil
}

// SetOptOut turns email about a group or a thread off (off = true) or back
// on for the actor. Turning it off needs no check that the actor may see
// the group or thread: the item only ever stops mail to its owner.
// Errors: Unauthorized, Invalid.
func (s *Service) SetOptOut(ctx context.Context, sc Scope, off bool) error {
	uid, err := self(ctx, authz.AccountUpdate)
	if err != nil {
		return err
	}
	if sc.Kind == ScopeAll || !sc.Valid() {
		return domain.Validation(domain.FieldError{Field: "kind", Message: "must be group or thread, with a valid id"})
	}
	return s.setOptOut(ctx, uid, sc, off)
}
