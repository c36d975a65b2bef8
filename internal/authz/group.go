package authz

import "github.com/quorum-app/quorum/internal/domain"

// Group actions: everything that happens in or to a group, including the
// actions later issues (threads, polls, comments) ask about. The domain core
// loads GroupFacts and calls Group; nothing else decides these.
const (
	// Groups.
	GroupCreate         Action = "group.create"           // create a top-level group (no facts needed)
	GroupView           Action = "group.view"             // name, description, privacy
	GroupSeeMemberCount Action = "group.members.count"    // the member count
	GroupListMembers    Action = "group.members.list"     // who is in the group
	GroupCreateSubgroup Action = "group.subgroups.create" // facts are the parent's
	GroupEditSettings   Action = "group.settings.edit"    // name, handle, description, privacy, flags

	// Membership.
	GroupInvite            Action = "group.members.invite"        // invite (add) people by email
	GroupManageInvitations Action = "group.invitations.manage"    // list, resend, revoke invitations
	GroupAddGuests         Action = "group.guests.add"            // give someone access to one thread or poll
	GroupApproveRequests   Action = "group.requests.manage"       // list, approve, deny membership requests
	GroupRemoveMember      Action = "group.members.remove"        // remove someone else
	GroupChangeRole        Action = "group.members.role"          // promote to admin, demote to member
	GroupViewJoinLink      Action = "group.joinlink.view"         // see the shareable join link
	GroupResetJoinLink     Action = "group.joinlink.reset"        // rotate it (the old link stops working)
	GroupViewAudit         Action = "group.audit.view"            // read and verify the record of admin actions
	GroupManageTags        Action = "group.tags.manage"           // create, rename, recolour and delete the group's tags
	GroupManageTemplates   Action = "group.templates.manage"      // save, edit, order, delete templates; hide built-in ones
	GroupExport            Action = "group.export"                // export the whole group (#16): admins
	GroupRemoveContent     Action = "group.content.remove"        // remove one member's comments in the group (#16): admins
	GroupDelete            Action = "group.delete"                // delete the group (grace period, then erased; #16): admins
	GroupRestore           Action = "group.restore"               // restore a group during its grace period: admins (of it or its parent)
	GroupLeave             Action = "group.leave"                 // leave the group
	GroupRequestMembership Action = "group.request"               // ask to join a closed group
	GroupJoin              Action = "group.join"                  // join an open group directly
	GroupJoinViaLink       Action = "group.join.link"             // join with a valid join link
	GroupAcceptInvitation  Action = "group.invitation.accept"     // accept a valid invitation
	GroupViewSubgroupsOf   Action = "group.subgroups.list"        // list the subgroups (each still filtered by GroupView)
	GroupAnnounce          Action = "group.announce"              // notify the whole group of a thread or poll
	PeopleNotify           Action = "people.notify"               // notify chosen people of a thread or poll (Target)
	GroupViewContent       Action = "group.content.view"          // read threads and polls of the group
	ThreadStart            Action = "thread.start"                // start a thread in the group
	PollStart              Action = "poll.start"                  // start a poll in the group
	ThreadView             Action = "thread.view"                 // read one thread (Target)
	ThreadComment          Action = "thread.comment"              // comment in one thread (Target)
	PollVote               Action = "poll.vote"                   // vote in one poll (Target; voter set checked by polls)
	PollBallotsView        Action = "poll.ballots.view"           // read a poll's ballot list with names and reasons (Target)
	PollAdmin              Action = "poll.admin"                  // edit, close, remind, manage voters, write the outcome (Target, Author)
	PollReopen             Action = "poll.reopen"                 // reopen a closed poll: the group's admins only (Target)
	ThreadEditOwn          Action = "thread.edit.own"             // edit a thread the actor started (Author)
	CommentEditOwn         Action = "comment.edit.own"            // edit a comment the actor wrote (Author)
	CommentDeleteOwn       Action = "comment.delete.own"          // delete a comment the actor wrote (Author)
	CommentDelete          Action = "comment.delete"              // delete a comment: its author, or an admin moderating (Target, Author)
	ContentAdminEdit       Action = "content.admin.edit"          // an admin edits someone else's content
	SubgroupContentView    Action = "group.subgroup.content.view" // parent members reading a subgroup's threads
	// PollProxy: give a proxy to another member, hold one and vote with it
	// (members, when the group allows proxy voting; the decision core
	// checks the rest: never in anonymous polls, no chains).
	PollProxy  Action = "poll.proxy"
	ThreadMove Action = "thread.move" // move a thread out of or into the group (asked of both groups)
	ThreadFork Action = "thread.fork" // fork comments into a new thread (thread moderators, Target, Author)
)

