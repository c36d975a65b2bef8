package decision_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/metering"
	"github.com/quorum-app/quorum/internal/poll"
)

func TestPollLifecycleAndAuthorization(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Closed, "ann", "bob", "cat")
	ann, bob, dan := f.as("ann"), f.as("bob"), f.as("dan") // dan is not a member

	// Members may start polls by default; outsiders may not.
	if _, err := f.svc.Create(dan, decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil)}); code(err) != domain.Forbidden {
		t.Fatalf("outsider create: %v", err)
	}
	if _, err := f.svc.Create(context.Background(), decision.CreateInput{GroupID: gid, Definition: f.definition(poll.TypeProposal, nil)}); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous create: %v", err)
	}
	bad := f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Title = "" })
	if _, err := f.svc.Create(bob, decision.CreateInput{GroupID: gid, Definition: bad}); code(err) != domain.Invalid {
		t.Fatalf("invalid create: %v", err)
	}

	// A draft is visible to its author only.
	draft := f.create(bob, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.ClosingAt = nil }))
	if draft.Status != poll.StatusDraft {
		t.Fatalf("status %s", draft.Status)
	}
	if _, err := f.svc.Get(ann, draft.ID); code(err) != domain.NotFound {
		t.Fatalf("draft seen by another: %v", err)
	}
	if _, err := f.svc.Vote(bob, draft.ID, decision.VoteInput{Ballot: one("agree")}); !errors.Is(err, decision.ErrPollNotOpen) {
		t.Fatalf("vote on draft: %v", err)
	}
	// Publishing through Update.
	next := draft.Definition
	next.Settings.ClosingAt = f.closing(48 * time.Hour)
	if _, err := f.svc.Update(f.as("cat"), draft.ID, decision.UpdateInput{Definition: next}); code(err) != domain.NotFound {
		t.Fatalf("non-admin edit of a draft: %v", err)
	}
	pub, err := f.svc.Update(bob, draft.ID, decision.UpdateInput{Definition: next, Version: draft.Version})
	f.must(err)
	if pub.Status != poll.StatusOpen {
		t.Fatalf("published status %s", pub.Status)
	}

	// Get: members yes; outsider of a closed group no; anonymous signs in.
	if _, err := f.svc.Get(ann, pub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(dan, pub.ID); code(err) != domain.Forbidden {
		t.Fatalf("outsider get: %v", err)
	}
	if _, err := f.svc.Get(context.Background(), pub.ID); code(err) != domain.Unauthorized {
		t.Fatalf("anonymous get: %v", err)
	}
	if _, err := f.svc.Get(ann, "nosuchpoll"); code(err) != domain.NotFound {
		t.Fatalf("missing poll: %v", err)
	}

	// Admin actions: author and group admin yes, other members no.
	cat := f.as("cat")
	for name, op := range map[string]func(context.Context) error{
		"extend": func(ctx context.Context) error {
			_, err := f.svc.Extend(ctx, pub.ID, f.clock.Now().Add(96*time.Hour))
			return err
		},
		"remind": func(ctx context.Context) error { _, err := f.svc.Remind(ctx, pub.ID); return err },
		"close":  func(ctx context.Context) error { _, err := f.svc.Close(ctx, pub.ID); return err },
	} {
		if err := op(cat); code(err) != domain.Forbidden {
			t.Fatalf("%s by a plain member: %v", name, err)
		}
		if err := op(dan); code(err) != domain.Forbidden {
			t.Fatalf("%s by an outsider: %v", name, err)
		}
	}
	_, err = f.svc.Extend(bob, pub.ID, f.clock.Now().Add(96*time.Hour))
	f.must(err)

	// Votes: members yes, outsiders no.
	_, err = f.svc.Vote(cat, pub.ID, decision.VoteInput{Ballot: one("agree")})
	f.must(err)
	if _, err := f.svc.Vote(dan, pub.ID, decision.VoteInput{Ballot: one("agree")}); code(err) != domain.Forbidden {
		t.Fatalf("outsider vote: %v", err)
	}
	if _, err := f.svc.Vote(cat, pub.ID, decision.VoteInput{Ballot: one("nope")}); code(err) != domain.Invalid {
		t.Fatalf("invalid ballot: %v", err)
	}

	// Outcome only when closed, by poll admins.
	if _, err := f.svc.SetOutcome(bob, pub.ID, decision.OutcomeInput{Statement: "We agreed."}); !errors.Is(err, decision.ErrNotClosed) {
		t.Fatalf("outcome while open: %v", err)
	}
	closed, err := f.svc.Close(ann, pub.ID) // group admin
	f.must(err)
	if closed.Status != poll.StatusClosed || !closed.Finalized {
		t.Fatalf("close: %+v", closed)
	}
	if _, err := f.svc.SetOutcome(cat, pub.ID, decision.OutcomeInput{Statement: "We agreed."}); code(err) != domain.Forbidden {
		t.Fatalf("outcome by a member: %v", err)
	}
	review := f.clock.Now().Add(30 * 24 * time.Hour)
	o, err := f.svc.SetOutcome(bob, pub.ID, decision.OutcomeInput{Statement: "We agreed.", ReviewOn: &review})
	f.must(err)
	if _, err := f.svc.SetOutcome(bob, pub.ID, decision.OutcomeInput{Statement: "Edited.", Version: o.Version + 5}); code(err) != domain.Conflict {
		t.Fatalf("stale outcome edit: %v", err)
	}
	got, err := f.svc.GetOutcome(cat, pub.ID)
	f.must(err)
	if got.Statement != "We agreed." {
		t.Fatalf("outcome %+v", got)
	}
	// A closed poll takes no more votes; reopening works (not anonymous).
	if _, err := f.svc.Vote(bob, pub.ID, decision.VoteInput{Ballot: one("agree")}); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("vote after close: %v", err)
	}
	// Only a group admin reopens it (sealed.go), not its author.
	if _, err := f.svc.Reopen(bob, pub.ID, f.clock.Now().Add(24*time.Hour)); !errors.Is(err, decision.ErrReopenAdminOnly) {
		t.Fatalf("reopen by the author: %v", err)
	}
	re, err := f.svc.Reopen(ann, pub.ID, f.clock.Now().Add(24*time.Hour))
	f.must(err)
	if re.Status != poll.StatusOpen {
		t.Fatalf("reopen: %+v", re)
	}
	_, err = f.svc.Vote(bob, pub.ID, decision.VoteInput{Ballot: one("disagree")})
	f.must(err)
	f.recountClean(pub.ID)

	// Deleting: drafts only.
	if err := f.svc.DeleteDraft(bob, pub.ID); !errors.Is(err, decision.ErrNotDraft) {
		t.Fatalf("delete published: %v", err)
	}
	d2 := f.create(bob, gid, f.definition(poll.TypeCheck, func(d *poll.Definition) { d.Settings.ClosingAt = nil }))
	f.must(f.svc.DeleteDraft(bob, d2.ID))
	if _, err := f.svc.Get(bob, d2.ID); code(err) != domain.NotFound {
		t.Fatalf("deleted draft: %v", err)
	}

	// List: newest first, no drafts of others.
	_ = f.create(bob, gid, f.definition(poll.TypeCheck, func(d *poll.Definition) { d.Settings.ClosingAt = nil }))
	pageAnn, err := f.svc.List(ann, gid, "", 10)
	f.must(err)
	pageBob, err := f.svc.List(bob, gid, "", 10)
	f.must(err)
	if len(pageAnn.Items) != 1 || len(pageBob.Items) != 2 {
		t.Fatalf("lists: ann %d bob %d", len(pageAnn.Items), len(pageBob.Items))
	}
	if _, err := f.svc.List(dan, gid, "", 10); code(err) != domain.Forbidden {
		t.Fatalf("outsider list: %v", err)
	}
}

