package inbound

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
)

const maxVoteLine = 500

// ParseVote reads a vote from the reply text (after ExtractReply): the
// first non-empty line is the answer, the rest is the reason. The ballot is
// returned in canonical form (poll.PrepareBallot has validated it against
// d). Errors are domain.Invalid with a message, safe to email back, that
// explains the valid answers (VoteHelp).
//
// Accepted answers, matched case- and accent-insensitively:
//   - an option label or id, or an unambiguous prefix of a label ("Alp");
//   - an ordinal: "2", "#2", "2nd", "second", "option 2", "second option",
//     French "2e/deuxième", German "2./zweite", Spanish "2º/segunda";
//   - proposal/count/check words: agree/yes/+1/ok/oui/ja/sí,
//     disagree/no/-1/non/nein, abstain/pass/neutral, block/veto/objection,
//     accept/decline, looks good/lgtm, not sure/unsure, concerned;
//   - poll with several choices: "Alpha, Gamma"; "none of the above";
//   - score: "Alpha 4, Beta 2" or scores in option order "4 2 5";
//   - ranked choice: "Beta, Alpha, Gamma", "Beta > Alpha > Gamma" or "2 1 3";
//   - dot vote: "Alpha 3, Beta 5" or dots in option order "3 5 0";
//   - meeting: yes/no/maybe (also y/n/m, oui/non, ja/nein, sí/no) per time
//     slot in time order, e.g. "yes no maybe";
//   - question: no answer line: the whole text is the reason.
//
// For single-choice types the answer may be followed by a reason on the
// same line ("Agree, but let's revisit in June").
func ParseVote(d poll.Definition, text string) (poll.Ballot, error) {
	text = strings.TrimSpace(cleanText(text))
	if d.Type == poll.TypeQuestion {
		return poll.PrepareBallot(d, poll.Ballot{Reason: text})
	}
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if first == "" {
		return poll.Ballot{}, voteError(d, "the reply is empty")
	}
	if len(first) > maxVoteLine {
		return poll.Ballot{}, voteError(d, "the first line is too long to be a vote")
	}
	reason := strings.TrimSpace(rest)
	var in poll.Ballot
	var extra string
	var err error
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		var id string
		id, extra, err = parseSingle(d, first)
		in.Choices = []poll.Choice{{OptionID: id}}
	case poll.TypePoll:
		if isNone(first) && d.Settings.NoneOfTheAbove {
			in.NoneOfTheAbove = true
			break
		}
		if d.Settings.MaxChoices <= 1 {
			var id string
			id, extra, err = parseSingle(d, first)
			in.Choices = []poll.Choice{{OptionID: id}}
			break
		}
		var ids []string
		ids, err = parseList(d, first)
		for _, id := range ids {
			in.Choices = append(in.Choices, poll.Choice{OptionID: id})
		}
	case poll.TypeRankedChoice:
		if isNone(first) && d.Settings.NoneOfTheAbove {
			in.NoneOfTheAbove = true
			break
		}
		var ids []string
		ids, err = parseList(d, first)
		for _, id := range ids {
			in.Choices = append(in.Choices, poll.Choice{OptionID: id})
		}
	case poll.TypeScore, poll.TypeDotVote:
		in.Choices, err = parseScores(d, first)
	case poll.TypeMeeting:
		in.Choices, err = parseMeeting(d, first)
	default:
		err = voteError(d, "this poll cannot be answered by email")
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
		return poll.Ballot{}, voteError(d, domain.ErrorMessage(err))
	}
	return out, nil
}

// fold lowercases, strips accents and collapses spaces.
func fold(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
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

// trimPunct strips punctuation and symbols around an answer ("Agree!").
func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '#' && r != '?') || r == '*' || r == '_'
	})
}

