package pages

// Results presentation on the poll page: result rows and charts, the ballots
// table and each ballot written out as text.

import (
	"fmt"
	"strings"

	"github.com/quorum-app/quorum/internal/chart"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
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
	// Face is the voter's picture or initials (avatars.go).
	Face avatarView
}

func zoneName(d poll.Definition) string {
	if d.Settings.TimeZone == "" {
		return "UTC"
	}
	return d.Settings.TimeZone
}

// fillResults turns the gated results into the chart, the table and the
// summary lines, worded for the reader (pr).
func (s *Server) fillResults(pr *i18n.Printer, d *pollPageData, p decision.Poll, v decision.ResultsView) {
	def := p.Definition
	res := v.Results
	label := func(o poll.OptionResult) string {
		if opt, ok := def.Option(o.ID); ok {
			return handlerkit.OptionLabel(pr, def, opt)
		}
		return o.Label
	}
	n64 := func(n int64) string { return pr.Number(int(n)) }
	title := pr.T("page.poll.results_of", "Title", pr.Isolate(def.Title))
	desc := pr.N("page.poll.desc_voted", int(res.Eligible), "Decided", n64(res.Decided))
	for _, o := range res.Options {
		row := resultRow{Label: label(o), Total: n64(o.Total), Voters: n64(o.Voters),
			Average: pr.Decimal(o.Average, 2), ScorePct: pr.Percent(o.ScorePercent), VoterPct: pr.Percent(o.VoterPercent)}
		if def.Type == poll.TypeMeeting {
			row.Yes = n64(o.ScoreCounts[poll.MeetingYes])
			row.Maybe = n64(o.ScoreCounts[poll.MeetingMaybe])
			row.No = n64(o.ScoreCounts[poll.MeetingNo])
		}
		if len(o.RankCounts) > 0 {
			parts := make([]string, len(o.RankCounts))
			for i, c := range o.RankCounts {
				parts[i] = fmt.Sprintf("%s× #%d", n64(int64(c)), i+1)
			}
			row.Ranks = strings.Join(parts, ", ")
		}
		d.Rows = append(d.Rows, row)
	}
	for _, x := range res.Rows {
		name := pr.T("page.poll.undecided")
		if x.Kind == poll.RowNoneOfTheAbove {
			name = pr.T("page.poll.none_of_the_above")
		}
		d.Extra = append(d.Extra, pr.T("page.poll.extra_row", "Name", name, "Voters", pr.Number(int(x.Voters)), "Percent", pr.Percent(x.VoterPercent)))
	}
	d.Summary = append(d.Summary, pr.T("page.poll.summary_voted", "Decided", n64(res.Decided), "Eligible", n64(res.Eligible)))
	reached := func(ok bool, no string) string {
		if ok {
			return pr.T("page.poll.reached")
		}
		return pr.T(no)
	}
	if q := res.Quorum; q != nil {
		d.Summary = append(d.Summary, pr.T("page.poll.quorum", "Percent", pr.Percent(float64(q.Percent)),
			"Voters", pr.N("page.poll.n_voters", int(q.Required)), "State", reached(q.Reached, "page.poll.not_reached")))
	}
	if t := res.Target; t != nil {
		d.Summary = append(d.Summary, pr.T("page.poll.target", "Accepts", n64(t.Accepts), "Target", n64(t.Target),
			"Percent", pr.Percent(t.Percent), "State", reached(t.Reached, "page.poll.not_reached_yet")))
	}
	for _, vs := range res.VoteShare {
		name := vs.OptionID
		if o, ok := def.Option(vs.OptionID); ok {
			name = handlerkit.OptionLabel(pr, def, o)
		}
		state := pr.T("page.poll.not_met")
		if vs.Passed {
			state = pr.T("page.poll.met")
		}
		d.Summary = append(d.Summary, pr.T("page.poll.requirement", "Option", pr.Isolate(name),
			"Rule", requirementRule(pr, vs.Requirement),
			"State", state, "Value", pr.Percent(vs.Value)))
	}
	if rc := v.RankedChoice; rc != nil {
		names := func(ids []string) string {
			out := make([]string, 0, len(ids))
			for _, id := range ids {
				if o, ok := def.Option(id); ok {
					out = append(out, pr.Isolate(handlerkit.OptionLabel(pr, def, o)))
				}
			}
			if len(out) == 0 {
				return pr.T("page.poll.none_lc")
			}
			return strings.Join(out, pr.T("page.poll.list_sep"))
		}
		d.Ranked = append(d.Ranked, pr.T("page.poll.condorcet", "Names", names(rc.Schulze.Winners)))
		d.Ranked = append(d.Ranked, pr.T("page.poll.stv", "Seats", pr.N("page.poll.n_seats", rc.STV.Seats), "Names", names(rc.STV.Elected)))
	}

	head := chart.Head{ID: "poll-" + p.ID, Title: title, Empty: pr.T("page.poll.chart_empty")}
	switch def.Type {
	case poll.TypeProposal, poll.TypeCheck, poll.TypeCount:
		segs := make([]chart.Segment, 0, len(res.Options))
		for _, o := range res.Options {
			segs = append(segs, chart.Segment{Label: label(o), Value: float64(o.Total),
				Text: pr.T("page.poll.chart_share", "Total", n64(o.Total), "Percent", pr.Percent(o.ScorePercent))})
		}
		head.Desc = desc + " " + pr.T("page.poll.chart_desc_share")
		d.Chart = chart.Stacked(head, segs)
	case poll.TypeMeeting:
		cols := []string{pr.T("page.poll.yes"), pr.T("page.poll.maybe"), pr.T("page.poll.no")}
		if !def.Settings.CanRespondMaybe {
			cols = []string{cols[0], cols[2]}
		}
		rows := make([]chart.GridRow, 0, len(res.Options))
		for _, o := range res.Options {
			counts := []int64{o.ScoreCounts[poll.MeetingYes], o.ScoreCounts[poll.MeetingMaybe], o.ScoreCounts[poll.MeetingNo]}
			if !def.Settings.CanRespondMaybe {
				counts = []int64{counts[0], counts[2]}
			}
			rows = append(rows, chart.GridRow{Label: label(o), Counts: counts})
		}
		head.Desc = desc + " " + pr.T("page.poll.chart_desc_times", "Zone", readerZone(pr))
		d.Chart = chart.Grid(head, cols, rows)
	case poll.TypeQuestion:
	default:
		// The unit of the figures: votes, points (score, ranked choice) or dots.
		unit := map[poll.Type]string{poll.TypePoll: "votes", poll.TypeScore: "points", poll.TypeRankedChoice: "points", poll.TypeDotVote: "dots"}[def.Type]
		bars := make([]chart.Bar, 0, len(res.Options))
		for _, o := range res.Options {
			text := pr.N("page.poll.n_"+unit, int(o.Total))
			if def.Type == poll.TypeScore {
				text = pr.T("page.poll.chart_score", "Total", n64(o.Total), "Average", pr.Decimal(o.Average, 1))
			}
			bars = append(bars, chart.Bar{Label: label(o), Value: float64(o.Total), Text: text})
		}
		head.Desc = desc + " " + pr.T("page.poll.chart_desc_"+unit)
		d.Chart = chart.Bars(head, bars)
	}
}

