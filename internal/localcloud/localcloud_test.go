package localcloud_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// The table and buckets the local cloud creates match tabledef: key schema,
// indexes, TTL and versioning.
func TestProvisionMatchesDefinition(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	def := tabledef.MainTable(env.Prefix)
	out, err := env.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(def.Name)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Table.KeySchema[0].AttributeName); got != def.PartitionKey.Name {
		t.Fatalf("partition key %q", got)
	}
	if len(out.Table.GlobalSecondaryIndexes) != len(def.Indexes) {
		t.Fatalf("indexes %d, want %d", len(out.Table.GlobalSecondaryIndexes), len(def.Indexes))
	}
	ttl, err := env.Clients.DynamoDB.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(def.Name)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != tabledef.TTLAttribute {
		t.Fatalf("ttl %+v", ttl.TimeToLiveDescription)
	}
	for _, b := range tabledef.Buckets(env.Prefix, "") {
		v, err := env.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(b.Name)})
		if err != nil {
			t.Fatalf("bucket %s: %v", b.Name, err)
		}
		if v.Status != "Enabled" {
			t.Fatalf("bucket %s versioning %q", b.Name, v.Status)
		}
	}
	// Provisioning twice is a no-op, not an error.
	if err := localcloud.Provision(ctx, env.Clients.DynamoDB, env.S3, env.Prefix); err != nil {
		t.Fatalf("second provision: %v", err)
	}
}

// A persisted cloud keeps data across a stop and start, a taken port gets a
// clear error, and Stop leaves no child process running.
func TestPersistentCloudLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stand-ins: runs in `make test`, not with -short")
	}
	root := tools(t)
	data := t.TempDir()
	ctx := context.Background()
	start := func() *localcloud.Cloud {
		c, err := localcloud.Start(ctx, localcloud.Options{Root: root, DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := start()
	ports := mustPort(t, c.DynamoDBEndpoint)
	_, err := localcloud.Start(ctx, localcloud.Options{Root: root, DataDir: t.TempDir(), Ports: localcloud.Ports{DynamoDB: ports}})
	if err == nil || !contains(err.Error(), "already in use") || !contains(err.Error(), "DYNAMODB_PORT") {
		t.Fatalf("want a clear port-in-use error, got %v", err)
	}
	db := dynamoClient(c.DynamoDBEndpoint)
	def := tabledef.MainTable("persist")
	if err := localcloud.EnsureTable(ctx, db, def); err != nil {
		t.Fatal(err)
	}
	pids := c.PIDs()
	c.Stop()
	for _, pid := range pids {
		waitGone(t, pid)
	}
	c = start()
	defer c.Stop()
	db = dynamoClient(c.DynamoDBEndpoint)
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(def.Name)}); err != nil {
		t.Fatalf("table did not survive a restart: %v", err)
	}
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("process %d still running after Stop", pid)
}

// Issue 12 item 6: under make dev (Restart) a stand-in that dies is started
// again on its port with its data, and a client made before it died (the
// running app's) works again without a restart of its own.
func TestDeadStandInComesBackWithItsData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stand-ins: runs in `make test`, not with -short")
	}
	root := tools(t)
	ctx := context.Background()
	c, err := localcloud.Start(ctx, localcloud.Options{Root: root, DataDir: t.TempDir(), Services: []string{localcloud.Dynamo}, Restart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if c.S3Endpoint != "" || c.SESEndpoint != "" || len(c.PIDs()) != 1 {
		t.Fatalf("asked for DynamoDB only, got %d processes, s3 %q ses %q", len(c.PIDs()), c.S3Endpoint, c.SESEndpoint)
	}
	db := dynamoClient(c.DynamoDBEndpoint)
	def := tabledef.MainTable("restart")
	if err := localcloud.EnsureTable(ctx, db, def); err != nil {
		t.Fatal(err)
	}
	item := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "KEEP"}, "SK": &types.AttributeValueMemberS{Value: "ME"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(def.Name), Item: item}); err != nil {
		t.Fatal(err)
	}
	before := c.PIDs()[0]
	if err := c.Signal(localcloud.Dynamo, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, before)
	deadline := time.After(2 * time.Minute)
	for back := false; !back; {
		select {
		case ev := <-c.Events():
			t.Logf("event: %s", ev)
			back = ev.Service == localcloud.Dynamo && ev.Err == nil
		case <-deadline:
			t.Fatal("DynamoDB Local was not restarted within 2 minutes")
		}
	}
	if after := c.PIDs()[0]; after == before {
		t.Fatalf("same process %d", after)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(def.Name), Key: item, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("the item did not survive the restart: %v %v", err, out)
	}
}

// tools returns the repository root with the stand-ins installed.
func tools(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if err := localcloud.EnsureTools(root, nil); err != nil {
		t.Fatal(err)
	}
	return root
}
