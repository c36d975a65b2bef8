package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/config.md")

func TestConfigDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "config.md")
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/config.md is out of date: run go test ./internal/config -run TestConfigDoc -update")
	}
}
