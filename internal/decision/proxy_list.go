package decision

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// proxyPollScan bounds the group's polls read to list the proxies given
// for single polls: the newest proxyPollScan polls, of which the open ones.
const proxyPollScan = 200

// openPollProxies fills out.GivenPolls (uid's proxies for single open polls
// of group gid: grants for the poll, and ended markers are left out) and
// out.Titles (the titles of the open polls GivenPolls and out.Held name).
// Cost: one GSI1 query of the newest proxyPollScan polls (open ones kept)
// and one consistent BatchGetItem of uid's PROXY# item in each open poll.
func (s *Service) openPollProxies(ctx context.Context, gid, uid string, out *GroupProxies) error {
	var polls []pollItem
	err := s.st.Table().Get(tabledef.GSI1PK, pollsOfGroup(gid)).Index(tabledef.GSI1).Order(dynamo.Descending).
		Filter("$ = ?", "Status", string(poll.StatusOpen)).SearchLimit(proxyPollScan).All(ctx, &polls)
	if err != nil {
		return store.Classify(err)
	}
	out.GivenPolls, out.Titles = []Proxy{}, map[string]string{}
	if len(polls) == 0 {
		return nil
	}
	keys := make([]key, 0, len(polls))
	for i := range polls {
		p := &polls[i]
		d, err := p.def()
		if err != nil {
			return err
		}
		if poll.StatusOf(d.Settings, p.state(0), s.now()) != poll.StatusOpen || d.Settings.Anonymous {
			continue
		}
		out.Titles[p.ID] = d.Title
		keys = append(keys, key{tabledef.PollPK(p.ID), proxySK(uid)})
	}
	if len(keys) == 0 {
		return nil
	}
	items, err := s.getMany(ctx, keys...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		g, err := proxyAt(items, k.pk, k.sk)
		if err != nil {
			return err
		}
		if g != nil && !g.Ended {
			out.GivenPolls = append(out.GivenPolls, g.view())
		}
	}
	return nil
}
