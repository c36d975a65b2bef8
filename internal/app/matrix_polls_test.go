package app_test

// The poll routes in the authorization matrix (matrix_test.go).
//
// Each group fixture gets real polls by its owner O, all in the thread the
// guest actor G was invited to (fixture.thread), so G may see them (routes
// marked guest): an open proposal with results visible, the same inviting
// the thread's guests to vote ("guestpoll": G votes there, and reads its
// ballot list), a closed proposal with an outcome, an open anonymous
// proposal with a receipt of O's ballot, a closed meeting poll whose
// outcome picks a time (.ics), and an open specified-voters poll. G is not a
// voter of the others: voting, adding options and reading the list of
// votes there are refused to G. Cases that use a poll up (close, reopen,
// delete a draft) get a fresh one from the request builder; votes and
// withdrawals are made repeatable by the builder (a withdrawal first casts
// the actor's ballot through the core).

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

func init() {
	matrixAreas = append(matrixAreas, pollMatrix)
	fixtureHooks = append(fixtureHooks, pollFixture)
}

func (w *world) pollMust(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// newPoll creates a poll of type t as the person of ctx in group f (in the
// guest's thread), open for a week unless draft.
func (w *world) newPoll(ctx context.Context, f *fixture, t poll.Type, draft bool, edit func(*poll.Definition)) decision.Poll {
	w.t.Helper()
	d := poll.New(t)
	d.Title = fmt.Sprintf("Matrix %s poll %d", t, w.next())
	if t == poll.TypeMeeting {
		base := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
		d.Options = []poll.Option{{ID: "o1", Start: base}, {ID: "o2", Start: base.Add(24 * time.Hour)}}
	}
	if !draft {
		at := time.Now().Add(7 * 24 * time.Hour)
		d.Settings.ClosingAt = &at
	}
	if edit != nil {
		edit(&d)
	}
	p, err := w.a.Decisions.Create(ctx, decision.CreateInput{GroupID: f.id, ThreadID: f.thread, Definition: d})
	w.pollMust(err, "create "+string(t)+" poll in "+f.kind)
	return p
}

func agree() poll.Ballot {
	return poll.Ballot{Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}, Reason: "matrix reason"}
}

func pollFixture(w *world, f *fixture) {
	// Members other than O join in restore, after the hooks: O votes.
	o := w.people["O"].ctx
	open := w.newPoll(o, f, poll.TypeProposal, false, nil)
	_, err := w.a.Decisions.Vote(o, open.ID, decision.VoteInput{Ballot: agree()})
	w.pollMust(err, "vote")
	f.ext["poll"] = open.ID

	invites := w.newPoll(o, f, poll.TypeProposal, false, func(d *poll.Definition) { d.Settings.ThreadGuestsMayVote = true })
	_, err = w.a.Decisions.Vote(o, invites.ID, decision.VoteInput{Ballot: agree()})
	w.pollMust(err, "vote")
	f.ext["guestpoll"] = invites.ID

	closed := w.newPoll(o, f, poll.TypeProposal, false, nil)
	_, err = w.a.Decisions.Vote(o, closed.ID, decision.VoteInput{Ballot: agree()})
	w.pollMust(err, "vote")
	_, err = w.a.Decisions.Close(o, closed.ID)
	w.pollMust(err, "close")
	_, err = w.a.Decisions.SetOutcome(o, closed.ID, decision.OutcomeInput{Statement: "We agreed."})
	w.pollMust(err, "outcome")
	f.ext["closed"] = closed.ID

	anon := w.newPoll(o, f, poll.TypeProposal, false, func(d *poll.Definition) { d.Settings.Anonymous = true })
	res, err := w.a.Decisions.Vote(o, anon.ID, decision.VoteInput{Ballot: agree()})
	w.pollMust(err, "anonymous vote")
	f.ext["anon"], f.ext["receipt"] = anon.ID, res.Receipt

	meeting := w.newPoll(o, f, poll.TypeMeeting, false, nil)
	_, err = w.a.Decisions.Close(o, meeting.ID)
	w.pollMust(err, "close meeting")
	_, err = w.a.Decisions.SetOutcome(o, meeting.ID, decision.OutcomeInput{Statement: "See you then.", MeetingOptionID: "o1"})
	w.pollMust(err, "meeting outcome")
	f.ext["meeting"] = meeting.ID

	spec := w.newPoll(o, f, poll.TypeProposal, false, func(d *poll.Definition) { d.Settings.SpecifiedVotersOnly = true })
	w.pollMust(w.a.Decisions.AddVoter(o, spec.ID, w.people["O"].id), "add voter")
	f.ext["spec"] = spec.ID

	addable := w.newPoll(o, f, poll.TypePoll, false, func(d *poll.Definition) {
		d.Options = []poll.Option{{ID: "o1", Label: "First"}, {ID: "o2", Label: "Second"}}
		d.Settings.VotersMayAddOptions = true
	})
	f.ext["addable"] = addable.ID
}

