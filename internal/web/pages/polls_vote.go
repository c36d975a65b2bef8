package pages

// The vote form of a poll page: its state for each poll type (ticks, ranks,
// scores, the posted ballot kept on refusal), reading a ballot from the form,
// and the vote submit.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/poll"
)

type voteOption struct {
	ID, Label  string
	Checked    bool
	Value      string // score or dots
	Answer     int    // meeting: 2 yes, 1 maybe, 0 no, -1 none
	Rank       int    // ranked choice: 1..N, 0 unranked
	First      bool
	Last       bool
	FieldID    string
	FieldName  string
	AnswerName string
}

type voteForm struct {
	Form                       *formState
	Type                       string
	Radio, Checks, Scores      bool
	Ranked, Dots, Meeting      bool
	Question                   bool
	Options                    []voteOption
	NoneOffered, None          bool
	Reason                     string
	ReasonOff, ReasonRequired  bool
	ReasonMax                  int
	Order                      string
	N                          int
	Budget, Used, Left         int
	MinScore, MaxScore         int
	Maybe                      bool
	Zone                       string
	Anonymous, Voted, Changing bool
	Receipt                    string
	// For is the member the viewer votes for with their proxy (ForName
	// names them); empty for the viewer's own vote.
	For, ForName           string
	MinChoices, MaxChoices int
	// Arranged: the ranked-choice list holds the voter's own order (their
	// ballot, or a list they moved); an untouched list ranks nothing and
	// cannot be cast (ballotFromForm).
	Arranged bool
	// Compact: the card's form of a poll with many options (folded).
	Compact bool
	// Prefix starts the form's field ids ("p<poll id>-" on a thread's
	// poll card, where several forms share the page).
	Prefix string
}

// voteFormFor builds the vote form: from the posted form when given
// (re-rendering after an error or a move), else from the viewer's ballot.
func (s *Server) voteFormFor(r *http.Request, p decision.Poll, mine decision.MyBallot, posted *poll.Ballot, order []string) *voteForm {
	def := p.Definition
	st := def.Settings
	pr := s.web.Printer(r)
	vf := &voteForm{Form: newForm(nil), Type: string(def.Type), NoneOffered: st.NoneOfTheAbove,
		ReasonOff: st.ReasonMode == poll.ReasonDisabled, ReasonRequired: st.ReasonMode == poll.ReasonRequired,
		ReasonMax: st.ReasonMaxLength, Budget: st.DotsPerPerson, MinScore: st.MinScore, MaxScore: st.MaxScore,
		Maybe: st.CanRespondMaybe, Zone: readerZone(pr), Anonymous: st.Anonymous, Voted: mine.Voted,
		MinChoices: st.MinChoices, MaxChoices: st.MaxChoices, N: def.RankedN()}
	if vf.ReasonMax == 0 {
		vf.ReasonMax = poll.MaxReasonLength
	}
	switch def.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck:
		vf.Radio = true
	case poll.TypePoll:
		vf.Radio = st.MaxChoices <= 1
		vf.Checks = !vf.Radio
	case poll.TypeScore:
		vf.Scores = true
	case poll.TypeRankedChoice:
		vf.Ranked = true
	case poll.TypeDotVote:
		vf.Dots = true
	case poll.TypeMeeting:
		vf.Meeting = true
	case poll.TypeQuestion:
		vf.Question = true
	}
	b := posted
	if b == nil && mine.Ballot != nil {
		b = mine.Ballot
	}
	scores := map[string]int{}
	ranks := map[string]int{}
	if b != nil {
		vf.None = b.NoneOfTheAbove
		vf.Reason = b.Reason
		for i, c := range b.Choices {
			scores[c.OptionID] = c.Score
			ranks[c.OptionID] = i + 1
		}
	}
	opts := viewerOrder(r, p)
	if def.Type == poll.TypeRankedChoice {
		opts = rankedOrder(def, opts, order, b)
		vf.Arranged = b != nil && len(b.Choices) > 0
	}
	for i, o := range opts {
		vo := voteOption{ID: o.ID, Label: handlerkit.OptionLabel(pr, def, o), FieldID: "opt-" + o.ID, Answer: -1}
		sc, has := scores[o.ID]
		switch {
		case vf.Radio || vf.Checks:
			vo.Checked = has
		case vf.Scores:
			if has {
				vo.Value = strconv.Itoa(sc)
			}
			vo.FieldName = "score." + o.ID
		case vf.Dots:
			vo.Value = "0"
			if has {
				vo.Value = strconv.Itoa(sc)
				vf.Used += sc
			}
			vo.FieldName = "dots." + o.ID
		case vf.Meeting:
			if has {
				vo.Answer = sc
			}
			vo.AnswerName = "answer." + o.ID
		case vf.Ranked:
			if i < vf.N && vf.Arranged {
				vo.Rank = i + 1
			}
			vo.First, vo.Last = i == 0, i == len(opts)-1
		}
		vf.Options = append(vf.Options, vo)
	}
	if vf.Ranked && vf.Arranged {
		ids := make([]string, len(opts))
		for i, o := range opts {
			ids[i] = o.ID
		}
		vf.Order = strings.Join(ids, ",")
	}
	vf.Compact = len(vf.Options) > cardCompactOptions
	vf.Left = vf.Budget - vf.Used
	return vf
}

