package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

func cli(args ...string) (int, string, string) {
	// No credentials reach the tests, from the environment or elsewhere.
	for k, v := range map[string]string{"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
		"AWS_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent"} {
		os.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: recovery COMMAND"},
		{[]string{"explode"}, 2, `unknown command "explode"`},
		{[]string{"verify"}, 2, "-a is required"},
		{[]string{"restore-group", "-group", "g"}, 2, "-from is required"},
		{[]string{"restore-group", "-from", "x", "-group", "g", "-thread", "t"}, 2, "exactly one group or one thread"},
		{[]string{"restore-pitr"}, 2, "-time is required"},
		{[]string{"restore-pitr", "-time", "yesterday"}, 2, `-time "yesterday"`},
		{[]string{"restore-object"}, 2, "-key is required"},
		{[]string{"failover", "-c", "nonsense"}, 2, "-c wants key=value"},
		{[]string{"failover", "-c", "account=12", "-dynamodb-endpoint", "http://127.0.0.1:1"}, 1, `account: "12" is not a 12-digit`},
		{[]string{"status", "-c", "account=123456789012"}, 1, "no AWS credentials"},
	} {
		code, _, errOut := cli(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// restore-group and verify from the command line, against DynamoDB Local:
// a dry run writes nothing, the restore brings the group back, and verify
// then finds both sides equal.
func TestRestoreGroupAndVerifyCommands(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	db := env.Clients.DynamoDB
	restored := tabledef.MainTable(env.Prefix + "-restored")
	if err := localcloud.EnsureTable(ctx, db, restored); err != nil {
		t.Fatal(err)
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for _, it := range []map[string]types.AttributeValue{
		{"PK": s("GROUP#g1"), "SK": s("GROUP"), "Type": s("group"), "Handle": s("garden"), "Version": &types.AttributeValueMemberN{Value: "3"}},
		{"PK": s("GROUP#g1"), "SK": s("MEMBER#u1"), "Type": s("membership")},
		{"PK": s("HANDLE#garden"), "SK": s("HANDLE"), "Type": s("handle"), "GroupID": s("g1")},
	} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(restored.Name), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	local := []string{"-dynamodb-endpoint", env.Config.DynamoDBEndpoint, "-s3-endpoint", env.Config.S3Endpoint}
	args := append([]string{"restore-group", "-from", restored.Name, "-to", env.Config.Table, "-group", "g1",
		"-bucket", env.Config.UploadsBucket}, local...)

	code, out, errOut := cli(append(args, "-dry-run")...)
	if code != 0 || !strings.Contains(out, "Dry run (nothing written): would restore group g1") || !strings.Contains(out, "3 restored") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = cli(append([]string{"verify", "-a", restored.Name, "-b", env.Config.Table, "-group", "g1"}, local...)...)
	if code != 3 || !strings.Contains(out, "3 only in A") {
		t.Fatalf("verify before: exit %d\n%s", code, out)
	}
	code, out, errOut = cli(args...)
	if code != 0 || !strings.Contains(out, "Restored group g1") || !strings.Contains(out, "Check: make verify") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = cli(append([]string{"verify", "-a", restored.Name, "-b", env.Config.Table, "-group", "g1"}, local...)...)
	if code != 0 || !strings.Contains(out, "OK: both hold the same items") {
		t.Fatalf("verify after: exit %d\n%s", code, out)
	}
	code, out, _ = cli(append([]string{"verify", "-json", "-a", restored.Name, "-b", env.Config.Table}, local...)...)
	if code != 0 || !strings.Contains(out, `"same": 3`) {
		t.Fatalf("verify whole tables: exit %d\n%s", code, out)
	}
}
