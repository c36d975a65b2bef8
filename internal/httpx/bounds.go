package httpx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
)

// Every list a request body may hold is declared on its route (Route.Lists)
// with its bound, taken from the constant of the core that owns the rule
// (poll.MaxOptions, group.MaxInvites, ...). The bound is enforced while the
// body is decoded, before the handler does any other work: DecodeJSON stops
// reading at the first item over the bound, ParseForm checks the parsed form
// before returning it. A JSON body may hold no other list: an array at an
// undeclared path is refused too, so a list added to a body without a bound
// fails its first test.

// List is one list a route's request body may hold.
type List struct {
	// Field is the list's JSON path with dots ("options",
	// "settings.vote_share"), or the name of a form field.
	Field string
	// Max is the most items the list may hold.
	Max int
	// Split turns one value of a form field into its items (the lines of a
	// textarea); nil when each value of a repeated field is one item. The
	// handler splits the value with the same function.
	Split func(string) []string
}

type listsKey struct{}

// WithLists makes the route's lists known to DecodeJSON and ParseForm.
func WithLists(lists []List, h http.HandlerFunc) http.HandlerFunc {
	if len(lists) == 0 {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), listsKey{}, lists)))
	}
}

// ListsOf returns the lists WithLists declared for the request.
func ListsOf(ctx context.Context) []List {
	l, _ := ctx.Value(listsKey{}).([]List)
	return l
}

func tooMany(l List) error {
	return domain.Validation(domain.FieldError{Field: l.Field, Message: fmt.Sprintf("must hold at most %d items", l.Max)})
}

// boundJSON reads the JSON value in dec token by token and fails on the
// first array that is not one of lists or holds more items than its bound,
// without reading further. Anything but an object, and any syntax error,
// ends the walk quietly: the decoder that follows reports those. The work is
// linear in the bytes read: a path is only spelled out at an array, and the
// first array at a path not declared ends the walk.
func boundJSON(dec *json.Decoder, lists []List) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	type frame struct {
		key     string // objects: the current key
		wantKey bool   // objects: the next token is a key
		list    *List  // arrays: the declared list
		n       int    // arrays: items so far
	}
	stack := []frame{{wantKey: true}}
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		top := &stack[len(stack)-1]
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top.list == nil && top.wantKey {
			k, ok := tok.(string)
			if !ok {
				return nil
			}
			top.key, top.wantKey = k, false
			continue
		}
		if top.list != nil {
			if top.n++; top.n > top.list.Max {
				return tooMany(*top.list)
			}
		} else {
			top.wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{wantKey: true})
		case json.Delim('['):
			var path strings.Builder
			for i, f := range stack {
				switch {
				case f.list != nil:
					path.WriteString("[]")
				case i > 0:
					path.WriteString("." + f.key)
				default:
					path.WriteString(f.key)
				}
			}
			l := declared(lists, path.String())
			if l == nil {
				field := path.String()
				if len(field) > maxFieldName {
					field = strings.ToValidUTF8(field[:maxFieldName], "") + "…"
				}
				return domain.Validation(domain.FieldError{Field: field, Message: "must not be a list"})
			}
			stack = append(stack, frame{list: l})
		}
	}
	return nil
}

// maxFieldName bounds the field path an error repeats back.
const maxFieldName = 200

func declared(lists []List, path string) *List {
	for i := range lists {
		if lists[i].Field == path {
			return &lists[i]
		}
	}
	return nil
}

// BoundForm checks the declared lists of a parsed form.
func BoundForm(r *http.Request, lists []List) error {
	for _, l := range lists {
		vs := r.PostForm[l.Field]
		n := len(vs)
		if l.Split != nil {
			n = 0
			for _, v := range vs {
				n += len(l.Split(v))
			}
		}
		if n > l.Max {
			return tooMany(l)
		}
	}
	return nil
}

// FormLines are the non-empty lines of a textarea, trimmed.
func FormLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// FormCommas are the non-empty items of a comma-separated value, trimmed.
func FormCommas(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
