package contract_test

import (
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// describeView keeps the parts of a table description that do not depend
// on names, times or ARNs.
func describeView(d *types.TableDescription) any {
	if d == nil {
		return nil
	}
	// ItemCount is left out: AWS refreshes it every six hours or so.
	v := map[string]any{"status": d.TableStatus, "keys": d.KeySchema, "attributes": len(d.AttributeDefinitions),
		"stream": d.StreamSpecification}
	if d.BillingModeSummary != nil {
		v["billing"] = d.BillingModeSummary.BillingMode
	}
	var gsis []any
	idx := append([]types.GlobalSecondaryIndexDescription(nil), d.GlobalSecondaryIndexes...)
	sort.Slice(idx, func(i, j int) bool { return aws.ToString(idx[i].IndexName) < aws.ToString(idx[j].IndexName) })
	for _, g := range idx {
		gsis = append(gsis, map[string]any{"name": aws.ToString(g.IndexName), "keys": g.KeySchema, "projection": g.Projection,
			"status": g.IndexStatus})
	}
	v["indexes"] = gsis
	return v
}

func TestTables(t *testing.T) {
	run(t, "Quorum's table as provisioned", func(c *C) {
		out, err := c.DB.DescribeTable(c.ctx, &dynamodb.DescribeTableInput{TableName: &c.Table})
		c.ok("describe", err)
		c.note("describe", describeView(out.Table))
		ttl, err := c.DB.DescribeTimeToLive(c.ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &c.Table})
		c.ok("ttl", err)
		c.note("ttl", ttl.TimeToLiveDescription)
		// Provisioning again is a no-op (EnsureTable finds the table).
		def := tabledef.MainTable("x")
		def.Name = c.Table
		c.ok("ensure", localcloud.EnsureTable(c.ctx, c.DB, def))
	})
	run(t, "lifecycle", func(c *C) {
		ks, ad := keySchema("h", "S", "r", "N")
		name := c.newTable(&dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad})
		out, err := c.DB.DescribeTable(c.ctx, &dynamodb.DescribeTableInput{TableName: &name})
		c.ok("describe", err)
		c.note("describe", describeView(out.Table))
		_, err = c.DB.CreateTable(c.ctx, &dynamodb.CreateTableInput{TableName: &name, KeySchema: ks, AttributeDefinitions: ad, BillingMode: types.BillingModePayPerRequest})
		c.wantCode("create twice", c.rec("create twice")(nil, err), "ResourceInUseException")
		_, err = c.DB.PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &name, Item: item{"h": S("a"), "r": N("1")}})
		c.ok("put", err)
		out, err = c.DB.DescribeTable(c.ctx, &dynamodb.DescribeTableInput{TableName: &name})
		c.ok("describe", err)
		c.note("describe with an item", describeView(out.Table))
		// Other packages' tables share DynamoDB Local: page through them.
		found, pages := false, 0
		for in := (&dynamodb.ListTablesInput{Limit: aws.Int32(100)}); pages < 1000; pages++ {
			list, err := c.DB.ListTables(c.ctx, in)
			c.ok("list", err)
			for _, n := range list.TableNames {
				found = found || n == name
			}
			if list.LastEvaluatedTableName == nil {
				break
			}
			in.ExclusiveStartTableName = list.LastEvaluatedTableName
		}
		c.note("listed", found)
		list, err := c.DB.ListTables(c.ctx, &dynamodb.ListTablesInput{ExclusiveStartTableName: aws.String(name), Limit: aws.Int32(1)})
		c.ok("list after", err)
		for _, n := range list.TableNames {
			if n <= name {
				c.Errorf("listed %s after %s", n, name)
			}
		}
		spec := &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}
		c.rec("ttl on")(c.DB.UpdateTimeToLive(c.ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: spec}))
		c.rec("ttl on again")(c.DB.UpdateTimeToLive(c.ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: spec}))
		ttl, err := c.DB.DescribeTimeToLive(c.ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
		c.ok("ttl", err)
		c.note("ttl", ttl.TimeToLiveDescription)
		del, err := c.DB.DeleteTable(c.ctx, &dynamodb.DeleteTableInput{TableName: &name})
		c.ok("delete", err)
		c.diverges("deleted", "DeleteTable describes the table as still ACTIVE", del.TableDescription.TableStatus, types.TableStatusDeleting)
		_, err = c.DB.DescribeTable(c.ctx, &dynamodb.DescribeTableInput{TableName: &name})
		c.wantCode("describe deleted", c.rec("describe deleted")(nil, err), "ResourceNotFoundException")
		_, err = c.DB.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &name, Key: item{"h": S("a"), "r": N("1")}})
		c.wantCode("get deleted", c.rec("get deleted")(nil, err), "ResourceNotFoundException")
		_, err = c.DB.DeleteTable(c.ctx, &dynamodb.DeleteTableInput{TableName: &name})
		c.wantCode("delete deleted", c.rec("delete deleted")(nil, err), "ResourceNotFoundException")
	})
	run(t, "invalid definitions", func(c *C) {
		name := "x" + randomHex(6)
		ks, ad := keySchema("h", "S", "", "")
		for _, tc := range []struct {
			label string
			in    *dynamodb.CreateTableInput
		}{
			{"unused attribute", &dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: append(ad, types.AttributeDefinition{AttributeName: aws.String("x"), AttributeType: types.ScalarAttributeTypeS})}},
			{"undefined key", &dynamodb.CreateTableInput{KeySchema: ks}},
			{"short name", &dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad, TableName: aws.String("ab")}},
			{"provisioned without throughput", &dynamodb.CreateTableInput{KeySchema: ks, AttributeDefinitions: ad, BillingMode: types.BillingModeProvisioned}},
		} {
			if tc.in.TableName == nil {
				tc.in.TableName = &name
			}
			if tc.in.BillingMode == "" {
				tc.in.BillingMode = types.BillingModePayPerRequest
			}
			_, err := c.DB.CreateTable(c.ctx, tc.in)
			c.wantCode(tc.label, c.rec(tc.label)(nil, err), "ValidationException")
		}
		_, err := c.DB.DescribeTable(c.ctx, &dynamodb.DescribeTableInput{TableName: &name})
		c.wantCode("not created", c.rec("not created")(nil, err), "ResourceNotFoundException")
	})
}
