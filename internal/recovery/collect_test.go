package recovery_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/tag"
)

// mentions reports whether any string in v contains one of ids.
func mentions(v types.AttributeValue, ids []string) bool {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		for _, id := range ids {
			if strings.Contains(x.Value, id) {
				return true
			}
		}
	case *types.AttributeValueMemberSS:
		for _, e := range x.Value {
			if mentions(&types.AttributeValueMemberS{Value: e}, ids) {
				return true
			}
		}
	case *types.AttributeValueMemberL:
		for _, e := range x.Value {
			if mentions(e, ids) {
				return true
			}
		}
	case *types.AttributeValueMemberM:
		for _, e := range x.Value {
			if mentions(e, ids) {
				return true
			}
		}
	}
	return false
}

// The restore's idea of "a group's items" matches what the services write:
// every item that refers to the group, its subgroup, threads or polls is
// in scope, except the items in people's own partitions (USER#...) and the
// fan-out jobs (FANOUT#...): a job is work in progress, and copying one
// back would tell the group again of what it already heard.
func TestCollectFindsEveryItemOfAGroup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// More kinds of items: an invitation, a thread guest invitation, a
	// closed poll with its outcome, frozen results and receipts.
	_, err := w.a.Groups.Invite(w.owner, w.gid, group.InviteInput{Emails: []string{w.env.Prefix + "-ivy@example.org"}, Role: "member"})
	w.must(err, "invite")
	_, err = w.a.Discussions.InviteGuestByEmail(w.owner, w.t1, w.env.Prefix+"-gus@example.org")
	w.must(err, "guest invite")
	_, err = w.a.Decisions.Close(w.owner, w.anon)
	w.must(err, "close")
	_, err = w.a.Decisions.SetOutcome(w.owner, w.anon, decision.OutcomeInput{Statement: "Agreed."})
	w.must(err, "outcome")
	_, err = w.a.Decisions.Tick(ctx, timeNow())
	w.must(err, "finalize")
	// Tags: definitions, the index of a tagged thread and poll, a deleted
	// tag still being purged. (Through a tag service without the audit
	// record: what a restore does with the record is another question.)
	tags := tag.New(tag.Config{Store: w.a.Store, Policy: w.a.Groups})
	name, colour, old := "Budget", "green", "Old"
	kept, err := tags.Create(w.owner, w.gid, tag.Input{Name: &name, Colour: &colour})
	w.must(err, "tag")
	gone, err := tags.Create(w.owner, w.gid, tag.Input{Name: &old, Colour: &colour})
	w.must(err, "tag")
	_, err = w.a.Discussions.SetThreadTags(w.owner, w.t1, []string{kept.ID, gone.ID})
	w.must(err, "tag thread")
	_, err = w.a.Decisions.SetPollTags(w.owner, w.p1, []string{kept.ID})
	w.must(err, "tag poll")
	w.must(tags.Delete(w.owner, w.gid, gone.ID), "delete tag")
	// The group's templates (a thread saved as one, a built-in one hidden).
	_, err = w.a.Processes.Create(w.owner, w.gid, process.Input{From: "thread:" + w.t1, Name: "Template"})
	w.must(err, "template")
	w.must(w.a.Processes.SetHidden(w.owner, w.gid, "election", true), "hide a template")

	empty := tabledef.MainTable(w.env.Prefix + "-empty")
	w.must(localcloud.EnsureTable(ctx, w.env.Clients.DynamoDB, empty), "empty table")
	v, err := recovery.Verify(ctx, w.env.Clients.DynamoDB, recovery.VerifyInput{A: w.env.Config.Table, B: empty.Name,
		Scope: &recovery.Scope{GroupID: w.gid}, MaxListed: 100000})
	w.must(err, "collect")
	in := map[recovery.Key]bool{}
	for _, k := range v.OnlyInAKeys {
		in[k] = true
	}
	ids := []string{w.gid, w.sub, w.t1, w.t2, w.subThread, w.p1, w.anon}
	var all []map[string]types.AttributeValue
	scan(t, w, func(it map[string]types.AttributeValue) { all = append(all, it) })
	found := map[string]int{}
	jobs := 0
	for _, it := range all {
		pk := it["PK"].(*types.AttributeValueMemberS).Value
		sk := it["SK"].(*types.AttributeValueMemberS).Value
		refers := false
		for _, val := range it {
			refers = refers || mentions(val, ids)
		}
		if refers && strings.HasPrefix(pk, "FANOUT#") {
			jobs++
			if in[recovery.Key{PK: pk, SK: sk}] {
				t.Errorf("a restore would copy the fan-out job %s", pk)
			}
			continue
		}
		if !refers || strings.HasPrefix(pk, "USER#") {
			continue
		}
		// The group's record of admin actions (AUDIT#<gid>, written here by
		// the template actions) is not copied by a restore: whether a
		// restored group should bring back its chain is an open question
		// (reported with #17's templates), not decided by this test.
		if strings.HasPrefix(pk, "AUDIT#") {
			continue
		}
		typ := "?"
		if x, ok := it["Type"].(*types.AttributeValueMemberS); ok {
			typ = x.Value
		}
		found[typ]++
		if !in[recovery.Key{PK: pk, SK: sk}] {
			t.Errorf("item %s / %s (%s) refers to the group but a restore would not copy it", pk, sk, typ)
		}
	}
	if jobs == 0 {
		t.Error("the fixture left no fan-out job: the check that a restore skips them does not cover it")
	}
	for _, typ := range []string{"group", "handle", "membership", "invitation", "thread", "timeline_item", "history", "file",
		"thread-invitation", "poll", "tally_shard", "ballot", "sealed_ballot", "participation", "outcome", "poll_results", "participation_receipt",
		"tags", "tag_index", "tag_gone", "process_template", "process_state"} {
		if found[typ] == 0 {
			t.Errorf("the fixture wrote no %s item: the check does not cover it (found %v)", typ, found)
		}
	}
}