// cardCompactOptions: a poll card folds its vote form away behind a
// "Vote" disclosure when the poll has more options than this (the card
// stays a bounded size in the timeline).
const cardCompactOptions = 6

// viewerOrder is the options in the order the viewer sees them: the
// poll's order, or shuffled per viewer when the poll is set so.
func viewerOrder(r *http.Request, p decision.Poll) []poll.Option {
	a := authz.ActorFrom(r.Context())
	return poll.DisplayOrder(p.Definition, poll.ShuffleSeed(p.ID, a.UserID))
}

// viewerOrderIDs is viewerOrder's option ids.
func viewerOrderIDs(r *http.Request, p decision.Poll) []string {
	opts := viewerOrder(r, p)
	ids := make([]string, len(opts))
	for i, o := range opts {
		ids[i] = o.ID
	}
	return ids
}

// rankedOrder is the order of a ranked-choice form: the posted order when
// it names every option once, else the ballot's ranking first, then the
// rest in display order.
func rankedOrder(d poll.Definition, display []poll.Option, order []string, b *poll.Ballot) []poll.Option {
	byID := map[string]poll.Option{}
	for _, o := range d.Options {
		byID[o.ID] = o
	}
	if len(order) == len(d.Options) {
		out := make([]poll.Option, 0, len(order))
		seen := map[string]bool{}
		for _, id := range order {
			o, ok := byID[id]
			if !ok || seen[id] {
				out = nil
				break
			}
			seen[id] = true
			out = append(out, o)
		}
		if out != nil {
			return out
		}
	}
	var out []poll.Option
	seen := map[string]bool{}
	if b != nil {
		for _, c := range b.Choices {
			if o, ok := byID[c.OptionID]; ok && !seen[c.OptionID] {
				out = append(out, o)
				seen[c.OptionID] = true
			}
		}
	}
	for _, o := range display {
		if !seen[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

// ballotFromForm reads the vote form of any type. Numbers that do not parse
// are field errors; every other rule is the core's.
func ballotFromForm(d poll.Definition, form url.Values) (poll.Ballot, []string, error) {
	var fe domain.FieldErrors
	b := poll.Ballot{Reason: form.Get("reason"), NoneOfTheAbove: form.Get("none") != ""}
	var order []string
	switch d.Type {
	case poll.TypeProposal, poll.TypeCount, poll.TypeCheck, poll.TypePoll:
		for _, id := range form["choice"] {
			if id == "none_of_the_above" {
				b.NoneOfTheAbove = true
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: id, Score: 1})
		}
	case poll.TypeScore, poll.TypeDotVote:
		prefix := "score."
		if d.Type == poll.TypeDotVote {
			prefix = "dots."
		}
		for _, o := range d.Options {
			v := strings.TrimSpace(form.Get(prefix + o.ID))
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add("choices", "%s: must be a whole number", o.Label)
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: o.ID, Score: n})
		}
	case poll.TypeRankedChoice:
		// The form posts an order only once the voter arranged the list
		// (moved an option, or chose "Rank in this order"): an untouched
		// list is no ranking at all.
		order = httpx.FormCommas(form.Get("order"))
		if len(order) == 0 && !b.NoneOfTheAbove {
			fe.Add("choices", "put the options in your order first: drag them, or use the Up and Down buttons")
		}
		if !b.NoneOfTheAbove {
			for i, id := range order {
				if i >= d.RankedN() {
					break
				}
				b.Choices = append(b.Choices, poll.Choice{OptionID: id})
			}
		}
	case poll.TypeMeeting:
		for _, o := range d.Options {
			v := form.Get("answer." + o.ID)
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add("choices", "%s: choose yes, maybe or no", meetingArg(o))
				continue
			}
			b.Choices = append(b.Choices, poll.Choice{OptionID: o.ID, Score: n})
		}
	}
	return b, order, fe.Err()
}

