package inbox

// What the inbox erases when a person deletes their account (#16): the mail
// they sent that Quorum still holds (held replies, votes and group mail,
// each with its raw message) and the raw messages of mail from their
// address that was processed (posted, refused, ...), which the inbound
// bucket would otherwise keep for the inbound retention (30 days). Neither
// is indexed by person: each is a resumable scan of the table.

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// RawEraser deletes a raw message with every version (S3Raw does).
type RawEraser interface {
	Erase(ctx context.Context, bucket, key string) error
}

// Erase implements RawEraser: every version and delete marker of the
// object goes (the inbound bucket is versioned).
func (r S3Raw) Erase(ctx context.Context, bucket, key string) error {
	return blob.NewObjects(r.Client, bucket, "", "").Erase(ctx, key)
}

const (
	// erasePage bounds the items one step of an erasure scan evaluates.
	erasePage    = 1000
	eraseExpires = 30 * 24 * time.Hour
)

// EraseSender does one step of erasing the mail deleted account uid, whose
// address is addr, sent: first the held mail (held for them to confirm,
// sent from their account, or from their address), each raw message with
// every version before its item; then the raw messages of processed mail
// from the address (the record of each message stays, without the
// address's hash and the raw message's key). It reports done when both
// scans have passed the end of the table. Idempotent: a repeated step
// finds less, or nothing.
func (s *Service) EraseSender(ctx context.Context, uid, addr string) (bool, error) {
	exp := s.now().Add(eraseExpires)
	inbound := store.Sweep{
		Prefix: "INBOUND#", Filter: "$ = ?", Args: []any{"FromHash", addrHash(addr)},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#inbound", Expires: exp, Page: erasePage,
	}
	// The second scan has begun (its progress item exists): the first is
	// done, go on with the second.
	var prog store.Item
	switch err := s.st.Get(ctx, inbound.ProgressPK, inbound.ProgressSK, &prog); {
	case err == nil:
		return s.eraseInbound(ctx, inbound)
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	done, err := store.SweepStep(ctx, s.st, store.Sweep{
		Prefix: "HELD#", Filter: "$ = ? OR $ = ? OR $ = ?", Args: []any{"UserID", uid, "SenderUserID", uid, "FromAddress", addr},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#held", Expires: exp, Page: erasePage,
	}, func(ctx context.Context, h heldItem) error {
		if err := s.eraseRaw(ctx, h.RawBucket, h.RawKey); err != nil {
			return err
		}
		return s.st.Delete(ctx, h.PK, h.SK)
	})
	if err != nil || !done || addr == "" {
		return done, err
	}
	return s.eraseInbound(ctx, inbound)
}

// eraseInbound is one step of the scan for processed mail from an address.
func (s *Service) eraseInbound(ctx context.Context, sw store.Sweep) (bool, error) {
	return store.SweepStep(ctx, s.st, sw, func(ctx context.Context, in inboundItem) error {
		if err := s.eraseRaw(ctx, in.RawBucket, in.RawKey); err != nil {
			return err
		}
		err := s.st.Update(in.PK, in.SK).Remove("FromHash", "RawBucket", "RawKey").If("attribute_exists($)", tabledef.PK).Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return store.Classify(err)
		}
		return nil
	})
}

func (s *Service) eraseRaw(ctx context.Context, bucket, key string) error {
	er, ok := s.raw.(RawEraser)
	if !ok || bucket == "" || key == "" {
		return nil
	}
	return er.Erase(ctx, bucket, key)
}

// EraseAliases does one step of deleting the other addresses group admins
// allowed to post as deleted account uid (mail_alias items: the address and
// whose it is). They are not indexed by person: a step of a scan of GROUP#
// items, done when the scan has passed the end of the table.
func (s *Service) EraseAliases(ctx context.Context, uid string) (bool, error) {
	return store.SweepStep(ctx, s.st, store.Sweep{
		Prefix: tabledef.GroupPrefix, Filter: "$ = ? AND $ = ?", Args: []any{"Type", "mail_alias", "UserID", uid},
		ProgressPK: tabledef.UserPK(uid), ProgressSK: "ERASESCAN#aliases", Expires: s.now().Add(eraseExpires), Page: erasePage,
	}, func(ctx context.Context, r ruleItem) error {
		return s.st.Delete(ctx, r.PK, r.SK)
	})
}
