package audit_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/cores"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/logging"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/testcloud"
	"github.com/quorum-app/quorum/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }

func ptr[T any](v T) *T { return &v }

// TestEveryAdminActionIsRecorded drives each recorded action through the
// wired cores on the local cloud and reads the group's record back: every
// action once, in order, and nothing for what people do to their own
// content.
func TestEveryAdminActionIsRecorded(t *testing.T) {
	env := testcloud.New(t)
	c, err := cores.New(context.Background(), env.Config, logging.New(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string) (context.Context, string) {
		p := testkit.NewPersonWithEmail(t, c.Accounts, name, env.Prefix+"-"+name+"@example.org")
		return p.Ctx, p.ID
	}
	ada, adaID := person("ada")
	ben, benID := person("ben")
	cy, cyID := person("cy")
	dee, deeID := person("dee")

	g, err := c.Groups.Create(ada, group.CreateInput{Name: "Board", Handle: "board-" + env.Prefix, Privacy: "closed"})
	must(err, "group")
	var want []audit.Action
	did := func(a audit.Action) { want = append(want, a) }

	_, err = c.Groups.Update(ada, g.ID, group.UpdateInput{Version: g.Version, Privacy: ptr("open"),
		Permissions: &group.FlagsPatch{AdminsCanEditUserContent: ptr(true)}})
	must(err, "settings")
	did(audit.SettingsChanged)
	link, err := c.Groups.JoinLink(ada, g.ID)
	must(err, "join link")
	for _, who := range []context.Context{ben, cy} {
		_, err = c.Groups.JoinViaLink(who, link[strings.LastIndex(link, "/join/")+len("/join/"):])
		must(err, "join")
	}
	_, err = c.Groups.SetRole(ada, g.ID, benID, authz.RoleAdmin)
	must(err, "promote")
	did(audit.RoleChanged)
	_, err = c.Groups.ResetJoinLink(ada, g.ID)
	must(err, "reset link")
	did(audit.JoinLinkReset)
	inv, err := c.Groups.Invite(ada, g.ID, group.InviteInput{Emails: []string{env.Prefix + "-ivy@example.org"}, Role: "member"})
	must(err, "invite")
	must(c.Groups.RevokeInvitation(ada, g.ID, inv[0].Invitation.ID), "revoke")
	did(audit.InvitationRevoked)

	closed, err := c.Groups.Create(ada, group.CreateInput{Name: "Treasury", Handle: "treasury-" + env.Prefix, Privacy: "closed"})
	must(err, "closed group")
	must(c.Groups.RequestMembership(dee, closed.ID, "Please"), "request")
	must(c.Groups.ApproveRequest(ada, closed.ID, deeID), "approve")

	// Content: people's own edits are not recorded; an admin's are.
	th, err := c.Discussions.StartThread(cy, discussion.StartInput{GroupID: g.ID, Title: "Budget"})
	must(err, "thread")
	cm, err := c.Discussions.Comment(cy, th.ID, discussion.CommentInput{Body: "Ten euros."})
	must(err, "comment")
	cm2, err := c.Discussions.EditComment(cy, th.ID, cm.ID, "Twelve euros.", cm.Version)
	must(err, "own edit")
	_, err = c.Discussions.EditComment(ada, th.ID, cm.ID, "Twelve euros (amount checked).", cm2.Version)
	must(err, "admin edit")
	did(audit.ContentEdited)
	must(c.Discussions.DeleteComment(ada, th.ID, cm.ID), "admin delete")
	did(audit.ContentDeleted)
	must(c.Discussions.Delete(ada, th.ID), "delete thread")
	did(audit.ContentDeleted)

	// Held mail to the group.
	to := g.Handle + "@" + c.Inbox.Domain()
	hold := func(from string) string {
		raw := []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Hi\r\nDate: Fri, 04 Dec 2026 18:40:10 +0000\r\n"+
			"Message-ID: <%d@elsewhere.example>\r\nContent-Type: text/plain\r\n\r\nHello\r\n", from, to, time.Now().UnixNano()))
		out, err := c.Inbox.Inject(ctx, raw, []string{to}, inbox.PassingVerdicts())
		must(err, "inbound")
		if out.HeldID == "" {
			t.Fatalf("not held: %+v", out)
		}
		return out.HeldID
	}
	_, err = c.Inbox.AllowHeld(ada, g.ID, hold("friend@elsewhere.example"), inbox.AllowInput{})
	must(err, "allow")
	did(audit.HeldMailAllowed)
	must(c.Inbox.DiscardGroupHeld(ada, g.ID, hold("noise@elsewhere.example")), "discard")
	did(audit.HeldMailDiscarded)
	must(c.Inbox.BlockSender(ada, g.ID, hold("spam@elsewhere.example")), "block")
	did(audit.SenderBlocked)
	rules, err := c.Inbox.GroupSenders(ada, g.ID)
	must(err, "senders")
	must(c.Inbox.RemoveSender(ada, g.ID, rules[0].ID), "unblock")
	did(audit.SenderUnblocked)

	must(c.Groups.RemoveMember(ada, g.ID, cyID), "remove member")
	did(audit.MemberRemoved)

	// Tags: added, renamed and recoloured, deleted (names never recorded).
	tg, err := c.Tags.Create(ada, g.ID, tag.Input{Name: ptr("Budget talk"), Colour: ptr("teal")})
	must(err, "tag")
	did(audit.TagCreated)
	_, err = c.Tags.Update(ada, g.ID, tg.ID, tag.Input{Name: ptr("Money"), Colour: ptr("amber")})
	must(err, "rename tag")
	did(audit.TagChanged)
	must(c.Tags.Delete(ada, g.ID, tg.ID), "delete tag")
	did(audit.TagDeleted)
	// Templates: saved, edited, arranged (a built-in one hidden), deleted.
	tp, err := c.Processes.Create(ada, g.ID, process.Input{Kind: process.KindThread, Name: "Weekly update"})
	must(err, "save template")
	did(audit.TemplateSaved)
	_, err = c.Processes.Update(ada, g.ID, tp.ID, process.Input{Kind: process.KindThread, Name: "Weekly report"})
	must(err, "edit template")
	did(audit.TemplateEdited)
	must(c.Processes.SetHidden(ada, g.ID, "election", true), "hide template")
	did(audit.TemplatesArranged)
	must(c.Processes.Delete(ada, g.ID, tp.ID), "delete template")
	did(audit.TemplateDeleted)
	_ = adaID

	// The scheduler's sweep seals what the stream would have.
	_, err = c.Tick(ctx, time.Now())
	must(err, "tick")
	var got []audit.Action
	cursor := ""
	for {
		page, err := c.Audit.List(ada, g.ID, cursor, 5)
		must(err, "list")
		if len(page.Pending) > 0 {
			t.Fatalf("entries left unsealed after the sweep: %+v", page.Pending)
		}
		for _, e := range page.Entries {
			got = append([]audit.Action{e.Action}, got...)
			for k, v := range e.Details {
				if strings.Contains(v, "Budget talk") || strings.Contains(v, "Money") {
					t.Errorf("entry %s holds a tag's name in %s", e.Action, k)
				}
			}
			if e.ActorID != adaID {
				t.Errorf("entry %d (%s) by %s, want the admin", e.Seq, e.Action, e.ActorID)
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the record holds\n%v\nwant\n%v", got, want)
	}
	rep, err := c.Audit.Verify(ada, g.ID)
	must(err, "verify")
	if !rep.OK || rep.Entries != len(want) {
		t.Fatalf("verify: %+v", rep)
	}
	// Only admins read the record.
	if _, err := c.Audit.List(dee, g.ID, "", 10); domain.ErrorCode(err) != domain.Forbidden && domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("a non-member read the record: %v", err)
	}
	// The other group's record has its approved request.
	page, err := c.Audit.List(ada, closed.ID, "", 10)
	must(err, "list closed")
	if len(page.Entries) != 1 || page.Entries[0].Action != audit.RequestApproved {
		t.Fatalf("closed group's record: %+v", page)
	}
}
