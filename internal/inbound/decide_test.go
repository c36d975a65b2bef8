package inbound

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/replyaddr"
)

// passing returns verdicts that authenticate m's From domain via DMARC.
func passing(m *Message) Verdicts {
	return Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS", EnvelopeFrom: m.From.Address}
}

func TestVerdictsFromSESEvent(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "ses-inbound.json"))
	if err != nil {
		t.Skip("events/ses-inbound.json not found")
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	v := VerdictsFromSES(ev.Records[0].SES)
	if v != (Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS", EnvelopeFrom: "alice@example.org"}) {
		t.Errorf("verdicts %+v", v)
	}
}

func TestAuthenticate(t *testing.T) {
	m := load(t, "gmail_reply.eml") // From alice@example.org, no DKIM-Signature header
	cases := []struct {
		name string
		v    Verdicts
		ok   bool
	}{
		{"all pass", Verdicts{"PASS", "PASS", "PASS", "PASS", "PASS", "alice@example.org"}, true},
		{"dkim only with dmarc pass", Verdicts{"PASS", "PASS", "FAIL", "PASS", "PASS", "bounce@esp.example"}, true},
		{"spf aligned, no dmarc record", Verdicts{"PASS", "PASS", "PASS", "GRAY", "GRAY", "bounces@mail.example.org"}, true},
		{"spf unaligned, no dmarc record", Verdicts{"PASS", "PASS", "PASS", "GRAY", "GRAY", "x@attacker.example"}, false},
		{"dkim pass but no aligned signature, no dmarc", Verdicts{"PASS", "PASS", "FAIL", "PASS", "GRAY", "x@attacker.example"}, false},
		{"dmarc fail", Verdicts{"PASS", "PASS", "PASS", "PASS", "FAIL", "alice@example.org"}, false},
		{"spam fail", Verdicts{"FAIL", "PASS", "PASS", "PASS", "PASS", "alice@example.org"}, false},
		{"virus fail", Verdicts{"PASS", "FAIL", "PASS", "PASS", "PASS", "alice@example.org"}, false},
		{"nothing passes", Verdicts{"PASS", "PASS", "FAIL", "FAIL", "GRAY", "alice@example.org"}, false},
		{"spam gray is fine", Verdicts{"GRAY", "GRAY", "PASS", "PASS", "PASS", "alice@example.org"}, true},
		{"missing verdicts", Verdicts{}, false},
	}
	for _, c := range cases {
		if ok, reasons := Authenticate(m, c.v); ok != c.ok {
			t.Errorf("%s: ok=%v reasons=%q", c.name, ok, reasons)
		}
	}
	// DKIM alignment from the message's own DKIM-Signature headers.
	m.Header.Set("DKIM-Signature", "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=x; b=y")
	if ok, _ := Authenticate(m, Verdicts{"PASS", "PASS", "FAIL", "PASS", "GRAY", "x@esp.example"}); !ok {
		t.Error("aligned DKIM must authenticate")
	}
	m.Header.Add("DKIM-Signature", "v=1; d=attacker.example; s=s; b=z")
	if ok, _ := Authenticate(m, Verdicts{"PASS", "PASS", "FAIL", "PASS", "GRAY", "x@esp.example"}); ok {
		t.Error("a foreign DKIM signature makes the DKIM PASS ambiguous")
	}
}

func TestDecide(t *testing.T) {
	alice := load(t, "gmail_reply.eml")
	forged := load(t, "gmail_reply.eml")
	forged.From = Address{Address: "mallory@attacker.example"}
	tok := replyaddr.Token{UserID: "u1", Kind: replyaddr.KindThread, ThreadID: "t1"}
	addrs := []string{"Alice@Example.org"}
	cases := []struct {
		name string
		in   DecideInput
		want Outcome
	}{
		{"valid", DecideInput{Message: alice, Verdicts: passing(alice), Token: tok, UserAddresses: addrs}, Accept},
		{"forged From with a valid token is held", DecideInput{Message: forged, Verdicts: passing(forged), Token: tok, UserAddresses: addrs}, Hold},
		{"failing DMARC is held", DecideInput{Message: alice, Verdicts: Verdicts{"PASS", "PASS", "PASS", "PASS", "FAIL", ""}, Token: tok, UserAddresses: addrs}, Hold},
		{"spam is held", DecideInput{Message: alice, Verdicts: Verdicts{"FAIL", "PASS", "PASS", "PASS", "PASS", ""}, Token: tok, UserAddresses: addrs}, Hold},
		{"virus is rejected", DecideInput{Message: alice, Verdicts: Verdicts{"PASS", "FAIL", "PASS", "PASS", "PASS", ""}, Token: tok, UserAddresses: addrs}, Reject},
		{"bad token", DecideInput{Message: alice, Verdicts: passing(alice), TokenErr: replyaddr.ErrTokenBadMAC, UserAddresses: addrs}, Reject},
		{"expired token", DecideInput{Message: alice, Verdicts: passing(alice), Token: tok, TokenErr: replyaddr.ErrTokenExpired, UserAddresses: addrs}, Reject},
		{"no token", DecideInput{Message: alice, Verdicts: passing(alice), UserAddresses: addrs}, Reject},
		{"valid token, wrong thread", DecideInput{Message: alice, Verdicts: passing(alice), Token: tok, TargetErr: domain.Errorf(domain.NotFound, "no such comment in this thread"), UserAddresses: addrs}, Reject},
		{"auto reply with valid token", DecideInput{Message: load(t, "ooo_en.eml"), Verdicts: passing(alice), Token: tok, UserAddresses: []string{"bob@example.org"}}, Drop},
	}
	for _, c := range cases {
		c.in.OwnDomain = testDomain
		d := Decide(c.in)
		if d.Outcome != c.want {
			t.Errorf("%s: %s %q, want %s", c.name, d.Outcome, d.Reasons, c.want)
		}
		if c.want == Hold && d.MayReply && !d.Authenticated {
			t.Errorf("%s: may reply to an unauthenticated sender", c.name)
		}
	}
	if d := Decide(DecideInput{Message: forged, Verdicts: Verdicts{}, TokenErr: replyaddr.ErrTokenBadMAC, OwnDomain: testDomain}); d.MayReply {
		t.Error("no backscatter to unauthenticated senders")
	}
	if de := (*domain.Error)(nil); !errors.As(replyaddr.ErrTokenExpired, &de) || de.Code != domain.Gone {
		t.Error("expired is Gone")
	}
}