// ballotText describes a ballot in words, in the reader's language.
func ballotText(pr *i18n.Printer, d poll.Definition, b poll.Ballot) string {
	if b.NoneOfTheAbove {
		return pr.T("page.poll.none_of_the_above")
	}
	name := func(id string) string {
		if o, ok := d.Option(id); ok {
			return handlerkit.OptionLabel(pr, d, o)
		}
		return id
	}
	var parts []string
	for i, c := range b.Choices {
		switch d.Type {
		case poll.TypeScore:
			parts = append(parts, fmt.Sprintf("%s: %s", name(c.OptionID), pr.Number(c.Score)))
		case poll.TypeDotVote:
			parts = append(parts, fmt.Sprintf("%s: %s", name(c.OptionID), pr.N("page.poll.n_dots", c.Score)))
		case poll.TypeRankedChoice:
			parts = append(parts, fmt.Sprintf("%d. %s", i+1, name(c.OptionID)))
		case poll.TypeMeeting:
			ans := map[int]string{poll.MeetingYes: "poll.meeting.yes", poll.MeetingMaybe: "poll.meeting.maybe", poll.MeetingNo: "poll.meeting.no"}[c.Score]
			if ans != "" {
				ans = pr.T(ans)
			}
			parts = append(parts, name(c.OptionID)+": "+ans)
		default:
			parts = append(parts, name(c.OptionID))
		}
	}
	if len(parts) == 0 {
		if d.Type == poll.TypeQuestion {
			return pr.T("page.poll.answered")
		}
		return pr.T("page.poll.no_choice")
	}
	return strings.Join(parts, "; ")
}