var synonyms = map[string][]string{
	poll.OptionAgree:     {"agree", "agreed", "i agree", "yes", "y", "+1", "👍", "ok", "okay", "approve", "support", "in favour", "in favor", "oui", "d'accord", "daccord", "ja", "einverstanden", "zustimmen", "si", "de acuerdo", "a favor"},
	poll.OptionDisagree:  {"disagree", "i disagree", "no", "n", "-1", "👎", "against", "oppose", "non", "pas d'accord", "nein", "dagegen", "en contra", "en desacuerdo"},
	poll.OptionAbstain:   {"abstain", "abstention", "i abstain", "pass", "neutral", "stand aside", "je m'abstiens", "enthaltung", "enthalten", "abstencion", "me abstengo"},
	poll.OptionBlock:     {"block", "veto", "i block", "bloquer", "blockieren", "veto!", "bloquear", "bloqueo"},
	poll.OptionConsent:   {"consent", "yes", "y", "agree", "+1", "ok", "oui", "ja", "si"},
	poll.OptionObjection: {"objection", "object", "i object", "no", "objeccion", "einwand"},
	poll.OptionAccept:    {"accept", "yes", "y", "in", "count me in", "i'm in", "im in", "+1", "oui", "ja", "si"},
	poll.OptionDecline:   {"decline", "no", "n", "out", "count me out", "non", "nein"},
	poll.OptionLooksGood: {"looks good", "lgtm", "yes", "y", "good", "ok", "+1", "👍"},
	poll.OptionNotSure:   {"not sure", "unsure", "maybe", "?", "dunno", "je ne sais pas", "unsicher", "no estoy seguro"},
	poll.OptionConcerned: {"concerned", "concern", "worried", "no", "-1"},
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

// matchOption resolves a phrase to one option id ("" if none or ambiguous).
func matchOption(d poll.Definition, phrase string) string {
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
		for _, s := range synonyms[o.ID] {
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
			if strings.HasPrefix(fold(o.Label), p) {
				if found != "" {
					return ""
				}
				found = o.ID
			}
		}
	}
	return found
}

var leadSepRe = lazyRegexp(`[,.;:!?()\-–—]`)

// parseSingle matches the whole line, then its leading part up to the
// first separator, then its first three, two, one words; what follows the
// match is returned as the start of the reason.
func parseSingle(d poll.Definition, line string) (id, extra string, err error) {
	if id := matchOption(d, line); id != "" {
		return id, "", nil
	}
	if loc := leadSepRe().FindStringIndex(line); loc != nil && loc[0] > 0 {
		if id := matchOption(d, line[:loc[0]]); id != "" {
			return id, strings.TrimSpace(strings.TrimLeft(line[loc[0]:], ",.;:!?-–— ")), nil
		}
	}
	words := strings.Fields(line)
	for n := min(3, len(words)-1); n >= 1; n-- {
		if id := matchOption(d, strings.Join(words[:n], " ")); id != "" {
			return id, strings.Join(words[n:], " "), nil
		}
	}
	return "", "", voteError(d, fmt.Sprintf("%q does not name an option", line))
}

func isNone(s string) bool {
	switch fold(trimPunct(s)) {
	case "none", "none of the above", "neither", "aucun", "aucune", "keine", "keines", "ninguno", "ninguna":
		return true
	}
	return false
}

var listSepRe = lazyRegexp(`\s*(?:[,;>|/]|\band\b|\bthen\b|\bet\b|\bund\b|\by\b)\s*`)

