package decision

import (
	"context"
	"errors"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// AddOption adds an option to a poll. Voters may, while the poll is open
// and its settings say voters_may_add_options (poll.ValidateAddOption);
// poll admins may whenever the edit rules allow. The new option gets the
// next free id (poll.NextOptionID). Voters must be in the voter set
// (poll.InVoterSet). The edit is checked against poll.EditState, like
// Update: as if ballots existed when the results are hidden from the one
// adding. One transaction: the poll with the new definition, conditioned on
// the version read, and, where the real ballot count was used, a check that
// no vote landed since the edit was validated (a vote in between re-reads
// and retries); for a voter of a specified-voters poll, a check that they
// are still a voter.
//
// Errors: Unauthorized, NotFound (poll invisible), Forbidden (not a voter;
// voters may not add options), Conflict (not open; ErrBusy), Invalid
// (label, or the edit rules).
func (s *Service) AddOption(ctx context.Context, pid string, opt poll.Option) (Poll, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil {
		return Poll{}, err
	}
	for attempt := 0; attempt < s.attempts; attempt++ {
		l, err := s.load(ctx, pid, append(tallyKeys(), ballotSK(a.UserID), votedSK(a.UserID), voterSK(a.UserID))...)
		if err != nil {
			return Poll{}, err
		}
		if err := s.authorizeView(ctx, l); err != nil {
			return Poll{}, err
		}
		admin := s.authorizeAdmin(ctx, l) == nil
		if !admin {
			if err := s.authorize(ctx, l.ac, l.p, authz.PollVote); err != nil {
				return Poll{}, err
			}
			member := l.ac.member != nil
			_, chosen := l.item(voterSK(a.UserID))
			rel := poll.Relation{Member: member, ThreadGuest: !member && l.p.ThreadID != "", Chosen: chosen}
			if !poll.InVoterSet(l.def.Settings, rel) {
				return Poll{}, ErrNotEligible
			}
		}
		tl, err := l.tally()
		if err != nil {
			return Poll{}, err
		}
		now := s.now().UTC()
		o := opt
		o.ID = poll.NextOptionID(l.def.Options)
		st := poll.EditState(l.def.Settings, l.p.state(tl.Decided), now, l.viewerVoted())
		next, err := poll.ValidateAddOption(l.def, o, st, now, admin)
		if err != nil {
			return Poll{}, err
		}
		p := l.p
		p.Def, p.DefVersion, p.UpdatedAt = encodeDef(next), p.DefVersion+1, now
		if p.TallyShards > 0 {
			p.TallySlots = nextSlots(p.TallySlots, next)
		}
		tx := s.st.Tx().Save(p)
		var decided map[string]int64
		if !st.BallotsHidden {
			decided = checkNoVotes(tx, l, ErrVotesMeanwhile)
		}
		s.syncShards(tx, p, decided, ErrVotesMeanwhile)
		if !admin && next.Settings.SpecifiedVotersOnly {
			tx.Check(tabledef.PollPK(pid), voterSK(a.UserID), "attribute_exists($)", ErrNotEligible, tabledef.PK)
		}
		err = tx.Run(ctx, "")
		if errors.Is(err, ErrVotesMeanwhile) || errors.Is(err, store.ErrVersionConflict) || (err != nil && retryable(err)) {
			backoff(ctx, attempt)
			continue
		}
		if err != nil {
			return Poll{}, err
		}
		s.log.InfoContext(ctx, "poll option added", "poll_id", pid, "option_id", o.ID, "by_admin", admin)
		return s.present(p, next), nil
	}
	return Poll{}, ErrBusy
}
