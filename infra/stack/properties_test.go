package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/idempotency"
	"github.com/quorum-app/quorum/internal/tabledef"
)

func TestEveryFunctionFolderHasASpecAndViceVersa(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "functions"))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]bool{}
	for _, sp := range Functions {
		specs[sp.Name] = true
	}
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[e.Name()] = true
			if !specs[e.Name()] {
				t.Errorf("functions/%s has no FunctionSpec in infra/stack/functions.go: add one (name, memory, timeout, trigger, access)", e.Name())
			}
		}
	}
	for name := range specs {
		if !folders[name] {
			t.Errorf("FunctionSpec %q has no folder functions/%s", name, name)
		}
	}
}

func TestMissingBootstrapIsAClearError(t *testing.T) {
	need(t)
	cfg := full.Config
	cfg.LambdaAssetDir = t.TempDir()
	err := checkSpecs(cfg, Functions)
	if err == nil || !strings.Contains(err.Error(), "make build-lambdas") {
		t.Fatalf("want a build-lambdas hint, got %v", err)
	}
}

func TestKeysRotateInBothRegions(t *testing.T) {
	need(t)
	for name, tpl := range map[string]map[string]any{"primary": fullTpl, "dr": fullDRTpl} {
		keys := resources(tpl, "AWS::KMS::Key")
		if len(keys) != 1 {
			t.Fatalf("%s: want 1 key, got %d", name, len(keys))
		}
		p := keys[0].props()
		if p["EnableKeyRotation"] != true || p["RotationPeriodInDays"] != 365.0 || keys[0].Doc["DeletionPolicy"] != "Retain" {
			t.Errorf("%s key: %s", name, js(keys[0].Doc))
		}
		aliases := resources(tpl, "AWS::KMS::Alias")
		if len(aliases) != 1 || aliases[0].props()["AliasName"] != "alias/quorum-data" {
			t.Errorf("%s alias: %s", name, js(aliases))
		}
	}
}

func TestTableFromTabledef(t *testing.T) {
	need(t)
	def := tabledef.MainTable("quorum")
	tables := resources(fullTpl, "AWS::DynamoDB::GlobalTable")
	if len(tables) != 1 {
		t.Fatalf("want one global table, got %d", len(tables))
	}
	tb, p := tables[0], tables[0].props()
	if p["TableName"] != def.Name || p["BillingMode"] != "PAY_PER_REQUEST" || tb.Doc["DeletionPolicy"] != "Retain" {
		t.Errorf("table: %s", js(p))
	}
	if js(p["KeySchema"]) != `[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}]` {
		t.Errorf("key schema: %s", js(p["KeySchema"]))
	}
	if get(p, "TimeToLiveSpecification.AttributeName") != def.TTLAttribute || get(p, "TimeToLiveSpecification.Enabled") != true {
		t.Errorf("ttl: %s", js(p["TimeToLiveSpecification"]))
	}
	gsis, _ := p["GlobalSecondaryIndexes"].([]any)
	if len(gsis) != len(def.Indexes) {
		t.Fatalf("gsis: %s", js(gsis))
	}
	for i, ix := range def.Indexes {
		if get(gsis[i], "IndexName") != ix.Name || get(gsis[i], "KeySchema.0.AttributeName") != ix.PartitionKey.Name ||
			get(gsis[i], "KeySchema.1.AttributeName") != ix.SortKey.Name || get(gsis[i], "Projection.ProjectionType") != "ALL" {
			t.Errorf("gsi %d: %s", i, js(gsis[i]))
		}
	}
	if get(p, "SSESpecification.SSEEnabled") != true || get(p, "SSESpecification.SSEType") != "KMS" {
		t.Errorf("sse: %s", js(p["SSESpecification"]))
	}
	replicas := p["Replicas"].([]any)
	regions := map[string]bool{}
	for _, r := range replicas {
		region := get(r, "Region").(string)
		regions[region] = true
		if get(r, "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled") != true ||
			get(r, "PointInTimeRecoverySpecification.RecoveryPeriodInDays") != 35.0 {
			t.Errorf("replica %s: PITR: %s", region, js(r))
		}
		if get(r, "DeletionProtectionEnabled") != true {
			t.Errorf("replica %s: deletion protection: %s", region, js(r))
		}
		if get(r, "SSESpecification.KMSMasterKeyId") == nil {
			t.Errorf("replica %s: no CMK: %s", region, js(r))
		}
	}
	if !regions["eu-west-1"] || !regions["eu-central-1"] || len(regions) != 2 {
		t.Errorf("replica regions: %v", regions)
	}
	dr := ""
	for _, r := range replicas {
		if get(r, "Region") == "eu-central-1" {
			dr = js(get(r, "SSESpecification.KMSMasterKeyId"))
		}
	}
	if dr != `"arn:aws:kms:eu-central-1:123456789012:alias/quorum-data"` {
		t.Errorf("DR replica key: %s", dr)
	}
}

