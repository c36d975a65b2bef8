package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
)

// groupRoutes: groups, subgroups, memberships, invitations, join links and
// membership requests. Every handler translates and calls the group core,
// which asks the one policy (authz.Group); none decides access itself.
// Public routes still answer per actor: a secret group is 404 to outsiders.
func (s *Server) groupRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups", Access: Token, Handler: s.apiMyGroups},
		{Pattern: "POST /api/v1/groups", Access: Token, Handler: s.apiCreateGroup},
		{Pattern: "GET /api/v1/groups/{id}", Access: Public, Handler: s.apiGetGroup},
		{Pattern: "PATCH /api/v1/groups/{id}", Access: Token, Handler: s.apiUpdateGroup},
		{Pattern: "DELETE /api/v1/groups/{id}", Access: Token, Handler: s.apiDeleteGroup},
		{Pattern: "POST /api/v1/groups/{id}/restore", Access: Token, Handler: s.apiRestoreGroup},
		{Pattern: "GET /api/v1/groups/{id}/subgroups", Access: Public, Handler: s.apiSubgroups},
		{Pattern: "GET /api/v1/groups/{id}/members", Access: Token, Handler: s.apiMembers},
		{Pattern: "PATCH /api/v1/groups/{id}/members/{uid}", Access: Token, Handler: s.apiSetRole},
		{Pattern: "DELETE /api/v1/groups/{id}/members/{uid}", Access: Token, Handler: s.apiRemoveMember},
		{Pattern: "POST /api/v1/groups/{id}/join", Access: Token, Handler: s.apiJoin},
		{Pattern: "POST /api/v1/groups/{id}/leave", Access: Token, Handler: s.apiLeave},
		{Pattern: "GET /api/v1/groups/{id}/invitations", Access: Token, Handler: s.apiInvitations},
		{Pattern: "POST /api/v1/groups/{id}/invitations", Access: Token, Handler: s.apiInvite, Lists: []httpx.List{listInvites}},
		{Pattern: "POST /api/v1/groups/{id}/invitations/{iid}/resend", Access: Token, Handler: s.apiResendInvitation},
		{Pattern: "DELETE /api/v1/groups/{id}/invitations/{iid}", Access: Token, Handler: s.apiRevokeInvitation},
		{Pattern: "GET /api/v1/groups/{id}/join-link", Access: Token, Handler: s.apiJoinLink},
		{Pattern: "POST /api/v1/groups/{id}/join-link/reset", Access: Token, Handler: s.apiResetJoinLink},
		{Pattern: "GET /api/v1/groups/{id}/audit", Access: Token, Handler: s.apiAudit},
		{Pattern: "GET /api/v1/groups/{id}/audit/verify", Access: Token, Handler: s.apiAuditVerify},
		{Pattern: "GET /api/v1/groups/{id}/requests", Access: Token, Handler: s.apiRequests},
		{Pattern: "POST /api/v1/groups/{id}/requests", Access: Token, Handler: s.apiRequestMembership},
		{Pattern: "POST /api/v1/groups/{id}/requests/{uid}/approve", Access: Token, Handler: s.apiApproveRequest},
		{Pattern: "POST /api/v1/groups/{id}/requests/{uid}/deny", Access: Token, Handler: s.apiDenyRequest},
		{Pattern: "GET /api/v1/invitations/{token}", Access: Public, Handler: s.apiPreviewInvitation},
		{Pattern: "POST /api/v1/invitations/{token}/accept", Access: Token, Handler: s.apiAcceptInvitation},
		{Pattern: "GET /api/v1/join/{token}", Access: Public, Handler: s.apiPreviewJoinLink},
		{Pattern: "POST /api/v1/join/{token}", Access: Token, Handler: s.apiJoinViaLink},

		// Pages
		{Pattern: "GET /groups", Access: Session, Page: true, Handler: s.groupsPage},
		{Pattern: "GET /groups/new", Access: Session, Page: true, Handler: s.groupNewPage},
		{Pattern: "POST /groups", Access: Session, Page: true, Handler: s.groupCreateSubmit},
		{Pattern: "GET /groups/{id}", Access: Public, Page: true, Handler: s.groupPage},
		{Pattern: "POST /groups/{id}/join", Access: Session, Page: true, Handler: s.groupJoinSubmit},
		{Pattern: "POST /groups/{id}/leave", Access: Session, Page: true, Handler: s.groupLeaveSubmit},
		{Pattern: "POST /groups/{id}/request", Access: Session, Page: true, Handler: s.groupRequestSubmit},
		{Pattern: "GET /groups/{id}/members", Access: Session, Page: true, Handler: s.groupMembersPage},
		{Pattern: "POST /groups/{id}/members/{uid}/role", Access: Session, Page: true, Handler: s.groupRoleSubmit},
		{Pattern: "POST /groups/{id}/members/{uid}/remove", Access: Session, Page: true, Handler: s.groupRemoveSubmit},
		{Pattern: "GET /groups/{id}/invitations", Access: Session, Page: true, Handler: s.groupInvitationsPage},
		{Pattern: "POST /groups/{id}/invitations", Access: Session, Page: true, Handler: s.groupInviteSubmit, Lists: []httpx.List{formInvites}},
		{Pattern: "POST /groups/{id}/invitations/{iid}/resend", Access: Session, Page: true, Handler: s.groupResendSubmit},
		{Pattern: "POST /groups/{id}/invitations/{iid}/revoke", Access: Session, Page: true, Handler: s.groupRevokeSubmit},
		{Pattern: "POST /groups/{id}/join-link/reset", Access: Session, Page: true, Handler: s.groupResetLinkSubmit},
		{Pattern: "GET /groups/{id}/audit", Access: Session, Page: true, Handler: s.groupAuditPage},
		{Pattern: "GET /groups/{id}/requests", Access: Session, Page: true, Handler: s.groupRequestsPage},
		{Pattern: "POST /groups/{id}/requests/{uid}/approve", Access: Session, Page: true, Handler: s.groupApproveSubmit},
		{Pattern: "POST /groups/{id}/requests/{uid}/deny", Access: Session, Page: true, Handler: s.groupDenySubmit},
		{Pattern: "GET /groups/{id}/settings", Access: Session, Page: true, Handler: s.groupSettingsPage},
		{Pattern: "POST /groups/{id}/settings", Access: Session, Page: true, Handler: s.groupSettingsSubmit},
		{Pattern: "GET /groups/{id}/delete", Access: Session, Page: true, Handler: s.groupDeletePage},
		{Pattern: "POST /groups/{id}/delete", Access: Session, Page: true, Handler: s.groupDeleteSubmit},
		{Pattern: "POST /groups/{id}/restore", Access: Session, Page: true, Handler: s.groupRestoreSubmit},
		{Pattern: "GET /invitations/{token}", Access: Public, Page: true, Handler: s.invitationPage},
		{Pattern: "POST /invitations/{token}", Access: Session, Page: true, Handler: s.invitationSubmit},
		{Pattern: "GET /join/{token}", Access: Public, Page: true, Handler: s.joinLinkPage},
		{Pattern: "POST /join/{token}", Access: Session, Page: true, Handler: s.joinLinkSubmit},
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
				s.pageError(w, r, errGroupsOff)
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
	formInvites = httpx.List{Field: "emails", Max: group.MaxInvites, Split: splitGroupEmails}
)
