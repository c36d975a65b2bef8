package search

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	bleveascii "github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	bleveunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/quorum-app/quorum/internal/search/analysis"
	"github.com/quorum-app/quorum/internal/search/analysis/char/asciifolding"
	"github.com/quorum-app/quorum/internal/search/analysis/tokenizer/unicode"
)

// analysisCorpus is text of every language with what trips analysers up:
// punctuation, accents, apostrophes (straight, curly, full-width), elided
// articles, umlauts and ß, Arabic with diacritics, tatweel and
// presentation forms, numbers, emoji, mixed scripts, URLs.
var analysisCorpus = map[string][]string{
	"en": {
		"We made decisions about the recycling bins and the meetings.",
		"The committee's report, the members' votes and James’s proposal (v2.0) — 42% agreed!",
		"Running runners ran; generously, happily, relational conditional rationalisation.",
		"Don't won't can't shouldn't o'clock rock'n'roll it’s ＇s Bob＇s",
		"E-mail me at alice@example.org or visit https://example.com/path?q=1#frag 3.14159 1,000,000",
		"Emoji 🎉👍🏽 family 👨‍👩‍👧 flags 🇫🇷 and ZWJ sequences; ÀÉÎÕÜ straße ǅ ﬁ ligature",
		"MIXED case WORDS and CamelCase identifiers like getHTTPResponse or snake_case_names",
		"THE AND OR IS ARE WAS WERE BE BEEN BEING",
		"caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll roll",
	},
	"de": {
		"Wir haben Entscheidungen über die Mülltonnen und die Sitzungen getroffen.",
		"Die Straße, die Häuser, größer, schöner, Bürgermeisterin, Fußgängerzone, Ärger, Öl, Übermut",
		"Äpfel ÄPFEL äpfel Maße Masse MASSE Grüße GRÜSSE groß GROSS ẞ",
		"Die Abstimmung läuft bis 18:00 Uhr am 3. Mai 2026 — 75 % haben teilgenommen 🎉",
		"Kinder Kindern Kindes Häuser Hauses Frauen Lehrerinnen Gesetze Gesetzen gegangen gelaufen gearbeitet",
		"aber alle allem allen aller alles als also am an ander andere anderem anderen",
		"schön schoen schon Schönheit Schönheiten Müller Mueller Duesseldorf Düsseldorf",
	},
	"es": {
		"Tomamos decisiones sobre los contenedores de reciclaje y las reuniones.",
		"¿Dónde está la votación? ¡Qué bien! Niño, niña, años, corazón, canción, también, está, más",
		"Las decisiones, las canciones, los jóvenes, los árboles, felicidad, felices, rápidamente",
		"El 15% de los 1.200 miembros votó a favor 👍 el día 3/5/2026",
		"de la que el en y a los del se las por un para con no una su al lo como",
		"ÁÉÍÓÚÜÑ áéíóúüñ pingüino cigüeña",
	},
	"fr": {
		"Nous avons pris des décisions sur les poubelles de recyclage et les réunions.",
		"L'assemblée d'aujourd'hui, qu'il soit, jusqu'à, l’école, d’accord, s’il vous plaît, c'est, n'est-ce pas",
		"Les élèves, les hôpitaux, les châteaux, les œuvres, Noël, naïve, où, déjà, façon, ÉCOLE",
		"Réunion le 12/03 à 18h30 — 60 % des votants 🗳️ « très » favorables !",
		"chevaux travaux généralement heureusement gentiment nationalisation nationalités",
		"au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même",
		"l’ d’ qu' jusqu’ quoiqu' puisqu' lorsqu' t' m' s' n' j' c'",
	},
	"it": {
		"Abbiamo preso decisioni sui bidoni del riciclaggio e sulle riunioni.",
		"L'assemblea dell'anno, all'inizio, un'idea, nell'ufficio, sull'argomento, c'è, dov'è, quest'anno",
		"Città, perché, più, però, università, attività, caffè, ÈCCO, cosí",
		"Il 30% dei 500 soci ha votato 🙌 entro le 17:00",
		"ragazzi ragazze libri libro amichevole amichevolmente velocemente sindaci medici",
		"ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli",
	},
	"nl": {
		"We hebben besluiten genomen over de afvalbakken en de vergaderingen.",
		"Het gemeentebestuur, de burgemeester, ’s ochtends, ’t Is zo, zo’n, auto’s, foto's, ideeën, coördinatie",
		"Kinderen, huizen, lopen, liep, gelopen, mogelijkheden, vriendelijk, vriendelijkheid, vriendelijkste",
		"De stemming sluit om 17.00 uur — 80% deed mee 👏",
		"de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er",
		"ÉÉN één Crème brûlée geïnteresseerd geëist",
	},
	"pt": {
		"Tomámos decisões sobre os contentores de reciclagem e as reuniões.",
		"A votação, as eleições, os cidadãos, a população, não, são, irmã, avô, avó, coração, ações",
		"Decisões, decisão, canções, animais, papéis, felizmente, rapidamente, responsabilidade",
		"O prazo é 30/04 às 18h — 55% dos 2.000 sócios votaram ✅",
		"de a o que e do da em um para é com não uma os no se na por mais",
		"ÇÃÕÉÊÍÓÔÚ çãõéêíóôú",
	},
	"ar": {
		"اتخذنا قرارات بشأن صناديق إعادة التدوير والاجتماعات.",
		"مُحَمَّدٌ رَسُولُ اللَّهِ وَالَّذِينَ مَعَهُ — بالتشكيل الكامل",
		"الكتاب والكتب وبالكتاب فالكتاب كالكتاب للكتاب المعلمون المعلمين المعلمات",
		"العربيـــــة مع التطويل، و أ إ آ ا ة ه ى ي ؤ ئ ء",
		"ﻻ ﷲ ﻟﻠﻪ ﺍﻟﻌﺮﺑﻴﺔ presentation forms ٠١٢٣٤٥٦٧٨٩ ۱۲۳",
		"التصويت ينتهي الساعة ١٧:٠٠ — ٧٥٪ شاركوا 🎉 mixed English كلمات and عربية",
		"من في على إلى عن مع هذا هذه التي الذي كان كانت",
	},
}

