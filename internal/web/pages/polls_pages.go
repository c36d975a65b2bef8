package pages

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
)

// Server-rendered poll pages. They work without JavaScript: the poll form
// asks for the type first and then shows the fields of that type; every
// action is a form posting to a page route that redirects back (303) with
// a notice, or renders the poll page again with errors next to the form.
// Results, charts and ballots come only from the core's gated calls.

// pollTypes are the poll types the pages name (page.poll.type.<type>).
var pollTypes = map[poll.Type]bool{
	poll.TypeProposal: true, poll.TypePoll: true, poll.TypeCount: true, poll.TypeCheck: true, poll.TypeScore: true,
	poll.TypeRankedChoice: true, poll.TypeDotVote: true, poll.TypeMeeting: true, poll.TypeQuestion: true,
}

// pollNotices are the notices a poll page shows after ?done=<name>; their
// text is page.poll.notice.<name> (pollNotice).
var pollNotices = map[string]bool{
	"tags": true, "created": true, "draft": true, "saved": true, "voted": true, "changed": true, "withdrawn": true,
	"closed": true, "extended": true, "reopened": true, "reminded": true, "outcome": true, "deleted": true, "option": true,
	"voter_added": true, "voter_removed": true, "announced": true, "proxy_given": true, "proxy_revoked": true, "voted_for": true,
	"proxy_withdrawn": true,
}

// pollForm records err on f: settings.x and options[3].label become the
// form's field names, with readable labels.
func pollForm(pr *i18n.Printer, f *formState, err error) int {
	status := f.fail(pr, err)
	f.Fields = map[string]string{}
	for i, m := range f.List {
		field := strings.TrimPrefix(m.Field, "settings.")
		switch {
		case strings.HasPrefix(field, "options"), strings.HasPrefix(field, "vote_share"):
			field = strings.SplitN(field, "[", 2)[0]
		case strings.HasPrefix(field, "choices"):
			field = "choices"
		}
		f.List[i].Label = fieldLabel(pr, field)
		f.List[i].Field = field
		if _, seen := f.Fields[field]; !seen {
			f.Fields[field] = m.Message
		}
	}
	notifyField(f)
	return status
}

func pollURL(pid string, parts ...string) string {
	return "/polls/" + url.PathEscape(pid) + strings.Join(parts, "")
}

// viewerZone is the signed-in viewer's time zone (UTC otherwise).
func (s *Server) viewerZone(r *http.Request) *time.Location {
	if u := s.Viewer(r); u != nil {
		return u.Location()
	}
	return time.UTC
}

// ---- the poll form (create and edit) ----

// ---- list ----

type pollListItem struct {
	ID, Title, Type, Status, When string
}

type pollListData struct {
	Group  *group.Group
	Polls  []pollListItem
	Next   string
	Notice string
}

