// Package text is Quorum's one cleaner of user text. Every core passes each
// single-line field (names, titles, option labels, handles, file names) through
// Line or CheckLine, and each multi-line body (descriptions, comments, details,
// reasons, statements, messages) through Block or CheckBlock, before it
// validates or stores it. Unicode TR #36 (security considerations) and TR #39
// (security mechanisms) are the reference; docs/api.md describes the result.
//
// A single-line field is:
//   - valid UTF-8 (the Check functions refuse invalid bytes; Line and Block
//     replace them with U+FFFD);
//   - in Unicode Normalization Form C;
//   - without control characters: every run of white space (tabs, line
//     breaks, no-break and other Unicode spaces) becomes one space, and the
//     value is trimmed;
//   - without default-ignorable code points (TR #44): bidi embeddings,
//     overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, LRM, RLM,
//     ALM), zero-width space, word joiner, soft hyphen, BOM, Hangul fillers,
//     tag characters and the like are removed. Kept are only what UAX #31
//     §2.3 allows and scripts need: ZWNJ between two letters of a joining
//     script or after a virama, ZWJ after a virama or inside an emoji
//     sequence, a variation selector right after the character it selects
//     and the tag characters of an emoji flag (🏴 + tags + U+E007F);
//   - without noncharacters or interlinear annotation controls;
//   - measured in characters (code points after normalisation); empty after
//     cleaning means missing.
//
// A multi-line body keeps what writing needs (line breaks, tabs, ZWJ/ZWNJ,
// LRM/RLM/ALM, zero-width space, variation selectors, emoji sequences) and
// loses only what can hide or reorder text or break storage and rendering:
// control characters but line feed and tab (CR LF and CR become LF, U+2028
// and U+2029 become LF), bidi embeddings, overrides and isolates, BOM,
// noncharacters, interlinear annotation controls and tag characters outside
// an emoji flag.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/quorum-app/quorum/internal/domain"
)

// Line returns s cleaned as a single-line field (see the package comment).
// It never fails: invalid UTF-8 becomes U+FFFD.
func Line(s string) string {
	return norm.NFC.String(filter(prepare(s), false))
}

// Block returns s cleaned as a multi-line body (see the package comment),
// trimmed of white space at both ends.
func Block(s string) string {
	return strings.TrimSpace(norm.NFC.String(filter(prepare(s), true)))
}

// Len is the length of s in characters (code points), the unit of every
// length limit.
func Len(s string) int { return utf8.RuneCountInString(s) }

// CheckLine cleans a single-line field and records on fe what is wrong with
// it: invalid UTF-8, missing (empty after cleaning, when min > 0), shorter
// than min or longer than max characters. It returns the cleaned value.
func CheckLine(fe *domain.FieldErrors, field, s string, min, max int) string {
	return check(fe, field, s, min, max, Line)
}

// CheckBlock is CheckLine for a multi-line body.
func CheckBlock(fe *domain.FieldErrors, field, s string, min, max int) string {
	return check(fe, field, s, min, max, Block)
}

func check(fe *domain.FieldErrors, field, s string, min, max int, clean func(string) string) string {
	if !utf8.ValidString(s) {
		fe.Add(field, "is not valid UTF-8")
		return ""
	}
	s = clean(s)
	switch n := Len(s); {
	case n == 0 && min > 0:
		fe.Add(field, "is required")
	case n < min:
		fe.Add(field, "must be at least %d characters", min)
	case n > max:
		fe.Add(field, "must be at most %d characters", max)
	}
	return s
}

// prepare makes s valid UTF-8 in NFC, so that the filter sees composed
// characters.
func prepare(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return norm.NFC.String(s)
}

// filter drops what the kind of text (multi-line or not) must not hold, in
// one pass; context rules look at the neighbours in the input.
func filter(s string, multiline bool) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false // a white-space run is pending (single line)
	var last rune  // the last rune written, 0 at the start
	var base rune  // the last rune written that is not a selector or skin tone
	emit := func(r rune) {
		if space {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			last, base = ' ', ' '
		}
		b.WriteRune(r)
		last = r
		if !unicode.Is(unicode.Variation_Selector, r) && !skinTone(r) {
			base = r
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == flagBase {
			if n := flagTags(rs[i+1:]); n > 0 {
				emit(r)
				for _, t := range rs[i+1 : i+1+n] {
					b.WriteRune(t)
				}
				last, base = rs[i+n], rs[i+n]
				i += n
				continue
			}
		}
		if multiline {
			switch {
			case r == '\r':
				if i+1 < len(rs) && rs[i+1] == '\n' {
					continue
				}
				emit('\n')
			case r == '\u2028' || r == '\u2029':
				emit('\n')
			case r == '\n' || r == '\t':
				emit(r)
			case droppedInBody(r):
			default:
				emit(r)
			}
			continue
		}
		switch {
		case unicode.IsSpace(r):
			space = true
		case r == zwnj || r == zwj:
			if !space && joinerAllowed(rs, i, last, base) {
				emit(r)
			}
		case unicode.Is(unicode.Variation_Selector, r):
			if last != 0 && !space && !unicode.Is(unicode.Variation_Selector, last) && !ignorable(last) {
				emit(r)
			}
		case droppedInLine(r):
		default:
			emit(r)
		}
	}
	return b.String()
}

