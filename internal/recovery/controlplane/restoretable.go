package controlplane

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/recovery"
)

// The AWS-only steps of a restore create a new table; everything after them
// (Verify, Restore) runs against any DynamoDB API. DynamoDB Local has no
// PITR or backups, so these are thin: one request each, built from the
// configuration, printed before it is sent (or only printed in a dry run),
// and a wait for the new table.

// PITRAPI restores a table to a point in time.
type PITRAPI interface {
	RestoreTableToPointInTime(ctx context.Context, in *dynamodb.RestoreTableToPointInTimeInput, opts ...func(*dynamodb.Options)) (*dynamodb.RestoreTableToPointInTimeOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// PointInTime is a PITR restore into a new table.
type PointInTime struct {
	Region string
	Source string // the live table
	Target string // the new table
	// At is the moment to restore; zero means the latest restorable time.
	At time.Time
	// KMSKey encrypts the new table (the region's data key alias).
	KMSKey string
}

// Input is the request PointInTime sends.
func (p PointInTime) Input() *dynamodb.RestoreTableToPointInTimeInput {
	in := &dynamodb.RestoreTableToPointInTimeInput{
		SourceTableName: aws.String(p.Source), TargetTableName: aws.String(p.Target),
		BillingModeOverride:      types.BillingModePayPerRequest,
		SSESpecificationOverride: &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: aws.String(p.KMSKey)},
	}
	if p.At.IsZero() {
		in.UseLatestRestorableTime = aws.Bool(true)
	} else {
		in.RestoreDateTime = aws.Time(p.At.UTC())
	}
	return in
}

// TableWait bounds how long a tool waits for a restored table.
const TableWait = 6 * time.Hour

// RestorePointInTime starts the restore and, unless wait is false or this is
// a dry run, waits until the new table is ACTIVE.
func RestorePointInTime(ctx context.Context, db PITRAPI, p PointInTime, c recovery.Calls, wait bool) error {
	if p.Source == "" || p.Target == "" || p.Source == p.Target || p.KMSKey == "" {
		return errors.New("point-in-time restore: name the source table, a new target table and the KMS key")
	}
	in := p.Input()
	if !c.Write("dynamodb", "RestoreTableToPointInTime", p.Region, in) {
		return nil
	}
	if _, err := db.RestoreTableToPointInTime(ctx, in); err != nil {
		return err
	}
	if !wait {
		return nil
	}
	return waitTable(ctx, db, p.Region, p.Target, c)
}

func waitTable(ctx context.Context, db PITRAPI, region, table string, c recovery.Calls) error {
	c.Note("Waiting for table %s to become ACTIVE (large tables take hours) ...", table)
	in := &dynamodb.DescribeTableInput{TableName: aws.String(table)}
	w := dynamodb.NewTableExistsWaiter(db)
	if err := w.Wait(ctx, in, TableWait); err != nil {
		return fmt.Errorf("table %s: %w", table, err)
	}
	c.Note("Table %s is ACTIVE.", table)
	return nil
}

// BackupAPI restores an AWS Backup recovery point.
type BackupAPI interface {
	ListRecoveryPointsByBackupVault(ctx context.Context, in *backup.ListRecoveryPointsByBackupVaultInput, opts ...func(*backup.Options)) (*backup.ListRecoveryPointsByBackupVaultOutput, error)
	GetRecoveryPointRestoreMetadata(ctx context.Context, in *backup.GetRecoveryPointRestoreMetadataInput, opts ...func(*backup.Options)) (*backup.GetRecoveryPointRestoreMetadataOutput, error)
	StartRestoreJob(ctx context.Context, in *backup.StartRestoreJobInput, opts ...func(*backup.Options)) (*backup.StartRestoreJobOutput, error)
	DescribeRestoreJob(ctx context.Context, in *backup.DescribeRestoreJobInput, opts ...func(*backup.Options)) (*backup.DescribeRestoreJobOutput, error)
}

// FromBackup restores the table's backup from a vault (the region's own, or
// the DR vault holding the cross-region copies) into a new table.
type FromBackup struct {
	Region string
	Vault  string
	// TableArn is the backed-up table (the primary table's ARN, also for copies).
	TableArn string
	// RecoveryPoint, when empty, is the newest completed one created before
	// Before (or the newest of all when Before is zero).
	RecoveryPoint string
	Before        time.Time
	Target        string
	// KMSKeyArn encrypts the new table (a key ARN in Region).
	KMSKeyArn string
	// RoleArn is the AWS Backup service role of the deployment.
	RoleArn string
}

// RestoreFromBackup finds the recovery point, starts the restore job and,
// unless wait is false or this is a dry run, waits for it to complete.
func RestoreFromBackup(ctx context.Context, api BackupAPI, db PITRAPI, b FromBackup, c recovery.Calls, wait bool) error {
	if b.Target == "" || b.KMSKeyArn == "" || b.RoleArn == "" || b.Vault == "" {
		return errors.New("backup restore: name the vault, the target table, the KMS key ARN and the backup role")
	}
	rp := b.RecoveryPoint
	if rp == "" {
		list := &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String(b.Vault), ByResourceArn: aws.String(b.TableArn)}
		if !b.Before.IsZero() {
			list.ByCreatedBefore = aws.Time(b.Before.UTC())
		}
		var newest *backuptypes.RecoveryPointByBackupVault
		for {
			c.Read("backup", "ListRecoveryPointsByBackupVault", b.Region, list)
			out, err := api.ListRecoveryPointsByBackupVault(ctx, list)
			if err != nil {
				return err
			}
			for i := range out.RecoveryPoints {
				p := &out.RecoveryPoints[i]
				if p.Status == backuptypes.RecoveryPointStatusCompleted && p.CreationDate != nil &&
					(newest == nil || p.CreationDate.After(*newest.CreationDate)) {
					newest = p
				}
			}
			if out.NextToken == nil {
				break
			}
			list.NextToken = out.NextToken
		}
		if newest == nil {
			return fmt.Errorf("no completed recovery point of %s in vault %s (%s)", b.TableArn, b.Vault, b.Region)
		}
		rp = aws.ToString(newest.RecoveryPointArn)
		c.Note("Recovery point %s, created %s", rp, newest.CreationDate.UTC().Format(time.RFC3339))
	}
	meta := &backup.GetRecoveryPointRestoreMetadataInput{BackupVaultName: aws.String(b.Vault), RecoveryPointArn: aws.String(rp)}
	c.Read("backup", "GetRecoveryPointRestoreMetadata", b.Region, meta)
	md, err := api.GetRecoveryPointRestoreMetadata(ctx, meta)
	if err != nil {
		return err
	}
	metadata := map[string]string{}
	for k, v := range md.RestoreMetadata {
		metadata[k] = v
	}
	// The new table's name and key; the rest as it was backed up.
	metadata["TargetTableName"] = b.Target
	metadata["encryptionType"] = "KMS"
	metadata["kmsMasterKeyArn"] = b.KMSKeyArn
	in := &backup.StartRestoreJobInput{RecoveryPointArn: aws.String(rp), IamRoleArn: aws.String(b.RoleArn), Metadata: metadata,
		IdempotencyToken: aws.String("restore-" + b.Target), ResourceType: aws.String("DynamoDB")}
	if !c.Write("backup", "StartRestoreJob", b.Region, in) {
		return nil
	}
	job, err := api.StartRestoreJob(ctx, in)
	if err != nil {
		return err
	}
	c.Note("Restore job %s started.", aws.ToString(job.RestoreJobId))
	if !wait {
		return nil
	}
	for start := time.Now(); time.Since(start) < TableWait; {
		d, err := api.DescribeRestoreJob(ctx, &backup.DescribeRestoreJobInput{RestoreJobId: job.RestoreJobId})
		if err != nil {
			return err
		}
		switch d.Status {
		case backuptypes.RestoreJobStatusCompleted:
			c.Note("Restore job completed: %s", aws.ToString(d.CreatedResourceArn))
			return waitTable(ctx, db, b.Region, b.Target, c)
		case backuptypes.RestoreJobStatusAborted, backuptypes.RestoreJobStatusFailed:
			return fmt.Errorf("restore job %s: %s %s", aws.ToString(job.RestoreJobId), d.Status, aws.ToString(d.StatusMessage))
		}
		if err := sleep(ctx, 30*time.Second); err != nil {
			return err
		}
	}
	return fmt.Errorf("restore job %s did not complete within %s", aws.ToString(job.RestoreJobId), TableWait)
}

// TableKey returns the KMS key ARN that encrypts table (for a restored
// table in the same region).
func TableKey(ctx context.Context, db PITRAPI, region, table string, c recovery.Calls) (string, error) {
	in := &dynamodb.DescribeTableInput{TableName: aws.String(table)}
	c.Read("dynamodb", "DescribeTable", region, in)
	out, err := db.DescribeTable(ctx, in)
	if err != nil {
		return "", err
	}
	if out.Table.SSEDescription == nil || aws.ToString(out.Table.SSEDescription.KMSMasterKeyArn) == "" {
		return "", fmt.Errorf("table %s in %s has no customer-managed key: pass -kms-key-arn", table, region)
	}
	return aws.ToString(out.Table.SSEDescription.KMSMasterKeyArn), nil
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
