package config

import (
	"fmt"
	"strings"
)

// Markdown renders the environment contract as docs/config.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Configuration: the environment contract\n\n")
	b.WriteString("Every Quorum function (and every local tool) reads the same environment variables, validated at start by\n")
	b.WriteString("`internal/config`. A missing or invalid variable stops the process with a message naming it, for example\n")
	b.WriteString("`QUORUM_TABLE: is required`. In the cloud the CDK stack sets them; locally `make dev` does.\n\n")
	b.WriteString("This page is generated from `config.Variables()`; a test fails when the two differ\n")
	b.WriteString("(`go test ./internal/config -run TestConfigDoc -update` rewrites it).\n\n")
	b.WriteString("| variable | required | default | meaning |\n|---|---|---|---|\n")
	for _, v := range Variables() {
		req := map[string]string{"always": "yes", "cloud": "in the cloud", "local": "locally", "": "no"}[v.Required]
		def := ""
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Name, req, def, v.Doc)
	}
	b.WriteString("\nLocal-only endpoint variables are refused in the cloud, and `QUORUM_BASE_URL` must be https there.\n")
	return b.String()
}
