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
