package api

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/inbox"
)

// JSON API of held inbound mail (routes_inbox.go). The core decides who
// may do what; errors are problem+json.

func (s *Server) HeldReply(w http.ResponseWriter, r *http.Request) {
	h, err := s.inbox.HeldMessage(r.Context(), r.PathValue("hid"))
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h)
}

func (s *Server) HeldReplyConfirm(w http.ResponseWriter, r *http.Request) {
	out, err := s.inbox.ConfirmHeld(r.Context(), r.PathValue("hid"))
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) HeldReplyDiscard(w http.ResponseWriter, r *http.Request) {
	if err := s.inbox.DiscardHeld(r.Context(), r.PathValue("hid")); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type heldList struct {
	Items []inbox.Held `json:"items"`
}

func (s *Server) GroupHeld(w http.ResponseWriter, r *http.Request) {
	items, err := s.inbox.GroupHeld(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, heldList{Items: items})
}

// allowBody is the optional body of allow: alias_user_id remembers the
// sender's address as that member's (the message is posted as them).
type allowBody struct {
	AliasUserID string `json:"alias_user_id"`
}

func (s *Server) GroupHeldAllow(w http.ResponseWriter, r *http.Request) {
	var in allowBody
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			httpx.WriteError(w, r, s.log, err)
			return
		}
	}
	out, err := s.inbox.AllowHeld(r.Context(), r.PathValue("id"), r.PathValue("hid"), inbox.AllowInput{AliasUserID: in.AliasUserID})
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) GroupHeldDiscard(w http.ResponseWriter, r *http.Request) {
	if err := s.inbox.DiscardGroupHeld(r.Context(), r.PathValue("id"), r.PathValue("hid")); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) GroupHeldBlock(w http.ResponseWriter, r *http.Request) {
	if err := s.inbox.BlockSender(r.Context(), r.PathValue("id"), r.PathValue("hid")); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type senderList struct {
	Items []inbox.SenderRule `json:"items"`
}

func (s *Server) GroupSenders(w http.ResponseWriter, r *http.Request) {
	rules, err := s.inbox.GroupSenders(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, senderList{Items: rules})
}

func (s *Server) GroupSenderRemove(w http.ResponseWriter, r *http.Request) {
	if err := s.inbox.RemoveSender(r.Context(), r.PathValue("id"), r.PathValue("rid")); err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
