package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssesactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Compute is the application in one region: the functions, the HTTP API
// (with the custom domain when configured), their triggers, SES and alarms.
// Both regions deploy it from the same specs; only the active region's
// scheduler and mailer stream mapping are enabled (pilot light).
type Compute struct {
	Stack  awscdk.Stack
	Region string
	// Active: this region runs the scheduler and the mailer (cfg.ActiveRegion).
	Active bool
	// Functions, their roles and (async functions only) DLQs, by spec name.
	Functions map[string]awslambda.Function
	Roles     map[string]awsiam.Role
	DLQs      map[string]awssqs.Queue
	API       awsapigatewayv2.HttpApi
	APIStage  awsapigatewayv2.HttpStage
	// Domain is the custom domain (nil without one).
	Domain awsapigatewayv2.DomainName
	// Mail is nil without a mail domain.
	Mail       *Mail
	AlarmTopic awssns.Topic
	// Env is the environment every function receives.
	Env map[string]*string
	// Schedules by function name, and the mailer's stream mapping.
	Schedules     map[string]awsscheduler.Schedule
	StreamMapping awslambda.CfnEventSourceMapping
	// BaseURL is the origin of the web app served from this region.
	BaseURL *string

	key            awskms.Key
	table          awsdynamodb.ITableV2
	buckets        map[string]awss3.IBucket
	secretArn      *string
	certificateArn string
}

// computeInputs are the region's data resources the compute uses.
type computeInputs struct {
	region string
	key    awskms.Key
	table  awsdynamodb.ITableV2
	// buckets by role (uploads, inbound).
	buckets map[string]awss3.IBucket
	// secretArn names the signing key secret in IAM statements (it may end
	// in a wildcard); secretRef is what the functions are given to read it.
	secretArn, secretRef *string
	certificateArn       string
}

// newCompute adds the application to st.
func newCompute(st awscdk.Stack, cfg facts.Config, specs []FunctionSpec, in computeInputs) *Compute {
	c := &Compute{Stack: st, Region: in.region, Active: cfg.ActiveRegion == in.region,
		Functions: map[string]awslambda.Function{}, Roles: map[string]awsiam.Role{}, DLQs: map[string]awssqs.Queue{},
		Schedules: map[string]awsscheduler.Schedule{},
		key:       in.key, table: in.table, buckets: in.buckets, secretArn: in.secretArn, certificateArn: in.certificateArn}

	// Alarm topic first: functions add their alarms to it.
	c.AlarmTopic = awssns.NewTopic(st, s("Alarms"), &awssns.TopicProps{
		TopicName: s(cfg.AppName + "-alarms"), DisplayName: s(cfg.AppName + " alarms"),
		MasterKey: c.key, EnforceSSL: b(true),
	})
	if cfg.AlarmEmail != "" {
		c.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(s(cfg.AlarmEmail), nil))
	}

	// HTTP API (created before the functions: they receive its origin).
	c.newAPI(cfg)
	if origin := cfg.APIOrigin(); origin != "" {
		c.BaseURL = s(origin)
	} else {
		c.BaseURL = awscdk.Fn_Join(s(""), &[]*string{s("https://"), c.API.ApiId(), s(".execute-api." + c.Region + "."), awscdk.Aws_URL_SUFFIX()})
	}
	mailDomain := cfg.MailDomain
	if mailDomain == "" {
		mailDomain = DisabledMailDomain
	}
	c.Env = map[string]*string{
		"QUORUM_ENV":                    s("cloud"),
		"QUORUM_TABLE":                  s(cfg.Table().Name),
		"QUORUM_UPLOADS_BUCKET":         s(cfg.BucketName(c.Region, tabledef.UploadsBucket)),
		"QUORUM_INBOUND_BUCKET":         s(cfg.BucketName(c.Region, tabledef.InboundBucket)),
		"QUORUM_INBOUND_PREFIX":         s(facts.InboundMailPrefix),
		"QUORUM_INBOUND_RETENTION_DAYS": s(strconv.Itoa(cfg.InboundMailRetentionDays)),
		"QUORUM_KMS_KEY_ID":             c.key.KeyArn(),
		"QUORUM_BASE_URL":               c.BaseURL,
		"QUORUM_MAIL_DOMAIN":            s(mailDomain),
		"QUORUM_MAIL_FROM":              s("Quorum <notifications@" + mailDomain + ">"),
		"QUORUM_SIGNING_KEY_SECRET_ARN": in.secretRef,
		"QUORUM_LOG_LEVEL":              s(cfg.LogLevel),
		// The /security page states exactly what this configuration sets.
		"QUORUM_FACTS": s(factsJSON(cfg)),
	}
	if cfg.MailEnabled() {
		c.Env["QUORUM_SES_CONFIGURATION_SET"] = s(cfg.ConfigurationSetName())
	}
	// The operator's terms and privacy policy, when `make build-lambdas
	// LEGAL_DIR=...` put them beside the functions (docs/deploy.md).
	if hasLegalDocs(cfg.LambdaAssetDir) {
		c.Env["QUORUM_LEGAL_DIR"] = s(LambdaLegalDir)
	}
	for _, spec := range specs {
		c.newFunction(cfg, spec)
	}
	c.wireTriggers(cfg, specs)
	c.newAlarms(cfg)

	if cfg.Domain == "" {
		awscdk.NewCfnOutput(st, s("ApiEndpoint"), &awscdk.CfnOutputProps{Value: c.API.ApiEndpoint()})
	}
	awscdk.NewCfnOutput(st, s("BaseUrl"), &awscdk.CfnOutputProps{Value: c.BaseURL})
	return c
}

