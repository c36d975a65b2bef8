package inbox

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// handleRE is the shape of a group handle (internal/group), compiled on
// first use: the {1,38} repetition is costly to compile at every cold start
// of the functions that never look at a handle.
var handleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$`) })

// groupRecipient returns the group the message is addressed to, if any
// recipient is <handle>@<mail domain> of an existing group.
func (s *Service) groupRecipient(ctx context.Context, recipients []string) (string, error) {
	for _, r := range recipients {
		r = strings.ToLower(strings.Trim(strings.TrimSpace(r), "<>"))
		at := strings.LastIndexByte(r, '@')
		if at <= 0 || r[at+1:] != s.Domain() || !handleRE().MatchString(r[:at]) {
			continue
		}
		gid, ok, err := s.groups.GroupIDByHandle(ctx, r[:at])
		if err != nil {
			return "", err
		}
		if ok {
			return gid, nil
		}
	}
	return "", nil
}

// threadTitle makes a thread title of a subject.
func threadTitle(subject string) string {
	t := strings.TrimSpace(strings.Join(strings.Fields(subject), " "))
	if t == "" {
		t = "(no subject)"
	}
	return truncateRunes(t, discussion.MaxTitle)
}

// toGroup handles mail to a group's address: blocked senders are dropped;
// an authenticated sender who is a member (by account address or a
// remembered alias) starts a thread; everything else is held for the
// group's admins.
func (s *Service) toGroup(ctx context.Context, d Delivery, m *inbound.Message, gid string) (Outcome, error) {
	first, dup, err := s.firstDelivery(ctx, d, m, tabledef.GroupPK(gid))
	if err != nil || dup.Result == Duplicate {
		return dup, err
	}
	d = first
	out := Outcome{GroupID: gid}
	from := m.From.Address
	blocked, err := s.getRule(ctx, gid, blockSK(from))
	if err != nil {
		return out, err
	}
	if blocked != nil {
		out.Result, out.Reasons = Dropped, []string{"the sender is blocked by the group's admins"}
		return out, nil
	}
	if d.Verdicts.Virus == inbound.VerdictFail {
		out.Result, out.Reasons = Rejected, []string{"virus verdict FAIL"}
		return out, nil
	}
	authOK, reasons := inbound.Authenticate(m, d.Verdicts)
	uid := ""
	alias, err := s.getRule(ctx, gid, aliasSK(from))
	if err != nil {
		return out, err
	}
	if alias != nil {
		uid = alias.UserID
	} else if id, ok, err := s.people.UserIDByEmail(ctx, from); err != nil {
		return out, err
	} else if ok {
		uid = id
	}
	files := mailFiles(m)
	if authOK && uid != "" {
		th, created, skipped, err := s.discussions.MailStartThread(asUser(ctx, uid), discussion.StartInput{GroupID: gid,
			Title: threadTitle(m.Subject), Description: truncateRunes(inbound.ExtractReply(m), discussion.MaxBody)}, d.MessageID, files)
		switch {
		case err == nil:
			out.Result, out.ThreadID, out.Repeat = Started, th.ID, !created
			out.Attached, out.Skipped = len(th.Files), len(skipped)
			if len(skipped) > 0 && created {
				if p, err := s.people.UserByID(ctx, uid); err == nil {
					out.Replied = s.tell(ctx, s.skippedMail(p, m, s.link("/threads/"+pathID(th.ID)), skipped))
				}
			}
			return out, nil
		case retryable(err):
			return out, err
		case domain.ErrorCode(err) == domain.Invalid:
			out.Result, out.Reasons = Rejected, []string{domain.ErrorMessage(err)}
			return out, nil
		}
		reasons = append(reasons, reasonMayNotStart)
	} else if uid == "" {
		reasons = append(reasons, reasonNotMember)
	}
	return s.holdGroup(ctx, d, m, gid, uid, files, reasons)
}

// Groups is what this core asks the group core, which owns groups and
// memberships (*group.Service implements it).
type Groups interface {
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
	// Admins lists a group's admins.
	Admins(ctx context.Context, gid string) ([]string, error)
	// IsMember reports whether uid is a member of gid.
	IsMember(ctx context.Context, gid, uid string) (bool, error)
	// GroupIDByHandle returns the group holding a handle, whatever its
	// visibility (mail to <handle>@<mail domain> is routed by it).
	GroupIDByHandle(ctx context.Context, handle string) (gid string, ok bool, err error)
}

// groupAdmins lists the admins of a group.
func (s *Service) groupAdmins(ctx context.Context, gid string) ([]string, error) {
	return s.groups.Admins(ctx, gid)
}

// isMember reports whether uid is a member of gid.
func (s *Service) isMember(ctx context.Context, gid, uid string) (bool, error) {
	if uid == "" {
		return false, nil
	}
	return s.groups.IsMember(ctx, gid, uid)
}
