package account_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/text"
)

// TestTextFieldsAreCleaned: display names (at sign-up and on the profile)
// and API token names go through the one single-line cleaner
// (internal/text); a name of invisible characters only is missing.
func TestTextFieldsAreCleaned(t *testing.T) {
	f := newFixture(t, nil)
	const signup = "\u202eRenée\u200b  Q\tLee\u2069"
	v := f.login(t, uniqueEmail("clean"), signup)
	if v.User.Name != text.Line(signup) || v.User.Name != "Renée Q Lee" {
		t.Fatalf("sign-up name %+q", v.User.Name)
	}
	ctx := f.as(t, v.Token)
	s := func(v string) *string { return &v }
	u, err := f.svc.UpdateProfile(ctx, account.ProfileUpdate{Name: s("Ren\u0065\u0301e \u2066Lee\u2069\x00 👩🏽\u200d💻")})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Renée Lee 👩🏽\u200d💻" {
		t.Fatalf("profile name %+q", u.Name)
	}
	if _, err := f.svc.UpdateProfile(ctx, account.ProfileUpdate{Name: s("\u200b\u200c\ufeff")}); code(err) != domain.Invalid {
		t.Fatalf("invisible name: %v", err)
	}
	tok, err := f.svc.CreateToken(ctx, "\u202eci\u200b bot\n")
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, tok.Secret)
	if tok.Token.Name != "ci bot" {
		t.Fatalf("token name %+q", tok.Token.Name)
	}
	if _, err := f.svc.CreateToken(ctx, "\u2066\u2069"); code(err) != domain.Invalid {
		t.Fatalf("invisible token name: %v", err)
	}
}
