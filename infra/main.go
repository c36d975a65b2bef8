// Command infra is Quorum's CDK app (cdk.json: "app": "go run ./infra").
// Configuration comes from cdk.json context and -c overrides; see
// docs/deploy.md and infra/facts.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/infra/stack"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	lookup := stack.ContextLookup(app)
	cfg, err := facts.Load(func(key string) any {
		v := lookup(key)
		// The account may come from the CLI's credentials; the region never
		// does (the CLI defaults CDK_DEFAULT_REGION to us-east-1).
		if key == "account" && (v == nil || v == "") {
			if acct := os.Getenv("CDK_DEFAULT_ACCOUNT"); acct != "" {
				return acct
			}
		}
		return v
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nag := true
	if v, ok := lookup("nag").(string); ok && v == "false" {
		nag = false
	}
	if _, err := stack.Build(app, cfg, stack.Options{Nag: nag}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Synth(nil)
}
