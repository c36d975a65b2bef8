package api

import (
	"net/http"
	"net/url"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/notify"
)

// JSON API of discussions and notifications (docs/api/discussions.md).
// Handlers decode, call the discussion or notify core and encode; the core
// decides access (a thread of a group the caller may not see is 404, like
// a missing one) and validates.

// needUser refuses anonymous callers of a write before its body is read.
func (s *Server) needUser(w http.ResponseWriter, r *http.Request) bool {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.groupAPIFail(w, r, err)
		return false
	}
	return true
}

func threadAPIURL(tid string, parts ...string) string {
	u := "/api/v1/threads/" + url.PathEscape(tid)
	for _, p := range parts {
		u += p
	}
	return u
}

// ---- threads ----

func (s *Server) Threads(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.ThreadsParams(r, 25, 100)
	if err == nil {
		var page any
		if t := r.URL.Query().Get("tag"); t != "" {
			page, err = s.discussions.TaggedThreads(r.Context(), r.PathValue("id"), t, cursor, limit)
		} else {
			page, err = s.discussions.Threads(r.Context(), r.PathValue("id"), cursor, limit)
		}
		if err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

type threadCreateBody struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// Notify is whom to tell (omitted: the whole group when the author may
	// notify it).
	Notify *notify.Audience `json:"notify"`
	// Tags are ids of the group's tags to put on the thread (at most 10).
	Tags []string `json:"tags"`
	// Poll, when given, is opened in the new thread with the same request:
	// both are created or neither (thread_with_poll.go).
	Poll *threadPollInput `json:"poll,omitempty"`
}

func (s *Server) StartThread(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in threadCreateBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	start := discussion.StartInput{GroupID: r.PathValue("id"), Title: in.Title, Description: in.Description, Notify: in.Notify, Tags: in.Tags}
	if in.Poll != nil {
		s.apiStartThreadWithPoll(w, r, start, in.Poll)
		return
	}
	t, err := s.discussions.StartThread(r.Context(), start)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", threadAPIURL(t.ID))
	httpx.WriteJSON(w, http.StatusCreated, t)
}

func (s *Server) Thread(w http.ResponseWriter, r *http.Request) {
	t, err := s.discussions.Thread(r.Context(), r.PathValue("tid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

type threadUpdateBody struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Version     int64   `json:"version"`
}

func (s *Server) UpdateThread(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in threadUpdateBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, err := s.discussions.UpdateThread(r.Context(), r.PathValue("tid"),
		discussion.UpdateInput{Title: in.Title, Description: in.Description, Version: in.Version})
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) DeleteThread(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.Delete(r.Context(), r.PathValue("tid")))
}

func (s *Server) ThreadHistory(w http.ResponseWriter, r *http.Request) {
	edits, err := s.discussions.History(r.Context(), r.PathValue("tid"), "")
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": edits})
}

func (s *Server) threadResult(w http.ResponseWriter, r *http.Request, t discussion.Thread, err error) {
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) CloseThread(w http.ResponseWriter, r *http.Request) {
	t, err := s.discussions.Close(r.Context(), r.PathValue("tid"))
	s.threadResult(w, r, t, err)
}

func (s *Server) ReopenThread(w http.ResponseWriter, r *http.Request) {
	t, err := s.discussions.Reopen(r.Context(), r.PathValue("tid"))
	s.threadResult(w, r, t, err)
}

func (s *Server) PinThread(w http.ResponseWriter, r *http.Request) {
	t, err := s.discussions.Pin(r.Context(), r.PathValue("tid"), true)
	s.threadResult(w, r, t, err)
}

func (s *Server) UnpinThread(w http.ResponseWriter, r *http.Request) {
	t, err := s.discussions.Pin(r.Context(), r.PathValue("tid"), false)
	s.threadResult(w, r, t, err)
}

func (s *Server) Timeline(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.ThreadsParams(r, discussion.TimelinePageSize, discussion.MaxTimelinePage)
	if err == nil {
		var p discussion.ThreadPage
		if p, err = s.discussions.Page(r.Context(), r.PathValue("tid"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, p)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) MarkRead(w http.ResponseWriter, r *http.Request) {
	rs, err := s.discussions.MarkRead(r.Context(), r.PathValue("tid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rs)
}

// ---- comments and reactions ----

type commentBody struct {
	Body     string `json:"body"`
	ParentID string `json:"parent_id"`
}

func (s *Server) Comment(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in commentBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	it, err := s.discussions.Comment(r.Context(), r.PathValue("tid"), discussion.CommentInput{ParentID: in.ParentID, Body: in.Body})
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", threadAPIURL(r.PathValue("tid"), "/comments/", url.PathEscape(it.ID)))
	httpx.WriteJSON(w, http.StatusCreated, it)
}

type commentEditBody struct {
	Body    string `json:"body"`
	Version int64  `json:"version"`
}

func (s *Server) EditComment(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in commentEditBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	it, err := s.discussions.EditComment(r.Context(), r.PathValue("tid"), r.PathValue("cid"), in.Body, in.Version)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, it)
}

func (s *Server) DeleteComment(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.DeleteComment(r.Context(), r.PathValue("tid"), r.PathValue("cid")))
}

func (s *Server) CommentHistory(w http.ResponseWriter, r *http.Request) {
	edits, err := s.discussions.History(r.Context(), r.PathValue("tid"), r.PathValue("cid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": edits})
}

func (s *Server) React(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.React(r.Context(), r.PathValue("tid"), r.PathValue("cid"), r.PathValue("name"), true))
}

func (s *Server) Unreact(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.React(r.Context(), r.PathValue("tid"), r.PathValue("cid"), r.PathValue("name"), false))
}

// ---- attachments ----

type uploadBody struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	CommentID   string `json:"comment_id"`
}

func (s *Server) StartUpload(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in uploadBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	up, err := s.discussions.StartUpload(r.Context(), r.PathValue("tid"),
		discussion.UploadInput{CommentID: in.CommentID, Name: in.Name, ContentType: in.ContentType, Size: in.Size})
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, up)
}

