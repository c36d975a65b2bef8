package pages

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// Accounts is what the pages call of the account core (*account.Service implements it).
type Accounts interface {
	AvatarOf(ctx context.Context, uid string, side int) (account.Avatar, error)
	ConfirmEmailChange(ctx context.Context, secret string) (*account.User, error)
	CreateToken(ctx context.Context, name string) (*account.NewToken, error)
	DeleteAccountWith(ctx context.Context, code string, opt account.DeletionOptions) error
	Me(ctx context.Context) (*account.User, error)
	PasswordLogin(ctx context.Context, c account.Client, rawEmail string, pw string) (*account.Verification, error)
	RemoveAvatar(ctx context.Context) (*account.User, error)
	RemovePassword(ctx context.Context, current string) error
	RequestDeletion(ctx context.Context) (*account.DeletionSent, error)
	RequestEmailChange(ctx context.Context, rawEmail string) error
	RequestLogin(ctx context.Context, c account.Client, rawEmail string) (*account.LoginSent, error)
	RevokeSession(ctx context.Context, id string) error
	RevokeToken(ctx context.Context, id string) error
	Sessions(ctx context.Context) ([]account.Session, error)
	SetAvatar(ctx context.Context, data []byte) (*account.User, error)
	SetPassword(ctx context.Context, current string, next string) error
	SignOut(ctx context.Context, token string) error
	SignOutEverywhere(ctx context.Context) (int, error)
	Tokens(ctx context.Context) ([]account.APIToken, error)
	UpdateProfile(ctx context.Context, p account.ProfileUpdate) (*account.User, error)
	Users(ctx context.Context, ids []string) (map[string]*account.User, error)
	VerifyCode(ctx context.Context, c account.Client, rawEmail string, code string, name string) (*account.Verification, error)
	VerifyLink(ctx context.Context, c account.Client, token string, name string) (*account.Verification, error)
}

// Groups is what the pages call of the group core (*group.Service implements it).
type Groups interface {
	AcceptInvitation(ctx context.Context, token string) (group.Group, error)
	ApproveRequest(ctx context.Context, gid string, uid string) error
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
	Create(ctx context.Context, in group.CreateInput) (group.Group, error)
	Delete(ctx context.Context, gid string, name string) (group.Group, error)
	DeleteGrace() time.Duration
	DenyRequest(ctx context.Context, gid string, uid string) error
	Facts(ctx context.Context, gid string) (authz.GroupFacts, error)
	Get(ctx context.Context, gid string) (group.Group, error)
	GetWithLevel(ctx context.Context, gid string) (group.Group, error)
	Invitations(ctx context.Context, gid string, cursor string, limit int) (store.Page[group.Invitation], error)
	Invite(ctx context.Context, gid string, in group.InviteInput) ([]group.InviteResult, error)
	Join(ctx context.Context, gid string) (group.Group, error)
	JoinLink(ctx context.Context, gid string) (string, error)
	JoinViaLink(ctx context.Context, token string) (group.Group, error)
	Leave(ctx context.Context, gid string) error
	Members(ctx context.Context, gid string, cursor string, limit int) (store.Page[group.Member], error)
	Mine(ctx context.Context, cursor string, limit int) (store.Page[group.Group], error)
	PreviewInvitation(ctx context.Context, token string) (group.InvitationPreview, error)
	PreviewJoinLink(ctx context.Context, token string) (group.InvitationPreview, error)
	RemoveMember(ctx context.Context, gid string, uid string) error
	RequestMembership(ctx context.Context, gid string, message string) error
	Requests(ctx context.Context, gid string, cursor string, limit int) (store.Page[group.Request], error)
	ResendInvitation(ctx context.Context, gid string, id string) (group.Invitation, error)
	ResetJoinLink(ctx context.Context, gid string) (string, error)
	Restore(ctx context.Context, gid string) (group.Group, error)
	RevokeInvitation(ctx context.Context, gid string, id string) error
	SetRole(ctx context.Context, gid string, uid string, role authz.Role) (group.Member, error)
	Subgroups(ctx context.Context, gid string) ([]group.Group, error)
	Update(ctx context.Context, gid string, in group.UpdateInput) (group.Group, error)
}

