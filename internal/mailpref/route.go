package mailpref

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Action is what to do with one notification email.
type Action string

// Actions.
const (
	Send   Action = "send"   // send it now
	Digest Action = "digest" // leave it to the person's next digest
	Skip   Action = "skip"   // do not email it (it stays in the in-app list)
)

// Reasons for Skip.
const (
	ReasonSuppressed         = "suppressed"          // the address bounced or complained
	ReasonUnsubscribedAll    = "unsubscribed_all"    // the person unsubscribed from all email
	ReasonUnsubscribedGroup  = "unsubscribed_group"  // ... from email about this group
	ReasonUnsubscribedThread = "unsubscribed_thread" // ... from email about this thread
	ReasonOff                = "off"                 // the person turned notification email off
)

// Route is the answer for one email.
type Route struct {
	Action Action
	// Reason says why a mail is skipped ("" unless Skip).
	Reason string
	// KeyGeneration goes into the email's reply-by-email token; the
	// inbound side accepts only tokens of the current generation.
	KeyGeneration int
}

// routeRow decodes any of the items Route reads (preferences, an opt-out,
// a suppression) from the one BatchGetItem.
type routeRow struct {
	PK            string `dynamo:"PK"`
	SK            string `dynamo:"SK"`
	Mode          Mode   `dynamo:"Mode"`
	KeyGeneration int    `dynamo:"KeyGeneration"`
	AllOff        bool   `dynamo:"AllOff"`
	TTL           int64  `dynamo:"TTL"`
}

// Route decides the one notification email to uid at address email about
// group gid and thread tid ("" when the mail is not about one): Send, Digest
// or Skip with a reason, and the key generation for its reply address.
// It reads the preferences, both opt-outs and the address's suppression
// with one strongly consistent BatchGetItem, so an unsubscribe is honoured
// by the very next notification. Order: suppressed, unsubscribed from all,
// off, thread, group, then the mode.
func (s *Service) Route(ctx context.Context, uid, email, gid, tid string) (Route, error) {
	if !ids.Valid(uid) || NormalizeAddress(email) == "" || (gid != "" && !ids.Valid(gid)) || (tid != "" && !ids.Valid(tid)) {
		return Route{}, domain.Errorf(domain.Invalid, "mailpref: route needs a user id, an address and well-formed group/thread ids")
	}
	rows, err := s.batch(ctx, uid, email, gid, tid)
	if err != nil {
		return Route{}, err
	}
	var r Route
	var prefs *routeRow
	var suppressed, groupOut, threadOut bool
	for i := range rows {
		row := &rows[i]
		switch {
		case row.SK == skPrefs:
			prefs = row
		case row.SK == skSuppress:
			suppressed = true
		case gid != "" && row.SK == optOutSK(Scope{Kind: ScopeGroup, ID: gid}):
			groupOut = true
		case tid != "" && row.SK == optOutSK(Scope{Kind: ScopeThread, ID: tid}):
			threadOut = true
		}
	}
	mode := Immediate
	if prefs != nil {
		r.KeyGeneration = prefs.KeyGeneration
		if prefs.Mode != "" {
			mode = prefs.Mode
		}
	}
	switch {
	case suppressed:
		r.Action, r.Reason = Skip, ReasonSuppressed
	case prefs != nil && prefs.AllOff:
		r.Action, r.Reason = Skip, ReasonUnsubscribedAll
	case mode == Off:
		r.Action, r.Reason = Skip, ReasonOff
	case threadOut:
		r.Action, r.Reason = Skip, ReasonUnsubscribedThread
	case groupOut:
		r.Action, r.Reason = Skip, ReasonUnsubscribedGroup
	case mode.digest():
		r.Action = Digest
	default:
		r.Action = Send
	}
	return r, nil
}

// DigestRoute decides whether uid's digest may go to email: Send, or Skip
// (suppressed, unsubscribed from all, off). One BatchGetItem.
func (s *Service) DigestRoute(ctx context.Context, uid, email string) (Route, error) {
	r, err := s.Route(ctx, uid, email, "", "")
	if err != nil {
		return Route{}, err
	}
	if r.Action == Digest {
		r.Action = Send
	}
	return r, nil
}

// KeyGeneration is uid's current reply-key generation (0 until the first
// reset), for the inbound side to check a reply token against. One GetItem.
func (s *Service) KeyGeneration(ctx context.Context, uid string) (int, error) {
	if !ids.Valid(uid) {
		return 0, domain.Errorf(domain.Invalid, "mailpref: invalid user id")
	}
	p, err := s.getPrefs(ctx, uid)
	if err != nil {
		return 0, err
	}
	return p.KeyGeneration, nil
}

func (s *Service) batch(ctx context.Context, uid, email, gid, tid string) ([]routeRow, error) {
	keys := []dynamo.Keyed{dynamo.Keys{tabledef.UserPK(uid), skPrefs}, dynamo.Keys{suppressPK(email), skSuppress}}
	if gid != "" {
		keys = append(keys, dynamo.Keys{tabledef.UserPK(uid), optOutSK(Scope{Kind: ScopeGroup, ID: gid})})
	}
	if tid != "" {
		keys = append(keys, dynamo.Keys{tabledef.UserPK(uid), optOutSK(Scope{Kind: ScopeThread, ID: tid})})
	}
	var rows []routeRow
	err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Get(keys...).Consistent(true).All(ctx, &rows)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, store.Classify(err)
	}
	now := time.Now().Unix()
	live := rows[:0]
	for _, r := range rows {
		if r.TTL == 0 || r.TTL > now {
			live = append(live, r)
		}
	}
	return live, nil
}
