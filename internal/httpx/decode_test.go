package httpx_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := []struct {
		name, ctype, body string
		code              domain.Code
		contains          string
	}{
		{"ok", "application/json", `{"name":"x","count":2}`, "", ""},
		{"ok charset", "application/json; charset=utf-8", `{"name":"x"}`, "", ""},
		{"unknown field", "application/json", `{"name":"x","admin":true}`, domain.Invalid, "admin"},
		{"wrong type", "application/json", `{"count":"two"}`, domain.Invalid, "count"},
		{"syntax", "application/json", `{"name":`, domain.Invalid, "not valid JSON"},
		{"empty", "application/json", ``, domain.Invalid, "empty"},
		{"two objects", "application/json", `{"name":"a"}{"name":"b"}`, domain.Invalid, "single JSON object"},
		{"invalid utf8", "application/json", "{\"name\":\"\xff\xfe\"}", domain.Invalid, "UTF-8"},
		{"form", "application/x-www-form-urlencoded", `name=x`, domain.Unsupported, "application/json"},
		{"no content type", "", `{"name":"x"}`, domain.Unsupported, "Content-Type: application/json"},
		{"bad content type", "application/json; charset", `{"name":"x"}`, domain.Unsupported, "application/json"},
		{"problem+json", "application/problem+json", `{"name":"x"}`, "", ""},
		{"undeclared list", "application/json", `{"name":["x"]}`, domain.Invalid, "name: must not be a list"},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", httpx.MaxJSONBody) + `"}`, domain.TooLarge, "larger"},
		{"array", "application/json", `[1,2]`, domain.Invalid, "JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			var b body
			err := httpx.DecodeJSON(httptest.NewRecorder(), req, &b)
			if got := domain.ErrorCode(err); got != c.code {
				t.Fatalf("code %q, want %q (%v)", got, c.code, err)
			}
			if c.contains != "" && !strings.Contains(err.Error(), c.contains) {
				t.Fatalf("error %q lacks %q", err, c.contains)
			}
		})
	}
}
