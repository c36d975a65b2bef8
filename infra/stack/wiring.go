package stack

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssesactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

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
func (p *PrimaryStack) wireTriggers(cfg facts.Config, specs []FunctionSpec) {
	st := p.Stack
	byTrigger := map[Trigger]FunctionSpec{}
	for _, sp := range specs {
		fn := p.Functions[sp.Name]
		switch sp.Trigger {
		case TriggerHTTPAPI:
			awsapigatewayv2.NewHttpRoute(st, s("DefaultRoute"), &awsapigatewayv2.HttpRouteProps{
				HttpApi:     p.API,
				RouteKey:    awsapigatewayv2.HttpRouteKey_DEFAULT(),
				Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(s("Api-"+sp.Name), fn, nil),
			})
		case TriggerSchedule:
			awsscheduler.NewSchedule(st, s("Schedule-"+sp.Name), &awsscheduler.ScheduleProps{
				ScheduleName: s(cfg.FunctionName(sp.Name)),
				Description:  s("Invokes " + cfg.FunctionName(sp.Name) + " every " + sp.Every.String()),
				Schedule:     awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Minutes(jsii.Number(sp.Every.Minutes()))),
				Key:          p.Key,
				Target: awsschedulertargets.NewLambdaInvoke(fn, &awsschedulertargets.ScheduleTargetBaseProps{
					DeadLetterQueue: p.DLQs[sp.Name],
					RetryAttempts:   n(2),
					MaxEventAge:     awscdk.Duration_Seconds(jsii.Number((sp.Every * 2).Seconds())),
				}),
			})
		case TriggerOutbox:
			p.wireOutbox(fn, sp)
		}
		byTrigger[sp.Trigger] = sp
	}
	if cfg.MailEnabled() {
		p.newMail(cfg, byTrigger)
	}
}

