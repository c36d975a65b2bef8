package decision

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/reaction"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// Personal export (#16): the polls a person created, their ballots with
// reasons, and their participation in anonymous polls. A ballot in an
// anonymous poll is stored apart from who cast it (pattern 34): nothing
// links the two, so the export can only say the person took part, and says
// so (ExportParticipation.Note). Ballots are not indexed by voter, so this
// is a resumable scan of the core's POLL# items (store.ScanStep).

const exportPage = 1000

// AnonymousNote is what a personal export says of a ballot in an anonymous
// poll.
const AnonymousNote = "this poll is anonymous: your ballot is stored without your name and cannot be linked to you, so it cannot be exported"

// ExportPoll is a poll the person created (its definition as stored).
type ExportPoll struct {
	ID         string          `json:"id"`
	GroupID    string          `json:"group_id"`
	ThreadID   string          `json:"thread_id,omitempty"`
	Status     string          `json:"status"`
	ClosedAt   *time.Time      `json:"closed_at,omitempty"`
	Definition json.RawMessage `json:"definition"`
}

// ExportEntity names the row's file in the archive.
func (ExportPoll) ExportEntity() string { return "polls_created" }

// ExportBallot is the person's ballot in a poll that is not anonymous.
type ExportBallot struct {
	PollID         string        `json:"poll_id"`
	Choices        []poll.Choice `json:"choices"`
	NoneOfTheAbove bool          `json:"none_of_the_above,omitempty"`
	Reason         string        `json:"reason,omitempty"`
	CastAt         time.Time     `json:"cast_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// ExportEntity names the row's file in the archive.
func (ExportBallot) ExportEntity() string { return "ballots" }

// ExportParticipation records that the person voted in an anonymous poll.
type ExportParticipation struct {
	PollID string `json:"poll_id"`
	Voted  bool   `json:"voted"`
	Note   string `json:"note"`
}

// ExportEntity names the row's file in the archive.
func (ExportParticipation) ExportEntity() string { return "anonymous_participation" }

type exportScanItem struct {
	store.Item
	ID             string        `dynamo:"ID"`
	GroupID        string        `dynamo:"GroupID"`
	ThreadID       string        `dynamo:"ThreadID"`
	AuthorID       string        `dynamo:"AuthorID"`
	Def            string        `dynamo:"Def"`
	Status         string        `dynamo:"Status"`
	ClosedAt       *time.Time    `dynamo:"ClosedAt"`
	Choices        []poll.Choice `dynamo:"Choices"`
	NoneOfTheAbove bool          `dynamo:"NoneOfTheAbove"`
	Reason         string        `dynamo:"Reason"`
	CastAt         time.Time     `dynamo:"CastAt"`
	UpdatedAt      time.Time     `dynamo:"UpdatedAt"`
}

// ExportUser does one step of uid's export scan from cursor ("" first) and
// returns its rows and the next cursor ("" when the scan is done).
func (s *Service) ExportUser(ctx context.Context, uid, cursor string) ([]any, string, error) {
	filter := "($ = ? AND $ = ?) OR $ = ? OR $ = ?"
	args := []any{"SK", "POLL", "AuthorID", uid, "SK", "BALLOT#" + uid, "SK", "VOTED#" + uid}
	// Reactions the person left on polls, outcomes and ballots.
	for _, name := range reaction.Names {
		filter += " OR contains($, ?)"
		args = append(args, reaction.Attr(name), uid)
	}
	found, next, err := store.ScanStep[dynamo.Item](ctx, s.st, tabledef.PollPrefix, filter, args, cursor, exportPage)
	if err != nil {
		return nil, "", err
	}
	var rows []any
	for _, raw := range found {
		var it exportScanItem
		if err := dynamo.UnmarshalItem(raw, &it); err != nil {
			return nil, "", domain.Wrap(domain.Internal, err, "export: a poll item is malformed")
		}
		pid := strings.TrimPrefix(it.PK, tabledef.PollPrefix)
		if target, ok := strings.CutPrefix(it.SK, prefixReactions); ok {
			if strings.HasPrefix(target, "ballot#") {
				target = "ballot" // whose ballot is the voter's to tell, not this export's
			}
			for _, name := range reaction.Names {
				if ss, ok := raw[reaction.Attr(name)].(*types.AttributeValueMemberSS); ok && slices.Contains(ss.Value, uid) {
					rows = append(rows, ExportPollReaction{PollID: pid, Target: target, Reaction: name})
				}
			}
			continue
		}
		switch it.SK {
		case "POLL":
			def := json.RawMessage(it.Def)
			if !json.Valid(def) {
				def = json.RawMessage("null")
			}
			rows = append(rows, ExportPoll{ID: pid, GroupID: it.GroupID, ThreadID: it.ThreadID, Status: it.Status,
				ClosedAt: it.ClosedAt, Definition: def})
		case "BALLOT#" + uid:
			rows = append(rows, ExportBallot{PollID: pid, Choices: it.Choices, NoneOfTheAbove: it.NoneOfTheAbove,
				Reason: it.Reason, CastAt: it.CastAt, UpdatedAt: it.UpdatedAt})
		case "VOTED#" + uid:
			rows = append(rows, ExportParticipation{PollID: pid, Voted: true, Note: AnonymousNote})
		}
	}
	return rows, next, nil
}

// ExportPollReaction is a reaction the person left on a poll, its outcome
// or a ballot (the ballot's voter is not named: that is theirs).
type ExportPollReaction struct {
	PollID   string `json:"poll_id"`
	Target   string `json:"target"`
	Reaction string `json:"reaction"`
}

// ExportEntity names the row's file in the archive.
func (ExportPollReaction) ExportEntity() string { return "poll_reactions" }

// Group export (#16, admins): the group's polls with their results,
// outcomes and ballots, read through List, Results, GetOutcome and Ballots
// as the export's owner (ctx's actor). Results and ballots follow the
// same gate as the poll page: while results are hidden (until the close,
// or until the viewer votes) neither is exported, only that they are
// hidden. Ballots in anonymous polls are the sealed ones, without identity,
// in the order of their receipts' hashes: unlinkable, as on the page.

// ExportGroupPoll is a poll of a group export.
type ExportGroupPoll struct {
	ID         string          `json:"id"`
	ThreadID   string          `json:"thread_id,omitempty"`
	AuthorID   string          `json:"author_id"`
	Definition poll.Definition `json:"definition"`
	Status     poll.Status     `json:"status"`
	ClosedAt   *time.Time      `json:"closed_at,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	// Tags are the group's tags on the poll (names and colours, as the
	// export's "tags" entity defines them), sorted by name.
	Tags []tag.Tag `json:"tags,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupPoll) ExportEntity() string { return "polls" }

// ExportGroupResults are a poll's results, or that they are hidden.
type ExportGroupResults struct {
	PollID       string                    `json:"poll_id"`
	Hidden       string                    `json:"hidden_until,omitempty"`
	Results      *poll.Results             `json:"results,omitempty"`
	RankedChoice *poll.RankedChoiceResults `json:"ranked_choice,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportGroupResults) ExportEntity() string { return "results" }

// ExportGroupOutcome is a poll's outcome.
type ExportGroupOutcome struct{ Outcome }

// ExportEntity names the row's file in the archive.
func (ExportGroupOutcome) ExportEntity() string { return "outcomes" }

// ExportGroupBallot is one ballot (no voter in anonymous polls).
type ExportGroupBallot struct {
	PollID string `json:"poll_id"`
	BallotView
}

// ExportEntity names the row's file in the archive.
func (ExportGroupBallot) ExportEntity() string { return "ballots" }

const (
	exportPollsPage   = 10
	exportBallotsPage = 500
	// maxExportBallots bounds the ballots one poll contributes.
	maxExportBallots = 100000
)

// ExportGroup does one step of group gid's polls export from cursor (""
// first): a page of polls with everything about each.
func (s *Service) ExportGroup(ctx context.Context, gid, cursor string) ([]any, string, error) {
	page, err := s.List(ctx, gid, cursor, exportPollsPage)
	if err != nil {
		return nil, "", err
	}
	var rows []any
	for _, p := range page.Items {
		if p.Status == poll.StatusDraft {
			continue
		}
		rows = append(rows, ExportGroupPoll{ID: p.ID, ThreadID: p.ThreadID, AuthorID: p.AuthorID, Definition: p.Definition,
			Status: p.Status, ClosedAt: p.ClosedAt, CreatedAt: p.CreatedAt, Tags: p.Tags})
		res, err := s.Results(ctx, p.ID)
		if err != nil {
			return nil, "", err
		}
		if res.Hidden != nil {
			rows = append(rows, ExportGroupResults{PollID: p.ID, Hidden: res.Hidden.Until})
			continue
		}
		rows = append(rows, ExportGroupResults{PollID: p.ID, Results: res.Results, RankedChoice: res.RankedChoice})
		o, err := s.GetOutcome(ctx, p.ID)
		switch {
		case err == nil:
			rows = append(rows, ExportGroupOutcome{o})
		case domain.ErrorCode(err) != domain.NotFound:
			return nil, "", err
		}
		next, n := "", 0
		for {
			bl, err := s.Ballots(ctx, p.ID, next, exportBallotsPage)
			if err != nil {
				return nil, "", err
			}
			for _, b := range bl.Items {
				rows = append(rows, ExportGroupBallot{PollID: p.ID, BallotView: b})
			}
			n += len(bl.Items)
			if bl.Next == "" || bl.Hidden != nil || n >= maxExportBallots {
				break
			}
			next = bl.Next
		}
	}
	return rows, page.Next, nil
}
