// Package domain holds the vocabulary every layer of Quorum shares: the
// error codes the core returns and the HTTP, email and scheduler adapters map
// to their own ways of saying "no".
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies a failure so adapters can answer without knowing the
// details. Not found and not permitted on hidden resources share NotFound so
// that existence never leaks.
type Code string

// Error codes. Adapters map each to exactly one HTTP status (see httpx.Status).
const (
	Invalid      Code = "invalid"      // input fails validation; Fields says where
	NotFound     Code = "not_found"    // missing, or invisible to the actor
	Conflict     Code = "conflict"     // state changed underneath, or a uniqueness rule
	Forbidden    Code = "forbidden"    // visible, but the actor may not do this
	Unauthorized Code = "unauthorized" // no or bad credentials
	RateLimited  Code = "rate_limited" // too many attempts; RetryAfter says when
	Gone         Code = "gone"         // expired or already used (tokens, links)
	TooLarge     Code = "too_large"    // payload above a limit
	Unavailable  Code = "unavailable"  // a dependency is down; safe to retry
	Internal     Code = "internal"     // a bug or unexpected failure; details only logged
	Precondition Code = "precondition" // the request's If-Match/version no longer matches
	Unsupported  Code = "unsupported"  // media type not accepted
)

// FieldError names one invalid input field and what is wrong with it.
// Format and Args (from FieldErrors.Add) let an adapter word Message in the
// reader's language (Localize); a literal Message is its own format.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Format  string `json:"-"`
	Args    []any  `json:"-"`
}

// Error is the error type the domain core returns. Message is safe to show to
// the user; Err (if any) is the underlying cause and is only logged.
// Message is English; Format and Args keep what it was made of, so the
// adapters can word it in the reader's language (Localize): the English
// format string is the message's key in the errors catalog (gettext style).
type Error struct {
	Code       Code
	Message    string
	Format     string
	Args       []any
	Fields     []FieldError
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, &domain.Error{Code: X}) match on the code alone.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
	}
	return false
}

// Errorf builds a domain error with a user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Wrap attaches an underlying cause (logged, never shown) to a domain error.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args, Err: err}
}

// Validation returns an Invalid error listing the fields at fault.
func Validation(fields ...FieldError) *Error {
	msg := invalidFields
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// ErrorCode returns the code of err, Internal for any error that is not a
// domain error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-safe message of err; non-domain errors get a
// generic message so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return internalError
}

// The messages domain itself words (keys of the errors catalog too).
const (
	invalidFields = "the request has invalid fields"
	internalError = "an internal error occurred"
)

// Localize words err's message and field messages with tr, which gives a
// format in the reader's language (its key: the English format) filled
// with args; the i18n printer's Errorf is one. Non-domain errors get the
// generic message. Validation errors say their one field, or that several
// are invalid, as Validation does.
func Localize(err error, tr func(format string, args ...any) string) (string, []FieldError) {
	var e *Error
	if !errors.As(err, &e) {
		return tr(internalError), nil
	}
	var fields []FieldError
	for _, f := range e.Fields {
		format, args := f.Format, f.Args
		if format == "" {
			format, args = f.Message, nil
		}
		fields = append(fields, FieldError{Field: f.Field, Message: tr(format, args...), Format: f.Format, Args: f.Args})
	}
	switch {
	case len(fields) == 1 && e.Message == e.Fields[0].Field+": "+e.Fields[0].Message:
		return tr(fieldMessage, FieldTerm(fields[0].Field), fields[0].Message), fields
	case len(fields) > 1 && e.Message == invalidFields:
		return tr(invalidFields), fields
	case e.Format != "":
		return tr(e.Format, e.Args...), fields
	}
	return tr(e.Message), fields
}

// FieldErrors collects validation failures in order; Err returns nil when none.
type FieldErrors []FieldError

// Add records a failure for field.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Err returns a Validation error, or nil when nothing was added.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return Validation(fe...)
}

// Denied reports whether err says the actor may not have the thing: not
// found (or invisible), forbidden, or not signed in.
func Denied(err error) bool {
	switch ErrorCode(err) {
	case NotFound, Forbidden, Unauthorized:
		return true
	}
	return false
}

// Term is a word the code fills into an error message that a reader's
// language names in its own words: a field, a kind of poll, a phrase such
// as "after votes were cast". Its String is the English (what logs,
// err.Error() and English-only callers see); an adapter's printer words it
// from the catalogs by TermKey ("field.title", "poll_type.proposal"),
// keeping the English when no catalog has the term.
type Term struct {
	Kind, Name, English string
}

// String is the term in English (its Name when no English is given).
func (t Term) String() string {
	if t.English != "" {
		return t.English
	}
	return t.Name
}

// TermKey names the term for catalogs: kind and name joined by a dot.
func (t Term) TermKey() string { return t.Kind + "." + t.Name }

// FieldTerm is a field's name as a term (a request's field name such as
// "settings.closing_at"; readers see its label).
func FieldTerm(field string) Term { return Term{Kind: "field", Name: field} }

// fieldMessage joins a field's name and its message: the detail of a
// validation error about one field ("title: is required").
const fieldMessage = "%s: %s"
