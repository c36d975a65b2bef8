package facts

import (
	"fmt"
	"strconv"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// Facts is what a deployment built from a Config guarantees, in plain terms,
// for the /security page and its JSON form. Every value is derived from the
// Config; the stack reads the same values when it builds the resources.
type Facts struct {
	App                 string      `json:"app"`
	Regions             Regions     `json:"regions"`
	Encryption          Encryption  `json:"encryption"`
	Backups             Backups     `json:"backups"`
	PointInTimeRecovery PITR        `json:"pointInTimeRecovery"`
	Replication         Replication `json:"replication"`
	TLS                 TLS         `json:"tls"`
	Retention           Retention   `json:"retention"`
	Mail                Mail        `json:"mail"`
	Recovery            Recovery    `json:"recovery"`
}

// Regions where data lives.
type Regions struct {
	Primary          string `json:"primary"`
	DisasterRecovery string `json:"disasterRecovery"`
}

// Encryption at rest.
type Encryption struct {
	// KeyType describes the keys protecting data at rest.
	KeyType string `json:"keyType"`
	// KeyAlias names the key in each region.
	KeyAlias string `json:"keyAlias"`
	// Rotation is automatic key rotation; RotationDays its period.
	Rotation     bool `json:"rotation"`
	RotationDays int  `json:"rotationDays"`
	// Covers lists what the keys encrypt.
	Covers []string `json:"covers"`
}

// Backups of the table and buckets (AWS Backup).
type Backups struct {
	Frequency     string   `json:"frequency"`
	RetentionDays int      `json:"retentionDays"`
	Resources     []string `json:"resources"`
	// CopyRegions receive a copy of every backup, kept CopyRetentionDays.
	CopyRegions       []string `json:"copyRegions"`
	CopyRetentionDays int      `json:"copyRetentionDays"`
	VaultEncryption   string   `json:"vaultEncryption"`
}

// PITR is DynamoDB point-in-time recovery.
type PITR struct {
	Enabled    bool     `json:"enabled"`
	WindowDays int      `json:"windowDays"`
	Regions    []string `json:"regions"`
}

// Replication of data to the DR region.
type Replication struct {
	// TableReplicaRegions hold a live replica of the table (global table).
	TableReplicaRegions []string `json:"tableReplicaRegions"`
	// BucketReplicaRegion receives a copy of every object version.
	BucketReplicaRegion string   `json:"bucketReplicaRegion"`
	Buckets             []string `json:"buckets"`
}

// TLS policies in transit.
type TLS struct {
	// APIMinimumVersion is the minimum TLS version of the public endpoint.
	APIMinimumVersion string `json:"apiMinimumVersion"`
	APIEndpoint       string `json:"apiEndpoint"`
	// StorageTLSOnly: bucket and queue policies deny requests without TLS.
	StorageTLSOnly bool `json:"storageTlsOnly"`
	// InboundMailTLSRequired: SES rejects inbound mail not sent over TLS.
	InboundMailTLSRequired bool `json:"inboundMailTlsRequired"`
	// OutboundMailTLSRequired: SES delivers outbound mail only over TLS.
	OutboundMailTLSRequired bool `json:"outboundMailTlsRequired"`
}

// Retention periods (days).
type Retention struct {
	InboundRawMailDays      int `json:"inboundRawMailDays"`
	NoncurrentVersionDays   int `json:"noncurrentObjectVersionDays"`
	ApplicationLogDays      int `json:"applicationLogDays"`
	StorageAccessLogDays    int `json:"storageAccessLogDays"`
	BackupDays              int `json:"backupDays"`
	PointInTimeRecoveryDays int `json:"pointInTimeRecoveryDays"`
}

// Mail configuration.
type Mail struct {
	Enabled bool   `json:"enabled"`
	Domain  string `json:"domain,omitempty"`
	// DKIM signs outbound mail (Easy DKIM, 2048-bit).
	DKIM bool `json:"dkim"`
	// SpamVirusScanning of inbound mail.
	SpamVirusScanning bool `json:"spamVirusScanning"`
	// Local: a development installation (make dev) whose mail goes to the
	// local SES emulator and comes in through make mail-in; nothing leaves
	// or reaches the machine, nothing is signed or scanned.
	Local bool `json:"local,omitempty"`
}

// LocalMail is the mail of a development installation with mail domain
// domain: it works, on stand-ins only.
func LocalMail(domain string) Mail { return Mail{Enabled: true, Domain: domain, Local: true} }

// Recovery is what can be brought back after what, and how fast: the
// recovery point (how much recent data may be lost) and recovery time (how
// long until service or data is back) of each scenario, as the
// configuration sets them.
type Recovery struct {
	// ActiveRegion serves users; StandbyRegion holds the idle application
	// (pilot light) that make failover switches on.
	ActiveRegion  string      `json:"activeRegion"`
	StandbyRegion string      `json:"standbyRegion"`
	PilotLight    bool        `json:"pilotLight"`
	Objectives    []Objective `json:"objectives"`
}

// Objective is one scenario's recovery point and time.
type Objective struct {
	Scenario      string `json:"scenario"`
	RecoveryPoint string `json:"recoveryPoint"`
	RecoveryTime  string `json:"recoveryTime"`
	// Within is how long after the event recovery is possible ("" when it
	// does not depend on noticing in time); 0 days means never.
	WithinDays int    `json:"withinDays,omitempty"`
	How        string `json:"how"`
}

// Values the stack sets that the recovery objectives depend on.
const (
	// BackupHourUTC is when the daily backup starts (cron, UTC).
	BackupHourUTC = 3
	// KeyDeletionWindowDays is the waiting period before a scheduled KMS key
	// deletion takes effect (it can be cancelled until then).
	KeyDeletionWindowDays = 30
)

// TLS policy names.
const (
	TLS12 = "TLS 1.2"
	// APIDefaultEndpointTLS: without a custom domain the execute-api endpoint's
	// AWS-managed policy applies; the stack does not set a minimum itself.
	APIDefaultEndpointTLS = "AWS-managed (API Gateway default endpoint)"
	BackupFrequencyDaily  = "daily"
)

// Of returns the facts of a deployment built from c.
func Of(c Config) Facts {
	buckets := []string{}
	for _, b := range tabledef.Buckets(c.AppName, "") {
		buckets = append(buckets, b.Role)
	}
	f := Facts{
		App:     c.AppName,
		Regions: Regions{Primary: c.PrimaryRegion, DisasterRecovery: c.DRRegion},
		Encryption: Encryption{
			KeyType:      "AWS KMS customer-managed key, one per region",
			KeyAlias:     c.KeyAlias(),
			Rotation:     true,
			RotationDays: c.KeyRotationDays,
			Covers: []string{"database table and replicas", "file and inbound mail buckets and their replicas",
				"backups", "logs", "queues and notification topics", "signing secret"},
		},
		Backups: Backups{
			Frequency:         BackupFrequencyDaily,
			RetentionDays:     c.BackupRetentionDays,
			Resources:         append([]string{"table"}, buckets...),
			CopyRegions:       []string{c.DRRegion},
			CopyRetentionDays: c.BackupRetentionDays,
			VaultEncryption:   "AWS KMS customer-managed key",
		},
		PointInTimeRecovery: PITR{Enabled: true, WindowDays: c.PITRDays, Regions: []string{c.PrimaryRegion, c.DRRegion}},
		Replication: Replication{
			TableReplicaRegions: []string{c.DRRegion},
			BucketReplicaRegion: c.DRRegion,
			Buckets:             buckets,
		},
		TLS: TLS{
			APIMinimumVersion:       APIDefaultEndpointTLS,
			APIEndpoint:             c.APIOrigin(),
			StorageTLSOnly:          true,
			InboundMailTLSRequired:  c.MailEnabled(),
			OutboundMailTLSRequired: c.MailEnabled(),
		},
		Retention: Retention{
			InboundRawMailDays:      c.InboundMailRetentionDays,
			NoncurrentVersionDays:   c.NoncurrentVersionDays,
			ApplicationLogDays:      c.LogRetentionDays,
			StorageAccessLogDays:    c.AccessLogRetentionDays,
			BackupDays:              c.BackupRetentionDays,
			PointInTimeRecoveryDays: c.PITRDays,
		},
		Mail: Mail{Enabled: c.MailEnabled(), Domain: c.MailDomain, DKIM: c.MailEnabled(), SpamVirusScanning: c.MailEnabled()},
	}
	if c.Domain != "" {
		f.TLS.APIMinimumVersion = TLS12 // the custom domain's security policy (stack: SecurityPolicy_TLS_1_2)
	}
	f.Recovery = recoveryOf(c)
	return f
}

// recoveryOf derives the recovery objectives from the configuration: the
// pilot light in the standby region, the table's replica and PITR window,
// the daily backups and their retention, the kept object versions and the
// key deletion window.
func recoveryOf(c Config) Recovery {
	if c.ActiveRegion == "" {
		c.ActiveRegion = c.PrimaryRegion
	}
	switchTraffic := "make failover switches the scheduler, the mailer, inbound mail and DNS (Route 53 failover records)"
	if c.HostedZoneID == "" {
		switchTraffic = "make failover switches the scheduler, the mailer and inbound mail, and prints the DNS change (or the address) to give users"
	}
	r := Recovery{
		ActiveRegion: c.ActiveRegion, StandbyRegion: c.StandbyRegion(), PilotLight: true,
		Objectives: []Objective{
			{
				Scenario:      "The active region (" + c.ActiveRegion + ") is down",
				RecoveryPoint: "seconds: changes reach the live database replica in " + c.StandbyRegion() + " typically within a second, files typically within 15 minutes",
				RecoveryTime:  "minutes: the application is already deployed, idle, in " + c.StandbyRegion(),
				How:           switchTraffic + "; make failback returns once the region is back",
			},
			{
				Scenario:      "Data deleted or corrupted by mistake, noticed within " + strconv.Itoa(c.PITRDays) + " days",
				RecoveryPoint: "one second: the database can be restored to any second of the last " + strconv.Itoa(c.PITRDays) + " days",
				RecoveryTime:  "minutes to bring back one group or thread; hours to restore the whole database",
				WithinDays:    c.PITRDays,
				How:           "point-in-time restore into a new table, then one group copied back without touching anyone else's data",
			},
			{
				Scenario: "The database is lost in both regions",
				RecoveryPoint: fmt.Sprintf("one day: daily backups at %02d:00 UTC, kept %d days, copied to %s", BackupHourUTC,
					c.BackupRetentionDays, c.DRRegion),
				RecoveryTime: "hours",
				WithinDays:   c.BackupRetentionDays,
				How:          "restore the newest backup (or its copy in " + c.DRRegion + ") into a new table",
			},
			{
				Scenario:      "A file deleted or replaced, noticed within " + strconv.Itoa(c.NoncurrentVersionDays) + " days",
				RecoveryPoint: "none lost: every version of a file is kept " + strconv.Itoa(c.NoncurrentVersionDays) + " days after it is replaced or deleted",
				RecoveryTime:  "minutes",
				WithinDays:    c.NoncurrentVersionDays,
				How:           "the previous version is made current again",
			},
			{
				Scenario:      "An encryption key is deleted",
				RecoveryPoint: "nothing it encrypted can be recovered once the deletion takes effect",
				RecoveryTime:  "not recoverable",
				How: fmt.Sprintf("keys are retained by the stacks and deletion waits %d days, during which it can be cancelled; "+
					"each region has its own key, so the other region's copies survive", KeyDeletionWindowDays),
			},
		},
	}
	if c.BackupRetentionDays > c.PITRDays {
		later := Objective{
			Scenario:      fmt.Sprintf("Data deleted or corrupted, noticed after %d days but within %d", c.PITRDays, c.BackupRetentionDays),
			RecoveryPoint: fmt.Sprintf("one day: the daily backup (%02d:00 UTC) from before the mistake", BackupHourUTC),
			RecoveryTime:  "hours",
			WithinDays:    c.BackupRetentionDays,
			How:           "restore that backup into a new table, then copy back the group or thread that was lost",
		}
		r.Objectives = append(r.Objectives[:2], append([]Objective{later}, r.Objectives[2:]...)...)
	}
	return r
}

// Physical names shared by the stack, the facts and the runbooks.

// Table returns the table definition of the deployment.
func (c Config) Table() tabledef.Table { return tabledef.MainTable(c.AppName) }

// BucketSuffix distinguishes the buckets of one account and region
// (S3 names are global).
func (c Config) BucketSuffix(region string) string { return c.Account + "-" + region }

// Buckets returns the buckets of the deployment in region.
func (c Config) Buckets(region string) []tabledef.Bucket {
	return tabledef.Buckets(c.AppName, c.BucketSuffix(region))
}

// BucketName returns the name of the bucket with role in region.
func (c Config) BucketName(region, role string) string {
	return tabledef.BucketName(c.AppName, c.BucketSuffix(region), role)
}

// AccessLogBucketName is the S3 server access log bucket of region.
func (c Config) AccessLogBucketName(region string) string {
	return c.AppName + "-access-logs-" + c.BucketSuffix(region)
}

// KeyAlias is the alias of the data key in each region.
func (c Config) KeyAlias() string { return "alias/" + c.AppName + "-data" }

// KeyAliasArn is the ARN of the data key alias in region.
func (c Config) KeyAliasArn(region string) string {
	return "arn:aws:kms:" + region + ":" + c.Account + ":" + c.KeyAlias()
}

// BackupVaultName is the backup vault of region.
func (c Config) BackupVaultName(region string) string { return c.AppName + "-" + region }

// BackupVaultArn is the ARN of the backup vault of region.
func (c Config) BackupVaultArn(region string) string {
	return "arn:aws:backup:" + region + ":" + c.Account + ":backup-vault:" + c.BackupVaultName(region)
}

// SigningKeySecretName is the Secrets Manager secret of the signing key
// (replicated to the DR region under the same name).
func (c Config) SigningKeySecretName() string { return c.AppName + "/signing-key" }

// BackupRoleName is the AWS Backup service role (backups and restores).
func (c Config) BackupRoleName() string { return c.AppName + "-backup" }

// BackupRoleArn is the ARN of BackupRoleName.
func (c Config) BackupRoleArn() string {
	return "arn:aws:iam::" + c.Account + ":role/" + c.BackupRoleName()
}

// FunctionName is the physical name of the function in folder functions/<name>.
func (c Config) FunctionName(name string) string { return c.AppName + "-" + name }

// ConfigurationSetName is the SES configuration set of outbound mail.
func (c Config) ConfigurationSetName() string { return c.AppName }

// ReceiptRuleSetName is the SES receipt rule set of inbound mail.
func (c Config) ReceiptRuleSetName() string { return c.AppName + "-inbound" }

// InboundMailPrefix is the key prefix of raw inbound mail in the inbound bucket.
const InboundMailPrefix = "raw/"

// ExportsPrefix is the key prefix of data exports (#16) in the uploads
// bucket; the bucket's lifecycle deletes them after ExportRetentionDays.
const ExportsPrefix = "exports/"

// AvatarUploadsPrefix is the key prefix of the originals browsers upload
// for a person's picture (avatar-uploads/<uid>/<upload id>) in the uploads
// bucket, until the upload is confirmed (then the resized squares go under
// avatars/<uid>/ and the original is deleted). The bucket's lifecycle
// deletes an original never confirmed after AvatarUploadRetentionDays.
const AvatarUploadsPrefix = "avatar-uploads/"

// AvatarUploadRetentionDays is how long an unconfirmed picture upload is
// kept (an upload's presigned PUT lives 10 minutes).
const AvatarUploadRetentionDays = 1

// ExportRetentionDays is how long an export's archive is kept (the export
// item's TTL is the same; internal/export.Retention).
const ExportRetentionDays = 7

// APIOrigin is the public origin of the web app, or "" when it is the
// API Gateway default endpoint (known only after deployment).
func (c Config) APIOrigin() string {
	if c.Domain == "" {
		return ""
	}
	return "https://" + c.Domain
}
