package authz

import (
	"fmt"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
)

// The actor kinds of the matrix, in the order of the expectation strings.
type actorCase struct {
	name  string
	actor Actor
	// shape the facts for this actor
	role    Role
	guest   bool
	invited bool
}

var matrixActors = []actorCase{
	{name: "anonymous", actor: Actor{Kind: Anonymous}},
	{name: "non-member", actor: Actor{Kind: User, UserID: "u-out"}},
	{name: "non-member bot", actor: Actor{Kind: Bot, UserID: "u-out", TokenID: "t1"}},
	{name: "member", actor: Actor{Kind: User, UserID: "u-m"}, role: RoleMember},
	{name: "admin", actor: Actor{Kind: User, UserID: "u-a"}, role: RoleAdmin},
	{name: "admin's bot", actor: Actor{Kind: Bot, UserID: "u-a", TokenID: "t2"}, role: RoleAdmin},
	{name: "guest of thread t1", actor: Actor{Kind: User, UserID: "u-g"}, guest: true},
	{name: "invitee", actor: Actor{Kind: User, UserID: "u-i"}, invited: true},
}

// Outcome letters: . allowed, H hidden (404), S sign in (401), F forbidden
// (403), C conflict (409).
func letter(err error) byte {
	switch domain.ErrorCode(err) {
	case "":
		return '.'
	case domain.NotFound:
		return 'H'
	case domain.Unauthorized:
		return 'S'
	case domain.Forbidden:
		return 'F'
	case domain.Conflict:
		return 'C'
	}
	return '?'
}

