package api

import (
	"context"
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/process"
)

// Templates is what the template routes need of the template core
// (*process.Service implements it).
type Templates interface {
	List(ctx context.Context, gid string, l lang.Lang) (process.List, error)
	Get(ctx context.Context, gid, id string, l lang.Lang) (process.Template, error)
	Start(ctx context.Context, gid, id string, l lang.Lang) (process.Start, error)
	Create(ctx context.Context, gid string, in process.Input) (process.Template, error)
	Update(ctx context.Context, gid, id string, in process.Input) (process.Template, error)
	Delete(ctx context.Context, gid, id string) error
	Arrange(ctx context.Context, gid string, a process.Arrangement) error
}

// templateLang is the language built-in templates are worded in: the
// request's Accept-Language (an API request carries no page viewer and so
// no language setting of its own; the pages use the viewer's).
func (s *Server) templateLang(r *http.Request) lang.Lang {
	return i18n.Negotiate("", r.Header.Get("Accept-Language"))
}

func (s *Server) Templates(w http.ResponseWriter, r *http.Request) {
	l, err := s.templates.List(r.Context(), r.PathValue("id"), s.templateLang(r))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, l)
}

func (s *Server) Template(w http.ResponseWriter, r *http.Request) {
	t, err := s.templates.Get(r.Context(), r.PathValue("id"), r.PathValue("tid"), s.templateLang(r))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) StartTemplate(w http.ResponseWriter, r *http.Request) {
	st, err := s.templates.Start(r.Context(), r.PathValue("id"), r.PathValue("tid"), s.templateLang(r))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, st)
}

func (s *Server) CreateTemplate(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in process.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	in.Version = 0
	t, err := s.templates.Create(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/groups/"+t.GroupID+"/templates/"+t.ID)
	httpx.WriteJSON(w, http.StatusCreated, t)
}

func (s *Server) UpdateTemplate(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in process.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	t, err := s.templates.Update(r.Context(), r.PathValue("id"), r.PathValue("tid"), in)
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) DeleteTemplate(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	if err := s.templates.Delete(r.Context(), r.PathValue("id"), r.PathValue("tid")); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ArrangeTemplates(w http.ResponseWriter, r *http.Request) {
	if !s.needUser(w, r) {
		return
	}
	var in process.Arrangement
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	if err := s.templates.Arrange(r.Context(), r.PathValue("id"), in); err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	l, err := s.templates.List(r.Context(), r.PathValue("id"), s.templateLang(r))
	if err != nil {
		s.groupAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, l)
}
