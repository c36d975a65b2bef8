package server

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/httpx"
)

// JSON API of groups (docs/api/groups.md). Handlers decode, call the group
// core and encode; the core decides access and validates.

func (s *Server) groupAPIFail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Challenge(w, err, httpx.BearerChallenge)
	httpx.WriteError(w, r, s.log, err)
}

// groupPageParams reads ?cursor= and ?limit= (1..100, default 50).
func groupPageParams(r *http.Request) (string, int, error) {
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if !utf8.ValidString(cursor) {
		return "", 0, domain.Validation(domain.FieldError{Field: "cursor", Message: "is not valid for this list"})
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return "", 0, domain.Validation(domain.FieldError{Field: "limit", Message: "must be a whole number from 1 to 100"})
		}
		limit = n
	}
	return cursor, limit, nil
}

func (s *Server) apiMyGroups(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := groupPageParams(r)
	if err == nil {
		var page any
		page, err = s.groups.Mine(r.Context(), cursor, limit)
		if err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) apiCreateGroup(w http.ResponseWriter, r *http.Request) {
	// Refuse anonymous callers before reading the body.
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	var in group.CreateInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	g, err := s.groups.Create(r.Context(), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ID)
	httpx.WriteJSON(w, http.StatusCreated, g)
}

func (s *Server) apiGetGroup(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) apiUpdateGroup(w http.ResponseWriter, r *http.Request) {
	var in group.UpdateInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	g, err := s.groups.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) apiSubgroups(w http.ResponseWriter, r *http.Request) {
	list, err := s.groups.Subgroups(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (s *Server) apiMembers(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := groupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Members(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) apiSetRole(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	m, err := s.groups.SetRole(r.Context(), r.PathValue("id"), r.PathValue("uid"), authz.Role(in.Role))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}

func (s *Server) groupNoContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiRemoveMember(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) apiJoin(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.Join(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) apiLeave(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.Leave(r.Context(), r.PathValue("id")))
}

func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := groupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Invitations(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) {
	var in group.InviteInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	res, err := s.groups.Invite(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"items": res})
}

func (s *Server) apiResendInvitation(w http.ResponseWriter, r *http.Request) {
	inv, err := s.groups.ResendInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, inv)
}

func (s *Server) apiRevokeInvitation(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.RevokeInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid")))
}

func (s *Server) apiJoinLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.groups.JoinLink(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"url": link})
}

func (s *Server) apiResetJoinLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.groups.ResetJoinLink(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"url": link})
}

func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := groupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Requests(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) apiRequestMembership(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Message string `json:"message"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	if err := s.groups.RequestMembership(r.Context(), r.PathValue("id"), in.Message); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"status": "pending"})
}

func (s *Server) apiApproveRequest(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.ApproveRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) apiDenyRequest(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.DenyRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) apiPreviewInvitation(w http.ResponseWriter, r *http.Request) {
	p, err := s.groups.PreviewInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) apiAcceptInvitation(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.AcceptInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) apiPreviewJoinLink(w http.ResponseWriter, r *http.Request) {
	p, err := s.groups.PreviewJoinLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) apiJoinViaLink(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.JoinViaLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}
