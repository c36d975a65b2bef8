package decision

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/secrets"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// addDelta adds "ADD #a0 :a0, #a1 :a1, ..." for d to u: one clause per
// counter, names through ExpressionAttributeNames so that the dots of
// "t.<option>" are part of a top-level name, not a document path.
//
// guregu escapes a path only when it contains a dot or is reserved, and
// prefixes the placeholders of an ExpressionLiteral with "x_"; the path is
// therefore given as the prefixed placeholder and the literal brings the
// name and the value.
func addDelta(u *dynamo.Update, d poll.TallyDelta) *dynamo.Update {
	for i, k := range d.Keys() {
		name, val := fmt.Sprintf("#a%d", i), fmt.Sprintf(":a%d", i)
		attr := k
		u.Add("#x_"+name[1:], dynamo.ExpressionLiteral{
			Expression:      val,
			AttributeNames:  map[string]*string{name: &attr},
			AttributeValues: dynamo.Item{val: &types.AttributeValueMemberN{Value: strconv.FormatInt(d[k], 10)}},
		})
	}
	return u
}

// VoteInput is a ballot to cast or change.
type VoteInput struct {
	Ballot poll.Ballot `json:"ballot"`
	// Receipt identifies the sealed ballot to change in an anonymous poll
	// (empty to cast).
	Receipt string `json:"receipt,omitempty"`
	// For is the member the actor votes for with their proxy (proxy.go);
	// empty for the actor's own ballot.
	For string `json:"for,omitempty"`
}

// VoteResult is what a successful ballot write returns.
type VoteResult struct {
	// Ballot is the canonical ballot as stored.
	Ballot poll.Ballot `json:"ballot"`
	// Changed: an existing ballot was replaced.
	Changed bool `json:"changed"`
	// Receipt is the secret of a new anonymous ballot. It is shown once and
	// stored only hashed: with it the voter checks that the ballot is
	// counted (VerifyReceipt) and changes or withdraws it while open.
	Receipt string `json:"receipt,omitempty"`
}

// voteState is what one attempt of a ballot write read.
type voteState struct {
	*loaded
	uid     string
	prev    *poll.Ballot
	prevVer int64
	castID  string // the previous ballot's cast (ballotItem.CastID)
	voted   bool   // anonymous: VOTED# exists
	hash    string // anonymous: the receipt hash given
	castAt  time.Time
	chosen  bool // VOTER# exists (specified voters only)
	// history and prevAt: the previous ballot's earlier stances and when
	// it was written (history.go).
	history []pastStance
	prevAt  time.Time
}

// loadVote reads, in two calls, the poll with the actor's previous ballot
// (BALLOT#, or VOTED# and SEALED#<receipt hash>) and VOTER# entry, and the
// group with the actor's membership. The cost never depends on the number
// of voters.
func (s *Service) loadVote(ctx context.Context, pid, receipt string) (*voteState, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() {
		if !ids.Valid(pid) {
			return nil, authz.ErrHidden
		}
		return nil, authz.ErrSignIn
	}
	if !ids.Valid(a.UserID) {
		return nil, authz.ErrSignIn
	}
	vs := &voteState{uid: a.UserID}
	extra := []string{ballotSK(a.UserID), votedSK(a.UserID), voterSK(a.UserID)}
	if receipt != "" {
		vs.hash = receiptHash(receipt)
		if vs.hash == "" {
			return nil, ErrReceipt
		}
		extra = append(extra, sealedSK(vs.hash))
	}
	// The actor's proxy grants (proxy.go) ride in the same two reads.
	l, err := s.loadWith(ctx, pid, append(extra, proxySK(a.UserID)), []string{proxySK(a.UserID)})
	if err != nil {
		return nil, err
	}
	vs.loaded = l
	_, vs.chosen = l.item(voterSK(a.UserID))
	if l.def.Settings.Anonymous {
		_, vs.voted = l.item(votedSK(a.UserID))
		if vs.hash != "" {
			raw, ok := l.item(sealedSK(vs.hash))
			if !ok || !vs.voted {
				return nil, ErrReceipt
			}
			var b sealedItem
			if err := unmarshal(raw, &b); err != nil {
				return nil, err
			}
			prev := b.ballot()
			vs.prev, vs.prevVer = &prev, b.Version
		}
	} else if raw, ok := l.item(ballotSK(a.UserID)); ok {
		var b ballotItem
		if err := unmarshal(raw, &b); err != nil {
			return nil, err
		}
		prev := b.ballot()
		vs.prev, vs.prevVer, vs.castAt, vs.castID = &prev, b.Version, b.CastAt, b.CastID
		vs.history, vs.prevAt = b.History, b.UpdatedAt
	}
	return vs, nil
}