// GroupActions lists every group action (tests iterate over it).
var GroupActions = []Action{
	GroupView, GroupSeeMemberCount, GroupListMembers, GroupCreateSubgroup, GroupEditSettings,
	GroupInvite, GroupManageInvitations, GroupAddGuests, GroupApproveRequests, GroupRemoveMember,
	GroupChangeRole, GroupViewJoinLink, GroupResetJoinLink, GroupLeave, GroupRequestMembership,
	GroupJoin, GroupJoinViaLink, GroupAcceptInvitation, GroupViewSubgroupsOf, GroupAnnounce,
	GroupViewContent, ThreadStart, PollStart, ThreadView, ThreadComment, PollVote, ThreadEditOwn,
	CommentEditOwn, CommentDeleteOwn, ContentAdminEdit, SubgroupContentView, PeopleNotify, PollBallotsView,
	PollAdmin, CommentDelete, GroupViewAudit, GroupManageTags, GroupManageTemplates, PollProxy, ThreadMove, ThreadFork, GroupExport, PollReopen,
	GroupRemoveContent, GroupDelete, GroupRestore,
}

// Privacy is a group's visibility preset.
type Privacy string

// Privacy presets.
const (
	// Open: anyone can see the group, its members count and its threads, and
	// any signed-in person can join.
	Open Privacy = "open"
	// Closed: anyone can see the group's name and description; members are
	// added by invitation, join link or an approved request; content is for
	// members.
	Closed Privacy = "closed"
	// Secret: invisible to non-members (404 everywhere); invitation or join
	// link only.
	Secret Privacy = "secret"
)

// Valid reports whether p is a known preset.
func (p Privacy) Valid() bool { return p == Open || p == Closed || p == Secret }

// Role is a person's role in a group.
type Role string

// Roles. RoleNone means "not a member".
const (
	RoleNone   Role = ""
	RoleMember Role = "member"
	RoleAdmin  Role = "admin"
)

// Valid reports whether r is a role a membership can have.
func (r Role) Valid() bool { return r == RoleMember || r == RoleAdmin }

// Flags are a group's permission settings. Admins can always do what
// members can be allowed to do.
type Flags struct {
	MembersCanAddMembers       bool `json:"members_can_add_members"`
	MembersCanAddGuests        bool `json:"members_can_add_guests"`
	MembersCanAnnounce         bool `json:"members_can_announce"`
	MembersCanStartThreads     bool `json:"members_can_start_threads"`
	MembersCanStartPolls       bool `json:"members_can_start_polls"`
	MembersCanEditOwnThreads   bool `json:"members_can_edit_own_threads"`
	MembersCanEditOwnComments  bool `json:"members_can_edit_own_comments"`
	AdminsCanEditUserContent   bool `json:"admins_can_edit_user_content"`
	ParentMembersCanSeeThreads bool `json:"parent_members_can_see_threads"`
	// ProxyVoting lets members give a proxy to another member (off by
	// default in every preset).
	ProxyVoting bool `json:"proxy_voting"`
}

// DefaultFlags are the flags a new group with privacy p starts with.
func DefaultFlags(p Privacy) Flags {
	f := Flags{
		MembersCanAddMembers:       true,
		MembersCanAddGuests:        true,
		MembersCanAnnounce:         true,
		MembersCanStartThreads:     true,
		MembersCanStartPolls:       true,
		MembersCanEditOwnThreads:   true,
		MembersCanEditOwnComments:  true,
		AdminsCanEditUserContent:   false,
		ParentMembersCanSeeThreads: true,
	}
	switch p {
	case Closed:
		f.MembersCanAddMembers = false
		f.ParentMembersCanSeeThreads = false
	case Secret:
		f.MembersCanAddMembers = false
		f.MembersCanAddGuests = false
		f.MembersCanAnnounce = false
		f.ParentMembersCanSeeThreads = false
	}
	return f
}

