package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// DRStack holds what the disaster-recovery region keeps: its own key, the
// replica buckets, and the vault that receives backup copies. The table
// replica is part of the primary stack's global table; the application's
// pilot light is DRAppStack. Deploy it first.
type DRStack struct {
	Stack      awscdk.Stack
	Key        awskms.Key
	AccessLogs awss3.Bucket
	// Buckets are the replica buckets by role (tabledef roles).
	Buckets map[string]awss3.Bucket
	Vault   awsbackup.BackupVault
}

// NewDRStack builds the DR stack in cfg.DRRegion.
func NewDRStack(scope constructs.Construct, id string, cfg facts.Config) *DRStack {
	st := newStack(scope, id, &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: s(cfg.Account), Region: s(cfg.DRRegion)},
		Description:           s(cfg.AppName + " disaster-recovery region: key, replica buckets, backup vault"),
		TerminationProtection: b(true),
	})
	d := &DRStack{Stack: st, Buckets: map[string]awss3.Bucket{}}
	d.Key = newDataKey(st, cfg, "disaster recovery")
	// The pilot light (DRAppStack) encrypts its logs, alarm topic and mail
	// with this key.
	allowRegionalServices(d.Key, cfg, cfg.DRRegion)
	d.AccessLogs = newAccessLogBucket(st, cfg, cfg.DRRegion)
	for _, bk := range cfg.Buckets(cfg.DRRegion) {
		d.Buckets[bk.Role] = awss3.NewBucket(st, s("Replica-"+bk.Role), dataBucketProps(cfg, bk, d.Key, d.AccessLogs))
	}
	// After a failover, browsers upload to the DR bucket: from the custom
	// domain, or (without one) from the DR region's execute-api origin, known
	// only once the pilot light's API exists. CORS only lets a page send the
	// PUT; each upload still needs a URL presigned by the application.
	origin := cfg.APIOrigin()
	if origin == "" {
		origin = "https://*.execute-api." + cfg.DRRegion + ".amazonaws.com"
	}
	d.Buckets[tabledef.UploadsBucket].AddCorsRule(uploadCorsRule(s(origin)))
	d.Vault = awsbackup.NewBackupVault(st, s("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName: s(cfg.BackupVaultName(cfg.DRRegion)),
		EncryptionKey:   d.Key,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	awscdk.NewCfnOutput(st, s("DataKeyArn"), &awscdk.CfnOutputProps{Value: d.Key.KeyArn(),
		Description: s("DR data key ARN: optionally pin it with -c drKeyArn=... (see docs/deploy.md)")})
	return d
}
