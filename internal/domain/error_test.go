package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), Internal},
		{"domain", Errorf(Conflict, "taken"), Conflict},
		{"wrapped", fmt.Errorf("ctx: %w", Errorf(NotFound, "no such group")), NotFound},
		{"validation", Validation(FieldError{Field: "email", Message: "is not an address"}), Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(c.err); got != c.want {
				t.Fatalf("ErrorCode = %q, want %q", got, c.want)
			}
		})
	}
}

func TestErrorMessageHidesInternals(t *testing.T) {
	if got := ErrorMessage(errors.New("dynamodb: secret table arn")); got != "an internal error occurred" {
		t.Fatalf("internal message leaked: %q", got)
	}
	e := Wrap(Unavailable, errors.New("dial tcp"), "storage is unavailable")
	if got := ErrorMessage(e); got != "storage is unavailable" {
		t.Fatalf("got %q", got)
	}
	if !errors.Is(e, &Error{Code: Unavailable}) {
		t.Fatal("errors.Is should match on code")
	}
	if errors.Is(e, &Error{Code: Conflict}) {
		t.Fatal("errors.Is must not match another code")
	}
}

func TestFieldErrors(t *testing.T) {
	var fe FieldErrors
	if fe.Err() != nil {
		t.Fatal("empty FieldErrors must be nil error")
	}
	fe.Add("name", "must be at most %d characters", 80)
	fe.Add("email", "is required")
	var e *Error
	if !errors.As(fe.Err(), &e) || len(e.Fields) != 2 || e.Fields[0].Message != "must be at most 80 characters" {
		t.Fatalf("unexpected %#v", fe.Err())
	}
}

// Localize words a domain error through its English format and values:
// the message, each field, and Validation's one-field summary; other
// errors get the generic message.
func TestLocalizeUsesFormatsAndValues(t *testing.T) {
	tr := func(format string, args ...any) string { return "«" + fmt.Sprintf(format, args...) + "»" }
	msg, fields := Localize(Errorf(Conflict, "at most %d tags", 50), tr)
	if msg != "«at most 50 tags»" || fields != nil {
		t.Fatalf("Errorf: %q %v", msg, fields)
	}
	var fe FieldErrors
	fe.Add("name", "is too long (at most %d bytes)", 100)
	msg, fields = Localize(fe.Err(), tr)
	// the field's name is a Term the reader's printer words as a label
	if msg != "«name: «is too long (at most 100 bytes)»»" || len(fields) != 1 || fields[0].Message != "«is too long (at most 100 bytes)»" {
		t.Fatalf("one field: %q %+v", msg, fields)
	}
	fe.Add("handle", "is required")
	msg, fields = Localize(Validation(fe...), tr)
	if msg != "«the request has invalid fields»" || len(fields) != 2 || fields[1].Message != "«is required»" {
		t.Fatalf("two fields: %q %+v", msg, fields)
	}
	if msg, _ := Localize(errors.New("boom"), tr); msg != "«an internal error occurred»" {
		t.Fatalf("plain error: %q", msg)
	}
	if e := Errorf(Invalid, "%s is not valid", "x"); e.Message != "x is not valid" || e.Format != "%s is not valid" {
		t.Fatalf("the English message is kept: %+v", e)
	}
}