// parseList reads several options: separated by , ; > | / or "and", or
// (only digits) by spaces.
func parseList(d poll.Definition, line string) ([]string, error) {
	items := splitItems(line)
	var ids []string
	for _, it := range items {
		id := matchOption(d, it)
		if id == "" {
			return nil, voteError(d, fmt.Sprintf("%q does not name an option", it))
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, voteError(d, "no option named")
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
func parseScores(d poll.Definition, line string) ([]poll.Choice, error) {
	line = strings.TrimSpace(strings.TrimRight(line, ".!"))
	if numListRe().MatchString(line) {
		nums := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' })
		if len(nums) != len(d.Options) {
			return nil, voteError(d, fmt.Sprintf("%d numbers given for %d options", len(nums), len(d.Options)))
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
			return nil, voteError(d, fmt.Sprintf("%q is not an option followed by a number", it))
		}
		id := matchOption(d, m[1])
		if id == "" {
			return nil, voteError(d, fmt.Sprintf("%q does not name an option", m[1]))
		}
		v, _ := strconv.Atoi(m[2])
		out = append(out, poll.Choice{OptionID: id, Score: v})
	}
	if len(out) == 0 {
		return nil, voteError(d, "no option named")
	}
	return out, nil
}

func meetingAnswer(w string) (int, bool) {
	switch fold(trimPunct(w)) {
	case "yes", "y", "oui", "ja", "si", "ok", "✓", "✔", "2", "+":
		return poll.MeetingYes, true
	case "no", "n", "non", "nein", "0", "-", "x", "✗":
		return poll.MeetingNo, true
	case "maybe", "m", "?", "perhaps", "peut-etre", "vielleicht", "quizas", "1", "~":
		return poll.MeetingMaybe, true
	}
	return 0, false
}

// parseMeeting reads one answer per time slot in time order.
func parseMeeting(d poll.Definition, line string) ([]poll.Choice, error) {
	// "peut-être" stays one word; "tal vez" is two.
	line = strings.ReplaceAll(fold(line), "tal vez", "quizas")
	words := strings.FieldsFunc(line, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == '/' })
	if len(words) != len(d.Options) {
		return nil, voteError(d, fmt.Sprintf("%d answers given for %d times", len(words), len(d.Options)))
	}
	out := make([]poll.Choice, len(words))
	for i, w := range words {
		v, ok := meetingAnswer(w)
		if !ok {
			return nil, voteError(d, fmt.Sprintf("%q is not yes, no or maybe", w))
		}
		out[i] = poll.Choice{OptionID: d.Options[i].ID, Score: v}
	}
	return out, nil
}

func voteError(d poll.Definition, problem string) error {
	return domain.Errorf(domain.Invalid, "We could not read your vote: %s.\n\n%s", strings.TrimSuffix(problem, "."), VoteHelp(d))
}

// VoteHelp explains how to vote by email in poll d (for error replies and
// the footer of poll emails).
func VoteHelp(d poll.Definition) string {
	var b strings.Builder
	b.WriteString("Reply with your vote on the first line; anything after it is your reason.\n")
	opts := func() {
		for i, o := range d.Options {
			label := o.Label
			if d.Type == poll.TypeMeeting && !o.Start.IsZero() {
				if o.AllDay {
					label = o.Start.UTC().Format("Mon 2 Jan 2006")
				} else {
					label = o.Start.UTC().Format("Mon 2 Jan 2006 15:04 MST")
				}
			}
			fmt.Fprintf(&b, "  %d. %s\n", i+1, label)
		}
	}
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		b.WriteString("Write one of these options (or its number):\n")
		opts()
	case poll.TypePoll:
		if d.Settings.MaxChoices > 1 {
			fmt.Fprintf(&b, "Write between %d and %d of these options, separated by commas (e.g. \"1, 3\"):\n", d.Settings.MinChoices, d.Settings.MaxChoices)
		} else {
			b.WriteString("Write one of these options (or its number):\n")
		}
		opts()
		if d.Settings.NoneOfTheAbove {
			b.WriteString("or \"none of the above\".\n")
		}
	case poll.TypeScore:
		fmt.Fprintf(&b, "Give each option a score from %d to %d, e.g. \"%s\", or the scores in this order, e.g. \"%s\":\n",
			d.Settings.MinScore, d.Settings.MaxScore, exampleScores(d), exampleNumbers(d, d.Settings.MaxScore))
		opts()
	case poll.TypeRankedChoice:
		fmt.Fprintf(&b, "Rank exactly %d options, best first, separated by commas (e.g. \"%s\" or their numbers \"%s\"):\n",
			d.RankedN(), exampleRank(d), exampleRankNumbers(d))
		opts()
	case poll.TypeDotVote:
		fmt.Fprintf(&b, "Share up to %d dots, e.g. \"%s\", or the dots in this order:\n", d.Settings.DotsPerPerson, exampleScores(d))
		opts()
	case poll.TypeMeeting:
		if d.Settings.CanRespondMaybe {
			b.WriteString("Answer yes, no or maybe for each time, in this order (e.g. \"yes no maybe\"):\n")
		} else {
			b.WriteString("Answer yes or no for each time, in this order (e.g. \"yes no\"):\n")
		}
		opts()
	case poll.TypeQuestion:
		b.WriteString("Write your answer; the whole reply is your answer.\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func exampleScores(d poll.Definition) string {
	var parts []string
	for i, o := range d.Options {
		if i == 2 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", o.Label, 2-i))
	}
	return strings.Join(parts, ", ")
}

func exampleNumbers(d poll.Definition, v int) string {
	parts := make([]string, len(d.Options))
	for i := range parts {
		parts[i] = strconv.Itoa(max(0, v-i))
	}
	return strings.Join(parts, " ")
}

func exampleRank(d poll.Definition) string {
	var parts []string
	for i := len(d.Options) - 1; i >= 0 && len(parts) < d.RankedN(); i-- {
		parts = append(parts, d.Options[i].Label)
	}
	return strings.Join(parts, ", ")
}

func exampleRankNumbers(d poll.Definition) string {
	var parts []string
	for i := len(d.Options); i >= 1 && len(parts) < d.RankedN(); i-- {
		parts = append(parts, strconv.Itoa(i))
	}
	return strings.Join(parts, " ")
}
