package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// PrimaryStack holds everything that serves traffic in cfg.PrimaryRegion.
type PrimaryStack struct {
	Stack      awscdk.Stack
	Key        awskms.Key
	Table      awsdynamodb.TableV2
	AccessLogs awss3.Bucket
	// Buckets by role (tabledef roles).
	Buckets map[string]awss3.Bucket
	// ReplicationRole replicates every bucket to the DR region.
	ReplicationRole awsiam.Role
	// SigningKey is the Secrets Manager secret behind QUORUM_SIGNING_KEY.
	SigningKey awssecretsmanager.Secret
	// Functions, their roles and (async functions only) DLQs, by spec name.
	Functions map[string]awslambda.Function
	Roles     map[string]awsiam.Role
	DLQs      map[string]awssqs.Queue
	API       awsapigatewayv2.HttpApi
	APIStage  awsapigatewayv2.HttpStage
	// Mail is nil without a mail domain.
	Mail       *Mail
	Vault      awsbackup.BackupVault
	BackupPlan awsbackup.BackupPlan
	AlarmTopic awssns.Topic
	// Env is the environment every function receives.
	Env map[string]*string
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
	p := &PrimaryStack{Stack: st, Buckets: map[string]awss3.Bucket{}, Functions: map[string]awslambda.Function{},
		Roles: map[string]awsiam.Role{}, DLQs: map[string]awssqs.Queue{}}
	region, account := cfg.PrimaryRegion, cfg.Account

	// KMS: one customer-managed key for all data at rest in this region.
	p.Key = newDataKey(st, cfg, "primary")
	sourceAccount := map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}}
	allowServiceUse(p.Key, "CloudWatchLogs", "logs."+region+".amazonaws.com",
		[]string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"},
		map[string]any{"ArnLike": map[string]any{"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:" + region + ":" + account + ":log-group:*"}})
	allowServiceUse(p.Key, "CloudWatchAlarmsToEncryptedTopic", "cloudwatch.amazonaws.com",
		[]string{"kms:Decrypt", "kms:GenerateDataKey"}, sourceAccount)
	if cfg.MailEnabled() {
		allowServiceUse(p.Key, "SESWritesInboundMailAndPublishesEvents", "ses.amazonaws.com",
			[]string{"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"}, sourceAccount)
	}

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
		SecretName:    s(cfg.AppName + "/signing-key"),
		Description:   s("Root signing key of " + cfg.AppName + ": 64 alphanumeric characters, valid base64 of 48 bytes"),
		EncryptionKey: p.Key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: n(64), ExcludePunctuation: b(true), IncludeSpace: b(false), RequireEachIncludedType: b(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})

	// Alarm topic first: functions add their alarms to it.
	p.AlarmTopic = awssns.NewTopic(st, s("Alarms"), &awssns.TopicProps{
		TopicName: s(cfg.AppName + "-alarms"), DisplayName: s(cfg.AppName + " alarms"),
		MasterKey: p.Key, EnforceSSL: b(true),
	})
	if cfg.AlarmEmail != "" {
		p.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(s(cfg.AlarmEmail), nil))
	}

	// HTTP API (created before the functions: they receive its origin).
	p.newAPI(cfg)
	origin := cfg.APIOrigin()
	var originToken *string
	if origin != "" {
		originToken = s(origin)
	} else {
		originToken = awscdk.Fn_Join(s(""), &[]*string{s("https://"), p.API.ApiId(), s(".execute-api." + region + "."), awscdk.Aws_URL_SUFFIX()})
	}
	// Browsers PUT attachments straight to the uploads bucket with presigned
	// URLs (internal/web/static/app.js): allow exactly that, from the app's
	// origin, with the headers the URL signs. Downloads are navigations to
	// presigned GETs and need no CORS.
	p.Buckets[tabledef.UploadsBucket].AddCorsRule(uploadCorsRule(originToken))
	mailDomain := cfg.MailDomain
	if mailDomain == "" {
		mailDomain = DisabledMailDomain
	}
	p.Env = map[string]*string{
		"QUORUM_ENV":                    s("cloud"),
		"QUORUM_TABLE":                  s(cfg.Table().Name),
		"QUORUM_UPLOADS_BUCKET":         s(cfg.BucketName(region, tabledef.UploadsBucket)),
		"QUORUM_INBOUND_BUCKET":         s(cfg.BucketName(region, tabledef.InboundBucket)),
		"QUORUM_INBOUND_PREFIX":         s(facts.InboundMailPrefix),
		"QUORUM_INBOUND_RETENTION_DAYS": s(strconv.Itoa(cfg.InboundMailRetentionDays)),
		"QUORUM_KMS_KEY_ID":             p.Key.KeyArn(),
		"QUORUM_BASE_URL":               originToken,
		"QUORUM_MAIL_DOMAIN":            s(mailDomain),
		"QUORUM_MAIL_FROM":              s("Quorum <notifications@" + mailDomain + ">"),
		"QUORUM_SIGNING_KEY_SECRET_ARN": p.SigningKey.SecretArn(),
		"QUORUM_LOG_LEVEL":              s(cfg.LogLevel),
		// The /security page states exactly what this configuration sets.
		"QUORUM_FACTS": s(factsJSON(cfg)),
	}
	if cfg.MailEnabled() {
		p.Env["QUORUM_SES_CONFIGURATION_SET"] = s(cfg.ConfigurationSetName())
	}

	for _, spec := range specs {
		p.newFunction(cfg, spec)
	}
	p.wireTriggers(cfg, specs)
	p.newBackups(cfg)
	p.newAlarms(cfg)

	if cfg.Domain == "" {
		awscdk.NewCfnOutput(st, s("ApiEndpoint"), &awscdk.CfnOutputProps{Value: p.API.ApiEndpoint()})
	}
	awscdk.NewCfnOutput(st, s("BaseUrl"), &awscdk.CfnOutputProps{Value: originToken})
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
		case TriggerHTTPAPI, TriggerSchedule, TriggerInboundMail, TriggerSESEvents, TriggerOutbox:
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