func checkDataBucket(t *testing.T, tpl map[string]any, name, role string, inboundDays float64, replicated bool) {
	t.Helper()
	bk := findBucket(t, tpl, name)
	p := bk.props()
	if bk.Doc["DeletionPolicy"] != "Retain" {
		t.Errorf("%s: not retained", name)
	}
	enc := get(p, "BucketEncryption.ServerSideEncryptionConfiguration.0")
	if get(enc, "ServerSideEncryptionByDefault.SSEAlgorithm") != "aws:kms" || get(enc, "ServerSideEncryptionByDefault.KMSMasterKeyID") == nil || get(enc, "BucketKeyEnabled") != true {
		t.Errorf("%s: encryption %s", name, js(enc))
	}
	if get(p, "VersioningConfiguration.Status") != "Enabled" {
		t.Errorf("%s: versioning", name)
	}
	pab := p["PublicAccessBlockConfiguration"]
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if get(pab, k) != true {
			t.Errorf("%s: %s not set: %s", name, k, js(pab))
		}
	}
	if get(p, "OwnershipControls.Rules.0.ObjectOwnership") != "BucketOwnerEnforced" {
		t.Errorf("%s: ownership %s", name, js(p["OwnershipControls"]))
	}
	if get(p, "LoggingConfiguration.DestinationBucketName") == nil {
		t.Errorf("%s: no server access logs", name)
	}
	rules := js(get(p, "LifecycleConfiguration.Rules"))
	if !strings.Contains(rules, `"NoncurrentVersionExpiration":{"NoncurrentDays":90}`) {
		t.Errorf("%s: noncurrent versions do not expire: %s", name, rules)
	}
	if role == tabledef.InboundBucket {
		want := `{"ExpirationInDays":` + strings.TrimSuffix(js(inboundDays), ".0") + `,"Id":"expire-raw-inbound-mail","Prefix":"raw/","Status":"Enabled"}`
		if !strings.Contains(rules, want) {
			t.Errorf("%s: raw mail expiry: want %s in %s", name, want, rules)
		}
	} else {
		// Uploads: only data exports (7 days, their older versions after a
		// day) and unconfirmed picture originals expire; attachments and
		// pictures never do.
		want := `{"ExpirationInDays":7,"Id":"expire-exports","NoncurrentVersionExpiration":{"NoncurrentDays":1},"Prefix":"exports/","Status":"Enabled"}`
		if !strings.Contains(rules, want) {
			t.Errorf("%s: exports expiry: want %s in %s", name, want, rules)
		}
		// Unconfirmed picture originals go after a day (their own prefix,
		// which no attachment or picture shares).
		want = `{"ExpirationInDays":1,"Id":"expire-unconfirmed-avatar-uploads","NoncurrentVersionExpiration":{"NoncurrentDays":1},"Prefix":"avatar-uploads/","Status":"Enabled"}`
		if !strings.Contains(rules, want) {
			t.Errorf("%s: unconfirmed avatar uploads expiry: want %s in %s", name, want, rules)
		}
		if strings.Count(rules, `"ExpirationInDays"`) != 2 {
			t.Errorf("%s: current uploads must not expire: %s", name, rules)
		}
	}
	if replicated {
		rc := p["ReplicationConfiguration"]
		rule := get(rc, "Rules.0")
		if get(rule, "Destination.Bucket") == nil || !strings.Contains(js(get(rule, "Destination.Bucket")), "eu-central-1") ||
			get(rule, "Destination.EncryptionConfiguration.ReplicaKmsKeyID") != "arn:aws:kms:eu-central-1:123456789012:alias/quorum-data" ||
			get(rule, "SourceSelectionCriteria.SseKmsEncryptedObjects.Status") != "Enabled" || get(rule, "Status") != "Enabled" {
			t.Errorf("%s: replication %s", name, js(rc))
		}
	}
	// TLS-only bucket policy.
	found := false
	for _, pol := range resources(tpl, "AWS::S3::BucketPolicy") {
		if get(pol.props(), "Bucket.Ref") != bk.ID {
			continue
		}
		for _, st := range get(pol.props(), "PolicyDocument.Statement").([]any) {
			if get(st, "Effect") == "Deny" && get(st, "Condition.Bool.aws:SecureTransport") == "false" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("%s: no TLS-only policy", name)
	}
}