// GuestGrant is access to one thread or poll of a group, given to someone
// who is not a member (threads and polls come with later issues; the
// policy already knows them).
type GuestGrant struct {
	Kind string // "thread" or "poll"
	ID   string
}

// Target is the thread, poll or comment an action is about (empty for
// group-level actions).
type Target struct {
	Kind string // "thread", "poll", "comment"
	ID   string
	// ThreadID is the thread a comment or poll belongs to ("" if none);
	// guests of that thread may act on it.
	ThreadID string
	// Author is true when the actor wrote the target.
	Author bool
	// Voter is true when the actor is in the target poll's voter set
	// (poll.InVoterSet, decided by the decision core).
	Voter bool
}

// GroupFacts is everything the policy needs to know about a group and the
// actor's relation to it. The domain core loads them (group item, the
// actor's membership, the parent and the actor's membership there, guest
// grants) and passes them in; the policy itself does no I/O.
type GroupFacts struct {
	GroupID string
	Privacy Privacy
	Flags   Flags
	// Role is the actor's role in this group (RoleNone: not a member).
	Role Role
	// ParentID is set for subgroups; ParentPrivacy and ParentRole describe
	// the parent and the actor's role there.
	ParentID      string
	ParentPrivacy Privacy
	ParentRole    Role
	// Guest lists the threads and polls of this group the actor is a guest of.
	Guest []GuestGrant
	// HoldsInvitation is true when the actor presented a valid, unexpired
	// invitation or join link for this group: it makes the group visible to
	// them (even a secret one) so they can see what they are joining.
	HoldsInvitation bool
	// Target is what the action is about, for thread/poll/comment actions.
	Target Target
	// Deleting is true while the group (or its parent) is deleted and in
	// its grace period: hidden from everyone but its admins and its
	// parent's admins, who may restore it.
	Deleting bool
}

// IsSubgroup reports whether the group has a parent.
func (f GroupFacts) IsSubgroup() bool { return f.ParentID != "" }

func (f GroupFacts) member() bool { return f.Role == RoleMember || f.Role == RoleAdmin }
func (f GroupFacts) admin() bool  { return f.Role == RoleAdmin }
func (f GroupFacts) parentMember() bool {
	return f.IsSubgroup() && (f.ParentRole == RoleMember || f.ParentRole == RoleAdmin)
}

// guestOf reports whether the actor is a guest of the target (or of the
// thread the target belongs to).
func (f GroupFacts) guestOf() bool {
	for _, g := range f.Guest {
		if g.ID == "" {
			continue
		}
		if (g.Kind == f.Target.Kind && g.ID == f.Target.ID) || (g.Kind == "thread" && g.ID == f.Target.ThreadID) {
			return true
		}
	}
	return false
}

// canSee decides whether the group's existence may be revealed to the actor.
func canSee(a Actor, f GroupFacts) bool {
	if f.member() || f.HoldsInvitation {
		return true
	}
	if a.Authenticated() && f.guestOf() {
		return true
	}
	// A subgroup is never more visible than its parent: under a secret
	// parent only the parent's members may know it exists.
	if f.IsSubgroup() && f.ParentPrivacy == Secret && !f.parentMember() {
		return false
	}
	switch f.Privacy {
	case Open, Closed:
		return true
	case Secret:
		return false
	}
	return false
}

// Errors of the group policy with reasons the user can act on.
var (
	ErrNotMember      = Forbidden("only members of this group can do this")
	ErrAdminOnly      = Forbidden("only admins of this group can do this")
	ErrAlreadyMember  = domain.Errorf(domain.Conflict, "you are already a member of this group")
	ErrNoSubSubgroups = Forbidden("a subgroup cannot have subgroups of its own")
)

