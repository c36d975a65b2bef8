package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/server"
	"github.com/quorum-app/quorum/internal/web"
)

// make dev's /security describes the running installation's mail (the SES
// emulator and make mail-in work), not the "no mail" of a cdk.json without
// a mail domain.
func TestLocalSecurityPageDescribesRunningMail(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	cfg := localConfig(&localcloud.Cloud{}, make([]byte, 32), 8150)
	raw, err := localFacts(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var f facts.Facts
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatal(err)
	}
	if !f.Mail.Enabled || !f.Mail.Local || f.Mail.Domain != cfg.MailDomain || f.Mail.DKIM || f.Mail.SpamVirusScanning {
		t.Fatalf("local mail facts: %+v", f.Mail)
	}
	r, err := web.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Deps{Web: r, Facts: &f, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/security", nil))
	page := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("/security: %d", rec.Code)
	}
	for _, want := range []string{"Mail for quorum.localhost works on this machine only", "local SES emulator", "make mail-in"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, wrong := range []string{"does not send or receive email", "is signed with DKIM"} {
		if strings.Contains(page, wrong) {
			t.Errorf("page states %q on the local stack", wrong)
		}
	}
}
