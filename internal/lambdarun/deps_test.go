package lambdarun

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/localcloud"
)

const module = "github.com/quorum-app/quorum/"

// The HTTP layer (the route table, the JSON API, the pages and what
// both share): only the api function may link it.
var httpOnly = []string{module + "internal/server", module + "internal/api", module + "internal/web", module + "internal/web/pages",
	module + "internal/handlerkit", module + "internal/app"}

// The AWS services of the operator's recovery tools
// (internal/recovery/controlplane): no function calls them, and each one
// linked costs every cold start its package initialisation.
var controlPlane = []string{"apigatewayv2", "backup", "lambda", "route53", "scheduler", "ses"}

// deps lists the packages fn links, built as deployed.
func deps(t *testing.T, root, fn string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+fn)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+DeployArch, "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./functions/%s: %v", fn, err)
	}
	return strings.Fields(string(out))
}

// functions returns the repository's root and the name of every function
// (functions/<name>/main.go), failing t unless there are at least five.
func functions(t *testing.T) (root string, names []string) {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil || len(dirs) < 5 {
		t.Fatalf("functions: %v %v", dirs, err)
	}
	for _, d := range dirs {
		names = append(names, filepath.Base(filepath.Dir(d)))
	}
	return root, names
}

// Each function links only what it uses: the functions that serve no HTTP
// (mailer, scheduler, inbound, ses-events and any added later) must not
// build the HTTP server, its pages or the wiring that includes them.
func TestFunctionsWithoutHTTPDoNotLinkTheHTTPServer(t *testing.T) {
	root, fns := functions(t)
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			all := deps(t, root, fn)
			for _, pkg := range httpOnly {
				linked := slices.Contains(all, pkg)
				if fn == "api" && pkg != module+"internal/app" && !linked {
					t.Errorf("the api function does not link %s: is this test still looking at the right packages?", pkg)
				}
				if fn != "api" && linked {
					t.Errorf("functions/%s links %s, the HTTP layer; wire it from internal/cores instead", fn, pkg)
				}
			}
			for _, svc := range controlPlane {
				if pkg := "github.com/aws/aws-sdk-go-v2/service/" + svc; slices.Contains(all, pkg) {
					t.Errorf("functions/%s links %s, which only the recovery tools use (internal/recovery/controlplane)", fn, pkg)
				}
			}
		})
	}
}

// ses-events records bounces and complaints in the table: it builds from
// the SDK configuration and DynamoDB alone (internal/awsbase), without the
// SES and S3 clients or the cores that send mail.
func TestSESEventsLinksOnlyDynamoDB(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	all := deps(t, root, "ses-events")
	if !slices.Contains(all, "github.com/aws/aws-sdk-go-v2/service/dynamodb") {
		t.Fatal("ses-events does not link DynamoDB: is this test still looking at the right packages?")
	}
	for _, pkg := range []string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/s3",
		module + "internal/mail", module + "internal/account", module + "internal/cores"} {
		if slices.Contains(all, pkg) {
			t.Errorf("functions/ses-events links %s", pkg)
		}
	}
}

// Go runs every linked package's initialisation at each cold start, called
// or not: the mailer builds on the shared cores alone
// (internal/cores/mailer on internal/cores/corebase), so it must not import
// the packages only other functions wire (issue 14, §1). (It still links
// the S3 client's package: awsclient.Clients, internal/blob and the cores
// that take blob's stores import it; the client is not built.)
func TestMailerImportsOnlyTheSharedCores(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	all := deps(t, root, "mailer")
	if !slices.Contains(all, module+"internal/cores/corebase") {
		t.Fatal("the mailer does not link internal/cores/corebase: is this test still looking at the right packages?")
	}
	for _, pkg := range []string{module + "internal/cores", module + "internal/inbox", module + "internal/inbound",
		module + "internal/export", module + "internal/recovery", module + "internal/legal", module + "internal/process",
		module + "internal/handlerkit", module + "internal/httpx",
		"github.com/jhillyerd/enmime", "github.com/jaytaylor/html2text", "golang.org/x/text/encoding/htmlindex"} {
		if slices.Contains(all, pkg) {
			t.Errorf("functions/mailer links %s, which it does not wire: it initialises at every cold start", pkg)
		}
	}
}