// Every poll type: cast, change, withdraw; the stored tally always equals a
// recount and the results read from it.
func TestVoteEveryType(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob")
	ann, bob := f.as("ann"), f.as("bob")
	meetingStart := f.clock.Now().Add(240 * time.Hour).UTC().Truncate(time.Hour)
	cases := []struct {
		typ         poll.Type
		tweak       func(*poll.Definition)
		first, then poll.Ballot
	}{
		{poll.TypeProposal, nil, one("agree"), one("block")},
		{poll.TypePoll, func(d *poll.Definition) { d.Settings.MaxChoices = 2 },
			poll.Ballot{Choices: []poll.Choice{{OptionID: "a"}, {OptionID: "b"}}}, one("c")},
		{poll.TypeCount, nil, one("accept"), one("decline")},
		{poll.TypeCheck, nil, one("looks_good"), one("concerned")},
		{poll.TypeScore, nil, poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 5}, {OptionID: "b", Score: 0}}},
			poll.Ballot{Choices: []poll.Choice{{OptionID: "c", Score: 3}}}},
		{poll.TypeRankedChoice, nil, poll.Ballot{Choices: []poll.Choice{{OptionID: "a"}, {OptionID: "b"}, {OptionID: "c"}}},
			poll.Ballot{Choices: []poll.Choice{{OptionID: "c"}, {OptionID: "a"}, {OptionID: "b"}}}},
		{poll.TypeDotVote, nil, poll.Ballot{Choices: []poll.Choice{{OptionID: "a", Score: 5}, {OptionID: "b", Score: 3}}},
			poll.Ballot{Choices: []poll.Choice{{OptionID: "c", Score: 8}}}},
		{poll.TypeMeeting, func(d *poll.Definition) {
			d.Options = []poll.Option{{ID: "m1", Start: meetingStart}, {ID: "m2", Start: meetingStart.Add(time.Hour)}}
		}, poll.Ballot{Choices: []poll.Choice{{OptionID: "m1", Score: 2}, {OptionID: "m2", Score: 1}}},
			poll.Ballot{Choices: []poll.Choice{{OptionID: "m1", Score: 0}, {OptionID: "m2", Score: 2}}}},
		{poll.TypeQuestion, nil, poll.Ballot{Reason: "I think we should."}, poll.Ballot{Reason: "On second thought, no."}},
	}
	for _, c := range cases {
		t.Run(string(c.typ), func(t *testing.T) {
			p := f.create(ann, gid, f.definition(c.typ, c.tweak))
			r1, err := f.svc.Vote(ann, p.ID, decision.VoteInput{Ballot: c.first})
			f.must(err)
			if r1.Changed {
				t.Fatal("first vote reported as a change")
			}
			_, err = f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: c.first})
			f.must(err)
			r2, err := f.svc.Vote(ann, p.ID, decision.VoteInput{Ballot: c.then})
			f.must(err)
			if !r2.Changed {
				t.Fatal("change not reported")
			}
			rep := f.recountClean(p.ID)
			if rep.Ballots != 2 || rep.Stored.Decided != 2 {
				t.Fatalf("after change: %+v", rep)
			}
			res, err := f.svc.Results(bob, p.ID)
			f.must(err)
			if res.Hidden != nil || res.Results.Decided != 2 || res.Results.Eligible != 2 {
				t.Fatalf("results %+v", res)
			}
			mine, err := f.svc.Mine(ann, p.ID)
			f.must(err)
			if !mine.Voted || mine.Ballot == nil {
				t.Fatalf("mine %+v", mine)
			}
			f.must(f.svc.Withdraw(ann, p.ID, ""))
			if err := f.svc.Withdraw(ann, p.ID, ""); !errors.Is(err, decision.ErrNoBallot) {
				t.Fatalf("second withdraw: %v", err)
			}
			rep = f.recountClean(p.ID)
			if rep.Stored.Decided != 1 {
				t.Fatalf("after withdraw: %+v", rep.Stored)
			}
		})
	}
}

