package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/calendar"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
)

// JSON API of polls (docs/api/polls.md). Handlers decode, call the decision
// core and encode; the core decides access, validates and applies the one
// results-visibility gate. Nothing here derives a figure from anything but
// what the core's gated calls return.

func (s *Server) pollAPIFail(w http.ResponseWriter, r *http.Request, err error) {
	s.groupAPIFail(w, r, err)
}

// ---- definitions from input ----

// pollInput is a new poll: the definition with settings decoded on top of
// poll.DefaultSettings(type), the thread and the specified voters.
type pollInput struct {
	Type     poll.Type       `json:"type"`
	Title    string          `json:"title"`
	Details  string          `json:"details"`
	Options  []poll.Option   `json:"options"`
	Settings json.RawMessage `json:"settings"`
	ThreadID string          `json:"thread_id"`
	Voters   []string        `json:"voters"`
	// Notify is whom to tell when the poll opens (omitted: the whole group
	// when the author may notify it).
	Notify *notify.Audience `json:"notify"`
	// Tags are ids of the group's tags to put on the poll (at most 10).
	Tags []string `json:"tags"`
}

// overlaySettings decodes raw (a JSON object, possibly partial) on top of
// base: fields not given keep base's value.
func overlaySettings(base poll.Settings, raw json.RawMessage) (poll.Settings, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return base, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&base); err != nil {
		err = httpx.JSONError(err)
		var de *domain.Error
		if errors.As(err, &de) {
			for i := range de.Fields {
				de.Fields[i].Field = "settings." + de.Fields[i].Field
			}
		}
		return base, err
	}
	return base, nil
}

// completeOptions fills in what a client may leave out: the default
// options of the type when none are given, preset labels, and ids of new
// free options ("o1", "o2", ...).
func completeOptions(t poll.Type, opts []poll.Option, existing []poll.Option) []poll.Option {
	if opts == nil && existing == nil {
		return poll.DefaultOptions(t)
	}
	out := make([]poll.Option, len(opts))
	copy(out, opts)
	ids := poll.NewOptionIDs(existing, out)
	for i := range out {
		if out[i].Label == "" {
			out[i].Label = poll.PresetLabel(out[i].ID)
		}
		if strings.TrimSpace(out[i].ID) == "" {
			out[i].ID = ids.Next()
		}
	}
	return out
}

func (in pollInput) definition() (poll.Definition, error) {
	if !in.Type.Valid() {
		return poll.Definition{}, domain.Validation(domain.FieldError{Field: "type",
			Message: "must be one of proposal, poll, count, check, score, ranked_choice, dot_vote, meeting, question"})
	}
	st, err := overlaySettings(poll.DefaultSettings(in.Type), in.Settings)
	if err != nil {
		return poll.Definition{}, err
	}
	return poll.Definition{Type: in.Type, Title: in.Title, Details: in.Details,
		Options: completeOptions(in.Type, in.Options, nil), Settings: st}, nil
}

// ---- polls ----

