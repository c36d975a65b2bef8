package server

// Results presentation on the poll page: result rows and charts, the ballots
// table and each ballot written out as text.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/quorum-app/quorum/internal/chart"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/web"
)

type resultRow struct {
	Label, Total, Voters, Average, ScorePct, VoterPct string
	Yes, Maybe, No                                    string
	Ranks                                             string
}

type ballotRow struct {
	Name, Vote, Reason, When string
	// CastBy names who cast it with the voter's proxy.
	CastBy string
	// Changed: the voter changed their vote; Earlier are their earlier
	// stances, newest first (polls_history.go).
	Changed  bool
	Earlier  []earlierRow
	Question bool
	// UserID is the voter ("" in anonymous polls); Reacts the reactions
	// to a ballot with a reason (polls_reactions.go).
	UserID string
	Reacts *reactBar
}

func zoneName(d poll.Definition) string {
	if d.Settings.TimeZone == "" {
		return "UTC"
	}
	return d.Settings.TimeZone
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

// fillResults turns the gated results into the chart, the table and the
// summary lines.
func (s *Server) fillResults(d *pollPageData, p decision.Poll, v decision.ResultsView) {
	def := p.Definition
	res := v.Results
	label := func(o poll.OptionResult) string {
		if opt, ok := def.Option(o.ID); ok {
			return optionLabel(def, opt)
		}
		return o.Label
	}
	title := "Results of " + def.Title
	desc := fmt.Sprintf("%d of %s have voted.", res.Decided, web.Count(res.Eligible, "voter", "voters"))
	for _, o := range res.Options {
		row := resultRow{Label: label(o), Total: strconv.FormatInt(o.Total, 10), Voters: strconv.FormatInt(o.Voters, 10),
			Average: strconv.FormatFloat(o.Average, 'f', 2, 64), ScorePct: pct(o.ScorePercent), VoterPct: pct(o.VoterPercent)}
		if def.Type == poll.TypeMeeting {
			row.Yes = strconv.FormatInt(o.ScoreCounts[poll.MeetingYes], 10)
			row.Maybe = strconv.FormatInt(o.ScoreCounts[poll.MeetingMaybe], 10)
			row.No = strconv.FormatInt(o.ScoreCounts[poll.MeetingNo], 10)
		}
		if len(o.RankCounts) > 0 {
			parts := make([]string, len(o.RankCounts))
			for i, c := range o.RankCounts {
				parts[i] = fmt.Sprintf("%d× #%d", c, i+1)
			}
			row.Ranks = strings.Join(parts, ", ")
		}
		d.Rows = append(d.Rows, row)
	}
	for _, x := range res.Rows {
		name := "Undecided"
		if x.Kind == poll.RowNoneOfTheAbove {
			name = "None of the above"
		}
		d.Extra = append(d.Extra, fmt.Sprintf("%s: %d (%s of eligible voters)", name, x.Voters, pct(x.VoterPercent)))
	}
	d.Summary = append(d.Summary, fmt.Sprintf("%d of %d eligible voters have voted.", res.Decided, res.Eligible))
	if q := res.Quorum; q != nil {
		state := "not reached"
		if q.Reached {
			state = "reached"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("Quorum of %d%% (%s): %s.", q.Percent, web.Count(q.Required, "voter", "voters"), state))
	}
	if t := res.Target; t != nil {
		state := "not reached yet"
		if t.Reached {
			state = "reached"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("%d of the %d accepts aimed for (%s): %s.", t.Accepts, t.Target, pct(t.Percent), state))
	}
	for _, vs := range res.VoteShare {
		name := vs.OptionID
		if o, ok := def.Option(vs.OptionID); ok {
			name = o.Label
		}
		state := "not met"
		if vs.Passed {
			state = "met"
		}
		d.Summary = append(d.Summary, fmt.Sprintf("Requirement %s %s %s %v%%: %s (%s).", name, strings.ReplaceAll(string(vs.Measure), "_", " "), vs.Op, vs.Threshold, state, pct(vs.Value)))
	}
	if rc := v.RankedChoice; rc != nil {
		names := func(ids []string) string {
			out := make([]string, 0, len(ids))
			for _, id := range ids {
				if o, ok := def.Option(id); ok {
					out = append(out, o.Label)
				}
			}
			if len(out) == 0 {
				return "none"
			}
			return strings.Join(out, ", ")
		}
		d.Ranked = append(d.Ranked, "Condorcet (Schulze) winners: "+names(rc.Schulze.Winners)+".")
		d.Ranked = append(d.Ranked, fmt.Sprintf("Single transferable vote (%s, Droop quota): elected %s.", web.Count(rc.STV.Seats, "seat", "seats"), names(rc.STV.Elected)))
	}

	id := "poll-" + p.ID
	switch def.Type {
	case poll.TypeProposal, poll.TypeCheck, poll.TypeCount:
		segs := make([]chart.Segment, 0, len(res.Options))
		for _, o := range res.Options {
			segs = append(segs, chart.Segment{Label: label(o), Value: float64(o.Total), Text: fmt.Sprintf("%d (%s)", o.Total, pct(o.ScorePercent))})
		}
		d.Chart = chart.Stacked(id, title, desc+" Share of votes per option.", segs)
	case poll.TypeMeeting:
		cols := []string{"Yes", "Maybe", "No"}
		if !def.Settings.CanRespondMaybe {
			cols = []string{"Yes", "No"}
		}
		rows := make([]chart.GridRow, 0, len(res.Options))
		for _, o := range res.Options {
			counts := []int64{o.ScoreCounts[poll.MeetingYes], o.ScoreCounts[poll.MeetingMaybe], o.ScoreCounts[poll.MeetingNo]}
			if !def.Settings.CanRespondMaybe {
				counts = []int64{counts[0], counts[2]}
			}
			rows = append(rows, chart.GridRow{Label: label(o), Counts: counts})
		}
		d.Chart = chart.Grid(id, title, desc+" Answers per time, in "+zoneName(def)+".", cols, rows)
	case poll.TypeQuestion:
	default:
		unit := map[poll.Type]string{poll.TypePoll: "votes", poll.TypeScore: "points", poll.TypeRankedChoice: "points", poll.TypeDotVote: "dots"}[def.Type]
		bars := make([]chart.Bar, 0, len(res.Options))
		for _, o := range res.Options {
			text := fmt.Sprintf("%d %s", o.Total, unit)
			if def.Type == poll.TypeScore {
				text = fmt.Sprintf("%d (avg %.1f)", o.Total, o.Average)
			}
			bars = append(bars, chart.Bar{Label: label(o), Value: float64(o.Total), Text: text})
		}
		d.Chart = chart.Bars(id, title, desc+" Total "+unit+" per option, largest first.", bars)
	}
}

// ballotText describes a ballot in words.
func ballotText(d poll.Definition, b poll.Ballot) string {
	if b.NoneOfTheAbove {
		return "None of the above"
	}
	name := func(id string) string {
		if o, ok := d.Option(id); ok {
			return optionLabel(d, o)
		}
		return id
	}
	var parts []string
	for i, c := range b.Choices {
		switch d.Type {
		case poll.TypeScore:
			parts = append(parts, fmt.Sprintf("%s: %d", name(c.OptionID), c.Score))
		case poll.TypeDotVote:
			parts = append(parts, fmt.Sprintf("%s: %s", name(c.OptionID), web.Count(c.Score, "dot", "dots")))
		case poll.TypeRankedChoice:
			parts = append(parts, fmt.Sprintf("%d. %s", i+1, name(c.OptionID)))
		case poll.TypeMeeting:
			ans := map[int]string{poll.MeetingYes: "yes", poll.MeetingMaybe: "maybe", poll.MeetingNo: "no"}[c.Score]
			parts = append(parts, name(c.OptionID)+": "+ans)
		default:
			parts = append(parts, name(c.OptionID))
		}
	}
	if len(parts) == 0 {
		if d.Type == poll.TypeQuestion {
			return "Answered"
		}
		return "No choice"
	}
	return strings.Join(parts, "; ")
}