// alphabet is what random texts are drawn from: letters of every language,
// combining marks, apostrophes, punctuation, digits, emoji, spaces.
var alphabet = []rune("abcdefghijklmnopqrstuvwxyzABCXYZ" +
	"àâäáãåçéèêëíìîïñóòôöõúùûüýÿßẞæœÀÄÉÖÜÑÇŒ" +
	"ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئءـ" + "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670" +
	"ﻻﷲﺍﻟ٠١٢٣" + "0123456789" + "'’＇`´-_.,;:!?()[]\"«»/@#%&" + "\u0301\u0308" +
	"🎉👍🏽👨‍👩‍👧🇫🇷" + "ΑαΩωЖжш中文日本語한국어" + "     \t\n")

func randomTexts(n int) []string {
	r := rand.New(rand.NewPCG(14, 1))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range 1 + r.IntN(60) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		out[i] = b.String()
	}
	return out
}

func formatTokens[T any](ts []T, f func(T) string) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(f(t))
		b.WriteByte('\n')
	}
	return b.String()
}

func bleveTokens(s bleveanalysis.TokenStream) string {
	return formatTokens(s, func(t *bleveanalysis.Token) string {
		return fmt.Sprintf("%q %d-%d pos %d type %d kw %v", t.Term, t.Start, t.End, t.Position, t.Type, t.KeyWord)
	})
}

func ownTokens(s analysis.TokenStream) string {
	return formatTokens(s, func(t *analysis.Token) string {
		return fmt.Sprintf("%q %d-%d pos %d type %d kw %v", t.Term, t.Start, t.End, t.Position, t.Type, t.KeyWord)
	})
}

// TestAnalyzersMatchBleve feeds every text of the corpus (and random text)
// through bleve's analyser of every language and through ours: the token
// streams (terms, offsets, positions, types) must be identical, or terms
// stored in existing indexes would no longer match.
func TestAnalyzersMatchBleve(t *testing.T) {
	cache := registry.NewCache()
	var texts []string
	for _, l := range Languages {
		texts = append(texts, analysisCorpus[l]...)
	}
	texts = append(texts, "", " ", "'", "’s", "l'", "ـ", "\u0651", "🎉")
	texts = append(texts, randomTexts(3000)...)
	for _, l := range Languages {
		if len(analysisCorpus[l]) == 0 {
			t.Fatalf("no corpus for %s", l)
		}
		theirs, err := cache.AnalyzerNamed(l)
		if err != nil {
			t.Fatal(err)
		}
		ours, ourStops, err := buildLanguage(l)
		if err != nil {
			t.Fatal(err)
		}
		// The stop words also tell languages apart (Detect).
		theirStops, err := cache.TokenMapNamed(map[string]string{"en": "stop_en", "de": "stop_de",
			"es": "stop_es", "fr": "stop_fr", "it": "stop_it", "nl": "stop_nl", "pt": "stop_pt", "ar": "stop_ar"}[l])
		if err != nil {
			t.Fatal(err)
		}
		if len(ourStops) < 30 || !maps.Equal(map[string]bool(ourStops), map[string]bool(theirStops)) {
			t.Errorf("%s stop words differ from bleve's: %d words, bleve %d", l, len(ourStops), len(theirStops))
		}
		diffs := 0
		for _, text := range texts {
			want := bleveTokens(theirs.Analyze([]byte(text)))
			got := ownTokens(ours.Analyze([]byte(text)))
			if got != want && diffs < 5 {
				diffs++
				t.Errorf("%s analyser differs from bleve's on %q:\ngot:\n%s\nwant:\n%s", l, text, got, want)
			}
		}
	}
}

// TestTokenizerAndFoldingMatchBleve: the word splitter used for queries and
// language detection, and the ASCII folding of terms, are bleve's too.
func TestTokenizerAndFoldingMatchBleve(t *testing.T) {
	var texts []string
	for _, l := range Languages {
		texts = append(texts, analysisCorpus[l]...)
	}
	texts = append(texts, randomTexts(3000)...)
	theirTok, ourTok := bleveunicode.NewUnicodeTokenizer(), unicode.NewUnicodeTokenizer()
	theirFold, ourFold := bleveascii.New(), asciifolding.New()
	for _, text := range texts {
		want := bleveTokens(theirTok.Tokenize([]byte(text)))
		if got := ownTokens(ourTok.Tokenize([]byte(text))); got != want {
			t.Fatalf("tokenizer differs on %q:\ngot:\n%s\nwant:\n%s", text, got, want)
		}
		if got, want := string(ourFold.Filter([]byte(text))), string(theirFold.Filter([]byte(text))); got != want {
			t.Fatalf("folding differs on %q: got %q, want %q", text, got, want)
		}
	}
}
