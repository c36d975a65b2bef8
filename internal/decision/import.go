package decision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Import (#16, "take your data with you"): a poll of a group export
// written into a group being imported, with its ballots, so that its
// results recompute from them exactly as they were, and its outcome.
//
// The import is resumable and idempotent: every write is a put (or a SET)
// of an item whose key the input fixes (the caller derives the new ids),
// ballots in chunks of importBallotsPage, and the poll item itself last,
// so a poll shows only once all of it is there. Imported polls count in
// tally shards like any other, the recount of the imported ballots written
// with SET into shard 0; a closed poll gets its frozen results
// (with the eligible count the export showed) and is marked finalized, so
// the scheduler neither closes it again nor writes receipts for people who
// are not on this deployment. No notification is sent.
//
// Ballots of voters who have no account here carry a placeholder voter id
// (the caller's); anonymous ballots are sealed ballots as they were,
// without identity (and without participation records: nobody here cast
// them). A poll whose results were hidden when it was exported has no
// ballots in the export and none here.

// importBallotsPage bounds the ballots one import step writes.
const importBallotsPage = 500

// ImportPollInput is one poll of a group export, with the new ids: ID,
// GroupID and ThreadID ("" outside threads) are this deployment's; the
// ballots' UserID are the voters' ids here (placeholders).
type ImportPollInput struct {
	ID       string
	GroupID  string
	ThreadID string
	AuthorID string
	Poll     ExportGroupPoll
	Results  *ExportGroupResults
	Outcome  *ExportGroupOutcome
	Ballots  []ExportGroupBallot
}

// ImportPoll writes poll in from ballot from (0 first) and returns where
// the next step starts (-1 when the poll is done). The actor must be an
// admin of the group (group.settings.edit).
func (s *Service) ImportPoll(ctx context.Context, in ImportPollInput, from int) (int, error) {
	if !ids.Valid(in.ID) || !ids.Valid(in.GroupID) || (in.ThreadID != "" && !ids.Valid(in.ThreadID)) {
		return 0, domain.Errorf(domain.Invalid, "import: invalid ids")
	}
	if err := s.groups.Authorize(ctx, in.GroupID, authz.GroupEditSettings, authz.Target{Kind: "group", ID: in.GroupID}); err != nil {
		return 0, err
	}
	d := in.Poll.Definition
	if !d.Type.Valid() {
		return 0, domain.Validation(domain.FieldError{Field: "definition.type", Message: "unknown poll type " + strconv.Quote(string(d.Type))})
	}
	if in.Poll.Status == poll.StatusDraft {
		return -1, nil // drafts are not exported; nothing to do
	}
	anonymous := d.Settings.Anonymous
	pid := in.ID
	if from < len(in.Ballots) {
		end := min(from+importBallotsPage, len(in.Ballots))
		var puts []any
		for n := from; n < end; n++ {
			b := in.Ballots[n]
			if anonymous {
				h := sha256.Sum256([]byte("import#" + pid + "#" + strconv.Itoa(n)))
				puts = append(puts, &sealedItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: sealedSK(hex.EncodeToString(h[:])), Type: "sealed_ballot", Version: 1},
					PollID: pid, Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason})
				continue
			}
			if !ids.Valid(b.UserID) {
				return 0, domain.Errorf(domain.Invalid, "import: a ballot without a voter in a poll that is not anonymous")
			}
			cast, upd := in.Poll.CreatedAt, in.Poll.CreatedAt
			if b.CastAt != nil {
				cast, upd = *b.CastAt, *b.CastAt
			}
			if b.UpdatedAt != nil {
				upd = *b.UpdatedAt
			}
			puts = append(puts, &ballotItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: ballotSK(b.UserID), Type: "ballot", Version: 1},
				PollID: pid, UserID: b.UserID, Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason,
				CastAt: cast, UpdatedAt: upd, CastID: "import-" + strconv.Itoa(n)})
		}
		for chunk := range slices.Chunk(puts, 25) {
			if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(ctx); err != nil {
				return 0, store.Classify(err)
			}
		}
		if end < len(in.Ballots) {
			return end, nil
		}
	}
	return -1, s.importPollItems(ctx, in, d)
}

