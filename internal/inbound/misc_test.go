package inbound

import "testing"

func TestParseMinimalMessages(t *testing.T) {
	cases := map[string]string{
		"From: a@example.org\r\n\r\nhello":                                              "hello",
		"From: a@example.org\nSubject: x\n\nline1\nline2\n":                             "line1\nline2",
		"From: <a@example.org>\r\nContent-Type: text/plain; charset=bogus-42\r\n\r\nhi": "hi",
		"From: broken <<a@example.org\r\n\r\nhi":                                        "hi",
	}
	for raw, want := range cases {
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Errorf("%q: %v", raw, err)
			continue
		}
		if got := ExtractReply(m); got != want {
			t.Errorf("%q: reply %q, want %q", raw, got, want)
		}
		if m.From.Address != "a@example.org" {
			t.Errorf("%q: from %+v", raw, m.From)
		}
	}
}
