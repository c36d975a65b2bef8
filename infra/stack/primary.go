package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// PrimaryStack holds everything that serves traffic in cfg.PrimaryRegion:
// the data (key, global table, buckets, signing key, backups) and the
// application (Compute: active unless cfg.ActiveRegion is the DR region).
type PrimaryStack struct {
	Stack      awscdk.Stack
	Key        awskms.Key
	Table      awsdynamodb.TableV2
	AccessLogs awss3.Bucket
	// Buckets by role (tabledef roles).
	Buckets map[string]awss3.Bucket
	// ReplicationRole replicates every bucket to the DR region.
	ReplicationRole awsiam.Role
	// SigningKey is the Secrets Manager secret behind QUORUM_SIGNING_KEY,
	// replicated to the DR region.
	SigningKey awssecretsmanager.Secret
	Vault      awsbackup.BackupVault
	BackupPlan awsbackup.BackupPlan
	*Compute
}

// DisabledMailDomain is QUORUM_MAIL_DOMAIN when no mail domain is configured:
// the reserved .invalid TLD (RFC 2606) makes "mail disabled" explicit.
const DisabledMailDomain = "mail-disabled.invalid"

// NewPrimaryStack builds the primary stack. dr must be deployed first: the
// primary stack refers to its buckets, key alias and vault by name.
func NewPrimaryStack(scope constructs.Construct, id string, cfg facts.Config, specs []FunctionSpec, dr *DRStack) (*PrimaryStack, error) {
	if err := checkSpecs(cfg, specs); err != nil {
		return nil, err
	}
	st := newStack(scope, id, &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: s(cfg.Account), Region: s(cfg.PrimaryRegion)},
		Description:           s(cfg.AppName + " primary region: API, functions, table (global), buckets, mail, backups, alarms"),
		TerminationProtection: b(true),
	})
	if dr != nil {
		st.AddStackDependency(dr.Stack, s("replicas, DR key and backup vault must exist first"))
	}
	p := &PrimaryStack{Stack: st, Buckets: map[string]awss3.Bucket{}}
	region, account := cfg.PrimaryRegion, cfg.Account

	// KMS: one customer-managed key for all data at rest in this region.
	p.Key = newDataKey(st, cfg, "primary")
	allowRegionalServices(p.Key, cfg, region)

	// DR key: referenced by alias ARN (or a pinned key ARN) so that no
	// cross-region reference (custom resource) is needed.
	drKeyArn := cfg.KeyAliasArn(cfg.DRRegion)
	if cfg.DRKeyArn != "" {
		drKeyArn = cfg.DRKeyArn
	}
	drKey := awskms.Key_FromKeyArn(st, s("DRDataKey"), s(drKeyArn))

	// DynamoDB: the global table from tabledef, replica in the DR region.
	p.Table = newTable(st, cfg, p.Key, drKeyArn)

	// S3: access logs, then data buckets replicated to the DR region.
	p.AccessLogs = newAccessLogBucket(st, cfg, region)
	p.ReplicationRole = awsiam.NewRole(st, s("ReplicationRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(s("s3.amazonaws.com"), nil),
		Description: s("S3 cross-region replication of " + cfg.AppName + " buckets to " + cfg.DRRegion),
	})
	for _, bk := range cfg.Buckets(region) {
		destName := cfg.BucketName(cfg.DRRegion, bk.Role)
		dest := awss3.Bucket_FromBucketAttributes(st, s("DRReplica-"+bk.Role), &awss3.BucketAttributes{
			BucketName: s(destName), Region: s(cfg.DRRegion), Account: s(account),
		})
		props := dataBucketProps(cfg, bk, p.Key, p.AccessLogs)
		props.ReplicationRole = p.ReplicationRole
		props.ReplicationRules = &[]*awss3.ReplicationRule{{
			Id:                      s("to-" + cfg.DRRegion),
			Destination:             dest,
			KmsKey:                  drKey,
			SseKmsEncryptedObjects:  b(true),
			DeleteMarkerReplication: b(true),
			Priority:                n(1),
		}}
		bucket := awss3.NewBucket(st, s("Bucket-"+bk.Role), props)
		p.Buckets[bk.Role] = bucket
		grantReplication(p.ReplicationRole, bucket, destName)
	}
	p.ReplicationRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        s("DecryptSourceObjects"),
		Actions:    jsii.Strings("kms:Decrypt"),
		Resources:  &[]*string{p.Key.KeyArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + region + ".amazonaws.com"}},
	}))
	// The DR key is named by alias: IAM matches key ARNs, so allow the keys
	// in the DR region that carry the alias (kms:ResourceAliases).
	drKeyCond := map[string]any{
		"StringEquals":             map[string]any{"kms:ViaService": "s3." + cfg.DRRegion + ".amazonaws.com"},
		"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": cfg.KeyAlias()},
	}
	drKeyResource := "arn:aws:kms:" + cfg.DRRegion + ":" + account + ":key/*"
	if cfg.DRKeyArn != "" {
		drKeyCond = map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + cfg.DRRegion + ".amazonaws.com"}}
		drKeyResource = cfg.DRKeyArn
	}
	p.ReplicationRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        s("EncryptReplicasWithDRKey"),
		Actions:    jsii.Strings("kms:Encrypt", "kms:GenerateDataKey"),
		Resources:  jsii.Strings(drKeyResource),
		Conditions: &drKeyCond,
	}))

	// The signing secret: generated, encrypted with the CMK, never in the template.
	p.SigningKey = awssecretsmanager.NewSecret(st, s("SigningKey"), &awssecretsmanager.SecretProps{
		SecretName:    s(cfg.SigningKeySecretName()),
		Description:   s("Root signing key of " + cfg.AppName + ": 64 alphanumeric characters, valid base64 of 48 bytes"),
		EncryptionKey: p.Key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: n(64), ExcludePunctuation: b(true), IncludeSpace: b(false), RequireEachIncludedType: b(true),
		},
		// The DR region's pilot light reads its replica (with the DR key).
		ReplicaRegions: &[]*awssecretsmanager.ReplicaRegion{{Region: s(cfg.DRRegion), EncryptionKey: drKey}},
		RemovalPolicy:  awscdk.RemovalPolicy_RETAIN,
	})

	p.Compute = newCompute(st, cfg, specs, computeInputs{
		region: region, key: p.Key, table: p.Table, certificateArn: cfg.CertificateArn,
		buckets: map[string]awss3.IBucket{
			tabledef.UploadsBucket: p.Buckets[tabledef.UploadsBucket], tabledef.InboundBucket: p.Buckets[tabledef.InboundBucket]},
		secretArn: p.SigningKey.SecretArn(), secretRef: p.SigningKey.SecretArn(),
	})
	// Browsers PUT attachments straight to the uploads bucket with presigned
	// URLs (internal/web/static/app.js): allow exactly that, from the app's
	// origin, with the headers the URL signs. Downloads are navigations to
	// presigned GETs and need no CORS.
	p.Buckets[tabledef.UploadsBucket].AddCorsRule(uploadCorsRule(p.BaseURL))
	p.newBackups(cfg)

	awscdk.NewCfnOutput(st, s("SigningKeySecretArn"), &awscdk.CfnOutputProps{Value: p.SigningKey.SecretArn()})
	awscdk.NewCfnOutput(st, s("DataKeyArn"), &awscdk.CfnOutputProps{Value: p.Key.KeyArn()})
	return p, nil
}