func (s *Server) PollListPage(w http.ResponseWriter, r *http.Request) {
	cursor, _, err := handlerkit.GroupPageParams(r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	g, err := s.pollGroup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	page, err := s.decisions.List(r.Context(), g.ID, cursor, 50)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	pr := s.web.Printer(r)
	d := pollListData{Group: g, Next: page.Next, Notice: pollNotice(pr, r.URL.Query().Get("done"))}
	for _, p := range page.Items {
		it := pollListItem{ID: p.ID, Title: p.Definition.Title, Type: pollTypeText(pr, p.Definition.Type), Status: pollStatusText(pr, p.Status)}
		switch {
		case p.Status == poll.StatusOpen && p.Definition.Settings.ClosingAt != nil:
			it.When = pr.T("page.poll.closes_at_lc", "When", whenText(pr, *p.Definition.Settings.ClosingAt))
		case p.Status == poll.StatusClosed && p.ClosedAt != nil:
			it.When = pr.T("page.poll.closed_at_lc", "When", whenText(pr, *p.ClosedAt))
		case p.Status == poll.StatusClosed && p.Definition.Settings.ClosingAt != nil:
			it.When = pr.T("page.poll.closed_at_lc", "When", whenText(pr, *p.Definition.Settings.ClosingAt))
		}
		d.Polls = append(d.Polls, it)
	}
	s.web.Page(w, r, http.StatusOK, "poll_list", pr.T("page.poll.list_title", "Group", pr.Isolate(g.Name)), d)
}

// ---- the poll page ----

type pollPageData struct {
	Poll     decision.Poll
	Group    *group.Group
	TypeName string
	// Status is the poll's status ("open", for comparisons and classes);
	// StatusText says it in the reader's language.
	Status     string
	StatusText string
	When       string
	Zone       string
	Notice     string
	Admin      bool
	SignedIn   bool
	CanVote    bool
	Mine       decision.MyBallot
	MineText   string
	Vote       *voteForm
	Receipt    string
	Hidden     *decision.Hidden
	HasResults bool
	Chart      template.HTML
	Rows       []resultRow
	Extra      []string
	Summary    []string
	Ranked     []string
	Meeting    bool
	Ballots    []ballotRow
	MoreVotes  bool
	Outcome    *decision.Outcome
	OutcomeAt  string
	// OutcomeEdits are the outcome's earlier versions, newest first.
	OutcomeEdits []outcomeEditRow
	// OutcomeBy is who wrote the outcome, beside their avatar.
	OutcomeBy avatarView
	// PollReacts and OutcomeReacts are their reaction bars (nil: none).
	PollReacts, OutcomeReacts *reactBar
	ICS                       bool
	OutForm                   *formState
	Meetings                  []voteOption
	Action                    *formState
	NowLocal                  string
	Reopenable                bool
	Anonymous                 bool
	Question                  bool
	// Specified voters (polls with chosen voters only): the list, and for
	// poll admins of a poll that is not closed the members to add.
	Specified    bool
	Voters       []voterChoice
	MoreVoters   bool
	ManageVoters bool
	Addable      []voterChoice
	// CanAddOption shows "add an option" (voters where the poll allows it,
	// poll admins); MeetingOption asks for a date or time instead of a label.
	CanAddOption  bool
	MeetingOption bool
	OptionZone    string
	// BallotsNote says why the list of votes is not shown to a viewer who
	// sees the results (a guest who is not a voter).
	BallotsNote string
	// Announce is the "Notify people" form (nil for drafts and for viewers
	// who may notify nobody); AnnounceForm carries a failed one.
	Announce     *notifyForm
	AnnounceForm *formState
	// Proxy is the proxy voting panel (polls_proxy.go; nil when the group
	// does not allow proxies, or in anonymous polls).
	Proxy *proxyPanel
}

func (s *Server) PollPage(w http.ResponseWriter, r *http.Request) {
	// An anonymous vote's receipt, handed over by the vote's redirect.
	receipt := httpx.TakeOnceCookie(w, r, "poll-"+r.PathValue("pid"))
	s.renderPoll(w, r, http.StatusOK, func(d *pollPageData) { d.Receipt = receipt })
}

// renderPoll renders the poll page; edit adjusts the data (form errors, a
// receipt to show once, the ranked order being edited).
func (s *Server) renderPoll(w http.ResponseWriter, r *http.Request, status int, edit func(*pollPageData)) {
	// Rendering only reads (a failed action re-renders after its write was
	// refused): each item once, and the poll's items the page shows in its
	// first read (store.WithReadCache, decision.ReadAhead).
	r = r.WithContext(decision.ReadAhead(store.WithReadCache(r.Context())))
	ctx := r.Context()
	pid := r.PathValue("pid")
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	g, _ := s.pollGroup(ctx, p.GroupID) // guests of the poll's thread may not see the group
	a := authz.ActorFrom(ctx)
	loc := s.viewerZone(r)
	var mine decision.MyBallot
	if a.Authenticated() {
		if m, err := s.decisions.Mine(ctx, pid); err == nil {
			mine = m
		}
	}
	// Results, through the one gate.
	res, err := s.decisions.Results(ctx, pid)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	var out *decision.Outcome
	if o, err := s.decisions.GetOutcome(ctx, pid); err == nil {
		out = &o
	}
	d := s.pollView(r, p, mine, res, out)
	pr := s.web.Printer(r)
	d.Group, d.Notice, d.Admin, d.SignedIn = g, pollNotice(pr, r.URL.Query().Get("done")), s.pollAdmin(r, p), a.Authenticated()
	d.NowLocal = time.Now().In(loc).Add(7 * 24 * time.Hour).Truncate(time.Hour).Format(localInput)
	st := p.Definition.Settings
	d.Reopenable = p.Status == poll.StatusClosed && !st.Anonymous && s.pollReopener(r, p)
	if d.Outcome != nil {
		d.OutcomeEdits = s.outcomeEdits(ctx, p, pr)
		d.OutcomeBy = s.personFace(ctx, pr, d.Outcome.AuthorID)
	}
	s.pollVoters(ctx, pr, &d)
	d.CanAddOption = p.Status == poll.StatusOpen && p.Definition.Type.FreeOptions() && (d.Admin || (d.CanVote && st.VotersMayAddOptions))
	d.MeetingOption, d.OptionZone = d.Meeting, zoneName(p.Definition)
	if d.HasResults {
		bl, err := s.decisions.Ballots(ctx, pid, "", 100)
		if domain.ErrorCode(err) == domain.Forbidden {
			d.BallotsNote = pr.T("page.poll.ballots_note")
		}
		if err == nil && bl.Hidden == nil {
			d.Ballots = s.ballotRows(ctx, p.Definition, bl.Items, pr)
			d.MoreVotes = bl.Next != ""
		}
	}
	s.pollReactions(r, &d)
	if d.Admin && p.Status == poll.StatusClosed {
		vals := map[string]string{}
		if d.Outcome != nil {
			vals["statement"] = d.Outcome.Statement
			vals["meeting_option_id"] = d.Outcome.MeetingOptionID
			vals["version"] = strconv.FormatInt(d.Outcome.Version, 10)
			if d.Outcome.ReviewOn != nil {
				vals["review_on"] = d.Outcome.ReviewOn.In(loc).Format("2006-01-02")
			}
		}
		d.OutForm = newForm(vals)
		if d.Meeting {
			for _, o := range p.Definition.Options {
				d.Meetings = append(d.Meetings, voteOption{ID: o.ID, Label: handlerkit.OptionLabel(pr, p.Definition, o), Checked: vals["meeting_option_id"] == o.ID})
			}
		}
	}
	s.pollProxyPanel(ctx, r, &d)
	if edit != nil {
		edit(&d)
	}
	if a.Authenticated() && p.Status != poll.StatusDraft {
		// "Notify people": the list of people on request (or after a
		// failed attempt, with its choices), so that the page reads them
		// only then.
		af, link := d.AnnounceForm, ""
		if af == nil {
			af = newForm(nil)
			if r.URL.Query().Get("notify") != "people" {
				link = pollURL(p.ID) + "?notify=people#notify"
			}
		}
		if d.Announce = s.notifyFormFor(ctx, g, p.ThreadID, af, false, link); d.Announce != nil {
			d.Announce.Action, d.Announce.Button = pollURL(p.ID, "/announce"), pr.T("page.poll.notify_button")
			d.Announce.Open = d.Announce.Open || link == ""
		}
	}
	s.web.Page(w, r, status, "poll_show", p.Definition.Title, d)
}

// pollView is what the poll page and a poll's card on its thread page
// share, built from the core's answers (the poll, the viewer's ballot, the
// gated results, the outcome): type, status and closing time in the
// viewer's zone, the viewer's vote and the vote form, the chart and figures.
func (s *Server) pollView(r *http.Request, p decision.Poll, mine decision.MyBallot, res decision.ResultsView, out *decision.Outcome) pollPageData {
	loc := s.viewerZone(r)
	pr := s.web.Printer(r)
	d := pollPageData{Poll: p, TypeName: pollTypeText(pr, p.Definition.Type), Status: string(p.Status),
		StatusText: pollStatusText(pr, p.Status), Zone: loc.String(),
		Anonymous: p.Definition.Settings.Anonymous, Question: p.Definition.Type == poll.TypeQuestion,
		Meeting: p.Definition.Type == poll.TypeMeeting, Mine: mine}
	st := p.Definition.Settings
	switch {
	case p.Status == poll.StatusOpen && st.ClosingAt != nil:
		d.When = pr.T("page.poll.closes_at", "When", whenText(pr, *st.ClosingAt))
	case p.Status == poll.StatusClosed && p.ClosedAt != nil:
		d.When = pr.T("page.poll.closed_at", "When", whenText(pr, *p.ClosedAt))
	case p.Status == poll.StatusClosed && st.ClosingAt != nil:
		d.When = pr.T("page.poll.closed_at", "When", whenText(pr, *st.ClosingAt))
	case p.Status == poll.StatusDraft:
		d.When = pr.T("page.poll.draft_when")
	}
	if mine.Ballot != nil {
		d.MineText = ballotText(pr, p.Definition, *mine.Ballot)
	}
	// Voters, and (to change or withdraw) whoever has a ballot.
	d.CanVote = authz.ActorFrom(r.Context()).Authenticated() && p.Status == poll.StatusOpen && (mine.Eligible || mine.Voted)
	if d.CanVote {
		d.Vote = s.voteFormFor(r, p, mine, nil, nil)
	}
	d.Hidden = res.Hidden
	if res.Hidden == nil && res.Results != nil {
		d.HasResults = true
		s.fillResults(pr, &d, p, res)
	}
	if out != nil {
		d.Outcome = out
		if opt, ok := p.Definition.Option(out.MeetingOptionID); ok && p.Definition.Type == poll.TypeMeeting {
			d.OutcomeAt = handlerkit.OptionLabel(pr, p.Definition, opt) + " (" + readerZone(pr) + ")"
			d.ICS = true
		}
	}
	return d
}

// ballotRows writes ballots out for a page: names (never for an anonymous
// poll), the vote in words, the reason and when.
func (s *Server) ballotRows(ctx context.Context, def poll.Definition, items []decision.BallotView, pr *i18n.Printer) []ballotRow {
	uids := make([]string, 0, len(items))
	for _, b := range items {
		uids = append(uids, b.UserID)
		if b.CastBy != "" {
			uids = append(uids, b.CastBy)
		}
	}
	names, pictures := s.manyFaces(ctx, uids)
	rows := ballotRowsNamed(pr, def, items, names)
	setBallotFaces(rows, pictures)
	return rows
}

// ballotRowsNamed is ballotRows with the voters' names already read.
func ballotRowsNamed(pr *i18n.Printer, def poll.Definition, items []decision.BallotView, names map[string]string) []ballotRow {
	rows := make([]ballotRow, 0, len(items))
	for _, b := range items {
		row := ballotRow{Name: names[b.UserID], Vote: ballotText(pr, def, poll.Ballot{Choices: b.Choices, NoneOfTheAbove: b.NoneOfTheAbove}), Reason: b.Reason}
		if def.Settings.Anonymous {
			row.Name = pr.T("page.poll.anonymous_voter")
		} else if row.Name == "" {
			row.Name = pr.T("page.poll.someone")
		}
		if b.UpdatedAt != nil {
			row.When = whenText(pr, *b.UpdatedAt)
		}
		if b.CastBy != "" && !def.Settings.Anonymous {
			if row.CastBy = names[b.CastBy]; row.CastBy == "" {
				row.CastBy = pr.T("page.poll.someone_lc")
			}
		}
		row.Changed, row.Earlier, row.Question = b.Changed, earlierRows(pr, def, b), def.Type == poll.TypeQuestion
		if !def.Settings.Anonymous {
			row.UserID = b.UserID
		}
		rows = append(rows, row)
	}
	return rows
}

// pollAction runs an admin action of the poll page: success redirects with
// a notice, a refusal renders the page again with the reason.
func (s *Server) pollAction(w http.ResponseWriter, r *http.Request, done string, fn func(ctx context.Context, pid string) error) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	if err := fn(r.Context(), pid); err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.PageError(w, r, err)
			return
		}
		f := newForm(formFromPost(r))
		status := pollForm(s.web.Printer(r), f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) { d.Action = f })
		return
	}
	if done == "deleted" {
		return // the handler redirected
	}
	redirect(w, r, pollURL(pid)+"?done="+done)
}

