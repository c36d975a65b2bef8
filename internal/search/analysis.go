package search

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/search/analysis"
	"github.com/quorum-app/quorum/internal/search/analysis/char/asciifolding"
	"github.com/quorum-app/quorum/internal/search/analysis/tokenizer/unicode"
)

// Languages are the interface languages the analysis knows, in the order
// ties in language detection are broken.
var Languages = []string{"en", "de", "es", "fr", "it", "nl", "pt", "ar"}

// DefaultLanguage analyses text whose language cannot be told.
const DefaultLanguage = "en"

const (
	maxTermBytes   = 60   // longer tokens are not indexed (URLs, hashes)
	maxDocTerms    = 1500 // distinct terms per document: bounds the postings written for one item
	maxQueryTokens = 8    // words of a query that are searched; the rest are ignored
	minPrefixRunes = 2    // a last word shorter than this is matched exactly only
)

// Analyzer turns text into index terms: per language it tokenizes on
// Unicode word boundaries, lowercases, drops stop words, normalises (German
// umlauts, Arabic diacritics) and stems with bleve's analysers (built in
// languages.go), then folds what is left to ASCII where a Latin letter
// carries an accent, so "décision" and "decision" are one term. It is safe for concurrent use.
type Analyzer struct {
	// langs builds each language's analyser and stop words on first use,
	// once: loading the word lists of all eight is most of the work, and
	// a function that indexes nothing on a cold start (most of the
	// mailer's stream batches) or analyses one language does not pay for
	// the others.
	langs map[string]func() *language
	tok   analysis.Tokenizer
	fold  *asciifolding.AsciiFoldingFilter
}

type language struct {
	name     string
	analyzer analysis.Analyzer
	stop     analysis.TokenMap
}

// NewAnalyzer returns the analysers of every language in Languages, each
// built on its first use. A language fails to build only if its embedded
// word lists do not load, a defect of the build that the tests catch
// (TestAnalyzersMatchBleve builds every language); it panics then.
func NewAnalyzer() (*Analyzer, error) {
	a := &Analyzer{langs: map[string]func() *language{}, fold: asciifolding.New(), tok: unicode.NewUnicodeTokenizer()}
	for _, l := range Languages {
		a.langs[l] = sync.OnceValue(func() *language {
			an, stop, err := buildLanguage(l)
			if err != nil {
				panic(err)
			}
			return &language{name: l, analyzer: an, stop: stop}
		})
	}
	return a, nil
}

// lang is the analyser of language l (a known one), built on first use.
func (a *Analyzer) lang(l string) *language {
	if build := a.langs[l]; build != nil {
		return build()
	}
	return nil
}

// Token is one index term and where it came from in the text (byte offsets).
type Token struct {
	Term       string
	Start, End int
}

// known returns l if it is a supported language, else "".
func (a *Analyzer) known(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i] // pt-BR, en_GB
	}
	if _, ok := a.langs[l]; ok {
		return l
	}
	return ""
}

// finish folds a stemmed term and rejects what is not worth indexing.
func (a *Analyzer) finish(term []byte) (string, bool) {
	t := string(a.fold.Filter(term))
	t = strings.ToLower(t)
	if t == "" || len(t) > maxTermBytes || strings.ContainsAny(t, "|\x00") {
		return "", false
	}
	return t, true
}

// Analyze returns the terms of text in language lang (unknown languages use
// DefaultLanguage), in text order.
func (a *Analyzer) Analyze(lang, text string) []Token {
	l := a.lang(a.known(lang))
	if l == nil {
		l = a.lang(DefaultLanguage)
	}
	stream := l.analyzer.Analyze([]byte(text))
	out := make([]Token, 0, len(stream))
	for _, t := range stream {
		if term, ok := a.finish(t.Term); ok {
			out = append(out, Token{Term: term, Start: t.Start, End: t.End})
		}
	}
	return out
}

// words returns the lowercased words of text with their offsets.
func (a *Analyzer) words(text string) []Token {
	stream := a.tok.Tokenize([]byte(text))
	out := make([]Token, 0, len(stream))
	for _, t := range stream {
		out = append(out, Token{Term: strings.ToLower(string(t.Term)), Start: t.Start, End: t.End})
	}
	return out
}

