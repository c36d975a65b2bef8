package controlplane_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/recovery/controlplane"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// fakeRestore records the AWS-only restore calls (DynamoDB Local has no PITR
// or backups) and answers DescribeTable as AWS does for an ACTIVE table.
type fakeRestore struct {
	pitr  []*dynamodb.RestoreTableToPointInTimeInput
	jobs  []*backup.StartRestoreJobInput
	lists []*backup.ListRecoveryPointsByBackupVaultInput
}

func (f *fakeRestore) RestoreTableToPointInTime(_ context.Context, in *dynamodb.RestoreTableToPointInTimeInput, _ ...func(*dynamodb.Options)) (*dynamodb.RestoreTableToPointInTimeOutput, error) {
	f.pitr = append(f.pitr, in)
	return &dynamodb.RestoreTableToPointInTimeOutput{}, nil
}

func (f *fakeRestore) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{TableName: in.TableName, TableStatus: ddbtypes.TableStatusActive,
		SSEDescription: &ddbtypes.SSEDescription{KMSMasterKeyArn: aws.String("arn:aws:kms:eu-central-1:123456789012:key/dr-key")}}}, nil
}

func (f *fakeRestore) ListRecoveryPointsByBackupVault(_ context.Context, in *backup.ListRecoveryPointsByBackupVaultInput, _ ...func(*backup.Options)) (*backup.ListRecoveryPointsByBackupVaultOutput, error) {
	f.lists = append(f.lists, in)
	day := func(d int) *time.Time { t := time.Date(2026, 11, d, 3, 0, 0, 0, time.UTC); return &t }
	rp := func(id string, d int, st backuptypes.RecoveryPointStatus) backuptypes.RecoveryPointByBackupVault {
		return backuptypes.RecoveryPointByBackupVault{RecoveryPointArn: aws.String("arn:aws:backup:eu-central-1:123456789012:recovery-point:" + id),
			CreationDate: day(d), Status: st}
	}
	if in.NextToken == nil {
		return &backup.ListRecoveryPointsByBackupVaultOutput{NextToken: aws.String("page2"),
			RecoveryPoints: []backuptypes.RecoveryPointByBackupVault{rp("rp1", 1, backuptypes.RecoveryPointStatusCompleted)}}, nil
	}
	return &backup.ListRecoveryPointsByBackupVaultOutput{RecoveryPoints: []backuptypes.RecoveryPointByBackupVault{
		rp("rp3", 3, backuptypes.RecoveryPointStatusCompleted), rp("rp4", 4, backuptypes.RecoveryPointStatusPartial)}}, nil
}

func (f *fakeRestore) GetRecoveryPointRestoreMetadata(context.Context, *backup.GetRecoveryPointRestoreMetadataInput, ...func(*backup.Options)) (*backup.GetRecoveryPointRestoreMetadataOutput, error) {
	return &backup.GetRecoveryPointRestoreMetadataOutput{RestoreMetadata: map[string]string{"originalTableName": "quorum-main", "TargetTableName": "quorum-main"}}, nil
}

func (f *fakeRestore) StartRestoreJob(_ context.Context, in *backup.StartRestoreJobInput, _ ...func(*backup.Options)) (*backup.StartRestoreJobOutput, error) {
	f.jobs = append(f.jobs, in)
	return &backup.StartRestoreJobOutput{RestoreJobId: aws.String("job-1")}, nil
}

func (f *fakeRestore) DescribeRestoreJob(context.Context, *backup.DescribeRestoreJobInput, ...func(*backup.Options)) (*backup.DescribeRestoreJobOutput, error) {
	return &backup.DescribeRestoreJobOutput{Status: backuptypes.RestoreJobStatusCompleted, CreatedResourceArn: aws.String("arn:aws:dynamodb:eu-central-1:123456789012:table/quorum-main-restore")}, nil
}