// Discussions is what the pages call of the discussion core
// (*discussion.Service implements it): the thread pages' own methods
// (discussions_pages.go and the pages that show a thread) and the small
// interfaces of the handler groups below, each of which holds only its own.
type Discussions interface {
	ThreadGuests
	ThreadModeration
	MemberContent
	GroupThreads

	Caps(ctx context.Context, t discussion.Thread) discussion.ThreadCaps
	DownloadURL(ctx context.Context, tid string, fid string) (string, error)
	Announce(ctx context.Context, tid string, aud notify.Audience) error
	CanTagNewThread(ctx context.Context, gid string) bool
	CanTagThread(ctx context.Context, tid string) bool
	Close(ctx context.Context, tid string) (discussion.Thread, error)
	Comment(ctx context.Context, tid string, in discussion.CommentInput) (discussion.Item, error)
	Dashboard(ctx context.Context, limit int) ([]discussion.Thread, error)
	Delete(ctx context.Context, tid string) error
	DeleteComment(ctx context.Context, tid string, cid string) error
	EditComment(ctx context.Context, tid string, cid string, body string, version int64) (discussion.Item, error)
	History(ctx context.Context, tid string, cid string) ([]discussion.Edit, error)
	InviteGuest(ctx context.Context, tid string, email string) error
	MarkRead(ctx context.Context, tid string) (discussion.ReadState, error)
	PageAt(ctx context.Context, tid string, iid string, limit int) (discussion.ThreadPage, error)
	Pin(ctx context.Context, tid string, pinned bool) (discussion.Thread, error)
	React(ctx context.Context, tid string, cid string, name string, on bool) error
	ReactThread(ctx context.Context, tid string, name string, on bool) error
	Reopen(ctx context.Context, tid string) (discussion.Thread, error)
	SetGroupLevel(ctx context.Context, gid string, l notify.Level) error
	SetThreadLevel(ctx context.Context, tid string, l notify.Level) error
	SetThreadTags(ctx context.Context, tid string, tagIDs []string) (discussion.Thread, error)
	StartThread(ctx context.Context, in discussion.StartInput) (discussion.Thread, error)
	UpdateThread(ctx context.Context, tid string, in discussion.UpdateInput) (discussion.Thread, error)
}

// ThreadGuests is what the guest pages call (guests_pages.go).
type ThreadGuests interface {
	Thread(ctx context.Context, tid string) (discussion.Thread, error)
	Guests(ctx context.Context, tid string) ([]discussion.Guest, error)
	GuestInvitations(ctx context.Context, tid string) ([]discussion.GuestInvitation, error)
	InviteGuestByEmail(ctx context.Context, tid string, email string) (discussion.GuestInviteResult, error)
	RemoveGuest(ctx context.Context, tid string, uid string) error
	RevokeGuestInvitation(ctx context.Context, tid string, id string) error
	PreviewGuestInvitation(ctx context.Context, token string) (discussion.GuestInvitationPreview, error)
	AcceptGuestInvitation(ctx context.Context, token string) (discussion.Thread, error)
}

// ThreadModeration is what moving a thread and forking its comments call
// (thread_move.go, thread_fork.go).
type ThreadModeration interface {
	Thread(ctx context.Context, tid string) (discussion.Thread, error)
	MoveStatus(ctx context.Context, tid string) (*discussion.MoveState, error)
	MoveThread(ctx context.Context, tid string, to string) (discussion.MoveResult, error)
	Page(ctx context.Context, tid string, cursor string, limit int) (discussion.ThreadPage, error)
	ForkComments(ctx context.Context, tid string, in discussion.ForkInput) (discussion.ForkResult, error)
}

// MemberContent is what removing a member's comments calls (groups_content.go).
type MemberContent interface {
	MemberRemoval(ctx context.Context, gid string, uid string) (*discussion.Removal, error)
	RemoveMemberComments(ctx context.Context, gid string, uid string) (*discussion.Removal, error)
}

// GroupThreads is what the group hub calls of the discussion core (groups_hub.go).
type GroupThreads interface {
	Threads(ctx context.Context, gid string, cursor string, limit int) (store.Page[discussion.Thread], error)
	TaggedThreads(ctx context.Context, gid string, tagID string, cursor string, limit int) (store.Page[discussion.Thread], error)
}

// Tags is what the pages call of the tag core (*tag.Service implements it;
// the composition root takes it from the discussion core, which owns it).
type Tags interface {
	List(ctx context.Context, gid string) ([]tag.Tag, error)
	Defs(ctx context.Context, gid string) (map[string]tag.Tag, error)
	Shown() *tag.Shown
	Create(ctx context.Context, gid string, in tag.Input) (tag.Tag, error)
	Update(ctx context.Context, gid, id string, in tag.Input) (tag.Tag, error)
	Delete(ctx context.Context, gid, id string) error
}

// Notifications is what the pages call of the notify core (*notify.Service implements it).
type Notifications interface {
	List(ctx context.Context, cursor string, limit int) (store.Page[notify.Notification], error)
	MarkAllRead(ctx context.Context) error
	MarkRead(ctx context.Context, id string) error
	UnreadCount(ctx context.Context) (int64, error)
}

