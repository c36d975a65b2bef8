package lambdarun

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Each function links only what it uses (issue 14, §1): what a function
// reaches is read from the linker's reachability graph of the binary built
// as deployed (-dumpdep), and the binary's size is held under a ceiling.
// A reached symbol here means a function wires a core it does not use, or
// pays at its cold start for something it does not need.
var notReached = map[string][]string{
	// Every function but api: the SDK's default credential chain is the
	// operator's tools' (internal/awschain), Lambda's credentials are in
	// the environment (awsbase.LoadEnv); no URL is presigned at start-up,
	// no legal document read.
	"*": {
		"github.com/aws/aws-sdk-go-v2/config.LoadDefaultConfig",
		"github.com/aws/aws-sdk-go-v2/service/sts.New",
		"github.com/aws/aws-sdk-go-v2/service/sso.New",
		"github.com/aws/aws-sdk-go-v2/service/ssooidc.New",
		// Search analyses text with a registry-free copy of bleve's
		// analysis (internal/search/analysis): bleve's own packages
		// register themselves and link its whole query engine (~1 MB).
		"github.com/blevesearch/bleve",
		// Only the api takes passwords: the common-password list (656 kB,
		// embedded) stays out of the others (account.commonPasswords).
		module + "internal/account.commonPasswordsFile",
		// The page areas' catalogs (about 1.1 MB) are the HTTP layer's
		// (i18n.IncludePages).
		module + "internal/i18n.pageFiles",
	},
	// The stream's consumers: no bucket, no mail parsing, no exports, no
	// erasure of deleted groups (internal/cores/mailer).
	"mailer": {
		"github.com/aws/aws-sdk-go-v2/service/s3.New",
		"github.com/jhillyerd/enmime.ReadEnvelope",
		module + "internal/inbox.(*Service).Process",
		module + "internal/export.(*Service).Run",
		module + "internal/recovery.(*GroupEraser).",
		module + "internal/legal.Load",
		// NewWith's additions to the one builder of the shared cores
		// (corebase.Base.Build): account deletion and thread processes.
		module + "internal/cores.(*Cores).erasers",
		module + "internal/process.New",
	},
	// Received mail: no outbox, no search index, no exports, no erasure
	// of deleted groups (internal/cores/inboxcores).
	"inbound": {
		module + "internal/notify.(*Dispatcher).DeliverOne",
		module + "internal/search.New",
		module + "internal/export.(*Service).Run",
		module + "internal/recovery.(*GroupEraser).",
		module + "internal/legal.Load",
		module + "internal/cores.(*Cores).erasers",
		module + "internal/process.New",
	},
	"ses-events": {
		"github.com/aws/aws-sdk-go-v2/service/s3.New",
		"github.com/aws/aws-sdk-go-v2/service/sesv2.New",
		module + "internal/cores.New",
	},
}

// sizeCeilingMB holds each function's binary, as deployed, under what it
// measured when its wiring was last cut (December 2026), plus a margin for
// ordinary growth, each under the goal of issue 14 (goalSizeMB), which
// every function but the api meets since the eleventh and twelfth passes
// (docs/architecture.md, "Cold starts"). Lower a ceiling
// when a cut brings a function down; raise one only with a reason.
var sizeCeilingMB = map[string]float64{
	"inbound":    13.65, // 13.37 MB (eleventh and twelfth passes: own S3 client, decoders without encoders, no password list, no page catalogs)
	"mailer":     12.7,  // 12.45 MB (eleventh and twelfth passes: no S3 endpoints, password list, page catalogs or Streams client)
	"scheduler":  14.1,  // 13.83 MB (eleventh and twelfth passes)
	"ses-events": 9.5,   // 9.24 MB (ninth pass: own secret call)
}

func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	root, fns := functions(t)
	for _, fn := range fns {
		if fn == "api" {
			continue
		}
		t.Run(fn, func(t *testing.T) {
			l := linkOnce(t, root, fn)
			parent, bin := l.parent, l.bin
			if len(parent) < 1000 {
				t.Fatalf("the linker reported %d reached symbols: is -dumpdep still the flag?", len(parent))
			}
			for _, prefix := range append(notReached["*"], notReached[fn]...) {
				for sym := range parent {
					if strings.HasPrefix(sym, prefix) && !aux(sym) {
						t.Errorf("functions/%s reaches %s; reached through:\n%s", fn, sym, chain(parent, sym))
						break
					}
				}
			}
			st, err := os.Stat(bin)
			if err != nil {
				t.Fatal(err)
			}
			mb := float64(st.Size()) / 1e6
			ceiling, ok := sizeCeilingMB[fn]
			if !ok {
				ceiling = goalSizeMB
			}
			t.Logf("functions/%s: %.2f MB as deployed (ceiling %g, goal %s)", fn, mb, ceiling, goal(mb))
			if mb > ceiling {
				t.Errorf("functions/%s is %.2f MB as deployed, over its ceiling of %g MB (goal ≤ %g): "+
					"find what it newly reaches with go build -ldflags=-dumpdep (docs/architecture.md)", fn, mb, ceiling, goalSizeMB)
			}
		})
	}
}

func goal(mb float64) string {
	if mb <= goalSizeMB {
		return fmt.Sprintf("≤ %g MB: met", goalSizeMB)
	}
	return fmt.Sprintf("≤ %g MB: not met", goalSizeMB)
}

// aux reports the linker's data symbols beside a function (its argument
// and stack maps): identical ones are shared between functions, so the
// graph names whichever function it met first.
func aux(sym string) bool {
	i := strings.LastIndex(sym, ".")
	switch strings.TrimRight(sym[i+1:], "0123456789") {
	case "arginfo", "argliveinfo", "stkobj", "args_stackmap", "opendefer", "wrapinfo":
		return true
	}
	return false
}
