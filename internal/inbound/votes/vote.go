package votes

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// MaxVoteLine bounds the line a vote (or a proxy's name) is read from.
const MaxVoteLine = 500

const maxVoteLine = MaxVoteLine

// ParseVote reads a vote from the reply text (after ExtractReply): the
// first non-empty line is the answer, the rest is the reason. The ballot is
// returned in canonical form (poll.PrepareBallot has validated it against
// d). An answer it cannot read is a *VoteProblem (domain.Invalid): its
// Message words it in the voter's language, and VoteHelp explains the
// valid answers.
//
// The reply is read in English and in l, the voter's language (their
// account setting; the language the poll email went out in). Accepted
// answers, matched case- and accent-insensitively:
//   - an option label or id as typed, or an unambiguous prefix of a label
//     ("Alp"); a preset option also by its label in l ("Zustimmen");
//   - an ordinal: "2", "#2", "2nd", "second", "option 2", "second option",
//     French "2e/deuxième", German "2./zweite", Spanish "2º/segunda";
//   - proposal/count/check words in English and l (words.go): agree/yes/+1/
//     ok, disagree/no/-1, abstain/pass/neutral, block/veto, accept/decline,
//     looks good/lgtm, not sure/unsure, concerned; German ja/dafür/nein/
//     dagegen, French oui/pour/non/contre, …; a word that names two
//     options of the poll (in either language) is refused, never guessed;
//   - poll with several choices: "Alpha, Gamma"; "none of the above" (or
//     its words in l);
//   - score: "Alpha 4, Beta 2" or scores in option order "4 2 5";
//   - ranked choice: "Beta, Alpha, Gamma", "Beta > Alpha > Gamma" or "2 1 3";
//   - dot vote: "Alpha 3, Beta 5" or dots in option order "3 5 0";
//   - meeting: yes/no/maybe (also y/n/m, and the words in l: ja/nein/
//     vielleicht, oui/non/peut-être, …) per time slot in time order, e.g.
//     "yes no maybe";
//   - question: no answer line: the whole text is the reason.
//
// For single-choice types the answer may be followed by a reason on the
// same line ("Agree, but let's revisit in June").
func ParseVote(d poll.Definition, l lang.Lang, text string) (poll.Ballot, error) {
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, CleanText(text)))
	if d.Type == poll.TypeQuestion {
		return poll.PrepareBallot(d, poll.Ballot{Reason: text})
	}
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if first == "" {
		return poll.Ballot{}, problem("empty", "the reply is empty")
	}
	if len(first) > maxVoteLine {
		return poll.Ballot{}, problem("too_long", "the first line is too long to be a vote")
	}
	reason := strings.TrimSpace(rest)
	var in poll.Ballot
	var extra string
	var err error
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		var id string
		id, extra, err = parseSingle(d, l, first)
		in.Choices = []poll.Choice{{OptionID: id}}
	case poll.TypePoll:
		if isNone(l, first) && d.Settings.NoneOfTheAbove {
			in.NoneOfTheAbove = true
			break
		}
		if d.Settings.MaxChoices <= 1 {
			var id string
			id, extra, err = parseSingle(d, l, first)
			in.Choices = []poll.Choice{{OptionID: id}}
			break
		}
		var ids []string
		ids, err = parseList(d, l, first)
		for _, id := range ids {
			in.Choices = append(in.Choices, poll.Choice{OptionID: id})
		}
	case poll.TypeRankedChoice:
		if isNone(l, first) && d.Settings.NoneOfTheAbove {
			in.NoneOfTheAbove = true
			break
		}
		var ids []string
		ids, err = parseList(d, l, first)
		for _, id := range ids {
			in.Choices = append(in.Choices, poll.Choice{OptionID: id})
		}
	case poll.TypeScore, poll.TypeDotVote:
		in.Choices, err = parseScores(d, l, first)
	case poll.TypeMeeting:
		in.Choices, err = parseMeeting(d, l, first)
	default:
		err = problem("not_by_email", "this poll cannot be answered by email")
	}
	if err != nil {
		return poll.Ballot{}, err
	}
	if extra != "" {
		if reason != "" {
			reason = extra + "\n" + reason
		} else {
			reason = extra
		}
	}
	in.Reason = reason
	out, err := poll.PrepareBallot(d, in)
	if err != nil {
		return poll.Ballot{}, ballotProblem(d, in, err)
	}
	return out, nil
}

// fold lowercases, strips accents (and Arabic vowel marks and tatweel),
// turns typographic apostrophes into ' and collapses spaces.
func fold(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\u0640':
			continue
		case r == '’' || r == '‘' || r == 'ʼ':
			r = '\''
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isBidiControl: direction marks, embeddings and isolates, which a help
// example copied from a right-to-left email carries around its words.
func isBidiControl(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// trimPunct strips punctuation and symbols around an answer ("Agree!").
func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '#' && r != '?') || r == '*' || r == '_'
	})
}