// Hidden results never leak through Results or Ballots, for a voter or a
// non-voter, admins included; the figures appear when the rule allows.
func TestHiddenResultsNeverLeak(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	ann, bob, cat := f.as("ann"), f.as("bob"), f.as("cat")
	leak := func(t *testing.T, who string, ctx context.Context, pid string, wantHidden bool) {
		t.Helper()
		res, err := f.svc.Results(ctx, pid)
		f.must(err)
		if wantHidden != (res.Hidden != nil) || (res.Hidden != nil && (res.Results != nil || res.RankedChoice != nil)) {
			t.Fatalf("%s results: hidden=%v %+v", who, wantHidden, res)
		}
		bl, err := f.svc.Ballots(ctx, pid, "", 50)
		f.must(err)
		if wantHidden != (bl.Hidden != nil) || (bl.Hidden != nil && len(bl.Items) > 0) {
			t.Fatalf("%s ballots: hidden=%v %+v", who, wantHidden, bl)
		}
		if _, err := f.svc.UndecidedVoters(ctx, pid); wantHidden && !errors.Is(err, decision.ErrResultsHidden) && code(err) != domain.Forbidden {
			t.Fatalf("%s undecided: %v", who, err)
		}
		// A reminder never says how many it reaches (no count at all).
		if r, err := f.svc.Remind(ctx, pid); err == nil && !r.Sending {
			t.Fatalf("%s remind: %+v", who, r)
		}
	}
	t.Run("until_vote", func(t *testing.T) {
		p := f.create(ann, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilVote }))
		_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: one("agree")})
		f.must(err)
		leak(t, "author (admin, not voted)", ann, p.ID, true)
		leak(t, "non-voter", cat, p.ID, true)
		leak(t, "voter", bob, p.ID, false)
	})
	t.Run("until_closed", func(t *testing.T) {
		p := f.create(ann, gid, f.definition(poll.TypeRankedChoice, func(d *poll.Definition) { d.Settings.HideResults = poll.HideUntilClosed }))
		for _, who := range []context.Context{ann, bob} {
			_, err := f.svc.Vote(who, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "b"}, {OptionID: "a"}, {OptionID: "c"}}}})
			f.must(err)
		}
		leak(t, "voter", bob, p.ID, true)
		leak(t, "author voter", ann, p.ID, true)
		leak(t, "non-voter", cat, p.ID, true)
		// The voter's own ballot is not a result.
		mine, err := f.svc.Mine(bob, p.ID)
		f.must(err)
		if mine.Ballot == nil {
			t.Fatal("own ballot hidden")
		}
		// Notices carry no figures: the type has none to carry.
		_, err = f.svc.Close(ann, p.ID)
		f.must(err)
		leak(t, "non-voter after close", cat, p.ID, false)
		res, err := f.svc.Results(cat, p.ID)
		f.must(err)
		if !res.Frozen || res.RankedChoice == nil || len(res.RankedChoice.Schulze.Winners) != 1 || res.RankedChoice.Schulze.Winners[0] != "b" {
			t.Fatalf("frozen ranked results %+v", res.RankedChoice)
		}
	})
}

