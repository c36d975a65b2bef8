// Package facts holds the configuration of a Quorum deployment and the
// security "facts" derived from it: regions, encryption, backups,
// point-in-time recovery, replication, TLS and retention periods.
//
// The CDK stack (infra/stack) is built from a Config, and the /security page
// renders Of(Config): both read the same values, so the page can never promise
// more than the deployment sets. This package imports nothing from the CDK or
// the AWS SDK so that functions can depend on it cheaply.
package facts

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Config is the validated configuration of one deployment. Every field comes
// from a cdk.json context key of the same name (lower camel case), which `-c
// key=value` overrides.
type Config struct {
	// AppName prefixes every physical name (table, buckets, functions, keys).
	AppName string
	// Account is the 12-digit AWS account both stacks deploy to.
	Account string
	// PrimaryRegion serves traffic; DRRegion holds replicas and backup copies.
	PrimaryRegion string
	DRRegion      string
	// Domain is the public web domain (optional: without it the API answers
	// on its execute-api endpoint). CertificateArn is an ACM certificate for
	// Domain in PrimaryRegion (required with Domain).
	Domain         string
	CertificateArn string
	// DRCertificateArn is an ACM certificate for Domain in DRRegion
	// (required with Domain): the pilot-light API answers on the same domain
	// after a failover.
	DRCertificateArn string
	// HostedZoneID is the Route 53 hosted zone of Domain (optional): with it,
	// make failover/failback switch the domain's failover records (and the
	// mail domain's MX when the zone holds it); without it they print the DNS
	// changes to make.
	HostedZoneID string
	// ActiveRegion serves traffic and runs the scheduler and the mailer:
	// PrimaryRegion (default) or, after make failover, DRRegion. The other
	// region's compute is deployed idle (pilot light).
	ActiveRegion string
	// MailDomain sends and receives mail (optional, defaults to Domain;
	// without any, SES is not configured and mail is disabled).
	MailDomain string
	// AlarmEmail receives alarm notifications (optional).
	AlarmEmail string
	// LogRetentionDays applies to function and API access log groups.
	LogRetentionDays int
	// AccessLogRetentionDays applies to S3 server access logs.
	AccessLogRetentionDays int
	// InboundMailRetentionDays is how long raw inbound mail (MIME) is kept.
	InboundMailRetentionDays int
	// NoncurrentVersionDays is how long overwritten or deleted object
	// versions are kept (the window for restoring an object version).
	NoncurrentVersionDays int
	// BackupRetentionDays is how long daily backups (and their DR copies) are kept.
	BackupRetentionDays int
	// PITRDays is the point-in-time recovery window of the table (1-35).
	PITRDays int
	// KeyRotationDays is the automatic rotation period of the KMS keys (90-2560).
	KeyRotationDays int
	// APIRateLimit and APIBurstLimit throttle the HTTP API stage (requests/s).
	APIRateLimit  int
	APIBurstLimit int
	// LogLevel of the functions (QUORUM_LOG_LEVEL).
	LogLevel string
	// DRKeyArn optionally pins the DR region's KMS key by key ARN; by default
	// the primary stack refers to it through its alias ARN.
	DRKeyArn string
	// LambdaAssetDir holds build/lambda/<function>/bootstrap.
	LambdaAssetDir string
}

// Defaults are used for context keys that are absent.
func Defaults() Config {
	return Config{
		AppName:                  "quorum",
		PrimaryRegion:            "eu-west-1",
		DRRegion:                 "eu-central-1",
		LogRetentionDays:         365,
		AccessLogRetentionDays:   365,
		InboundMailRetentionDays: 30,
		NoncurrentVersionDays:    90,
		BackupRetentionDays:      35,
		PITRDays:                 35,
		KeyRotationDays:          365,
		APIRateLimit:             50,
		APIBurstLimit:            100,
		LogLevel:                 "info",
		LambdaAssetDir:           "build/lambda",
	}
}

// Keys lists the context keys Load reads, in documentation order.
var Keys = []string{
	"appName", "account", "primaryRegion", "drRegion", "activeRegion", "domain", "certificateArn", "drCertificateArn",
	"hostedZoneId", "mailDomain",
	"alarmEmail", "logRetentionDays", "accessLogRetentionDays", "inboundMailRetentionDays",
	"noncurrentVersionDays", "backupRetentionDays", "pitrDays", "keyRotationDays",
	"apiRateLimit", "apiBurstLimit", "logLevel", "drKeyArn", "lambdaAssetDir",
}

