package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/audit"
)

// TestGroupAuditPageAndAPI: admins read the record on its page and through
// the API, members may not, and a direct edit of the table shows on the
// page's check.
func TestGroupAuditPageAndAPI(t *testing.T) {
	g := newGroupHarness(t)
	alice, bob := g.user("Alice"), g.user("Bob")
	grp := g.createGroup(alice, "Orchard "+g.tag, "open")
	if rec := g.do(bob, "POST", "/api/v1/groups/"+grp.ID+"/join", ""); rec.Code != 200 {
		t.Fatalf("join: %d %s", rec.Code, rec.Body)
	}
	for _, role := range []string{"admin", "member"} {
		if rec := g.do(alice, "PATCH", "/api/v1/groups/"+grp.ID+"/members/"+bob, `{"role":"`+role+`"}`); rec.Code != 200 {
			t.Fatalf("role %s: %d %s", role, rec.Code, rec.Body)
		}
	}
	rec := g.do(alice, "POST", "/groups/"+grp.ID+"/settings", fmt.Sprintf("version=%d&name=Orchard&handle=%s&privacy=closed", grp.Version, grp.Handle))
	if rec.Code != 303 {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	// Before sealing, the page shows the entries as being added.
	page := g.do(alice, "GET", "/groups/"+grp.ID+"/audit", "")
	if page.Code != 200 || !strings.Contains(page.Body.String(), "being added to the record") {
		t.Fatalf("page before sealing: %d %s", page.Code, page.Body)
	}
	if _, err := g.audit.Seal(context.Background(), grp.ID, 100); err != nil {
		t.Fatal(err)
	}
	page = g.do(alice, "GET", "/groups/"+grp.ID+"/audit?verify=1", "")
	body := page.Body.String()
	for _, want := range []string{"Alice</strong> changed the role of Bob", "from admin to member", "from member to admin",
		"changed the group&#39;s settings", "changed: name; privacy open → closed", "The record is intact: 3 entries checked", "entry 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("the record page lacks %q:\n%s", want, body)
		}
	}
	if rec := g.do(bob, "GET", "/groups/"+grp.ID+"/audit", ""); rec.Code != 403 {
		t.Errorf("a member's view of the record: %d", rec.Code)
	}
	var list audit.Page
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/audit?limit=2", ""), 200, &list)
	if len(list.Entries) != 2 || list.Entries[0].Action != audit.SettingsChanged || list.Next == "" {
		t.Fatalf("API page: %+v", list)
	}
	var rep audit.Report
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/audit/verify", ""), 200, &rep)
	if !rep.OK || rep.Entries != 3 {
		t.Fatalf("API verify: %+v", rep)
	}
	if rec := g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/audit?limit=500", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), "limit") {
		t.Errorf("a limit out of range: %d %s", rec.Code, rec.Body)
	}

	// Someone with access to the table turns entry 2 into a promotion.
	_, err := g.env.Clients.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(g.env.Config.Table),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "AUDIT#" + grp.ID},
			"SK": &types.AttributeValueMemberS{Value: "E#000000000002"}},
		UpdateExpression:          aws.String("SET Details.#to = :v"),
		ExpressionAttributeNames:  map[string]string{"#to": "to"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "admin"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	body = g.do(alice, "GET", "/groups/"+grp.ID+"/audit?verify=1", "").Body.String()
	if !strings.Contains(body, "tampered with at entry 2") || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("the check missed the edit:\n%s", body)
	}
	g.json(g.do(alice, "GET", "/api/v1/groups/"+grp.ID+"/audit/verify", ""), 200, &rep)
	if rep.OK || rep.BrokenAt != 2 {
		t.Fatalf("API verify after the edit: %+v", rep)
	}
}
