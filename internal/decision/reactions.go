package decision

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/reaction"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Reactions on a poll, its outcome and its ballots with a reason (polls
// that are not anonymous), with the allow-list and the rule of comments'
// reactions: the emoji of internal/reaction, and whoever may comment in
// the poll's thread may react (authz.ThreadComment: members, guests of the
// poll or its thread). A ballot is reacted to only by those who may read
// it (the ballot list's gate: policy and results visibility), and its
// reactions are shown only to them.
//
// Each target has one item, PK=POLL#<pid> SK=REACTIONS#<target>, with one
// string set of user ids per kind (reaction.Attr), changed by ADD and
// DELETE: no read, no version, one reaction of each kind per person. A
// ballot's reactions stay with its voter's ballot through changes of the
// vote; withdrawn, the ballot is gone and so is what is shown of them.

// Reaction targets in a poll.
const (
	ReactPoll    = "poll"
	ReactOutcome = "outcome"
)

const prefixReactions = "REACTIONS#"

func reactionsSK(target string) string { return prefixReactions + target }

// ballotTarget is the target of uid's ballot.
func ballotTarget(uid string) string { return "ballot#" + uid }

// ErrBadReaction: a name outside the allow-list.
var ErrBadReaction = domain.Validation(domain.FieldError{Field: "reaction", Message: "is not one of the allowed reactions"})

// ErrNoReactionTarget: nothing there to react to (no outcome yet, no such
// ballot with a reason, an anonymous poll's ballot).
var ErrNoReactionTarget = domain.Errorf(domain.NotFound, "there is nothing to react to there")

// Reaction is one kind of reaction on a target: how many, and whether the
// viewer is among them.
type Reaction struct {
	Name  string `json:"name"`
	Emoji string `json:"emoji"`
	Count int    `json:"count"`
	Mine  bool   `json:"mine"`
}

// PollReactions are the reactions in a poll the viewer may see: on the
// poll, on its outcome, and on the ballots asked for, by voter id. Ballots
// is nil when the viewer may not read the ballots (or asked for none), and
// otherwise not nil, if empty.
type PollReactions struct {
	Poll    []Reaction            `json:"poll"`
	Outcome []Reaction            `json:"outcome"`
	Ballots map[string][]Reaction `json:"ballots,omitempty"`
}

// React adds (on) or removes the actor's reaction name on target: ReactPoll,
// ReactOutcome, or a voter's user id (their ballot, which must have a
// reason). Errors: Unauthorized, NotFound (poll or target), Forbidden (may
// not comment there, or read the ballots), Invalid (name).
func (s *Service) React(ctx context.Context, pid, target, name string, on bool) error {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		if !ids.Valid(pid) {
			return authz.ErrHidden
		}
		return authz.ErrSignIn // as for a vote: nothing told before signing in
	}
	if !reaction.Valid(name) {
		return ErrBadReaction
	}
	var extra []string
	sk, check := "", ""
	switch target {
	case ReactPoll:
		sk = reactionsSK(ReactPoll)
	case ReactOutcome:
		sk, check = reactionsSK(ReactOutcome), skOutcome
	default:
		if !ids.Valid(target) {
			return ErrNoReactionTarget
		}
		sk, check = reactionsSK(ballotTarget(target)), ballotSK(target)
		if keys := viewerKeys(a); len(keys) > 0 {
			extra = append(keys, voterSK(a.UserID))
		}
	}
	l, err := s.load(ctx, pid, extra...)
	if err != nil {
		return err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return err
	}
	if err := s.authorize(ctx, l.ac, l.p, authz.ThreadComment); err != nil {
		return err
	}
	if l.p.Status == string(poll.StatusDraft) {
		return ErrNoReactionTarget
	}
	if check == ballotSK(target) {
		if l.def.Settings.Anonymous {
			return ErrNoReactionTarget
		}
		hidden, err := s.ballotsGate(ctx, l)
		if err != nil {
			return err
		}
		if hidden != nil {
			return ErrResultsHidden
		}
	}
	u := s.st.Update(tabledef.PollPK(pid), sk).Set("Type", "poll_reactions").Set("PollID", pid).Set("Target", strings.TrimPrefix(sk, prefixReactions))
	if on {
		u.AddStringsToSet(reaction.Attr(name), a.UserID)
	} else {
		u.DeleteStringsFromSet(reaction.Attr(name), a.UserID)
	}
	tx := s.st.Tx().Update(u, nil)
	switch {
	case check == skOutcome:
		tx.Check(tabledef.PollPK(pid), skOutcome, "attribute_exists($)", ErrNoReactionTarget, tabledef.PK)
	case check != "":
		tx.Check(tabledef.PollPK(pid), check, "attribute_exists($) AND attribute_exists($)", ErrNoReactionTarget, tabledef.PK, "Reason")
	default:
		tx.Check(tabledef.PollPK(pid), skPoll, "attribute_exists($)", ErrNoReactionTarget, tabledef.PK)
	}
	return tx.Run(ctx, "")
}

