package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/quorum-app/quorum/infra/facts"
)

// DRStack holds what the disaster-recovery region keeps: its own key, the
// replica buckets, and the vault that receives backup copies. The table
// replica is part of the primary stack's global table. Deploy it first.
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
	d.AccessLogs = newAccessLogBucket(st, cfg, cfg.DRRegion)
	for _, bk := range cfg.Buckets(cfg.DRRegion) {
		d.Buckets[bk.Role] = awss3.NewBucket(st, s("Replica-"+bk.Role), dataBucketProps(cfg, bk, d.Key, d.AccessLogs))
	}
	d.Vault = awsbackup.NewBackupVault(st, s("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName: s(cfg.BackupVaultName(cfg.DRRegion)),
		EncryptionKey:   d.Key,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	awscdk.NewCfnOutput(st, s("DataKeyArn"), &awscdk.CfnOutputProps{Value: d.Key.KeyArn(),
		Description: s("DR data key ARN: optionally pin it with -c drKeyArn=... (see docs/deploy.md)")})
	return d
}
