// Package group is Quorum's domain core for groups: groups and one level of
// subgroups, memberships and roles, invitations by email, shareable join
// links and membership requests. Every operation reads the acting person
// from the context (authz.ActorFrom), loads the facts about the group and
// asks the one policy, authz.Group; invariants that span items (the last
// admin, exact member counts, single-use invitations) are DynamoDB
// transaction conditions, not Go checks.
package group

import (
	"context"
	"github.com/quorum-app/quorum/internal/lang"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	qmail "github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/text"
)

// Person is what the group core needs to know about a user.
type Person struct {
	ID    string
	Name  string
	Email string
	// Lang and TimeZone are the person's settings: emails to them are in
	// their language, with dates in their zone ("" is English, UTC).
	Lang     lang.Lang
	TimeZone string
	// Avatar is the version of their uploaded picture ("" without one).
	Avatar string
}

// People looks people up; the account service implements it.
type People interface {
	// UserByID returns the person, or a domain NotFound error.
	UserByID(ctx context.Context, id string) (Person, error)
	// UsersByID returns the people of ids that exist (at most
	// store.MaxPageSize ids, read at once); unknown and erased ids are absent.
	UsersByID(ctx context.Context, ids []string) (map[string]Person, error)
	// UserIDByEmail returns the id of the account registered with the
	// (normalised) email address, and false when there is none.
	UserIDByEmail(ctx context.Context, email string) (string, bool, error)
}

// Group is a group as the actor may see it.
type Group struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Handle      string        `json:"handle"`
	Description string        `json:"description"`
	Privacy     authz.Privacy `json:"privacy"`
	ParentID    string        `json:"parent_id,omitempty"`
	Permissions authz.Flags   `json:"permissions"`
	// MemberCount and AdminCount are nil when the actor may not see them.
	MemberCount *int64 `json:"member_count,omitempty"`
	AdminCount  *int64 `json:"admin_count,omitempty"`
	// DeletingAt is set while the group is deleted and can still be
	// restored (until PurgeAt); only its admins see it then.
	DeletingAt *time.Time `json:"deleting_at,omitempty"`
	PurgeAt    *time.Time `json:"purge_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// Version is the settings version to send back with an update.
	Version int64 `json:"version"`
	// MyRole is the actor's role ("" when not a member).
	MyRole authz.Role `json:"my_role,omitempty"`
	// MyLevel is the actor's notification level for the group ("" when
	// unset, which is normal); only GetWithLevel reads it.
	MyLevel string `json:"my_notification_level,omitempty"`
	// RequestPending is true when the actor has asked to join.
	RequestPending bool `json:"request_pending,omitempty"`
	// Actions lists what the actor may do here (from the policy).
	Actions []authz.Action `json:"actions"`
}

// Can reports whether the actor may perform the action (for templates:
// `{{if .Can "group.settings.edit"}}`). The operation itself still asks the
// policy.
func (g Group) Can(action string) bool {
	for _, a := range g.Actions {
		if string(a) == action {
			return true
		}
	}
	return false
}

// IsSubgroup reports whether the group has a parent.
func (g Group) IsSubgroup() bool { return g.ParentID != "" }

// Member is one membership with the person's name. Email is only filled for
// viewers who may manage members.
type Member struct {
	UserID   string     `json:"user_id"`
	Name     string     `json:"name"`
	Email    string     `json:"email,omitempty"`
	Role     authz.Role `json:"role"`
	JoinedAt time.Time  `json:"joined_at"`
	Via      string     `json:"via"`
	// Avatar is the version of the member's picture ("" without one),
	// read with their name: pages show it without another read.
	Avatar string `json:"avatar_version,omitempty"`
}

// Invitation is an invitation as its group's admins see it (never the token).
type Invitation struct {
	ID         string     `json:"id"`
	GroupID    string     `json:"group_id"`
	Email      string     `json:"email"`
	Role       authz.Role `json:"role"`
	Message    string     `json:"message,omitempty"`
	InvitedBy  string     `json:"invited_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Status     string     `json:"status"` // pending, accepted, expired
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	SentCount  int        `json:"sent_count"`
}

// InviteResult is the outcome of inviting one address.
type InviteResult struct {
	Email string `json:"email"`
	// Status: invited (new invitation sent), resent (a pending invitation
	// was renewed and sent again), already_member.
	Status     string      `json:"status"`
	Invitation *Invitation `json:"invitation,omitempty"`
}

