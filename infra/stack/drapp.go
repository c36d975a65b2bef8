package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// DRAppStack is the application in the DR region, deployed idle (pilot
// light): the same functions, HTTP API (and custom domain), SES and alarms
// as the primary region, on the table's DR replica, the DR buckets, the DR
// key and the signing key's DR replica. Its scheduler and its mailer's
// mapping on the replica's stream are disabled until make failover (or
// -c activeRegion=<drRegion>) switches them on. It deploys after the
// primary stack, which creates the replica.
type DRAppStack struct {
	Stack awscdk.Stack
	*Compute
	// ReplicaStream looks up the replica's stream ARN at deploy time (it
	// exists only once the primary stack created the replica).
	ReplicaStream customresources.AwsCustomResource
}

// NewDRAppStack builds the pilot light in cfg.DRRegion.
func NewDRAppStack(scope constructs.Construct, id string, cfg facts.Config, specs []FunctionSpec, dr *DRStack, primary *PrimaryStack) *DRAppStack {
	region := cfg.DRRegion
	st := newStack(scope, id, &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: s(cfg.Account), Region: s(region)},
		Description:           s(cfg.AppName + " pilot light in the DR region: functions, API, mail and alarms, idle until failover"),
		TerminationProtection: b(true),
	})
	st.AddStackDependency(primary.Stack, s("the table replica and the signing key's replica are created by the primary stack"))
	d := &DRAppStack{Stack: st}
	def := cfg.Table()
	tableArn := "arn:aws:dynamodb:" + region + ":" + cfg.Account + ":table/" + def.Name

	// The replica's stream ARN carries a creation timestamp: read it from
	// DynamoDB when deploying, with a role that may do only that.
	role := awsiam.NewRole(st, s("ReplicaStreamLookupRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(s("lambda.amazonaws.com"), nil),
		Description: s("Reads the stream ARN of the " + def.Name + " replica at deploy time (no managed policies)"),
	})
	logs := awslogs.NewLogGroup(st, s("ReplicaStreamLookupLogs"), &awslogs.LogGroupProps{
		Retention: logRetention(cfg.LogRetentionDays), EncryptionKey: dr.Key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("WriteOwnLogs"), Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"), Resources: &[]*string{logs.LogGroupArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: s("DescribeReplica"), Actions: jsii.Strings("dynamodb:DescribeTable"), Resources: jsii.Strings(tableArn),
	}))
	call := &customresources.AwsSdkCall{
		Service: s("DynamoDB"), Action: s("describeTable"), Parameters: map[string]any{"TableName": def.Name},
		PhysicalResourceId: customresources.PhysicalResourceId_FromResponse(s("Table.LatestStreamArn")),
		OutputPaths:        jsii.Strings("Table.LatestStreamArn"),
	}
	d.ReplicaStream = customresources.NewAwsCustomResource(st, s("ReplicaStream"), &customresources.AwsCustomResourceProps{
		ResourceType: s("Custom::ReplicaStreamArn"), OnCreate: call, OnUpdate: call, Role: role, LogGroup: logs,
		InstallLatestAwsSdk: b(false), Timeout: awscdk.Duration_Minutes(n(2)),
	})
	d.ReplicaStream.Node().AddDependency(role)
	table := awsdynamodb.TableV2_FromTableAttributes(st, s("Replica"), &awsdynamodb.TableAttributesV2{
		TableArn: s(tableArn), TableStreamArn: d.ReplicaStream.GetResponseField(s("Table.LatestStreamArn")),
		GrantIndexPermissions: b(true),
	})

	// The signing key's replica has the primary's name and random suffix.
	secret := "arn:aws:secretsmanager:" + region + ":" + cfg.Account + ":secret:" + cfg.SigningKeySecretName()
	d.Compute = newCompute(st, cfg, specs, computeInputs{
		region: region, key: dr.Key, table: table, certificateArn: cfg.DRCertificateArn,
		buckets: map[string]awss3.IBucket{
			tabledef.UploadsBucket: dr.Buckets[tabledef.UploadsBucket], tabledef.InboundBucket: dr.Buckets[tabledef.InboundBucket]},
		secretArn: s(secret + "-??????"), secretRef: s(secret),
	})
	return d
}