// move applies "up:<id>" or "down:<id>" to a ranked order ("keep" keeps
// it: the voter takes the order as it stands).
func move(order []string, cmd string) []string {
	dir, id, ok := strings.Cut(cmd, ":")
	if !ok {
		return order
	}
	i := slices.Index(order, id)
	if i < 0 {
		return order
	}
	out := slices.Clone(order)
	switch {
	case dir == "up" && i > 0:
		out[i-1], out[i] = out[i], out[i-1]
	case dir == "down" && i < len(out)-1:
		out[i+1], out[i] = out[i], out[i+1]
	}
	return out
}

func (s *Server) PollVoteSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := s.decisions.Get(ctx, r.PathValue("pid"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	b, order, perr := ballotFromForm(p.Definition, r.PostForm)
	// An inline vote from the poll's card on its thread page goes back there.
	fromThread := r.PostFormValue("back") == "thread" && p.ThreadID != ""
	receipt := strings.TrimSpace(r.PostFormValue("receipt"))
	forID := r.PostFormValue("for") // a vote with a proxy (polls_proxy.go)
	// A move button of the ranked-choice form reorders without voting.
	if m := r.PostFormValue("move"); m != "" && p.Definition.Type == poll.TypeRankedChoice {
		if len(order) == 0 { // the first move: from the order the voter was shown
			order = viewerOrderIDs(r, p)
		}
		order = move(order, m)
		b.Choices = nil // a move arranges the list: its top N is the ranking shown
		for i, id := range order {
			if i < p.Definition.RankedN() {
				b.Choices = append(b.Choices, poll.Choice{OptionID: id})
			}
		}
		if fromThread {
			r.SetPathValue("tid", p.ThreadID)
			if item := r.PostFormValue("item"); item != "" {
				r.URL.RawQuery = url.Values{"comment": {item}}.Encode()
			}
			s.renderThreadWith(w, r, http.StatusOK, func(d *threadPageData) {
				d.FailedVote = &inlineVote{PollID: p.ID, Form: newForm(nil), Ballot: b, Order: order}
			})
			return
		}
		s.renderPoll(w, r, http.StatusOK, func(d *pollPageData) {
			if d.Vote != nil {
				d.Vote = s.voteFormFor(r, p, d.Mine, &b, order)
				d.Vote.Receipt = receipt
				d.Vote.Changing = true
			}
		})
		return
	}
	var res decision.VoteResult
	err = perr
	if err == nil {
		res, err = s.decisions.Vote(ctx, p.ID, decision.VoteInput{Ballot: b, Receipt: receipt, For: forID})
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.Internal, domain.Unavailable, domain.Unauthorized:
			s.PageError(w, r, err)
			return
		case domain.NotFound:
			if err != decision.ErrReceipt {
				s.PageError(w, r, err)
				return
			}
		}
		f := newForm(nil)
		status := pollForm(s.web.Printer(r), f, err)
		if fromThread {
			// Back to the thread, the card showing the error and the choice.
			r.SetPathValue("tid", p.ThreadID)
			if item := r.PostFormValue("item"); item != "" {
				r.URL.RawQuery = url.Values{"comment": {item}}.Encode() // the page holding the card
			}
			s.renderThreadWith(w, r, status, func(d *threadPageData) {
				d.FailedVote = &inlineVote{PollID: p.ID, Form: f, Ballot: b, Order: order}
			})
			return
		}
		s.renderPoll(w, r, status, func(d *pollPageData) {
			if d.Vote == nil {
				d.Action = f
				return
			}
			forName := d.Vote.ForName
			d.Vote = s.voteFormFor(r, p, d.Mine, &b, order)
			d.Vote.Form = f
			d.Vote.Receipt = receipt
			d.Vote.Changing = true
			if forID != "" {
				d.Vote.For, d.Vote.ForName = forID, forName
			}
		})
		return
	}
	if forID != "" {
		redirect(w, r, votedForURL(p.ID))
		return
	}
	if res.Receipt != "" {
		// Shown once, by the poll page the redirect leads to: never in a
		// URL or a log (httpx.OnceCookie).
		httpx.SetOnceCookie(w, "poll-"+p.ID, res.Receipt)
		redirect(w, r, pollURL(p.ID)+"?done=voted#receipt-value")
		return
	}
	done := "voted"
	if res.Changed {
		done = "changed"
	}
	if fromThread {
		redirect(w, r, voteBackURL(p.ThreadID, r.PostFormValue("item"), p.ID, done))
		return
	}
	redirect(w, r, pollURL(p.ID)+"?done="+done+"#results-title")
}