// checkSpecs validates the function table and that every bootstrap exists.
func checkSpecs(cfg facts.Config, specs []FunctionSpec) error {
	seen := map[string]bool{}
	triggers := map[Trigger]string{}
	for _, sp := range specs {
		switch {
		case sp.Name == "" || seen[sp.Name]:
			return fmt.Errorf("function spec %q: empty or duplicate name", sp.Name)
		case sp.MemoryMB < 128 || sp.MemoryMB > 10240:
			return fmt.Errorf("function %s: memory %d MB outside 128-10240", sp.Name, sp.MemoryMB)
		case sp.Timeout <= 0 || sp.Timeout.Minutes() > 15:
			return fmt.Errorf("function %s: timeout %s outside (0, 15m]", sp.Name, sp.Timeout)
		case sp.ReservedConcurrency < 1:
			return fmt.Errorf("function %s: reserved concurrency must be at least 1", sp.Name)
		case sp.Trigger == TriggerSchedule && sp.Every.Minutes() < 1:
			return fmt.Errorf("function %s: schedule period must be at least one minute", sp.Name)
		}
		switch sp.Trigger {
		case TriggerHTTPAPI, TriggerSchedule, TriggerInboundMail, TriggerSESEvents, TriggerTableStream:
		default:
			return fmt.Errorf("function %s: unknown trigger %q", sp.Name, sp.Trigger)
		}
		if other, dup := triggers[sp.Trigger]; dup && sp.Trigger != TriggerSchedule {
			return fmt.Errorf("functions %s and %s: only one function may use trigger %s", other, sp.Name, sp.Trigger)
		}
		triggers[sp.Trigger] = sp.Name
		seen[sp.Name] = true
		boot := filepath.Join(cfg.LambdaAssetDir, sp.Name, "bootstrap")
		if fi, err := os.Stat(boot); err != nil || fi.IsDir() {
			return fmt.Errorf("function %s: %s not found: run `make build-lambdas` (or pass -c lambdaAssetDir=DIR)", sp.Name, boot)
		}
	}
	if _, ok := triggers[TriggerHTTPAPI]; !ok {
		return fmt.Errorf("no function has trigger %s: the HTTP API needs one", TriggerHTTPAPI)
	}
	return nil
}

