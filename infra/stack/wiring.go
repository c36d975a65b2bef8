package stack

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"github.com/quorum-app/quorum/infra/facts"
)

// newBackups: daily backups of the table and buckets into a CMK-encrypted
// vault, kept cfg.BackupRetentionDays and copied to the DR vault.
func (p *PrimaryStack) newBackups(cfg facts.Config) {
	st := p.Stack
	p.Vault = awsbackup.NewBackupVault(st, s("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName: s(cfg.BackupVaultName(cfg.PrimaryRegion)),
		EncryptionKey:   p.Key,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	keep := awscdk.Duration_Days(n(cfg.BackupRetentionDays))
	p.BackupPlan = awsbackup.NewBackupPlan(st, s("BackupPlan"), &awsbackup.BackupPlanProps{
		BackupPlanName: s(cfg.AppName + "-daily"),
		BackupVault:    p.Vault,
		BackupPlanRules: &[]awsbackup.BackupPlanRule{awsbackup.NewBackupPlanRule(&awsbackup.BackupPlanRuleProps{
			RuleName:           s("daily"),
			ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: s(strconv.Itoa(facts.BackupHourUTC)), Minute: s("0")}),
			StartWindow:        awscdk.Duration_Hours(n(1)),
			CompletionWindow:   awscdk.Duration_Hours(n(8)),
			DeleteAfter:        keep,
			CopyActions: &[]*awsbackup.BackupPlanCopyActionProps{{
				DestinationBackupVault: awsbackup.BackupVault_FromBackupVaultArn(st, s("DRVault"), s(cfg.BackupVaultArn(cfg.DRRegion))),
				DeleteAfter:            keep,
			}},
		})},
	})
	role := awsiam.NewRole(st, s("BackupRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(s("backup.amazonaws.com"), nil),
		Description: s("AWS Backup service role for " + cfg.AppName + " (table and buckets)"),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(s("service-role/AWSBackupServiceRolePolicyForBackup")),
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(s("service-role/AWSBackupServiceRolePolicyForRestores")),
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(s("AWSBackupServiceRolePolicyForS3Backup")),
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(s("AWSBackupServiceRolePolicyForS3Restore")),
		},
	})
	resources := []awsbackup.BackupResource{awsbackup.BackupResource_FromArn(p.Table.TableArn())}
	for _, role := range sortedNames(p.Buckets) {
		resources = append(resources, awsbackup.BackupResource_FromArn(p.Buckets[role].BucketArn()))
	}
	p.BackupPlan.AddSelection(s("TableAndBuckets"), &awsbackup.BackupSelectionOptions{
		BackupSelectionName:        s(cfg.AppName + "-data"),
		Resources:                  &resources,
		Role:                       role,
		DisableDefaultBackupPolicy: b(true),
	})
}
