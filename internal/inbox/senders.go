package inbox

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Sender rules of a group's address, as its admins manage them: blocked
// addresses (their mail is dropped) and aliases (an address remembered as
// a member's, so their authenticated mail starts threads as them).

// Sender rule kinds.
const (
	RuleBlock = "block"
	RuleAlias = "alias"
)

// SenderRule is one blocked address or alias of a group. ID names it in
// RemoveSender (the kind and a hash of the address).
type SenderRule struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Address   string    `json:"address"`
	UserID    string    `json:"user_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxSenderRules bounds the rules one page lists per kind.
const MaxSenderRules = 200

// DiscardGroupHeld drops a held group message without posting it or
// blocking its sender (admins).
func (s *Service) DiscardGroupHeld(ctx context.Context, gid, hid string) error {
	a, err := s.moderate(ctx, gid)
	if err != nil {
		return err
	}
	h, err := s.groupHeld(ctx, gid, hid)
	if err != nil {
		return err
	}
	return s.decidedAs(ctx, h, StatusDiscarded, a.UserID, "", audit.HeldMailDiscarded)
}

// GroupSenders lists the group's blocked addresses and aliases, blocks
// first, each by address (admins).
func (s *Service) GroupSenders(ctx context.Context, gid string) ([]SenderRule, error) {
	if _, err := s.moderate(ctx, gid); err != nil {
		return nil, err
	}
	out := []SenderRule{}
	for _, k := range []struct{ kind, prefix string }{{RuleBlock, "MAILBLOCK#"}, {RuleAlias, "MAILALIAS#"}} {
		var rows []ruleItem
		err := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(gid)).Range(tabledef.SK, dynamo.BeginsWith, k.prefix).
			Limit(MaxSenderRules).All(ctx, &rows)
		if err != nil {
			return nil, store.Classify(err)
		}
		sort.Slice(rows, func(i, j int) bool { return strings.ToLower(rows[i].Address) < strings.ToLower(rows[j].Address) })
		for _, r := range rows {
			out = append(out, SenderRule{ID: k.kind + "-" + strings.TrimPrefix(r.SK, k.prefix), Kind: k.kind,
				Address: r.Address, UserID: r.UserID, CreatedAt: r.CreatedAt})
		}
	}
	return out, nil
}

// RemoveSender forgets a blocked address or an alias (admins): mail from
// the address is then treated like any unknown sender's again.
func (s *Service) RemoveSender(ctx context.Context, gid, ruleID string) error {
	if _, err := s.moderate(ctx, gid); err != nil {
		return err
	}
	kind, hash, _ := strings.Cut(ruleID, "-")
	var sk string
	switch kind {
	case RuleBlock:
		sk = "MAILBLOCK#" + hash
	case RuleAlias:
		sk = "MAILALIAS#" + hash
	}
	if sk == "" || len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return authz.ErrHidden
	}
	tx := s.st.Tx().Delete(s.st.DeleteOp(tabledef.GroupPK(gid), sk).If("attribute_exists($)", tabledef.PK), authz.ErrHidden)
	if err := s.audit.Record(ctx, tx, gid, audit.SenderUnblocked, audit.Target{Kind: "sender", ID: ruleID}, nil); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}
