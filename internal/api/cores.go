package api

import (
	"context"
	"time"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/mailpref"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
)

// Accounts is what the API calls of the account core (*account.Service implements it).
type Accounts interface {
	ConfirmAvatarUpload(ctx context.Context, uploadID string) (*account.User, error)
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
	StartAvatarUpload(ctx context.Context, contentType string, size int64) (account.AvatarUpload, error)
	Tokens(ctx context.Context) ([]account.APIToken, error)
	UpdateProfile(ctx context.Context, p account.ProfileUpdate) (*account.User, error)
	VerifyCode(ctx context.Context, c account.Client, rawEmail string, code string, name string) (*account.Verification, error)
	VerifyLink(ctx context.Context, c account.Client, token string, name string) (*account.Verification, error)
}

// Groups is what the API calls of the group core (*group.Service implements it).
type Groups interface {
	AcceptInvitation(ctx context.Context, token string) (group.Group, error)
	ApproveRequest(ctx context.Context, gid string, uid string) error
	Create(ctx context.Context, in group.CreateInput) (group.Group, error)
	Delete(ctx context.Context, gid string, name string) (group.Group, error)
	DenyRequest(ctx context.Context, gid string, uid string) error
	Get(ctx context.Context, gid string) (group.Group, error)
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

// Discussions is what the API calls of the discussion core (*discussion.Service implements it).
type Discussions interface {
	AcceptGuestInvitation(ctx context.Context, token string) (discussion.Thread, error)
	AddGuest(ctx context.Context, tid string, uid string) error
	Announce(ctx context.Context, tid string, aud notify.Audience) error
	Close(ctx context.Context, tid string) (discussion.Thread, error)
	Comment(ctx context.Context, tid string, in discussion.CommentInput) (discussion.Item, error)
	ConfirmUpload(ctx context.Context, tid string, fid string) (discussion.FileRef, error)
	Dashboard(ctx context.Context, limit int) ([]discussion.Thread, error)
	Delete(ctx context.Context, tid string) error
	DeleteComment(ctx context.Context, tid string, cid string) error
	DownloadURL(ctx context.Context, tid string, fid string) (string, error)
	EditComment(ctx context.Context, tid string, cid string, body string, version int64) (discussion.Item, error)
	ForkComments(ctx context.Context, tid string, in discussion.ForkInput) (discussion.ForkResult, error)
	GuestInvitations(ctx context.Context, tid string) ([]discussion.GuestInvitation, error)
	Guests(ctx context.Context, tid string) ([]discussion.Guest, error)
	History(ctx context.Context, tid string, cid string) ([]discussion.Edit, error)
	InviteGuestByEmail(ctx context.Context, tid string, email string) (discussion.GuestInviteResult, error)
	MarkRead(ctx context.Context, tid string) (discussion.ReadState, error)
	MemberRemoval(ctx context.Context, gid string, uid string) (*discussion.Removal, error)
	MoveThread(ctx context.Context, tid string, to string) (discussion.MoveResult, error)
	Page(ctx context.Context, tid string, cursor string, limit int) (discussion.ThreadPage, error)
	Pin(ctx context.Context, tid string, pinned bool) (discussion.Thread, error)
	PreviewGuestInvitation(ctx context.Context, token string) (discussion.GuestInvitationPreview, error)
	React(ctx context.Context, tid string, cid string, name string, on bool) error
	ReactThread(ctx context.Context, tid string, name string, on bool) error
	RemoveGuest(ctx context.Context, tid string, uid string) error
	RemoveMemberComments(ctx context.Context, gid string, uid string) (*discussion.Removal, error)
	Reopen(ctx context.Context, tid string) (discussion.Thread, error)
	RevokeGuestInvitation(ctx context.Context, tid string, id string) error
	SetGroupLevel(ctx context.Context, gid string, l notify.Level) error
	SetThreadLevel(ctx context.Context, tid string, l notify.Level) error
	SetThreadTags(ctx context.Context, tid string, tagIDs []string) (discussion.Thread, error)
	StartThread(ctx context.Context, in discussion.StartInput) (discussion.Thread, error)
	StartUpload(ctx context.Context, tid string, in discussion.UploadInput) (discussion.PendingUpload, error)
	TaggedThreads(ctx context.Context, gid string, tagID string, cursor string, limit int) (store.Page[discussion.Thread], error)
	Thread(ctx context.Context, tid string) (discussion.Thread, error)
	Threads(ctx context.Context, gid string, cursor string, limit int) (store.Page[discussion.Thread], error)
	UpdateThread(ctx context.Context, tid string, in discussion.UpdateInput) (discussion.Thread, error)
}

// Tags is what the API calls of the tag core (*tag.Service implements it;
// the composition root takes it from the discussion core, which owns it).
type Tags interface {
	List(ctx context.Context, gid string) ([]tag.Tag, error)
	Create(ctx context.Context, gid string, in tag.Input) (tag.Tag, error)
	Update(ctx context.Context, gid, id string, in tag.Input) (tag.Tag, error)
	Delete(ctx context.Context, gid, id string) error
}

// Notifications is what the API calls of the notify core (*notify.Service implements it).
type Notifications interface {
	List(ctx context.Context, cursor string, limit int) (store.Page[notify.Notification], error)
	MarkAllRead(ctx context.Context) error
	MarkRead(ctx context.Context, id string) error
	UnreadCount(ctx context.Context) (int64, error)
}

// Decisions is what the API calls of the decision core (*decision.Service implements it).
type Decisions interface {
	AddOption(ctx context.Context, pid string, opt poll.Option) (decision.Poll, error)
	AddVoter(ctx context.Context, pid string, uid string) error
	Announce(ctx context.Context, pid string, aud notify.Audience) error
	Ballots(ctx context.Context, pid string, cursor string, limit int) (decision.BallotList, error)
	Close(ctx context.Context, pid string) (decision.Poll, error)
	Create(ctx context.Context, in decision.CreateInput) (decision.Poll, error)
	DeleteDraft(ctx context.Context, pid string) error
	Extend(ctx context.Context, pid string, closingAt time.Time) (decision.Poll, error)
	Get(ctx context.Context, pid string) (decision.Poll, error)
	GetOutcome(ctx context.Context, pid string) (decision.Outcome, error)
	StatementText(o decision.Outcome) string
	GrantProxy(ctx context.Context, gid string, pid string, grantee string) (decision.Proxy, error)
	GroupProxiesOf(ctx context.Context, gid string) (decision.GroupProxies, error)
	List(ctx context.Context, gid string, cursor string, limit int) (store.Page[decision.Poll], error)
	Mine(ctx context.Context, pid string) (decision.MyBallot, error)
	OutcomeHistory(ctx context.Context, pid string) ([]decision.OutcomeEdit, error)
	PollProxiesOf(ctx context.Context, pid string) (decision.PollProxies, error)
	React(ctx context.Context, pid string, target string, name string, on bool) error
	Reactions(ctx context.Context, pid string, voters []string) (decision.PollReactions, error)
	Remind(ctx context.Context, pid string) (decision.RemindResult, error)
	RemoveVoter(ctx context.Context, pid string, uid string) error
	Reopen(ctx context.Context, pid string, closingAt time.Time) (decision.Poll, error)
	Results(ctx context.Context, pid string) (decision.ResultsView, error)
	RevokeProxy(ctx context.Context, gid string, pid string) error
	SetOutcome(ctx context.Context, pid string, in decision.OutcomeInput) (decision.Outcome, error)
	SetPollTags(ctx context.Context, pid string, tagIDs []string) (decision.Poll, error)
	TaggedPolls(ctx context.Context, gid string, tagID string, cursor string, limit int) (store.Page[decision.Poll], error)
	UndecidedVoters(ctx context.Context, pid string) ([]string, error)
	Update(ctx context.Context, pid string, in decision.UpdateInput) (decision.Poll, error)
	VerifyReceipt(ctx context.Context, pid string, receipt string) (decision.Verification, error)
	Vote(ctx context.Context, pid string, in decision.VoteInput) (decision.VoteResult, error)
	Voters(ctx context.Context, pid string, cursor string, limit int) (store.Page[decision.Voter], error)
	Withdraw(ctx context.Context, pid string, receipt string) error
	WithdrawFor(ctx context.Context, pid string, grantor string) error
}

// MailPrefs is what the API calls of the mailpref core (*mailpref.Service implements it).
type MailPrefs interface {
	Get(ctx context.Context) (*mailpref.Prefs, error)
	SetOptOut(ctx context.Context, sc mailpref.Scope, off bool) error
	Update(ctx context.Context, in mailpref.Update) (*mailpref.Prefs, error)
}

// Inbox is what the API calls of the inbox core (*inbox.Service implements it).
type Inbox interface {
	AllowHeld(ctx context.Context, gid string, hid string, in inbox.AllowInput) (inbox.Outcome, error)
	BlockSender(ctx context.Context, gid string, hid string) error
	ConfirmHeld(ctx context.Context, hid string) (inbox.Outcome, error)
	DiscardGroupHeld(ctx context.Context, gid string, hid string) error
	DiscardHeld(ctx context.Context, hid string) error
	GroupHeld(ctx context.Context, gid string) ([]inbox.Held, error)
	GroupSenders(ctx context.Context, gid string) ([]inbox.SenderRule, error)
	HeldMessage(ctx context.Context, hid string) (inbox.Held, error)
	RemoveSender(ctx context.Context, gid string, ruleID string) error
}

// AuditRecords is what the record routes need of the audit core.
type AuditRecords interface {
	List(ctx context.Context, gid, cursor string, limit int) (audit.Page, error)
	Verify(ctx context.Context, gid string) (audit.Report, error)
}

// Names resolves a person's display name ("" when unknown or erased).
type Names interface {
	Name(ctx context.Context, uid string) string
}

// Exports is what the export routes need of the export core.
type Exports interface {
	Request(ctx context.Context) (export.Export, error)
	List(ctx context.Context) ([]export.Export, error)
	RequestGroupWith(ctx context.Context, gid string, opt export.GroupOptions) (export.Export, error)
	ListGroup(ctx context.Context, gid string) ([]export.Export, error)
	DownloadPart(ctx context.Context, id string, part int) (string, time.Time, error)
}

// Imports is what the import routes need of the export core.
type Imports interface {
	StartImport(ctx context.Context, size int64) (export.ImportJob, error)
	Begin(ctx context.Context, id string) (export.ImportJob, error)
	GetImport(ctx context.Context, id string) (export.ImportJob, error)
	Imports(ctx context.Context) ([]export.ImportJob, error)
}