// groupMatrix: action → privacy → outcome per actor (anonymous, non-member,
// non-member bot, member, admin, admin's bot, guest, invitee), each privacy
// preset with its default flags. The thread target is t1, not authored by
// the actor.
var groupMatrix = map[Action]map[Privacy]string{
	GroupView:              {Open: "........", Closed: "........", Secret: "HHH....."},
	GroupViewSubgroupsOf:   {Open: "........", Closed: "........", Secret: "HHH....."},
	GroupSeeMemberCount:    {Open: "........", Closed: "........", Secret: "HHH...HH"},
	GroupListMembers:       {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	GroupCreateSubgroup:    {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupEditSettings:      {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupRemoveMember:      {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupChangeRole:        {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupResetJoinLink:     {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupViewAudit:         {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupManageTags:        {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupManageTemplates:   {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupExport:            {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupRemoveContent:     {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupDelete:            {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupRestore:           {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupInvite:            {Open: "SFF...FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupManageInvitations: {Open: "SFF...FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupApproveRequests:   {Open: "SFF...FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupViewJoinLink:      {Open: "SFF...FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	GroupAddGuests:         {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHHF..FF"},
	GroupAnnounce:          {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHHF..FF"},
	ThreadStart:            {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	PollStart:              {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	GroupLeave:             {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	GroupJoin:              {Open: "S..CCC..", Closed: "SFFCCCFF", Secret: "HHHCCCFF"},
	GroupRequestMembership: {Open: "SFFCCCFF", Closed: "S..CCC..", Secret: "HHHCCCHH"},
	GroupJoinViaLink:       {Open: "SHHHHHH.", Closed: "SHHHHHH.", Secret: "HHHHHHH."},
	GroupAcceptInvitation:  {Open: "SHHHHHH.", Closed: "SHHHHHH.", Secret: "HHHHHHH."},
	GroupViewContent:       {Open: "........", Closed: "SFF...FF", Secret: "HHH...FF"},
	ThreadView:             {Open: "........", Closed: "SFF....F", Secret: "HHH....F"},
	ThreadComment:          {Open: "SFF....F", Closed: "SFF....F", Secret: "HHH....F"},
	PollVote:               {Open: "SFF....F", Closed: "SFF....F", Secret: "HHH....F"},
	ThreadEditOwn:          {Open: "SFFFFFFF", Closed: "SFFFFFFF", Secret: "HHHFFFFF"},
	CommentEditOwn:         {Open: "SFFFFFFF", Closed: "SFFFFFFF", Secret: "HHHFFFFF"},
	CommentDeleteOwn:       {Open: "SFFFFFFF", Closed: "SFFFFFFF", Secret: "HHHFFFFF"},
	ContentAdminEdit:       {Open: "SFFFFFFF", Closed: "SFFFFFFF", Secret: "HHHFFFFF"},
	SubgroupContentView:    {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	PeopleNotify:           {Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"},
	// The guest of t1 in these facts is not among the poll's voters.
	PollBallotsView: {Open: "........", Closed: "SFF...FF", Secret: "HHH...FF"},
	PollAdmin:       {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	PollReopen:      {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	CommentDelete:   {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	// Off by default: nobody, until an admin enables proxy voting
	// (TestPollProxyNeedsTheFlag).
	PollProxy:  {Open: "SFFFFFFF", Closed: "SFFFFFFF", Secret: "HHHFFFFF"},
	ThreadMove: {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
	ThreadFork: {Open: "SFFF..FF", Closed: "SFFF..FF", Secret: "HHHF..FF"},
}

func factsFor(p Privacy, ac actorCase) GroupFacts {
	f := GroupFacts{GroupID: "g1", Privacy: p, Flags: DefaultFlags(p), Role: ac.role,
		HoldsInvitation: ac.invited, Target: Target{Kind: "thread", ID: "t1"}}
	if ac.guest {
		f.Guest = []GuestGrant{{Kind: "thread", ID: "t1"}}
	}
	return f
}

func TestGroupPolicyMatrix(t *testing.T) {
	for _, action := range GroupActions {
		rows, ok := groupMatrix[action]
		if !ok {
			t.Errorf("action %s has no row in the policy matrix", action)
			continue
		}
		for _, p := range []Privacy{Open, Closed, Secret} {
			want := rows[p]
			if len(want) != len(matrixActors) {
				t.Fatalf("%s/%s: expectation %q has %d letters", action, p, want, len(want))
			}
			got := make([]byte, len(matrixActors))
			for i, ac := range matrixActors {
				got[i] = letter(Group(ac.actor, action, factsFor(p, ac)))
			}
			if string(got) != want {
				for i, ac := range matrixActors {
					if got[i] != want[i] {
						t.Errorf("%s on a %s group as %s: got %c, want %c (%v)", action, p, ac.name, got[i], want[i],
							Group(ac.actor, action, factsFor(p, ac)))
					}
				}
			}
		}
	}
	for action := range groupMatrix {
		found := false
		for _, a := range GroupActions {
			found = found || a == action
		}
		if !found {
			t.Errorf("matrix row %s is not in GroupActions", action)
		}
	}
}

// A secret group never answers anything but 404 to outsiders, for every
// action, so its existence cannot be probed.
func TestSecretGroupNeverLeaks(t *testing.T) {
	outsiders := []Actor{{Kind: Anonymous}, {Kind: User, UserID: "x"}, {Kind: Bot, UserID: "x", TokenID: "t"}}
	for _, a := range outsiders {
		for _, action := range GroupActions {
			err := Group(a, action, GroupFacts{GroupID: "g", Privacy: Secret, Flags: DefaultFlags(Open)})
			if domain.ErrorCode(err) != domain.NotFound {
				t.Errorf("%s as %s: %v, want not found", action, a.Kind, err)
			}
		}
	}
}

func TestGroupCreateNeedsSignIn(t *testing.T) {
	if letter(Group(Actor{Kind: Anonymous}, GroupCreate, GroupFacts{})) != 'S' {
		t.Error("anonymous may not create groups")
	}
	if Group(Actor{Kind: User, UserID: "u"}, GroupCreate, GroupFacts{}) != nil {
		t.Error("users may create groups")
	}
	if Group(Actor{Kind: Bot, UserID: "u", TokenID: "t"}, GroupCreate, GroupFacts{}) != nil {
		t.Error("bots act for their owner")
	}
}

func TestFlagsChangeOutcomes(t *testing.T) {
	member := Actor{Kind: User, UserID: "m"}
	admin := Actor{Kind: User, UserID: "a"}
	base := GroupFacts{GroupID: "g", Privacy: Closed, Role: RoleMember}
	flagged := []struct {
		action Action
		set    func(*Flags)
	}{
		{GroupInvite, func(f *Flags) { f.MembersCanAddMembers = true }},
		{GroupApproveRequests, func(f *Flags) { f.MembersCanAddMembers = true }},
		{GroupAddGuests, func(f *Flags) { f.MembersCanAddGuests = true }},
		{GroupAnnounce, func(f *Flags) { f.MembersCanAnnounce = true }},
		{ThreadStart, func(f *Flags) { f.MembersCanStartThreads = true }},
		{PollStart, func(f *Flags) { f.MembersCanStartPolls = true }},
	}
	for _, c := range flagged {
		f := base
		if letter(Group(member, c.action, f)) != 'F' {
			t.Errorf("%s: member allowed with flag off", c.action)
		}
		c.set(&f.Flags)
		if err := Group(member, c.action, f); err != nil {
			t.Errorf("%s: member denied with flag on: %v", c.action, err)
		}
		adminFacts := base
		adminFacts.Role = RoleAdmin
		if err := Group(admin, c.action, adminFacts); err != nil {
			t.Errorf("%s: admin denied with flag off: %v", c.action, err)
		}
	}

	// Own content: author + flag.
	own := base
	own.Target = Target{Kind: "comment", ID: "c1", ThreadID: "t1", Author: true}
	for _, action := range []Action{CommentEditOwn, CommentDeleteOwn} {
		if letter(Group(member, action, own)) != 'F' {
			t.Errorf("%s allowed with flag off", action)
		}
	}
	own.Flags.MembersCanEditOwnComments = true
	for _, action := range []Action{CommentEditOwn, CommentDeleteOwn} {
		if err := Group(member, action, own); err != nil {
			t.Errorf("%s denied with flag on: %v", action, err)
		}
	}
	// A guest of the thread may edit their own comment there, under the same flag.
	guest := own
	guest.Role = RoleNone
	guest.Guest = []GuestGrant{{Kind: "thread", ID: "t1"}}
	if err := Group(Actor{Kind: User, UserID: "g"}, CommentEditOwn, guest); err != nil {
		t.Errorf("guest editing own comment: %v", err)
	}
	guest.Guest = []GuestGrant{{Kind: "thread", ID: "t2"}}
	if letter(Group(Actor{Kind: User, UserID: "g"}, CommentEditOwn, guest)) != 'F' {
		t.Error("guest of another thread may not edit")
	}

	thread := base
	thread.Target = Target{Kind: "thread", ID: "t1", Author: true}
	if letter(Group(member, ThreadEditOwn, thread)) != 'F' {
		t.Error("thread edit allowed with flag off")
	}
	thread.Flags.MembersCanEditOwnThreads = true
	if Group(member, ThreadEditOwn, thread) != nil {
		t.Error("thread edit denied with flag on")
	}

	content := base
	content.Role = RoleAdmin
	if letter(Group(admin, ContentAdminEdit, content)) != 'F' {
		t.Error("admin content edit allowed with flag off")
	}
	content.Flags.AdminsCanEditUserContent = true
	if Group(admin, ContentAdminEdit, content) != nil {
		t.Error("admin content edit denied with flag on")
	}
	content.Role = RoleMember
	if letter(Group(member, ContentAdminEdit, content)) != 'F' {
		t.Error("members never edit others' content")
	}
}

// A thread guest reads a poll's ballot list only where the poll counts
// them among its voters; a guest of another thread never.
func TestGuestBallotListNeedsVoter(t *testing.T) {
	g := Actor{Kind: User, UserID: "g"}
	for _, p := range []Privacy{Closed, Secret} {
		f := GroupFacts{GroupID: "g1", Privacy: p, Flags: DefaultFlags(p), Guest: []GuestGrant{{Kind: "thread", ID: "t1"}},
			Target: Target{Kind: "poll", ID: "p1", ThreadID: "t1"}}
		if letter(Group(g, PollBallotsView, f)) != 'F' {
			t.Errorf("%s: guest who is not a voter read the ballot list", p)
		}
		f.Target.Voter = true
		if err := Group(g, PollBallotsView, f); err != nil {
			t.Errorf("%s: guest voter: %v", p, err)
		}
		f.Guest = []GuestGrant{{Kind: "thread", ID: "t2"}}
		if got := letter(Group(g, PollBallotsView, f)); got == '.' {
			t.Errorf("%s: guest of another thread read the ballot list", p)
		}
		if letter(Group(Actor{Kind: Anonymous}, PollBallotsView, GroupFacts{GroupID: "g1", Privacy: p, Target: Target{Kind: "poll", ID: "p1", Voter: true}})) == '.' {
			t.Errorf("%s: anonymous", p)
		}
	}
}

func TestSubgroupRules(t *testing.T) {
	pm := Actor{Kind: User, UserID: "pm"}
	out := Actor{Kind: User, UserID: "out"}
	sub := GroupFacts{GroupID: "s", Privacy: Closed, Flags: DefaultFlags(Closed), ParentID: "p", ParentPrivacy: Open, ParentRole: RoleMember}

	// No sub-subgroups, even for admins.
	admin := sub
	admin.Role = RoleAdmin
	if err := Group(pm, GroupCreateSubgroup, admin); letter(err) != 'F' {
		t.Errorf("sub-subgroup: %v", err)
	}
	// Parent members see a closed subgroup's threads only with the flag.
	if letter(Group(pm, SubgroupContentView, sub)) != 'F' || letter(Group(pm, GroupViewContent, sub)) != 'F' {
		t.Error("parent member saw threads with the flag off")
	}
	sub.Flags.ParentMembersCanSeeThreads = true
	for _, action := range []Action{SubgroupContentView, GroupViewContent, ThreadView} {
		if err := Group(pm, action, sub); err != nil {
			t.Errorf("%s as parent member with flag on: %v", action, err)
		}
	}
	// ...but they cannot post there.
	if letter(Group(pm, ThreadStart, sub)) != 'F' || letter(Group(pm, ThreadComment, sub)) != 'F' {
		t.Error("parent member may not post in a subgroup")
	}
	outsider := sub
	outsider.ParentRole = RoleNone
	if letter(Group(out, SubgroupContentView, outsider)) != 'F' {
		t.Error("outsider saw subgroup threads")
	}
	// Parent admins may list a subgroup's members.
	padmin := sub
	padmin.ParentRole = RoleAdmin
	if Group(pm, GroupListMembers, padmin) != nil {
		t.Error("parent admin cannot list subgroup members")
	}

	// A subgroup of a secret parent is hidden from non-members of the parent,
	// whatever its own privacy.
	for _, p := range []Privacy{Open, Closed, Secret} {
		f := GroupFacts{GroupID: "s", Privacy: p, Flags: DefaultFlags(p), ParentID: "p", ParentPrivacy: Secret}
		if err := Group(out, GroupView, f); letter(err) != 'H' {
			t.Errorf("%s subgroup of a secret parent visible to outsider: %v", p, err)
		}
		f.ParentRole = RoleMember
		want := byte('.')
		if p == Secret {
			want = 'H'
		}
		if got := letter(Group(pm, GroupView, f)); got != want {
			t.Errorf("%s subgroup of a secret parent, parent member: %c want %c", p, got, want)
		}
	}
}

func TestUnknownActionDenied(t *testing.T) {
	f := GroupFacts{GroupID: "g", Privacy: Open, Role: RoleAdmin, Flags: DefaultFlags(Open)}
	if err := Group(Actor{Kind: User, UserID: "a"}, Action("group.destroy.everything"), f); letter(err) != 'F' {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestDefaultFlagsPerPreset(t *testing.T) {
	o, c, s := DefaultFlags(Open), DefaultFlags(Closed), DefaultFlags(Secret)
	if !o.MembersCanAddMembers || c.MembersCanAddMembers || s.MembersCanAddMembers {
		t.Error("members can add members: open only")
	}
	if s.MembersCanAddGuests || s.MembersCanAnnounce || s.ParentMembersCanSeeThreads {
		t.Error("secret groups start locked down")
	}
	for _, f := range []Flags{o, c, s} {
		if !f.MembersCanStartThreads || !f.MembersCanStartPolls || f.AdminsCanEditUserContent {
			t.Errorf("defaults %+v", f)
		}
	}
	if fmt.Sprint(Privacy("public").Valid(), Open.Valid(), Role("owner").Valid(), RoleAdmin.Valid()) != "false true false true" {
		t.Error("validity checks")
	}
}

// TestPollProxyNeedsTheFlag: with proxy voting enabled, members and admins
// may give, hold and use proxies; guests, invitees and outsiders never.
func TestPollProxyNeedsTheFlag(t *testing.T) {
	want := map[Privacy]string{Open: "SFF...FF", Closed: "SFF...FF", Secret: "HHH...FF"}
	for p, w := range want {
		got := make([]byte, len(matrixActors))
		for i, ac := range matrixActors {
			f := factsFor(p, ac)
			f.Flags.ProxyVoting = true
			got[i] = letter(Group(ac.actor, PollProxy, f))
		}
		if string(got) != w {
			t.Errorf("%s: got %s, want %s", p, got, w)
		}
	}
}