func (c *Compute) newAPI(cfg facts.Config) {
	st := c.Stack
	c.API = awsapigatewayv2.NewHttpApi(st, s("Api"), &awsapigatewayv2.HttpApiProps{
		ApiName:            s(cfg.AppName),
		Description:        s(cfg.AppName + " web app and API"),
		CreateDefaultStage: b(false),
		// With a custom domain, only the domain (TLS 1.2) answers.
		DisableExecuteApiEndpoint: b(cfg.Domain != ""),
	})
	accessLogs := awslogs.NewLogGroup(st, s("ApiAccessLogs"), &awslogs.LogGroupProps{
		LogGroupName:  s("/aws/vendedlogs/" + cfg.AppName + "-api-access"),
		Retention:     logRetention(cfg.LogRetentionDays),
		EncryptionKey: c.key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	stage := &awsapigatewayv2.HttpStageProps{
		HttpApi:    c.API,
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
			Certificate:    awscertificatemanager.Certificate_FromCertificateArn(st, s("Certificate"), s(c.certificateArn)),
			SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
			EndpointType:   awsapigatewayv2.EndpointType_REGIONAL,
		})
		stage.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: dn}
		c.Domain = dn
		awscdk.NewCfnOutput(st, s("DomainTarget"), &awscdk.CfnOutputProps{
			Value:       dn.RegionalDomainName(),
			Description: s("CNAME (or Route 53 alias) target for " + cfg.Domain),
		})
	}
	c.APIStage = awsapigatewayv2.NewHttpStage(st, s("DefaultStage"), stage)
}

// accessLogSettings implements awsapigatewayv2.IAccessLogSettings.
type accessLogSettings struct {
	dest   awsapigatewayv2.IAccessLogDestination
	format awsapigateway.AccessLogFormat
}

