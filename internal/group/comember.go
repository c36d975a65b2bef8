package group

import (
	"context"
	"errors"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// MaxShareScan bounds the memberships ShareGroup reads of each person.
const MaxShareScan = 200

// ShareGroup reports whether a and b are both members of one group (one
// person's pictures are shown to the people they share a group with).
// Cost: two queries of GSI1 (each person's memberships, keys only), at
// most MaxShareScan each; none when a == b.
func (s *Service) ShareGroup(ctx context.Context, a, b string) (bool, error) {
	if a == "" || b == "" {
		return false, nil
	}
	if a == b {
		return true, nil
	}
	groupsOf := func(uid string) (map[string]bool, error) {
		var ms []struct {
			PK string `dynamo:"PK"`
		}
		err := s.st.Table().Get(tabledef.GSI1PK, tabledef.UserPK(uid)).Index(tabledef.GSI1).
			Range(tabledef.GSI1SK, dynamo.BeginsWith, memberSK("")).Project(tabledef.PK).Limit(MaxShareScan).All(ctx, &ms)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, store.Classify(err)
		}
		out := make(map[string]bool, len(ms))
		for _, m := range ms {
			if strings.HasPrefix(m.PK, tabledef.GroupPrefix) {
				out[m.PK] = true
			}
		}
		return out, nil
	}
	ga, err := groupsOf(a)
	if err != nil || len(ga) == 0 {
		return false, err
	}
	gb, err := groupsOf(b)
	if err != nil {
		return false, err
	}
	for g := range gb {
		if ga[g] {
			return true, nil
		}
	}
	return false, nil
}
