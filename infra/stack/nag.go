package stack

import (
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/quorum-app/quorum/infra/facts"
)

// Every cdk-nag suppression of the app is in this file, each with the
// reason it is acceptable. Findings that were real were fixed instead
// (KMS everywhere, TLS-only policies, access logs, DLQs, no managed policies
// on function roles, explicit actions and resources).

// suppress adds one suppression to c and its children. appliesTo narrows
// it to specific findings (strings or cdknag.RegexAppliesTo).
func suppress(c constructs.IConstruct, id, reason string, appliesTo ...any) {
	sup := &cdknag.NagPackSuppression{Id: s(id), Reason: s(reason)}
	if len(appliesTo) > 0 {
		sup.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{sup}, b(true))
}

func regex(r string) cdknag.RegexAppliesTo { return cdknag.RegexAppliesTo{Regex: s(r)} }

const (
	reasonAccessLogsSSE = "S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS; " +
		"the access log bucket uses SSE-S3, TLS-only policy, no public access, and holds no customer content."
	reasonAccessLogsReplication = "Server access logs are regional audit records of this region's buckets; each region " +
		"keeps its own log bucket and replicating them would not restore service."
	reasonInlinePolicy = "The statements are generated per role from explicit actions on named resources and attached " +
		"to exactly one role (AWS::IAM::Policy); a customer-managed policy would carry the same statements without " +
		"reducing privilege. Tests assert that no statement has a wildcard action."
)

func suppressDR(d *DRStack) {
	suppress(d.AccessLogs, "NIST.800.53.R5-S3DefaultEncryptionKMS", reasonAccessLogsSSE)
	suppress(d.AccessLogs, "NIST.800.53.R5-S3BucketReplicationEnabled", reasonAccessLogsReplication)
	for _, role := range sortedNames(d.Buckets) {
		suppress(d.Buckets[role], "NIST.800.53.R5-S3BucketReplicationEnabled",
			"This bucket is the cross-region replication destination of the primary bucket "+role+"; replicating it again would loop.")
	}
}

func suppressPrimary(p *PrimaryStack, cfg facts.Config) {
	suppress(p.AccessLogs, "NIST.800.53.R5-S3DefaultEncryptionKMS", reasonAccessLogsSSE)
	suppress(p.AccessLogs, "NIST.800.53.R5-S3BucketReplicationEnabled", reasonAccessLogsReplication)

	suppress(p.ReplicationRole, "AwsSolutions-IAM5",
		"S3 replication reads and writes object versions whose keys are not known at deploy time: object actions are "+
			"limited to <bucket>/* of the two source buckets and their two named DR replicas; the DR key is matched by "+
			"region + alias (kms:ResourceAliases) because its key id only exists after the DR stack deploys.",
		regex(`/^Resource::<Bucket(uploads|inbound)[0-9A-F]+\.Arn>\/\*$/g`),
		regex(`/^Resource::arn:aws:s3:::.*\/\*$/g`),
		regex(`/^Resource::arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key\/\*$/g`))
	suppress(p.ReplicationRole, "NIST.800.53.R5-IAMNoInlinePolicy", reasonInlinePolicy)

	suppress(p.SigningKey, "AwsSolutions-SMG4",
		"The signing key signs outstanding links, cursors and reply tokens; automatic rotation would invalidate them "+
			"without a key-versioning scheme. Rotation is a planned, manual runbook (docs/deploy.md, Rotate keys).")
	suppress(p.SigningKey, "NIST.800.53.R5-SecretsManagerRotationEnabled",
		"Rotated manually by runbook (docs/deploy.md, Rotate keys): automatic rotation would invalidate signed links.")

	suppress(p.Stack.Node().FindChild(s("BackupRole")), "AwsSolutions-IAM4",
		"AWS Backup's own service-role policies (backup, restore, S3 backup, S3 restore) are the documented way to let "+
			"the service snapshot DynamoDB and S3; they are not full-access policies and the selection limits them to "+
			"the table and the two buckets.",
		regex(`/^Policy::arn:<AWS::Partition>:iam::aws:policy\/(service-role\/)?AWSBackupServiceRolePolicyFor(Backup|Restores|S3Backup|S3Restore)$/g`))
	_ = cfg
}

