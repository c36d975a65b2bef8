package cores_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/testcloud"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

var codeRe = regexp.MustCompile(`Your code: (\d{6})`)

// TestAccountDeletionAcrossCores deletes an account through the wired
// cores: the last admin is refused naming the group; a member's
// membership, notification levels and mail preferences go, the group's
// record gets an entry without personal data, and the person's items are
// gone from the table.
func TestAccountDeletionAcrossCores(t *testing.T) {
	env := testcloud.New(t)
	c, err := cores.New(context.Background(), env.Config, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	emu := mail.Emulator{URL: env.Config.SESEndpoint}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string, string) {
		addr := env.Prefix + "-" + name + "@example.org"
		u, err := c.Accounts.CreateUser(ctx, addr, name)
		must(err, "user")
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "s-" + name}), u.ID, addr
	}
	code := func(who context.Context, addr string) string {
		t.Helper()
		_, err := c.Accounts.RequestDeletion(who)
		must(err, "request code")
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		m, err := emu.WaitFor(wctx, addr, func(m mail.StoredMessage) bool {
			return m.Subject == "Confirm deleting your Quorum account"
		})
		must(err, "code mail")
		return codeRe.FindStringSubmatch(m.Body.Text)[1]
	}
	ada, _, adaAddr := person("ada")
	ben, benID, benAddr := person("ben")
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Board " + env.Prefix, Handle: "board-" + env.Prefix, Privacy: "open"})
	must(err, "group")
	_, err = c.Groups.Join(ben, g.ID)
	must(err, "join")
	must(c.Notifications.SetLevel(ctx, benID, notify.GroupScope(g.ID), notify.Loud), "level")
	must(c.MailPrefs.SetOptOut(ben, mailpref.Scope{Kind: mailpref.ScopeGroup, ID: g.ID}, true), "opt out")

	// The only admin is refused, with the group named.
	err = c.Accounts.DeleteAccount(ada, code(ada, adaAddr))
	if domain.ErrorCode(err) != domain.Conflict || !strings.Contains(err.Error(), "Board "+env.Prefix) {
		t.Fatalf("last admin: %v", err)
	}

	must(c.Accounts.DeleteAccount(ben, code(ben, benAddr)), "delete")
	gg, err := c.Groups.Get(ada, g.ID)
	must(err, "group after")
	if gg.MemberCount == nil || *gg.MemberCount != 1 {
		t.Fatalf("member count after deletion: %v", gg.MemberCount)
	}
	_, err = c.Audit.SealPending(ctx, 100)
	must(err, "seal")
	page, err := c.Audit.List(ada, g.ID, "", 100)
	must(err, "record")
	found := 0
	for _, e := range page.Entries {
		if e.Action == audit.AccountDeleted {
			found++
			if e.ActorID != "" || e.Target.ID != "" || len(e.Details) != 0 {
				t.Errorf("entry carries personal data: %+v", e)
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d account-deleted entries in %+v", found, page.Entries)
	}
	// Nothing in the table carries the person's id or address.
	var start map[string]types.AttributeValue
	for {
		out, err := env.Clients.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(env.Config.Table), ExclusiveStartKey: start})
		must(err, "scan")
		for _, it := range out.Items {
			for k, av := range it {
				if sv, ok := av.(*types.AttributeValueMemberS); ok && (strings.Contains(sv.Value, benID) || strings.Contains(sv.Value, benAddr)) {
					t.Errorf("%s of a %s item still names the person", k, fmt.Sprint(it["Type"].(*types.AttributeValueMemberS).Value))
				}
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
}

// TestDeletedAuthorIsShownAsDeletedMember: the name a deleted account wrote
// threads and comments under, and the name in others' notifications about
// what it did, become "Deleted member"; nothing in the table keeps the
// name; other people's content keeps theirs.
func TestDeletedAuthorIsShownAsDeletedMember(t *testing.T) {
	env := testcloud.New(t)
	c, err := cores.New(context.Background(), env.Config, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	emu := mail.Emulator{URL: env.Config.SESEndpoint}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string) {
		addr := env.Prefix + "-" + strings.ToLower(name) + "@example.org"
		u, err := c.Accounts.CreateUser(ctx, addr, name)
		must(err, "user")
		return authz.WithActor(ctx, authz.Actor{Kind: authz.User, UserID: u.ID, SessionID: "s-" + name}), addr
	}
	secretName := "Benedikt" + strings.ReplaceAll(env.Prefix, "-", "")
	ada, _ := person("Ada")
	ben, benAddr := person(secretName)
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Garden " + env.Prefix, Privacy: "open"})
	must(err, "group")
	_, err = c.Groups.Join(ben, g.ID)
	must(err, "join")
	th, err := c.Discussions.StartThread(ben, discussion.StartInput{GroupID: g.ID, Title: "Compost", Description: "Where?"})
	must(err, "thread")
	mine, err := c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "Behind the shed."})
	must(err, "comment")
	_, err = c.Discussions.Comment(ada, th.ID, discussion.CommentInput{Body: "Agreed.", ParentID: mine.ID})
	must(err, "reply")
	_, err = c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "Thanks, @ada."})
	must(err, "second comment")

	_, err = c.Accounts.RequestDeletion(ben)
	must(err, "request code")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := emu.WaitFor(wctx, benAddr, func(m mail.StoredMessage) bool { return m.Subject == "Confirm deleting your Quorum account" })
	must(err, "code mail")
	must(c.Accounts.DeleteAccount(ben, codeRe.FindStringSubmatch(m.Body.Text)[1]), "delete")
	// Whatever the request left (it bounds its work), the scheduler finishes.
	for i := 0; i < 5; i++ {
		_, err := c.Accounts.ResumeDeletions(ctx, 10)
		must(err, "resume")
	}

	got, err := c.Discussions.Thread(ada, th.ID)
	must(err, "thread after")
	if got.AuthorName != account.DeletedName {
		t.Errorf("thread author shown as %q, want %q", got.AuthorName, account.DeletedName)
	}
	page, err := c.Discussions.Page(ada, th.ID, "", 100)
	must(err, "page")
	byBen, byAda := 0, 0
	for _, it := range page.Items {
		switch it.ActorName {
		case account.DeletedName:
			byBen++
		case "Ada":
			byAda++
		}
	}
	if byBen < 2 || byAda < 1 {
		t.Errorf("after deletion: %d items by %q, %d by Ada, want ≥ 2 and ≥ 1: %+v", byBen, account.DeletedName, byAda, page.Items)
	}
	// Nothing in the table holds the name any more, and no rename scan is
	// left behind.
	var start map[string]types.AttributeValue
	for {
		out, err := env.Clients.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(env.Config.Table), ExclusiveStartKey: start})
		must(err, "scan")
		for _, it := range out.Items {
			kind := ""
			if v, ok := it["Type"].(*types.AttributeValueMemberS); ok {
				kind = v.Value
			}
			if kind == "erase_scan" {
				t.Errorf("a rename scan's progress item is left: %v", it["SK"])
			}
			for k, av := range it {
				if sv, ok := av.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, secretName) {
					t.Errorf("%s of a %s item still holds the deleted person's name", k, kind)
				}
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
}