func (a *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination { return a.dest }
func (a *accessLogSettings) Format() awsapigateway.AccessLogFormat              { return a.format }

func (c *Compute) newFunction(cfg facts.Config, spec FunctionSpec) {
	st, name := c.Stack, cfg.FunctionName(spec.Name)
	id := "Fn-" + spec.Name
	logs := awslogs.NewLogGroup(st, s(id+"-Logs"), &awslogs.LogGroupProps{
		LogGroupName:  s("/aws/lambda/" + name),
		Retention:     logRetention(cfg.LogRetentionDays),
		EncryptionKey: c.key,
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
		Resources: &[]*string{c.secretArn},
	}))
	// The data key, only through the services that use it for this function.
	via := []string{"secretsmanager." + c.Region + ".amazonaws.com", "dynamodb." + c.Region + ".amazonaws.com",
		"s3." + c.Region + ".amazonaws.com", "sqs." + c.Region + ".amazonaws.com"}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("UseDataKeyViaServices"), Actions: jsii.Strings("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"),
		Resources:  &[]*string{c.key.KeyArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": via}},
	}))
	c.grantAccess(cfg, role, spec)

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
		Environment:                  functionEnv(c.Env, spec),
		LogGroup:                     logs,
		LoggingFormat:                awslambda.LoggingFormat_JSON,
		Role:                         role,
		RecursiveLoop:                awslambda.RecursiveLoop_TERMINATE,
	}
	if spec.Trigger.Async() {
		dlq := awssqs.NewQueue(st, s(id+"-DLQ"), &awssqs.QueueProps{
			QueueName:           s(name + "-dlq"),
			Encryption:          awssqs.QueueEncryption_KMS,
			EncryptionMasterKey: c.key,
			EnforceSSL:          b(true),
			RetentionPeriod:     awscdk.Duration_Days(n(14)),
			RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		})
		c.DLQs[spec.Name] = dlq
		// A stream's event source mapping invokes synchronously: its
		// failures go to the DLQ as the mapping's on-failure destination.
		if spec.Trigger != TriggerTableStream {
			props.DeadLetterQueue = dlq
			props.RetryAttempts = n(2)
			props.MaxEventAge = awscdk.Duration_Hours(n(6))
		}
	}
	c.Functions[spec.Name] = awslambda.NewFunction(st, s(id), props)
	c.Roles[spec.Name] = role
}

// grantAccess turns a spec's Access list into explicit IAM statements.
func (c *Compute) grantAccess(cfg facts.Config, role awsiam.Role, spec FunctionSpec) {
	def := cfg.Table()
	for _, a := range spec.Access {
		switch a {
		case TableReadWrite:
			res := []*string{c.table.TableArn()}
			for _, ix := range def.Indexes {
				res = append(res, awscdk.Fn_Join(s(""), &[]*string{c.table.TableArn(), s("/index/" + ix.Name)}))
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
				Resources: &[]*string{c.buckets[tabledef.UploadsBucket].ArnForObjects(s("*"))},
			}))
		case InboundRead:
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       s("InboundRawMail"),
				Actions:   jsii.Strings("s3:GetObject"),
				Resources: &[]*string{c.buckets[tabledef.InboundBucket].ArnForObjects(s(facts.InboundMailPrefix + "*"))},
			}))
		case SendMail:
			if !cfg.MailEnabled() {
				continue
			}
			arn := func(kind, name string) string {
				return "arn:aws:ses:" + c.Region + ":" + cfg.Account + ":" + kind + "/" + name
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
				Resources: &[]*string{c.table.TableStreamArn()},
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

// Mail holds the SES resources (only with a mail domain).
type Mail struct {
	Identity         awsses.EmailIdentity
	ConfigurationSet awsses.ConfigurationSet
	// Events receives bounce/complaint/reject/delay events of the configuration set.
	Events       awssns.Topic
	ReceiptRules awsses.ReceiptRuleSet
}

// Alarm thresholds.
const (
	api5xxPercent       = 1.0   // % of requests over 5 minutes (with at least 20 requests)
	sesBounceRateMax    = 0.05  // SES reviews accounts above 10%
	sesComplaintRateMax = 0.001 // SES reviews accounts above 0.5%
)

// wireTriggers connects every function to its trigger.
func (c *Compute) wireTriggers(cfg facts.Config, specs []FunctionSpec) {
	st := c.Stack
	byTrigger := map[Trigger]FunctionSpec{}
	for _, sp := range specs {
		fn := c.Functions[sp.Name]
		switch sp.Trigger {
		case TriggerHTTPAPI:
			awsapigatewayv2.NewHttpRoute(st, s("DefaultRoute"), &awsapigatewayv2.HttpRouteProps{
				HttpApi:     c.API,
				RouteKey:    awsapigatewayv2.HttpRouteKey_DEFAULT(),
				Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(s("Api-"+sp.Name), fn, nil),
			})
		case TriggerSchedule:
			// Only the active region runs the schedule (make failover
			// switches it; -c activeRegion keeps the template in step).
			c.Schedules[sp.Name] = awsscheduler.NewSchedule(st, s("Schedule-"+sp.Name), &awsscheduler.ScheduleProps{
				Enabled:      b(c.Active),
				ScheduleName: s(cfg.FunctionName(sp.Name)),
				Description:  s("Invokes " + cfg.FunctionName(sp.Name) + " every " + sp.Every.String()),
				Schedule:     awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Minutes(jsii.Number(sp.Every.Minutes()))),
				Key:          c.key,
				Target: awsschedulertargets.NewLambdaInvoke(fn, &awsschedulertargets.ScheduleTargetBaseProps{
					DeadLetterQueue: c.DLQs[sp.Name],
					RetryAttempts:   n(2),
					MaxEventAge:     awscdk.Duration_Seconds(jsii.Number((sp.Every * 2).Seconds())),
				}),
			})
		case TriggerTableStream:
			c.wireStream(fn, sp)
		}
		byTrigger[sp.Trigger] = sp
	}
	if cfg.MailEnabled() {
		c.newMail(cfg, byTrigger)
	}
}