func (s *Server) PollWithdrawSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "withdrawn", func(ctx context.Context, pid string) error {
		return s.decisions.Withdraw(ctx, pid, strings.TrimSpace(r.PostFormValue("receipt")))
	})
}

func (s *Server) PollCloseSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "closed", func(ctx context.Context, pid string) error {
		_, err := s.decisions.Close(ctx, pid)
		return err
	})
}

func (s *Server) closingFromForm(r *http.Request) (time.Time, error) {
	at, err := parseLocal("closing_at", r.PostFormValue("closing_at"), s.viewerZone(r))
	if err != nil {
		return time.Time{}, err
	}
	if at == nil {
		return time.Time{}, domain.Validation(domain.FieldError{Field: "closing_at", Message: "is required"})
	}
	return *at, nil
}

func (s *Server) PollExtendSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "extended", func(ctx context.Context, pid string) error {
		at, err := s.closingFromForm(r)
		if err == nil {
			_, err = s.decisions.Extend(ctx, pid, at)
		}
		return err
	})
}

func (s *Server) PollReopenSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "reopened", func(ctx context.Context, pid string) error {
		at, err := s.closingFromForm(r)
		if err == nil {
			_, err = s.decisions.Reopen(ctx, pid, at)
		}
		return err
	})
}

func (s *Server) PollRemindSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "reminded", func(ctx context.Context, pid string) error {
		_, err := s.decisions.Remind(ctx, pid)
		return err
	})
}

