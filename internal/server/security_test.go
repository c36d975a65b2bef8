package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/web"
)

func securityServer(t *testing.T, f *facts.Facts, local bool) *server.Server {
	t.Helper()
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Web: r, Facts: f, Local: local})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func factsOf(t *testing.T, change func(*facts.Config)) *facts.Facts {
	t.Helper()
	c := facts.Defaults()
	c.Account = "123456789012"
	change(&c)
	f := facts.Of(c)
	return &f
}

// The page states what the configuration sets, and changes with it: a
// deployment can never promise more than it does.
func TestSecurityPageFollowsConfiguration(t *testing.T) {
	a := factsOf(t, func(c *facts.Config) {})
	b := factsOf(t, func(c *facts.Config) {
		c.PrimaryRegion, c.DRRegion = "us-east-2", "us-west-2"
		c.BackupRetentionDays, c.PITRDays, c.InboundMailRetentionDays = 14, 7, 3
		c.MailDomain = "mail.example.org"
	})
	pageA := do(securityServer(t, a, false), "GET", "/security", nil).Body.String()
	pageB := do(securityServer(t, b, false), "GET", "/security", nil).Body.String()
	for _, want := range []string{a.Regions.Primary, a.Regions.DisasterRecovery, "kept 35 days", "last 35 days", "does not send or receive email"} {
		if !strings.Contains(pageA, want) {
			t.Errorf("page A lacks %q", want)
		}
	}
	for _, want := range []string{"us-east-2", "us-west-2", "kept 14 days", "last 7 days", ">3 days</td>", "mail.example.org is signed with DKIM",
		"The active region (us-east-2) is down", "daily backups at 03:00 UTC, kept 14 days, copied to us-west-2", "any second of the last 7 days",
		"is deployed, idle, in us-west-2", "An encryption key is deleted"} {
		if !strings.Contains(pageB, want) {
			t.Errorf("page B lacks %q", want)
		}
	}
	for _, stale := range []string{a.Regions.Primary, "kept 35 days", "does not send or receive email", "last 35 days"} {
		if strings.Contains(pageB, stale) {
			t.Errorf("page B still states %q", stale)
		}
	}
	if strings.Contains(pageA, "Local development") {
		t.Error("a cloud page claims to be local")
	}

	rec := do(securityServer(t, b, false), "GET", "/api/v1/security", nil)
	var body struct {
		Local bool        `json:"local"`
		Facts facts.Facts `json:"facts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("json %d %v", rec.Code, err)
	}
	if body.Facts.Backups.RetentionDays != 14 || body.Facts.Regions.Primary != "us-east-2" || body.Local {
		t.Fatalf("json facts %+v", body)
	}
}

func TestSecurityPageLocalAndUnpublished(t *testing.T) {
	local := do(securityServer(t, factsOf(t, func(*facts.Config) {}), true), "GET", "/security", nil).Body.String()
	if !strings.Contains(local, "Local development") {
		t.Error("local page lacks its banner")
	}
	none := securityServer(t, nil, false)
	if rec := do(none, "GET", "/security", nil); rec.Code != 503 || !strings.Contains(rec.Body.String(), "has not published") {
		t.Fatalf("unpublished page: %d", rec.Code)
	}
	if rec := do(none, "GET", "/api/v1/security", map[string]string{"Accept": "application/json"}); rec.Code != 503 {
		t.Fatalf("unpublished json: %d", rec.Code)
	}
}
