package render

import (
	"strings"

	"github.com/quorum-app/quorum/internal/ids"
)

// The rules the sanitiser's allow-list (build) holds attribute values to.
// They are code, not regular expressions: a process that renders once
// (a cold start's first batch) compiled seven expressions, two of them
// 128-fold repetitions, before its first rendering. TestRulesMatchTheExpressions
// holds each to the expression it replaces.

// isStart: an ordered list's start, 1–6 digits (^[0-9]{1,6}$).
func isStart(s string) bool { return len(s) >= 1 && len(s) <= 6 && allIn(s, isDigit) }

// isAlign: a table cell's alignment (^(left|right|center)$).
func isAlign(s string) bool { return s == "left" || s == "right" || s == "center" }

// isLanguageClass: a code block's language (^language-[a-zA-Z0-9_+-]{1,32}$).
func isLanguageClass(s string) bool {
	lang, ok := strings.CutPrefix(s, "language-")
	return ok && len(lang) >= 1 && len(lang) <= 32 &&
		allIn(lang, func(c byte) bool { return isIDChar(c) || c == '+' })
}

// isMentionClass: the class of a mention (^mention$).
func isMentionClass(s string) bool { return s == "mention" }

// isSpanClass: the class of a mention without a link or of a task list's
// box (^mention$|^task$).
func isSpanClass(s string) bool { return s == "mention" || s == "task" }

// isLinkHref: a link to an http(s) or mailto address, the scheme in any
// case (the sanitiser checks the URL again), or to a member, the path of a
// mention (^(?i:https?:|mailto:)|memberPath).
func isLinkHref(s string) bool {
	for _, scheme := range []string{"http:", "https:", "mailto:"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return true
		}
	}
	return isMemberPath(s)
}

// isMemberPath: the path of a mention, links.Member
// (^/groups/[A-Za-z0-9_-]{1,128}\?tab=members#member-[A-Za-z0-9_-]{1,128}$).
func isMemberPath(s string) bool {
	rest, ok := strings.CutPrefix(s, "/groups/")
	if !ok {
		return false
	}
	group, member, ok := strings.Cut(rest, "?tab=members#member-")
	return ok && ids.Valid(group) && ids.Valid(member)
}

func isIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '_' || c == '-'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allIn(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