func (p *PrimaryStack) newAPI(cfg facts.Config) {
	st := p.Stack
	p.API = awsapigatewayv2.NewHttpApi(st, s("Api"), &awsapigatewayv2.HttpApiProps{
		ApiName:            s(cfg.AppName),
		Description:        s(cfg.AppName + " web app and API"),
		CreateDefaultStage: b(false),
		// With a custom domain, only the domain (TLS 1.2) answers.
		DisableExecuteApiEndpoint: b(cfg.Domain != ""),
	})
	accessLogs := awslogs.NewLogGroup(st, s("ApiAccessLogs"), &awslogs.LogGroupProps{
		LogGroupName:  s("/aws/vendedlogs/" + cfg.AppName + "-api-access"),
		Retention:     logRetention(cfg.LogRetentionDays),
		EncryptionKey: p.Key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	stage := &awsapigatewayv2.HttpStageProps{
		HttpApi:    p.API,
		StageName:  s("$default"),
		AutoDeploy: b(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: n(cfg.APIRateLimit), BurstLimit: n(cfg.APIBurstLimit)},
		AccessLogSettings: &accessLogSettings{
			dest: awsapigatewayv2.NewLogGroupLogDestination(accessLogs),
			format: awsapigateway.AccessLogFormat_Custom(s(`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",` +
				`"requestTime":"$context.requestTime","method":"$context.httpMethod","path":"$context.path",` +
				`"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",` +
				`"latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage","userAgent":"$context.identity.userAgent"}`)),
		},
	}
	if cfg.Domain != "" {
		dn := awsapigatewayv2.NewDomainName(st, s("Domain"), &awsapigatewayv2.DomainNameProps{
			DomainName:     s(cfg.Domain),
			Certificate:    awscertificatemanager.Certificate_FromCertificateArn(st, s("Certificate"), s(cfg.CertificateArn)),
			SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
			EndpointType:   awsapigatewayv2.EndpointType_REGIONAL,
		})
		stage.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: dn}
		awscdk.NewCfnOutput(st, s("DomainTarget"), &awscdk.CfnOutputProps{
			Value:       dn.RegionalDomainName(),
			Description: s("CNAME (or Route 53 alias) target for " + cfg.Domain),
		})
	}
	p.APIStage = awsapigatewayv2.NewHttpStage(st, s("DefaultStage"), stage)
}

// accessLogSettings implements awsapigatewayv2.IAccessLogSettings.
type accessLogSettings struct {
	dest   awsapigatewayv2.IAccessLogDestination
	format awsapigateway.AccessLogFormat
}

func (a *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination { return a.dest }
func (a *accessLogSettings) Format() awsapigateway.AccessLogFormat              { return a.format }

func (p *PrimaryStack) newFunction(cfg facts.Config, spec FunctionSpec) {
	st, name := p.Stack, cfg.FunctionName(spec.Name)
	id := "Fn-" + spec.Name
	logs := awslogs.NewLogGroup(st, s(id+"-Logs"), &awslogs.LogGroupProps{
		LogGroupName:  s("/aws/lambda/" + name),
		Retention:     logRetention(cfg.LogRetentionDays),
		EncryptionKey: p.Key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	role := awsiam.NewRole(st, s(id+"-Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(s("lambda.amazonaws.com"), nil),
		Description: s("Execution role of " + name + " (least privilege, no managed policies)"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("WriteOwnLogs"), Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logs.LogGroupArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("ReadSigningKey"), Actions: jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{p.SigningKey.SecretArn()},
	}))
	// The data key, only through the services that use it for this function.
	via := []string{"secretsmanager." + cfg.PrimaryRegion + ".amazonaws.com", "dynamodb." + cfg.PrimaryRegion + ".amazonaws.com",
		"s3." + cfg.PrimaryRegion + ".amazonaws.com", "sqs." + cfg.PrimaryRegion + ".amazonaws.com"}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("UseDataKeyViaServices"), Actions: jsii.Strings("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"),
		Resources:  &[]*string{p.Key.KeyArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": via}},
	}))
	p.grantAccess(cfg, role, spec)

	props := &awslambda.FunctionProps{
		FunctionName:                 s(name),
		Description:                  s(spec.Description),
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 awslambda.Architecture_ARM_64(),
		Handler:                      s("bootstrap"),
		Code:                         awslambda.Code_FromAsset(s(filepath.Join(cfg.LambdaAssetDir, spec.Name)), nil),
		MemorySize:                   n(spec.MemoryMB),
		Timeout:                      awscdk.Duration_Seconds(jsii.Number(spec.Timeout.Seconds())),
		ReservedConcurrentExecutions: n(spec.ReservedConcurrency),
		Environment:                  &p.Env,
		LogGroup:                     logs,
		LoggingFormat:                awslambda.LoggingFormat_JSON,
		Role:                         role,
		RecursiveLoop:                awslambda.RecursiveLoop_TERMINATE,
	}
	if spec.Trigger.Async() {
		dlq := awssqs.NewQueue(st, s(id+"-DLQ"), &awssqs.QueueProps{
			QueueName:           s(name + "-dlq"),
			Encryption:          awssqs.QueueEncryption_KMS,
			EncryptionMasterKey: p.Key,
			EnforceSSL:          b(true),
			RetentionPeriod:     awscdk.Duration_Days(n(14)),
			RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		})
		p.DLQs[spec.Name] = dlq
		// A stream's event source mapping invokes synchronously: its
		// failures go to the DLQ as the mapping's on-failure destination.
		if spec.Trigger != TriggerOutbox {
			props.DeadLetterQueue = dlq
			props.RetryAttempts = n(2)
			props.MaxEventAge = awscdk.Duration_Hours(n(6))
		}
	}
	p.Functions[spec.Name] = awslambda.NewFunction(st, s(id), props)
	p.Roles[spec.Name] = role
}

// grantAccess turns a spec's Access list into explicit IAM statements.
func (p *PrimaryStack) grantAccess(cfg facts.Config, role awsiam.Role, spec FunctionSpec) {
	def := cfg.Table()
	for _, a := range spec.Access {
		switch a {
		case TableReadWrite:
			res := []*string{p.Table.TableArn()}
			for _, ix := range def.Indexes {
				res = append(res, awscdk.Fn_Join(s(""), &[]*string{p.Table.TableArn(), s("/index/" + ix.Name)}))
			}
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: s("TableItems"),
				Actions: jsii.Strings("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
					"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
					"dynamodb:DescribeTable"),
				Resources: &res,
			}))
		case UploadsReadWrite:
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("UploadsObjects"),
				Actions:   jsii.Strings("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
				Resources: &[]*string{p.Buckets[tabledef.UploadsBucket].ArnForObjects(s("*"))},
			}))
		case InboundRead:
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("InboundRawMail"),
				Actions:   jsii.Strings("s3:GetObject"),
				Resources: &[]*string{p.Buckets[tabledef.InboundBucket].ArnForObjects(s(facts.InboundMailPrefix + "*"))},
			}))
		case SendMail:
			if !cfg.MailEnabled() {
				continue
			}
			arn := func(kind, name string) string {
				return "arn:aws:ses:" + cfg.PrimaryRegion + ":" + cfg.Account + ":" + kind + "/" + name
			}
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("SendMailFromDomain"),
				Actions:   jsii.Strings("ses:SendEmail", "ses:SendRawEmail"),
				Resources: jsii.Strings(arn("identity", cfg.MailDomain), arn("configuration-set", cfg.ConfigurationSetName())),
			}))
		case TableStreamRead:
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("ReadTableStream"),
				Actions:   jsii.Strings("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
				Resources: &[]*string{p.Table.TableStreamArn()},
			}))
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("ListTableStreams"),
				Actions:   jsii.Strings("dynamodb:ListStreams"),
				Resources: jsii.Strings("*"),
			}))
			suppress(role, "AwsSolutions-IAM5",
				"dynamodb:ListStreams does not support resource-level permissions (the IAM service authorization "+
					"reference lists it with resource *); the data actions on the stream are scoped to its ARN.",
				"Resource::*")
		default:
			panic(fmt.Sprintf("function %s: unknown access %q", spec.Name, a))
		}
	}
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