// CloudWatch Logs accepts only these retention periods (days).
var logRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// The patterns of Load, compiled on first use: every function imports this
// package (through internal/config), and compiling them at package
// initialisation cost each cold start about 0.4 ms and 170 kB.
var (
	appNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9-]{1,18}[a-z0-9]$`) })
	accountRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	regionRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`) })
	domainRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	})
	certRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]+$`)
	})
	zoneRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^Z[0-9A-Z]{1,32}$`) })
	keyArnRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:key/[0-9a-zA-Z-]+$`)
	})
)

// SES receives mail only in some regions (receipt rules).
var sesReceivingRegions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true, "ca-central-1": true,
	"eu-west-1": true, "eu-west-2": true, "eu-west-3": true, "eu-central-1": true, "eu-north-1": true, "eu-south-1": true,
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true, "ap-south-1": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true,
}

// Load reads the configuration through lookup, which returns the context
// value of a key (string, float64 or bool as cdk.json and -c produce them)
// or nil when absent. The error lists every invalid key, one per line.
func Load(lookup func(key string) any) (Config, error) {
	c := Defaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	str := func(key string, dst *string) {
		switch v := lookup(key).(type) {
		case nil:
		case string:
			if s := strings.TrimSpace(v); s != "" {
				*dst = s
			}
		default:
			bad(key, "must be a string, got %v", v)
		}
	}
	num := func(key string, dst *int) {
		switch v := lookup(key).(type) {
		case nil:
		case float64:
			if v != float64(int(v)) {
				bad(key, "must be a whole number, got %v", v)
				return
			}
			*dst = int(v)
		case int:
			*dst = v
		case string:
			if strings.TrimSpace(v) == "" {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				bad(key, "must be a whole number, got %q", v)
				return
			}
			*dst = n
		default:
			bad(key, "must be a number, got %v", v)
		}
	}
	str("appName", &c.AppName)
	str("account", &c.Account)
	str("primaryRegion", &c.PrimaryRegion)
	str("drRegion", &c.DRRegion)
	str("domain", &c.Domain)
	str("certificateArn", &c.CertificateArn)
	str("drCertificateArn", &c.DRCertificateArn)
	str("hostedZoneId", &c.HostedZoneID)
	str("activeRegion", &c.ActiveRegion)
	str("mailDomain", &c.MailDomain)
	str("alarmEmail", &c.AlarmEmail)
	num("logRetentionDays", &c.LogRetentionDays)
	num("accessLogRetentionDays", &c.AccessLogRetentionDays)
	num("inboundMailRetentionDays", &c.InboundMailRetentionDays)
	num("noncurrentVersionDays", &c.NoncurrentVersionDays)
	num("backupRetentionDays", &c.BackupRetentionDays)
	num("pitrDays", &c.PITRDays)
	num("keyRotationDays", &c.KeyRotationDays)
	num("apiRateLimit", &c.APIRateLimit)
	num("apiBurstLimit", &c.APIBurstLimit)
	str("logLevel", &c.LogLevel)
	str("drKeyArn", &c.DRKeyArn)
	str("lambdaAssetDir", &c.LambdaAssetDir)

	c.Domain = strings.ToLower(c.Domain)
	c.MailDomain = strings.ToLower(c.MailDomain)
	if c.MailDomain == "" {
		c.MailDomain = c.Domain
	}
	if c.ActiveRegion == "" {
		c.ActiveRegion = c.PrimaryRegion
	}

	if !appNameRe().MatchString(c.AppName) {
		bad("appName", "%q must be 3-20 lowercase letters, digits or hyphens, starting with a letter", c.AppName)
	}
	switch {
	case c.Account == "":
		bad("account", "is required: pass -c account=123456789012 (or run the CDK CLI with credentials, which sets CDK_DEFAULT_ACCOUNT)")
	case !accountRe().MatchString(c.Account):
		bad("account", "%q is not a 12-digit AWS account id", c.Account)
	}
	for key, r := range map[string]string{"primaryRegion": c.PrimaryRegion, "drRegion": c.DRRegion} {
		if !regionRe().MatchString(r) {
			bad(key, "%q is not an AWS region name (like eu-west-1)", r)
		}
	}
	if c.PrimaryRegion == c.DRRegion {
		bad("drRegion", "must differ from primaryRegion (%s)", c.PrimaryRegion)
	}
	if c.Domain != "" && !domainRe().MatchString(c.Domain) {
		bad("domain", "%q is not a domain name", c.Domain)
	}
	// A custom domain needs a certificate in each region that serves it.
	cert := func(key, arn, region, regionKey, why string) {
		switch {
		case c.Domain != "" && arn == "":
			bad(key, "is required with domain: an ACM certificate for %s in %s%s", c.Domain, region, why)
		case c.Domain == "" && arn != "":
			bad(key, "is set but domain is not")
		case arn != "":
			if m := certRe().FindStringSubmatch(arn); m == nil {
				bad(key, "%q is not an ACM certificate ARN", arn)
			} else if m[1] != region {
				bad(key, "must be in %s %s, not %s", regionKey, region, m[1])
			}
		}
	}
	cert("certificateArn", c.CertificateArn, c.PrimaryRegion, "primaryRegion", "")
	cert("drCertificateArn", c.DRCertificateArn, c.DRRegion, "drRegion", " (the pilot-light API answers on it after a failover)")
	if c.ActiveRegion != c.PrimaryRegion && c.ActiveRegion != c.DRRegion {
		bad("activeRegion", "%q must be primaryRegion (%s) or drRegion (%s)", c.ActiveRegion, c.PrimaryRegion, c.DRRegion)
	}
	if c.HostedZoneID != "" {
		if c.Domain == "" {
			bad("hostedZoneId", "is set but domain is not")
		} else if !zoneRe().MatchString(c.HostedZoneID) {
			bad("hostedZoneId", "%q is not a Route 53 hosted zone id (like Z0123456789ABCDEFGHIJ)", c.HostedZoneID)
		}
	}
	if c.MailDomain != "" {
		if !domainRe().MatchString(c.MailDomain) {
			bad("mailDomain", "%q is not a domain name", c.MailDomain)
		}
		if !sesReceivingRegions[c.PrimaryRegion] {
			bad("primaryRegion", "%s does not support SES email receiving, which mailDomain needs", c.PrimaryRegion)
		}
	}
	if c.AlarmEmail != "" {
		if a, err := mail.ParseAddress(c.AlarmEmail); err != nil || a.Address != c.AlarmEmail {
			bad("alarmEmail", "%q is not a plain email address", c.AlarmEmail)
		}
	}
	if !containsInt(logRetentions, c.LogRetentionDays) {
		bad("logRetentionDays", "%d is not a CloudWatch Logs retention period (one of %v)", c.LogRetentionDays, logRetentions)
	}
	between := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(key, "must be between %d and %d, got %d", lo, hi, v)
		}
	}
	between("accessLogRetentionDays", c.AccessLogRetentionDays, 1, 3653)
	between("inboundMailRetentionDays", c.InboundMailRetentionDays, 1, 3653)
	between("noncurrentVersionDays", c.NoncurrentVersionDays, 1, 3653)
	between("backupRetentionDays", c.BackupRetentionDays, 7, 36500)
	between("pitrDays", c.PITRDays, 1, 35)
	between("keyRotationDays", c.KeyRotationDays, 90, 2560)
	between("apiRateLimit", c.APIRateLimit, 1, 10000)
	between("apiBurstLimit", c.APIBurstLimit, 1, 5000)
	if c.APIBurstLimit < c.APIRateLimit && c.APIBurstLimit > 0 {
		bad("apiBurstLimit", "must be at least apiRateLimit (%d)", c.APIRateLimit)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("logLevel", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.DRKeyArn != "" {
		if m := keyArnRe().FindStringSubmatch(c.DRKeyArn); m == nil {
			bad("drKeyArn", "%q is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)", c.DRKeyArn)
		} else if m[1] != c.DRRegion {
			bad("drKeyArn", "must be in drRegion %s, not %s", c.DRRegion, m[1])
		}
	}
	if c.LambdaAssetDir == "" {
		bad("lambdaAssetDir", "must not be empty")
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return Config{}, fmt.Errorf("invalid infra configuration (cdk.json context or -c overrides):\n%w", errors.Join(errs...))
	}
	return c, nil
}

// ReceivesMail reports whether SES receives mail in region (receipt rules).
func ReceivesMail(region string) bool { return sesReceivingRegions[region] }

// StandbyRegion is the region that is not active.
func (c Config) StandbyRegion() string {
	if c.ActiveRegion == c.DRRegion {
		return c.PrimaryRegion
	}
	return c.DRRegion
}

// MailEnabled reports whether SES sending and receiving are configured.
func (c Config) MailEnabled() bool { return c.MailDomain != "" }

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