func newTable(st awscdk.Stack, cfg facts.Config, key awskms.IKey, drKeyArn string) awsdynamodb.TableV2 {
	def := cfg.Table()
	attr := func(k tabledef.Key) *awsdynamodb.Attribute {
		t := awsdynamodb.AttributeType_STRING
		if k.Type != tabledef.String {
			panic("tabledef key type " + string(k.Type) + " not mapped")
		}
		return &awsdynamodb.Attribute{Name: s(k.Name), Type: t}
	}
	var gsis []*awsdynamodb.GlobalSecondaryIndexPropsV2
	for _, ix := range def.Indexes {
		gsis = append(gsis, &awsdynamodb.GlobalSecondaryIndexPropsV2{
			IndexName: s(ix.Name), PartitionKey: attr(ix.PartitionKey), SortKey: attr(ix.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	pitr := &awsdynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: b(true), RecoveryPeriodInDays: n(cfg.PITRDays)}
	props := &awsdynamodb.TablePropsV2{
		TableName:                        s(def.Name),
		PartitionKey:                     attr(def.PartitionKey),
		SortKey:                          attr(def.SortKey),
		GlobalSecondaryIndexes:           &gsis,
		TimeToLiveAttribute:              s(def.TTLAttribute),
		Billing:                          awsdynamodb.Billing_OnDemand(nil),
		Encryption:                       awsdynamodb.TableEncryptionV2_CustomerManagedKey(key, &map[string]*string{cfg.DRRegion: s(drKeyArn)}),
		PointInTimeRecoverySpecification: pitr,
		DeletionProtection:               b(true),
		RemovalPolicy:                    awscdk.RemovalPolicy_RETAIN,
		Replicas: &[]*awsdynamodb.ReplicaTableProps{{
			Region:                           s(cfg.DRRegion),
			PointInTimeRecoverySpecification: pitr,
			DeletionProtection:               b(true),
		}},
	}
	// Global tables need NEW_AND_OLD_IMAGES; CDK sets it for replicas anyway.
	if def.Stream || len(*props.Replicas) > 0 {
		props.DynamoStream = awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES
	}
	return awsdynamodb.NewTableV2(st, s("Table"), props)
}

// grantReplication gives the replication role exactly what S3 replication
// needs on one source bucket and its destination.
func grantReplication(role awsiam.Role, src awss3.Bucket, destName string) {
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetReplicationConfiguration", "s3:ListBucket"),
		Resources: &[]*string{src.BucketArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"),
		Resources: &[]*string{src.ArnForObjects(s("*"))},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"),
		Resources: jsii.Strings("arn:aws:s3:::" + destName + "/*"),
	}))
}

// sortedNames returns the keys of m in order (stable templates and tests).
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// factsJSON is the configuration's security facts as the api function
// receives them (QUORUM_FACTS).
func factsJSON(cfg facts.Config) string {
	b, err := json.Marshal(facts.Of(cfg))
	if err != nil {
		panic(err) // plain structs of strings, ints and bools always marshal
	}
	return string(b)
}