// wireOutbox connects the mailer to the table's stream: only INSERTs of
// outbox jobs (GSI2PK = "OUTBOX") reach it, so ordinary writes cost no
// invocation. Failed records are retried, bisected, and finally recorded in
// the function's DLQ; the outbox item itself stays pending, and the
// scheduler's sweep retries it with backoff.
func (p *PrimaryStack) wireOutbox(fn awslambda.Function, sp FunctionSpec) {
	pattern, err := json.Marshal(map[string]any{
		"eventName": []string{"INSERT"},
		"dynamodb":  map[string]any{"NewImage": map[string]any{tabledef.GSI2PK: map[string]any{"S": []string{"OUTBOX"}}}},
	})
	if err != nil {
		panic(err) // plain maps of strings always marshal
	}
	dlq := p.DLQs[sp.Name]
	// The L1 mapping with an explicit grant: the L2 on-failure helper grants
	// kms:GenerateDataKey*/ReEncrypt* on the key, wider than the role's
	// existing kms:ViaService statement that already covers SQS.
	p.Roles[sp.Name].AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("StreamFailuresToDLQ"), Actions: jsii.Strings("sqs:SendMessage"), Resources: &[]*string{dlq.QueueArn()},
	}))
	m := awslambda.NewCfnEventSourceMapping(p.Stack, s("Stream-"+sp.Name), &awslambda.CfnEventSourceMappingProps{
		FunctionName:                   fn.FunctionArn(),
		EventSourceArn:                 p.Table.TableStreamArn(),
		StartingPosition:               s("LATEST"),
		BatchSize:                      n(20),
		MaximumBatchingWindowInSeconds: n(1),
		BisectBatchOnFunctionError:     b(true),
		FunctionResponseTypes:          jsii.Strings("ReportBatchItemFailures"),
		MaximumRetryAttempts:           n(3),
		MaximumRecordAgeInSeconds:      n(3600),
		DestinationConfig: &awslambda.CfnEventSourceMapping_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventSourceMapping_OnFailureProperty{Destination: dlq.QueueArn()},
		},
		FilterCriteria: &awslambda.CfnEventSourceMapping_FilterCriteriaProperty{
			Filters: &[]any{&awslambda.CfnEventSourceMapping_FilterProperty{Pattern: s(string(pattern))}},
		},
	})
	// The mapping starts polling only once the role may read the stream.
	m.Node().AddDependency(p.Roles[sp.Name])
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
func (p *PrimaryStack) newMail(cfg facts.Config, byTrigger map[Trigger]FunctionSpec) {
	st, m := p.Stack, &Mail{}
	p.Mail = m
	m.ConfigurationSet = awsses.NewConfigurationSet(st, s("ConfigurationSet"), &awsses.ConfigurationSetProps{
		ConfigurationSetName: s(cfg.ConfigurationSetName()),
		TlsPolicy:            awsses.ConfigurationSetTlsPolicy_REQUIRE,
		ReputationMetrics:    b(true),
		SendingEnabled:       b(true),
		SuppressionReasons:   awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
	})
	m.Events = awssns.NewTopic(st, s("SesEvents"), &awssns.TopicProps{
		TopicName: s(cfg.AppName + "-ses-events"), MasterKey: p.Key, EnforceSSL: b(true),
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
		allowServiceUse(p.Key, "SNSToEncryptedDLQ", "sns.amazonaws.com", []string{"kms:Decrypt", "kms:GenerateDataKey"},
			map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": cfg.Account}})
		m.Events.AddSubscription(awssnssubscriptions.NewLambdaSubscription(p.Functions[sp.Name], &awssnssubscriptions.LambdaSubscriptionProps{
			DeadLetterQueue: p.DLQs[sp.Name],
		}))
	}
	actions := []awsses.IReceiptRuleAction{awssesactions.NewS3(&awssesactions.S3Props{
		Bucket: p.Buckets[tabledef.InboundBucket], ObjectKeyPrefix: s(facts.InboundMailPrefix),
	})}
	if sp, ok := byTrigger[TriggerInboundMail]; ok {
		actions = append(actions, awssesactions.NewLambda(&awssesactions.LambdaProps{
			Function: p.Functions[sp.Name], InvocationType: awssesactions.LambdaInvocationType_EVENT,
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
	for i, r := range *m.Identity.DkimRecords() {
		awscdk.NewCfnOutput(st, s("DkimRecord"+string(rune('1'+i))), &awscdk.CfnOutputProps{
			Value: awscdk.Fn_Join(s(" CNAME "), &[]*string{r.Name, r.Value}), Description: s("Easy DKIM CNAME record"),
		})
	}
	awscdk.NewCfnOutput(st, s("ReceiptRuleSetName"), &awscdk.CfnOutputProps{Value: s(cfg.ReceiptRuleSetName()),
		Description: s("Activate once: aws ses set-active-receipt-rule-set --rule-set-name " + cfg.ReceiptRuleSetName() + " --region " + cfg.PrimaryRegion)})
}

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
			ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: s("3"), Minute: s("0")}),
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

// newAlarms: function errors/throttles, DLQ depth, API 5xx rate, table
// throttles and system errors, SES bounce and complaint rates.
func (p *PrimaryStack) newAlarms(cfg facts.Config) {
	st := p.Stack
	action := awscloudwatchactions.NewSnsAction(p.AlarmTopic)
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
	for _, name := range sortedNames(p.Functions) {
		fn := p.Functions[name]
		alarm(name+"-errors", "Function "+name+" returned errors", fn.MetricErrors(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}), 1)
		alarm(name+"-throttles", "Function "+name+" was throttled (reserved concurrency reached)", fn.MetricThrottles(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}), 1)
	}
	for _, name := range sortedNames(p.DLQs) {
		alarm(name+"-dlq", "Events for "+name+" failed and wait in its dead-letter queue",
			p.DLQs[name].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Maximum")}), 1)
	}
	rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: s("IF(requests >= 20, 100 * errors / requests, 0)"),
		Label:      s("5xx %"),
		Period:     five,
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   p.API.MetricServerError(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}),
			"requests": p.API.MetricCount(&awscloudwatch.MetricOptions{Period: five, Statistic: s("Sum")}),
		},
	})
	alarm("api-5xx-rate", "More than 1% of API requests answered 5xx", rate, api5xxPercent)
	ops := &[]awsdynamodb.Operation{awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_QUERY, awsdynamodb.Operation_PUT_ITEM,
		awsdynamodb.Operation_UPDATE_ITEM, awsdynamodb.Operation_DELETE_ITEM, awsdynamodb.Operation_BATCH_WRITE_ITEM,
		awsdynamodb.Operation_TRANSACT_WRITE_ITEMS}
	alarm("table-throttles", "DynamoDB throttled requests on "+cfg.Table().Name,
		p.Table.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{Operations: ops, Period: five}), 1)
	alarm("table-system-errors", "DynamoDB system errors on "+cfg.Table().Name,
		p.Table.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{Operations: ops, Period: five}), 1)
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