const (
	zwnj     = '\u200C'
	zwj      = '\u200D'
	flagBase = '\U0001F3F4' // 🏴, the base of emoji tag sequences
	tagEnd   = '\U000E007F' // CANCEL TAG
)

// flagTags returns how many runes of rs form the tag part of an emoji flag
// (tag spec characters U+E0020–U+E007E, then CANCEL TAG), 0 if none.
func flagTags(rs []rune) int {
	for i, r := range rs {
		switch {
		case r == tagEnd && i > 0:
			return i + 1
		case r >= 0xE0020 && r <= 0xE007E && i < 32:
		default:
			return 0
		}
	}
	return 0
}

// droppedInBody: control characters (but LF, CR and tab, handled before),
// bidi embeddings, overrides and isolates, BOM, noncharacters, interlinear
// annotation controls and stray tag characters.
func droppedInBody(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\uFEFF', r >= '\uFFF9' && r <= '\uFFFB':
		return true
	case r >= 0xE0000 && r <= 0xE007F:
		return true
	}
	return unicode.Is(unicode.Noncharacter_Code_Point, r)
}

// droppedInLine: control characters, default-ignorable code points,
// noncharacters and interlinear annotation controls.
func droppedInLine(r rune) bool {
	return unicode.IsControl(r) || ignorable(r) || (r >= '\uFFF9' && r <= '\uFFFB') ||
		unicode.Is(unicode.Noncharacter_Code_Point, r)
}

// ignorable is Default_Ignorable_Code_Point as DerivedCoreProperties.txt
// derives it: Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
// - White_Space - U+FFF9..U+FFFB - U+13430..U+1343F - Prepended_Concatenation_Mark.
func ignorable(r rune) bool {
	switch {
	case unicode.Is(unicode.White_Space, r),
		r >= '\uFFF9' && r <= '\uFFFB',
		r >= 0x13430 && r <= 0x1343F,
		unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Variation_Selector, r)
}

// joinerAllowed reports whether the ZWNJ or ZWJ at rs[i] is one UAX #31
// §2.3 allows (last is the rune written before it, base the last one that
// is not a variation selector or skin-tone modifier):
//   - either joiner after a virama, before a letter (A2, B);
//   - ZWNJ between two letters of a cursive joining script (A1, with the
//     script standing in for the Joining_Type property);
//   - ZWJ inside an emoji sequence: after a pictographic symbol (with its
//     optional variation selector or skin-tone modifier) and before one.
func joinerAllowed(rs []rune, i int, last, base rune) bool {
	if last == 0 || i+1 >= len(rs) {
		return false
	}
	next := rs[i+1]
	if virama(last) && unicode.IsLetter(next) {
		return true
	}
	if rs[i] == zwnj {
		return joining(last) && joining(next)
	}
	return unicode.Is(unicode.So, base) && unicode.Is(unicode.So, next)
}

func virama(r rune) bool {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return norm.NFC.Properties(buf[:n]).CCC() == 9
}

func skinTone(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// joiningScripts are the scripts whose letters join cursively.
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Adlam, unicode.Mandaic,
	unicode.Manichaean, unicode.Psalter_Pahlavi, unicode.Hanifi_Rohingya, unicode.Sogdian,
	unicode.Old_Uyghur, unicode.Phags_Pa, unicode.Chorasmian,
}

func joining(r rune) bool {
	return unicode.IsLetter(r) && unicode.In(r, joiningScripts...)
}

// Clip shortens s to at most n characters (n ≥ 1) for display: s itself
// when it fits, else its first n-1 characters, trailing white space
// trimmed, and "…". It cleans nothing: pass it cleaned text (Line).
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " \t\n") + "…"
}
