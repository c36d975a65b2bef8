package api

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
)

// CSV exports and the meeting invitation. Exports are built only from what
// the core's gated calls returned (Results, Ballots), so hidden results
// cannot reach them.

// csvText neutralises a text cell against spreadsheet formula injection:
// a cell starting with = + - @ (or a tab or carriage return, which some
// programs strip before evaluating) gets a leading single quote. Numbers
// are written by the export itself and never pass through here.
func csvText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// tagsCell is the poll's tags for the last column of its CSV exports:
// their names, sorted, joined by "; ", on every row (so rows keep their
// poll's tags when exports of several polls are pasted together, and a
// spreadsheet filters on it); empty for an untagged poll.
func tagsCell(p decision.Poll) string {
	names := make([]string, 0, len(p.Tags))
	for _, t := range p.Tags {
		names = append(names, t.Name)
	}
	return csvText(strings.Join(names, "; "))
}

// resultsCSV is a poll's results as CSV: column names and ids as they are
// (for programs), labels for the reader (pr): meeting times in their
// language and zone, built-in options and extra rows in their words.
func resultsCSV(pr *i18n.Printer, p decision.Poll, r poll.Results) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // spreadsheets read UTF-8 with a BOM
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	meeting := p.Definition.Type == poll.TypeMeeting
	head := []string{"option_id", "option", "total", "voters", "average", "score_percent", "voter_percent", "max_score_percent"}
	if meeting {
		head = append(head, "yes", "maybe", "no")
	}
	head = append(head, "tags")
	tags := tagsCell(p)
	_ = cw.Write(head)
	for _, o := range r.Options {
		label := o.Label
		if opt, ok := p.Definition.Option(o.ID); ok {
			label = handlerkit.OptionLabel(pr, p.Definition, opt)
		}
		row := []string{csvText(o.ID), csvText(label), strconv.FormatInt(o.Total, 10), strconv.FormatInt(o.Voters, 10),
			fmtFloat(o.Average), fmtFloat(o.ScorePercent), fmtFloat(o.VoterPercent), fmtFloat(o.MaxScorePercent)}
		if meeting {
			row = append(row, strconv.FormatInt(o.ScoreCounts[poll.MeetingYes], 10),
				strconv.FormatInt(o.ScoreCounts[poll.MeetingMaybe], 10), strconv.FormatInt(o.ScoreCounts[poll.MeetingNo], 10))
		}
		_ = cw.Write(append(row, tags))
	}
	for _, x := range r.Rows {
		row := []string{x.Kind, csvText(extraRowName(pr, x.Kind)), "", strconv.FormatInt(x.Voters, 10), "", "", fmtFloat(x.VoterPercent), ""}
		if meeting {
			row = append(row, "", "", "")
		}
		_ = cw.Write(append(row, tags))
	}
	cw.Flush()
	return buf.Bytes()
}

// ballotsCSV is a poll's ballots as CSV, with option columns named for the
// reader (pr) as in resultsCSV.
func ballotsCSV(pr *i18n.Printer, p decision.Poll, items []ballotOut) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	d := p.Definition
	anon := d.Settings.Anonymous
	var head []string
	if !anon {
		head = append(head, "voter", "cast_at", "updated_at")
	}
	for _, o := range d.Options {
		head = append(head, csvText(handlerkit.OptionLabel(pr, d, o)))
	}
	if d.Settings.NoneOfTheAbove {
		head = append(head, "none_of_the_above")
	}
	head = append(head, "reason")
	if !anon {
		// Ballots cast with the voter's proxy name who cast them.
		head = append(head, "cast_by")
	}
	head = append(head, "tags")
	tags := tagsCell(p)
	_ = cw.Write(head)
	for _, b := range items {
		var row []string
		if !anon {
			name := b.Name
			if name == "" {
				name = b.UserID
			}
			row = append(row, csvText(name), fmtTime(b.CastAt), fmtTime(b.UpdatedAt))
		}
		scores := map[string]int{}
		for _, c := range b.Choices {
			scores[c.OptionID] = c.Score
		}
		for _, o := range d.Options {
			if sc, ok := scores[o.ID]; ok {
				row = append(row, strconv.Itoa(sc))
			} else {
				row = append(row, "")
			}
		}
		if d.Settings.NoneOfTheAbove {
			row = append(row, strconv.FormatBool(b.NoneOfTheAbove))
		}
		row = append(row, csvText(b.Reason))
		if !anon {
			by := b.CastByName
			if by == "" {
				by = b.CastBy
			}
			row = append(row, csvText(by))
		}
		_ = cw.Write(append(row, tags))
	}
	cw.Flush()
	return buf.Bytes()
}

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// The meeting invitation (.ics) is built by internal/calendar.

// extraRowName names a results row that is not an option ("Undecided",
// "None of the above") for the reader.
func extraRowName(pr *i18n.Printer, kind string) string {
	switch kind {
	case poll.RowNoneOfTheAbove:
		return pr.T("page.poll.none_of_the_above")
	case poll.RowUndecided:
		return pr.T("page.poll.undecided")
	}
	return kind
}
