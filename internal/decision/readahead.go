package decision

import (
	"context"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
)

type readAheadKey struct{}

// ReadAhead marks ctx as the poll page's: within a read-only request
// (store.WithReadCache), the first read of a poll also reads, in the same
// BatchGetItem, what the page asks next of this core (the viewer's ballot
// and voter items, the tally and frozen results, the outcome, the poll's
// and outcome's reactions, the viewer's proxy grant in the poll; and with
// the group and membership, the viewer's proxy grant in the group), so that
// Mine, Results, GetOutcome, Reactions and PollProxiesOf find their items
// read. It reads a few items a page may not show (results still hidden, a
// grant never given): up to ~17 more read units in the poll's first call,
// to save five calls. Elsewhere (the API, writes) it changes nothing.
func ReadAhead(ctx context.Context) context.Context {
	return context.WithValue(ctx, readAheadKey{}, true)
}

// aheadKeys are the sort keys ReadAhead adds to a poll's first read, and to
// its group's (none when ctx is not a poll page's read-only request).
func aheadKeys(ctx context.Context) (poll, grp []string) {
	if on, _ := ctx.Value(readAheadKey{}).(bool); !on || !store.ReadCacheOn(ctx) {
		return nil, nil
	}
	poll = append(append(poll, tallyKeys()...), skResults, skOutcome, reactionsSK(ReactPoll), reactionsSK(ReactOutcome))
	if a := authz.ActorFrom(ctx); a.Authenticated() && ids.Valid(a.UserID) {
		poll = append(poll, ballotSK(a.UserID), votedSK(a.UserID), voterSK(a.UserID), proxySK(a.UserID))
		grp = append(grp, proxySK(a.UserID))
	}
	return poll, grp
}