// scanPoll returns every item of the table whose partition is the poll's,
// plus every other item mentioning the poll id.
func (f *fixture) scanAll() []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(f.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: &f.env.Config.Table})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		f.must(err)
		out = append(out, page.Items...)
	}
	return out
}

func flatten(av types.AttributeValue, into *strings.Builder) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		into.WriteString(v.Value + "\x00")
	case *types.AttributeValueMemberN:
		into.WriteString(v.Value + "\x00")
	case *types.AttributeValueMemberL:
		for _, e := range v.Value {
			flatten(e, into)
		}
	case *types.AttributeValueMemberM:
		for k, e := range v.Value {
			into.WriteString(k + "\x00")
			flatten(e, into)
		}
	case *types.AttributeValueMemberSS:
		for _, e := range v.Value {
			into.WriteString(e + "\x00")
		}
	}
}

func TestAnonymousBallotsAreSealed(t *testing.T) {
	f := newFixture(t)
	voters := []string{"ann", "bob", "cat", "dee"}
	gid := f.group(authz.Open, voters[0], voters[1:]...)
	def := f.definition(poll.TypePoll, func(d *poll.Definition) {
		d.Settings.Anonymous = true
		d.Options = []poll.Option{{ID: "optred", Label: "Red"}, {ID: "optblue", Label: "Blue"}}
	})
	p := f.create(f.as("ann"), gid, def)
	receipts := map[string]string{}
	for i, v := range voters {
		opt := []string{"optred", "optblue"}[i%2]
		r, err := f.svc.Vote(f.as(v), p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: opt}}, Reason: "because " + v}})
		f.must(err)
		if len(r.Receipt) != 43 {
			t.Fatalf("receipt %q", r.Receipt)
		}
		receipts[v] = r.Receipt
	}
	// Casting again without the receipt is refused (no double count).
	if _, err := f.svc.Vote(f.as("ann"), p.ID, decision.VoteInput{Ballot: one("optblue")}); !errors.Is(err, decision.ErrAlreadyVoted) {
		t.Fatalf("second cast: %v", err)
	}
	// The receipt verifies and allows a change; another's receipt does not.
	ver, err := f.svc.VerifyReceipt(f.as("ann"), p.ID, receipts["ann"])
	f.must(err)
	if !ver.Counted || ver.Ballot.Choices[0].OptionID != "optred" {
		t.Fatalf("verify %+v", ver)
	}
	if _, err := f.svc.Vote(f.as("ann"), p.ID, decision.VoteInput{Ballot: one("optblue"), Receipt: receipts["ann"] + "x"}); !errors.Is(err, decision.ErrReceipt) {
		t.Fatalf("bad receipt: %v", err)
	}
	if _, err := f.svc.VerifyReceipt(f.as("ann"), p.ID, newFakeReceipt()); !errors.Is(err, decision.ErrReceipt) {
		t.Fatalf("unknown receipt: %v", err)
	}
	r, err := f.svc.Vote(f.as("ann"), p.ID, decision.VoteInput{Ballot: one("optblue"), Receipt: receipts["ann"]})
	f.must(err)
	if !r.Changed || r.Receipt != "" {
		t.Fatalf("change %+v", r)
	}
	ver, err = f.svc.VerifyReceipt(f.as("ann"), p.ID, receipts["ann"])
	f.must(err)
	if ver.Ballot.Choices[0].OptionID != "optblue" {
		t.Fatalf("verify after change %+v", ver)
	}
	// Withdraw needs the receipt.
	if err := f.svc.Withdraw(f.as("dee"), p.ID, ""); !errors.Is(err, decision.ErrReceiptNeeded) {
		t.Fatalf("withdraw without receipt: %v", err)
	}
	f.must(f.svc.Withdraw(f.as("dee"), p.ID, receipts["dee"]))
	rep := f.recountClean(p.ID)
	if rep.Stored.Decided != 3 || rep.Stored.Options["optblue"].Total != 2 {
		t.Fatalf("tally %+v", rep.Stored)
	}
	bl, err := f.svc.Ballots(f.as("bob"), p.ID, "", 50)
	f.must(err)
	for _, b := range bl.Items {
		if b.UserID != "" || b.CastAt != nil {
			t.Fatalf("sealed ballot listed with identity: %+v", b)
		}
	}
	// Close: receipts of participation, never of choices.
	_, err = f.svc.Close(f.as("ann"), p.ID)
	f.must(err)

	// Every item of the table: none holds a voter's id together with a
	// choice (option ids as values, Choices, reasons) or a receipt hash.
	choiceMarks := []string{"optred", "optblue", "because "}
	for _, it := range f.scanAll() {
		var sb strings.Builder
		for k, v := range it {
			sb.WriteString(k + "\x00")
			flatten(v, &sb)
		}
		text := sb.String()
		hasUser := false
		for _, v := range voters {
			if strings.Contains(text, f.uid(v)) {
				hasUser = true
			}
		}
		if !hasUser {
			continue
		}
		sk := it["SK"].(*types.AttributeValueMemberS).Value
		if sk == "POLL" {
			// The poll's definition (options) with its author: not a vote.
			if _, ok := it["Choices"]; ok {
				t.Fatalf("poll item holds choices")
			}
			continue
		}
		if _, ok := it["Choices"]; ok || strings.Contains(text, "SEALED#") {
			t.Fatalf("item %s links a user to a ballot", sk)
		}
		for _, m := range choiceMarks {
			if strings.Contains(text, m) {
				t.Fatalf("item %s holds a user id and %q", sk, m)
			}
		}
	}
	// Reopening an anonymous poll is refused.
	if _, err := f.svc.Reopen(f.as("ann"), p.ID, f.clock.Now().Add(time.Hour)); code(err) != domain.Conflict {
		t.Fatalf("reopen anonymous: %v", err)
	}
}