// streamFilters are the mapping's filters (OR'ed): only records some
// consumer of internal/cores/consumers wants invoke the function, so ordinary
// writes (read states, notifications read, sessions, index items) cost no
// invocation. The outbox: INSERTs of outbox jobs (GSI2PK starting "OUTBOX": its
// shards OUTBOX#00..15 and the legacy key; a dead job is never inserted). The
// search index: threads and their comments (THREAD#/THREAD, THREAD#/ITEM#),
// polls, outcomes and ballots with their reasons (POLL#/POLL, OUTCOME,
// BALLOT#, SEALED#). The audit record: INSERTs of entries waiting to be
// sealed (GSI2PK = "AUDITSEAL").
func streamFilters() []string {
	patterns := []map[string]any{
		{"eventName": []string{"INSERT"}, "dynamodb": map[string]any{"NewImage": map[string]any{tabledef.GSI2PK: map[string]any{"S": []any{map[string]string{"prefix": "OUTBOX"}}}}}},
		{"dynamodb": map[string]any{"Keys": map[string]any{
			tabledef.PK: map[string]any{"S": []any{map[string]string{"prefix": "THREAD#"}}},
			tabledef.SK: map[string]any{"S": []any{"THREAD", map[string]string{"prefix": "ITEM#"}}}}}},
		{"dynamodb": map[string]any{"Keys": map[string]any{
			tabledef.PK: map[string]any{"S": []any{map[string]string{"prefix": "POLL#"}}},
			tabledef.SK: map[string]any{"S": []any{"POLL", "OUTCOME", map[string]string{"prefix": "BALLOT#"}, map[string]string{"prefix": "SEALED#"}}}}}},
		{"eventName": []string{"INSERT"}, "dynamodb": map[string]any{"NewImage": map[string]any{tabledef.GSI2PK: map[string]any{"S": []string{"AUDITSEAL"}}}}},
		// Fan-out jobs (notify.FanoutQueue): telling a whole group runs here.
		{"eventName": []string{"INSERT"}, "dynamodb": map[string]any{"NewImage": map[string]any{tabledef.GSI2PK: map[string]any{"S": []string{"FANOUT"}}}}},
	}
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		b, err := json.Marshal(p)
		if err != nil {
			panic(err) // plain maps of strings always marshal
		}
		out = append(out, string(b))
	}
	return out
}

