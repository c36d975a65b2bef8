package process_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

type fx struct {
	t                    *testing.T
	c                    *cores.Cores
	admin, member, other context.Context
	gid                  string
}

// newFx: an open group with an admin and a member on the in-memory table,
// and someone who is neither.
func newFx(t *testing.T, privacy string) *fx {
	t.Helper()
	env := testcloud.Fast(t)
	c, err := cores.NewWith(context.Background(), env.Config, env.Clients, logging.New(&bytes.Buffer{}, "error"))
	if err != nil {
		t.Fatal(err)
	}
	person := func(name string) context.Context {
		return testkit.NewPersonWithEmail(t, c.Accounts, name, name+"-"+env.Prefix+"@example.org").Ctx
	}
	f := &fx{t: t, c: c, admin: person("ada"), member: person("ben"), other: person("cy")}
	g, err := c.Groups.Create(f.admin, group.CreateInput{Name: "Garden", Handle: "garden-" + env.Prefix, Privacy: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.Join(f.member, g.ID); err != nil {
		t.Fatal(err)
	}
	if privacy != "open" {
		g, err = c.Groups.Get(f.admin, g.ID)
		if err == nil {
			_, err = c.Groups.Update(f.admin, g.ID, group.UpdateInput{Version: g.Version, Privacy: &privacy})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	f.gid = g.ID
	return f
}

func (f *fx) must(err error, what string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func code(err error) domain.Code { return domain.ErrorCode(err) }

func ids(l process.List) []string {
	var out []string
	for _, t := range l.Templates {
		out = append(out, t.ID)
	}
	return out
}

func TestBuiltInTemplatesInEveryLanguage(t *testing.T) {
	f := newFx(t, "open")
	for _, l := range lang.Supported {
		list, err := f.c.Processes.List(f.member, f.gid, l)
		f.must(err, "list")
		if got, want := strings.Join(ids(list), ","), strings.Join(process.BuiltinKeys(), ","); got != want {
			t.Fatalf("%s: templates %s, want the built-in ones %s", l, got, want)
		}
		if list.CanManage {
			t.Errorf("%s: a member may manage templates", l)
		}
		for _, tp := range list.Templates {
			if tp.Name == "" || tp.Guide == "" || strings.Contains(tp.Name+tp.Guide, "⟦") {
				t.Errorf("%s: %s has name %q guide %q", l, tp.ID, tp.Name, tp.Guide)
			}
			if tp.Kind == process.KindPoll && (tp.Poll == nil || tp.Poll.Settings.ClosingAt != nil || tp.ClosingDays < 1) {
				t.Errorf("%s: poll template %s without a definition or offset: %+v", l, tp.ID, tp)
			}
		}
	}
	// Every built-in definition is one the poll core accepts once titled
	// and given options.
	for _, k := range process.BuiltinKeys() {
		s, err := f.c.Processes.Start(f.member, f.gid, k, lang.English)
		f.must(err, "start "+k)
		if s.Poll == nil {
			continue
		}
		d := poll.Definition{Type: s.Poll.Type, Title: "Try " + k, Options: s.Poll.Options, Settings: s.Poll.Settings}
		if d.Type.FreeOptions() {
			d.Options = []poll.Option{{ID: "a", Label: "A"}, {ID: "b", Label: "B"}, {ID: "c", Label: "C"}}
			if d.Type == poll.TypeMeeting {
				at := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
				d.Options = []poll.Option{{ID: "a", Start: at}, {ID: "b", Start: at.Add(time.Hour)}}
			}
		}
		if _, err := f.c.Decisions.Create(f.member, decision.CreateInput{GroupID: f.gid, Definition: d}); err != nil {
			t.Errorf("a poll started from %s is refused: %v", k, err)
		}
	}
}

func TestStartPrefillsAndCreatesNothing(t *testing.T) {
	f := newFx(t, "open")
	before := time.Now()
	s, err := f.c.Processes.Start(f.member, f.gid, "consent", lang.German)
	f.must(err, "start consent")
	// Consent is a thread with a consent proposal in it.
	if s.Kind != process.KindThread || s.Thread == nil || s.Poll == nil || s.Poll.Type != poll.TypeProposal || s.ClosingDays != 7 {
		t.Fatalf("consent starts %+v", s)
	}
	if len(s.Poll.Options) != 2 || s.Poll.Options[0].ID != poll.OptionConsent || s.Poll.Options[1].ID != poll.OptionObjection {
		t.Errorf("consent options %+v", s.Poll.Options)
	}
	if s.Name != "Konsent-Entscheidung" || !strings.Contains(s.Guide, "Einwände") {
		t.Errorf("consent in German: %q, %q", s.Name, s.Guide)
	}
	at := s.Poll.Settings.ClosingAt
	if at == nil || at.Before(before.Add(7*24*time.Hour-time.Hour)) || at.After(before.Add(7*24*time.Hour+time.Minute)) {
		t.Errorf("closing time %v, want about 7 days from now", at)
	}
	th, err := f.c.Processes.Start(f.member, f.gid, "advice", lang.English)
	f.must(err, "start advice")
	if th.Kind != process.KindThread || th.Thread == nil || th.Poll == nil || th.Poll.Type != poll.TypeQuestion {
		t.Errorf("advice starts %+v", th)
	}
	if dv, err := f.c.Processes.Start(f.member, f.gid, "dot_vote", lang.English); err != nil || dv.Kind != process.KindPoll || dv.Thread != nil {
		t.Errorf("dot vote starts %+v, %v", dv, err)
	}
	polls, err := f.c.Decisions.List(f.member, f.gid, "", 10)
	f.must(err, "polls")
	if len(polls.Items) != 0 {
		t.Errorf("starting from a template created %d polls", len(polls.Items))
	}
	if _, err := f.c.Processes.Start(f.member, f.gid, "nonesuch", lang.English); code(err) != domain.NotFound {
		t.Errorf("unknown template: %v", err)
	}
}

func TestWhoMaySeeAndManage(t *testing.T) {
	f := newFx(t, "closed")
	anon := authz.WithActor(context.Background(), authz.Actor{Kind: authz.Anonymous})
	if _, err := f.c.Processes.List(f.other, f.gid, lang.English); code(err) != domain.Forbidden {
		t.Errorf("outsider lists a closed group's templates: %v", err)
	}
	if _, err := f.c.Processes.List(anon, f.gid, lang.English); code(err) != domain.Unauthorized {
		t.Errorf("anonymous lists a closed group's templates: %v", err)
	}
	if _, err := f.c.Processes.Start(f.other, f.gid, "consent", lang.English); code(err) != domain.Forbidden {
		t.Errorf("outsider starts from a template: %v", err)
	}
	in := process.Input{Kind: process.KindThread, Name: "Weekly update", Title: "Update for week"}
	if _, err := f.c.Processes.Create(f.member, f.gid, in); code(err) != domain.Forbidden {
		t.Errorf("member saves a template: %v", err)
	}
	if err := f.c.Processes.SetHidden(f.member, f.gid, "consent", true); code(err) != domain.Forbidden {
		t.Errorf("member hides a template: %v", err)
	}
	tp, err := f.c.Processes.Create(f.admin, f.gid, in)
	f.must(err, "admin saves")
	if err := f.c.Processes.Delete(f.member, f.gid, tp.ID); code(err) != domain.Forbidden {
		t.Errorf("member deletes a template: %v", err)
	}
	list, err := f.c.Processes.List(f.admin, f.gid, lang.English)
	f.must(err, "list")
	if !list.CanManage {
		t.Error("admin may not manage")
	}
}

func TestSaveAPollAsTemplateAndStartFromIt(t *testing.T) {
	f := newFx(t, "open")
	at := time.Now().Add(48 * time.Hour)
	d := poll.New(poll.TypeDotVote)
	d.Title, d.Details = "Where to plant", "Pick beds."
	d.Options = []poll.Option{{ID: "o1", Label: "North bed"}, {ID: "o2", Label: "South bed"}}
	d.Settings.DotsPerPerson = 5
	d.Settings.ClosingAt = &at
	src, err := f.c.Decisions.Create(f.admin, decision.CreateInput{GroupID: f.gid, Definition: d})
	f.must(err, "poll")

	tp, err := f.c.Processes.Create(f.admin, f.gid, process.Input{From: "poll:" + src.ID, Name: "Planting vote", Guide: "Five dots each.", ClosingDays: 3})
	f.must(err, "save as template")
	if tp.Kind != process.KindPoll || tp.Poll == nil || tp.Poll.Settings.ClosingAt != nil || tp.Poll.Settings.DotsPerPerson != 5 ||
		len(tp.Poll.Options) != 2 || tp.Title != "Where to plant" || tp.Details != "Pick beds." || tp.ClosingDays != 3 {
		t.Fatalf("template %+v (poll %+v)", tp, tp.Poll)
	}
	list, err := f.c.Processes.List(f.member, f.gid, lang.English)
	f.must(err, "list")
	if list.Templates[0].ID != tp.ID || list.Templates[0].BuiltIn {
		t.Errorf("the group's template is not offered first: %v", ids(list))
	}
	s, err := f.c.Processes.Start(f.member, f.gid, tp.ID, lang.English)
	f.must(err, "start")
	if s.Poll.Settings.ClosingAt == nil || time.Until(*s.Poll.Settings.ClosingAt) > 72*time.Hour || time.Until(*s.Poll.Settings.ClosingAt) < 71*time.Hour {
		t.Errorf("closing %v, want 3 days from now", s.Poll.Settings.ClosingAt)
	}
	// The member submits the prefilled poll and votes in it.
	p, err := f.c.Decisions.Create(f.member, decision.CreateInput{GroupID: f.gid, Definition: poll.Definition{Type: s.Poll.Type,
		Title: s.Poll.Title, Details: s.Poll.Details, Options: s.Poll.Options, Settings: s.Poll.Settings}})
	f.must(err, "create from template")
	_, err = f.c.Decisions.Vote(f.member, p.ID, decision.VoteInput{Ballot: poll.Ballot{Choices: []poll.Choice{{OptionID: "o1", Score: 5}}}})
	f.must(err, "vote")

	// A thread of another group cannot be saved here.
	other, err := f.c.Groups.Create(f.admin, group.CreateInput{Name: "Other", Privacy: "closed"})
	f.must(err, "other group")
	elsewhere, err := f.c.Decisions.Create(f.admin, decision.CreateInput{GroupID: other.ID, Definition: d})
	f.must(err, "poll elsewhere")
	if _, err := f.c.Processes.Create(f.admin, f.gid, process.Input{From: "poll:" + elsewhere.ID}); code(err) != domain.Invalid {
		t.Errorf("a poll of another group saved as template: %v", err)
	}
	// Someone who may not read the poll cannot save it (as the poll core says).
	if _, err := f.c.Processes.Create(f.admin, f.gid, process.Input{From: "poll:" + strings.Repeat("a", 16)}); code(err) != domain.NotFound {
		t.Errorf("a missing poll saved as template: %v", err)
	}
}

func TestTemplateValidation(t *testing.T) {
	f := newFx(t, "open")
	bad := map[string]process.Input{
		"no name":            {Kind: process.KindThread},
		"unknown kind":       {Kind: "meeting", Name: "x"},
		"thread with poll":   {Kind: process.KindThread, Name: "x", Poll: &poll.Definition{Type: poll.TypeCheck}},
		"poll without poll":  {Kind: process.KindPoll, Name: "x"},
		"bad poll settings":  {Kind: process.KindPoll, Name: "x", Poll: &poll.Definition{Type: poll.TypeDotVote}},
		"offset too long":    {Kind: process.KindPoll, Name: "x", Poll: ptr(poll.New(poll.TypeCheck)), ClosingDays: 400},
		"name too long":      {Kind: process.KindThread, Name: strings.Repeat("n", process.MaxNameLength+1)},
		"from something odd": {From: "group:" + f.gid, Name: "x"},
	}
	for name, in := range bad {
		if _, err := f.c.Processes.Create(f.admin, f.gid, in); code(err) != domain.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	// A meeting template keeps no dates; a poll template no closing date.
	m := poll.New(poll.TypeMeeting)
	at := time.Now().Add(time.Hour)
	m.Options = []poll.Option{{ID: "a", Start: at.Add(24 * time.Hour)}, {ID: "b", Start: at.Add(48 * time.Hour)}}
	m.Settings.ClosingAt = &at
	tp, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindPoll, Name: "Monthly meeting", Poll: &m})
	f.must(err, "meeting template")
	if len(tp.Poll.Options) != 0 || tp.Poll.Settings.ClosingAt != nil || tp.ClosingDays != process.DefaultClosing {
		t.Errorf("meeting template %+v", tp.Poll)
	}
}

func ptr[T any](v T) *T { return &v }

func TestArrangeHideDeleteAndBound(t *testing.T) {
	f := newFx(t, "open")
	var made []string
	for i := range 3 {
		tp, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindThread, Name: fmt.Sprintf("T%d", i)})
		f.must(err, "save")
		made = append(made, tp.ID)
	}
	f.must(f.c.Processes.Arrange(f.admin, f.gid, process.Arrangement{Order: []string{made[2], made[0], made[1]}}), "arrange")
	list, err := f.c.Processes.List(f.member, f.gid, lang.English)
	f.must(err, "list")
	if got := ids(list)[:3]; got[0] != made[2] || got[1] != made[0] || got[2] != made[1] {
		t.Errorf("order %v", got)
	}
	for name, a := range map[string]process.Arrangement{
		"missing one": {Order: []string{made[0], made[1]}},
		"twice":       {Order: []string{made[0], made[0], made[1]}},
		"unknown":     {Order: []string{made[0], made[1], "zzzzzzzzzzzzzzzz"}},
		"bad hidden":  {Hidden: []string{"nonesuch"}},
	} {
		if err := f.c.Processes.Arrange(f.admin, f.gid, a); code(err) != domain.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	f.must(f.c.Processes.Move(f.admin, f.gid, made[0], -1), "move up")
	list, _ = f.c.Processes.List(f.member, f.gid, lang.English)
	if ids(list)[0] != made[0] {
		t.Errorf("after moving up: %v", ids(list)[:3])
	}

	// Hiding a built-in one: gone for members, marked for admins.
	f.must(f.c.Processes.SetHidden(f.admin, f.gid, "election", true), "hide")
	list, _ = f.c.Processes.List(f.member, f.gid, lang.English)
	for _, tp := range list.Templates {
		if tp.ID == "election" {
			t.Error("a hidden built-in template is offered to members")
		}
	}
	if _, err := f.c.Processes.Start(f.member, f.gid, "election", lang.English); code(err) != domain.NotFound {
		t.Errorf("member starts from a hidden template: %v", err)
	}
	list, _ = f.c.Processes.List(f.admin, f.gid, lang.English)
	if last := list.Templates[len(list.Templates)-1]; last.ID != "election" || !last.Hidden {
		t.Errorf("admin's view of the hidden one: %+v", last)
	}
	f.must(f.c.Processes.SetHidden(f.admin, f.gid, "election", false), "show")
	if _, err := f.c.Processes.Start(f.member, f.gid, "election", lang.English); err != nil {
		t.Errorf("shown again, still refused: %v", err)
	}

	// Built-in ones are not deleted or edited; group ones are.
	if err := f.c.Processes.Delete(f.admin, f.gid, "consent"); code(err) != domain.Conflict {
		t.Errorf("delete a built-in: %v", err)
	}
	if _, err := f.c.Processes.Update(f.admin, f.gid, "consent", process.Input{Kind: process.KindThread, Name: "x"}); code(err) != domain.Conflict {
		t.Errorf("edit a built-in: %v", err)
	}
	tp, err := f.c.Processes.Get(f.admin, f.gid, made[1], lang.English)
	f.must(err, "get")
	up, err := f.c.Processes.Update(f.admin, f.gid, made[1], process.Input{Kind: process.KindThread, Name: "Renamed", Version: tp.Version})
	f.must(err, "update")
	if up.Name != "Renamed" {
		t.Errorf("updated %+v", up)
	}
	if _, err := f.c.Processes.Update(f.admin, f.gid, made[1], process.Input{Kind: process.KindThread, Name: "Again", Version: tp.Version}); code(err) != domain.Conflict {
		t.Errorf("stale update: %v", err)
	}
	f.must(f.c.Processes.Delete(f.admin, f.gid, made[1]), "delete")
	if err := f.c.Processes.Delete(f.admin, f.gid, made[1]); code(err) != domain.NotFound {
		t.Errorf("delete twice: %v", err)
	}
	list, _ = f.c.Processes.List(f.member, f.gid, lang.English)
	if len(list.Templates) != 2+len(process.BuiltinKeys()) {
		t.Errorf("after delete: %v", ids(list))
	}

	// At most MaxTemplates per group.
	for i := 2; i < process.MaxTemplates; i++ {
		_, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindThread, Name: fmt.Sprintf("Fill %d", i)})
		f.must(err, "fill")
	}
	if _, err := f.c.Processes.Create(f.admin, f.gid, process.Input{Kind: process.KindThread, Name: "One too many"}); err != process.ErrTooMany {
		t.Errorf("51st template: %v", err)
	}

	// Every admin action is in the group's record.
	page, err := f.c.Audit.List(f.admin, f.gid, "", 100)
	f.must(err, "audit")
	seen := map[audit.Action]int{}
	for _, e := range append(page.Pending, page.Entries...) {
		seen[e.Action]++
	}
	for _, a := range []audit.Action{audit.TemplateSaved, audit.TemplateEdited, audit.TemplateDeleted, audit.TemplatesArranged} {
		if seen[a] == 0 {
			t.Errorf("no %s in the record: %v", a, seen)
		}
	}
}