func newFakeReceipt() string { return strings.Repeat("A", 43) }

func TestEligibility(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	ann := f.as("ann")
	def := f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.SpecifiedVotersOnly = true })
	if _, err := f.svc.Create(ann, decision.CreateInput{GroupID: gid, Definition: def, Voters: []string{f.uid("bob"), f.uid("zed")}}); !errors.Is(err, decision.ErrVoterNotMember) {
		t.Fatalf("non-member voter: %v", err)
	}
	p := f.create(ann, gid, def, f.uid("bob"))
	if p.VoterCount != 1 {
		t.Fatalf("voter count %d", p.VoterCount)
	}
	if _, err := f.svc.Vote(f.as("cat"), p.ID, decision.VoteInput{Ballot: one("agree")}); !errors.Is(err, decision.ErrNotEligible) {
		t.Fatalf("member outside the voter set: %v", err)
	}
	_, err := f.svc.Vote(f.as("bob"), p.ID, decision.VoteInput{Ballot: one("agree")})
	f.must(err)
	f.must(f.svc.AddVoter(ann, p.ID, f.uid("cat")))
	if err := f.svc.AddVoter(ann, p.ID, f.uid("cat")); !errors.Is(err, decision.ErrAlreadyVoter) {
		t.Fatalf("double add: %v", err)
	}
	_, err = f.svc.Vote(f.as("cat"), p.ID, decision.VoteInput{Ballot: one("disagree")})
	f.must(err)
	res, err := f.svc.Results(ann, p.ID)
	f.must(err)
	if res.Results.Eligible != 2 || res.Results.Decided != 2 {
		t.Fatalf("results %+v", res.Results)
	}
	// Removing a voter withdraws their ballot.
	f.must(f.svc.RemoveVoter(ann, p.ID, f.uid("cat")))
	rep := f.recountClean(p.ID)
	if rep.Stored.Decided != 1 {
		t.Fatalf("after removal %+v", rep.Stored)
	}
	// A member who leaves loses their ballots in open polls.
	whole := f.create(ann, gid, f.definition(poll.TypeProposal, nil))
	_, err = f.svc.Vote(f.as("cat"), whole.ID, decision.VoteInput{Ballot: one("agree")})
	f.must(err)
	f.must(f.groups.Leave(f.as("cat"), gid))
	if _, err := f.svc.Vote(f.as("cat"), whole.ID, decision.VoteInput{Ballot: one("agree")}); code(err) != domain.Forbidden {
		t.Fatalf("vote after leaving: %v", err)
	}
	n, err := f.svc.WithdrawMember(context.Background(), gid, f.uid("cat"))
	f.must(err)
	if n != 1 {
		t.Fatalf("withdrawn %d", n)
	}
	if rep := f.recountClean(whole.ID); rep.Stored.Decided != 0 {
		t.Fatalf("after leave %+v", rep.Stored)
	}
}

