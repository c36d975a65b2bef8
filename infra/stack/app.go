package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/quorum-app/quorum/infra/facts"
)

// Stacks are the handles of one deployment.
type Stacks struct {
	Config  facts.Config
	Facts   facts.Facts
	DR      *DRStack
	Primary *PrimaryStack
	// DRApp is the pilot light: the application in the DR region.
	DRApp *DRAppStack
}

// Options of Build.
type Options struct {
	// Functions defaults to the Functions table.
	Functions []FunctionSpec
	// Nag applies the cdk-nag AwsSolutions and NIST 800-53 rev 5 packs
	// (their unsuppressed findings are synth errors).
	Nag bool
}

// Build adds the stacks of cfg to app: the DR data stack, the primary stack
// and the DR pilot light, deployed in that order.
func Build(app awscdk.App, cfg facts.Config, opts Options) (*Stacks, error) {
	specs := opts.Functions
	if specs == nil {
		specs = Functions
	}
	dr := NewDRStack(app, cfg.AppName+"-dr", cfg)
	primary, err := NewPrimaryStack(app, cfg.AppName+"-primary", cfg, specs, dr)
	if err != nil {
		return nil, err
	}
	drApp := NewDRAppStack(app, cfg.AppName+"-dr-app", cfg, specs, dr, primary)
	for _, st := range []awscdk.Stack{dr.Stack, primary.Stack, drApp.Stack} {
		awscdk.Tags_Of(st).Add(s("app"), s(cfg.AppName), nil)
	}
	suppressDR(dr)
	suppressPrimary(primary, cfg)
	suppressCompute(primary.Compute)
	suppressDRApp(drApp)
	if opts.Nag {
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: b(true)}), nil)
		awscdk.Aspects_Of(app).Add(cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{Verbose: b(true)}), nil)
	}
	return &Stacks{Config: cfg, Facts: facts.Of(cfg), DR: dr, Primary: primary, DRApp: drApp}, nil
}

// ContextLookup adapts an app's context (cdk.json plus -c) to facts.Load.
func ContextLookup(app awscdk.App) func(string) any {
	return func(key string) any { return app.Node().TryGetContext(s(key)) }
}