func TestPrimaryBuckets(t *testing.T) {
	need(t)
	for _, bk := range full.Config.Buckets("eu-west-1") {
		checkDataBucket(t, fullTpl, bk.Name, bk.Role, 14, true)
	}
}

func TestDRBuckets(t *testing.T) {
	need(t)
	for _, bk := range full.Config.Buckets("eu-central-1") {
		checkDataBucket(t, fullDRTpl, bk.Name, bk.Role, 14, false)
	}
	// The DR stack deploys first.
	deps := full.Primary.Stack.Dependencies()
	if len(*deps) != 1 || *(*deps)[0].StackName() != "quorum-dr" {
		t.Errorf("primary must depend on the DR stack")
	}
}

func TestReplicationRoleIsScoped(t *testing.T) {
	need(t)
	doc := ""
	for _, pol := range resources(fullTpl, "AWS::IAM::Policy") {
		if strings.Contains(js(pol.props()["Roles"]), "ReplicationRole") {
			doc = js(pol.props()["PolicyDocument"])
		}
	}
	for _, want := range []string{"s3:ReplicateObject", "arn:aws:s3:::quorum-uploads-123456789012-eu-central-1/*",
		"arn:aws:s3:::quorum-inbound-123456789012-eu-central-1/*", `"kms:ResourceAliases":"alias/quorum-data"`,
		`"kms:ViaService":"s3.eu-central-1.amazonaws.com"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("replication policy lacks %s: %s", want, doc)
		}
	}
}

func TestFunctionsAreArmAL2023WithReservedConcurrency(t *testing.T) {
	need(t)
	fns := resources(fullTpl, "AWS::Lambda::Function")
	if len(fns) != len(Functions) {
		t.Fatalf("want %d functions, got %d", len(Functions), len(fns))
	}
	for _, f := range fns {
		p := f.props()
		if p["Runtime"] != "provided.al2023" || js(p["Architectures"]) != `["arm64"]` || p["Handler"] != "bootstrap" ||
			p["ReservedConcurrentExecutions"] == nil || get(p, "LoggingConfig.LogGroup") == nil {
			t.Errorf("%s: %s", f.ID, js(p))
		}
	}
}

// resolve replaces the template's intrinsic functions by sample values so the
// environment can go through config.Load.
func resolveEnv(vars map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range vars {
		switch x := v.(type) {
		case string:
			out[k] = x
		default:
			switch {
			case strings.Contains(js(x), "execute-api"):
				out[k] = "https://abc123.execute-api.us-east-1.amazonaws.com"
			case k == "QUORUM_SIGNING_KEY_SECRET_ARN":
				out[k] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:quorum/signing-key-AbCdEf"
			case k == "QUORUM_KMS_KEY_ID":
				out[k] = "arn:aws:kms:eu-west-1:123456789012:key/abc"
			default:
				out[k] = "resolved-" + k
			}
		}
	}
	return out
}

// Every function's Go runtime collects rarely while starting (GOGC) and
// keeps its heap below the function's memory (GOMEMLIMIT < MemorySize).
func TestFunctionsSetTheGoRuntimeForTheirMemory(t *testing.T) {
	need(t)
	for name, tpl := range map[string]map[string]any{"full": fullTpl, "minimal": minTpl} {
		fns := resources(tpl, "AWS::Lambda::Function")
		if len(fns) == 0 {
			t.Fatalf("%s: no functions", name)
		}
		for _, f := range fns {
			v := get(f.props(), "Environment.Variables")
			mem, _ := get(f.props(), "MemorySize").(float64)
			want := facts.RuntimeEnv(int(mem))
			if mem == 0 || get(v, "GOGC") != want["GOGC"] || get(v, "GOMEMLIMIT") != want["GOMEMLIMIT"] {
				t.Errorf("%s %s (memory %v): GOGC %v GOMEMLIMIT %v, want %v", name, f.ID, mem, get(v, "GOGC"), get(v, "GOMEMLIMIT"), want)
			}
		}
	}
}

func TestFunctionEnvironmentSatisfiesConfigContract(t *testing.T) {
	need(t)
	for name, tpl := range map[string]map[string]any{"full": fullTpl, "minimal": minTpl} {
		for _, f := range resources(tpl, "AWS::Lambda::Function") {
			env := resolveEnv(get(f.props(), "Environment.Variables").(map[string]any))
			if env["QUORUM_SIGNING_KEY_SECRET_ARN"] == "" {
				t.Errorf("%s %s: no signing key secret ARN", name, f.ID)
			}
			if _, ok := env["QUORUM_SIGNING_KEY"]; ok {
				t.Errorf("%s %s: plaintext signing key in the template", name, f.ID)
			}
			env["AWS_REGION"] = "eu-west-1" // set by Lambda
			c, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Errorf("%s %s: %v", name, f.ID, err)
				continue
			}
			if c.Env != "cloud" || c.Table != "quorum-main" && c.Table != "qmin-main" {
				t.Errorf("%s %s: %+v", name, f.ID, c)
			}
			// The inbound function reads what the receipt rule writes, for as
			// long as the bucket's lifecycle keeps it.
			wantDays := map[string]int{"full": 14, "minimal": 30}[name]
			if c.InboundPrefix != facts.InboundMailPrefix || c.InboundRetention != time.Duration(wantDays)*24*time.Hour {
				t.Errorf("%s %s: inbound prefix %q retention %s", name, f.ID, c.InboundPrefix, c.InboundRetention)
			}
		}
	}
	api := resources(fullTpl, "AWS::Lambda::Function")
	for _, f := range api {
		v := get(f.props(), "Environment.Variables")
		if get(v, "QUORUM_BASE_URL") != "https://quorum.example.org" || get(v, "QUORUM_MAIL_DOMAIN") != "mail.example.org" ||
			get(v, "QUORUM_SES_CONFIGURATION_SET") != "quorum" || get(v, "QUORUM_UPLOADS_BUCKET") != "quorum-uploads-123456789012-eu-west-1" {
			t.Errorf("full env: %s", js(v))
		}
	}
	for _, f := range resources(minTpl, "AWS::Lambda::Function") {
		v := get(f.props(), "Environment.Variables")
		if get(v, "QUORUM_MAIL_DOMAIN") != DisabledMailDomain || get(v, "QUORUM_SES_CONFIGURATION_SET") != nil ||
			!strings.Contains(js(get(v, "QUORUM_BASE_URL")), "execute-api") {
			t.Errorf("minimal env: %s", js(v))
		}
	}
}

func TestNoWildcardActionsAndNoManagedPoliciesOnFunctions(t *testing.T) {
	need(t)
	for name, tpl := range map[string]map[string]any{"full": fullTpl, "dr": fullDRTpl, "minimal": minTpl} {
		for _, pol := range resources(tpl, "AWS::IAM::Policy") {
			for _, st := range get(pol.props(), "PolicyDocument.Statement").([]any) {
				acts := get(st, "Action")
				if s, ok := acts.(string); ok {
					acts = []any{s}
				}
				for _, a := range acts.([]any) {
					if strings.Contains(a.(string), "*") {
						t.Errorf("%s %s: wildcard action %s", name, pol.ID, a)
					}
				}
			}
		}
		for _, r := range resources(tpl, "AWS::IAM::Role") {
			if strings.HasPrefix(r.ID, "Fn") && r.props()["ManagedPolicyArns"] != nil {
				t.Errorf("%s %s: managed policies on a function role", name, r.ID)
			}
		}
	}
}

func TestLogGroupsHaveRetentionAndKMS(t *testing.T) {
	need(t)
	lgs := resources(fullTpl, "AWS::Logs::LogGroup")
	if want := len(Functions) + 1; len(lgs) != want { // every function + API access logs
		t.Fatalf("want %d log groups, got %d", want, len(lgs))
	}
	for _, lg := range lgs {
		if lg.props()["RetentionInDays"] != 365.0 || lg.props()["KmsKeyId"] == nil {
			t.Errorf("%s: %s", lg.ID, js(lg.props()))
		}
	}
}

func TestAsyncFunctionsHaveKMSDeadLetterQueues(t *testing.T) {
	need(t)
	queues := resources(fullTpl, "AWS::SQS::Queue")
	if len(queues) != 4 {
		t.Fatalf("want 4 DLQs (scheduler, inbound, ses-events, mailer), got %d", len(queues))
	}
	for _, q := range queues {
		if q.props()["KmsMasterKeyId"] == nil {
			t.Errorf("%s: not KMS-encrypted", q.ID)
		}
	}
	for _, f := range resources(fullTpl, "AWS::Lambda::Function") {
		// The api is synchronous; the mailer's DLQ is its stream mapping's
		// on-failure destination (TestOutboxStream).
		name := get(f.props(), "FunctionName")
		sync := name == "quorum-api" || name == "quorum-mailer"
		if hasDLQ := get(f.props(), "DeadLetterConfig.TargetArn") != nil; hasDLQ == sync {
			t.Errorf("%s: DLQ %v", f.ID, hasDLQ)
		}
	}
	if len(resources(fullTpl, "AWS::Lambda::EventInvokeConfig")) != 3 {
		t.Errorf("async retry configuration missing")
	}
}

func TestAPIStageAccessLogsThrottlingAndDomain(t *testing.T) {
	need(t)
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), map[string]any{
			"StageName":  "$default",
			"AutoDeploy": true,
			"AccessLogSettings": map[string]any{
				"DestinationArn": assertions.Match_AnyValue(),
				"Format":         assertions.Match_StringLikeRegexp(jsii.String("requestId")),
			},
			"DefaultRouteSettings": map[string]any{"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
		})
	})
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::DomainName"), map[string]any{
			"DomainName": "quorum.example.org",
			"DomainNameConfigurations": []any{map[string]any{
				"CertificateArn": testCert, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}},
		})
	})
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), map[string]any{"DisableExecuteApiEndpoint": true})
	})
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{"RouteKey": "$default"})
	})
	if len(resources(minTpl, "AWS::ApiGatewayV2::DomainName")) != 0 {
		t.Errorf("minimal: unexpected custom domain")
	}
}

func TestMail(t *testing.T) {
	need(t)
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::SES::EmailIdentity"), map[string]any{
			"EmailIdentity":              "mail.example.org",
			"DkimAttributes":             map[string]any{"SigningEnabled": true},
			"DkimSigningAttributes":      map[string]any{"NextSigningKeyLength": "RSA_2048_BIT"},
			"MailFromAttributes":         map[string]any{"MailFromDomain": "bounce.mail.example.org"},
			"ConfigurationSetAttributes": map[string]any{"ConfigurationSetName": assertions.Match_AnyValue()},
		})
	})
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::SES::ConfigurationSet"), map[string]any{
			"Name":               "quorum",
			"DeliveryOptions":    map[string]any{"TlsPolicy": "REQUIRE"},
			"SuppressionOptions": map[string]any{"SuppressedReasons": []any{"BOUNCE", "COMPLAINT"}},
		})
	})
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::SES::ConfigurationSetEventDestination"), map[string]any{
			"EventDestination": map[string]any{
				"Enabled":            true,
				"MatchingEventTypes": assertions.Match_ArrayWith(&[]any{"bounce", "complaint"}),
				"SnsDestination":     assertions.Match_AnyValue(),
			},
		})
	})
	rules := resources(fullTpl, "AWS::SES::ReceiptRule")
	if len(rules) != 1 {
		t.Fatalf("receipt rules: %d", len(rules))
	}
	rule := get(rules[0].props(), "Rule")
	if get(rule, "TlsPolicy") != "Require" || get(rule, "ScanEnabled") != true || get(rule, "Recipients.0") != "mail.example.org" ||
		get(rule, "Actions.0.S3Action.ObjectKeyPrefix") != "raw/" || get(rule, "Actions.1.LambdaAction.InvocationType") != "Event" ||
		get(rule, "Actions.0.S3Action.KmsKeyArn") != nil {
		t.Errorf("receipt rule: %s", js(rule))
	}
	if len(resources(fullTpl, "AWS::SES::ReceiptRuleSet")) != 1 {
		t.Errorf("no receipt rule set")
	}
	subs := resources(fullTpl, "AWS::SNS::Subscription")
	lambdaSub := false
	for _, s := range subs {
		if s.props()["Protocol"] == "lambda" && s.props()["RedrivePolicy"] != nil {
			lambdaSub = true
		}
	}
	if !lambdaSub {
		t.Errorf("ses-events function not subscribed (with redrive) to the events topic: %s", js(subs))
	}
	for _, typ := range []string{"AWS::SES::EmailIdentity", "AWS::SES::ConfigurationSet", "AWS::SES::ReceiptRuleSet"} {
		if len(resources(minTpl, typ)) != 0 {
			t.Errorf("minimal: unexpected %s", typ)
		}
	}
}

func TestScheduler(t *testing.T) {
	need(t)
	// The scheduler is part of every deployment, with or without mail.
	if n := len(resources(minTpl, "AWS::Scheduler::Schedule")); n != 1 {
		t.Errorf("minimal: %d schedules, want 1", n)
	}
	scheds := resources(fullTpl, "AWS::Scheduler::Schedule")
	if len(scheds) != 1 {
		t.Fatalf("schedules: %d", len(scheds))
	}
	p := scheds[0].props()
	if p["ScheduleExpression"] != "rate(5 minutes)" || get(p, "Target.DeadLetterConfig.Arn") == nil || p["KmsKeyArn"] == nil ||
		get(p, "Target.RetryPolicy.MaximumRetryAttempts") != 2.0 {
		t.Errorf("schedule: %s", js(p))
	}
}

// TestOutboxStream: the mailer is the one reader of the table's stream; it
// reads only new outbox jobs and the items the search index follows,
// reports partial failures, bisects, and parks what still fails in its KMS
// DLQ; its role reads the stream and nothing wider than needed.
func TestOutboxStream(t *testing.T) {
	need(t)
	for name, tpl := range map[string]map[string]any{"full": fullTpl, "minimal": minTpl} {
		tables := resources(tpl, "AWS::DynamoDB::GlobalTable")
		if len(tables) != 1 || get(tables[0].props(), "StreamSpecification.StreamViewType") != "NEW_AND_OLD_IMAGES" {
			t.Errorf("%s: table stream: %s", name, js(tables))
		}
		maps := resources(tpl, "AWS::Lambda::EventSourceMapping")
		if len(maps) != 1 {
			t.Fatalf("%s: %d event source mappings, want 1", name, len(maps))
		}
		p := maps[0].props()
		filter := js(get(p, "FilterCriteria.Filters.0.Pattern"))
		// Every shard of the outbox (OUTBOX#00..15) and the legacy key: a prefix.
		if !strings.Contains(filter, `INSERT`) || !strings.Contains(filter, `GSI2PK`) || !strings.Contains(filter, `\"prefix\":\"OUTBOX\"`) {
			t.Errorf("%s: filter %s", name, filter)
		}
		// The search index: threads and comments, polls, outcomes, ballots.
		threads, polls := js(get(p, "FilterCriteria.Filters.1.Pattern")), js(get(p, "FilterCriteria.Filters.2.Pattern"))
		for _, want := range []string{`THREAD#`, `ITEM#`, `\"THREAD\"`} {
			if !strings.Contains(threads, want) {
				t.Errorf("%s: thread filter %s lacks %s", name, threads, want)
			}
		}
		for _, want := range []string{`POLL#`, `\"POLL\"`, `OUTCOME`, `BALLOT#`, `SEALED#`} {
			if !strings.Contains(polls, want) {
				t.Errorf("%s: poll filter %s lacks %s", name, polls, want)
			}
		}
		// The audit record's sealer: new entries.
		if f := js(get(p, "FilterCriteria.Filters.3.Pattern")); !strings.Contains(f, `INSERT`) || !strings.Contains(f, `AUDITSEAL`) {
			t.Errorf("%s: audit filter %s", name, f)
		}
		// The fan-out of notifications: new jobs.
		if f := js(get(p, "FilterCriteria.Filters.4.Pattern")); !strings.Contains(f, `INSERT`) || !strings.Contains(f, `\"FANOUT\"`) {
			t.Errorf("%s: fan-out filter %s", name, f)
		}
		if n := len(get(p, "FilterCriteria.Filters").([]any)); n != 5 {
			t.Errorf("%s: %d filters, want 5", name, n)
		}
		if p["ParallelizationFactor"] != 2.0 || p["BatchSize"] != 50.0 {
			t.Errorf("%s: mapping batch: %s", name, js(p))
		}
		if p["BisectBatchOnFunctionError"] != true || js(p["FunctionResponseTypes"]) != `["ReportBatchItemFailures"]` ||
			p["StartingPosition"] != "LATEST" || get(p, "DestinationConfig.OnFailure.Destination") == nil ||
			p["MaximumRetryAttempts"] != 3.0 || !strings.Contains(js(p["EventSourceArn"]), "StreamArn") {
			t.Errorf("%s: mapping: %s", name, js(p))
		}
		if !strings.Contains(js(p["FunctionName"]), "Fnmailer") {
			t.Errorf("%s: mapping targets %s", name, js(p["FunctionName"]))
		}
	}
	var streamActions []string
	for _, pol := range resources(fullTpl, "AWS::IAM::Policy") {
		for _, st := range get(pol.props(), "PolicyDocument.Statement").([]any) {
			if strings.Contains(js(st), "dynamodb:GetRecords") {
				if !strings.HasPrefix(pol.ID, "Fnmailer") {
					t.Errorf("%s may read the table stream", pol.ID)
				}
				streamActions = append(streamActions, js(get(st, "Resource")))
			}
		}
	}
	if len(streamActions) != 1 || !strings.Contains(streamActions[0], "StreamArn") {
		t.Errorf("stream read statements: %v", streamActions)
	}
}

