package memdb

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The SDK client checks that required members are present before it sends
// a request, and fails with a smithy.InvalidParamsError naming them; memdb
// does the same for the operations it implements, so a request missing a
// member fails alike on both.

type params struct{ smithy.InvalidParamsError }

func newParams(context string) *params {
	return &params{smithy.InvalidParamsError{Context: context}}
}

func (p *params) need(name string, present bool) *params {
	if !present {
		p.Add(smithy.NewErrParamRequired(name))
	}
	return p
}

func (p *params) nested(name string, q *params) *params {
	if q != nil && q.Len() > 0 {
		p.AddNested(name, q.InvalidParamsError)
	}
	return p
}

func (p *params) err() error {
	if p.Len() > 0 {
		return p.InvalidParamsError
	}
	return nil
}

// checkParams returns the SDK's client-side error for in, or nil.
func checkParams(in any) error {
	switch x := in.(type) {
	case *dynamodb.GetItemInput:
		return newParams("GetItemInput").need("TableName", x.TableName != nil).need("Key", x.Key != nil).err()
	case *dynamodb.PutItemInput:
		return newParams("PutItemInput").need("TableName", x.TableName != nil).need("Item", x.Item != nil).err()
	case *dynamodb.UpdateItemInput:
		return newParams("UpdateItemInput").need("TableName", x.TableName != nil).need("Key", x.Key != nil).err()
	case *dynamodb.DeleteItemInput:
		return newParams("DeleteItemInput").need("TableName", x.TableName != nil).need("Key", x.Key != nil).err()
	case *dynamodb.QueryInput:
		p := newParams("QueryInput").need("TableName", x.TableName != nil)
		conds := newParams("KeyConditions")
		for _, k := range sortedKeys(x.KeyConditions) {
			c := x.KeyConditions[k]
			conds.nested(fmt.Sprintf("[%q]", k), newParams("Condition").need("ComparisonOperator", c.ComparisonOperator != ""))
		}
		return p.nested("KeyConditions", conds).err()
	case *dynamodb.ScanInput:
		return newParams("ScanInput").need("TableName", x.TableName != nil).err()
	case *dynamodb.BatchGetItemInput:
		p := newParams("BatchGetItemInput").need("RequestItems", x.RequestItems != nil)
		m := newParams("BatchGetRequestMap")
		for _, k := range sortedKeys(x.RequestItems) {
			m.nested(fmt.Sprintf("[%q]", k), newParams("KeysAndAttributes").need("Keys", x.RequestItems[k].Keys != nil))
		}
		return p.nested("RequestItems", m).err()
	case *dynamodb.BatchWriteItemInput:
		p := newParams("BatchWriteItemInput").need("RequestItems", x.RequestItems != nil)
		m := newParams("BatchWriteItemRequestMap")
		for _, k := range sortedKeys(x.RequestItems) {
			ws := newParams("WriteRequests")
			for i, w := range x.RequestItems[k] {
				wp := newParams("WriteRequest")
				if w.PutRequest != nil {
					wp.nested("PutRequest", newParams("PutRequest").need("Item", w.PutRequest.Item != nil))
				}
				if w.DeleteRequest != nil {
					wp.nested("DeleteRequest", newParams("DeleteRequest").need("Key", w.DeleteRequest.Key != nil))
				}
				ws.nested(fmt.Sprintf("[%d]", i), wp)
			}
			m.nested(fmt.Sprintf("[%q]", k), ws)
		}
		return p.nested("RequestItems", m).err()
	case *dynamodb.TransactGetItemsInput:
		p := newParams("TransactGetItemsInput").need("TransactItems", x.TransactItems != nil)
		l := newParams("TransactGetItemList")
		for i, ti := range x.TransactItems {
			g := newParams("TransactGetItem").need("Get", ti.Get != nil)
			if ti.Get != nil {
				g.nested("Get", newParams("Get").need("Key", ti.Get.Key != nil).need("TableName", ti.Get.TableName != nil))
			}
			l.nested(fmt.Sprintf("[%d]", i), g)
		}
		return p.nested("TransactItems", l).err()
	case *dynamodb.TransactWriteItemsInput:
		p := newParams("TransactWriteItemsInput").need("TransactItems", x.TransactItems != nil)
		l := newParams("TransactWriteItemList")
		for i, ti := range x.TransactItems {
			l.nested(fmt.Sprintf("[%d]", i), txItemParams(ti))
		}
		return p.nested("TransactItems", l).err()
	case *dynamodb.CreateTableInput:
		p := newParams("CreateTableInput").need("TableName", x.TableName != nil).need("KeySchema", x.KeySchema != nil)
		return p.err()
	case *dynamodb.DescribeTableInput:
		return newParams("DescribeTableInput").need("TableName", x.TableName != nil).err()
	case *dynamodb.DeleteTableInput:
		return newParams("DeleteTableInput").need("TableName", x.TableName != nil).err()
	case *dynamodb.UpdateTimeToLiveInput:
		p := newParams("UpdateTimeToLiveInput").need("TableName", x.TableName != nil).need("TimeToLiveSpecification", x.TimeToLiveSpecification != nil)
		if s := x.TimeToLiveSpecification; s != nil {
			p.nested("TimeToLiveSpecification", newParams("TimeToLiveSpecification").need("Enabled", s.Enabled != nil).need("AttributeName", s.AttributeName != nil))
		}
		return p.err()
	case *dynamodb.DescribeTimeToLiveInput:
		return newParams("DescribeTimeToLiveInput").need("TableName", x.TableName != nil).err()
	}
	return nil
}

func txItemParams(ti types.TransactWriteItem) *params {
	p := newParams("TransactWriteItem")
	if x := ti.ConditionCheck; x != nil {
		p.nested("ConditionCheck", newParams("ConditionCheck").need("Key", x.Key != nil).need("TableName", x.TableName != nil).need("ConditionExpression", x.ConditionExpression != nil))
	}
	if x := ti.Put; x != nil {
		p.nested("Put", newParams("Put").need("Item", x.Item != nil).need("TableName", x.TableName != nil))
	}
	if x := ti.Delete; x != nil {
		p.nested("Delete", newParams("Delete").need("Key", x.Key != nil).need("TableName", x.TableName != nil))
	}
	if x := ti.Update; x != nil {
		p.nested("Update", newParams("Update").need("Key", x.Key != nil).need("UpdateExpression", x.UpdateExpression != nil).need("TableName", x.TableName != nil))
	}
	return p
}
