package search

import (
	"strings"
	"unicode/utf8"
)

// Passage lengths, in runes.
const (
	passageRunes = 220
	titleRunes   = 300
)

// highlight marks the words of text (analysed in lang) that match the
// query and returns the best window of about width runes: the one with
// the most matches, cut at word boundaries, with ellipses where cut. With
// no match it returns the start of the text.
func (a *Analyzer) highlight(text, lang string, q []QueryToken, width int) Passage {
	if text == "" {
		return nil
	}
	type span struct{ start, end int }
	var spans []span
	for _, t := range a.Analyze(lang, text) {
		for _, qt := range q {
			if qt.matches(t.Term) {
				spans = append(spans, span{t.Start, t.End})
				break
			}
		}
	}
	// The window: start at the match that has the most matches within
	// width runes after it.
	from, to := 0, len(text)
	if utf8.RuneCountInString(text) > width {
		bestStart, bestCount := 0, 0
		for i, sp := range spans {
			c := 0
			for _, o := range spans[i:] {
				if utf8.RuneCountInString(text[sp.start:o.end]) > width {
					break
				}
				c++
			}
			if c > bestCount {
				bestStart, bestCount = sp.start, c
			}
		}
		// Some context before the first match.
		from = backRunes(text, bestStart, width/5)
		from = wordStart(text, from)
		to = forwardRunes(text, from, width)
		to = wordEnd(text, to)
	}
	var p Passage
	if from > 0 {
		p = append(p, Fragment{Text: "… "})
	}
	pos := from
	for _, sp := range spans {
		if sp.start < from || sp.end > to {
			continue
		}
		if sp.start > pos {
			p = append(p, Fragment{Text: text[pos:sp.start]})
		}
		p = append(p, Fragment{Text: text[sp.start:sp.end], Match: true})
		pos = sp.end
	}
	if pos < to {
		p = append(p, Fragment{Text: text[pos:to]})
	}
	if to < len(text) {
		p = append(p, Fragment{Text: " …"})
	}
	return p
}

func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// wordStart moves i forward to the start of a word (unless at 0).
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	if j := strings.IndexByte(s[i:], ' '); j >= 0 && j < 30 {
		return i + j + 1
	}
	return i
}

// wordEnd moves i back to the end of a word (unless at the end).
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	if j := strings.LastIndexByte(s[:i], ' '); j > 0 && i-j < 30 {
		return j
	}
	return i
}