// A vote after closing_at is refused even though the scheduler has not run.
func TestVoteAfterClosingTimeRefused(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob")
	p := f.create(f.as("ann"), gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.ClosingAt = f.closing(time.Hour) }))
	_, err := f.svc.Vote(f.as("bob"), p.ID, decision.VoteInput{Ballot: one("agree")})
	f.must(err)
	f.clock.Add(time.Hour + time.Second)
	_, err = f.svc.Vote(f.as("ann"), p.ID, decision.VoteInput{Ballot: one("agree")})
	if !errors.Is(err, decision.ErrPollClosed) || code(err) != domain.Conflict {
		t.Fatalf("late vote: %v", err)
	}
	if err := f.svc.Withdraw(f.as("bob"), p.ID, ""); !errors.Is(err, decision.ErrPollClosed) {
		t.Fatalf("late withdraw: %v", err)
	}
	// Outcome allowed already (the poll is closed by time).
	_, err = f.svc.SetOutcome(f.as("ann"), p.ID, decision.OutcomeInput{Statement: "Done."})
	f.must(err)
}

func TestTickIsIdempotent(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob", "cat")
	ann := f.as("ann")
	soon := f.create(ann, gid, f.definition(poll.TypeRankedChoice, func(d *poll.Definition) { d.Settings.ClosingAt = f.closing(2 * time.Hour) }))
	later := f.create(ann, gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.ClosingAt = f.closing(30 * time.Hour) }))
	_, err := f.svc.Vote(f.as("bob"), soon.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "c"}, {OptionID: "b"}, {OptionID: "a"}}}})
	f.must(err)

	// Closing-soon reminder: soon is within 24 h, later is not; twice = once.
	for i := 0; i < 2; i++ {
		rep, err := f.svc.Tick(context.Background(), f.clock.Now())
		f.must(err)
		if want := 1 - i; rep.ClosingSoon != want || rep.Closed != 0 || rep.Failed != 0 {
			t.Fatalf("tick %d: %+v", i, rep)
		}
	}
	cs := f.notes.of(decision.NoticeClosingSoon)
	if len(cs) != 1 || cs[0].PollID != soon.ID || len(cs[0].Recipients) != 2 { // undecided: ann, cat
		t.Fatalf("closing soon notices %+v", cs)
	}
	// Past closing_at: Tick closes and freezes once.
	f.clock.Add(3 * time.Hour)
	var reps []decision.TickReport
	for i := 0; i < 2; i++ {
		rep, err := f.svc.Tick(context.Background(), f.clock.Now())
		f.must(err)
		reps = append(reps, rep)
	}
	if reps[0].Closed != 1 || reps[0].Finalized != 1 || reps[1].Closed != 0 || reps[1].Finalized != 0 || reps[1].ClosingSoon != 0 {
		t.Fatalf("tick reports %+v", reps)
	}
	if n := len(f.notes.of(decision.NoticePollClosed)); n != 1 {
		t.Fatalf("closed notices %d", n)
	}
	got, err := f.svc.Get(ann, soon.ID)
	f.must(err)
	if got.Status != poll.StatusClosed || !got.Finalized || got.ClosedAt == nil || !got.ClosedAt.Equal(*soon.Definition.Settings.ClosingAt) {
		t.Fatalf("closed poll %+v", got)
	}
	res, err := f.svc.Results(f.as("cat"), soon.ID)
	f.must(err)
	if !res.Frozen || res.Results.Eligible != 3 || res.Results.Decided != 1 || res.RankedChoice == nil || res.RankedChoice.STV.Elected == nil {
		t.Fatalf("frozen results %+v", res)
	}
	// Participation receipts: eligible and voted yes/no, nothing else.
	var receipts int
	for _, it := range f.scanAll() {
		sk := it["SK"].(*types.AttributeValueMemberS).Value
		if strings.HasPrefix(sk, "RECEIPT#") && it["PK"].(*types.AttributeValueMemberS).Value == "POLL#"+soon.ID {
			receipts++
			voted := it["Voted"].(*types.AttributeValueMemberBOOL).Value
			if voted != (sk == "RECEIPT#"+f.uid("bob")) {
				t.Fatalf("receipt %s voted=%v", sk, voted)
			}
			if _, ok := it["Choices"]; ok {
				t.Fatal("receipt holds choices")
			}
		}
	}
	if receipts != 3 {
		t.Fatalf("receipts %d", receipts)
	}
	// The later poll is now within 24 h: its reminder goes out once.
	rep, err := f.svc.Tick(context.Background(), f.clock.Now().Add(4*time.Hour))
	f.must(err)
	if rep.ClosingSoon != 1 {
		t.Fatalf("later reminder %+v", rep)
	}
	_ = later

	// Outcome review reminder on the review date, once.
	review := f.clock.Now().Add(48 * time.Hour)
	_, err = f.svc.SetOutcome(ann, soon.ID, decision.OutcomeInput{Statement: "C wins.", ReviewOn: &review})
	f.must(err)
	f.clock.Add(49 * time.Hour)
	for i := 0; i < 2; i++ {
		rep, err := f.svc.Tick(context.Background(), f.clock.Now())
		f.must(err)
		if rep.Reviews != 1-i {
			t.Fatalf("review tick %d: %+v", i, rep)
		}
	}
	if rv := f.notes.of(decision.NoticeOutcomeReview); len(rv) != 1 || rv[0].Recipients[0] != f.uid("ann") {
		t.Fatalf("review notices %+v", rv)
	}
	// Recount of the closed poll still agrees.
	f.recountClean(soon.ID)
}