func TestBackups(t *testing.T) {
	need(t)
	plans := resources(fullTpl, "AWS::Backup::BackupPlan")
	if len(plans) != 1 {
		t.Fatalf("plans: %d", len(plans))
	}
	rule := get(plans[0].props(), "BackupPlan.BackupPlanRule.0")
	if get(rule, "ScheduleExpression") != "cron(0 3 * * ? *)" || get(rule, "Lifecycle.DeleteAfterDays") != 35.0 ||
		get(rule, "CopyActions.0.DestinationBackupVaultArn") != "arn:aws:backup:eu-central-1:123456789012:backup-vault:quorum-eu-central-1" ||
		get(rule, "CopyActions.0.Lifecycle.DeleteAfterDays") != 35.0 {
		t.Errorf("backup rule: %s", js(rule))
	}
	for name, tpl := range map[string]map[string]any{"primary": fullTpl, "dr": fullDRTpl} {
		vaults := resources(tpl, "AWS::Backup::BackupVault")
		if len(vaults) != 1 || vaults[0].props()["EncryptionKeyArn"] == nil || vaults[0].Doc["DeletionPolicy"] != "Retain" {
			t.Errorf("%s vault: %s", name, js(vaults))
		}
	}
	sel := resources(fullTpl, "AWS::Backup::BackupSelection")
	if len(sel) != 1 || len(get(sel[0].props(), "BackupSelection.Resources").([]any)) != 3 {
		t.Errorf("selection must cover the table and both buckets: %s", js(sel))
	}
}

