package pages

import (
	"context"
	"html/template"
	"net/http"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
)

// Vote and outcome histories on the poll page, the poll cards and the API
// (decision/history.go, decision/outcomehistory.go), and who may reopen a
// closed poll (decision/sealed.go).

// earlierRow is an earlier stance of a ballot, written out for a page.
type earlierRow struct {
	Vote, Reason, When string
}

// earlierRows writes a ballot's earlier stances out (newest first).
func earlierRows(pr *i18n.Printer, def poll.Definition, b decision.BallotView) []earlierRow {
	out := make([]earlierRow, 0, len(b.History))
	for _, h := range b.History {
		out = append(out, earlierRow{Vote: ballotText(pr, def, poll.Ballot{Choices: h.Choices, NoneOfTheAbove: h.NoneOfTheAbove}),
			Reason: h.Reason, When: whenText(pr, h.At)})
	}
	return out
}

// outcomeEditRow is one edit of an outcome, for the poll page: the text it
// replaced, who replaced it and when.
type outcomeEditRow struct {
	Editor, When, ReviewOn, MeetingAt string
	Statement                         template.HTML // rendered, as the outcome
	Face                              avatarView    // the editor's
}

// outcomeEdits reads the edit history of a poll's outcome for its page
// (empty when there is none or it cannot be read: the page still works).
func (s *Server) outcomeEdits(ctx context.Context, p decision.Poll, pr *i18n.Printer) []outcomeEditRow {
	edits, err := s.pollHistory.OutcomeHistory(ctx, p.ID)
	if err != nil || len(edits) == 0 {
		return nil
	}
	uids := make([]string, 0, len(edits))
	for _, e := range edits {
		uids = append(uids, e.EditorID)
	}
	names := s.manyNames(ctx, uids)
	pictures := s.pictureVersions(ctx, uids)
	out := make([]outcomeEditRow, 0, len(edits))
	for _, e := range edits {
		row := outcomeEditRow{Editor: names[e.EditorID], When: whenText(pr, e.At), Statement: e.Before.StatementHTML,
			Face: faceOf(e.EditorID, names[e.EditorID], pictures[e.EditorID])}
		if row.Editor == "" {
			row.Editor = pr.T("page.poll.someone")
		}
		if e.Before.ReviewOn != nil {
			row.ReviewOn = pr.Date(*e.Before.ReviewOn)
		}
		if opt, ok := p.Definition.Option(e.Before.MeetingOptionID); ok && p.Definition.Type == poll.TypeMeeting {
			row.MeetingAt = handlerkit.OptionLabel(pr, p.Definition, opt)
		}
		out = append(out, row)
	}
	return out
}

// pollReopener: the viewer may reopen a closed poll, asked of the decision
// core (a group admin; it decides again when they do).
func (s *Server) pollReopener(r *http.Request, p decision.Poll) bool {
	return s.pollHistory.CanReopen(r.Context(), p)
}
