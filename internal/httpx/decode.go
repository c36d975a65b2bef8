package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/domain"
)

// MaxJSONBody bounds JSON request bodies.
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON object into v. A missing or wrong content type,
// a list longer than its route allows (or not declared: Route.Lists),
// unknown fields, trailing data, invalid UTF-8 and oversize bodies are client
// errors with a message that says which. Lists are bounded while the body is
// read: the first item over a bound ends the request, so refusing a long
// list costs no more than refusing one just over the bound.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return domain.Errorf(domain.Unsupported, "the request body must be application/json (send Content-Type: application/json)")
	}
	in := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	var buf bytes.Buffer
	if err := boundJSON(json.NewDecoder(io.TeeReader(in, &buf)), ListsOf(r.Context())); err != nil {
		return err
	}
	if _, err := buf.ReadFrom(in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return domain.Errorf(domain.TooLarge, "the request body is larger than %d bytes", MaxJSONBody)
		}
		return domain.Errorf(domain.Invalid, "the request body could not be read")
	}
	body := buf.Bytes()
	if !utf8.Valid(body) {
		return domain.Errorf(domain.Invalid, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return JSONError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.Invalid, "the request body must hold a single JSON object")
	}
	return nil
}

// JSONError turns an encoding/json error into a client error that says
// what is wrong with the body.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.Invalid, "the request body is empty; a JSON object is required")
	case errors.As(err, &syn):
		return domain.Errorf(domain.Invalid, "the request body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return domain.Errorf(domain.Invalid, "the request body must be a JSON object")
		}
		return domain.Validation(domain.FieldError{Field: field, Message: fmt.Sprintf("must be a %s", typ.Type.String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return domain.Validation(domain.FieldError{Field: field, Message: "is not a known field"})
	default:
		return domain.Errorf(domain.Invalid, "the request body is not valid JSON")
	}
}

// MaxFormBody bounds HTML form posts.
const MaxFormBody = 64 << 10

// ParseForm reads an urlencoded form with a size limit and rejects invalid
// UTF-8 in names or values, like DecodeJSON does for JSON, and lists longer
// than the route allows (Route.Lists).
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	if err := ReadForm(w, r); err != nil {
		return err
	}
	return BoundForm(r, ListsOf(r.Context()))
}

// ReadForm is ParseForm without the list bounds.
func ReadForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return domain.Errorf(domain.Unsupported, "the form must be sent as application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return domain.Errorf(domain.TooLarge, "the form is larger than %d bytes", MaxFormBody)
		}
		return domain.Errorf(domain.Invalid, "the form could not be read")
	}
	for k, vs := range r.PostForm {
		if !utf8.ValidString(k) {
			return domain.Errorf(domain.Invalid, "the form is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return domain.Errorf(domain.Invalid, "the form field %q is not valid UTF-8", k)
			}
		}
	}
	return nil
}
