package server_test

import (
	"os"
	"testing"

	"github.com/quorum-app/quorum/internal/testcloud"
)

// TestMain starts (or reuses) the local cloud for the integration tests of
// this package and stops it afterwards.
func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }
