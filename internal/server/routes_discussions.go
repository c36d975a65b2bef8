package server

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// discussionRoutes: threads, comments, reactions, attachments, timeline,
// in-app notifications. Every handler translates and calls the discussion
// (or notify) core, which asks the group policy; none decides access
// itself. Reading routes are Public: threads of open groups are readable
// by anyone, and the core answers 404 for threads the caller may not see.
func (s *Server) discussionRoutes() []Route {
	routes := []Route{
		// JSON API
		{Pattern: "GET /api/v1/groups/{id}/threads", Access: Public, Handler: s.api.Threads},
		{Pattern: "POST /api/v1/groups/{id}/threads", Access: Token, Handler: s.api.StartThread, Lists: []httpx.List{listNotify, listTags, listThreadPollOptions, listThreadPollVoteShare}},
		{Pattern: "PUT /api/v1/groups/{id}/notification-level", Access: Token, Handler: s.api.GroupLevel},
		{Pattern: "POST /api/v1/groups/{id}/members/{uid}/comment-removal", Access: Token, Handler: s.api.RemoveMemberComments},
		{Pattern: "GET /api/v1/groups/{id}/members/{uid}/comment-removal", Access: Token, Handler: s.api.MemberRemoval},
		{Pattern: "GET /api/v1/threads/{tid}", Access: Public, Handler: s.api.Thread},
		{Pattern: "PATCH /api/v1/threads/{tid}", Access: Token, Handler: s.api.UpdateThread},
		{Pattern: "DELETE /api/v1/threads/{tid}", Access: Token, Handler: s.api.DeleteThread},
		{Pattern: "GET /api/v1/threads/{tid}/history", Access: Public, Handler: s.api.ThreadHistory},
		{Pattern: "POST /api/v1/threads/{tid}/close", Access: Token, Handler: s.api.CloseThread},
		{Pattern: "POST /api/v1/threads/{tid}/reopen", Access: Token, Handler: s.api.ReopenThread},
		{Pattern: "PUT /api/v1/threads/{tid}/pin", Access: Token, Handler: s.api.PinThread},
		{Pattern: "POST /api/v1/threads/{tid}/move", Access: Token, Handler: s.api.MoveThread},
		{Pattern: "POST /api/v1/threads/{tid}/fork", Access: Token, Handler: s.api.ForkThread, Lists: []httpx.List{listFork}},
		{Pattern: "DELETE /api/v1/threads/{tid}/pin", Access: Token, Handler: s.api.UnpinThread},
		{Pattern: "GET /api/v1/threads/{tid}/timeline", Access: Public, Handler: s.api.Timeline},
		{Pattern: "POST /api/v1/threads/{tid}/read", Access: Token, Handler: s.api.MarkRead},
		{Pattern: "PUT /api/v1/threads/{tid}/notification-level", Access: Token, Handler: s.api.ThreadLevel},
		{Pattern: "POST /api/v1/threads/{tid}/announce", Access: Token, Handler: s.api.AnnounceThread, Lists: []httpx.List{listAnnounce}},
		{Pattern: "POST /api/v1/threads/{tid}/comments", Access: Token, Handler: s.api.Comment},
		{Pattern: "PATCH /api/v1/threads/{tid}/comments/{cid}", Access: Token, Handler: s.api.EditComment},
		{Pattern: "DELETE /api/v1/threads/{tid}/comments/{cid}", Access: Token, Handler: s.api.DeleteComment},
		{Pattern: "GET /api/v1/threads/{tid}/comments/{cid}/history", Access: Public, Handler: s.api.CommentHistory},
		{Pattern: "PUT /api/v1/threads/{tid}/comments/{cid}/reactions/{name}", Access: Token, Handler: s.api.React},
		{Pattern: "DELETE /api/v1/threads/{tid}/comments/{cid}/reactions/{name}", Access: Token, Handler: s.api.Unreact},
		{Pattern: "PUT /api/v1/threads/{tid}/reactions/{name}", Access: Token, Handler: s.api.ReactThread},
		{Pattern: "DELETE /api/v1/threads/{tid}/reactions/{name}", Access: Token, Handler: s.api.UnreactThread},
		{Pattern: "POST /api/v1/threads/{tid}/attachments", Access: Token, Handler: s.api.StartUpload},
		{Pattern: "POST /api/v1/threads/{tid}/attachments/{fid}/confirm", Access: Token, Handler: s.api.ConfirmUpload},
		{Pattern: "GET /api/v1/threads/{tid}/attachments/{fid}", Access: Public, Handler: s.api.Download},
		{Pattern: "POST /api/v1/threads/{tid}/guests", Access: Token, Handler: s.api.AddGuest},
		{Pattern: "DELETE /api/v1/threads/{tid}/guests/{uid}", Access: Token, Handler: s.api.RemoveGuest},
		{Pattern: "GET /api/v1/threads/{tid}/guests", Access: Token, Handler: s.api.Guests},
		{Pattern: "GET /api/v1/threads/{tid}/guests/invitations", Access: Token, Handler: s.api.GuestInvitations},
		{Pattern: "POST /api/v1/threads/{tid}/guests/invitations", Access: Token, Handler: s.api.InviteGuestByEmail},
		{Pattern: "DELETE /api/v1/threads/{tid}/guests/invitations/{iid}", Access: Token, Handler: s.api.RevokeGuestInvitation},
		{Pattern: "GET /api/v1/thread-invitations/{token}", Access: Public, Handler: s.api.PreviewGuestInvitation},
		{Pattern: "POST /api/v1/thread-invitations/{token}/accept", Access: Token, Handler: s.api.AcceptGuestInvitation},
		{Pattern: "GET /api/v1/dashboard", Access: Token, Handler: s.api.Dashboard},
		{Pattern: "GET /api/v1/notifications", Access: Token, Handler: s.api.Notifications},
		{Pattern: "GET /api/v1/notifications/unread-count", Access: Token, Handler: s.api.UnreadCount},
		{Pattern: "POST /api/v1/notifications/{nid}/read", Access: Token, Handler: s.api.ReadNotification},
		{Pattern: "POST /api/v1/notifications/read-all", Access: Token, Handler: s.api.ReadAllNotifications},

		// Pages (writes are Session routes: bearer tokens are refused)
		{Pattern: "GET /groups/{id}/threads", Access: Public, Page: true, Handler: s.pages.ThreadListPage},
		{Pattern: "GET /groups/{id}/members/{uid}/remove-comments", Access: Session, Page: true, Handler: s.pages.RemoveCommentsPage},
		{Pattern: "POST /groups/{id}/members/{uid}/remove-comments", Access: Session, Page: true, Handler: s.pages.RemoveCommentsSubmit},
		{Pattern: "GET /groups/{id}/threads/new", Access: Session, Page: true, Handler: s.pages.ThreadNewPage},
		{Pattern: "POST /groups/{id}/threads", Access: Session, Page: true, Handler: s.pages.ThreadCreateSubmit, Lists: []httpx.List{formNotify, formTags}},
		{Pattern: "POST /groups/{id}/notification-level", Access: Session, Page: true, Handler: s.pages.GroupLevelSubmit},
		{Pattern: "GET /threads/{tid}", Access: Public, Page: true, Handler: s.pages.ThreadPage},
		{Pattern: "GET /threads/{tid}/edit", Access: Session, Page: true, Handler: s.pages.ThreadEditPage},
		{Pattern: "POST /threads/{tid}/edit", Access: Session, Page: true, Handler: s.pages.ThreadEditSubmit},
		{Pattern: "GET /threads/{tid}/history", Access: Public, Page: true, Handler: s.pages.ThreadHistoryPage},
		{Pattern: "POST /threads/{tid}/close", Access: Session, Page: true, Handler: s.pages.ThreadCloseSubmit},
		{Pattern: "POST /threads/{tid}/reopen", Access: Session, Page: true, Handler: s.pages.ThreadReopenSubmit},
		{Pattern: "POST /threads/{tid}/pin", Access: Session, Page: true, Handler: s.pages.ThreadPinSubmit},
		{Pattern: "POST /threads/{tid}/unpin", Access: Session, Page: true, Handler: s.pages.ThreadUnpinSubmit},
		{Pattern: "POST /threads/{tid}/delete", Access: Session, Page: true, Handler: s.pages.ThreadDeleteSubmit},
		{Pattern: "GET /threads/{tid}/move", Access: Session, Page: true, Handler: s.pages.ThreadMovePage},
		{Pattern: "POST /threads/{tid}/move", Access: Session, Page: true, Handler: s.pages.ThreadMoveSubmit},
		{Pattern: "GET /threads/{tid}/fork", Access: Session, Page: true, Handler: s.pages.ThreadForkPage},
		{Pattern: "POST /threads/{tid}/fork", Access: Session, Page: true, Handler: s.pages.ThreadForkSubmit, Lists: []httpx.List{formFork}},
		{Pattern: "POST /threads/{tid}/notification-level", Access: Session, Page: true, Handler: s.pages.ThreadLevelSubmit},
		{Pattern: "POST /threads/{tid}/announce", Access: Session, Page: true, Handler: s.pages.ThreadAnnounceSubmit, Lists: []httpx.List{formNotify}},
		{Pattern: "POST /threads/{tid}/guests", Access: Session, Page: true, Handler: s.pages.ThreadGuestSubmit},
		{Pattern: "GET /threads/{tid}/guests", Access: Session, Page: true, Handler: s.pages.ThreadGuestsPage},
		{Pattern: "POST /threads/{tid}/guests/invite", Access: Session, Page: true, Handler: s.pages.ThreadGuestInviteSubmit},
		{Pattern: "POST /threads/{tid}/guests/{uid}/remove", Access: Session, Page: true, Handler: s.pages.ThreadGuestRemoveSubmit},
		{Pattern: "POST /threads/{tid}/guests/invitations/{iid}/revoke", Access: Session, Page: true, Handler: s.pages.ThreadGuestRevokeSubmit},
		{Pattern: "GET /thread-invitations/{token}", Access: Public, Page: true, Handler: s.pages.ThreadInvitationPage},
		{Pattern: "POST /thread-invitations/{token}/accept", Access: Session, Page: true, Handler: s.pages.ThreadInvitationAcceptSubmit},
		{Pattern: "POST /threads/{tid}/comments", Access: Session, Page: true, Handler: s.pages.CommentSubmit},
		{Pattern: "GET /threads/{tid}/comments/{cid}/edit", Access: Session, Page: true, Handler: s.pages.CommentEditPage},
		{Pattern: "POST /threads/{tid}/comments/{cid}/edit", Access: Session, Page: true, Handler: s.pages.CommentEditSubmit},
		{Pattern: "POST /threads/{tid}/comments/{cid}/delete", Access: Session, Page: true, Handler: s.pages.CommentDeleteSubmit},
		{Pattern: "GET /threads/{tid}/comments/{cid}/history", Access: Public, Page: true, Handler: s.pages.CommentHistoryPage},
		{Pattern: "POST /threads/{tid}/comments/{cid}/react", Access: Session, Page: true, Handler: s.pages.ReactSubmit},
		{Pattern: "POST /threads/{tid}/react", Access: Session, Page: true, Handler: s.pages.ThreadReactSubmit},
		{Pattern: "POST /threads/{tid}/files", Access: Session, Page: true, Handler: s.pages.FileNoScriptSubmit},
		{Pattern: "GET /threads/{tid}/files/{fid}", Access: Public, Page: true, Handler: s.pages.FileDownload},
		{Pattern: "GET /dashboard", Access: Session, Page: true, Handler: s.pages.DashboardPage},
		{Pattern: "GET /notifications", Access: Session, Page: true, Handler: s.pages.NotificationsPage},
		{Pattern: "POST /notifications/{nid}/read", Access: Session, Page: true, Handler: s.pages.NotificationReadSubmit},
		{Pattern: "POST /notifications/read-all", Access: Session, Page: true, Handler: s.pages.NotificationsReadAllSubmit},
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
				s.pages.PageError(w, r, errDiscussionsOff)
				return
			}
			httpx.WriteError(w, r, s.log, errDiscussionsOff)
			return
		}
		h(w, r)
	}
}

// The lists of a thread body's poll (httpx/bounds.go).
var (
	listThreadPollOptions   = httpx.List{Field: "poll.options", Max: poll.MaxOptions}
	listThreadPollVoteShare = httpx.List{Field: "poll.settings.vote_share", Max: poll.MaxRequirements}
)

// The lists of whom to notify (bounds.go): chosen people, in a body's
// "notify" object, an announcement's body, and the forms' ticked boxes.
var (
	listNotify   = httpx.List{Field: "notify.user_ids", Max: notify.MaxAudiencePeople}
	listAnnounce = httpx.List{Field: "user_ids", Max: notify.MaxAudiencePeople}
	formNotify   = httpx.List{Field: "notify_user", Max: notify.MaxAudiencePeople}
)

// The comments a fork names, bounded by the core's limit.
var (
	listFork = httpx.List{Field: "comment_ids", Max: discussion.MaxForkComments}
	formFork = httpx.List{Field: "comment_id", Max: discussion.MaxForkComments}
)
