package account_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/account"
)

func TestUserLocation(t *testing.T) {
	for tz, want := range map[string]string{"": "UTC", "UTC": "UTC", "Europe/Berlin": "Europe/Berlin", "Nowhere/Atlantis": "UTC"} {
		u := &account.User{TimeZone: tz}
		if got := u.Location().String(); got != want {
			t.Errorf("time zone %q: location %s, want %s", tz, got, want)
		}
	}
	var none *account.User
	if none.Location().String() != "UTC" {
		t.Error("no user: want UTC")
	}
}
