package handlerkit

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/notify"
)

// ThreadsParams reads ?cursor= and ?limit= (1..max, default def).
func ThreadsParams(r *http.Request, def, maxLimit int) (string, int, error) {
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if !utf8.ValidString(cursor) || len(cursor) > 2048 {
		return "", 0, domain.Validation(domain.FieldError{Field: "cursor", Message: "is not valid for this list"})
	}
	limit := def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			var fe domain.FieldErrors
			fe.Add("limit", "must be a whole number from 1 to %d", maxLimit)
			return "", 0, fe.Err()
		}
		limit = n
	}
	return cursor, limit, nil
}

func ParseLevel(s string) (notify.Level, error) {
	l := notify.Level(s)
	if !l.Valid() {
		return "", domain.Validation(domain.FieldError{Field: "level", Message: "must be one of mute, quiet, normal, loud"})
	}
	return l, nil
}

// FollowGroupLevel is what a thread's notification setting is sent as to
// drop the thread's own level and follow the group's (notify.FollowGroup).
const FollowGroupLevel = "group"

// ParseThreadLevel reads a thread's notification setting: a level, or
// FollowGroupLevel for notify.FollowGroup.
func ParseThreadLevel(s string) (notify.Level, error) {
	if s == FollowGroupLevel {
		return notify.FollowGroup, nil
	}
	l := notify.Level(s)
	if !l.Valid() {
		return "", domain.Validation(domain.FieldError{Field: "level", Message: "must be one of group, mute, quiet, normal, loud"})
	}
	return l, nil
}

// ExportPart reads the archive part a download asks for: "part" (query or
// form), absent or 0 for the archive, 1 to file_parts for the further
// archives of files.
func ExportPart(r *http.Request) (int, error) {
	v := r.FormValue("part")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Errorf(domain.Invalid, "%s: must be a whole number", "part")
	}
	return n, nil // the core answers 404 for a part the export does not have
}

// GroupPageParams reads ?cursor= and ?limit= (1..100, default 50).
func GroupPageParams(r *http.Request) (string, int, error) {
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if !utf8.ValidString(cursor) {
		return "", 0, domain.Validation(domain.FieldError{Field: "cursor", Message: "is not valid for this list"})
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return "", 0, domain.Validation(domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 100"})
		}
		limit = n
	}
	return cursor, limit, nil
}