var ordinalWords = map[string]int{
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
	"premier": 1, "premiere": 1, "deuxieme": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
	"erste": 1, "erster": 1, "ersten": 1, "zweite": 2, "zweiter": 2, "zweiten": 2, "dritte": 3, "dritter": 3, "vierte": 4, "funfte": 5,
	"primera": 1, "primero": 1, "segunda": 2, "segundo": 2, "tercera": 3, "tercero": 3, "cuarta": 4, "cuarto": 4, "quinta": 5, "quinto": 5,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
}

var ordinalRe = lazyRegexp(`^(?:(?:option|choice|answer|opcion|choix|wahl|antwort|nr|no|number|numero|#)\s*\.?\s*)?#?(\d{1,3})\s*(?:st|nd|rd|th|e|er|re|eme|º|ª|o|a|\.)?(?:\s+(?:option|choice|opcion|choix))?$`)

// ordinal returns the 1-based option index s names, or 0.
func ordinal(s string, n int) int {
	s = strings.TrimSpace(s)
	k := 0
	if m := ordinalRe().FindStringSubmatch(s); m != nil {
		k, _ = strconv.Atoi(m[1])
	} else {
		words := strings.Fields(s)
		if len(words) == 0 || len(words) > 2 {
			return 0
		}
		w := words[0]
		if len(words) == 2 {
			switch {
			case isOptionWord(words[1]):
			case isOptionWord(words[0]):
				w = words[1]
			default:
				return 0
			}
		}
		k = ordinalWords[w]
	}
	if k < 1 || k > n {
		return 0
	}
	return k
}

func isOptionWord(w string) bool {
	switch w {
	case "option", "choice", "answer", "opcion", "choix", "wahl", "antwort":
		return true
	}
	return false
}

// matchOption resolves a phrase to one option id ("" if none or ambiguous):
// a label or id as typed, an ordinal, a word for a preset option in English
// or l, then a prefix of a label (or of a preset's label in l).
func matchOption(d poll.Definition, l lang.Lang, phrase string) string {
	p := fold(trimPunct(phrase))
	if p == "" {
		return ""
	}
	for _, o := range d.Options {
		if fold(o.Label) == p || fold(o.ID) == p {
			return o.ID
		}
	}
	if k := ordinal(p, len(d.Options)); k > 0 {
		return d.Options[k-1].ID
	}
	var found string
	for _, o := range d.Options {
		for _, s := range optionWords(l, o.ID) {
			if fold(s) == p {
				if found != "" && found != o.ID {
					return ""
				}
				found = o.ID
			}
		}
	}
	if found != "" {
		return found
	}
	if len([]rune(p)) >= 2 {
		for _, o := range d.Options {
			tl := translatedLabel(l, o.ID)
			if strings.HasPrefix(fold(o.Label), p) || (tl != "" && strings.HasPrefix(fold(tl), p)) {
				if found != "" {
					return ""
				}
				found = o.ID
			}
		}
	}
	return found
}

var leadSepRe = lazyRegexp(`[,.;:!?()\-–—،؛]`)

// parseSingle matches the whole line, then its leading part up to the
// first separator, then its first three, two, one words; what follows the
// match is returned as the start of the reason.
func parseSingle(d poll.Definition, l lang.Lang, line string) (id, extra string, err error) {
	if id := matchOption(d, l, line); id != "" {
		return id, "", nil
	}
	if loc := leadSepRe().FindStringIndex(line); loc != nil && loc[0] > 0 {
		if id := matchOption(d, l, line[:loc[0]]); id != "" {
			return id, strings.TrimSpace(strings.TrimLeft(line[loc[0]:], ",.;:!?-–—،؛ ")), nil
		}
	}
	words := strings.Fields(line)
	for n := min(3, len(words)-1); n >= 1; n-- {
		if id := matchOption(d, l, strings.Join(words[:n], " ")); id != "" {
			return id, strings.Join(words[n:], " "), nil
		}
	}
	return "", "", problem("no_option", fmt.Sprintf("%q does not name an option", line), "Text", line)
}

func isNone(l lang.Lang, s string) bool {
	s = fold(trimPunct(s))
	for _, v := range languages(l) {
		for _, w := range v.none {
			if fold(w) == s {
				return true
			}
		}
	}
	return false
}

var listSepRe = lazyRegexp(`\s*(?:[,;>|/]|\band\b|\bthen\b|\bet\b|\bund\b|\by\b)\s*`)

