package stack

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
)

// One app holds two deployments (building an app costs ~5 s):
//   - full: custom domain, mail domain, and every trigger (the real specs
//     plus inbound and ses-events specs over placeholder assets, to
//     prove their wiring before their folders exist);
//   - minimal: no domain, no mail, only the real Functions table, and
//     failed over (activeRegion = its DR region).
var (
	full, minimal      *Stacks
	fullTpl, fullDRTpl map[string]any
	minTpl, minDRTpl   map[string]any
	// The pilot light of each (DR region application).
	fullAppTpl, minAppTpl map[string]any
	fullT, fullDRT        assertions.Template
	buildErr              error
	fullCfg, minCfg       facts.Config
	testAccount           = "123456789012"
	testCert              = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	testDRCert            = "arn:aws:acm:eu-central-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
)

func ctx(m map[string]any) func(string) any { return func(k string) any { return m[k] } }

// placeholderAssets writes a fake bootstrap per spec: the stack only hashes it.
func placeholderAssets(dir string, specs []FunctionSpec) error {
	for _, sp := range specs {
		if err := os.MkdirAll(filepath.Join(dir, sp.Name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, sp.Name, "bootstrap"), []byte("placeholder "+sp.Name), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// errShort: under -short (the fast tier, `make test-fast`) the stacks are
// not built. Building them starts Node and the CDK's JavaScript through
// jsii, an outside runtime like the AWS stand-ins, and was most of the fast
// tier's time; `make test` builds them and runs every template test.
var errShort = errors.New("short")

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		buildErr = errShort
		os.Exit(m.Run())
	}
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	dir, err := os.MkdirTemp("", "quorum-infra-assets")
	if err != nil {
		panic(err)
	}
	allSpecs := append([]FunctionSpec{}, Functions...)
	if err := placeholderAssets(dir, allSpecs); err != nil {
		panic(err)
	}
	code := func() int {
		defer jsii.Close()
		var err error
		fullCfg, err = facts.Load(ctx(map[string]any{
			"account": testAccount, "domain": "quorum.example.org", "certificateArn": testCert, "drCertificateArn": testDRCert,
			"mailDomain": "mail.example.org", "alarmEmail": "ops@example.org", "lambdaAssetDir": dir,
			"inboundMailRetentionDays": float64(14),
		}))
		if err != nil {
			panic(err)
		}
		minCfg, err = facts.Load(ctx(map[string]any{"appName": "qmin", "account": testAccount, "lambdaAssetDir": dir,
			"primaryRegion": "us-east-1", "drRegion": "us-west-2", "activeRegion": "us-west-2"}))
		if err != nil {
			panic(err)
		}
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(dir, "cdk.out"))})
		if full, buildErr = Build(app, fullCfg, Options{Functions: allSpecs, Nag: true}); buildErr == nil {
			minimal, buildErr = Build(app, minCfg, Options{Nag: true})
		}
		if buildErr == nil {
			fullT = assertions.Template_FromStack(full.Primary.Stack, nil)
			fullDRT = assertions.Template_FromStack(full.DR.Stack, nil)
			fullTpl, fullDRTpl = toMap(fullT), toMap(fullDRT)
			minTpl = toMap(assertions.Template_FromStack(minimal.Primary.Stack, nil))
			minDRTpl = toMap(assertions.Template_FromStack(minimal.DR.Stack, nil))
			fullAppTpl = toMap(assertions.Template_FromStack(full.DRApp.Stack, nil))
			minAppTpl = toMap(assertions.Template_FromStack(minimal.DRApp.Stack, nil))
		}
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

func toMap(t assertions.Template) map[string]any {
	raw, err := json.Marshal(t.ToJSON())
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	return m
}

func need(t *testing.T) {
	t.Helper()
	if buildErr == errShort {
		t.Skip("CDK template test (Node and jsii): runs in `make test`, not with -short")
	}
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
}

// assert runs a jsii assertion, turning its panic into a test failure.
func assert(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	f()
}

type res struct {
	ID   string
	Type string
	Doc  map[string]any
}

func (r res) props() map[string]any { p, _ := r.Doc["Properties"].(map[string]any); return p }

// resources returns the resources of type typ, sorted by logical id.
func resources(tpl map[string]any, typ string) []res {
	var out []res
	for id, v := range tpl["Resources"].(map[string]any) {
		d := v.(map[string]any)
		if d["Type"] == typ {
			out = append(out, res{id, typ, d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// get walks a path of map keys and slice indexes ("A.B.0.C").
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func findBucket(t *testing.T, tpl map[string]any, name string) res {
	t.Helper()
	for _, r := range resources(tpl, "AWS::S3::Bucket") {
		if r.props()["BucketName"] == name {
			return r
		}
	}
	t.Fatalf("no bucket %s", name)
	return res{}
}
