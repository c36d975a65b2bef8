package authz

import (
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
)

// Every account action × every kind of actor has an expected outcome.
func TestAccountPolicyMatrix(t *testing.T) {
	self := "u1"
	actors := map[string]Actor{
		"anonymous":               {Kind: Anonymous},
		"session":                 {Kind: User, UserID: self, SessionID: "s1"},
		"session of another":      {Kind: User, UserID: "u2", SessionID: "s2"},
		"bot":                     {Kind: Bot, UserID: self, TokenID: "t1"},
		"bot of another":          {Kind: Bot, UserID: "u2", TokenID: "t2"},
		"user without session id": {Kind: User, UserID: self},
		"bot without token id":    {Kind: Bot, UserID: self},
	}
	botOK := map[Action]bool{AccountRead: true, AccountUpdate: true}
	for _, action := range AccountActions() {
		for name, a := range actors {
			var want domain.Code
			switch name {
			case "anonymous", "user without session id":
				want = domain.Unauthorized
			case "session of another", "bot of another":
				want = domain.NotFound
			case "session":
				want = ""
			case "bot":
				if !botOK[action] {
					want = domain.Forbidden
				}
			case "bot without token id":
				want = domain.Forbidden
			}
			if got := domain.ErrorCode(Account(a, action, self)); got != want {
				t.Errorf("%s by %s: %q, want %q", action, name, got, want)
			}
		}
	}
}
