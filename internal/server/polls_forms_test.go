package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/poll"
)

func pollIDFrom(t *testing.T, r resp) string {
	t.Helper()
	if r.code != 303 || !strings.HasPrefix(r.hdr.Get("Location"), "/polls/") {
		t.Fatalf("not created: %d %.800s", r.code, r.body)
	}
	return strings.TrimPrefix(strings.Split(r.hdr.Get("Location"), "?")[0], "/polls/")
}

// The poll form sets vote-share requirements, specified voters and "voters
// may add options"; the poll page lists, adds and removes voters (poll
// admins) and lets voters add options where the poll allows it.
func TestPollFormsVoteShareVotersAndAddedOptions(t *testing.T) {
	e, o, m, n := newPollEnv(t)
	later := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")
	base := func(typ, title string) url.Values {
		return url.Values{"type": {typ}, "title": {title}, "closing_at": {later}, "hide_results": {"off"}, "reason_mode": {"optional"},
			"reason_max_length": {"500"}, "quorum_percent": {"0"}, "reminder_audience": {"undecided"}, "more_settings": {"on"}}
	}
	form := e.must(e.do(o, "GET", "/groups/"+e.gid+"/polls/new?type=proposal", nil), 200, "proposal form").body
	if strings.Contains(form, `id="vs_option_1"`) {
		t.Errorf("the new form shows an empty vote-share row")
	}
	for _, want := range []string{`name="form_action" value="add_rule"`, `id="specified_voters_only"`, `id="voter-` + m.id + `"`, "Milo Member"} {
		if !strings.Contains(form, want) {
			t.Fatalf("the form lacks %s", want)
		}
	}

	// A requirement naming no option is refused with the reason.
	f := base("proposal", "Adopt the charter")
	f.Set("opt_agree", "on")
	f.Set("opt_disagree", "on")
	f.Set("vs_option_1", "Maybe")
	f.Set("vs_measure_1", "voter_percent")
	f.Set("vs_op_1", ">=")
	f.Set("vs_threshold_1", "66.67")
	r := e.do(o, "POST", "/groups/"+e.gid+"/polls", f)
	if r.code != 400 || !strings.Contains(r.body, "is not one of the options") || !strings.Contains(r.body, `value="Maybe"`) {
		t.Fatalf("bad requirement: %d %.600s", r.code, r.body)
	}
	// Valid: agree needs two thirds of the voters; only Olga and Milo vote.
	f.Set("vs_option_1", "agree")
	f.Set("specified_voters_only", "on")
	f["voter"] = []string{o.id, m.id}
	pid := pollIDFrom(t, e.do(o, "POST", "/groups/"+e.gid+"/polls", f))
	p, err := e.a.Decisions.Get(o.ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	vs := p.Definition.Settings.VoteShare
	if len(vs) != 1 || vs[0].OptionID != poll.OptionAgree || vs[0].Measure != poll.MeasureVoterPercent || vs[0].Op != poll.AtLeast ||
		vs[0].Threshold != 66.67 || !p.Definition.Settings.SpecifiedVotersOnly || p.VoterCount != 2 {
		t.Fatalf("created %+v, voters %d", p.Definition.Settings, p.VoterCount)
	}
	// The edit form shows the requirement again and saving keeps it.
	edit := e.must(e.do(o, "GET", "/polls/"+pid+"/edit", nil), 200, "edit form").body
	if !strings.Contains(edit, `id="vs_option_1" name="vs_option_1" value="Agree"`) || !strings.Contains(edit, `value="66.67"`) {
		t.Fatalf("edit form lacks the requirement: %.2000s", edit)
	}

	// Voters on the poll page: Nina cannot vote until added.
	page := e.must(e.do(o, "GET", "/polls/"+pid, nil), 200, "poll page").body
	if !strings.Contains(page, `action="/polls/`+pid+`/voters/`+m.id+`/remove"`) || !strings.Contains(page, `<option value="`+n.id+`">Nina Member</option>`) {
		t.Fatalf("admin page lacks the voter controls: %.3000s", page)
	}
	if mp := e.must(e.do(m, "GET", "/polls/"+pid, nil), 200, "member page").body; !strings.Contains(mp, "Olga Owner") ||
		strings.Contains(mp, "/voters/"+m.id+"/remove") {
		t.Fatal("a voter sees the admin's controls or not the list")
	}
	if _, err := e.a.Decisions.Vote(n.ctx, pid, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: poll.OptionAgree, Score: 1}}}}); err == nil {
		t.Fatal("Nina voted without being a voter")
	}
	if r := e.do(m, "POST", "/polls/"+pid+"/voters", url.Values{"user_id": {n.id}}); r.code != 403 {
		t.Fatalf("a voter added a voter: %d", r.code)
	}
	r = e.do(o, "POST", "/polls/"+pid+"/voters", url.Values{"user_id": {n.id}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "done=voter_added") {
		t.Fatalf("add voter: %d %.400s", r.code, r.body)
	}
	agreeVote(e, n, pid)
	agreeVote(e, m, pid)
	r = e.do(o, "POST", "/polls/"+pid+"/voters/"+n.id+"/remove", url.Values{})
	if r.code != 303 {
		t.Fatalf("remove voter: %d %.400s", r.code, r.body)
	}
	p, _ = e.a.Decisions.Get(o.ctx, pid)
	res, err := e.a.Decisions.Results(o.ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.VoterCount != 2 || res.Results == nil || res.Results.Decided != 1 {
		t.Fatalf("after removal: voters %d, results %+v", p.VoterCount, res.Results)
	}

	// Adding options: only where the poll allows it.
	open := base("poll", "Pick a colour")
	open.Set("options", "Red\nGreen")
	open.Set("min_choices", "1")
	open.Set("max_choices", "1")
	open.Set("voters_may_add_options", "on")
	addable := pollIDFrom(t, e.do(o, "POST", "/groups/"+e.gid+"/polls", open))
	closedList := base("poll", "Pick a shape")
	closedList.Set("options", "Round\nSquare")
	closedList.Set("min_choices", "1")
	closedList.Set("max_choices", "1")
	fixed := pollIDFrom(t, e.do(o, "POST", "/groups/"+e.gid+"/polls", closedList))
	if mp := e.must(e.do(m, "GET", "/polls/"+addable, nil), 200, "addable page").body; !strings.Contains(mp, `action="/polls/`+addable+`/options"`) {
		t.Fatal("no add-option form for a voter")
	}
	if mp := e.must(e.do(m, "GET", "/polls/"+fixed, nil), 200, "fixed page").body; strings.Contains(mp, "/options\"") {
		t.Fatal("an add-option form where voters may not add options")
	}
	r = e.do(m, "POST", "/polls/"+addable+"/options", url.Values{"label": {"Blue"}})
	if r.code != 303 || !strings.Contains(r.hdr.Get("Location"), "done=option") {
		t.Fatalf("add option: %d %.400s", r.code, r.body)
	}
	if r := e.do(m, "POST", "/polls/"+fixed+"/options", url.Values{"label": {"Oval"}}); r.code != 403 || !strings.Contains(r.body, "voters may not add options") {
		t.Fatalf("option on a fixed poll: %d %.400s", r.code, r.body)
	}
	if r := e.do(m, "POST", "/polls/"+addable+"/options", url.Values{"label": {""}}); r.code != 400 {
		t.Fatalf("empty option: %d", r.code)
	}
	got, _ := e.a.Decisions.Get(m.ctx, addable)
	if len(got.Definition.Options) != 3 || got.Definition.Options[2].Label != "Blue" || !got.Definition.Settings.VotersMayAddOptions {
		t.Fatalf("options %+v", got.Definition.Options)
	}
	fx, _ := e.a.Decisions.Get(m.ctx, fixed)
	if len(fx.Definition.Options) != 2 {
		t.Fatalf("fixed poll options %+v", fx.Definition.Options)
	}
}
