package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/tag"
)

// ---- a group's tags (JSON API) ----

type tagBody struct {
	Name   *string `json:"name"`
	Colour *string `json:"colour"`
}

type tagsBody struct {
	Tags []string `json:"tags"`
}

func (s *Server) Tags(w http.ResponseWriter, r *http.Request) {
	ts, err := s.tags.List(r.Context(), r.PathValue("id"))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ts, "palette": tag.Palette})
}

func (s *Server) CreateTag(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in tagBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, err := s.tags.Create(r.Context(), r.PathValue("id"), tag.Input{Name: in.Name, Colour: in.Colour})
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, t)
}

func (s *Server) UpdateTag(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in tagBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, err := s.tags.Update(r.Context(), r.PathValue("id"), r.PathValue("tag"), tag.Input{Name: in.Name, Colour: in.Colour})
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) DeleteTag(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	s.groupNoContent(w, r, s.tags.Delete(r.Context(), r.PathValue("id"), r.PathValue("tag")))
}

// ---- tags on threads and polls ----

func (s *Server) SetThreadTags(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in tagsBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, err := s.discussions.SetThreadTags(r.Context(), r.PathValue("tid"), in.Tags)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) SetPollTags(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in tagsBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.SetPollTags(r.Context(), r.PathValue("pid"), in.Tags)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}
