// Package stack defines Quorum's CDK stacks: a disaster-recovery stack (keys,
// replica buckets, backup vault) and a primary stack (everything else), both
// built from a facts.Config. Build wires them into an app.
package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

var (
	s = jsii.String
	n = func(v int) *float64 { return jsii.Number(float64(v)) }
	b = jsii.Bool
)

// featureFlags are set on each stack so that the stack does not depend on
// cdk.json for them (tests build apps without it).
var featureFlags = map[string]any{
	// Server access logs are granted by bucket policy, not by the
	// LogDeliveryWrite ACL (ACLs are disabled: BucketOwnerEnforced).
	"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true,
}

func newStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	st := awscdk.NewStack(scope, s(id), props)
	for k, v := range featureFlags {
		st.Node().SetContext(s(k), v)
	}
	return st
}

// newDataKey creates the region's customer-managed key: symmetric, rotated
// every cfg.KeyRotationDays, retained on stack deletion.
func newDataKey(scope constructs.Construct, cfg facts.Config, purpose string) awskms.Key {
	return awskms.NewKey(scope, s("DataKey"), &awskms.KeyProps{
		Alias:             s(cfg.KeyAlias()),
		Description:       s(fmt.Sprintf("%s data key (%s): table, buckets, backups, logs, queues, topics, secrets", cfg.AppName, purpose)),
		EnableKeyRotation: b(true),
		RotationPeriod:    awscdk.Duration_Days(n(cfg.KeyRotationDays)),
		PendingWindow:     awscdk.Duration_Days(n(facts.KeyDeletionWindowDays)),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
}

// allowServiceUse lets an AWS service principal of this account use key.
func allowServiceUse(key awskms.Key, sid, service string, actions []string, conditions map[string]any) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        s(sid),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(s(service), nil)},
		Actions:    jsii.Strings(actions...),
		Resources:  jsii.Strings("*"), // in a key policy "*" means this key
		Conditions: &conditions,
	}), b(false))
}

// allowRegionalServices lets the services that encrypt with a region's data
// key use it: CloudWatch Logs (log groups), CloudWatch alarms (the encrypted
// alarm topic) and, with mail, SES (inbound mail and its event topic).
func allowRegionalServices(key awskms.Key, cfg facts.Config, region string) {
	sourceAccount := map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": cfg.Account}}
	allowServiceUse(key, "CloudWatchLogs", "logs."+region+".amazonaws.com",
		[]string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"},
		map[string]any{"ArnLike": map[string]any{"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:" + region + ":" + cfg.Account + ":log-group:*"}})
	allowServiceUse(key, "CloudWatchAlarmsToEncryptedTopic", "cloudwatch.amazonaws.com",
		[]string{"kms:Decrypt", "kms:GenerateDataKey"}, sourceAccount)
	if cfg.MailEnabled() {
		allowServiceUse(key, "SESWritesInboundMailAndPublishesEvents", "ses.amazonaws.com",
			[]string{"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"}, sourceAccount)
	}
}

// newAccessLogBucket is the target of S3 server access logs. S3 cannot
// deliver access logs to an SSE-KMS bucket, so it uses SSE-S3.
func newAccessLogBucket(scope constructs.Construct, cfg facts.Config, region string) awss3.Bucket {
	return awss3.NewBucket(scope, s("AccessLogs"), &awss3.BucketProps{
		BucketName:        s(cfg.AccessLogBucketName(region)),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        b(true),
		MinimumTLSVersion: jsii.Number(1.2),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         b(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  s("expire-access-logs"),
			Expiration:                          awscdk.Duration_Days(n(cfg.AccessLogRetentionDays)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(n(1)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(n(1)),
		}},
	})
}

// lifecycleRules returns the lifecycle of a data bucket with role.
func lifecycleRules(cfg facts.Config, role string) *[]*awss3.LifecycleRule {
	rules := []*awss3.LifecycleRule{{
		Id:                                  s("expire-noncurrent-versions"),
		NoncurrentVersionExpiration:         awscdk.Duration_Days(n(cfg.NoncurrentVersionDays)),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(n(7)),
		ExpiredObjectDeleteMarker:           b(true),
	}}
	if role == tabledef.UploadsBucket {
		// Data exports go 7 days after they were made, older versions
		// (parts deleted once zipped) a day after they stop being current.
		rules = append(rules, &awss3.LifecycleRule{
			Id:                          s("expire-exports"),
			Prefix:                      s(facts.ExportsPrefix),
			Expiration:                  awscdk.Duration_Days(n(facts.ExportRetentionDays)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(n(1)),
		})
		// A picture's original is deleted once its upload is confirmed;
		// one never confirmed (the tab closed between the upload and the
		// confirm) goes a day later, its older versions a day after that.
		rules = append(rules, &awss3.LifecycleRule{
			Id:                          s("expire-unconfirmed-avatar-uploads"),
			Prefix:                      s(facts.AvatarUploadsPrefix),
			Expiration:                  awscdk.Duration_Days(n(facts.AvatarUploadRetentionDays)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(n(1)),
		})
	}
	if role == tabledef.InboundBucket {
		rules = append(rules, &awss3.LifecycleRule{
			Id:         s("expire-raw-inbound-mail"),
			Prefix:     s(facts.InboundMailPrefix),
			Expiration: awscdk.Duration_Days(n(cfg.InboundMailRetentionDays)),
		})
	}
	return &rules
}

// dataBucketProps are the properties every data bucket shares.
func dataBucketProps(cfg facts.Config, bucket tabledef.Bucket, key awskms.IKey, logs awss3.IBucket) *awss3.BucketProps {
	return &awss3.BucketProps{
		BucketName:             s(bucket.Name),
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		BucketKeyEnabled:       b(true),
		EnforceSSL:             b(true),
		MinimumTLSVersion:      jsii.Number(1.2),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:              b(true),
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: s(bucket.Role + "/"),
		LifecycleRules:         lifecycleRules(cfg, bucket.Role),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
	}
}

// uploadCorsRule lets pages of origin PUT to the uploads bucket, and nothing
// else: no other method, origin or header.
func uploadCorsRule(origin *string) *awss3.CorsRule {
	return &awss3.CorsRule{
		Id:             s("browser-upload"),
		AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_PUT},
		AllowedOrigins: &[]*string{origin},
		AllowedHeaders: jsii.Strings(tabledef.UploadCorsHeaders...),
		MaxAge:         n(3600),
	}
}

// logRetention maps validated day counts to the CDK enum.
func logRetention(days int) awslogs.RetentionDays {
	m := map[int]awslogs.RetentionDays{
		1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
		7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
		60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
		150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
		400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
		1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
		2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
		3653: awslogs.RetentionDays_TEN_YEARS,
	}
	r, ok := m[days]
	if !ok {
		panic(fmt.Sprintf("log retention %d days: not validated by facts.Load", days))
	}
	return r
}