// parseList reads several options: separated by , ; > | / or "and", or
// (only digits) by spaces.
func parseList(d poll.Definition, l lang.Lang, line string) ([]string, error) {
	items := splitItems(line)
	var ids []string
	for _, it := range items {
		id := matchOption(d, l, it)
		if id == "" {
			return nil, problem("no_option", fmt.Sprintf("%q does not name an option", it), "Text", it)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, problem("nothing", "no option named")
	}
	return ids, nil
}

var digitsOnlyRe = lazyRegexp(`^\d+(?:\s+\d+)+$`)

func splitItems(line string) []string {
	line = strings.TrimSpace(trimPunct(line))
	if digitsOnlyRe().MatchString(line) {
		return strings.Fields(line)
	}
	var out []string
	for _, p := range listSepRe().Split(line, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var pairRe = lazyRegexp(`^(.*?)\s*[:=]?\s*(-?\d{1,4})$`)
var numListRe = lazyRegexp(`^-?\d{1,4}(?:[\s,;]+-?\d{1,4})*$`)

// parseScores reads "Label n, Label m" or numbers in option order.
func parseScores(d poll.Definition, l lang.Lang, line string) ([]poll.Choice, error) {
	line = strings.TrimSpace(strings.TrimRight(line, ".!"))
	if numListRe().MatchString(line) {
		nums := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' })
		if len(nums) != len(d.Options) {
			return nil, problemN("numbers", len(d.Options), fmt.Sprintf("%d numbers given for %d options", len(nums), len(d.Options)), "Given", len(nums))
		}
		out := make([]poll.Choice, len(nums))
		for i, s := range nums {
			v, _ := strconv.Atoi(s)
			out[i] = poll.Choice{OptionID: d.Options[i].ID, Score: v}
		}
		return out, nil
	}
	var out []poll.Choice
	for _, it := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		m := pairRe().FindStringSubmatch(it)
		if m == nil || strings.TrimSpace(m[1]) == "" {
			return nil, problem("not_pair", fmt.Sprintf("%q is not an option followed by a number", it), "Text", it)
		}
		id := matchOption(d, l, m[1])
		if id == "" {
			return nil, problem("no_option", fmt.Sprintf("%q does not name an option", m[1]), "Text", m[1])
		}
		v, _ := strconv.Atoi(m[2])
		out = append(out, poll.Choice{OptionID: id, Score: v})
	}
	if len(out) == 0 {
		return nil, problem("nothing", "no option named")
	}
	return out, nil
}

// meetingAnswer reads one time slot's answer in English or l; a word that
// means two different answers is not read.
func meetingAnswer(l lang.Lang, w string) (int, bool) {
	w = fold(trimPunct(w))
	found, ok := 0, false
	for _, v := range languages(l) {
		for answer, words := range v.meeting {
			for _, x := range words {
				if fold(x) != w {
					continue
				}
				if ok && found != answer {
					return 0, false
				}
				found, ok = answer, true
			}
		}
	}
	return found, ok
}

// meetingEnglish are the English words multi-word answers ("tal vez") are
// replaced with before a meeting line is split into words.
var meetingEnglish = map[int]string{poll.MeetingYes: "yes", poll.MeetingNo: "no", poll.MeetingMaybe: "maybe"}

// parseMeeting reads one answer per time slot in time order.
func parseMeeting(d poll.Definition, l lang.Lang, line string) ([]poll.Choice, error) {
	// "peut-être" stays one word; "tal vez" is two.
	line = fold(line)
	for _, v := range languages(l) {
		for answer, words := range v.meeting {
			for _, x := range words {
				if x = fold(x); strings.Contains(x, " ") {
					line = strings.ReplaceAll(line, x, meetingEnglish[answer])
				}
			}
		}
	}
	words := strings.FieldsFunc(line, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == '/' || r == '،' || r == '؛'
	})
	if len(words) != len(d.Options) {
		return nil, problemN("meeting_count", len(d.Options), fmt.Sprintf("%d answers given for %d times", len(words), len(d.Options)), "Given", len(words))
	}
	out := make([]poll.Choice, len(words))
	for i, w := range words {
		v, ok := meetingAnswer(l, w)
		if !ok {
			return nil, problem("meeting_word", fmt.Sprintf("%q is not yes, no or maybe", w), "Text", w)
		}
		out[i] = poll.Choice{OptionID: d.Options[i].ID, Score: v}
	}
	return out, nil
}

// Fold is fold for internal/inbound, which compares the names of proxy
// votes the same way.
func Fold(s string) string { return fold(s) }

// CleanText normalises a body: valid UTF-8, LF line ends, no BOM, no NUL or
// other control characters but tab and newline.
func CleanText(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
