package decision

import (
	"context"
	"encoding/json"
	"html/template"
	"slices"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Hidden says why results are not shown. It carries no figure at all.
type Hidden struct {
	// Until is "vote" (visible once the viewer votes) or "close".
	Until   string `json:"until"`
	Message string `json:"message"`
}

// gate is the one place that applies poll.ResultsVisible for this package:
// Results, Ballots, UndecidedVoters and Remind call it before anything
// derived from the tally or other people's ballots leaves the service.
func (s *Service) gate(l *loaded, viewerHasVoted bool, now time.Time) (poll.Status, *Hidden) {
	status := poll.StatusOf(l.def.Settings, l.p.state(0), now)
	if poll.ResultsVisible(l.def.Settings, status, viewerHasVoted) {
		return status, nil
	}
	if l.def.Settings.HideResults == poll.HideUntilVote && status == poll.StatusOpen {
		return status, &Hidden{Until: "vote", Message: "results are shown once you have voted"}
	}
	return status, &Hidden{Until: "close", Message: "results are shown when the poll closes"}
}

// viewerVoted: the actor has a ballot (or, anonymous, a participation
// record) among the loaded items.
func (l *loaded) viewerVoted() bool {
	uid := l.ac.a.UserID
	if !l.ac.a.Authenticated() {
		return false
	}
	_, b := l.item(ballotSK(uid))
	_, v := l.item(votedSK(uid))
	return b || v
}

func viewerKeys(a authz.Actor) []string {
	if !a.Authenticated() || !ids.Valid(a.UserID) {
		return nil
	}
	return []string{ballotSK(a.UserID), votedSK(a.UserID)}
}

// ResultsView is a poll's results for one viewer: either the figures or a
// Hidden notice, never both.
type ResultsView struct {
	PollID string      `json:"poll_id"`
	Status poll.Status `json:"status"`
	Hidden *Hidden     `json:"hidden,omitempty"`
	// Results are every figure of decisions.md (nil when hidden).
	Results *poll.Results `json:"results,omitempty"`
	// RankedChoice: Schulze and STV, computed at close (ranked_choice).
	RankedChoice *poll.RankedChoiceResults `json:"ranked_choice,omitempty"`
	// Frozen: the figures are the ones frozen at close.
	Frozen bool `json:"frozen"`
}

// Results returns the poll's results if the viewer may see them (see gate).
// Cost: two BatchGetItem calls (poll, tally and its shards, frozen results
// and the viewer's ballot; group and membership), whatever the number of
// ballots.
func (s *Service) Results(ctx context.Context, pid string) (ResultsView, error) {
	a := authz.ActorFrom(ctx)
	l, err := s.load(ctx, pid, append(append(tallyKeys(), skResults), viewerKeys(a)...)...)
	if err != nil {
		return ResultsView{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return ResultsView{}, err
	}
	return s.resultsOf(ctx, l)
}

// resultsOf computes the results of a loaded poll (with its tally, frozen
// results and viewer keys) for a viewer already authorized to see it.
func (s *Service) resultsOf(ctx context.Context, l *loaded) (ResultsView, error) {
	pid := l.p.ID
	status, hidden := s.gate(l, l.viewerVoted(), s.now())
	v := ResultsView{PollID: pid, Status: status, Hidden: hidden}
	if hidden != nil {
		return v, nil
	}
	if raw, ok := l.item(skResults); ok {
		var fr resultsItem
		if err := unmarshal(raw, &fr); err != nil {
			return ResultsView{}, err
		}
		tl, err := poll.TallyFromAttributes(fr.Tally)
		if err != nil {
			return ResultsView{}, domain.Wrap(domain.Internal, err, "stored results are unreadable")
		}
		r := poll.ComputeResults(l.def, tl, fr.Eligible)
		v.Results, v.Frozen = &r, true
		if fr.Ranked != "" {
			var rc poll.RankedChoiceResults
			if err := json.Unmarshal([]byte(fr.Ranked), &rc); err != nil {
				return ResultsView{}, domain.Wrap(domain.Internal, err, "stored results are unreadable")
			}
			v.RankedChoice = &rc
		}
		return v, nil
	}
	tl, err := l.tally()
	if err != nil {
		return ResultsView{}, err
	}
	eligible, err := s.eligible(ctx, l.p, l.def, l.ac.group.MemberCount)
	if err != nil {
		return ResultsView{}, err
	}
	r := poll.ComputeResults(l.def, tl, eligible)
	withoutDistribution(l.p, l.def, &r)
	v.Results = &r
	return v, nil
}

// BallotView is one ballot in the ballot list. UserID is empty for
// anonymous polls (sealed ballots carry no identity).
type BallotView struct {
	UserID         string        `json:"user_id,omitempty"`
	Choices        []poll.Choice `json:"choices"`
	NoneOfTheAbove bool          `json:"none_of_the_above,omitempty"`
	Reason         string        `json:"reason,omitempty"`
	CastAt         *time.Time    `json:"cast_at,omitempty"`
	UpdatedAt      *time.Time    `json:"updated_at,omitempty"`
	// CastBy is the member who cast it for UserID with their proxy.
	CastBy string `json:"cast_by,omitempty"`
	// Changed: the voter changed their vote; History are their earlier
	// stances, newest first (history.go; never for anonymous polls).
	Changed bool         `json:"changed,omitempty"`
	History []PastBallot `json:"history,omitempty"`
}

// BallotList is a page of ballots, or Hidden.
type BallotList struct {
	Hidden *Hidden      `json:"hidden,omitempty"`
	Items  []BallotView `json:"items"`
	Next   string       `json:"next,omitempty"`
}

// Ballots lists the ballots of a poll with voters' ids and reasons (sealed
// ballots without identity), when results are visible to the viewer and
// the policy lets them read it (authz.PollBallotsView: whoever reads the
// group's content, and thread guests the poll counts among its voters).
//
// Sealed ballots are listed in the order of their keys, the hashes of
// their random receipts: an order unrelated to when, or by whom, they were
// cast, so comparing two readings tells nothing but which ballot is new.
func (s *Service) Ballots(ctx context.Context, pid, cursor string, limit int) (BallotList, error) {
	a := authz.ActorFrom(ctx)
	keys := viewerKeys(a)
	if len(keys) > 0 {
		keys = append(keys, voterSK(a.UserID))
	}
	l, err := s.load(ctx, pid, keys...)
	if err != nil {
		return BallotList{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return BallotList{}, err
	}
	if hidden, err := s.ballotsGate(ctx, l); err != nil || hidden != nil {
		return BallotList{Hidden: hidden, Items: []BallotView{}}, err
	}
	out := BallotList{Items: []BallotView{}}
	if l.def.Settings.Anonymous {
		q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixSealed)
		page, err := store.QueryPage[sealedItem](ctx, s.st, q, "sealed:"+pid, cursor, limit)
		if err != nil {
			return BallotList{}, err
		}
		for _, b := range page.Items {
			out.Items = append(out.Items, BallotView{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove, Reason: b.Reason})
		}
		out.Next = page.Next
		return out, nil
	}
	q := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefixBallot)
	page, err := store.QueryPage[ballotItem](ctx, s.st, q, "ballots:"+pid, cursor, limit)
	if err != nil {
		return BallotList{}, err
	}
	for i := range page.Items {
		out.Items = append(out.Items, page.Items[i].view())
	}
	out.Next = page.Next
	return out, nil
}

// ballotsGate is the rule for reading a loaded poll's ballots (viewer
// keys and VOTER# read): the policy (authz.PollBallotsView), then the
// results gate.
func (s *Service) ballotsGate(ctx context.Context, l *loaded) (*Hidden, error) {
	_, chosen := l.item(voterSK(l.ac.a.UserID))
	asGuest := poll.InVoterSet(l.def.Settings, poll.Relation{ThreadGuest: true, Chosen: chosen})
	if err := s.authorizeVoter(ctx, l.ac, l.p, authz.PollBallotsView, asGuest); err != nil {
		return nil, err
	}
	_, hidden := s.gate(l, l.viewerVoted(), s.now())
	return hidden, nil
}

// ---- who has voted ----

// participants returns the user ids with a ballot (or participation record).
func (s *Service) participants(ctx context.Context, pid string, anonymous bool) (map[string]bool, error) {
	prefix := prefixBallot
	if anonymous {
		prefix = prefixVoted
	}
	var rows []struct {
		UserID string `dynamo:"UserID"`
	}
	err := s.st.Table().Get(tabledef.PK, tabledef.PollPK(pid)).Range(tabledef.SK, dynamo.BeginsWith, prefix).
		Project("UserID").Consistent(true).All(ctx, &rows)
	if err != nil {
		return nil, store.Classify(err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.UserID] = true
	}
	return out, nil
}

func (s *Service) undecided(ctx context.Context, p *pollItem, d poll.Definition) ([]string, error) {
	voters, err := s.voterSet(ctx, p, d)
	if err != nil {
		return nil, err
	}
	voted, err := s.participants(ctx, p.ID, d.Settings.Anonymous)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, v := range voters {
		if !voted[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

// UndecidedVoters lists the eligible voters without a ballot (poll admins)
// where participation is visible to them (poll.ParticipationVisible): not
// while results are hidden from them (the list reveals the decided count,
// ErrResultsHidden), and not while an anonymous poll is open (who left the
// list between two readings would be linked to the moved figures,
// ErrParticipationHidden). The answer depends on the settings, the status
// and the admin's own vote only.
func (s *Service) UndecidedVoters(ctx context.Context, pid string) ([]string, error) {
	l, err := s.load(ctx, pid, viewerKeys(authz.ActorFrom(ctx))...)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return nil, err
	}
	status, hidden := s.gate(l, l.viewerVoted(), s.now())
	if hidden != nil {
		return nil, ErrResultsHidden
	}
	if !poll.ParticipationVisible(l.def.Settings, status, l.viewerVoted()) {
		return nil, ErrParticipationHidden
	}
	return s.undecided(ctx, l.p, l.def)
}

// RemindResult reports a manual reminder. Sending: the reminder is on its
// way to the undecided voters (who they are is decided off the request
// path, batch by batch, so the request does not know how many they are).
type RemindResult struct {
	Sending bool `json:"sending"`
}

// Remind sends a reminder to the undecided voters of an open poll (poll
// admins): one fan-out job (notify.Fanouts) whose phases are the poll's
// voters (its specified voters, or the group's members paged by the job
// and the invited thread guests) and which tells, of each batch, only
// those who have not voted then (Undecided). The request's cost does not
// grow with the group: the poll's reads, the policy, at most one query of
// the specified voters or of the thread's guests (both bounded), and one
// put. Pressing it again sends another reminder.
func (s *Service) Remind(ctx context.Context, pid string) (RemindResult, error) {
	l, err := s.load(ctx, pid, viewerKeys(authz.ActorFrom(ctx))...)
	if err != nil {
		return RemindResult{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return RemindResult{}, err
	}
	if err := checkOpen(l, s.now()); err != nil {
		return RemindResult{}, err
	}
	f := NoticeFanout{Notice: s.notice(NoticeManualReminder, l.p, l.def, nil)}
	var named []string
	if l.def.Settings.SpecifiedVotersOnly {
		named, err = s.userIDs(ctx, tabledef.PollPK(l.p.ID), prefixVoter)
	} else {
		f.Phases = append(f.Phases, NoticePhase{Kind: NoticeManualReminder, Reach: ReachAddressed, Members: true, Undecided: true})
		named, err = s.guestVoters(ctx, l.p, l.def)
	}
	if err != nil {
		return RemindResult{}, err
	}
	// A job names at most notify.MaxFanoutPeople: more specified voters
	// than that are split over several jobs in the same transaction.
	jobs := []NoticeFanout{f}
	for chunk := range slices.Chunk(named, notify.MaxFanoutPeople) {
		last := &jobs[len(jobs)-1]
		if len(last.Phases) > 0 && !last.Phases[len(last.Phases)-1].Members {
			jobs = append(jobs, NoticeFanout{Notice: f.Notice})
			last = &jobs[len(jobs)-1]
		}
		last.Phases = append(last.Phases, NoticePhase{Kind: NoticeManualReminder, Reach: ReachAddressed, UserIDs: chunk, Undecided: true})
	}
	if len(jobs) > store.MaxTxItems {
		return RemindResult{}, domain.Errorf(domain.TooLarge, "this poll has too many voters to remind at once")
	}
	tx := s.st.Tx()
	for _, j := range jobs {
		if err := s.fanout.AddFanout(ctx, tx, j); err != nil {
			return RemindResult{}, err
		}
	}
	if tx.Len() > 0 {
		if err := tx.Run(ctx, ""); err != nil {
			return RemindResult{}, err
		}
	}
	return RemindResult{Sending: true}, nil
}

// Undecided returns those of uids who have not voted on poll pid (no
// ballot, or no participation record in an anonymous poll), and nobody
// when the poll is not open: a reminder told in batches never reaches
// someone who voted before their batch, or anyone after the poll closed.
// System read for the fan-out of a reminder (notify.Ballots): one read of
// the poll and one BatchGetItem per 100 people.
func (s *Service) Undecided(ctx context.Context, pid string, uids []string) ([]string, error) {
	var p pollItem
	if err := s.st.Get(ctx, tabledef.PollPK(pid), skPoll, &p); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return nil, nil
		}
		return nil, err
	}
	if p.Status != string(poll.StatusOpen) || p.ClosingAtMs <= s.now().UnixMilli() {
		return nil, nil
	}
	d, err := p.def()
	if err != nil {
		return nil, err
	}
	sk := ballotSK
	if d.Settings.Anonymous {
		sk = votedSK
	}
	keys := make([]key, 0, len(uids))
	for _, uid := range uids {
		if ids.Valid(uid) {
			keys = append(keys, key{tabledef.PollPK(pid), sk(uid)})
		}
	}
	voted, err := s.exist(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(uids))
	for _, uid := range uids {
		if ids.Valid(uid) && !voted[key{tabledef.PollPK(pid), sk(uid)}] {
			out = append(out, uid)
		}
	}
	return out, nil
}

// ---- outcomes ----

// OutcomeInput is the statement written after a poll closes.
type OutcomeInput struct {
	Statement string `json:"statement"`
	// ReviewOn is an optional review date; a reminder goes to the poll
	// admins then.
	ReviewOn *time.Time `json:"review_on,omitempty"`
	// MeetingOptionID is the chosen time of a meeting poll.
	MeetingOptionID string `json:"meeting_option_id,omitempty"`
	// Version, if not 0, is the version of the outcome being edited.
	Version int64 `json:"version,omitempty"`
}

// Outcome is a poll's outcome.
type Outcome struct {
	PollID    string `json:"poll_id"`
	Statement string `json:"statement"`
	// StatementHTML is the statement rendered as Markdown (sanitised, as
	// a comment's body_html): stored when written, rendered again when
	// read if an older renderer wrote it. Never taken from input.
	StatementHTML   template.HTML `json:"statement_html,omitempty"`
	ReviewOn        *time.Time    `json:"review_on,omitempty"`
	MeetingOptionID string        `json:"meeting_option_id,omitempty"`
	AuthorID        string        `json:"author_id"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Version         int64         `json:"version"`
}

// MaxStatement bounds an outcome statement (characters).
const MaxStatement = 10000

// view is the outcome as read: its stored HTML when the current renderer
// wrote it, otherwise the statement rendered now (r).
func (o *outcomeItem) view(r *render.Renderer) Outcome {
	return Outcome{PollID: o.PollID, Statement: o.Statement, StatementHTML: statementHTML(r, o.Statement, o.HTML, o.RenderV),
		ReviewOn: o.ReviewOn, MeetingOptionID: o.MeetingOptionID,
		AuthorID: o.AuthorID, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

// statementHTML is stored, the HTML rendered from statement by renderer
// version rv, when that is the current renderer; otherwise statement
// rendered by r now, its mentions as text (the stored HTML links them
// once the outcome's mention job has resolved them: mentions.go).
func statementHTML(r *render.Renderer, statement, stored string, rv int) template.HTML {
	if render.Current(rv, stored) {
		return template.HTML(stored) // #nosec G203 -- rendered and sanitised by render.Markdown when written
	}
	if statement == "" {
		return ""
	}
	return r.Markdown(statement)
}

// SetOutcome creates or edits the outcome of a closed poll (poll admins).
func (s *Service) SetOutcome(ctx context.Context, pid string, in OutcomeInput) (Outcome, error) {
	l, err := s.load(ctx, pid, skOutcome)
	if err != nil {
		return Outcome{}, err
	}
	if err := s.authorizeAdmin(ctx, l); err != nil {
		return Outcome{}, err
	}
	now := s.now().UTC()
	if poll.StatusOf(l.def.Settings, l.p.state(0), now) != poll.StatusClosed {
		return Outcome{}, ErrNotClosed
	}
	var fe domain.FieldErrors
	st := text.CheckBlock(&fe, "statement", in.Statement, 1, MaxStatement)
	var review *time.Time
	if in.ReviewOn != nil {
		r := in.ReviewOn.UTC()
		if !r.After(now) {
			fe.Add("review_on", "must be in the future")
		}
		review = &r
	}
	if in.MeetingOptionID != "" {
		if _, ok := l.def.Option(in.MeetingOptionID); !ok || l.def.Type != poll.TypeMeeting {
			fe.Add("meeting_option_id", "must be an option of this meeting poll")
		}
	}
	if err := fe.Err(); err != nil {
		return Outcome{}, err
	}
	o := &outcomeItem{Item: store.Item{PK: tabledef.PollPK(pid), SK: skOutcome, Type: "outcome"}, PollID: pid, CreatedAt: now, AuthorID: l.ac.a.UserID}
	raw, existed := l.item(skOutcome)
	var before outcomeItem
	if existed {
		if err := unmarshal(raw, o); err != nil {
			return Outcome{}, err
		}
		if in.Version != 0 && in.Version != o.Version {
			return Outcome{}, store.ErrVersionConflict
		}
		before = *o
	}
	// AuthorID stays who first wrote it; editors are in its history.
	o.Statement, o.ReviewOn, o.MeetingOptionID, o.UpdatedAt = st, review, in.MeetingOptionID, now
	// Rendered once, here, as a comment is; reads use it as it is.
	o.HTML, o.RenderV = string(s.r.Markdown(st)), render.Version
	o.GSI2PK, o.GSI2SK, o.ReviewSentAt = "", "", nil
	if review != nil {
		o.GSI2PK, o.GSI2SK = queueReview, timeKey(*review)+"#"+pid
	}
	// Still closed when written (a reopen in between wins).
	tx := s.st.Tx().Save(o).
		Check(tabledef.PollPK(pid), skPoll, "$ = ? OR ($ > ? AND $ <= ?)", ErrNotClosed,
			"Status", string(poll.StatusClosed), "ClosingAtMs", 0, "ClosingAtMs", now.UnixMilli())
	if existed {
		// The text replaced, kept in the same transaction (outcomehistory.go).
		if h := outcomeEdit(&before, o, l.ac.a.UserID, now); h != nil {
			tx.Put(h)
		}
	}
	// The voters hear of a new outcome (below); read now, so that its
	// mentions do not tell them a second time.
	var voters []string
	if !existed {
		voters = s.outcomeVoters(ctx, l.p, l.def, l.ac.a.UserID)
	}
	// Whom its @mentions name is resolved off the request path, as for a
	// comment: those named are told, the stored HTML gets the links.
	if err := s.addOutcomeMentionFanout(ctx, tx, l.p, l.def, o, before.Mentions, voters, l.ac.a.UserID); err != nil {
		return Outcome{}, err
	}
	err = tx.Run(ctx, "")
	if err != nil {
		return Outcome{}, err
	}
	if !existed {
		s.appendEvent(ctx, EventOutcome, l.ac.a.UserID, l.p, l.def)
		s.noticeTo(ctx, NoticeOutcomePublished, l.p, l.def, voters, s.r.Excerpt(st, OutcomeExcerpt))
	}
	return o.view(s.r), nil
}

// StatementText is o's statement as a reader sees it, in plain text: the
// Markdown rendered (no "**", lists as "• item"), for a calendar's
// description, where no HTML goes.
func (s *Service) StatementText(o Outcome) string { return s.r.Text(o.Statement) }

// GetOutcome returns the outcome of a poll (anyone who can see the poll).
func (s *Service) GetOutcome(ctx context.Context, pid string) (Outcome, error) {
	l, err := s.load(ctx, pid, skOutcome)
	if err != nil {
		return Outcome{}, err
	}
	if err := s.authorizeView(ctx, l); err != nil {
		return Outcome{}, err
	}
	o, err := s.outcomeOf(l)
	if err != nil {
		return Outcome{}, err
	}
	if o == nil {
		return Outcome{}, domain.Errorf(domain.NotFound, "this poll has no outcome yet")
	}
	return *o, nil
}

// outcomeOf is the outcome among a loaded poll's items (nil: none yet).
func (s *Service) outcomeOf(l *loaded) (*Outcome, error) {
	raw, ok := l.item(skOutcome)
	if !ok {
		return nil, nil
	}
	var o outcomeItem
	if err := unmarshal(raw, &o); err != nil {
		return nil, err
	}
	v := o.view(s.r)
	return &v, nil
}