// checkOpen returns the error for a poll that does not take votes at now.
func checkOpen(l *loaded, now time.Time) error {
	switch poll.StatusOf(l.def.Settings, l.p.state(0), now) {
	case poll.StatusOpen:
		return nil
	case poll.StatusDraft:
		return ErrPollNotOpen
	}
	return ErrPollClosed
}

// relation is how the actor stands to the poll, as far as the loaded items
// and the policy (already asked: PollVote passed) tell: a non-member who may
// vote by the policy is a guest of the poll's thread (the transaction
// checks the grant).
func (vs *voteState) relation() poll.Relation {
	member := vs.ac.member != nil
	return poll.Relation{Member: member, ThreadGuest: !member && vs.p.ThreadID != "", Chosen: vs.chosen}
}

// conditions adds to tx the tally delta d with the poll check (open at
// now, same definition; see count) and, when eligibility matters, the
// voter check: the actor is in the voter set (poll.InVoterSet) and the
// items that put them there still exist.
func (s *Service) conditions(tx *store.Tx, vs *voteState, d poll.TallyDelta, now time.Time, eligibility bool) error {
	p := vs.p
	if err := s.count(tx, p, vs.def, d, &now); err != nil {
		return err
	}
	if !eligibility {
		return nil
	}
	rel := vs.relation()
	if !poll.InVoterSet(vs.def.Settings, rel) {
		return ErrNotEligible
	}
	if vs.def.Settings.SpecifiedVotersOnly {
		tx.Check(tabledef.PollPK(p.ID), voterSK(vs.uid), "attribute_exists($)", ErrNotEligible, tabledef.PK)
	}
	if rel.Member {
		group.RequireMember(tx, p.GroupID, vs.uid, ErrNotEligible)
	} else {
		group.RequireGuest(tx, p.ThreadID, vs.uid, ErrNotEligible)
	}
	return nil
}

// retryable reports whether a ballot write lost a race and should re-read:
// a condition on what was read failed, or a concurrent transaction on the
// same items cancelled it. An unavailable table is not a race: the SDK has
// already retried within the call's budget, so the error goes back to the
// client as it is (503, retry later), never as ErrBusy.
func retryable(err error) bool {
	return errors.Is(err, errStale) || errors.Is(err, errPollCheck) || errors.Is(err, store.ErrVersionConflict) ||
		store.Contention(err)
}

func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	d += time.Duration(rand.Int64N(int64(d))) // #nosec G404 -- retry jitter, not a secret
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Vote casts the actor's ballot or replaces it (the last write wins; two
// tabs submitting at once serialize on the ballot's version and each is
// counted exactly once). One transaction: the ballot write conditioned on
// the version read, the ADD of poll.Delta(prev, next) to one tally shard
// picked at random, conditioned on the poll being open with the definition
// the ballot was prepared against (the shard's copy; see tally.go), and a
// check that the voter is eligible; plus two reads (see loadVote). On a
// lost race it re-reads and retries (another shard) a bounded number of
// times.
//
// Anonymous polls: a cast creates the participation record VOTED#<uid> and
// the sealed ballot SEALED#<sha256(receipt)> (no user id) and returns the
// receipt; a change needs the receipt.
//
// Errors: Unauthorized, NotFound (poll invisible; receipt unknown), Invalid
// (ballot), Forbidden (not a voter), Conflict (ErrPollClosed, ErrPollNotOpen,
// ErrAlreadyVoted, ErrBusy).
func (s *Service) Vote(ctx context.Context, pid string, in VoteInput) (VoteResult, error) {
	for attempt := 0; attempt < s.attempts; attempt++ {
		if attempt > 0 {
			backoff(ctx, attempt)
		}
		res, err := s.voteOnce(ctx, pid, in)
		if err != nil && retryable(err) {
			continue
		}
		return res, err
	}
	return VoteResult{}, ErrBusy
}

