package inbound

import (
	"strings"
	"unicode"
)

// proxyWords start the line of a vote by email cast with a proxy: "For
// Ada Lovelace: Agree" (docs/email-inbound.md#voting-for-someone-else).
// English and the languages of the catalogs; matched case-insensitively.
var proxyWords = []string{"for", "fur", "pour", "para", "por", "per", "voor"}

// ProxyPrefix reads "For <name>: <answer>" from the first non-empty line
// of a reply (after ExtractReply). It returns the name as written and the
// text with that line's prefix removed (the answer, then the reason), and
// false when the first line does not start that way. The caller decides
// whether the name is someone whose proxy the sender holds: the reply of
// someone who holds none is read as their own vote, prefix and all.
func ProxyPrefix(text string) (name, rest string, ok bool) {
	text = strings.TrimLeftFunc(cleanText(text), unicode.IsSpace)
	first, after, _ := strings.Cut(text, "\n")
	if len(first) > maxVoteLine {
		return "", "", false
	}
	word, tail, found := strings.Cut(strings.TrimSpace(first), " ")
	if !found {
		return "", "", false
	}
	w := fold(word)
	known := false
	for _, p := range proxyWords {
		if w == p {
			known = true
		}
	}
	if !known {
		return "", "", false
	}
	who, answer, found := strings.Cut(tail, ":")
	who = strings.TrimSpace(who)
	if !found || who == "" || len(who) > 200 {
		return "", "", false
	}
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return who, after, true
	}
	if after == "" {
		return who, answer, true
	}
	return who, answer + "\n" + after, true
}

// SameName reports whether a name written in a reply designates a person
// named full: the same words case- and accent-insensitively, or the first
// name alone ("Ada" for "Ada Lovelace").
func SameName(written, full string) bool {
	w, f := fold(written), fold(full)
	if w == "" || f == "" {
		return false
	}
	if w == f {
		return true
	}
	first, _, _ := strings.Cut(f, " ")
	return w == first
}