// onPoll fills in {pid} with the fixture's poll of that name.
func onPoll(name string, b func(c *cas) call) func(c *cas) call {
	return withParam(b, "{pid}", func(c *cas) string { return c.f.ext[name] })
}

// freshPoll fills in {pid} with a new poll made for the case.
func freshPoll(b func(c *cas) call, make func(c *cas) string) func(c *cas) call {
	return withParam(b, "{pid}", make)
}

// freshOpen is a new open poll of O (kept while the cases are refused:
// world.keep).
func freshOpen(c *cas) string {
	return c.w.keep(c.f, "open poll", func() string {
		return c.w.newPoll(c.w.people["O"].ctx, c.f, poll.TypeProposal, false, nil).ID
	})
}

// freshClosed is a new closed poll of O (kept as freshOpen).
func freshClosed(c *cas) string {
	return c.w.keep(c.f, "closed poll", func() string {
		p := c.w.newPoll(c.w.people["O"].ctx, c.f, poll.TypeProposal, false, nil).ID
		_, err := c.w.a.Decisions.Close(c.w.people["O"].ctx, p)
		c.w.pollMust(err, "close")
		return p
	})
}

// freshDraft is a draft of the actor when they may start polls in the
// group (drafts are their author's only), else of O.
func freshDraft(c *cas) string {
	author := c.w.people["O"]
	if c.act.user != nil {
		if err := c.w.a.Groups.Authorize(c.act.user.ctx, c.f.id, authz.PollStart, authz.Target{}); err == nil {
			author = c.act.user
		}
	}
	return c.w.keep(c.f, "draft of "+author.key, func() string {
		return c.w.newPoll(author.ctx, c.f, poll.TypeProposal, true, nil).ID
	})
}

// withBallot casts the actor's ballot in the fixture's poll name first
// (when they may), so that withdrawing it is repeatable.
func withBallot(name string, b func(c *cas) call) func(c *cas) call {
	return func(c *cas) call {
		if c.act.user != nil {
			_, _ = c.w.a.Decisions.Vote(c.act.user.ctx, c.f.ext[name], decision.VoteInput{Ballot: agree()})
		}
		return onPoll(name, b)(c)
	}
}

func later(c *cas) string {
	return time.Now().UTC().Add(30*24*time.Hour + time.Duration(c.w.next())*time.Minute).Format(time.RFC3339)
}

func laterLocal(c *cas) string {
	return time.Now().UTC().Add(30*24*time.Hour + time.Duration(c.w.next())*time.Minute).Format("2006-01-02T15:04")
}