// wireStream connects the one reader of the table's stream (functions/
// mailer, whose dispatcher feeds the outbox and the search indexer) to it.
// Failed records are reported per record (ReportBatchItemFailures), retried
// from the lowest failure, bisected, and finally recorded in the function's
// DLQ; the outbox item itself stays pending (the scheduler's sweep retries
// it with backoff) and a missed index update is repaired by a backfill.
// Records of one item stay in order (ParallelizationFactor keeps a
// partition key on one batch at a time).
func (c *Compute) wireStream(fn awslambda.Function, sp FunctionSpec) {
	var filters []any
	for _, p := range streamFilters() {
		filters = append(filters, &awslambda.CfnEventSourceMapping_FilterProperty{Pattern: s(p)})
	}
	dlq := c.DLQs[sp.Name]
	// The L1 mapping with an explicit grant: the L2 on-failure helper grants
	// kms:GenerateDataKey*/ReEncrypt* on the key, wider than the role's
	// existing kms:ViaService statement that already covers SQS.
	c.Roles[sp.Name].AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("StreamFailuresToDLQ"), Actions: jsii.Strings("sqs:SendMessage"), Resources: &[]*string{dlq.QueueArn()},
	}))
	// Only the active region's mailer reads its stream: the replica's stream
	// carries the same outbox jobs and items (and the index items written
	// here replicate there, so the pilot light's index is current).
	m := awslambda.NewCfnEventSourceMapping(c.Stack, s("Stream-"+sp.Name), &awslambda.CfnEventSourceMappingProps{
		Enabled:                        b(c.Active),
		FunctionName:                   fn.FunctionArn(),
		EventSourceArn:                 c.table.TableStreamArn(),
		StartingPosition:               s("LATEST"),
		BatchSize:                      n(50),
		MaximumBatchingWindowInSeconds: n(1),
		ParallelizationFactor:          n(2),
		BisectBatchOnFunctionError:     b(true),
		FunctionResponseTypes:          jsii.Strings("ReportBatchItemFailures"),
		MaximumRetryAttempts:           n(3),
		MaximumRecordAgeInSeconds:      n(3600),
		DestinationConfig: &awslambda.CfnEventSourceMapping_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventSourceMapping_OnFailureProperty{Destination: dlq.QueueArn()},
		},
		FilterCriteria: &awslambda.CfnEventSourceMapping_FilterCriteriaProperty{
			Filters: &filters,
		},
	})
	// The mapping starts polling only once the role may read the stream.
	m.Node().AddDependency(c.Roles[sp.Name])
	c.StreamMapping = m
	suppress(fn, "NIST.800.53.R5-LambdaDLQ",
		"Invoked synchronously by its DynamoDB stream event source mapping, for which Lambda DLQs do not apply; records "+
			"that still fail after retries go to the function's SQS (KMS) queue as the mapping's on-failure destination.")
	suppress(dlq, "AwsSolutions-SQS3",
		"This queue is the on-failure destination of the mailer's stream mapping (it is itself the dead-letter queue), "+
			"watched by the <app>-mailer-dlq alarm.")
}