func TestAlarms(t *testing.T) {
	need(t)
	names := map[string]bool{}
	for _, a := range resources(fullTpl, "AWS::CloudWatch::Alarm") {
		names[a.props()["AlarmName"].(string)] = true
		if len(a.props()["AlarmActions"].([]any)) != 1 {
			t.Errorf("%s: no action", a.ID)
		}
	}
	want := []string{"quorum-api-errors", "quorum-api-throttles", "quorum-scheduler-errors", "quorum-inbound-dlq",
		"quorum-scheduler-dlq", "quorum-ses-events-dlq", "quorum-mailer-dlq", "quorum-mailer-errors", "quorum-api-5xx-rate", "quorum-table-throttles",
		"quorum-table-system-errors", "quorum-ses-bounce-rate", "quorum-ses-complaint-rate"}
	for _, w := range want {
		if !names[w] {
			t.Errorf("missing alarm %s (have %v)", w, names)
		}
	}
	topics := resources(fullTpl, "AWS::SNS::Topic")
	for _, tp := range topics {
		if tp.props()["KmsMasterKeyId"] == nil {
			t.Errorf("%s: topic not KMS-encrypted", tp.ID)
		}
	}
	assert(t, func() {
		fullT.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{"Protocol": "email", "Endpoint": "ops@example.org"})
	})
}