// suppressCompute: the application of one region (Compute).
func suppressCompute(p *Compute) {
	for _, name := range sortedNames(p.Functions) {
		fn, role := p.Functions[name], p.Roles[name]
		suppress(fn, "NIST.800.53.R5-LambdaInsideVPC",
			"The functions reach only AWS APIs (DynamoDB, S3, SES, Secrets Manager, KMS) authorised by IAM over TLS and "+
				"no VPC resource; a VPC would add NAT gateways or endpoints without reducing exposure.")
		suppress(role, "NIST.800.53.R5-IAMNoInlinePolicy", reasonInlinePolicy)
		suppress(role, "AwsSolutions-IAM5",
			"Object-level S3 actions address objects by keys the application generates at run time, so the resource is "+
				"<bucket>/* (uploads) or <bucket>/raw/* (inbound mail) of one named bucket; actions are listed explicitly.",
			regex(`/^Resource::<(Bucket|Replica)(uploads|inbound)[0-9A-F]+\.Arn>\/(raw\/)?\*$/g`),
			// The pilot light imports the DR stack's buckets.
			regex(`/^Resource::[a-z0-9-]+:ExportsOutputFnGetAttReplica(uploads|inbound)[0-9A-F]+Arn[0-9A-F]+\/(raw\/)?\*$/g`))
	}
	for _, sp := range []string{"api"} {
		if fn, ok := p.Functions[sp]; ok {
			suppress(fn, "NIST.800.53.R5-LambdaDLQ",
				"Invoked synchronously by API Gateway: failures are returned to the caller, and Lambda dead-letter "+
					"queues only apply to asynchronous invocations. Asynchronous functions have SQS (KMS) DLQs.")
		}
	}
	if r := p.Stack.Node().TryFindChild(s("DefaultRoute")); r != nil {
		suppress(r, "AwsSolutions-APIG4",
			"The single $default route forwards to functions/api, which authenticates every non-public request itself "+
				"(passwordless email login, signed session cookies) in the domain core; sign-in pages and /security must "+
				"be reachable without credentials, so an API Gateway authorizer cannot guard the route.")
	}
	// EventBridge Scheduler's target role, created by the CDK.
	for _, c := range *p.Stack.Node().Children() {
		if strings.HasPrefix(*c.Node().Id(), "SchedulerRoleForTarget") {
			suppress(c, "AwsSolutions-IAM5",
				"The scheduler role may invoke only the scheduler function (lambda:InvokeFunction on its ARN and its "+
					"versions, <fn>:*, as the CDK grants it).", regex(`/^Resource::<Fn[A-Za-z0-9]+\.Arn>:\*$/g`))
			suppress(c, "NIST.800.53.R5-IAMNoInlinePolicy", reasonInlinePolicy)
		}
	}
}

// suppressDRApp: the pilot light, and the deploy-time lookup of the
// replica's stream ARN (a CDK-provided Node.js function).
func suppressDRApp(d *DRAppStack) {
	suppressCompute(d.Compute)
	for _, name := range sortedNames(d.Roles) {
		suppress(d.Roles[name], "AwsSolutions-IAM5",
			"The signing key is the DR replica of the primary's secret: its ARN ends in the random suffix Secrets "+
				"Manager chose in the primary region, so the statement names the secret and matches only that suffix (-??????).",
			regex(`/^Resource::arn:aws:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.*-\?\?\?\?\?\?$/g`))
	}
	st := d.Stack
	suppress(st.Node().FindChild(s("ReplicaStreamLookupRole")), "NIST.800.53.R5-IAMNoInlinePolicy", reasonInlinePolicy)
	for _, c := range *st.Node().Children() {
		// The singleton function of every AwsCustomResource in a stack.
		if strings.HasPrefix(*c.Node().Id(), "AWS679f53fac002430cb0da5b7982bd2287") {
			for _, rule := range []string{"NIST.800.53.R5-LambdaConcurrency", "NIST.800.53.R5-LambdaDLQ", "NIST.800.53.R5-LambdaInsideVPC"} {
				suppress(c, rule, reasonLookup)
			}
		}
	}
}

const reasonLookup = "The CDK's AwsCustomResource function runs only during deployments (CloudFormation invokes it " +
	"synchronously and reports its failures), with a role that may only describe the replica table and write its own " +
	"KMS-encrypted log group; it reaches only the DynamoDB API."
