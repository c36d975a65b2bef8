package recovery_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

// world is a live deployment on the local cloud with one group that has a
// subgroup, two members, threads with comments, an edit history, a file
// and guests, and polls with ballots (one anonymous).
type world struct {
	t          *testing.T
	env        *testcloud.Env
	a          *app.API
	owner, max context.Context
	ownerID    string
	maxID      string
	gid, sub   string
	t1, t2     string // t1 has the file, a comment, an edit and a poll
	subThread  string
	p1, anon   string
	file       string // S3 key of t1's attachment
	fileID     string
}

var png = []byte("\x89PNG\r\n\x1a\n restored file contents")

func (w *world) must(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

func (w *world) person(name string) (context.Context, string) {
	w.t.Helper()
	p := testkit.NewPersonWithEmail(w.t, w.a.Accounts, name, w.env.Prefix+"-"+strings.ToLower(name)+"@example.org")
	return p.Ctx, p.ID
}

func newWorld(t *testing.T) *world {
	t.Helper()
	env := testcloud.New(t)
	a, err := app.NewAPI(context.Background(), env.Config, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, env: env, a: a}
	w.owner, w.ownerID = w.person("Olive")
	w.max, w.maxID = w.person("Max")
	g, err := a.Groups.Create(w.owner, group.CreateInput{Name: "Garden club", Handle: "garden-" + env.Prefix, Privacy: "closed"})
	w.must(err, "create group")
	w.gid = g.ID
	sg, err := a.Groups.Create(w.owner, group.CreateInput{Name: "Seed swap", Handle: "seeds-" + env.Prefix, Privacy: "closed", ParentID: g.ID})
	w.must(err, "create subgroup")
	w.sub = sg.ID
	link, err := a.Groups.JoinLink(w.owner, w.gid)
	w.must(err, "join link")
	_, err = a.Groups.JoinViaLink(w.max, link[strings.LastIndex(link, "/join/")+len("/join/"):])
	w.must(err, "join")

	t1, err := a.Discussions.StartThread(w.owner, discussion.StartInput{GroupID: w.gid, Title: "What to plant", Description: "Ideas?"})
	w.must(err, "start thread")
	w.t1 = t1.ID
	_, err = a.Discussions.Comment(w.max, w.t1, discussion.CommentInput{Body: "Tomatoes."})
	w.must(err, "comment")
	title := "What to plant in spring"
	_, err = a.Discussions.UpdateThread(w.owner, w.t1, discussion.UpdateInput{Title: &title, Version: t1.Version})
	w.must(err, "edit thread")
	w.upload()
	t2, err := a.Discussions.StartThread(w.max, discussion.StartInput{GroupID: w.gid, Title: "Tools", Description: "Who has a spade?"})
	w.must(err, "start thread 2")
	w.t2 = t2.ID
	st, err := a.Discussions.StartThread(w.owner, discussion.StartInput{GroupID: w.sub, Title: "Seeds", Description: "Swap list"})
	w.must(err, "subgroup thread")
	w.subThread = st.ID

	w.p1 = w.poll(w.t1, false)
	w.anon = w.poll("", true)
	return w
}

func (w *world) poll(tid string, anonymous bool) string {
	w.t.Helper()
	d := poll.New(poll.TypeProposal)
	d.Title = "Plant tomatoes?"
	at := time.Now().Add(7 * 24 * time.Hour)
	d.Settings.ClosingAt = &at
	d.Settings.Anonymous = anonymous
	p, err := w.a.Decisions.Create(w.owner, decision.CreateInput{GroupID: w.gid, ThreadID: tid, Definition: d})
	w.must(err, "create poll")
	for _, voter := range []context.Context{w.owner, w.max} {
		_, err := w.a.Decisions.Vote(voter, p.ID, decision.VoteInput{Ballot: poll.Ballot{
			Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "yes"}})
		w.must(err, "vote")
	}
	return p.ID
}

func (w *world) upload() {
	w.t.Helper()
	up, err := w.a.Discussions.StartUpload(w.owner, w.t1, discussion.UploadInput{Name: "plan.png", ContentType: "image/png", Size: int64(len(png))})
	w.must(err, "start upload")
	testcloud.PutPresigned(w.t, up.Put, png)
	_, err = w.a.Discussions.ConfirmUpload(w.owner, w.t1, up.FileID)
	w.must(err, "confirm upload")
	w.fileID = up.FileID
	w.file = "threads/" + w.t1 + "/" + up.FileID
}

// download fetches t1's file through the application, as a member would.
func (w *world) download() ([]byte, error) {
	u, err := w.a.Discussions.DownloadURL(w.max, w.t1, w.fileID)
	if err != nil {
		return nil, err
	}
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("download: %d", resp.StatusCode)
	}
	return b, nil
}

// snapshot copies the whole live table into a new table: what a
// point-in-time restore (which DynamoDB Local lacks) produces.
func (w *world) snapshot(name string) string {
	w.t.Helper()
	ctx := context.Background()
	def := tabledef.MainTable(name)
	w.must(localcloud.EnsureTable(ctx, w.env.Clients.DynamoDB, def), "create snapshot table")
	copyTable(w.t, w.env.Clients.DynamoDB, w.env.Config.Table, def.Name)
	return def.Name
}

func copyTable(t *testing.T, db dynamodbiface.DynamoDBAPI, from, to string) {
	t.Helper()
	ctx := context.Background()
	in := &dynamodb.ScanInput{TableName: aws.String(from)}
	for {
		page, err := db.Scan(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(to), Item: it}); err != nil {
				t.Fatal(err)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// deletePartition removes every item of partition pk from the live table.
func (w *world) deletePartition(pk string) int {
	w.t.Helper()
	ctx := context.Background()
	db := w.env.Clients.DynamoDB
	out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(w.env.Config.Table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}})
	w.must(err, "query "+pk)
	for _, it := range out.Items {
		_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(w.env.Config.Table),
			Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}})
		w.must(err, "delete")
	}
	return len(out.Items)
}

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }
func n(v int) *types.AttributeValueMemberN    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

func timeNow() time.Time { return time.Now() }

// scan calls f for every item of the live table.
func scan(t *testing.T, w *world, f func(map[string]types.AttributeValue)) {
	t.Helper()
	in := &dynamodb.ScanInput{TableName: aws.String(w.env.Config.Table)}
	for {
		page, err := w.env.Clients.DynamoDB.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			f(it)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