// importPollItems writes the tally, the frozen results, the outcome and
// the poll item (last) of an imported poll.
func (s *Service) importPollItems(ctx context.Context, in ImportPollInput, d poll.Definition) error {
	pid := in.ID
	ballots := make([]poll.Ballot, 0, len(in.Ballots))
	for _, b := range in.Ballots {
		ballots = append(ballots, poll.Ballot{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason})
	}
	attrs := poll.Recount(d.Type, ballots).Attributes()
	closed := in.Poll.Status == poll.StatusClosed
	now := s.now().UTC()
	var puts []any
	if closed {
		fr := &resultsItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: skResults, Type: "poll_results", Version: 1}, PollID: pid,
			Tally: attrs, FrozenAt: now}
		if in.Results != nil && in.Results.Results != nil {
			fr.Eligible = in.Results.Results.Eligible
		}
		if d.Type == poll.TypeRankedChoice {
			rc, _ := json.Marshal(poll.ComputeRankedChoice(d, ballots))
			fr.Ranked = string(rc)
		}
		puts = append(puts, fr)
	}
	if o := in.Outcome; o != nil && o.Statement != "" {
		oi := &outcomeItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: skOutcome, Type: "outcome", Version: 1}, PollID: pid,
			Statement: o.Statement, ReviewOn: o.ReviewOn, MeetingOptionID: o.MeetingOptionID, AuthorID: in.AuthorID,
			CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
		if o.ReviewOn != nil && o.ReviewOn.After(now) {
			oi.GSI2PK, oi.GSI2SK = queueReview, timeKey(*o.ReviewOn)+"#"+pid
		}
		puts = append(puts, oi)
	}
	created := in.Poll.CreatedAt.UTC()
	p := &pollItem{
		Item: store.Item{PK: tabledef.PollPK(pid), SK: skPoll, Type: "poll", Version: 1, GSI1PK: pollsOfGroup(in.GroupID), GSI1SK: timeKey(created) + "#" + pid},
		ID:   pid, GroupID: in.GroupID, ThreadID: in.ThreadID, AuthorID: in.AuthorID, Def: encodeDef(d),
		DefVersion: 1, CreatedAt: created, UpdatedAt: now,
	}
	if d.Settings.SpecifiedVotersOnly && in.Results != nil && in.Results.Results != nil {
		// The specified voters are people of the other deployment: the
		// count stands for them (closed polls' eligible figure).
		p.VoterCount = in.Results.Results.Eligible
	}
	p.TallyShards, p.TallySlots = tallyShards, nextSlots(nil, d)
	p.setSchedule(d)
	if closed {
		at := now
		if in.Poll.ClosedAt != nil {
			at = in.Poll.ClosedAt.UTC()
		}
		p.Status, p.ClosedAt, p.Finalized = string(poll.StatusClosed), &at, true
		p.GSI2PK, p.GSI2SK = "", ""
	}
	// The counters go to shard 0 (as if every ballot had picked it), in
	// the shards' own names: the poll then counts like any other.
	delta := poll.TallyDelta(attrs)
	sd, err := shardDelta(d.Type, p.TallySlots, delta)
	if err != nil {
		return err
	}
	for _, sh := range newShards(p) {
		puts = append(puts, sh)
	}
	for chunk := range slices.Chunk(puts, 25) {
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	if len(sd) > 0 {
		u := s.st.Update(tabledef.PollPK(pid), shardSK(0))
		for k, v := range sd {
			u = u.SetExpr("$ = ?", k, v)
		}
		if err := u.Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	puts = []any{p}
	for chunk := range slices.Chunk(puts, 25) {
		if _, err := s.st.Table().Batch(tabledef.PK, tabledef.SK).Write().Put(chunk...).Run(ctx); err != nil {
			return store.Classify(err)
		}
	}
	s.log.InfoContext(ctx, "poll imported", "poll_id", pid, "group_id", in.GroupID, "type", d.Type, "ballots", len(in.Ballots))
	return nil
}
