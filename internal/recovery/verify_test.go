package recovery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
)

// verify over two whole tables: counts per entity, and each missing, extra
// or changed item by key; set order and attribute order do not matter;
// expired items are left out unless asked for.
func TestVerifyComparesTwoTables(t *testing.T) {
	env := testcloud.New(t)
	ctx := context.Background()
	db := env.Clients.DynamoDB
	other := tabledef.MainTable(env.Prefix + "-other")
	if err := localcloud.EnsureTable(ctx, db, other); err != nil {
		t.Fatal(err)
	}
	a, b := env.Config.Table, other.Name
	put := func(table string, it map[string]types.AttributeValue) {
		t.Helper()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	item := func(pk, sk, typ string, extra ...any) map[string]types.AttributeValue {
		it := map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk), "Type": s(typ)}
		for i := 0; i < len(extra); i += 2 {
			it[extra[i].(string)] = extra[i+1].(types.AttributeValue)
		}
		return it
	}
	for i, table := range []string{a, b} {
		put(table, item("GROUP#g1", "GROUP", "group", "Name", s("Same")))
		// The same set in another order is the same item.
		members := []string{"u1", "u2", "u3"}
		if i == 1 {
			members = []string{"u3", "u1", "u2"}
		}
		put(table, item("THREAD#t1", "ITEM#1", "timeline_item", "R_heart", &types.AttributeValueMemberSS{Value: members}))
	}
	put(a, item("GROUP#g1", "MEMBER#u1", "membership"))
	put(b, item("GROUP#g1", "MEMBER#u9", "membership"))
	put(a, item("THREAD#t1", "THREAD", "thread", "Title", s("Before")))
	put(b, item("THREAD#t1", "THREAD", "thread", "Title", s("After")))
	past := &types.AttributeValueMemberN{Value: "1000"}
	put(a, item("SESSION#x", "SESSION", "session", "TTL", past))

	r, err := recovery.Verify(ctx, db, recovery.VerifyInput{A: a, B: b})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.Print(&out)
	if r.Equal() || r.OnlyInA != 1 || r.OnlyInB != 1 || r.Different != 1 || r.Same != 2 {
		t.Fatalf("report:\n%s", out.String())
	}
	if r.OnlyInAKeys[0].SK != "MEMBER#u1" || r.OnlyInBKeys[0].SK != "MEMBER#u9" || r.DiffKeys[0].PK != "THREAD#t1" {
		t.Errorf("keys: %+v %+v %+v", r.OnlyInAKeys, r.OnlyInBKeys, r.DiffKeys)
	}
	if r.CountsA["membership"] != 1 || r.CountsB["membership"] != 1 || r.CountsA["session"] != 0 {
		t.Errorf("counts: %v %v", r.CountsA, r.CountsB)
	}
	for _, want := range []string{"only in A: GROUP#g1 / MEMBER#u1", "different: THREAD#t1 / THREAD", "DIFFERENT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	withExpired, err := recovery.Verify(ctx, db, recovery.VerifyInput{A: a, B: b, IncludeExpired: true, Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil || withExpired.OnlyInA != 2 || withExpired.CountsA["session"] != 1 {
		t.Errorf("with expired items: %+v %v", withExpired, err)
	}

	same, err := recovery.Verify(ctx, db, recovery.VerifyInput{A: a, B: a})
	if err != nil || !same.Equal() || same.Same != 4 {
		t.Errorf("a table against itself: %+v %v", same, err)
	}
}

func TestHashIgnoresOrderButNotValues(t *testing.T) {
	x := map[string]types.AttributeValue{"A": s("1"), "B": &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
		"M": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("v"), "l": &types.AttributeValueMemberL{Value: []types.AttributeValue{n(1), s("1")}}}}}
	y := map[string]types.AttributeValue{"M": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{n(1), s("1")}}, "k": s("v")}},
		"B": &types.AttributeValueMemberNS{Value: []string{"2", "1"}}, "A": s("1")}
	if recovery.Hash(x) != recovery.Hash(y) {
		t.Error("order changed the hash")
	}
	for name, z := range map[string]map[string]types.AttributeValue{
		"string vs number": {"A": n(1)},
		"list order":       {"L": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("b"), s("a")}}},
		"bool":             {"A": &types.AttributeValueMemberBOOL{Value: true}},
	} {
		base := map[string]types.AttributeValue{"A": s("1"), "L": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), s("b")}}}
		changed := map[string]types.AttributeValue{}
		for k, v := range base {
			changed[k] = v
		}
		for k, v := range z {
			changed[k] = v
		}
		if recovery.Hash(base) == recovery.Hash(changed) {
			t.Errorf("%s: same hash", name)
		}
	}
}
