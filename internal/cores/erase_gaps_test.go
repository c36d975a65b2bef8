package cores_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

// TestAccountDeletionErasesWhatItUsedToLeave closes the gaps docs/privacy.md
// listed under "Not yet erased" (#16): after the deletion has run to its
// end, the table holds no history version the person made by editing,
// no request of theirs to join a group, no guest grant, no inviter name of
// theirs on a guest invitation, no held mail from them, no search document
// with their name, no trace of their address or name anywhere; the inbound
// bucket holds no version of the raw messages they sent; and their
// reply-address key generation (mail preferences) is gone.
func TestAccountDeletionErasesWhatItUsedToLeave(t *testing.T) {
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(io.Discard, "error"))
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
	secretName := "Benedikt" + strings.ReplaceAll(env.Prefix, "-", "")
	person := func(name string) (context.Context, string, string) {
		addr := env.Prefix + "-" + strings.ToLower(name) + "@example.org"
		p := testkit.NewPersonWithEmail(t, c.Accounts, name, addr)
		return p.Ctx, p.ID, addr
	}
	ada, _, _ := person("Ada")
	ben, benID, benAddr := person(secretName)
	cy, _, _ := person("Cy")

	// Ben writes and edits in Ada's open group, where he is a second admin.
	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Garden " + env.Prefix, Handle: "garden-" + env.Prefix, Privacy: "open"})
	must(err, "group")
	_, err = c.Groups.Join(ben, g.ID)
	must(err, "join")
	_, err = c.Groups.SetRole(ada, g.ID, benID, authz.RoleAdmin)
	must(err, "admin")
	th, err := c.Discussions.StartThread(ben, discussion.StartInput{GroupID: g.ID, Title: "Compost", Description: "Where?"})
	must(err, "thread")
	desc := "Where exactly?"
	_, err = c.Discussions.UpdateThread(ben, th.ID, discussion.UpdateInput{Description: &desc, Version: th.Version})
	must(err, "edit description")
	cm, err := c.Discussions.Comment(ben, th.ID, discussion.CommentInput{Body: "Behind the shed."})
	must(err, "comment")
	_, err = c.Discussions.EditComment(ben, th.ID, cm.ID, "Behind the barn.", cm.Version)
	must(err, "edit comment")
	// Ben invites a guest by email (an address without an account): the
	// invitation carries his name.
	must(c.Discussions.InviteGuest(ben, th.ID, env.Prefix+"-guest@example.org"), "invite guest")

	// Ben asks to join Cy's closed group, and is a guest in one of its threads.
	closed, err := c.Groups.Create(cy, group.CreateInput{Name: "Closed " + env.Prefix, Privacy: "closed"})
	must(err, "closed group")
	must(c.Groups.RequestMembership(ben, closed.ID, "Please let me in, I am "+secretName), "request")
	cth, err := c.Discussions.StartThread(cy, discussion.StartInput{GroupID: closed.ID, Title: "Plans", Description: "Soon"})
	must(err, "closed thread")
	must(c.Discussions.AddGuest(cy, cth.ID, benID), "guest")

	// Mail from Ben's address: a reply held for his confirmation (its
	// checks fail) and a new thread posted to the group by mail.
	raws := map[string]bool{}
	eml := func(to, subject, body string) []byte {
		return []byte("From: " + secretName + " <" + benAddr + ">\r\nTo: " + to + "\r\nSubject: " + subject +
			"\r\nDate: Mon, 23 Nov 2026 18:40:10 +0000\r\nMessage-ID: <" + subject + "." + env.Prefix + "@example.org>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	}
	toGroup := g.Handle + "@" + c.Inbox.Domain()
	out, err := c.Inbox.Inject(ctx, eml(toGroup, "Seeds", "Which seeds?"), []string{toGroup}, inbox.PassingVerdicts())
	must(err, "mail to group")
	if out.Result != inbox.Started {
		t.Fatalf("mail to the group: %+v", out)
	}
	raws[out.MessageID] = true
	out, err = c.Inbox.Inject(ctx, eml(toGroup, "Spoofed", "Signed, "+secretName), []string{toGroup}, inbox.FailingVerdicts())
	must(err, "held mail")
	if out.Result != inbox.HeldMail {
		t.Fatalf("failing mail not held: %+v", out)
	}
	raws[out.MessageID] = true

	// A search document the stream has not caught up with yet.
	_, err = env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Config.Table), Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "SEARCH#DOC#c-" + cm.ID}, "SK": &types.AttributeValueMemberS{Value: "DOC"},
		"Type": &types.AttributeValueMemberS{Value: "search_doc"}, "AuthorID": &types.AttributeValueMemberS{Value: benID},
		"Author": &types.AttributeValueMemberS{Value: secretName}}})
	must(err, "search doc")

	// Another address of Ben's that Ada allowed to post to her group.
	alias := env.Prefix + "-ben-other@example.org"
	_, err = env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Config.Table), Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "GROUP#" + g.ID}, "SK": &types.AttributeValueMemberS{Value: "MAILALIAS#x"},
		"Type": &types.AttributeValueMemberS{Value: "mail_alias"}, "UserID": &types.AttributeValueMemberS{Value: benID},
		"GroupID": &types.AttributeValueMemberS{Value: g.ID}, "Address": &types.AttributeValueMemberS{Value: alias}}})
	must(err, "mail alias")

	_, err = c.Accounts.RequestDeletion(ben)
	must(err, "request code")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := emu.WaitFor(wctx, benAddr, func(m mail.StoredMessage) bool { return m.Subject == "Confirm deleting your Quorum account" })
	must(err, "code mail")
	must(c.Accounts.DeleteAccount(ben, codeRe.FindStringSubmatch(m.Body.Text)[1]), "delete")
	for i := 0; i < 5; i++ {
		_, err := c.Accounts.ResumeDeletions(ctx, 10)
		must(err, "resume")
	}
	if _, err := c.Accounts.User(ctx, benID); err == nil {
		t.Fatal("the user item is still there after the scheduler's runs")
	}

	var start map[string]types.AttributeValue
	for {
		out, err := env.Clients.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(env.Config.Table), ExclusiveStartKey: start})
		must(err, "scan")
		for _, it := range out.Items {
			kind, _ := it["Type"].(*types.AttributeValueMemberS)
			k := ""
			if kind != nil {
				k = kind.Value
			}
			for name, av := range it {
				sv, ok := av.(*types.AttributeValueMemberS)
				if ok && (strings.Contains(sv.Value, secretName) || strings.Contains(sv.Value, benAddr)) {
					t.Errorf("%s of a %s item still holds the deleted person's name or address", name, k)
				}
			}
			id := func(attr string) string {
				v, _ := it[attr].(*types.AttributeValueMemberS)
				if v == nil {
					return ""
				}
				return v.Value
			}
			switch {
			case k == "history" && id("EditorID") == benID:
				t.Errorf("an edit history version by the deleted person is left: %s", id("PK"))
			case k == "membership_request" && id("UserID") == benID:
				t.Errorf("a membership request of the deleted person is left")
			case k == "guest" && id("UserID") == benID:
				t.Errorf("a guest grant of the deleted person is left")
			case k == "mail_alias" && id("UserID") == benID:
				t.Errorf("an allowed other address of the deleted person is left: %s", id("Address"))
			case k == "held_mail":
				t.Errorf("held mail from the deleted person is left")
			case k == "inbound" && (id("FromHash") != "" || id("RawKey") != ""):
				t.Errorf("a received message's record still leads to the sender: %v", it)
			case k == "erase_scan":
				t.Errorf("an erasure scan's progress item is left: %s", id("SK"))
			case k == "mail_preferences" && id("UserID") == benID:
				t.Errorf("the reply-address key generation (mail preferences) is left")
			case k == "thread-invitation" && id("InviterName") != account.DeletedName:
				t.Errorf("guest invitation shows inviter %q", id("InviterName"))
			case k == "search_doc" && id("AuthorID") == benID && id("Author") != account.DeletedName:
				t.Errorf("search document shows author %q", id("Author"))
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	// No version of the raw messages from the address is left in the
	// inbound bucket (the held one and the posted one).
	vs, err := env.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(env.Config.InboundBucket)})
	must(err, "list inbound versions")
	for _, v := range vs.Versions {
		for id := range raws {
			if strings.Contains(aws.ToString(v.Key), id) {
				t.Errorf("raw message %s from the deleted address is still in the inbound bucket", aws.ToString(v.Key))
			}
		}
	}
	for _, v := range vs.DeleteMarkers {
		for id := range raws {
			if strings.Contains(aws.ToString(v.Key), id) {
				t.Errorf("a delete marker of %s is left", aws.ToString(v.Key))
			}
		}
	}
	// Others keep what is theirs: Ada's and Cy's groups and threads are there.
	if _, err := c.Discussions.Thread(ada, th.ID); err != nil {
		t.Errorf("the thread went with its author: %v", err)
	}
	if _, err := c.Discussions.Thread(cy, cth.ID); err != nil {
		t.Errorf("Cy's thread: %v", err)
	}
}
