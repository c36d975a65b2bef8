package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/quorum-app/quorum/infra/facts"
)

// localFacts computes the security facts of a deployment built from the
// repository's cdk.json, for the /security page of `make dev` (which shows
// them under a "local development" banner: the local cloud itself has none
// of these protections).
func localFacts(root string) (string, error) {
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
	b, err := json.Marshal(facts.Of(cfg))
	return string(b), err
}