// 20+ concurrent clients cast, change and withdraw (several clients share
// voters, like tabs); afterwards the tally equals a recount. On DynamoDB
// Local this proves the transactions and conditions of a vote under
// concurrent clients: 600 operations (the memdb runs below do 2,000, with
// AWS's conflicts) already have dozens of writes refused by their
// conditions, and every operation here is DynamoDB Local's work (2,000 were
// ~12,500 requests and ~40 s of its CPU in each make test; docs/local.md,
// "Where make test's time goes").
func TestConcurrentLoadRecount(t *testing.T) { concurrentLoadRecountN(t, newRealFixture(t), 600) }

// The same load on the in-memory store that runs transactions concurrently
// and cancels the ones that collide, as AWS does.
func TestConcurrentLoadRecountConflicting(t *testing.T) {
	concurrentLoadRecount(t, memFixture(t, time.Millisecond))
}

// And on the in-memory store as the fast test tier uses it.
func TestConcurrentLoadRecountInMemory(t *testing.T) {
	concurrentLoadRecount(t, memFixtureWith(t, memdb.Options{Retryer: awsclient.NewRetryer()}))
}

func concurrentLoadRecount(t *testing.T, f *fixture) { concurrentLoadRecountN(t, f, 2000) }

// concurrentLoadRecountN runs ops operations on a scored poll and half as
// many on an anonymous multiple-choice poll (300 under -short).
func concurrentLoadRecountN(t *testing.T, f *fixture, ops int) {
	const voters = 40
	names := make([]string, voters)
	for i := range names {
		names[i] = fmt.Sprintf("v%02d", i)
	}
	gid := f.group(authz.Open, names[0], names[1:]...)
	for _, typ := range []poll.Type{poll.TypeScore, poll.TypePoll} {
		t.Run(string(typ), func(t *testing.T) {
			f.t = t // the fixture's failures are this subtest's
			anonymous := typ == poll.TypePoll
			p := f.create(f.as(names[0]), gid, f.definition(typ, func(d *poll.Definition) {
				if typ == poll.TypePoll {
					d.Settings.MaxChoices = 3
					d.Settings.Anonymous = true
				}
			}))
			ops := ops
			if testing.Short() {
				ops = min(ops, 300)
			}
			if anonymous {
				ops /= 2
			}
			const clients = 24
			var done, failed, busy atomic.Int64
			var mu sync.Mutex
			receipts := map[string]string{}
			var wg sync.WaitGroup
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func(c int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(c), 7))
					for i := c; i < ops; i += clients {
						v := names[rng.IntN(voters)]
						ctx := f.as(v)
						var b poll.Ballot
						for _, o := range []string{"a", "b", "c"} {
							if rng.IntN(2) == 0 {
								b.Choices = append(b.Choices, poll.Choice{OptionID: o, Score: rng.IntN(6)})
							}
						}
						if len(b.Choices) == 0 {
							b.Choices = []poll.Choice{{OptionID: "b", Score: 1}}
						}
						if typ == poll.TypePoll {
							for j := range b.Choices {
								b.Choices[j].Score = 1
							}
						}
						mu.Lock()
						receipt := receipts[v]
						mu.Unlock()
						var err error
						if rng.IntN(5) == 0 {
							err = f.svc.Withdraw(ctx, p.ID, receipt)
							if err == nil {
								mu.Lock()
								if receipts[v] == receipt {
									delete(receipts, v)
								}
								mu.Unlock()
							}
						} else {
							var r decision.VoteResult
							r, err = f.svc.Vote(ctx, p.ID, decision.VoteInput{Ballot: b, Receipt: receipt})
							if err == nil && r.Receipt != "" {
								mu.Lock()
								receipts[v] = r.Receipt
								mu.Unlock()
							}
						}
						switch {
						case err == nil:
							done.Add(1)
						case errors.Is(err, decision.ErrBusy):
							busy.Add(1)
						case errors.Is(err, decision.ErrNoBallot), errors.Is(err, decision.ErrAlreadyVoted),
							errors.Is(err, decision.ErrReceipt), errors.Is(err, decision.ErrReceiptNeeded):
							// Races between one voter's tabs: refused, never miscounted.
							failed.Add(1)
						default:
							t.Errorf("op: %v", err)
							return
						}
					}
				}(c)
			}
			wg.Wait()
			rep := f.recountClean(p.ID)
			t.Logf("%s: %d ops ok, %d refused, %d busy; %d ballots, recount equal", typ, done.Load(), failed.Load(), busy.Load(), rep.Ballots)
			if done.Load() < int64(ops)/2 {
				t.Fatalf("too few successful operations: %d of %d", done.Load(), ops)
			}
		})
	}
}

