package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/web/pages"
)

// groupRoutes: groups, subgroups, memberships, invitations, join links and
// membership requests. Every handler translates and calls the group core,
// which asks the one policy (authz.Group); none decides access itself.
// Public routes still answer per actor: a secret group is 404 to outsiders.
func (s *Server) groupRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups", Access: Token, Handler: s.api.MyGroups},
		{Pattern: "POST /api/v1/groups", Access: Token, Handler: s.api.CreateGroup},
		{Pattern: "GET /api/v1/groups/{id}", Access: Public, Handler: s.api.GetGroup},
		{Pattern: "PATCH /api/v1/groups/{id}", Access: Token, Handler: s.api.UpdateGroup},
		{Pattern: "DELETE /api/v1/groups/{id}", Access: Token, Handler: s.api.DeleteGroup},
		{Pattern: "POST /api/v1/groups/{id}/restore", Access: Token, Handler: s.api.RestoreGroup},
		{Pattern: "GET /api/v1/groups/{id}/subgroups", Access: Public, Handler: s.api.Subgroups},
		{Pattern: "GET /api/v1/groups/{id}/members", Access: Token, Handler: s.api.Members},
		{Pattern: "PATCH /api/v1/groups/{id}/members/{uid}", Access: Token, Handler: s.api.SetRole},
		{Pattern: "DELETE /api/v1/groups/{id}/members/{uid}", Access: Token, Handler: s.api.RemoveMember},
		{Pattern: "POST /api/v1/groups/{id}/join", Access: Token, Handler: s.api.Join},
		{Pattern: "POST /api/v1/groups/{id}/leave", Access: Token, Handler: s.api.Leave},
		{Pattern: "GET /api/v1/groups/{id}/invitations", Access: Token, Handler: s.api.Invitations},
		{Pattern: "POST /api/v1/groups/{id}/invitations", Access: Token, Handler: s.api.Invite, Lists: []httpx.List{listInvites}},
		{Pattern: "POST /api/v1/groups/{id}/invitations/{iid}/resend", Access: Token, Handler: s.api.ResendInvitation},
		{Pattern: "DELETE /api/v1/groups/{id}/invitations/{iid}", Access: Token, Handler: s.api.RevokeInvitation},
		{Pattern: "GET /api/v1/groups/{id}/join-link", Access: Token, Handler: s.api.JoinLink},
		{Pattern: "POST /api/v1/groups/{id}/join-link/reset", Access: Token, Handler: s.api.ResetJoinLink},
		{Pattern: "GET /api/v1/groups/{id}/audit", Access: Token, Handler: s.api.Audit},
		{Pattern: "GET /api/v1/groups/{id}/audit/verify", Access: Token, Handler: s.api.AuditVerify},
		{Pattern: "GET /api/v1/groups/{id}/requests", Access: Token, Handler: s.api.Requests},
		{Pattern: "POST /api/v1/groups/{id}/requests", Access: Token, Handler: s.api.RequestMembership},
		{Pattern: "POST /api/v1/groups/{id}/requests/{uid}/approve", Access: Token, Handler: s.api.ApproveRequest},
		{Pattern: "POST /api/v1/groups/{id}/requests/{uid}/deny", Access: Token, Handler: s.api.DenyRequest},
		{Pattern: "GET /api/v1/invitations/{token}", Access: Public, Handler: s.api.PreviewInvitation},
		{Pattern: "POST /api/v1/invitations/{token}/accept", Access: Token, Handler: s.api.AcceptInvitation},
		{Pattern: "GET /api/v1/join/{token}", Access: Public, Handler: s.api.PreviewJoinLink},
		{Pattern: "POST /api/v1/join/{token}", Access: Token, Handler: s.api.JoinViaLink},

		// Pages
		{Pattern: "GET /groups", Access: Session, Page: true, Handler: s.pages.GroupsPage},
		{Pattern: "GET /groups/new", Access: Session, Page: true, Handler: s.pages.GroupNewPage},
		{Pattern: "POST /groups", Access: Session, Page: true, Handler: s.pages.GroupCreateSubmit},
		{Pattern: "GET /groups/{id}", Access: Public, Page: true, Handler: s.pages.GroupPage},
		{Pattern: "POST /groups/{id}/join", Access: Session, Page: true, Handler: s.pages.GroupJoinSubmit},
		{Pattern: "POST /groups/{id}/leave", Access: Session, Page: true, Handler: s.pages.GroupLeaveSubmit},
		{Pattern: "POST /groups/{id}/request", Access: Session, Page: true, Handler: s.pages.GroupRequestSubmit},
		{Pattern: "GET /groups/{id}/members", Access: Session, Page: true, Handler: s.pages.GroupMembersPage},
		{Pattern: "POST /groups/{id}/members/{uid}/role", Access: Session, Page: true, Handler: s.pages.GroupRoleSubmit},
		{Pattern: "POST /groups/{id}/members/{uid}/remove", Access: Session, Page: true, Handler: s.pages.GroupRemoveSubmit},
		{Pattern: "GET /groups/{id}/invitations", Access: Session, Page: true, Handler: s.pages.GroupInvitationsPage},
		{Pattern: "POST /groups/{id}/invitations", Access: Session, Page: true, Handler: s.pages.GroupInviteSubmit, Lists: []httpx.List{formInvites}},
		{Pattern: "POST /groups/{id}/invitations/{iid}/resend", Access: Session, Page: true, Handler: s.pages.GroupResendSubmit},
		{Pattern: "POST /groups/{id}/invitations/{iid}/revoke", Access: Session, Page: true, Handler: s.pages.GroupRevokeSubmit},
		{Pattern: "POST /groups/{id}/join-link/reset", Access: Session, Page: true, Handler: s.pages.GroupResetLinkSubmit},
		{Pattern: "GET /groups/{id}/audit", Access: Session, Page: true, Handler: s.pages.GroupAuditPage},
		{Pattern: "GET /groups/{id}/requests", Access: Session, Page: true, Handler: s.pages.GroupRequestsPage},
		{Pattern: "POST /groups/{id}/requests/{uid}/approve", Access: Session, Page: true, Handler: s.pages.GroupApproveSubmit},
		{Pattern: "POST /groups/{id}/requests/{uid}/deny", Access: Session, Page: true, Handler: s.pages.GroupDenySubmit},
		{Pattern: "GET /groups/{id}/settings", Access: Session, Page: true, Handler: s.pages.GroupSettingsPage},
		{Pattern: "POST /groups/{id}/settings", Access: Session, Page: true, Handler: s.pages.GroupSettingsSubmit},
		{Pattern: "GET /groups/{id}/delete", Access: Session, Page: true, Handler: s.pages.GroupDeletePage},
		{Pattern: "POST /groups/{id}/delete", Access: Session, Page: true, Handler: s.pages.GroupDeleteSubmit},
		{Pattern: "POST /groups/{id}/restore", Access: Session, Page: true, Handler: s.pages.GroupRestoreSubmit},
		{Pattern: "GET /invitations/{token}", Access: Public, Page: true, Handler: s.pages.InvitationPage},
		{Pattern: "POST /invitations/{token}", Access: Session, Page: true, Handler: s.pages.InvitationSubmit},
		{Pattern: "GET /join/{token}", Access: Public, Page: true, Handler: s.pages.JoinLinkPage},
		{Pattern: "POST /join/{token}", Access: Session, Page: true, Handler: s.pages.JoinLinkSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needGroups(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

var errGroupsOff = domain.Errorf(domain.Unavailable, "groups are not available on this server")

// needGroups answers 503 when the server was built without the group
// service (unit tests of other areas).
func (s *Server) needGroups(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.groups == nil {
			if page {
				s.pages.PageError(w, r, errGroupsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errGroupsOff)
			return
		}
		h(w, r)
	}
}

// The list of invitation bodies and forms (bounds.go): group.MaxInvites
// addresses per request; the form takes them separated by commas,
// semicolons, spaces or lines.
var (
	listInvites = httpx.List{Field: "emails", Max: group.MaxInvites}
	formInvites = httpx.List{Field: "emails", Max: group.MaxInvites, Split: pages.SplitGroupEmails}
)