// newMail: SES identity (Easy DKIM, custom MAIL FROM), configuration set with
// events to SNS (and the ses-events function), receipt rule set storing raw
// mail in the inbound bucket and invoking the inbound function.
func (c *Compute) newMail(cfg facts.Config, byTrigger map[Trigger]FunctionSpec) {
	st, m := c.Stack, &Mail{}
	c.Mail = m
	m.ConfigurationSet = awsses.NewConfigurationSet(st, s("ConfigurationSet"), &awsses.ConfigurationSetProps{
		ConfigurationSetName: s(cfg.ConfigurationSetName()),
		TlsPolicy:            awsses.ConfigurationSetTlsPolicy_REQUIRE,
		ReputationMetrics:    b(true),
		SendingEnabled:       b(true),
		SuppressionReasons:   awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
	})
	m.Events = awssns.NewTopic(st, s("SesEvents"), &awssns.TopicProps{
		TopicName: s(cfg.AppName + "-ses-events"), MasterKey: c.key, EnforceSSL: b(true),
	})
	m.ConfigurationSet.AddEventDestination(s("ToSns"), &awsses.ConfigurationSetEventDestinationOptions{
		ConfigurationSetEventDestinationName: s("sns"),
		Destination:                          awsses.EventDestination_SnsTopic(m.Events),
		Events: &[]awsses.EmailSendingEvent{awsses.EmailSendingEvent_BOUNCE, awsses.EmailSendingEvent_COMPLAINT,
			awsses.EmailSendingEvent_REJECT, awsses.EmailSendingEvent_DELIVERY_DELAY},
	})
	m.Identity = awsses.NewEmailIdentity(st, s("MailIdentity"), &awsses.EmailIdentityProps{
		Identity:                    awsses.Identity_Domain(s(cfg.MailDomain)),
		ConfigurationSet:            m.ConfigurationSet,
		DkimIdentity:                awsses.DkimIdentity_EasyDkim(awsses.EasyDkimSigningKeyLength_RSA_2048_BIT),
		DkimSigning:                 b(true),
		MailFromDomain:              s("bounce." + cfg.MailDomain),
		MailFromBehaviorOnMxFailure: awsses.MailFromBehaviorOnMxFailure_USE_DEFAULT_VALUE,
	})
	if sp, ok := byTrigger[TriggerSESEvents]; ok {
		allowServiceUse(c.key, "SNSToEncryptedDLQ", "sns.amazonaws.com", []string{"kms:Decrypt", "kms:GenerateDataKey"},
			map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": cfg.Account}})
		m.Events.AddSubscription(awssnssubscriptions.NewLambdaSubscription(c.Functions[sp.Name], &awssnssubscriptions.LambdaSubscriptionProps{
			DeadLetterQueue: c.DLQs[sp.Name],
		}))
	}
	// SES receives mail only in some regions (the primary's is validated;
	// a DR region without it keeps mail arriving in the primary region).
	if facts.ReceivesMail(c.Region) {
		c.newReceiptRules(cfg, byTrigger)
	}
	for i, r := range *m.Identity.DkimRecords() {
		awscdk.NewCfnOutput(st, s("DkimRecord"+string(rune('1'+i))), &awscdk.CfnOutputProps{
			Value: awscdk.Fn_Join(s(" CNAME "), &[]*string{r.Name, r.Value}), Description: s("Easy DKIM CNAME record"),
		})
	}
}

// newReceiptRules: the receipt rule set storing raw mail in the inbound
// bucket and invoking the inbound function (activated once, by hand or by
// make failover: CloudFormation cannot activate a rule set).
func (c *Compute) newReceiptRules(cfg facts.Config, byTrigger map[Trigger]FunctionSpec) {
	st, m := c.Stack, c.Mail
	actions := []awsses.IReceiptRuleAction{awssesactions.NewS3(&awssesactions.S3Props{
		Bucket: c.buckets[tabledef.InboundBucket], ObjectKeyPrefix: s(facts.InboundMailPrefix),
	})}
	if sp, ok := byTrigger[TriggerInboundMail]; ok {
		actions = append(actions, awssesactions.NewLambda(&awssesactions.LambdaProps{
			Function: c.Functions[sp.Name], InvocationType: awssesactions.LambdaInvocationType_EVENT,
		}))
	}
	m.ReceiptRules = awsses.NewReceiptRuleSet(st, s("ReceiptRuleSet"), &awsses.ReceiptRuleSetProps{
		ReceiptRuleSetName: s(cfg.ReceiptRuleSetName()),
		Rules: &[]*awsses.ReceiptRuleOptions{{
			ReceiptRuleName: s(cfg.AppName + "-store-and-process"),
			Recipients:      jsii.Strings(cfg.MailDomain),
			Enabled:         b(true),
			ScanEnabled:     b(true),
			TlsPolicy:       awsses.TlsPolicy_REQUIRE,
			Actions:         &actions,
		}},
	})
	awscdk.NewCfnOutput(st, s("ReceiptRuleSetName"), &awscdk.CfnOutputProps{Value: s(cfg.ReceiptRuleSetName()),
		Description: s("Activate once: aws ses set-active-receipt-rule-set --rule-set-name " + cfg.ReceiptRuleSetName() + " --region " + c.Region)})
}

// newAlarms: function errors/throttles, DLQ depth, API 5xx rate, table
// throttles and system errors, SES bounce and complaint rates.
func (c *Compute) newAlarms(cfg facts.Config) {
	st := c.Stack
	action := awscloudwatchactions.NewSnsAction(c.AlarmTopic)
	five := awscdk.Duration_Minutes(n(5))
	alarm := func(id, desc string, metric awscloudwatch.IMetric, threshold float64) {
		a := awscloudwatch.NewAlarm(st, s("Alarm-"+id), &awscloudwatch.AlarmProps{
			AlarmName:          s(cfg.AppName + "-" + id),
			AlarmDescription:   s(desc),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  n(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			ActionsEnabled:     b(true),
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
	}
	for _, name := range sortedNames(c.Functions) {
		fn := c.Functions[name]
		alarm(name+"-errors", "Function "+name+" returned errors", fn.MetricErrors(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}), 1)
		alarm(name+"-throttles", "Function "+name+" was throttled (reserved concurrency reached)", fn.MetricThrottles(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}), 1)
	}
	for _, name := range sortedNames(c.DLQs) {
		alarm(name+"-dlq", "Events for "+name+" failed and wait in its dead-letter queue",
			c.DLQs[name].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Maximum")}), 1)
	}
	rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: s("IF(requests >= 20, 100 * errors / requests, 0)"),
		Label:      s("5xx %"),
		Period:     five,
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   c.API.MetricServerError(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}),
			"requests": c.API.MetricCount(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}),
		},
	})
	alarm("api-5xx-rate", "More than 1% of API requests answered 5xx", rate, api5xxPercent)
	ops := &[]awsdynamodb.Operation{awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_QUERY, awsdynamodb.Operation_PUT_ITEM,
		awsdynamodb.Operation_UPDATE_ITEM, awsdynamodb.Operation_DELETE_ITEM, awsdynamodb.Operation_BATCH_WRITE_ITEM,
		awsdynamodb.Operation_TRANSACT_WRITE_ITEMS}
	alarm("table-throttles", "DynamoDB throttled requests on "+cfg.Table().Name,
		c.table.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{Operations: ops, Period: five}), 1)
	alarm("table-system-errors", "DynamoDB system errors on "+cfg.Table().Name,
		c.table.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{Operations: ops, Period: five}), 1)
	if cfg.MailEnabled() {
		hour := awscdk.Duration_Hours(n(1))
		alarm("ses-bounce-rate", "SES reputation bounce rate at or above 5%", awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: s("AWS/SES"), MetricName: s("Reputation.BounceRate"), Statistic: s("Maximum"), Period: hour,
		}), sesBounceRateMax)
		alarm("ses-complaint-rate", "SES reputation complaint rate at or above 0.1%", awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: s("AWS/SES"), MetricName: s("Reputation.ComplaintRate"), Statistic: s("Maximum"), Period: hour,
		}), sesComplaintRateMax)
	}
}

// LambdaLegalDir is where a function finds the operator's terms.md and
// privacy.md: the legal folder of its code (Lambda unpacks code in /var/task).
const LambdaLegalDir = "/var/task/legal"

// hasLegalDocs reports whether the api function's asset holds the
// operator's documents.
func hasLegalDocs(assets string) bool {
	for _, name := range []string{"terms.md", "privacy.md"} {
		if fi, err := os.Stat(filepath.Join(assets, "api", "legal", name)); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// functionEnv is the environment every function receives (env) with the Go
// runtime's settings for this function's memory (facts.RuntimeEnv).
func functionEnv(env map[string]*string, spec FunctionSpec) *map[string]*string {
	out := make(map[string]*string, len(env)+2)
	for k, v := range env {
		out[k] = v
	}
	for k, v := range facts.RuntimeEnv(spec.MemoryMB) {
		out[k] = s(v)
	}
	return &out
}
