package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
)

// discussionRoutes: threads, comments, reactions, attachments, timeline,
// in-app notifications. Every handler translates and calls the discussion
// (or notify) core, which asks the group policy; none decides access
// itself. Reading routes are Public: threads of open groups are readable
// by anyone, and the core answers 404 for threads the caller may not see.
func (s *Server) discussionRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups/{id}/threads", Access: Public, Handler: s.apiThreads},
		{Pattern: "POST /api/v1/groups/{id}/threads", Access: Token, Handler: s.apiStartThread, Lists: []httpx.List{listNotify, listTags, listThreadPollOptions, listThreadPollVoteShare}},
		{Pattern: "PUT /api/v1/groups/{id}/notification-level", Access: Token, Handler: s.apiGroupLevel},
		{Pattern: "POST /api/v1/groups/{id}/members/{uid}/comment-removal", Access: Token, Handler: s.apiRemoveMemberComments},
		{Pattern: "GET /api/v1/groups/{id}/members/{uid}/comment-removal", Access: Token, Handler: s.apiMemberRemoval},
		{Pattern: "GET /api/v1/threads/{tid}", Access: Public, Handler: s.apiThread},
		{Pattern: "PATCH /api/v1/threads/{tid}", Access: Token, Handler: s.apiUpdateThread},
		{Pattern: "DELETE /api/v1/threads/{tid}", Access: Token, Handler: s.apiDeleteThread},
		{Pattern: "GET /api/v1/threads/{tid}/history", Access: Public, Handler: s.apiThreadHistory},
		{Pattern: "POST /api/v1/threads/{tid}/close", Access: Token, Handler: s.apiCloseThread},
		{Pattern: "POST /api/v1/threads/{tid}/reopen", Access: Token, Handler: s.apiReopenThread},
		{Pattern: "PUT /api/v1/threads/{tid}/pin", Access: Token, Handler: s.apiPinThread},
		{Pattern: "POST /api/v1/threads/{tid}/move", Access: Token, Handler: s.apiMoveThread},
		{Pattern: "POST /api/v1/threads/{tid}/fork", Access: Token, Handler: s.apiForkThread, Lists: []httpx.List{listFork}},
		{Pattern: "DELETE /api/v1/threads/{tid}/pin", Access: Token, Handler: s.apiUnpinThread},
		{Pattern: "GET /api/v1/threads/{tid}/timeline", Access: Public, Handler: s.apiTimeline},
		{Pattern: "POST /api/v1/threads/{tid}/read", Access: Token, Handler: s.apiMarkRead},
		{Pattern: "PUT /api/v1/threads/{tid}/notification-level", Access: Token, Handler: s.apiThreadLevel},
		{Pattern: "POST /api/v1/threads/{tid}/announce", Access: Token, Handler: s.apiAnnounceThread, Lists: []httpx.List{listAnnounce}},
		{Pattern: "POST /api/v1/threads/{tid}/comments", Access: Token, Handler: s.apiComment},
		{Pattern: "PATCH /api/v1/threads/{tid}/comments/{cid}", Access: Token, Handler: s.apiEditComment},
		{Pattern: "DELETE /api/v1/threads/{tid}/comments/{cid}", Access: Token, Handler: s.apiDeleteComment},
		{Pattern: "GET /api/v1/threads/{tid}/comments/{cid}/history", Access: Public, Handler: s.apiCommentHistory},
		{Pattern: "PUT /api/v1/threads/{tid}/comments/{cid}/reactions/{name}", Access: Token, Handler: s.apiReact},
		{Pattern: "DELETE /api/v1/threads/{tid}/comments/{cid}/reactions/{name}", Access: Token, Handler: s.apiUnreact},
		{Pattern: "PUT /api/v1/threads/{tid}/reactions/{name}", Access: Token, Handler: s.apiReactThread},
		{Pattern: "DELETE /api/v1/threads/{tid}/reactions/{name}", Access: Token, Handler: s.apiUnreactThread},
		{Pattern: "POST /api/v1/threads/{tid}/attachments", Access: Token, Handler: s.apiStartUpload},
		{Pattern: "POST /api/v1/threads/{tid}/attachments/{fid}/confirm", Access: Token, Handler: s.apiConfirmUpload},
		{Pattern: "GET /api/v1/threads/{tid}/attachments/{fid}", Access: Public, Handler: s.apiDownload},
		{Pattern: "POST /api/v1/threads/{tid}/guests", Access: Token, Handler: s.apiAddGuest},
		{Pattern: "DELETE /api/v1/threads/{tid}/guests/{uid}", Access: Token, Handler: s.apiRemoveGuest},
		{Pattern: "GET /api/v1/threads/{tid}/guests", Access: Token, Handler: s.apiGuests},
		{Pattern: "GET /api/v1/threads/{tid}/guests/invitations", Access: Token, Handler: s.apiGuestInvitations},
		{Pattern: "POST /api/v1/threads/{tid}/guests/invitations", Access: Token, Handler: s.apiInviteGuestByEmail},
		{Pattern: "DELETE /api/v1/threads/{tid}/guests/invitations/{iid}", Access: Token, Handler: s.apiRevokeGuestInvitation},
		{Pattern: "GET /api/v1/thread-invitations/{token}", Access: Public, Handler: s.apiPreviewGuestInvitation},
		{Pattern: "POST /api/v1/thread-invitations/{token}/accept", Access: Token, Handler: s.apiAcceptGuestInvitation},
		{Pattern: "GET /api/v1/dashboard", Access: Token, Handler: s.apiDashboard},
		{Pattern: "GET /api/v1/notifications", Access: Token, Handler: s.apiNotifications},
		{Pattern: "GET /api/v1/notifications/unread-count", Access: Token, Handler: s.apiUnreadCount},
		{Pattern: "POST /api/v1/notifications/{nid}/read", Access: Token, Handler: s.apiReadNotification},
		{Pattern: "POST /api/v1/notifications/read-all", Access: Token, Handler: s.apiReadAllNotifications},

		// Pages (writes are Session routes: bearer tokens are refused)
		{Pattern: "GET /groups/{id}/threads", Access: Public, Page: true, Handler: s.threadListPage},
		{Pattern: "GET /groups/{id}/members/{uid}/remove-comments", Access: Session, Page: true, Handler: s.removeCommentsPage},
		{Pattern: "POST /groups/{id}/members/{uid}/remove-comments", Access: Session, Page: true, Handler: s.removeCommentsSubmit},
		{Pattern: "GET /groups/{id}/threads/new", Access: Session, Page: true, Handler: s.threadNewPage},
		{Pattern: "POST /groups/{id}/threads", Access: Session, Page: true, Handler: s.threadCreateSubmit, Lists: []httpx.List{formNotify, formTags}},
		{Pattern: "POST /groups/{id}/notification-level", Access: Session, Page: true, Handler: s.groupLevelSubmit},
		{Pattern: "GET /threads/{tid}", Access: Public, Page: true, Handler: s.threadPage},
		{Pattern: "GET /threads/{tid}/edit", Access: Session, Page: true, Handler: s.threadEditPage},
		{Pattern: "POST /threads/{tid}/edit", Access: Session, Page: true, Handler: s.threadEditSubmit},
		{Pattern: "GET /threads/{tid}/history", Access: Public, Page: true, Handler: s.threadHistoryPage},
		{Pattern: "POST /threads/{tid}/close", Access: Session, Page: true, Handler: s.threadCloseSubmit},
		{Pattern: "POST /threads/{tid}/reopen", Access: Session, Page: true, Handler: s.threadReopenSubmit},
		{Pattern: "POST /threads/{tid}/pin", Access: Session, Page: true, Handler: s.threadPinSubmit},
		{Pattern: "POST /threads/{tid}/unpin", Access: Session, Page: true, Handler: s.threadUnpinSubmit},
		{Pattern: "POST /threads/{tid}/delete", Access: Session, Page: true, Handler: s.threadDeleteSubmit},
		{Pattern: "GET /threads/{tid}/move", Access: Session, Page: true, Handler: s.threadMovePage},
		{Pattern: "POST /threads/{tid}/move", Access: Session, Page: true, Handler: s.threadMoveSubmit},
		{Pattern: "GET /threads/{tid}/fork", Access: Session, Page: true, Handler: s.threadForkPage},
		{Pattern: "POST /threads/{tid}/fork", Access: Session, Page: true, Handler: s.threadForkSubmit, Lists: []httpx.List{formFork}},
		{Pattern: "POST /threads/{tid}/notification-level", Access: Session, Page: true, Handler: s.threadLevelSubmit},
		{Pattern: "POST /threads/{tid}/announce", Access: Session, Page: true, Handler: s.threadAnnounceSubmit, Lists: []httpx.List{formNotify}},
		{Pattern: "POST /threads/{tid}/guests", Access: Session, Page: true, Handler: s.threadGuestSubmit},
		{Pattern: "GET /threads/{tid}/guests", Access: Session, Page: true, Handler: s.threadGuestsPage},
		{Pattern: "POST /threads/{tid}/guests/invite", Access: Session, Page: true, Handler: s.threadGuestInviteSubmit},
		{Pattern: "POST /threads/{tid}/guests/{uid}/remove", Access: Session, Page: true, Handler: s.threadGuestRemoveSubmit},
		{Pattern: "POST /threads/{tid}/guests/invitations/{iid}/revoke", Access: Session, Page: true, Handler: s.threadGuestRevokeSubmit},
		{Pattern: "GET /thread-invitations/{token}", Access: Public, Page: true, Handler: s.threadInvitationPage},
		{Pattern: "POST /thread-invitations/{token}/accept", Access: Session, Page: true, Handler: s.threadInvitationAcceptSubmit},
		{Pattern: "POST /threads/{tid}/comments", Access: Session, Page: true, Handler: s.commentSubmit},
		{Pattern: "GET /threads/{tid}/comments/{cid}/edit", Access: Session, Page: true, Handler: s.commentEditPage},
		{Pattern: "POST /threads/{tid}/comments/{cid}/edit", Access: Session, Page: true, Handler: s.commentEditSubmit},
		{Pattern: "POST /threads/{tid}/comments/{cid}/delete", Access: Session, Page: true, Handler: s.commentDeleteSubmit},
		{Pattern: "GET /threads/{tid}/comments/{cid}/history", Access: Public, Page: true, Handler: s.commentHistoryPage},
		{Pattern: "POST /threads/{tid}/comments/{cid}/react", Access: Session, Page: true, Handler: s.reactSubmit},
		{Pattern: "POST /threads/{tid}/react", Access: Session, Page: true, Handler: s.threadReactSubmit},
		{Pattern: "POST /threads/{tid}/files", Access: Session, Page: true, Handler: s.fileNoScriptSubmit},
		{Pattern: "GET /threads/{tid}/files/{fid}", Access: Public, Page: true, Handler: s.fileDownload},
		{Pattern: "GET /dashboard", Access: Session, Page: true, Handler: s.dashboardPage},
		{Pattern: "GET /notifications", Access: Session, Page: true, Handler: s.notificationsPage},
		{Pattern: "POST /notifications/{nid}/read", Access: Session, Page: true, Handler: s.notificationReadSubmit},
		{Pattern: "POST /notifications/read-all", Access: Session, Page: true, Handler: s.notificationsReadAllSubmit},
	}
	for i := range routes {
		routes[i].Handler = s.needDiscussions(routes[i].Page, httpx.WithLists(routes[i].Lists, routes[i].Handler))
	}
	return routes
}

var errDiscussionsOff = domain.Errorf(domain.Unavailable, "discussions are not available on this server")

// needDiscussions answers 503 when the server was built without the
// discussion and notification services (unit tests of other areas).
func (s *Server) needDiscussions(page bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.discussions == nil || s.notifications == nil {
			if page {
				s.pageError(w, r, errDiscussionsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errDiscussionsOff)
			return
		}
		h(w, r)
	}
}
