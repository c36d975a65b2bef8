package group

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Stored items (docs/data-model.md, patterns 12-21 and 30).

func memberSK(uid string) string  { return "MEMBER#" + uid }
func inviteSK(id string) string   { return "INVITE#" + id }
func requestSK(uid string) string { return "REQUEST#" + uid }
func handlePK(h string) string    { return "HANDLE#" + h }

const (
	groupSK  = "GROUP"
	handleSK = "HANDLE"
)

// groupItem: PK=GROUP#<gid> SK=GROUP; subgroups also GSI1PK=SUBGROUPS#<parent> GSI1SK=GROUP#<gid>.
type groupItem struct {
	store.Item
	ID          string        `dynamo:"ID"`
	Name        string        `dynamo:"Name"`
	Handle      string        `dynamo:"Handle"`
	Description string        `dynamo:"Description"`
	Privacy     authz.Privacy `dynamo:"Privacy"`
	ParentID    string        `dynamo:"ParentID,omitempty"`
	Flags       StoredFlags   `dynamo:"Flags"`
	MemberCount int64         `dynamo:"MemberCount"`
	AdminCount  int64         `dynamo:"AdminCount"`
	// JoinNonce keys the shareable join link: the link's secret is an HMAC
	// of the group id and this nonce, so the stored value alone cannot be
	// turned into a working link. Resetting replaces it.
	JoinNonce string    `dynamo:"JoinNonce"`
	CreatedBy string    `dynamo:"CreatedBy"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
	UpdatedAt time.Time `dynamo:"UpdatedAt"`
	// Deletion (delete.go): set while the group is deleted and in its
	// grace period (GSI2 GROUPDELETE / <purge at>#<gid>); ErasingAt once
	// the erasure began (no restore from then on).
	DeletingAt   *time.Time `dynamo:"DeletingAt,omitempty"`
	PurgeAt      *time.Time `dynamo:"PurgeAt,omitempty"`
	DeletedBy    string     `dynamo:"DeletedBy,omitempty"`
	ErasingAt    *time.Time `dynamo:"ErasingAt,omitempty"`
	NoticeCursor string     `dynamo:"NoticeCursor,omitempty"`
	NoticesDone  bool       `dynamo:"NoticesDone,omitempty"`
}

// StoredFlags is how a group's permission flags are stored: the map
// attribute Flags of the group item. authz.Flags is the policy's view of
// them; the policy knows nothing of storage, so this package maps one to
// the other (and other packages that read group items use this type).
type StoredFlags struct {
	MembersCanAddMembers       bool `dynamo:"MembersCanAddMembers"`
	MembersCanAddGuests        bool `dynamo:"MembersCanAddGuests"`
	MembersCanAnnounce         bool `dynamo:"MembersCanAnnounce"`
	MembersCanStartThreads     bool `dynamo:"MembersCanStartThreads"`
	MembersCanStartPolls       bool `dynamo:"MembersCanStartPolls"`
	MembersCanEditOwnThreads   bool `dynamo:"MembersCanEditOwnThreads"`
	MembersCanEditOwnComments  bool `dynamo:"MembersCanEditOwnComments"`
	AdminsCanEditUserContent   bool `dynamo:"AdminsCanEditUserContent"`
	ParentMembersCanSeeThreads bool `dynamo:"ParentMembersCanSeeThreads"`
	ProxyVoting                bool `dynamo:"ProxyVoting"`
}

// Flags returns the stored flags as the policy sees them.
func (s StoredFlags) Flags() authz.Flags {
	return authz.Flags{
		MembersCanAddMembers:       s.MembersCanAddMembers,
		MembersCanAddGuests:        s.MembersCanAddGuests,
		MembersCanAnnounce:         s.MembersCanAnnounce,
		MembersCanStartThreads:     s.MembersCanStartThreads,
		MembersCanStartPolls:       s.MembersCanStartPolls,
		MembersCanEditOwnThreads:   s.MembersCanEditOwnThreads,
		MembersCanEditOwnComments:  s.MembersCanEditOwnComments,
		AdminsCanEditUserContent:   s.AdminsCanEditUserContent,
		ParentMembersCanSeeThreads: s.ParentMembersCanSeeThreads,
		ProxyVoting:                s.ProxyVoting,
	}
}

// storeFlags is the stored form of f.
func storeFlags(f authz.Flags) StoredFlags {
	return StoredFlags{
		MembersCanAddMembers:       f.MembersCanAddMembers,
		MembersCanAddGuests:        f.MembersCanAddGuests,
		MembersCanAnnounce:         f.MembersCanAnnounce,
		MembersCanStartThreads:     f.MembersCanStartThreads,
		MembersCanStartPolls:       f.MembersCanStartPolls,
		MembersCanEditOwnThreads:   f.MembersCanEditOwnThreads,
		MembersCanEditOwnComments:  f.MembersCanEditOwnComments,
		AdminsCanEditUserContent:   f.AdminsCanEditUserContent,
		ParentMembersCanSeeThreads: f.ParentMembersCanSeeThreads,
		ProxyVoting:                f.ProxyVoting,
	}
}

// handleItem: PK=HANDLE#<handle> SK=HANDLE → GroupID (makes handles unique).
type handleItem struct {
	store.Item
	GroupID string `dynamo:"GroupID"`
}

// memberItem: PK=GROUP#<gid> SK=MEMBER#<uid>; GSI1PK=USER#<uid> GSI1SK=MEMBER#<gid>.
type memberItem struct {
	store.Item
	GroupID  string     `dynamo:"GroupID"`
	UserID   string     `dynamo:"UserID"`
	Role     authz.Role `dynamo:"Role"`
	JoinedAt time.Time  `dynamo:"JoinedAt"`
	// Via says how they joined: created, invitation, link, request, open.
	Via     string `dynamo:"Via"`
	AddedBy string `dynamo:"AddedBy,omitempty"`
}

// inviteItem: PK=GROUP#<gid> SK=INVITE#<id>. Only an HMAC of the token's
// secret is stored; the address is kept so admins can see and resend it.
type inviteItem struct {
	store.Item
	ID         string     `dynamo:"ID"`
	GroupID    string     `dynamo:"GroupID"`
	Email      string     `dynamo:"Email"`
	EmailHash  string     `dynamo:"EmailHash"`
	TokenHash  string     `dynamo:"TokenHash"`
	Role       authz.Role `dynamo:"Role"`
	Message    string     `dynamo:"Message,omitempty"`
	InvitedBy  string     `dynamo:"InvitedBy"`
	CreatedAt  time.Time  `dynamo:"CreatedAt"`
	ExpiresAt  time.Time  `dynamo:"ExpiresAt"`
	AcceptedAt int64      `dynamo:"AcceptedAt,omitempty"`
	AcceptedBy string     `dynamo:"AcceptedBy,omitempty"`
	SentCount  int        `dynamo:"SentCount"`
}

// requestItem: PK=GROUP#<gid> SK=REQUEST#<uid>.
type requestItem struct {
	store.Item
	GroupID   string    `dynamo:"GroupID"`
	UserID    string    `dynamo:"UserID"`
	Message   string    `dynamo:"Message,omitempty"`
	CreatedAt time.Time `dynamo:"CreatedAt"`
}

func newMember(gid, uid string, role authz.Role, via, by string, now time.Time) *memberItem {
	return &memberItem{
		Item:    store.Item{PK: tabledef.GroupPK(gid), SK: memberSK(uid), GSI1PK: tabledef.UserPK(uid), GSI1SK: memberSK(gid), Type: "membership"},
		GroupID: gid, UserID: uid, Role: role, JoinedAt: now, Via: via, AddedBy: by,
	}
}

func emailHash(normalised string) string {
	h := sha256.Sum256([]byte(normalised))
	return hex.EncodeToString(h[:])
}

func (g *groupItem) view() Group {
	mc, ac := g.MemberCount, g.AdminCount
	return Group{
		ID: g.ID, Name: g.Name, Handle: g.Handle, Description: g.Description, Privacy: g.Privacy,
		ParentID: g.ParentID, Permissions: g.Flags.Flags(), MemberCount: &mc, AdminCount: &ac,
		CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt, Version: g.Version,
		DeletingAt: g.DeletingAt, PurgeAt: g.PurgeAt,
	}
}

func (i *inviteItem) view(now time.Time) Invitation {
	v := Invitation{ID: i.ID, GroupID: i.GroupID, Email: i.Email, Role: i.Role, Message: i.Message, InvitedBy: i.InvitedBy,
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt, Status: "pending", SentCount: i.SentCount}
	switch {
	case i.AcceptedAt != 0:
		t := time.Unix(i.AcceptedAt, 0).UTC()
		v.AcceptedAt, v.Status = &t, "accepted"
	case !now.Before(i.ExpiresAt):
		v.Status = "expired"
	}
	return v
}