// Group decides whether actor a may perform action on the group described
// by f. It returns nil when allowed, ErrHidden when the group must stay
// invisible to the actor, ErrSignIn when signing in might help and a
// Forbidden error otherwise. Bots (API tokens) act with their owner's rights.
// Deny unless allowed.
func Group(a Actor, action Action, f GroupFacts) error {
	if action == GroupCreate {
		return RequireUser(a)
	}
	if !canSee(a, f) {
		return ErrHidden
	}
	if f.Deleting && !f.admin() && f.ParentRole != RoleAdmin {
		return ErrHidden
	}
	signedIn := a.Authenticated()
	// orSignIn returns ErrSignIn for anonymous actors, err otherwise.
	orSignIn := func(err error) error {
		if !signedIn {
			return ErrSignIn
		}
		return err
	}
	// memberOr allows admins, and members when flag is set.
	memberOr := func(flag bool, why string) error {
		switch {
		case f.admin():
			return nil
		case f.member() && flag:
			return nil
		case f.member():
			return Forbidden(why)
		}
		return orSignIn(ErrNotMember)
	}
	adminOnly := func() error {
		if f.admin() {
			return nil
		}
		return orSignIn(ErrAdminOnly)
	}
	member := func() error {
		if f.member() {
			return nil
		}
		return orSignIn(ErrNotMember)
	}

	switch action {
	case GroupView, GroupViewSubgroupsOf:
		return nil // visibility was checked above
	case GroupSeeMemberCount:
		if f.member() || f.Privacy != Secret {
			return nil
		}
		return ErrHidden
	case GroupListMembers:
		if f.member() || (f.IsSubgroup() && f.ParentRole == RoleAdmin) {
			return nil
		}
		return orSignIn(ErrNotMember)
	case GroupCreateSubgroup:
		if f.IsSubgroup() {
			return ErrNoSubSubgroups
		}
		return adminOnly()
	case GroupEditSettings, GroupRemoveMember, GroupChangeRole, GroupResetJoinLink, GroupViewAudit, GroupManageTags, GroupManageTemplates, GroupExport, GroupRemoveContent, GroupDelete:
		return adminOnly()
	case GroupRestore:
		if f.admin() || f.ParentRole == RoleAdmin {
			return nil
		}
		return orSignIn(ErrAdminOnly)
	case ThreadMove:
		// Moving a thread takes it out of one group and into another: the
		// core asks this of both, so only someone who is admin of both may.
		return adminOnly()
	case ThreadFork:
		// Thread moderators: the group's admins, and the thread's author
		// where they may edit their own threads.
		if f.admin() {
			return nil
		}
		return Group(a, ThreadEditOwn, f)
	case GroupInvite, GroupManageInvitations, GroupApproveRequests, GroupViewJoinLink:
		return memberOr(f.Flags.MembersCanAddMembers, "only admins can add people to this group")
	case GroupAddGuests:
		return memberOr(f.Flags.MembersCanAddGuests, "only admins can add guests in this group")
	case GroupAnnounce:
		// Notifying the whole group: admins, and members when the group
		// lets members announce.
		return memberOr(f.Flags.MembersCanAnnounce, "only admins can notify the whole group in this group")
	case PeopleNotify:
		// Notifying chosen people (who must be able to see the thread or
		// poll; the cores check that): any member. Guests and visitors
		// cannot page the group's members.
		return member()
	case ThreadStart:
		return memberOr(f.Flags.MembersCanStartThreads, "only admins can start threads in this group")
	case PollStart:
		return memberOr(f.Flags.MembersCanStartPolls, "only admins can start polls in this group")
	case PollProxy:
		if err := member(); err != nil {
			return err
		}
		if !f.Flags.ProxyVoting {
			return Forbidden("proxy voting is not enabled in this group")
		}
		return nil
	case GroupLeave:
		return member()
	case GroupJoin:
		if !signedIn {
			return ErrSignIn
		}
		if f.member() {
			return ErrAlreadyMember
		}
		if f.Privacy != Open {
			return Forbidden("this group is not open: ask to join or use an invitation")
		}
		return nil
	case GroupRequestMembership:
		if !signedIn {
			return ErrSignIn
		}
		if f.member() {
			return ErrAlreadyMember
		}
		switch f.Privacy {
		case Closed:
			return nil
		case Open:
			return Forbidden("this group is open: join it directly")
		}
		return ErrHidden
	case GroupJoinViaLink, GroupAcceptInvitation:
		if !signedIn {
			return ErrSignIn
		}
		if !f.HoldsInvitation {
			return ErrHidden
		}
		if f.member() {
			return ErrAlreadyMember
		}
		return nil
	case GroupViewContent:
		if f.member() || f.Privacy == Open {
			return nil
		}
		if f.parentMember() && f.Flags.ParentMembersCanSeeThreads {
			return nil
		}
		return orSignIn(ErrNotMember)
	case SubgroupContentView:
		if f.member() || (f.parentMember() && f.Flags.ParentMembersCanSeeThreads) {
			return nil
		}
		return orSignIn(Forbidden("this subgroup's threads are for its members"))
	case ThreadView:
		if err := Group(a, GroupViewContent, f); err == nil {
			return nil
		}
		if signedIn && f.guestOf() {
			return nil
		}
		return orSignIn(ErrNotMember)
	case ThreadComment, PollVote:
		if f.member() || (signedIn && f.guestOf()) {
			return nil
		}
		return orSignIn(ErrNotMember)
	case PollBallotsView:
		// Who voted how and why: whoever reads the group's content, and the
		// guests a poll counts among its voters. A guest who only reads the
		// thread sees the figures, not the members' names and reasons.
		if Group(a, GroupViewContent, f) == nil {
			return nil
		}
		if signedIn && f.guestOf() && f.Target.Voter {
			return nil
		}
		return orSignIn(Forbidden("the list of votes is for the group's members and this poll's voters"))
	case PollAdmin:
		// Poll admins: the group's admins, and the poll's author while
		// they are still a member of the group or a guest of the poll (an
		// author who left keeps no rights over it).
		if f.admin() {
			return nil
		}
		if f.Target.Author && (f.member() || (signedIn && f.guestOf())) {
			return nil
		}
		return orSignIn(Forbidden("only the poll's author and the group's admins can do this"))
	case PollReopen:
		// A closed poll is sealed: its ballots, reasons and results stand.
		// Only a group admin may open it again (not its author, unless an
		// admin): the reopening is an admin action, kept in the audit log.
		if f.admin() {
			return nil
		}
		return orSignIn(Forbidden("only the group's admins can reopen a closed poll"))
	case CommentDelete:
		// The author (as comment.delete.own allows), or a group admin
		// moderating, whatever the flags say about editing.
		if f.admin() {
			return nil
		}
		return Group(a, CommentDeleteOwn, f)
	case ThreadEditOwn:
		if !f.Target.Author {
			return orSignIn(Forbidden("you can only edit threads you started"))
		}
		if !f.member() && !(signedIn && f.guestOf()) {
			return orSignIn(ErrNotMember)
		}
		if f.admin() || f.Flags.MembersCanEditOwnThreads {
			return nil
		}
		return Forbidden("this group does not let members edit their threads")
	case CommentEditOwn, CommentDeleteOwn:
		if !f.Target.Author {
			return orSignIn(Forbidden("you can only change comments you wrote"))
		}
		if !f.member() && !(signedIn && f.guestOf()) {
			return orSignIn(ErrNotMember)
		}
		if f.admin() || f.Flags.MembersCanEditOwnComments {
			return nil
		}
		return Forbidden("this group does not let members change their comments")
	case ContentAdminEdit:
		if f.admin() && f.Flags.AdminsCanEditUserContent {
			return nil
		}
		if f.admin() {
			return Forbidden("this group does not let admins edit other people's content")
		}
		return orSignIn(ErrAdminOnly)
	}
	// Unknown action: deny.
	return orSignIn(Forbidden("this action is not allowed"))
}

// Can is Group as a boolean, for deciding which controls a page shows. The
// operation itself still calls Group.
func Can(a Actor, action Action, f GroupFacts) bool { return Group(a, action, f) == nil }
