package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
)

// POST /api/v1/me/avatar/uploads {content_type, size} → 201 {upload_id, put}
func (s *Server) AvatarUpload(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	up, err := s.accounts.StartAvatarUpload(r.Context(), in.ContentType, in.Size)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, up)
}

// POST /api/v1/me/avatar/uploads/{id}/confirm → 200 {version, url, large_url}
func (s *Server) AvatarConfirm(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.ConfirmAvatarUpload(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, avatarOut(u))
}

// PUT /api/v1/me/avatar (the picture's bytes as the body) → 200
func (s *Server) AvatarPut(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, avatar.MaxBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = handlerkit.AvatarTooLarge()
		} else {
			err = domain.Errorf(domain.Invalid, "the file could not be read")
		}
		s.apiFail(w, r, err)
		return
	}
	u, err := s.accounts.SetAvatar(r.Context(), b)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, avatarOut(u))
}

// GET /api/v1/me/avatar → 200 {version, url, large_url} ({} without one)
func (s *Server) AvatarGet(w http.ResponseWriter, r *http.Request) {
	u, err := s.accounts.Me(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, avatarOut(u))
}

// DELETE /api/v1/me/avatar → 204
func (s *Server) AvatarDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := s.accounts.RemoveAvatar(r.Context()); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type avatarJSON struct {
	Version  string `json:"version,omitempty"`
	URL      string `json:"url,omitempty"`
	LargeURL string `json:"large_url,omitempty"`
}

func avatarOut(u *account.User) avatarJSON {
	if u.AvatarV == "" {
		return avatarJSON{}
	}
	return avatarJSON{Version: u.AvatarV, URL: handlerkit.AvatarURL(u.ID, avatar.Small, u.AvatarV), LargeURL: handlerkit.AvatarURL(u.ID, avatar.Large, u.AvatarV)}
}