// Request is a membership request.
type Request struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Message   string    `json:"message,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// InvitationPreview is what the holder of an invitation or join link sees
// before accepting.
type InvitationPreview struct {
	Group       Group     `json:"group"`
	InviterName string    `json:"inviter_name,omitempty"`
	Email       string    `json:"email,omitempty"` // the invited address (masked)
	ExpiresAt   time.Time `json:"expires_at,omitempty"`
	// EmailMatches is true when the signed-in actor may accept (their
	// address is the invited one); always true for join links.
	EmailMatches bool `json:"email_matches"`
}

// Limits on input.
const (
	MaxName        = 100
	MaxDescription = 5000
	MaxMessage     = 1000
	MaxInvites     = 20
	MaxEmail       = 254
	InviteTTL      = 7 * 24 * time.Hour
)

// CreateInput creates a group or, with ParentID, a subgroup.
type CreateInput struct {
	Name        string `json:"name"`
	Handle      string `json:"handle"`
	Description string `json:"description"`
	Privacy     string `json:"privacy"`
	ParentID    string `json:"parent_id"`
	// Permissions override the preset's defaults (nil: keep the default).
	Permissions *FlagsPatch `json:"permissions"`
}

// FlagsPatch changes some permission flags; nil fields stay as they are.
type FlagsPatch struct {
	MembersCanAddMembers       *bool `json:"members_can_add_members"`
	MembersCanAddGuests        *bool `json:"members_can_add_guests"`
	MembersCanAnnounce         *bool `json:"members_can_announce"`
	MembersCanStartThreads     *bool `json:"members_can_start_threads"`
	MembersCanStartPolls       *bool `json:"members_can_start_polls"`
	MembersCanEditOwnThreads   *bool `json:"members_can_edit_own_threads"`
	MembersCanEditOwnComments  *bool `json:"members_can_edit_own_comments"`
	AdminsCanEditUserContent   *bool `json:"admins_can_edit_user_content"`
	ParentMembersCanSeeThreads *bool `json:"parent_members_can_see_threads"`
	ProxyVoting                *bool `json:"proxy_voting"`
}

// Apply returns f with the patch applied.
func (p *FlagsPatch) Apply(f authz.Flags) authz.Flags {
	if p == nil {
		return f
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&f.MembersCanAddMembers, p.MembersCanAddMembers)
	set(&f.MembersCanAddGuests, p.MembersCanAddGuests)
	set(&f.MembersCanAnnounce, p.MembersCanAnnounce)
	set(&f.MembersCanStartThreads, p.MembersCanStartThreads)
	set(&f.MembersCanStartPolls, p.MembersCanStartPolls)
	set(&f.MembersCanEditOwnThreads, p.MembersCanEditOwnThreads)
	set(&f.MembersCanEditOwnComments, p.MembersCanEditOwnComments)
	set(&f.AdminsCanEditUserContent, p.AdminsCanEditUserContent)
	set(&f.ParentMembersCanSeeThreads, p.ParentMembersCanSeeThreads)
	set(&f.ProxyVoting, p.ProxyVoting)
	return f
}

// UpdateInput changes a group's settings. Version must be the version the
// editor read; nil fields stay as they are.
type UpdateInput struct {
	Version     int64       `json:"version"`
	Name        *string     `json:"name"`
	Handle      *string     `json:"handle"`
	Description *string     `json:"description"`
	Privacy     *string     `json:"privacy"`
	Permissions *FlagsPatch `json:"permissions"`
}

// InviteInput invites people by email.
type InviteInput struct {
	Emails  []string `json:"emails"`
	Role    string   `json:"role"`
	Message string   `json:"message"`
}

var handleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$`) }) // compiled on first use, not at every cold start

// reservedHandles cannot be used: they are, or look like, system addresses.
var reservedHandles = map[string]bool{
	"admin": true, "administrator": true, "abuse": true, "api": true, "billing": true, "bounce": true, "bounces": true,
	"groups": true, "help": true, "hostmaster": true, "info": true, "mail": true, "mailer-daemon": true, "no-reply": true,
	"noreply": true, "notifications": true, "postmaster": true, "quorum": true, "root": true, "security": true,
	"support": true, "webmaster": true, "www": true, "reply": true, "replies": true, "inbound": true, "login": true,
	"settings": true, "new": true, "static": true, "join": true, "invitations": true,
}

// NormaliseHandle cleans (text.Line) and lowercases a handle.
func NormaliseHandle(h string) string { return strings.ToLower(text.Line(h)) }

func checkHandle(fe *domain.FieldErrors, field, h string) {
	switch {
	case !utf8.ValidString(h):
		fe.Add(field, "is not valid UTF-8")
	case !handleRE().MatchString(h) || strings.Contains(h, "--"):
		fe.Add(field, "must be 3 to 40 lowercase letters, digits or single hyphens, starting and ending with a letter or digit")
	case reservedHandles[h]:
		fe.Add(field, "is reserved; choose another")
	}
}

// NormaliseEmail returns the canonical form of an email address used for
// comparisons and hashing (trimmed, lowercase), or ok=false when it is not a
// plain address.
func NormaliseEmail(s string) (string, bool) { return qmail.NormaliseAddress(s) }

// slug derives a handle from a name ("Climate Action Team" → "climate-action-team").
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 30 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) < 3 || reservedHandles[s] {
		s = "group-" + strings.Trim(s, "-")
		s = strings.Trim(s, "-")
	}
	return s
}

// maskEmail shows enough of an address for its owner to recognise it
// ("al***@example.org").
func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return "***"
	}
	local := e[:at]
	keep := 2
	if len(local) <= 2 {
		keep = 1
	}
	if len(local) < keep {
		keep = len(local)
	}
	return local[:keep] + "***" + e[at:]
}