// Detect guesses the language of text among Languages by counting stop
// words (the most frequent words of each language), and returns fallback
// when the text has too few of them to tell (titles, short replies).
func (a *Analyzer) Detect(text, fallback string) string {
	fb := a.known(fallback)
	if fb == "" {
		fb = DefaultLanguage
	}
	ws := a.words(text)
	if len(ws) > 400 {
		ws = ws[:400]
	}
	best, bestN, second := "", 0, 0
	for _, l := range Languages {
		n := 0
		for _, w := range ws {
			if a.lang(l).stop[w.Term] {
				n++
			}
		}
		if n > bestN {
			best, bestN, second = l, n, bestN
		} else if n > second {
			second = n
		}
	}
	// At least two stop words, and clearly more than the runner-up.
	if bestN < 2 || bestN == second {
		return fb
	}
	return best
}

// QueryToken is one word of a query: the exact terms that match it (its
// stems in each candidate language, and the word itself) and, for the word
// being typed, a prefix that any longer term may start with.
type QueryToken struct {
	Word   string   // the word as typed, lowercased
	Terms  []string // exact index terms, deduplicated, sorted
	Prefix string   // "" unless the word is matched as a prefix
}

// ParseQuery analyses a query in each of langs (unknown ones are ignored;
// none means all Languages). With prefix, the last word also matches as a
// prefix (search-as-you-type) unless the text ends with a space. Words that
// are stop words in every candidate language are dropped; at most
// maxQueryTokens words are kept.
func (a *Analyzer) ParseQuery(text string, langs []string, prefix bool) []QueryToken {
	var cand []*language
	seen := map[string]bool{}
	for _, l := range langs {
		if k := a.known(l); k != "" && !seen[k] {
			seen[k] = true
			cand = append(cand, a.lang(k))
		}
	}
	if len(cand) == 0 {
		for _, l := range Languages {
			cand = append(cand, a.lang(l))
		}
	}
	ws := a.words(text)
	endsInSpace := strings.TrimRightFunc(text, isSpace) != text
	var out []QueryToken
	for i, w := range ws {
		if len(out) == maxQueryTokens {
			break
		}
		isLast := i == len(ws)-1
		terms := map[string]bool{}
		word := text[w.Start:w.End]
		for _, l := range cand {
			for _, t := range l.analyzer.Analyze([]byte(word)) {
				if term, ok := a.finish(t.Term); ok {
					terms[term] = true
				}
			}
		}
		qt := QueryToken{Word: w.Term}
		if len(terms) > 0 {
			// The folded word itself: a document whose language was
			// guessed wrong may hold it unstemmed.
			if raw, ok := a.finish([]byte(w.Term)); ok {
				terms[raw] = true
			}
		}
		if prefix && isLast && !endsInSpace {
			if p, ok := a.finish([]byte(w.Term)); ok && utf8.RuneCountInString(p) >= minPrefixRunes {
				qt.Prefix = p
				// Stems can be shorter than what was typed ("decisi" for
				// the stem "decis"): the word less up to three trailing
				// vowels (where stemmers cut) matches exactly too.
				r := []rune(p)
				for cut := len(r) - 1; len(r) >= 5 && cut >= max(4, len(r)-3) && strings.ContainsRune("aeiouy", r[cut]); cut-- {
					terms[string(r[:cut])] = true
				}
			}
		}
		if len(terms) == 0 && qt.Prefix == "" {
			continue // a stop word in every candidate language
		}
		for t := range terms {
			qt.Terms = append(qt.Terms, t)
		}
		sort.Strings(qt.Terms)
		out = append(out, qt)
	}
	return out
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' }

// matches reports whether an index term matches the query token.
func (q QueryToken) matches(term string) bool {
	if q.Prefix != "" && strings.HasPrefix(term, q.Prefix) {
		return true
	}
	_, found := slices.BinarySearch(q.Terms, term)
	return found
}
