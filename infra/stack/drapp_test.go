package stack

import (
	"strings"
	"testing"

	"github.com/quorum-app/quorum/internal/config"
)

// sideState is what runs in one region: the schedule's state and whether the
// mailer's stream mapping is enabled.
func sideState(t *testing.T, name string, tpl map[string]any) (schedule string, mapping bool) {
	t.Helper()
	scheds := resources(tpl, "AWS::Scheduler::Schedule")
	maps := resources(tpl, "AWS::Lambda::EventSourceMapping")
	if len(scheds) != 1 || len(maps) != 1 {
		t.Fatalf("%s: %d schedules and %d stream mappings, want one each", name, len(scheds), len(maps))
	}
	on, ok := maps[0].props()["Enabled"].(bool)
	if !ok {
		t.Fatalf("%s: mapping without an explicit Enabled: %s", name, js(maps[0].props()))
	}
	return scheds[0].props()["State"].(string), on
}

// The pilot light: the DR region deploys the same application, idle. Its
// scheduler and its mailer's mapping (on the replica's stream) are off while
// the primary region is active.
func TestPilotLightIsIdleWhileThePrimaryIsActive(t *testing.T) {
	need(t)
	if sched, on := sideState(t, "primary", fullTpl); sched != "ENABLED" || !on {
		t.Errorf("primary: schedule %s, mapping enabled %v", sched, on)
	}
	if sched, on := sideState(t, "dr-app", fullAppTpl); sched != "DISABLED" || on {
		t.Errorf("pilot light: schedule %s, mapping enabled %v, want both off", sched, on)
	}
	// The five functions, with the primary's names, sizes and triggers.
	primaryFns := map[string]map[string]any{}
	for _, f := range resources(fullTpl, "AWS::Lambda::Function") {
		primaryFns[f.props()["FunctionName"].(string)] = f.props()
	}
	drFns := resources(fullAppTpl, "AWS::Lambda::Function")
	got := 0
	for _, f := range drFns {
		p := f.props()
		name, _ := p["FunctionName"].(string)
		pp, ok := primaryFns[name]
		if !ok {
			continue // the CDK's deploy-time lookup function
		}
		got++
		for _, k := range []string{"Runtime", "Architectures", "MemorySize", "Timeout", "ReservedConcurrentExecutions", "Handler"} {
			if js(p[k]) != js(pp[k]) {
				t.Errorf("%s: %s %s in DR, %s in the primary", name, k, js(p[k]), js(pp[k]))
			}
		}
		env := get(p, "Environment.Variables")
		if get(env, "QUORUM_UPLOADS_BUCKET") != "quorum-uploads-123456789012-eu-central-1" ||
			get(env, "QUORUM_INBOUND_BUCKET") != "quorum-inbound-123456789012-eu-central-1" ||
			get(env, "QUORUM_SIGNING_KEY_SECRET_ARN") != "arn:aws:secretsmanager:eu-central-1:123456789012:secret:quorum/signing-key" ||
			get(env, "QUORUM_BASE_URL") != "https://quorum.example.org" || get(env, "QUORUM_TABLE") != "quorum-main" ||
			!strings.Contains(js(get(env, "QUORUM_KMS_KEY_ID")), "quorum-dr:") {
			t.Errorf("%s: DR environment %s", name, js(env))
		}
	}
	if got != len(Functions) {
		t.Errorf("pilot light has %d of the %d functions", got, len(Functions))
	}
	// The HTTP API with the custom domain (DR certificate, TLS 1.2).
	if len(resources(fullAppTpl, "AWS::ApiGatewayV2::Api")) != 1 || len(resources(fullAppTpl, "AWS::ApiGatewayV2::Route")) != 1 {
		t.Error("pilot light: no HTTP API with its $default route")
	}
	dn := resources(fullAppTpl, "AWS::ApiGatewayV2::DomainName")
	if len(dn) != 1 || dn[0].props()["DomainName"] != "quorum.example.org" ||
		get(dn[0].props(), "DomainNameConfigurations.0.CertificateArn") != testDRCert ||
		get(dn[0].props(), "DomainNameConfigurations.0.SecurityPolicy") != "TLS_1_2" {
		t.Errorf("pilot light custom domain: %s", js(dn))
	}
	// SES receiving (eu-central-1 receives mail): an inactive rule set that
	// stores into the DR inbound bucket and invokes the DR inbound function.
	rules := resources(fullAppTpl, "AWS::SES::ReceiptRule")
	if len(rules) != 1 || !strings.Contains(js(rules[0].props()), "Replicainbound") || !strings.Contains(js(rules[0].props()), "Fninbound") {
		t.Errorf("pilot light receipt rule: %s", js(rules))
	}
	if len(resources(fullAppTpl, "AWS::SES::EmailIdentity")) != 1 || len(resources(fullAppTpl, "AWS::SES::ConfigurationSet")) != 1 {
		t.Error("pilot light: no SES identity and configuration set")
	}
	// The mapping reads the replica's stream, whose ARN a deploy-time lookup
	// reads with a role that may only describe the replica.
	m := resources(fullAppTpl, "AWS::Lambda::EventSourceMapping")[0].props()
	if !strings.Contains(js(m["EventSourceArn"]), "ReplicaStream") || !strings.Contains(js(m["FilterCriteria"]), "OUTBOX") {
		t.Errorf("pilot light mapping: %s", js(m))
	}
	lookup := resources(fullAppTpl, "Custom::ReplicaStreamArn")
	if len(lookup) != 1 || !strings.Contains(js(lookup[0].props()), "describeTable") || !strings.Contains(js(lookup[0].props()), "quorum-main") {
		t.Errorf("replica stream lookup: %s", js(lookup))
	}
	for _, pol := range resources(fullAppTpl, "AWS::IAM::Policy") {
		if strings.HasPrefix(pol.ID, "ReplicaStreamLookupRole") {
			doc := js(pol.props())
			if !strings.Contains(doc, `"dynamodb:DescribeTable"`) || !strings.Contains(doc, "arn:aws:dynamodb:eu-central-1:123456789012:table/quorum-main") ||
				strings.Contains(doc, `"Resource":"*"`) {
				t.Errorf("lookup role policy: %s", doc)
			}
		}
	}
	// The signing key is replicated to the DR region, under the DR key.
	sec := resources(fullTpl, "AWS::SecretsManager::Secret")[0].props()
	if get(sec, "ReplicaRegions.0.Region") != "eu-central-1" || !strings.Contains(js(get(sec, "ReplicaRegions.0.KmsKeyId")), "eu-central-1") {
		t.Errorf("signing key replicas: %s", js(sec["ReplicaRegions"]))
	}
	// The DR key lets the pilot light's services use it.
	drKey := js(resources(fullDRTpl, "AWS::KMS::Key")[0].props())
	for _, sid := range []string{"CloudWatchLogs", "CloudWatchAlarmsToEncryptedTopic", "SESWritesInboundMailAndPublishesEvents"} {
		if !strings.Contains(drKey, sid) {
			t.Errorf("DR key policy lacks %s", sid)
		}
	}
	// Alarms watch the pilot light too (they matter once it is active).
	if n := len(resources(fullAppTpl, "AWS::CloudWatch::Alarm")); n != len(resources(fullTpl, "AWS::CloudWatch::Alarm")) {
		t.Errorf("pilot light alarms: %d, primary %d", n, len(resources(fullTpl, "AWS::CloudWatch::Alarm")))
	}
	// Deployed after the primary stack (the replica exists then).
	deps := full.DRApp.Stack.Dependencies()
	afterPrimary := false
	for _, d := range *deps {
		if *d.StackName() == *full.Primary.Stack.StackName() {
			afterPrimary = true
		}
	}
	if !afterPrimary {
		t.Error("the pilot light does not depend on the primary stack")
	}
}

