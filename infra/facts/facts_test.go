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
		"domain": "q.example.org", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"})
	if err != nil {
		t.Fatal(err)
	}
	f2 := Of(c2)
	if f2.Regions.DisasterRecovery != "us-west-2" || f2.PointInTimeRecovery.WindowDays != 14 || f2.Backups.RetentionDays != 90 ||
		f2.Retention.InboundRawMailDays != 7 || !f2.Mail.Enabled || !f2.TLS.InboundMailTLSRequired || f2.TLS.APIEndpoint != "https://q.example.org" || f2.TLS.APIMinimumVersion != TLS12 {
		t.Fatalf("%+v", f2)
	}
}