func (s *Server) ConfirmUpload(w http.ResponseWriter, r *http.Request) {
	f, err := s.discussions.ConfirmUpload(r.Context(), r.PathValue("tid"), r.PathValue("fid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, f)
}

func (s *Server) Download(w http.ResponseWriter, r *http.Request) {
	if err := handlerkit.Download(w, r, s.discussions); err != nil {
		s.groupAPIFail(w, r, err)
	}
}

// ---- guests and notification levels ----

type guestBody struct {
	Email  string `json:"email"`
	UserID string `json:"user_id"`
}

func (s *Server) AddGuest(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in guestBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	var err error
	switch {
	case in.Email != "" && in.UserID != "":
		err = domain.Validation(domain.FieldError{Field: "email", Message: "send either email or user_id, not both"})
	case in.UserID != "":
		err = s.discussions.AddGuest(r.Context(), r.PathValue("tid"), in.UserID)
	default:
		// An address without an account gets an invitation by email: say
		// which of the two happened.
		var res discussion.GuestInviteResult
		if res, err = s.discussions.InviteGuestByEmail(r.Context(), r.PathValue("tid"), in.Email); err == nil {
			httpx.WriteJSON(w, http.StatusCreated, res)
			return
		}
	}
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"status": "added"})
}

func (s *Server) RemoveGuest(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.discussions.RemoveGuest(r.Context(), r.PathValue("tid"), r.PathValue("uid")))
}

type levelBody struct {
	Level string `json:"level"`
}

func decodeLevel(w http.ResponseWriter, r *http.Request) (notify.Level, error) {
	var in levelBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return "", err
	}
	return handlerkit.ParseLevel(in.Level)
}

func (s *Server) ThreadLevel(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in levelBody
	err := httpx.DecodeJSON(w, r, &in)
	var l notify.Level
	if err == nil {
		l, err = handlerkit.ParseThreadLevel(in.Level) // "group": follow the group's level again
	}
	if err == nil {
		err = s.discussions.SetThreadLevel(r.Context(), r.PathValue("tid"), l)
	}
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"level": in.Level})
}

func (s *Server) GroupLevel(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	l, err := decodeLevel(w, r)
	if err == nil {
		err = s.discussions.SetGroupLevel(r.Context(), r.PathValue("id"), l)
	}
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"level": string(l)})
}

// ---- dashboard and notifications ----

func (s *Server) Dashboard(w http.ResponseWriter, r *http.Request) {
	_, limit, err := handlerkit.ThreadsParams(r, 20, 50)
	if err == nil {
		var ts []discussion.Thread
		if ts, err = s.discussions.Dashboard(r.Context(), limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ts})
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) Notifications(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.ThreadsParams(r, 50, 100)
	if err == nil {
		var page any
		if page, err = s.notifications.List(r.Context(), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) UnreadCount(w http.ResponseWriter, r *http.Request) {
	n, err := s.notifications.UnreadCount(r.Context())
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int64{"unread": n})
}

func (s *Server) ReadNotification(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.notifications.MarkRead(r.Context(), r.PathValue("nid")))
}

func (s *Server) ReadAllNotifications(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.notifications.MarkAllRead(r.Context()))
}
