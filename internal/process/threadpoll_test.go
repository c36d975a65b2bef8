package process_test

import (
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

// The built-in processes that are naturally a thread and a poll start both.
func TestBuiltInThreadsWithAPoll(t *testing.T) {
	f := newFx(t, "open")
	want := map[string]poll.Type{"advice": poll.TypeQuestion, "consent": poll.TypeProposal, "consensus": poll.TypeProposal}
	for k, typ := range want {
		s, err := f.c.Processes.Start(f.member, f.gid, k, lang.French)
		f.must(err, "start "+k)
		if s.Kind != process.KindThread || s.Thread == nil || s.Poll == nil || s.Poll.Type != typ || s.ClosingDays != 7 ||
			s.Poll.Settings.ClosingAt == nil || s.Poll.Title != "" {
			t.Errorf("%s starts %+v (poll %+v)", k, s, s.Poll)
		}
	}
	// The rest stay polls.
	for _, k := range process.BuiltinKeys() {
		if _, ok := want[k]; ok {
			continue
		}
		s, err := f.c.Processes.Start(f.member, f.gid, k, lang.English)
		f.must(err, "start "+k)
		if s.Kind != process.KindPoll || s.Thread != nil {
			t.Errorf("%s starts %+v", k, s)
		}
	}
}

// An admin saves a thread with its poll as a template; a member starts
// from it: the thread and the poll come prefilled, the poll with its own
// title and a closing time from the template's offset.
func TestSaveAThreadWithItsPollAndStartFromIt(t *testing.T) {
	f := newFx(t, "open")
	th, err := f.c.Discussions.StartThread(f.admin, discussion.StartInput{GroupID: f.gid, Title: "New shed", Description: "Where should it go?"})
	f.must(err, "thread")
	at := time.Now().Add(96 * time.Hour)
	d := poll.New(poll.TypeProposal)
	d.Title, d.Details = "Build it by the gate", "Cheapest spot."
	d.Settings.ClosingAt = &at
	p, err := f.c.Decisions.Create(f.admin, decision.CreateInput{GroupID: f.gid, ThreadID: th.ID, Definition: d})
	f.must(err, "poll in thread")

	tp, err := f.c.Processes.Create(f.admin, f.gid, process.Input{From: "thread:" + th.ID, WithPoll: p.ID, ClosingDays: 4, Guide: "Discuss, then decide."})
	f.must(err, "save thread with poll")
	if tp.Kind != process.KindThread || tp.Title != "New shed" || tp.Poll == nil || tp.Poll.Title != "Build it by the gate" ||
		tp.Poll.Details != "Cheapest spot." || tp.Poll.Settings.ClosingAt != nil || tp.ClosingDays != 4 {
		t.Fatalf("template %+v (poll %+v)", tp, tp.Poll)
	}
	s, err := f.c.Processes.Start(f.member, f.gid, tp.ID, lang.English)
	f.must(err, "start")
	if s.Thread == nil || s.Thread.Title != "New shed" || s.Poll == nil || s.Poll.Title != "Build it by the gate" || s.ClosingDays != 4 {
		t.Fatalf("start %+v", s)
	}
	if left := time.Until(*s.Poll.Settings.ClosingAt); left > 96*time.Hour || left < 95*time.Hour {
		t.Errorf("closes in %v, want 4 days", left)
	}
	// Editing the template's words keeps its poll and offset.
	cur, err := f.c.Processes.Editable(f.admin, f.gid, tp.ID)
	f.must(err, "editable")
	up, err := f.c.Processes.Update(f.admin, f.gid, tp.ID, process.Input{Kind: cur.Kind, Name: "Shed", Title: cur.Title, Poll: cur.Poll,
		ClosingDays: cur.ClosingDays, Version: cur.Version})
	f.must(err, "update")
	if up.Poll == nil || up.Poll.Title != "Build it by the gate" || up.ClosingDays != 4 {
		t.Errorf("after edit %+v", up)
	}
	// Nothing was created by starting.
	polls, err := f.c.Decisions.List(f.member, f.gid, "", 10)
	f.must(err, "polls")
	if len(polls.Items) != 1 {
		t.Errorf("%d polls, want the one made by hand", len(polls.Items))
	}
}

func TestThreadTemplateWithAPollValidation(t *testing.T) {
	f := newFx(t, "open")
	prop := poll.New(poll.TypeProposal)
	long := strings.Repeat("x", poll.MaxTitleLength+1)
	bad := map[string]process.Input{
		"closing days without a poll":  {Kind: process.KindThread, Name: "x", ClosingDays: 3},
		"poll title too long":          {Kind: process.KindThread, Name: "x", Poll: &poll.Definition{Type: poll.TypeProposal, Title: long, Options: prop.Options}},
		"closing days out of range":    {Kind: process.KindThread, Name: "x", Poll: &prop, ClosingDays: process.MaxClosingDays + 1},
		"with_poll on a poll template": {Kind: process.KindPoll, Name: "x", WithPoll: "aaaaaaaaaaaaaaaa"},
		"a poll without its options":   {Kind: process.KindThread, Name: "x", Poll: &poll.Definition{Type: poll.TypeDotVote}},
	}
	for name, in := range bad {
		if _, err := f.c.Processes.Create(f.admin, f.gid, in); code(err) != domain.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	ok, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindThread, Name: "Thread and proposal", Title: "Topic", Poll: &prop})
	f.must(err, "thread template with a poll")
	if ok.ClosingDays != process.DefaultClosing || ok.Poll == nil || ok.Poll.Type != poll.TypeProposal {
		t.Errorf("saved %+v", ok)
	}
	// A member who may not start polls gets the thread only.
	g, err := f.c.Groups.Get(f.admin, f.gid)
	f.must(err, "group")
	no := false
	_, err = f.c.Groups.Update(f.admin, f.gid, group.UpdateInput{Version: g.Version, Permissions: &group.FlagsPatch{MembersCanStartPolls: &no}})
	f.must(err, "members may not start polls")
	s, err := f.c.Processes.Start(f.member, f.gid, ok.ID, lang.English)
	f.must(err, "start")
	if s.Thread == nil || s.Poll != nil {
		t.Errorf("a member who may not start polls is offered one: %+v", s)
	}
}