func TestSigningKeySecret(t *testing.T) {
	need(t)
	secrets := resources(fullTpl, "AWS::SecretsManager::Secret")
	if len(secrets) != 1 {
		t.Fatalf("secrets: %d", len(secrets))
	}
	p := secrets[0].props()
	if p["KmsKeyId"] == nil || get(p, "GenerateSecretString.PasswordLength") != 64.0 || get(p, "GenerateSecretString.ExcludePunctuation") != true ||
		p["SecretString"] != nil {
		t.Errorf("secret: %s", js(p))
	}
}

// Unsuppressed cdk-nag findings (AwsSolutions + NIST 800-53 R5) of every
// stack. The messages come from the app's cached synthesis (assertions'
// Annotations would synthesise the whole app again for every stack).
func TestNagHasNoUnsuppressedFindings(t *testing.T) {
	need(t)
	nagRule := regexp.MustCompile(`AwsSolutions-|NIST`)
	asm := awscdk.Stage_Of(full.Primary.Stack).Synth(nil)
	for _, st := range []*Stacks{full, minimal} {
		for _, stk := range []awscdk.Stack{st.DR.Stack, st.Primary.Stack, st.DRApp.Stack} {
			var found []string
			for _, m := range *asm.GetStackArtifact(stk.ArtifactId()).Messages() {
				//lint:ignore SA1019 the stack artifact's messages are of this type; its replacement has no Go binding yet
				level, id, data := m.Level, *m.Id, js(m.Entry.Data)
				//lint:ignore SA1019 the levels of the type above
				if (level == cxapi.SynthesisMessageLevel_ERROR || level == cxapi.SynthesisMessageLevel_WARNING) && nagRule.MatchString(data) {
					found = append(found, id+": "+data)
				}
			}
			if len(found) > 0 {
				t.Errorf("%s: %d unsuppressed findings:\n%s", *stk.StackName(), len(found), strings.Join(found, "\n"))
			}
		}
	}
}

