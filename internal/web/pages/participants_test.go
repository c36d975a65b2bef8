package pages

import (
	"fmt"
	"testing"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
)

// The row names each participant once (author, commenters, poll openers,
// voters), at most maxParticipants faces, and counts the rest with the
// voters the cards could not list.
func TestParticipantsRow(t *testing.T) {
	face := func(id string) avatarView { return avatarOf(id, "Name "+id) }
	d := &threadPageData{Thread: discussion.Thread{AuthorID: "a", AuthorName: "Name a"}, AuthorFace: face("a")}
	node := func(kind, id string) *timelineNode {
		return &timelineNode{Item: discussion.Item{Kind: kind, ActorID: id}, Face: face(id)}
	}
	reply := node("comment", "c2")
	gone := node("comment", "x")
	gone.Deleted = true
	c1 := node("comment", "c1")
	c1.Children = []*timelineNode{reply, node("comment", "a")}
	d.Timeline = []*timelineNode{c1, gone, node(decision.EventOpened, "p1"), node("poll.closed", "closer")}
	d.voters = []string{"c1", "v1", "v2", "gone"}
	voters := map[string]avatarView{"v1": face("v1"), "v2": face("v2")}
	faces, more := participants(d, voters)
	var got []string
	for _, f := range faces {
		got = append(got, f.UserID)
	}
	if fmt.Sprint(got) != "[a c1 c2 p1 v1 v2]" || more != 1 {
		t.Errorf("faces %v, more %d; want [a c1 c2 p1 v1 v2] and 1 (the voter whose name is gone)", got, more)
	}
	// Past the bound, the rest are counted, with the unlisted ballots.
	d.voters = nil
	voters = map[string]avatarView{}
	for i := range 12 {
		id := fmt.Sprintf("v%d", i)
		d.voters = append(d.voters, id)
		voters[id] = face(id)
	}
	d.votersMore = 40
	faces, more = participants(d, voters)
	if len(faces) != maxParticipants || more != 4+12-maxParticipants+40 {
		t.Errorf("%d faces and %d more", len(faces), more)
	}
}