// The inbound function builds the inbox on the shared cores
// (internal/cores/inboxcores), without internal/cores and what only the api
// function and the scheduler wire on top.
func TestInboundImportsOnlyTheInboxAndTheSharedCores(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	all := deps(t, root, "inbound")
	if !slices.Contains(all, module+"internal/cores/inboxcores") {
		t.Fatal("the inbound function does not link internal/cores/inboxcores: is this test still looking at the right packages?")
	}
	for _, pkg := range []string{module + "internal/cores", module + "internal/export", module + "internal/recovery",
		module + "internal/legal", module + "internal/process", "archive/zip"} {
		if slices.Contains(all, pkg) {
			t.Errorf("functions/inbound links %s, which it does not wire: it initialises at every cold start", pkg)
		}
	}
}

// Two AWS operations are signed calls of Quorum's own (awsbase.Signed):
// the signing-key secret's GetSecretValue and SES v2's SendEmail; the
// SDK's generated clients for them brought their schemas (built at every
// cold start), endpoint rules and types into every function (~0.9 MB).
// S3 is a client of Quorum's own too (internal/objstore): the SDK's cost
// inbound and the scheduler about 1.1 MB each, the api 4.7 MB.
// And only the api function, which takes picture uploads, links the image
// decoders that register themselves at package initialisation
// (internal/avatar; the account core imports internal/avatar/limits).
// Also, no function links bluemonday (internal/render's own sanitiser
// replaced it; its CSS packages compiled about 80 regular expressions at
// init) or goldmark's extension package (its regular expressions compiled
// at init; render uses the copy in third_party/goldmarkgfm); both stay test
// dependencies of internal/render, which holds its own code to them.
func TestFunctionsLinkNeitherOneCallClientsNorImageDecoders(t *testing.T) {
	const streams = "the DynamoDB Streams client is for make dev and tests (internal/stream/poll, internal/cores/consumers/localstream)"
	const sanitiser = "internal/render sanitises and renders with its own code (sanitize.go, third_party/goldmarkgfm): this package initialises at every cold start"
	// tree: the package and every package under it; else the package alone
	// (goldmark's extension/ast is the AST the copy builds).
	unneeded := []struct {
		pkg, instead string
		tree         bool
	}{
		{"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "call it through awsbase.Signed (internal/awsbase/signed.go)", true},
		{"github.com/aws/aws-sdk-go-v2/service/sesv2", "call it through awsbase.Signed (internal/awsbase/signed.go)", true},
		{"github.com/aws/aws-sdk-go-v2/service/s3", "call S3 through internal/objstore (only tools and tests use the SDK's client: localcloud.SDKS3)", true},
		{"github.com/aws/aws-sdk-go-v2/service/internal/s3shared", "call S3 through internal/objstore", true},
		{"github.com/microcosm-cc/bluemonday", sanitiser, true},
		{"github.com/aymerick/douceur", sanitiser, true},
		{"github.com/gorilla/css", sanitiser, true},
		{"github.com/yuin/goldmark/extension", sanitiser, false},
		// Lambda hands the mailer its stream records; only make dev and
		// tests read a stream (internal/cores/consumers/localstream). The
		// stream's types stay: attributevalue imports them.
		{"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams", streams, false},
		{module + "internal/stream/poll", streams, false},
	}
	root, fns := functions(t)
	decoders := []string{module + "internal/avatar", "image/gif", "image/png", "golang.org/x/image/webp"}
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			all := deps(t, root, fn)
			if !slices.Contains(all, module+"internal/awsbase") {
				t.Fatalf("functions/%s does not link internal/awsbase: is this test still looking at the right packages?", fn)
			}
			for _, pkg := range all {
				for _, f := range unneeded {
					if pkg == f.pkg || f.tree && strings.HasPrefix(pkg, f.pkg+"/") {
						t.Errorf("functions/%s links %s: %s", fn, pkg, f.instead)
					}
				}
			}
			for _, pkg := range decoders {
				switch linked := slices.Contains(all, pkg); {
				case fn == "api" && !linked:
					t.Errorf("the api function does not link %s: are pictures still processed?", pkg)
				case fn != "api" && linked:
					t.Errorf("functions/%s links %s, the avatar decoders: only the api takes uploads (account.ProcessPicturesWith)", fn, pkg)
				}
			}
		})
	}
}