// The /security facts and the template agree (both come from one Config).
func TestTemplateMatchesFacts(t *testing.T) {
	need(t)
	f := full.Facts
	rule := get(resources(fullTpl, "AWS::Backup::BackupPlan")[0].props(), "BackupPlan.BackupPlanRule.0")
	if get(rule, "Lifecycle.DeleteAfterDays") != float64(f.Backups.RetentionDays) ||
		!strings.Contains(js(get(rule, "CopyActions.0.DestinationBackupVaultArn")), f.Backups.CopyRegions[0]) {
		t.Errorf("backups: facts %+v, template %s", f.Backups, js(rule))
	}
	for _, r := range get(resources(fullTpl, "AWS::DynamoDB::GlobalTable")[0].props(), "Replicas").([]any) {
		if get(r, "PointInTimeRecoverySpecification.RecoveryPeriodInDays") != float64(f.PointInTimeRecovery.WindowDays) {
			t.Errorf("pitr: facts %d, template %s", f.PointInTimeRecovery.WindowDays, js(r))
		}
	}
	if resources(fullTpl, "AWS::KMS::Key")[0].props()["RotationPeriodInDays"] != float64(f.Encryption.RotationDays) {
		t.Errorf("rotation days differ")
	}
	// The recovery objectives quote the backup hour and the key deletion window.
	if get(rule, "ScheduleExpression") != fmt.Sprintf("cron(0 %d * * ? *)", facts.BackupHourUTC) {
		t.Errorf("backup hour: %s", js(get(rule, "ScheduleExpression")))
	}
	for _, tpl := range []map[string]any{fullTpl, fullDRTpl} {
		if resources(tpl, "AWS::KMS::Key")[0].props()["PendingWindowInDays"] != float64(facts.KeyDeletionWindowDays) {
			t.Errorf("key deletion window: %s", js(resources(tpl, "AWS::KMS::Key")[0].props()["PendingWindowInDays"]))
		}
	}
	if f.Recovery.StandbyRegion != full.DRApp.Region || minimal.Facts.Recovery.ActiveRegion != minimal.DRApp.Region || !minimal.DRApp.Active || full.DRApp.Active {
		t.Errorf("recovery regions: %+v / %+v", f.Recovery, minimal.Facts.Recovery)
	}
	if f.TLS.APIMinimumVersion != "TLS 1.2" || minimal.Facts.TLS.APIMinimumVersion == "TLS 1.2" {
		t.Errorf("TLS facts: full %q minimal %q", f.TLS.APIMinimumVersion, minimal.Facts.TLS.APIMinimumVersion)
	}
	if f.Regions.DisasterRecovery != "eu-central-1" || minimal.Facts.Regions.DisasterRecovery != "us-west-2" {
		t.Errorf("regions: %+v %+v", f.Regions, minimal.Facts.Regions)
	}
}