// The cost of a vote: at most one transaction and two reads, metered.
func TestVoteCost(t *testing.T) {
	f := newFixture(t)
	gid := f.group(authz.Open, "ann", "bob")
	for _, anonymous := range []bool{false, true} {
		p := f.create(f.as("ann"), gid, f.definition(poll.TypeProposal, func(d *poll.Definition) { d.Settings.Anonymous = anonymous }))
		var receipt string
		for i, b := range []poll.Ballot{one("agree"), one("disagree")} {
			ctx, m := metering.NewContext(f.as("bob"))
			r, err := f.svc.Vote(ctx, p.ID, decision.VoteInput{Ballot: b, Receipt: receipt})
			f.must(err)
			if r.Receipt != "" {
				receipt = r.Receipt
			}
			s := m.Snapshot()
			tx := s.Operations["DynamoDB.TransactWriteItems"]
			reads := s.Operations["DynamoDB.BatchGetItem"] + s.Operations["DynamoDB.GetItem"] + s.Operations["DynamoDB.Query"]
			if tx != 1 || reads > 2 || s.DynamoDBCalls != tx+reads {
				t.Fatalf("anonymous=%v vote %d: %s", anonymous, i, s)
			}
			t.Logf("anonymous=%v vote %d: %s", anonymous, i, s)
		}
		ctx, m := metering.NewContext(f.as("bob"))
		_, err := f.svc.Results(ctx, p.ID)
		f.must(err)
		if s := m.Snapshot(); s.DynamoDBCalls > 2 {
			t.Fatalf("results: %s", s)
		}
	}
}

// A ballot withdrawn and cast again while another write of the same ballot
// (a second tab's vote or withdrawal, a member's removal) is between its
// read and its transaction. The new ballot starts again at version 1, so a
// condition on the version alone passes (ABA) and the late write's tally
// delta, computed from the old ballot, is applied to the new one: the
// stored tally and a recount differ. Every write must notice that the
// ballot it read is gone, re-read and count the ballot that is there.
func TestBallotCastAgainBetweenReadAndWrite(t *testing.T) {
	f := newFixture(t)
	var gid string // a group per case: WithdrawMember goes through all of its polls
	bob := f.as("bob")
	score := func(id string, n int) poll.Ballot {
		return poll.Ballot{Choices: []poll.Choice{{OptionID: id, Score: n}}}
	}
	vote := func(pid string) error {
		_, err := f.svc.Vote(bob, pid, decision.VoteInput{Ballot: score("c", 1)})
		return err
	}
	for _, c := range []struct {
		name, op string
		run      func(pid string) error
		decided  int64
		legacy   bool // the ballot read was stored before ballots had a CastID
	}{
		{"vote", "vote", vote, 1, false},
		{"vote on a ballot cast before CastID", "vote", vote, 1, true},
		{"withdraw", "withdraw", func(pid string) error { return f.svc.Withdraw(bob, pid, "") }, 0, false},
		{"withdraw-member", "withdraw-member", func(pid string) error {
			_, err := f.svc.WithdrawMember(context.Background(), gid, f.uid("bob"))
			return err
		}, 0, false},
		{"remove-voter", "remove-voter", func(pid string) error { return f.svc.RemoveVoter(f.as("ann"), pid, f.uid("bob")) }, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			gid = f.group(authz.Open, "ann", "bob")
			var voters []string
			if c.op == "remove-voter" {
				voters = []string{f.uid("bob")}
			}
			p := f.create(f.as("ann"), gid, f.definition(poll.TypeScore, func(d *poll.Definition) {
				d.Settings.SpecifiedVotersOnly = voters != nil
			}), voters...)
			_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: score("a", 5)})
			f.must(err)
			if c.legacy {
				f.must(f.st.Update("POLL#"+p.ID, "BALLOT#"+f.uid("bob")).Remove("CastID").If("attribute_exists($)", "CastID").Run(context.Background()))
			}
			var fired atomic.Bool
			decision.SetBetween(f.svc, func(op string) {
				if op != c.op || !fired.CompareAndSwap(false, true) {
					return
				}
				// Meanwhile, in another tab: withdrawn, and cast anew.
				f.must(f.svc.Withdraw(bob, p.ID, ""))
				_, err := f.svc.Vote(bob, p.ID, decision.VoteInput{Ballot: score("b", 3)})
				f.must(err)
			})
			defer decision.SetBetween(f.svc, nil)
			f.must(c.run(p.ID))
			if !fired.Load() {
				t.Fatal("the race was not staged")
			}
			rep := f.recountClean(p.ID)
			if rep.Stored.Decided != c.decided {
				t.Fatalf("decided %d, want %d", rep.Stored.Decided, c.decided)
			}
		})
	}
}