// editForm sends the open poll's edit form back as it is.
func editForm(c *cas) call {
	p, err := c.w.a.Decisions.Get(c.w.people["O"].ctx, c.f.ext["poll"])
	c.w.pollMust(err, "get poll")
	d := p.Definition
	f := url.Values{"type": {string(d.Type)}, "version": {strconv.FormatInt(p.Version, 10)}, "title": {d.Title},
		"details": {d.Details}, "closing_at": {d.Settings.ClosingAt.UTC().Add(time.Hour).Format("2006-01-02T15:04")},
		"hide_results": {string(d.Settings.HideResults)}, "reason_mode": {string(d.Settings.ReasonMode)},
		"reason_max_length": {strconv.Itoa(d.Settings.ReasonMaxLength)}, "quorum_percent": {"0"},
		"reminder_audience": {string(d.Settings.ReminderAudience)}}
	for _, o := range d.Options {
		f.Set("opt_"+o.ID, "on")
	}
	return call{method: "POST", path: "/polls/" + p.ID + "/edit", form: f}
}

func pollMatrix() map[string]spec {
	const all = "A A A A A A A A"
	// Seeing a poll in the guest's thread: whoever sees the group's content,
	// and the guest; the secret groups stay hidden from everyone else.
	view := [4]string{all, "S F A A F A A F", "H H A A H A A H", "H H A A F A A H"}
	// Voting: members (and the member's bot on the API), and the guest where
	// the poll invites the thread's guests ("guestpoll"); elsewhere the
	// guest sees the poll but is no voter (votes, options: refused).
	vote := [4]string{"S F A A F A A F", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	noGuestVote := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H F A H", "S H A A F F A H"}
	noGuestVotePage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H F F F", "H H A A F F F F"}
	// The list of votes, with names: whoever reads the group's content, and
	// the guest only where they are a voter.
	noGuestBallots := [4]string{all, "S F A A F F A F", "H H A A H F A H", "H H A A F F A H"}
	// Notifying chosen people of a poll or thread: members (and their bots).
	announce := [4]string{"S F A A F F A F", "S F A A F F A F", "H H A A H F A H", "H H A A F F A H"}
	announcePage := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H F F F", "H H A A F F F F"}
	// Reactions: members and the thread's guests, as comments.
	react := [4]string{"S F A A F A A F", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}
	reactPage := [4]string{"S F A A F A F F", "S F A A F A F F", "S H A A H A F F", "S H A A F A F F"}
	// Poll admins: the author O and the group's admins.
	admin := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H F F H", "H H F A F F F H"}
	adminPage := [4]string{"S F F A F F F F", "S F F A F F F F", "H H F A H F F F", "H H F A F F F F"}
	// Drafts are their author's only: the member and the admin delete their
	// own; others meet the group's content rule first, then a missing poll.
	draft := [4]string{"H H A A H H A H", "S F A A F H A F", "H H A A H H A H", "H H A A F H A H"}
	draftPage := [4]string{"H H A A H H F F", "S F A A F H F F", "H H A A H H F F", "H H A A F H F F"}
	// Group-level poll routes: the group's content (no thread, no guest).
	list := [4]string{all, "S F A A F F A F", "H H A A H H A H", "H H A A F H A H"}
	start := [4]string{"S F A A F F A F", "S F A A F F A F", "S H A A H H A H", "S H A A F H A H"}
	startPage := [4]string{"S F A A F F F F", "S F A A F F F F", "S H A A H H F F", "S H A A F H F F"}
	startPost := [4]string{"S F A A F F F F", "S F A A F F F F", "H H A A H H F F", "H H A A F H F F"}
	// The edit form asks anonymous visitors to sign in before reading the poll.
	editPage := [4]string{"S F F A F F F F", "S F F A F F F F", "S H F A H F F F", "S H F A F F F F"}

	return map[string]spec{
		// ---- JSON API ----
		"GET /api/v1/groups/{id}/polls": {build: get("/api/v1/groups/{id}/polls"), grp: list},
		"POST /api/v1/groups/{id}/polls": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/api/v1/groups/{id}/polls"), json: jsonOf(map[string]any{
				"type": "proposal", "title": fmt.Sprintf("Matrix API poll %d", c.w.next()), "settings": map[string]any{"closing_at": later(c)}})}
		}, grp: start},
		"GET /api/v1/polls/{pid}":    {build: onPoll("poll", get("/api/v1/polls/{pid}")), grp: view, guest: true},
		"PATCH /api/v1/polls/{pid}":  {build: onPoll("poll", api("PATCH", "/api/v1/polls/{pid}", `{"details":"Edited by the matrix."}`)), grp: admin, guest: true},
		"DELETE /api/v1/polls/{pid}": {build: freshPoll(api("DELETE", "/api/v1/polls/{pid}", ""), freshDraft), grp: draft},
		"POST /api/v1/polls/{pid}/extend": {build: func(c *cas) call {
			return call{method: "POST", path: "/api/v1/polls/" + c.f.ext["poll"] + "/extend", json: jsonOf(map[string]string{"closing_at": later(c)})}
		}, grp: admin, guest: true},
		"POST /api/v1/polls/{pid}/close": {build: freshPoll(api("POST", "/api/v1/polls/{pid}/close", ""), freshOpen), grp: admin, guest: true},
		"POST /api/v1/polls/{pid}/reopen": {build: func(c *cas) call {
			return call{method: "POST", path: "/api/v1/polls/" + freshClosed(c) + "/reopen", json: jsonOf(map[string]string{"closing_at": later(c)})}
		}, grp: admin, guest: true},
		// Voters may add options where the poll allows it (poll admins always).
		"POST /api/v1/polls/{pid}/options": {build: func(c *cas) call {
			return call{method: "POST", path: "/api/v1/polls/" + c.f.ext["addable"] + "/options",
				json: jsonOf(map[string]string{"label": fmt.Sprintf("Matrix option %d", c.w.next())})}
		}, grp: noGuestVote, guest: true},
		"GET /api/v1/polls/{pid}/voters": {build: onPoll("spec", get("/api/v1/polls/{pid}/voters")), grp: view, guest: true},
		"POST /api/v1/polls/{pid}/voters": {build: func(c *cas) call {
			_ = c.w.a.Decisions.RemoveVoter(c.w.people["O"].ctx, c.f.ext["spec"], c.w.people["T"].id)
			return call{method: "POST", path: "/api/v1/polls/" + c.f.ext["spec"] + "/voters", json: jsonOf(map[string]string{"user_id": c.w.people["T"].id})}
		}, grp: admin, guest: true},
		"DELETE /api/v1/polls/{pid}/voters/{uid}": {build: func(c *cas) call {
			_ = c.w.a.Decisions.AddVoter(c.w.people["O"].ctx, c.f.ext["spec"], c.w.people["T"].id)
			return call{method: "DELETE", path: "/api/v1/polls/" + c.f.ext["spec"] + "/voters/" + c.w.people["T"].id}
		}, grp: admin, guest: true},
		"GET /api/v1/polls/{pid}/ballot": {build: onPoll("poll", get("/api/v1/polls/{pid}/ballot")),
			grp: [4]string{"S A A A A A A A", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}, guest: true},
		"PUT /api/v1/polls/{pid}/ballot": {build: onPoll("guestpoll", api("PUT", "/api/v1/polls/{pid}/ballot", `{"choices":[{"option_id":"agree"}],"reason":"From the matrix."}`)), grp: vote, guest: true},
		// Withdrawing without a ballot is 404 "you have no ballot".
		"DELETE /api/v1/polls/{pid}/ballot": {build: withBallot("guestpoll", api("DELETE", "/api/v1/polls/{pid}/ballot", "")),
			grp: [4]string{"S H A A H A A H", "S F A A F A A F", "S H A A H A A H", "S H A A F A A H"}, guest: true},
		"POST /api/v1/polls/{pid}/receipt": {build: func(c *cas) call {
			return call{method: "POST", path: "/api/v1/polls/" + c.f.ext["anon"] + "/receipt", json: jsonOf(map[string]string{"receipt": c.f.ext["receipt"]})}
		}, grp: view, guest: true},
		"GET /api/v1/polls/{pid}/results":     {build: onPoll("poll", get("/api/v1/polls/{pid}/results")), grp: view, guest: true},
		"GET /api/v1/polls/{pid}/results.csv": {build: onPoll("poll", get("/api/v1/polls/{pid}/results.csv")), grp: view, guest: true},
		"GET /api/v1/polls/{pid}/ballots":     {build: onPoll("poll", get("/api/v1/polls/{pid}/ballots")), grp: noGuestBallots, guest: true},
		"GET /api/v1/polls/{pid}/ballots.csv": {build: onPoll("guestpoll", get("/api/v1/polls/{pid}/ballots.csv")), grp: view, guest: true},
		"GET /api/v1/polls/{pid}/undecided":   {build: onPoll("poll", get("/api/v1/polls/{pid}/undecided")), grp: admin, guest: true},
		"POST /api/v1/polls/{pid}/remind":     {build: onPoll("poll", api("POST", "/api/v1/polls/{pid}/remind", "")), grp: admin, guest: true},
		"POST /api/v1/polls/{pid}/announce": {build: func(c *cas) call {
			return call{method: "POST", path: "/api/v1/polls/" + c.f.ext["poll"] + "/announce", json: jsonOf(map[string]any{"user_ids": []string{c.w.people["O"].id}})}
		}, grp: announce, guest: true},
		"GET /api/v1/polls/{pid}/outcome": {build: onPoll("closed", get("/api/v1/polls/{pid}/outcome")), grp: view, guest: true},
		"PUT /api/v1/polls/{pid}/outcome": {build: onPoll("closed", api("PUT", "/api/v1/polls/{pid}/outcome", `{"statement":"We agreed, says the matrix."}`)),
			grp: admin, guest: true},
		"GET /api/v1/polls/{pid}/outcome.ics": {build: onPoll("meeting", get("/api/v1/polls/{pid}/outcome.ics")), grp: view, guest: true},
		// The outcome's edits: whoever sees the poll (as the outcome).
		"GET /api/v1/polls/{pid}/outcome/history": {build: onPoll("closed", get("/api/v1/polls/{pid}/outcome/history")), grp: view, guest: true},
		// Reactions: whoever may comment in the poll's thread (as on comments).
		"GET /api/v1/polls/{pid}/reactions": {build: onPoll("poll", get("/api/v1/polls/{pid}/reactions")), grp: view, guest: true},
		"PUT /api/v1/polls/{pid}/reactions/{target}/{name}": {build: onPoll("poll", api("PUT", "/api/v1/polls/{pid}/reactions/poll/heart", "")),
			grp: react, guest: true},
		"DELETE /api/v1/polls/{pid}/reactions/{target}/{name}": {build: onPoll("poll", api("DELETE", "/api/v1/polls/{pid}/reactions/poll/heart", "")),
			grp: react, guest: true},

		// ---- pages (Session routes refuse bearer tokens) ----
		"GET /groups/{id}/polls":     {build: get("/groups/{id}/polls"), grp: list},
		"GET /groups/{id}/polls/new": {build: get("/groups/{id}/polls/new?type=proposal"), grp: startPage},
		"POST /groups/{id}/polls": {build: func(c *cas) call {
			return call{method: "POST", path: c.sub("/groups/{id}/polls"), form: url.Values{"type": {"proposal"},
				"title": {fmt.Sprintf("Matrix page poll %d", c.w.next())}, "opt_agree": {"on"}, "opt_disagree": {"on"}, "closing_at": {laterLocal(c)}}}
		}, grp: startPost},
		"GET /polls/{pid}":       {build: onPoll("poll", get("/polls/{pid}")), grp: view, guest: true},
		"GET /polls/{pid}/edit":  {build: onPoll("poll", get("/polls/{pid}/edit")), grp: editPage, guest: true},
		"POST /polls/{pid}/edit": {build: editForm, grp: adminPage, guest: true},
		"POST /polls/{pid}/vote": {build: onPoll("poll", page("/polls/{pid}/vote", "choice", "agree", "reason", "From the matrix page.")), grp: noGuestVotePage, guest: true},
		"POST /polls/{pid}/withdraw": {build: withBallot("guestpoll", page("/polls/{pid}/withdraw")),
			grp: [4]string{"S H A A H A F F", "S F A A F A F F", "S H A A H A F F", "S H A A F A F F"}, guest: true},
		"POST /polls/{pid}/close": {build: freshPoll(page("/polls/{pid}/close"), freshOpen), grp: adminPage, guest: true},
		"POST /polls/{pid}/extend": {build: func(c *cas) call {
			return call{method: "POST", path: "/polls/" + c.f.ext["poll"] + "/extend", form: url.Values{"closing_at": {laterLocal(c)}}}
		}, grp: adminPage, guest: true},
		"POST /polls/{pid}/reopen": {build: func(c *cas) call {
			return call{method: "POST", path: "/polls/" + freshClosed(c) + "/reopen", form: url.Values{"closing_at": {laterLocal(c)}}}
		}, grp: adminPage, guest: true},
		"POST /polls/{pid}/remind": {build: onPoll("poll", page("/polls/{pid}/remind")), grp: adminPage, guest: true},
		"POST /polls/{pid}/announce": {build: func(c *cas) call {
			return call{method: "POST", path: "/polls/" + c.f.ext["poll"] + "/announce", form: url.Values{"notify_shown": {"1"}, "notify_user": {c.w.people["O"].id}}}
		}, grp: announcePage, guest: true},
		"POST /polls/{pid}/delete":  {build: freshPoll(page("/polls/{pid}/delete"), freshDraft), grp: draftPage},
		"POST /polls/{pid}/react":   {build: onPoll("poll", page("/polls/{pid}/react", "target", "poll", "name", "tada", "on", "1")), grp: reactPage, guest: true},
		"POST /polls/{pid}/outcome": {build: onPoll("closed", page("/polls/{pid}/outcome", "statement", "We agreed, says the matrix page.")), grp: adminPage, guest: true},
		"GET /polls/{pid}/receipt":  {build: onPoll("anon", get("/polls/{pid}/receipt")), grp: view, guest: true},
		"POST /polls/{pid}/receipt": {build: func(c *cas) call {
			return call{method: "POST", path: "/polls/" + c.f.ext["anon"] + "/receipt", form: url.Values{"receipt": {c.f.ext["receipt"]}}}
		}, grp: votePageView(), guest: true},
		// The page forms of options and specified voters: as in the API.
		"POST /polls/{pid}/options": {build: func(c *cas) call {
			return call{method: "POST", path: "/polls/" + c.f.ext["addable"] + "/options",
				form: url.Values{"label": {fmt.Sprintf("Matrix page option %d", c.w.next())}}}
		}, grp: noGuestVotePage, guest: true},
		"POST /polls/{pid}/voters": {build: func(c *cas) call {
			_ = c.w.a.Decisions.RemoveVoter(c.w.people["O"].ctx, c.f.ext["spec"], c.w.people["T"].id)
			return call{method: "POST", path: "/polls/" + c.f.ext["spec"] + "/voters", form: url.Values{"user_id": {c.w.people["T"].id}}}
		}, grp: adminPage, guest: true},
		"POST /polls/{pid}/voters/{uid}/remove": {build: func(c *cas) call {
			_ = c.w.a.Decisions.AddVoter(c.w.people["O"].ctx, c.f.ext["spec"], c.w.people["T"].id)
			return call{method: "POST", path: "/polls/" + c.f.ext["spec"] + "/voters/" + c.w.people["T"].id + "/remove", form: url.Values{}}
		}, grp: adminPage, guest: true},
	}
}

// votePageView: a Session page anyone who sees the poll may use (checking
// a receipt needs no account, only the receipt).
func votePageView() [4]string {
	return [4]string{"A A A A A A F F", "S F A A F A F F", "H H A A H A F F", "H H A A F A F F"}
}
