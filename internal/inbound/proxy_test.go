package inbound

import "testing"

func TestProxyPrefix(t *testing.T) {
	for _, c := range []struct {
		in, name, rest string
		ok             bool
	}{
		{"For Ada Lovelace: Agree\nShe asked me to.", "Ada Lovelace", "Agree\nShe asked me to.", true},
		{"  for ada: disagree", "ada", "disagree", true},
		{"Für Ada: Ja", "Ada", "Ja", true},
		{"Pour Ada :\nOui\nparce que", "Ada", "Oui\nparce que", true},
		{"Agree\nFor Ada: no", "", "", false},
		{"For: agree", "", "", false},
		{"Forward: agree", "", "", false},
		{"For Ada agree", "", "", false},
		{"", "", "", false},
	} {
		name, rest, ok := ProxyPrefix(c.in)
		if name != c.name || rest != c.rest || ok != c.ok {
			t.Errorf("ProxyPrefix(%q) = %q, %q, %v; want %q, %q, %v", c.in, name, rest, ok, c.name, c.rest, c.ok)
		}
	}
}

func TestSameName(t *testing.T) {
	for _, c := range []struct {
		written, full string
		want          bool
	}{
		{"Ada Lovelace", "Ada Lovelace", true},
		{"ada  lovelace", "Ada Lovelace", true},
		{"Ada", "Ada Lovelace", true},
		{"Zoë", "Zoe Martin", true},
		{"Lovelace", "Ada Lovelace", false},
		{"Ad", "Ada Lovelace", false},
		{"", "Ada", false},
	} {
		if got := SameName(c.written, c.full); got != c.want {
			t.Errorf("SameName(%q, %q) = %v", c.written, c.full, got)
		}
	}
}