func (s *Server) PollDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	s.pollAction(w, r, "deleted", func(ctx context.Context, pid string) error {
		p, err := s.decisions.Get(ctx, pid)
		if err != nil {
			return err
		}
		if err := s.decisions.DeleteDraft(ctx, pid); err != nil {
			return err
		}
		redirect(w, r, groupURL(p.GroupID, "/polls")+"?done=deleted")
		return nil
	})
}

func (s *Server) PollOutcomeSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	pid := r.PathValue("pid")
	in := decision.OutcomeInput{Statement: r.PostFormValue("statement"), MeetingOptionID: r.PostFormValue("meeting_option_id")}
	var err error
	if v := strings.TrimSpace(r.PostFormValue("review_on")); v != "" {
		day, perr := time.ParseInLocation("2006-01-02", v, s.viewerZone(r))
		if perr != nil {
			err = domain.Validation(domain.FieldError{Field: "review_on", Message: "must be a date like 2026-09-01"})
		} else {
			at := day.Add(9 * time.Hour) // the morning of that day
			in.ReviewOn = &at
		}
	}
	if v := r.PostFormValue("version"); v != "" {
		in.Version, _ = strconv.ParseInt(v, 10, 64)
	}
	if err == nil {
		_, err = s.decisions.SetOutcome(r.Context(), pid, in)
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound:
			s.PageError(w, r, err)
			return
		}
		f := newForm(formFromPost(r))
		status := pollForm(s.web.Printer(r), f, err)
		s.renderPoll(w, r, status, func(d *pollPageData) {
			if d.OutForm == nil {
				d.Action = f
				return
			}
			d.OutForm = f
			for i := range d.Meetings {
				d.Meetings[i].Checked = d.Meetings[i].ID == in.MeetingOptionID
			}
		})
		return
	}
	redirect(w, r, pollURL(pid)+"?done=outcome#outcome-title")
}

