package facts

import (
	"strings"
	"testing"
)

func load(t *testing.T, m map[string]any) (Config, error) {
	t.Helper()
	return Load(func(k string) any { return m[k] })
}

func TestDefaultsAndNumbersFromContext(t *testing.T) {
	c, err := load(t, map[string]any{"account": "123456789012", "pitrDays": float64(7), "backupRetentionDays": "40"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AppName != "quorum" || c.PrimaryRegion != "eu-west-1" || c.DRRegion != "eu-central-1" || c.PITRDays != 7 || c.BackupRetentionDays != 40 {
		t.Fatalf("%+v", c)
	}
	if c.MailEnabled() || c.APIOrigin() != "" {
		t.Fatalf("mail/domain should be off: %+v", c)
	}
}

func TestValidationNamesEveryBadKey(t *testing.T) {
	_, err := load(t, map[string]any{
		"account": "12", "primaryRegion": "eu-west-1", "drRegion": "eu-west-1", "domain": "x.example.org",
		"logRetentionDays": float64(42), "pitrDays": float64(36), "alarmEmail": "nope", "logLevel": "loud",
		"keyRotationDays": float64(10),
	})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"account: \"12\" is not a 12-digit", "drRegion: must differ", "certificateArn: is required with domain",
		"logRetentionDays: 42 is not", "pitrDays: must be between 1 and 35", "alarmEmail:", "logLevel:", "keyRotationDays:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := load(t, map[string]any{}); err == nil || !strings.Contains(err.Error(), "account: is required") {
		t.Errorf("missing account: %v", err)
	}
	if _, err := load(t, map[string]any{"account": "123456789012", "mailDomain": "m.example.org", "primaryRegion": "sa-east-1"}); err == nil ||
		!strings.Contains(err.Error(), "does not support SES email receiving") {
		t.Errorf("SES receiving region: %v", err)
	}
}

// The facts follow the configuration: change it and they change.
func TestFactsFollowConfig(t *testing.T) {
	base := map[string]any{"account": "123456789012"}
	c1, _ := load(t, base)
	f1 := Of(c1)
	if f1.Backups.RetentionDays != 35 || f1.PointInTimeRecovery.WindowDays != 35 || f1.Regions.DisasterRecovery != "eu-central-1" ||
		f1.Backups.CopyRegions[0] != "eu-central-1" || !f1.Encryption.Rotation || f1.Encryption.RotationDays != 365 ||
		f1.Retention.InboundRawMailDays != 30 || f1.TLS.APIMinimumVersion != APIDefaultEndpointTLS || f1.Mail.Enabled {
		t.Fatalf("%+v", f1)
	}
	c2, err := load(t, map[string]any{"account": "123456789012", "drRegion": "us-west-2", "pitrDays": float64(14),
		"backupRetentionDays": float64(90), "inboundMailRetentionDays": float64(7), "mailDomain": "m.example.org",
		"domain": "q.example.org", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123",
		"drCertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/def-456"})
	if err != nil {
		t.Fatal(err)
	}
	f2 := Of(c2)
	if f2.Regions.DisasterRecovery != "us-west-2" || f2.PointInTimeRecovery.WindowDays != 14 || f2.Backups.RetentionDays != 90 ||
		f2.Retention.InboundRawMailDays != 7 || !f2.Mail.Enabled || !f2.TLS.InboundMailTLSRequired || f2.TLS.APIEndpoint != "https://q.example.org" || f2.TLS.APIMinimumVersion != TLS12 {
		t.Fatalf("%+v", f2)
	}
}

// The pilot-light keys: the active region is one of the two, a domain needs
// a certificate in the DR region too, a hosted zone needs a domain.
func TestFailoverKeys(t *testing.T) {
	c, err := load(t, map[string]any{"account": "123456789012"})
	if err != nil || c.ActiveRegion != "eu-west-1" || c.StandbyRegion() != "eu-central-1" {
		t.Fatalf("default active region: %+v %v", c, err)
	}
	c, err = load(t, map[string]any{"account": "123456789012", "activeRegion": "eu-central-1"})
	if err != nil || c.ActiveRegion != "eu-central-1" || c.StandbyRegion() != "eu-west-1" {
		t.Fatalf("failed over: %+v %v", c, err)
	}
	_, err = load(t, map[string]any{"account": "123456789012", "activeRegion": "us-east-1", "hostedZoneId": "Z123",
		"domain": "q.example.org", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"})
	for _, want := range []string{"activeRegion: \"us-east-1\" must be primaryRegion", "drCertificateArn: is required with domain"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	_, err = load(t, map[string]any{"account": "123456789012", "hostedZoneId": "Z123"})
	if err == nil || !strings.Contains(err.Error(), "hostedZoneId: is set but domain is not") {
		t.Errorf("zone without domain: %v", err)
	}
	_, err = load(t, map[string]any{"account": "123456789012", "domain": "q.example.org", "hostedZoneId": "not-a-zone",
		"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc", "drCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"})
	for _, want := range []string{"hostedZoneId: \"not-a-zone\"", "drCertificateArn: must be in drRegion eu-central-1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if !ReceivesMail("eu-central-1") || ReceivesMail("sa-east-1") {
		t.Error("SES receiving regions")
	}
}

// The recovery objectives follow the configuration too.
func TestRecoveryObjectivesFollowConfig(t *testing.T) {
	c1, _ := load(t, map[string]any{"account": "123456789012"})
	c2, err := load(t, map[string]any{"account": "123456789012", "pitrDays": float64(7), "backupRetentionDays": float64(90),
		"noncurrentVersionDays": float64(30), "activeRegion": "eu-central-1", "domain": "q.example.org", "hostedZoneId": "Z0123456789ABC",
		"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc", "drCertificateArn": "arn:aws:acm:eu-central-1:123456789012:certificate/def"})
	if err != nil {
		t.Fatal(err)
	}
	all := func(r Recovery) string {
		var b strings.Builder
		for _, o := range r.Objectives {
			b.WriteString(o.Scenario + "|" + o.RecoveryPoint + "|" + o.RecoveryTime + "|" + o.How + "\n")
		}
		return b.String()
	}
	r1, r2 := Of(c1).Recovery, Of(c2).Recovery
	for _, want := range []string{"The active region (eu-west-1) is down", "replica in eu-central-1", "last 35 days", "daily backups at 03:00 UTC, kept 35 days",
		"kept 90 days after it is replaced", "prints the DNS change", "deletion waits 30 days", "not recoverable"} {
		if !strings.Contains(all(r1), want) {
			t.Errorf("defaults lack %q:\n%s", want, all(r1))
		}
	}
	for _, want := range []string{"The active region (eu-central-1) is down", "replica in eu-west-1", "last 7 days", "kept 90 days, copied to eu-central-1",
		"noticed after 7 days but within 90",
		"kept 30 days after", "Route 53 failover records"} {
		if !strings.Contains(all(r2), want) {
			t.Errorf("changed configuration lacks %q:\n%s", want, all(r2))
		}
	}
	if r1.ActiveRegion != "eu-west-1" || r1.StandbyRegion != "eu-central-1" || r2.StandbyRegion != "eu-west-1" || !r1.PilotLight {
		t.Errorf("regions: %+v %+v", r1, r2)
	}
	if strings.Contains(all(r1), "noticed after") {
		t.Errorf("backups kept no longer than the PITR window add no later scenario:\n%s", all(r1))
	}
	if r1.Objectives[1].WithinDays != 35 || r2.Objectives[1].WithinDays != 7 || r2.Objectives[2].WithinDays != 90 {
		t.Errorf("windows: %+v", r2.Objectives)
	}
}