// Every function receives the facts of exactly the configuration the stack
// was built from, so /security cannot state more than the deployment does.
func TestFunctionsReceiveTheirDeploymentsFacts(t *testing.T) {
	need(t)
	for name, c := range map[string]struct {
		tpl map[string]any
		cfg facts.Config
	}{"full": {fullTpl, fullCfg}, "minimal": {minTpl, minCfg}} {
		want := facts.Of(c.cfg)
		for _, f := range resources(c.tpl, "AWS::Lambda::Function") {
			raw, ok := get(f.props(), "Environment.Variables.QUORUM_FACTS").(string)
			if !ok {
				t.Errorf("%s %s: no QUORUM_FACTS", name, f.ID)
				continue
			}
			var got facts.Facts
			if err := json.Unmarshal([]byte(raw), &got); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: facts differ from the configuration's: %v\n got %+v\nwant %+v", name, f.ID, err, got, want)
			}
		}
	}
}

// The api function outlives its longest request and the writes that settle
// the request's Idempotency-Key afterwards, so a claim's lease never ends
// after the function could still be running, and never much later: a key
// is free again soon after a function that timed out.
func TestAPITimeoutCoversRequestAndKeySettling(t *testing.T) {
	var request time.Duration
	for _, v := range config.Variables() {
		if v.Name == "QUORUM_REQUEST_TIMEOUT" {
			request, _ = time.ParseDuration(v.Default)
		}
	}
	if request <= 0 {
		t.Fatal("no default request timeout")
	}
	for _, sp := range Functions {
		if sp.Name == "api" {
			if lease := request + idempotency.CleanupBudget; sp.Timeout < lease || sp.Timeout > lease+5*time.Second {
				t.Fatalf("api timeout %s; a key's lease is %s (request timeout + settling)", sp.Timeout, lease)
			}
			return
		}
	}
	t.Fatal("no api function")
}