// ---- receipts ----

type receiptData struct {
	Poll   decision.Poll
	Form   *formState
	Result string
	Vote   string
	// Again: the page after a check, refreshed (the result is shown once).
	Again bool
}

// receiptScope is the once cookie's scope of a receipt being checked on
// poll pid's receipt page.
func receiptScope(pid string) string { return "receipt-" + pid }

// GET /polls/{pid}/receipt: the form, and after a check (the POST's
// redirect) its result, once: the receipt came in a once cookie (never in
// the address), is checked again here and forgotten, so a refresh shows
// the form again and sends nothing.
func (s *Server) PollReceiptPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.decisions.Get(ctx, r.PathValue("pid"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	pr := s.web.Printer(r)
	d := receiptData{Poll: p, Form: newForm(nil)}
	if receipt := httpx.TakeOnceCookie(w, r, receiptScope(p.ID)); receipt != "" {
		v, err := s.decisions.VerifyReceipt(ctx, p.ID, receipt)
		switch {
		case err == nil && v.Counted:
			d.Result = pr.T("page.poll.receipt_counted")
			d.Vote = ballotText(pr, p.Definition, v.Ballot)
		case err != nil && err != decision.ErrReceipt:
			s.PageError(w, r, err)
			return
		}
	} else if r.URL.Query().Get("done") == "checked" {
		d.Again = true // a refresh of the result: it is shown once
	}
	s.web.Page(w, r, http.StatusOK, "poll_receipt", pr.T("page.poll.receipt_title"), d)
}

// POST /polls/{pid}/receipt: a receipt that matches no ballot comes back
// with the error (nothing was written: a refresh fails the same way); one
// that matches is handed to the page in a once cookie and the answer is a
// redirect (Post/Redirect/Get), the receipt in neither address nor log.
func (s *Server) PollReceiptSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	p, err := s.decisions.Get(r.Context(), r.PathValue("pid"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := receiptData{Poll: p, Form: newForm(nil)} // the receipt is never echoed back
	receipt := strings.TrimSpace(r.PostFormValue("receipt"))
	v, err := s.decisions.VerifyReceipt(r.Context(), p.ID, receipt)
	if err == nil && v.Counted && len(receipt) <= httpx.MaxOnce {
		httpx.SetOnceCookie(w, receiptScope(p.ID), receipt)
		redirect(w, r, "/polls/"+p.ID+"/receipt?done=checked#receipt-result")
		return
	}
	if err == nil {
		err = decision.ErrReceipt
	}
	if c := domain.ErrorCode(err); c == domain.Internal || c == domain.Unavailable || c == domain.Unauthorized {
		s.PageError(w, r, err)
		return
	}
	if err == decision.ErrReceipt {
		err = domain.Validation(domain.FieldError{Field: "receipt", Message: "does not match a ballot in this poll"})
	}
	status := pollForm(s.web.Printer(r), d.Form, err)
	s.web.Page(w, r, status, "poll_receipt", s.web.Printer(r).T("page.poll.receipt_title"), d)
}