func (s *Service) voteOnce(ctx context.Context, pid string, in VoteInput) (VoteResult, error) {
	if in.For != "" && in.For != authz.ActorFrom(ctx).UserID {
		return s.proxyVoteOnce(ctx, pid, in)
	}
	vs, err := s.loadVote(ctx, pid, in.Receipt)
	if err != nil {
		return VoteResult{}, err
	}
	if err := s.authorize(ctx, vs.ac, vs.p, authz.PollVote); err != nil {
		return VoteResult{}, err
	}
	if !poll.InVoterSet(vs.def.Settings, vs.relation()) {
		return VoteResult{}, ErrNotEligible
	}
	now := s.now().UTC()
	if err := checkOpen(vs.loaded, now); err != nil {
		return VoteResult{}, err
	}
	next, err := poll.PrepareBallot(vs.def, in.Ballot)
	if err != nil {
		return VoteResult{}, err
	}
	p := vs.p
	tx := s.st.Tx()
	res := VoteResult{Ballot: next, Changed: vs.prev != nil}
	if vs.def.Settings.Anonymous {
		sealed := &sealedItem{Item: store.Item{PK: tabledef.PollPK(p.ID), Type: "sealed_ballot"}, PollID: p.ID,
			Choices: next.Choices, NoneOfTheAbove: next.NoneOfTheAbove, Reason: next.Reason}
		if vs.prev == nil {
			if vs.voted {
				return VoteResult{}, ErrAlreadyVoted
			}
			res.Receipt = secrets.NewToken()
			sealed.SK = sealedSK(receiptHash(res.Receipt))
			tx.Create(&votedItem{Item: store.Item{PK: tabledef.PollPK(p.ID), SK: votedSK(vs.uid), Type: "participation"}, PollID: p.ID, UserID: vs.uid}, ErrAlreadyVoted).
				Create(sealed, errStale)
		} else {
			sealed.SK, sealed.Version = sealedSK(vs.hash), vs.prevVer
			tx.Save(sealed)
		}
	} else {
		b := &ballotItem{Item: store.Item{PK: tabledef.PollPK(p.ID), SK: ballotSK(vs.uid), Type: "ballot"}, PollID: p.ID, UserID: vs.uid,
			Choices: next.Choices, NoneOfTheAbove: next.NoneOfTheAbove, Reason: next.Reason, CastAt: now, UpdatedAt: now}
		if vs.prev == nil {
			b.CastID = ids.New()
			tx.Create(b, errStale)
		} else {
			b.Version, b.CastAt, b.CastID = vs.prevVer, vs.castAt, vs.castID
			b.History = nextHistory(vs.history, vs.prev, vs.prevAt, next)
			expr, args := sameCast(vs.castID)
			tx.SaveIf(b, expr, args...)
		}
	}
	if err := s.conditions(tx, vs, poll.Delta(vs.def.Type, vs.prev, &next), now, true); err != nil {
		return VoteResult{}, err
	}
	// Voting oneself ends one's proxy for this poll (proxy.go).
	if err := s.endOwnProxy(ctx, tx, vs.loaded, now); err != nil {
		return VoteResult{}, err
	}
	s.raced("vote")
	if err := tx.Run(ctx, ""); err != nil {
		return VoteResult{}, err
	}
	return res, nil
}

// Withdraw removes the actor's ballot while the poll is open: they are
// undecided again. Anonymous polls need the receipt (the participation
// record goes with the sealed ballot).
func (s *Service) Withdraw(ctx context.Context, pid, receipt string) error {
	for attempt := 0; attempt < s.attempts; attempt++ {
		if attempt > 0 {
			backoff(ctx, attempt)
		}
		err := s.withdrawOnce(ctx, pid, receipt)
		if err != nil && retryable(err) {
			continue
		}
		return err
	}
	return ErrBusy
}