// MaxReactionBallots bounds the ballots Reactions reads reactions of.
const MaxReactionBallots = 100

// Reactions returns the reactions on a poll, its outcome and the ballots of
// voters (at most MaxReactionBallots; those the viewer may read, in polls
// that are not anonymous). Cost: the poll's two reads, the ballot gate's,
// and one BatchGetItem per 100 targets.
func (s *Service) Reactions(ctx context.Context, pid string, voters []string) (PollReactions, error) {
	a := authz.ActorFrom(ctx)
	keys := viewerKeys(a)
	if len(keys) > 0 {
		keys = append(keys, voterSK(a.UserID))
	}
	l, err := s.load(ctx, pid, keys...)
	if err != nil {
		return PollReactions{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return PollReactions{}, err
	}
	targets := []string{ReactPoll, ReactOutcome}
	out := PollReactions{Poll: []Reaction{}, Outcome: []Reaction{}}
	if len(voters) > 0 && !l.def.Settings.Anonymous {
		h, err := s.ballotsGate(ctx, l)
		switch {
		case err != nil && !hidden(err):
			return PollReactions{}, err
		case err == nil && h == nil:
			out.Ballots = map[string][]Reaction{} // readable, if without reactions
			voters = slices.Compact(slices.Sorted(slices.Values(voters)))
			for _, v := range voters[:min(len(voters), MaxReactionBallots)] {
				if ids.Valid(v) {
					targets = append(targets, ballotTarget(v))
				}
			}
		}
	}
	for chunk := range slices.Chunk(targets, 100) {
		ks := make([]key, 0, len(chunk))
		for _, t := range chunk {
			ks = append(ks, key{tabledef.PollPK(pid), reactionsSK(t)})
		}
		items, err := s.getMany(ctx, ks...)
		if err != nil {
			return PollReactions{}, err
		}
		for _, t := range chunk {
			it, ok := items[key{tabledef.PollPK(pid), reactionsSK(t)}]
			if !ok {
				continue
			}
			rs := reactionsOf(it, a)
			switch {
			case t == ReactPoll:
				out.Poll = rs
			case t == ReactOutcome:
				out.Outcome = rs
			default:
				out.Ballots[strings.TrimPrefix(t, "ballot#")] = rs
			}
		}
	}
	return out, nil
}

// reactionsOf reads the reaction sets of a stored item, in the allow-list's
// order, with the viewer's own marked.
func reactionsOf(it map[string]types.AttributeValue, a authz.Actor) []Reaction {
	out := []Reaction{}
	for _, name := range reaction.Names {
		ss, ok := it[reaction.Attr(name)].(*types.AttributeValueMemberSS)
		if !ok || len(ss.Value) == 0 {
			continue
		}
		out = append(out, Reaction{Name: name, Emoji: reaction.Emoji[name], Count: len(ss.Value),
			Mine: a.Authenticated() && slices.Contains(ss.Value, a.UserID)})
	}
	return out
}
