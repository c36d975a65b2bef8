package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/config"
)

// localFacts computes the security facts of a deployment built from the
// repository's cdk.json, for the /security page of `make dev` (which shows
// them under a "local development" banner: the local cloud itself has none
// of these protections). Mail is the running configuration's: it works
// locally, through the SES emulator and make mail-in.
func localFacts(root string, running config.Config) (string, error) {
	raw, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return "", err
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("cdk.json: %w", err)
	}
	cfg, err := facts.Load(func(key string) any {
		if key == "account" {
			return "000000000000" // no account locally; it does not change any fact
		}
		return doc.Context[key]
	})
	if err != nil {
		return "", fmt.Errorf("cdk.json: %w", err)
	}
	f := facts.Of(cfg)
	if running.MailDomain != "" {
		f.Mail = facts.LocalMail(running.MailDomain)
	}
	b, err := json.Marshal(f)
	return string(b), err
}