func (s *Service) withdrawOnce(ctx context.Context, pid, receipt string) error {
	vs, err := s.loadVote(ctx, pid, receipt)
	if err != nil {
		return err
	}
	if err := s.authorizeView(ctx, vs.loaded); err != nil {
		return err
	}
	now := s.now().UTC()
	if err := checkOpen(vs.loaded, now); err != nil {
		return err
	}
	if vs.def.Settings.Anonymous && receipt == "" {
		if vs.voted {
			return ErrReceiptNeeded
		}
		return ErrNoBallot
	}
	if vs.prev == nil {
		return ErrNoBallot
	}
	p := vs.p
	tx := s.st.Tx()
	if vs.def.Settings.Anonymous {
		tx.Delete(s.st.DeleteOp(tabledef.PollPK(p.ID), sealedSK(vs.hash)).If("$ = ?", tabledef.Version, vs.prevVer), errStale).
			Delete(s.st.DeleteOp(tabledef.PollPK(p.ID), votedSK(vs.uid)).If("attribute_exists($)", tabledef.PK), ErrReceipt)
	} else {
		s.deleteBallot(tx, p.ID, vs.uid, vs.prevVer, vs.castID)
	}
	if err := s.conditions(tx, vs, poll.Delta(vs.def.Type, vs.prev, nil), now, false); err != nil {
		return err
	}
	s.raced("withdraw")
	return tx.Run(ctx, "")
}

// MyBallot is the actor's own ballot (never a result: always visible to
// them). In anonymous polls only participation is known without the
// receipt: Voted is true and Ballot nil.
type MyBallot struct {
	// Eligible: the actor is in the poll's voter set (poll.InVoterSet).
	Eligible  bool         `json:"eligible"`
	Voted     bool         `json:"voted"`
	Ballot    *poll.Ballot `json:"ballot,omitempty"`
	CastAt    *time.Time   `json:"cast_at,omitempty"`
	UpdatedAt *time.Time   `json:"updated_at,omitempty"`
	// CastBy is the member who cast the ballot with the actor's proxy.
	CastBy string `json:"cast_by,omitempty"`
}

// Mine returns the actor's ballot in a poll.
func (s *Service) Mine(ctx context.Context, pid string) (MyBallot, error) {
	a := authz.ActorFrom(ctx)
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return MyBallot{}, authz.ErrSignIn
	}
	l, err := s.load(ctx, pid, ballotSK(a.UserID), votedSK(a.UserID), voterSK(a.UserID))
	if err != nil {
		return MyBallot{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return MyBallot{}, err
	}
	return s.mineOf(ctx, l)
}

// mineOf is the actor's ballot among a loaded poll's items (BALLOT#,
// VOTED# and VOTER# read), for an actor authorized to see the poll.
func (s *Service) mineOf(ctx context.Context, l *loaded) (MyBallot, error) {
	a := l.ac.a
	rel := poll.Relation{Member: l.ac.member != nil}
	_, rel.Chosen = l.item(voterSK(a.UserID))
	if !rel.Member && l.p.ThreadID != "" {
		rel.ThreadGuest = s.authorize(ctx, l.ac, l.p, authz.PollVote) == nil
	}
	mine := MyBallot{Eligible: poll.InVoterSet(l.def.Settings, rel)}
	if l.def.Settings.Anonymous {
		_, mine.Voted = l.item(votedSK(a.UserID))
		return mine, nil
	}
	raw, ok := l.item(ballotSK(a.UserID))
	if !ok {
		return mine, nil
	}
	var b ballotItem
	if err := unmarshal(raw, &b); err != nil {
		return MyBallot{}, err
	}
	bb := b.ballot()
	mine.Voted, mine.Ballot, mine.CastAt, mine.UpdatedAt, mine.CastBy = true, &bb, &b.CastAt, &b.UpdatedAt, b.ProxyID
	return mine, nil
}

// Verification is what a receipt proves: the sealed ballot it designates is
// stored, hence counted in the tally.
type Verification struct {
	Counted bool        `json:"counted"`
	Ballot  poll.Ballot `json:"ballot"`
}

// VerifyReceipt checks an anonymous ballot by its receipt. Only the holder
// of the receipt can designate the ballot; nothing links it to them.
func (s *Service) VerifyReceipt(ctx context.Context, pid, receipt string) (Verification, error) {
	h := receiptHash(receipt)
	if h == "" {
		return Verification{}, ErrReceipt
	}
	l, err := s.load(ctx, pid, sealedSK(h))
	if err != nil {
		return Verification{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return Verification{}, err
	}
	raw, ok := l.item(sealedSK(h))
	if !ok || !l.def.Settings.Anonymous {
		return Verification{}, ErrReceipt
	}
	var b sealedItem
	if err := unmarshal(raw, &b); err != nil {
		return Verification{}, err
	}
	return Verification{Counted: true, Ballot: b.ballot()}, nil
}
