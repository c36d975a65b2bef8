package authz

import "testing"

// TestPollAdminRule: the poll's author while a member or a guest of the
// poll, and the group's admins; an author who left the group is no poll
// admin, even where the group's content is public.
func TestPollAdminRule(t *testing.T) {
	user := Actor{Kind: User, UserID: "u"}
	poll := func(author bool) Target { return Target{Kind: "poll", ID: "p1", Author: author} }
	for _, c := range []struct {
		name string
		f    GroupFacts
		want byte
	}{
		{"author, member", GroupFacts{Privacy: Closed, Role: RoleMember, Target: poll(true)}, '.'},
		{"author, guest of the poll", GroupFacts{Privacy: Secret, Guest: []GuestGrant{{Kind: "poll", ID: "p1"}}, Target: poll(true)}, '.'},
		{"author, guest of its thread", GroupFacts{Privacy: Closed, Guest: []GuestGrant{{Kind: "thread", ID: "t1"}},
			Target: Target{Kind: "poll", ID: "p1", ThreadID: "t1", Author: true}}, '.'},
		{"author who left an open group", GroupFacts{Privacy: Open, Role: RoleNone, Target: poll(true)}, 'F'},
		{"admin, not the author", GroupFacts{Privacy: Open, Role: RoleAdmin, Target: poll(false)}, '.'},
		{"member, not the author", GroupFacts{Privacy: Open, Role: RoleMember, Target: poll(false)}, 'F'},
	} {
		if got := letter(Group(user, PollAdmin, c.f)); got != c.want {
			t.Errorf("%s: got %c, want %c", c.name, got, c.want)
		}
	}
	if got := letter(Group(Actor{Kind: Anonymous}, PollAdmin, GroupFacts{Privacy: Open, Target: poll(false)})); got != 'S' {
		t.Errorf("anonymous: got %c, want S", got)
	}
}

// TestCommentDeleteRule: the author when the group lets members change
// their comments, and admins always (moderation), whatever the flags.
func TestCommentDeleteRule(t *testing.T) {
	user := Actor{Kind: User, UserID: "u"}
	comment := func(author bool) Target { return Target{Kind: "comment", ID: "c1", ThreadID: "t1", Author: author} }
	locked := DefaultFlags(Open)
	locked.MembersCanEditOwnComments = false
	for _, c := range []struct {
		name string
		f    GroupFacts
		want byte
	}{
		{"author, member", GroupFacts{Privacy: Open, Role: RoleMember, Flags: DefaultFlags(Open), Target: comment(true)}, '.'},
		{"author, member, flag off", GroupFacts{Privacy: Open, Role: RoleMember, Flags: locked, Target: comment(true)}, 'F'},
		{"author, thread guest", GroupFacts{Privacy: Closed, Flags: DefaultFlags(Closed), Guest: []GuestGrant{{Kind: "thread", ID: "t1"}}, Target: comment(true)}, '.'},
		{"author who left", GroupFacts{Privacy: Open, Flags: DefaultFlags(Open), Target: comment(true)}, 'F'},
		{"admin, not the author, flags off", GroupFacts{Privacy: Open, Role: RoleAdmin, Flags: locked, Target: comment(false)}, '.'},
		{"member, not the author", GroupFacts{Privacy: Open, Role: RoleMember, Flags: DefaultFlags(Open), Target: comment(false)}, 'F'},
	} {
		if got := letter(Group(user, CommentDelete, c.f)); got != c.want {
			t.Errorf("%s: got %c, want %c", c.name, got, c.want)
		}
	}
}

// TestThreadForkRule: thread moderators fork: the group's admins, and the
// thread's author while they may edit their own threads.
func TestThreadForkRule(t *testing.T) {
	user := Actor{Kind: User, UserID: "u"}
	thread := func(author bool) Target { return Target{Kind: "thread", ID: "t1", ThreadID: "t1", Author: author} }
	locked := DefaultFlags(Open)
	locked.MembersCanEditOwnThreads = false
	for _, c := range []struct {
		name string
		f    GroupFacts
		want byte
	}{
		{"author, member", GroupFacts{Privacy: Open, Role: RoleMember, Flags: DefaultFlags(Open), Target: thread(true)}, '.'},
		{"author, member, flag off", GroupFacts{Privacy: Open, Role: RoleMember, Flags: locked, Target: thread(true)}, 'F'},
		{"author who left", GroupFacts{Privacy: Open, Flags: DefaultFlags(Open), Target: thread(true)}, 'F'},
		{"admin, not the author", GroupFacts{Privacy: Open, Role: RoleAdmin, Flags: locked, Target: thread(false)}, '.'},
		{"member, not the author", GroupFacts{Privacy: Open, Role: RoleMember, Flags: DefaultFlags(Open), Target: thread(false)}, 'F'},
	} {
		if got := letter(Group(user, ThreadFork, c.f)); got != c.want {
			t.Errorf("%s: got %c, want %c", c.name, got, c.want)
		}
	}
}

// TestPollReopenRule: only the group's admins reopen a closed poll; its
// author does not, unless they are an admin.
func TestPollReopenRule(t *testing.T) {
	user := Actor{Kind: User, UserID: "u"}
	target := func(author bool) Target { return Target{Kind: "poll", ID: "p1", Author: author} }
	for _, c := range []struct {
		name string
		f    GroupFacts
		want byte
	}{
		{"author, member", GroupFacts{Privacy: Closed, Role: RoleMember, Target: target(true)}, 'F'},
		{"author, guest of the poll", GroupFacts{Privacy: Closed, Guest: []GuestGrant{{Kind: "poll", ID: "p1"}}, Target: target(true)}, 'F'},
		{"author, admin", GroupFacts{Privacy: Closed, Role: RoleAdmin, Target: target(true)}, '.'},
		{"admin, not the author", GroupFacts{Privacy: Open, Role: RoleAdmin, Target: target(false)}, '.'},
	} {
		if got := letter(Group(user, PollReopen, c.f)); got != c.want {
			t.Errorf("%s: got %c, want %c", c.name, got, c.want)
		}
	}
	if got := letter(Group(Actor{Kind: Anonymous}, PollReopen, GroupFacts{Privacy: Open, Target: target(false)})); got != 'S' {
		t.Errorf("anonymous: got %c, want S", got)
	}
}