func TestPointInTimeRestoreIsOneCall(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 45, 0, 0, time.UTC)
	p := controlplane.PointInTime{Region: "eu-west-1", Source: "quorum-main", Target: "quorum-main-restore", At: at, KMSKey: "alias/quorum-data"}
	var out bytes.Buffer
	f := &fakeRestore{}
	if err := controlplane.RestorePointInTime(context.Background(), f, p, recovery.Calls{Out: &out, DryRun: true}, true); err != nil {
		t.Fatal(err)
	}
	want := `  DRY RUN, would call dynamodb:RestoreTableToPointInTime [eu-west-1] {"BillingModeOverride":"PAY_PER_REQUEST","RestoreDateTime":"2026-11-30T09:45:00Z",` +
		`"SSESpecificationOverride":{"Enabled":true,"KMSMasterKeyId":"alias/quorum-data","SSEType":"KMS"},"SourceTableName":"quorum-main","TargetTableName":"quorum-main-restore"}` + "\n"
	if out.String() != want || len(f.pitr) != 0 {
		t.Fatalf("dry run:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if err := controlplane.RestorePointInTime(context.Background(), f, p, recovery.Calls{Out: &out}, true); err != nil {
		t.Fatal(err)
	}
	if len(f.pitr) != 1 || !aws.ToTime(f.pitr[0].RestoreDateTime).Equal(at) || !strings.Contains(out.String(), "is ACTIVE") {
		t.Fatalf("restore: %+v\n%s", f.pitr, out.String())
	}
	p.At = time.Time{}
	if in := p.Input(); !aws.ToBool(in.UseLatestRestorableTime) || in.RestoreDateTime != nil {
		t.Errorf("latest: %+v", in)
	}
	p.Target = p.Source
	if err := controlplane.RestorePointInTime(context.Background(), f, p, recovery.Calls{}, false); err == nil {
		t.Error("restoring a table onto itself was accepted")
	}
}

// The same request against DynamoDB Local, which has no PITR: the refusal
// reaches the operator instead of being taken for success.
func TestPointInTimeRestoreErrorReachesTheOperator(t *testing.T) {
	env := testcloud.New(t)
	p := controlplane.PointInTime{Source: env.Config.Table, Target: env.Config.Table + "-restore", KMSKey: "alias/quorum-data"}
	err := controlplane.RestorePointInTime(context.Background(), env.Clients.DynamoDB.(*dynamodb.Client), p, recovery.Calls{}, false)
	if err == nil {
		t.Fatal("DynamoDB Local accepted a point-in-time restore")
	}
	if !strings.Contains(err.Error(), "RestoreTableToPointInTime") {
		t.Errorf("error does not name the call: %v", err)
	}
}

func TestBackupRestorePicksTheNewestCompletedRecoveryPoint(t *testing.T) {
	f := &fakeRestore{}
	b := controlplane.FromBackup{Region: "eu-central-1", Vault: "quorum-eu-central-1", TableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/quorum-main",
		Target: "quorum-main-restore", KMSKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/dr-key", RoleArn: "arn:aws:iam::123456789012:role/quorum-backup",
		Before: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	if err := controlplane.RestoreFromBackup(context.Background(), f, f, b, recovery.Calls{Out: &out, DryRun: true}, true); err != nil {
		t.Fatal(err)
	}
	if len(f.jobs) != 0 || !strings.Contains(out.String(), "DRY RUN, would call backup:StartRestoreJob [eu-central-1]") ||
		!strings.Contains(out.String(), "recovery-point:rp3") {
		t.Fatalf("dry run:\n%s", out.String())
	}
	if aws.ToString(f.lists[0].ByResourceArn) != b.TableArn || !aws.ToTime(f.lists[0].ByCreatedBefore).Equal(b.Before) {
		t.Errorf("list: %+v", f.lists[0])
	}
	out.Reset()
	if err := controlplane.RestoreFromBackup(context.Background(), f, f, b, recovery.Calls{Out: &out}, true); err != nil {
		t.Fatal(err)
	}
	job := f.jobs[0]
	if aws.ToString(job.RecoveryPointArn) != "arn:aws:backup:eu-central-1:123456789012:recovery-point:rp3" || aws.ToString(job.IamRoleArn) != b.RoleArn ||
		job.Metadata["TargetTableName"] != b.Target || job.Metadata["kmsMasterKeyArn"] != b.KMSKeyArn || job.Metadata["encryptionType"] != "KMS" ||
		job.Metadata["originalTableName"] != "quorum-main" {
		t.Errorf("job: %+v", job)
	}
	if !strings.Contains(out.String(), "Restore job completed") || !strings.Contains(out.String(), "is ACTIVE") {
		t.Errorf("output:\n%s", out.String())
	}
	key, err := controlplane.TableKey(context.Background(), f, "eu-central-1", "quorum-main", recovery.Calls{})
	if err != nil || key != b.KMSKeyArn {
		t.Errorf("table key: %q %v", key, err)
	}
}