func (s *Server) CreatePoll(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	var in pollInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	d, err := in.definition()
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.Create(r.Context(), decision.CreateInput{GroupID: r.PathValue("id"), ThreadID: in.ThreadID, Definition: d,
		Voters: in.Voters, Notify: in.Notify, Tags: in.Tags})
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/polls/"+p.ID)
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (s *Server) ListPolls(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page any
		if t := r.URL.Query().Get("tag"); t != "" {
			page, err = s.decisions.TaggedPolls(r.Context(), r.PathValue("id"), t, cursor, limit)
		} else {
			page, err = s.decisions.List(r.Context(), r.PathValue("id"), cursor, limit)
		}
		if err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.pollAPIFail(w, r, err)
}

func (s *Server) GetPoll(w http.ResponseWriter, r *http.Request) {
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

// pollPatch edits a poll: fields left out keep their value; settings are
// decoded on top of the current ones; options, when given, replace the
// list (new options without an id get one).
type pollPatch struct {
	Title    *string         `json:"title"`
	Details  *string         `json:"details"`
	Options  *[]poll.Option  `json:"options"`
	Settings json.RawMessage `json:"settings"`
	Version  int64           `json:"version"`
	// Notify: whom to tell when this edit publishes a draft.
	Notify *notify.Audience `json:"notify"`
}

func (s *Server) UpdatePoll(w http.ResponseWriter, r *http.Request) {
	var in pollPatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	d := p.Definition
	if in.Title != nil {
		d.Title = *in.Title
	}
	if in.Details != nil {
		d.Details = *in.Details
	}
	if in.Options != nil {
		d.Options = completeOptions(d.Type, *in.Options, p.Definition.Options)
	}
	if d.Settings, err = overlaySettings(d.Settings, in.Settings); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	out, err := s.decisions.Update(r.Context(), p.ID, decision.UpdateInput{Definition: d, Version: in.Version, Notify: in.Notify})
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

type closingInput struct {
	ClosingAt *time.Time `json:"closing_at"`
}

func (s *Server) decodeClosing(w http.ResponseWriter, r *http.Request) (time.Time, error) {
	var in closingInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return time.Time{}, err
	}
	if in.ClosingAt == nil {
		return time.Time{}, domain.Validation(domain.FieldError{Field: "closing_at", Message: "is required (RFC 3339 time)"})
	}
	return *in.ClosingAt, nil
}

func (s *Server) ExtendPoll(w http.ResponseWriter, r *http.Request) {
	at, err := s.decodeClosing(w, r)
	if err == nil {
		var p decision.Poll
		if p, err = s.decisions.Extend(r.Context(), r.PathValue("pid"), at); err == nil {
			httpx.WriteJSON(w, http.StatusOK, p)
			return
		}
	}
	s.pollAPIFail(w, r, err)
}

func (s *Server) ReopenPoll(w http.ResponseWriter, r *http.Request) {
	at, err := s.decodeClosing(w, r)
	if err == nil {
		var p decision.Poll
		if p, err = s.decisions.Reopen(r.Context(), r.PathValue("pid"), at); err == nil {
			httpx.WriteJSON(w, http.StatusOK, p)
			return
		}
	}
	s.pollAPIFail(w, r, err)
}

func (s *Server) ClosePoll(w http.ResponseWriter, r *http.Request) {
	p, err := s.decisions.Close(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (s *Server) DeletePoll(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.decisions.DeleteDraft(r.Context(), r.PathValue("pid")))
}

// ---- specified voters ----

func (s *Server) Voters(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var page any
		if page, err = s.decisions.Voters(r.Context(), r.PathValue("pid"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, page)
			return
		}
	}
	s.pollAPIFail(w, r, err)
}

func (s *Server) AddVoter(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	s.groupNoContent(w, r, s.decisions.AddVoter(r.Context(), r.PathValue("pid"), in.UserID))
}

// apiAddOption adds an option (voters where the poll allows it, poll
// admins); the body is the option without its id, which the core assigns.
func (s *Server) AddOption(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Label  string    `json:"label"`
		Start  time.Time `json:"start,omitzero"`
		AllDay bool      `json:"all_day,omitempty"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	p, err := s.decisions.AddOption(r.Context(), r.PathValue("pid"), poll.Option{Label: in.Label, Start: in.Start, AllDay: in.AllDay})
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (s *Server) RemoveVoter(w http.ResponseWriter, r *http.Request) {
	s.groupNoContent(w, r, s.decisions.RemoveVoter(r.Context(), r.PathValue("pid"), r.PathValue("uid")))
}

// ---- ballots ----

// voteBody is a ballot as the API takes it: the ballot's fields at the top
// level, plus the receipt to change an anonymous ballot.
type voteBody struct {
	poll.Ballot
	Receipt string `json:"receipt,omitempty"`
	// For: vote for this member with their proxy.
	For string `json:"for,omitempty"`
}

func (s *Server) Vote(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	var in voteBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	res, err := s.decisions.Vote(r.Context(), r.PathValue("pid"), decision.VoteInput{Ballot: in.Ballot, Receipt: in.Receipt, For: in.For})
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.Changed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, res)
}

// optionalBody decodes a JSON body when there is one (DELETE may have none).
func optionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	if r.ContentLength < 0 {
		// Unknown length: peek.
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxJSONBody))
		if err != nil {
			return domain.Errorf(domain.TooLarge, "the request body is larger than %d bytes", httpx.MaxJSONBody)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return httpx.DecodeJSON(w, r, v)
}

func (s *Server) Withdraw(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Receipt string `json:"receipt"`
		// For: withdraw the ballot cast for this member with their proxy.
		For string `json:"for"`
	}
	if err := optionalBody(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	if in.For != "" {
		if in.Receipt != "" {
			s.pollAPIFail(w, r, decision.ErrProxyAnonymous)
			return
		}
		s.groupNoContent(w, r, s.decisions.WithdrawFor(r.Context(), r.PathValue("pid"), in.For))
		return
	}
	s.groupNoContent(w, r, s.decisions.Withdraw(r.Context(), r.PathValue("pid"), in.Receipt))
}

func (s *Server) MyBallot(w http.ResponseWriter, r *http.Request) {
	b, err := s.decisions.Mine(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, b)
}

func (s *Server) VerifyReceipt(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Receipt string `json:"receipt"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	v, err := s.decisions.VerifyReceipt(r.Context(), r.PathValue("pid"), in.Receipt)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// ---- results ----

func (s *Server) Results(w http.ResponseWriter, r *http.Request) {
	v, err := s.decisions.Results(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// ballotOut is a ballot with its voter's name (no name in anonymous polls).
type ballotOut struct {
	decision.BallotView
	Name string `json:"name,omitempty"`
	// CastByName names who cast it with the voter's proxy.
	CastByName string `json:"cast_by_name,omitempty"`
}

// ballotsOut is a page of ballots with names, or the hidden notice.
type ballotsOut struct {
	Hidden *decision.Hidden `json:"hidden,omitempty"`
	Items  []ballotOut      `json:"items"`
	Next   string           `json:"next,omitempty"`
}

func (s *Server) ballotsWithNames(ctx context.Context, l decision.BallotList) ballotsOut {
	out := ballotsOut{Hidden: l.Hidden, Items: make([]ballotOut, 0, len(l.Items)), Next: l.Next}
	ids := make([]string, 0, len(l.Items))
	for _, b := range l.Items {
		ids = append(ids, b.UserID)
		if b.CastBy != "" {
			ids = append(ids, b.CastBy)
		}
	}
	names := s.names(ctx, ids)
	for _, b := range l.Items {
		out.Items = append(out.Items, ballotOut{BallotView: b, Name: names[b.UserID], CastByName: names[b.CastBy]})
	}
	return out
}

func (s *Server) Ballots(w http.ResponseWriter, r *http.Request) {
	cursor, limit, err := handlerkit.GroupPageParams(r)
	if err == nil {
		var l decision.BallotList
		if l, err = s.decisions.Ballots(r.Context(), r.PathValue("pid"), cursor, limit); err == nil {
			httpx.WriteJSON(w, http.StatusOK, s.ballotsWithNames(r.Context(), l))
			return
		}
	}
	s.pollAPIFail(w, r, err)
}

func (s *Server) Undecided(w http.ResponseWriter, r *http.Request) {
	ids, err := s.decisions.UndecidedVoters(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	names := s.names(r.Context(), ids)
	type person struct {
		UserID string `json:"user_id"`
		Name   string `json:"name,omitempty"`
	}
	items := make([]person, 0, len(ids))
	for _, id := range ids {
		items = append(items, person{UserID: id, Name: names[id]})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) Remind(w http.ResponseWriter, r *http.Request) {
	res, err := s.decisions.Remind(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, res)
}

// ---- outcomes ----

func (s *Server) SetOutcome(w http.ResponseWriter, r *http.Request) {
	var in decision.OutcomeInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	o, err := s.decisions.SetOutcome(r.Context(), r.PathValue("pid"), in)
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, o)
}

func (s *Server) GetOutcome(w http.ResponseWriter, r *http.Request) {
	o, err := s.decisions.GetOutcome(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.pollAPIFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, o)
}

// ---- exports ----

// csvName is a safe download file name.
func csvName(pid, kind string) string {
	return fmt.Sprintf(`attachment; filename="poll-%s-%s.csv"`, ids.Alnum(pid), kind)
}

// exportFail answers an export request that failed; hidden results are a
// 403 with the hidden notice's message (never a figure). The exports are
// served under /api/ only, so the answer is always problem+json.
func (s *Server) exportFail(w http.ResponseWriter, r *http.Request, err error) {
	s.pollAPIFail(w, r, err)
}

func hiddenErr(h *decision.Hidden) error {
	return domain.Errorf(domain.Forbidden, "results of this poll are hidden for now: %s", h.Message)
}

func (s *Server) ResultsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pid := r.PathValue("pid")
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		s.exportFail(w, r, err)
		return
	}
	v, err := s.decisions.Results(ctx, pid)
	if err != nil {
		s.exportFail(w, r, err)
		return
	}
	if v.Hidden != nil || v.Results == nil {
		s.exportFail(w, r, hiddenErr(v.Hidden))
		return
	}
	body := resultsCSV(s.exportPrinter(r), p, *v.Results)
	writeCSV(w, csvName(pid, "results"), body)
}

func (s *Server) BallotsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pid := r.PathValue("pid")
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		s.exportFail(w, r, err)
		return
	}
	var all []ballotOut
	cursor := ""
	for range 1000 { // at most 100,000 ballots
		l, err := s.decisions.Ballots(ctx, pid, cursor, 100)
		if err != nil {
			s.exportFail(w, r, err)
			return
		}
		if l.Hidden != nil {
			s.exportFail(w, r, hiddenErr(l.Hidden))
			return
		}
		all = append(all, s.ballotsWithNames(ctx, l).Items...)
		if l.Next == "" {
			break
		}
		cursor = l.Next
	}
	writeCSV(w, csvName(pid, "ballots"), ballotsCSV(s.exportPrinter(r), p, all))
}

// exportPrinter words a CSV export for its reader: the signed-in viewer's
// language and zone, else the request's Accept-Language in UTC.
func (s *Server) exportPrinter(r *http.Request) *i18n.Printer {
	if s.web == nil {
		return i18n.New().Printer(lang.English, time.UTC)
	}
	return s.web.Printer(r)
}

func writeCSV(w http.ResponseWriter, disposition string, body []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// ---- meeting invitation ----

func (s *Server) OutcomeICS(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pid := r.PathValue("pid")
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		s.exportFail(w, r, err)
		return
	}
	o, err := s.decisions.GetOutcome(ctx, pid)
	if err != nil {
		s.exportFail(w, r, err)
		return
	}
	opt, ok := p.Definition.Option(o.MeetingOptionID)
	if p.Definition.Type != poll.TypeMeeting || o.MeetingOptionID == "" || !ok {
		s.exportFail(w, r, domain.Errorf(domain.NotFound, "this poll's outcome does not pick a meeting time"))
		return
	}
	body := calendar.MeetingICS(p, o, opt, s.pollLink(r, pid), s.decisions.StatementText(o))
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=PUBLISH")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="meeting-%s.ics"`, ids.Alnum(pid)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// pollLink is the absolute address of a poll's page, from the request's host.
func (s *Server) pollLink(r *http.Request, pid string) string {
	scheme := "https"
	if r.TLS == nil && (strings.HasPrefix(r.Host, "localhost") || strings.HasPrefix(r.Host, "127.0.0.1")) {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/polls/" + ids.Alnum(pid)
}
