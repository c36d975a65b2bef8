package main

import (
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/seed"
	"github.com/quorum-app/quorum/internal/store"
)

// demoSteps lists what the demo dataset holds. Each domain contributes its
// part here as it arrives.
func demoSteps(cfg config.Config, clients *awsclient.Clients, st *store.Store) []seed.Step {
	_, _, _ = cfg, clients, st
	return nil
}