// Decisions is what the pages call of the decision core (*decision.Service
// implements it): the poll pages' own methods (polls_*.go, announce.go,
// tags_pages.go, templates_pages.go) and the small interfaces of the
// handler groups below, each of which holds only its own.
type Decisions interface {
	PollProxies
	PollReactions
	PollHistory
	GroupDecisions
	ThreadPollCards

	CanAdmin(ctx context.Context, p decision.Poll) bool
	AddOption(ctx context.Context, pid string, opt poll.Option) (decision.Poll, error)
	AddVoter(ctx context.Context, pid string, uid string) error
	Announce(ctx context.Context, pid string, aud notify.Audience) error
	Ballots(ctx context.Context, pid string, cursor string, limit int) (decision.BallotList, error)
	Close(ctx context.Context, pid string) (decision.Poll, error)
	Create(ctx context.Context, in decision.CreateInput) (decision.Poll, error)
	DeleteDraft(ctx context.Context, pid string) error
	Extend(ctx context.Context, pid string, closingAt time.Time) (decision.Poll, error)
	GetOutcome(ctx context.Context, pid string) (decision.Outcome, error)
	List(ctx context.Context, gid string, cursor string, limit int) (store.Page[decision.Poll], error)
	Mine(ctx context.Context, pid string) (decision.MyBallot, error)
	Remind(ctx context.Context, pid string) (decision.RemindResult, error)
	RemoveVoter(ctx context.Context, pid string, uid string) error
	Reopen(ctx context.Context, pid string, closingAt time.Time) (decision.Poll, error)
	Results(ctx context.Context, pid string) (decision.ResultsView, error)
	SetOutcome(ctx context.Context, pid string, in decision.OutcomeInput) (decision.Outcome, error)
	SetPollTags(ctx context.Context, pid string, tagIDs []string) (decision.Poll, error)
	Update(ctx context.Context, pid string, in decision.UpdateInput) (decision.Poll, error)
	VerifyReceipt(ctx context.Context, pid string, receipt string) (decision.Verification, error)
	Vote(ctx context.Context, pid string, in decision.VoteInput) (decision.VoteResult, error)
	Voters(ctx context.Context, pid string, cursor string, limit int) (store.Page[decision.Voter], error)
	Withdraw(ctx context.Context, pid string, receipt string) error
}

// PollProxies is what the proxy pages call (polls_proxy.go, proxies_pages.go).
type PollProxies interface {
	Get(ctx context.Context, pid string) (decision.Poll, error)
	GrantProxy(ctx context.Context, gid string, pid string, grantee string) (decision.Proxy, error)
	GroupProxiesOf(ctx context.Context, gid string) (decision.GroupProxies, error)
	PollProxiesOf(ctx context.Context, pid string) (decision.PollProxies, error)
	RevokeProxy(ctx context.Context, gid string, pid string) error
	WithdrawFor(ctx context.Context, pid string, grantor string) error
}

// PollReactions is what the poll's reactions call (polls_reactions.go).
type PollReactions interface {
	CanReact(ctx context.Context, p decision.Poll) bool
	Reactions(ctx context.Context, pid string, voters []string) (decision.PollReactions, error)
	React(ctx context.Context, pid string, target string, name string, on bool) error
}

// PollHistory is what the outcome's history calls (polls_history.go).
type PollHistory interface {
	CanReopen(ctx context.Context, p decision.Poll) bool
	OutcomeHistory(ctx context.Context, pid string) ([]decision.OutcomeEdit, error)
}

// GroupDecisions is what the group hub and the dashboard call of the
// decision core (groups_hub.go).
type GroupDecisions interface {
	Decisions(ctx context.Context, gid string, cursor string, limit int) (store.Page[decision.Decision], error)
	TaggedDecisions(ctx context.Context, gid string, tagID string, cursor string, limit int) (store.Page[decision.Decision], error)
	Waiting(ctx context.Context, gids []string) ([]decision.Poll, error)
}

// ThreadPollCards is what the thread page's poll cards and the thread
// started with a poll call (thread_polls.go, thread_with_poll.go).
type ThreadPollCards interface {
	Get(ctx context.Context, pid string) (decision.Poll, error)
	Cards(ctx context.Context, pids []string, stances int) ([]decision.Card, error)
	PollsOfThread(ctx context.Context, gid string, tid string, cursor string) ([]string, string, error)
}

// MailPrefs is what the pages call of the mailpref core (*mailpref.Service implements it).
type MailPrefs interface {
	Check(token string) (uid string, sc mailpref.Scope, err error)
	Get(ctx context.Context) (*mailpref.Prefs, error)
	ResetReplyAddresses(ctx context.Context) (int, error)
	Resubscribe(ctx context.Context, token string) (mailpref.Scope, error)
	SetOptOut(ctx context.Context, sc mailpref.Scope, off bool) error
	Unsubscribe(ctx context.Context, token string) (mailpref.Scope, error)
	Unsuppress(ctx context.Context) error
	Update(ctx context.Context, in mailpref.Update) (*mailpref.Prefs, error)
}

// Inbox is what the pages call of the inbox core (*inbox.Service implements it).
type Inbox interface {
	AllowHeld(ctx context.Context, gid string, hid string, in inbox.AllowInput) (inbox.Outcome, error)
	BlockSender(ctx context.Context, gid string, hid string) error
	ConfirmHeld(ctx context.Context, hid string) (inbox.Outcome, error)
	DiscardGroupHeld(ctx context.Context, gid string, hid string) error
	DiscardHeld(ctx context.Context, hid string) error
	Domain() string
	GroupHeld(ctx context.Context, gid string) ([]inbox.Held, error)
	GroupSenders(ctx context.Context, gid string) ([]inbox.SenderRule, error)
	HeldMessage(ctx context.Context, hid string) (inbox.Held, error)
	Inject(ctx context.Context, raw []byte, recipients []string, v inbound.Verdicts) (inbox.Outcome, error)
	RemoveSender(ctx context.Context, gid string, ruleID string) error
}
