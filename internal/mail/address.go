package mail

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxAddress is the longest address Quorum accepts (RFC 5321 path limit).
const MaxAddress = 254

// NormaliseAddress returns the canonical form of a plain email address used
// for comparisons and hashing (trimmed, lower-case), or ok=false when s is
// not a plain address (no display name, no list, a dotted domain).
func NormaliseAddress(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxAddress || strings.ContainsAny(s, "\r\n<>\" ,;") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", false
	}
	return strings.ToLower(s), true
}
