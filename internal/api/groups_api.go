package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
)

// JSON API of groups (docs/api/groups.md). Handlers decode, call the group
// core and encode; the core decides access and validates.

func (s *Server) groupAPIFail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Challenge(w, err, httpx.BearerChallenge)
	httpx.WriteError(w, r, s.log, err)
}

func (s *Server) MyGroups(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
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

func (s *Server) CreateGroup(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) GetGroup(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) UpdateGroup(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) Subgroups(w http.ResponseWriter, r *http.Request) {
	list, err := s.groups.Subgroups(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (s *Server) Members(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Members(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) SetRole(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) RemoveMember(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) Join(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.Join(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) Leave(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.Leave(r.Context(), r.PathValue("id")))
}

func (s *Server) Invitations(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Invitations(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) Invite(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) ResendInvitation(w http.ResponseWriter, r *http.Request) {
	inv, err := s.groups.ResendInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, inv)
}

func (s *Server) RevokeInvitation(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.RevokeInvitation(r.Context(), r.PathValue("id"), r.PathValue("iid")))
}

func (s *Server) JoinLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.groups.JoinLink(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"url": link})
}

func (s *Server) ResetJoinLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.groups.ResetJoinLink(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"url": link})
}

func (s *Server) Requests(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.groups.Requests(r.Context(), r.PathValue("id"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.groupAPIFail(w, r, err)
}

func (s *Server) RequestMembership(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) ApproveRequest(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.ApproveRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) DenyRequest(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.groups.DenyRequest(r.Context(), r.PathValue("id"), r.PathValue("uid")))
}

func (s *Server) PreviewInvitation(w http.ResponseWriter, r *http.Request) {
	p, err := s.groups.PreviewInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) AcceptInvitation(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.AcceptInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}

func (s *Server) PreviewJoinLink(w http.ResponseWriter, r *http.Request) {
	p, err := s.groups.PreviewJoinLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) JoinViaLink(w http.ResponseWriter, r *http.Request) {
	g, err := s.groups.JoinViaLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, g)
}
