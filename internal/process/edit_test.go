package process_test

import (
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
)

// TestEditableAndEditKeepsThePoll: Editable is for admins and group
// templates only; an edit of a poll template's texts and closing days
// (the edit page passes the poll back as read) keeps its poll.
func TestEditableAndEditKeepsThePoll(t *testing.T) {
	f := newFx(t, "open")
	d := poll.New(poll.TypeDotVote)
	d.Options = []poll.Option{{ID: "o1", Label: "North bed"}, {ID: "o2", Label: "South bed"}}
	d.Settings.DotsPerPerson = 5
	tp, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindPoll, Name: "Planting", Poll: &d, ClosingDays: 3})
	f.must(err, "template")
	if _, err := f.c.Processes.Editable(f.member, f.gid, tp.ID); code(err) != domain.Forbidden {
		t.Errorf("a member reads the template to edit: %v", err)
	}
	if _, err := f.c.Processes.Editable(f.admin, f.gid, "consent"); code(err) != domain.Conflict {
		t.Errorf("a built-in to edit: %v", err)
	}
	if _, err := f.c.Processes.Editable(f.admin, f.gid, "aaaaaaaaaaaaaaaa"); code(err) != domain.NotFound {
		t.Errorf("a missing template to edit: %v", err)
	}
	ed, err := f.c.Processes.Editable(f.admin, f.gid, tp.ID)
	f.must(err, "editable")
	up, err := f.c.Processes.Update(f.admin, f.gid, tp.ID, process.Input{Kind: ed.Kind, Name: "Planting beds", Guide: "Five dots.",
		Title: "Where to plant", Poll: ed.Poll, ClosingDays: 10, Version: ed.Version})
	f.must(err, "edit")
	if up.Name != "Planting beds" || up.Title != "Where to plant" || up.ClosingDays != 10 || up.Poll == nil ||
		up.Poll.Settings.DotsPerPerson != 5 || len(up.Poll.Options) != 2 {
		t.Fatalf("after the edit: %+v (poll %+v)", up, up.Poll)
	}
}