// After a failover (activeRegion = the DR region): the primary's scheduler
// and mapping are off, the DR region's on, in the templates as make failover
// leaves them, so a deploy keeps that state.
func TestBothSidesAfterFailover(t *testing.T) {
	need(t)
	if minimal.Config.ActiveRegion != minimal.Config.DRRegion {
		t.Fatalf("the minimal deployment is meant to be failed over: %+v", minimal.Config)
	}
	if sched, on := sideState(t, "primary", minTpl); sched != "DISABLED" || on {
		t.Errorf("old primary: schedule %s, mapping enabled %v, want both off", sched, on)
	}
	if sched, on := sideState(t, "dr-app", minAppTpl); sched != "ENABLED" || !on {
		t.Errorf("active DR region: schedule %s, mapping enabled %v, want both on", sched, on)
	}
	// Without a domain, the DR API answers on its execute-api endpoint, and
	// without mail there is no SES.
	if len(resources(minAppTpl, "AWS::ApiGatewayV2::DomainName")) != 0 || len(resources(minAppTpl, "AWS::SES::ReceiptRuleSet")) != 0 {
		t.Error("minimal pilot light: unexpected domain or SES")
	}
	if api := resources(minAppTpl, "AWS::ApiGatewayV2::Api"); len(api) != 1 || api[0].props()["DisableExecuteApiEndpoint"] == true {
		t.Errorf("minimal pilot light API: %s", js(api))
	}
	// Its functions run with a valid configuration.
	for name, tpl := range map[string]map[string]any{"full": fullAppTpl, "minimal": minAppTpl} {
		for _, f := range resources(tpl, "AWS::Lambda::Function") {
			vars, ok := get(f.props(), "Environment.Variables").(map[string]any)
			if !ok || vars["QUORUM_ENV"] == nil {
				continue // the CDK's deploy-time lookup function
			}
			env := resolveEnv(vars)
			env["AWS_REGION"] = "eu-central-1"
			if _, err := config.Load(func(k string) string { return env[k] }); err != nil {
				t.Errorf("%s dr-app %s: %v", name, f.ID, err)
			}
		}
	}
}
