package search

import (
	"fmt"

	"github.com/quorum-app/quorum/internal/search/analysis"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/ar"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/de"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/en"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/es"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/fr"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/it"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/nl"
	"github.com/quorum-app/quorum/internal/search/analysis/lang/pt"
	"github.com/quorum-app/quorum/internal/search/analysis/token/elision"
	"github.com/quorum-app/quorum/internal/search/analysis/token/lowercase"
	"github.com/quorum-app/quorum/internal/search/analysis/token/porter"
	"github.com/quorum-app/quorum/internal/search/analysis/token/stop"
	"github.com/quorum-app/quorum/internal/search/analysis/token/unicodenorm"
	"github.com/quorum-app/quorum/internal/search/analysis/tokenizer/unicode"
)

// The analysers below are bleve's language analysers (analysis/lang/xx,
// analyzer_xx.go of bleve v2.6.3) assembled from a copy of their filters in
// internal/search/analysis, without bleve's registry: importing bleve's
// language packages links its registry and with it the whole query engine
// (~1.5 MB in every function). The chains must stay exactly bleve's, filter
// for filter, or terms already in the index stop matching;
// TestAnalyzersMatchBleve compares the token streams with bleve's own.

// wordMap loads a word list (stop words, articles) in bleve's format.
func wordMap(lang, what string, data []byte) (analysis.TokenMap, error) {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(data); err != nil {
		return nil, fmt.Errorf("search: %s %s: %w", what, lang, err)
	}
	return m, nil
}

// buildLanguage returns the analyser of one language and its stop words.
func buildLanguage(l string) (analysis.Analyzer, analysis.TokenMap, error) {
	stops := map[string][]byte{"en": en.EnglishStopWords, "de": de.GermanStopWords, "es": es.SpanishStopWords,
		"fr": fr.FrenchStopWords, "it": it.ItalianStopWords, "nl": nl.DutchStopWords,
		"pt": pt.PortugueseStopWords, "ar": ar.ArabicStopWords}
	data, ok := stops[l]
	if !ok {
		return nil, nil, fmt.Errorf("search: no analyzer for %q", l)
	}
	stopWords, err := wordMap(l, "stop words", data)
	if err != nil {
		return nil, nil, err
	}
	lower := lowercase.NewLowerCaseFilter()
	stopFilter := stop.NewStopTokensFilter(stopWords)
	var filters []analysis.TokenFilter
	switch l {
	case "en":
		filters = []analysis.TokenFilter{en.NewPossessiveFilter(), lower, stopFilter, porter.NewPorterStemmer()}
	case "de":
		filters = []analysis.TokenFilter{lower, stopFilter, de.NewGermanNormalizeFilter(), de.NewGermanLightStemmerFilter()}
	case "es":
		filters = []analysis.TokenFilter{lower, stopFilter, es.NewSpanishNormalizeFilter(), es.NewSpanishLightStemmerFilter()}
	case "fr", "it":
		articles := map[string][]byte{"fr": fr.FrenchArticles, "it": it.ItalianArticles}[l]
		arts, err := wordMap(l, "articles", articles)
		if err != nil {
			return nil, nil, err
		}
		var stem analysis.TokenFilter = fr.NewFrenchLightStemmerFilter()
		if l == "it" {
			stem = it.NewItalianLightStemmerFilterFilter()
		}
		filters = []analysis.TokenFilter{lower, elision.NewElisionFilter(arts), stopFilter, stem}
	case "nl":
		filters = []analysis.TokenFilter{lower, stopFilter, nl.NewDutchStemmerFilter()}
	case "pt":
		filters = []analysis.TokenFilter{lower, stopFilter, pt.NewPortugueseLightStemmerFilter()}
	case "ar":
		nfkc, err := unicodenorm.NewUnicodeNormalizeFilter(unicodenorm.NFKC)
		if err != nil {
			return nil, nil, fmt.Errorf("search: normalize ar: %w", err)
		}
		filters = []analysis.TokenFilter{lower, nfkc, stopFilter, ar.NewArabicNormalizeFilter(), ar.NewArabicStemmerFilter()}
	}
	return &analysis.DefaultAnalyzer{Tokenizer: unicode.NewUnicodeTokenizer(), TokenFilters: filters}, stopWords, nil
}
