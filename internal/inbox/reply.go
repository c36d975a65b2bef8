package inbox

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/inbound"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/replyaddr"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// reply handles mail to a reply address: verify the token (MAC, expiry,
// the user's key generation), check the target as that user, then let
// inbound.Decide accept, hold, reject or drop it.
func (s *Service) reply(ctx context.Context, d Delivery, m *inbound.Message, addr string) (Outcome, error) {
	var user group.Person
	var lookupErr error
	current := func(uid string) int {
		p, err := s.people.UserByID(ctx, uid)
		if err != nil {
			if domain.ErrorCode(err) != domain.NotFound {
				lookupErr = err
			}
			return -1
		}
		user = p
		g, err := s.keys.KeyGeneration(ctx, uid)
		if err != nil {
			lookupErr = err
			return -1
		}
		return g
	}
	tok, terr := s.tokens.Verify(addr, s.now(), current)
	if lookupErr != nil {
		return Outcome{}, lookupErr
	}
	if terr != nil && !errors.Is(terr, replyaddr.ErrTokenExpired) && !errors.Is(terr, replyaddr.ErrTokenRevoked) {
		user = group.Person{} // looked up by an id the address claimed, but it is not authentic
	}
	if errors.Is(terr, replyaddr.ErrTokenExpired) && tok.UserID != "" {
		// An authentic but expired address: its user may be told.
		if p, err := s.people.UserByID(ctx, tok.UserID); err == nil {
			user = p
		} else if retryable(err) {
			return Outcome{}, err
		}
	}
	if tok.UserID != "" && (terr == nil || errors.Is(terr, replyaddr.ErrTokenExpired) || errors.Is(terr, replyaddr.ErrTokenRevoked)) {
		first, dup, err := s.firstDelivery(ctx, d, m, tabledef.UserPK(tok.UserID))
		if err != nil || dup.Result == Duplicate {
			return dup, err
		}
		d = first
	}
	var title string
	var targetErr error
	if terr == nil && tok.NotificationID != "" {
		tok, targetErr = s.commentTarget(ctx, tok)
		if retryable(targetErr) {
			return Outcome{}, targetErr
		}
	}
	if terr == nil && targetErr == nil {
		actx := asUser(ctx, tok.UserID)
		switch tok.Kind {
		case replyaddr.KindThread, replyaddr.KindComment:
			var mt discussion.MailTarget
			mt, targetErr = s.discussions.CheckMailReply(actx, tok.ThreadID, tok.CommentID)
			title = mt.Title
		case replyaddr.KindPoll:
			var p decision.Poll
			p, targetErr = s.pollTarget(actx, tok.PollID)
			title = p.Definition.Title
		}
		if retryable(targetErr) {
			return Outcome{}, targetErr
		}
	}
	var addrs []string
	if user.Email != "" {
		addrs = []string{user.Email}
	}
	dec := inbound.Decide(inbound.DecideInput{Message: m, Verdicts: d.Verdicts, OwnDomain: s.Domain(), Token: tok,
		TokenErr: terr, TargetErr: targetErr, UserAddresses: addrs})
	out := Outcome{Reasons: dec.Reasons, ThreadID: tok.ThreadID, PollID: tok.PollID}
	if terr != nil {
		out.ThreadID, out.PollID = "", ""
	}
	switch dec.Outcome {
	case inbound.Drop:
		out.Result = Dropped
		return out, nil
	case inbound.Reject:
		out.Result = Rejected
		// Only an authenticated sender who is the account's owner hears
		// about it: never a forged or unknown sender (no backscatter).
		if dec.MayReply && dec.FromMatches && user.Email != "" {
			reason := terr
			if reason == nil {
				reason = targetErr
			}
			out.Replied = s.tell(ctx, s.rejectedMail(user, m, title, reason))
		}
		return out, nil
	case inbound.Hold:
		return s.holdReply(ctx, d, m, tok, user, title, dec.Reasons)
	}
	return s.postReply(ctx, posting{user: user, tok: tok, key: d.MessageID, at: d.Received, msg: m,
		text: inbound.ExtractReply(m), files: mailFiles(m)})
}

// commentTarget completes a comment token from the notification its
// address names (the user's own; version 2 addresses carry it instead of
// the thread and comment ids, to stay within 64 octets).
func (s *Service) commentTarget(ctx context.Context, tok replyaddr.Token) (replyaddr.Token, error) {
	if s.notes == nil {
		return tok, errNoCommentMail
	}
	j, err := s.notes.GetJob(ctx, tok.UserID, tok.NotificationID)
	switch {
	case domain.ErrorCode(err) == domain.NotFound:
		return tok, errMailUnknown
	case err != nil:
		return tok, err
	case j.ThreadID == "":
		return tok, errMailNoThread
	}
	tok.ThreadID, tok.CommentID = j.ThreadID, j.CommentID
	if tok.CommentID == "" {
		tok.Kind = replyaddr.KindThread
	}
	return tok, nil
}

// pollTarget reads the poll as the voter and refuses what email cannot do.
func (s *Service) pollTarget(ctx context.Context, pid string) (decision.Poll, error) {
	p, err := s.decisions.Get(ctx, pid)
	if err != nil {
		return p, err
	}
	switch p.Status {
	case poll.StatusOpen:
	case poll.StatusClosed:
		return p, decision.ErrPollClosed
	default:
		return p, errPollNotOpen
	}
	if p.Definition.Settings.Anonymous {
		// The receipt of an anonymous ballot is its only key; email would
		// either lose it or send it around. Anonymous polls are web-only.
		return p, errAnonymousPoll
	}
	return p, nil
}

// posting is a reply or vote to post as user: accepted now, or confirmed
// later from the held message.
type posting struct {
	user  group.Person
	tok   replyaddr.Token
	key   string    // SES message id
	at    time.Time // time of the comment's timeline id
	msg   *inbound.Message
	text  string
	files []discussion.MailFile
	// interactive: the user confirms on a page; refusals come back as
	// errors for the page instead of emails.
	interactive bool
}

const emptyWithFiles = "(files sent by email)"

// postReply posts as the user through the domain cores.
func (s *Service) postReply(ctx context.Context, p posting) (Outcome, error) {
	actx := asUser(ctx, p.user.ID)
	if p.tok.Kind == replyaddr.KindPoll {
		return s.vote(ctx, actx, p)
	}
	out := Outcome{ThreadID: p.tok.ThreadID}
	refuse := func(err error) (Outcome, error) {
		if p.interactive || retryable(err) {
			return out, err
		}
		out.Result, out.Reasons = Rejected, append(out.Reasons, domain.ErrorMessage(err))
		out.Replied = s.tell(ctx, s.rejectedMail(p.user, p.msg, "", err))
		return out, nil
	}
	body := strings.TrimSpace(p.text)
	if body == "" && len(p.files) > 0 {
		body = emptyWithFiles
	}
	if body == "" {
		return refuse(errEmptyReply)
	}
	body = truncateRunes(body, discussion.MaxBody)
	id := discussion.MailItemID(p.at, p.key)
	_, created, err := s.discussions.MailComment(actx, p.tok.ThreadID, discussion.CommentInput{ParentID: p.tok.CommentID, Body: body}, id)
	if err != nil {
		return refuse(err)
	}
	out.Result, out.CommentID, out.Repeat = Posted, id, !created
	refs, skipped, err := s.discussions.MailAttach(actx, p.tok.ThreadID, id, p.files, p.key)
	if err != nil {
		if retryable(err) {
			return out, err
		}
		out.Reasons = append(out.Reasons, "attachments: "+domain.ErrorMessage(err))
	}
	out.Attached, out.Skipped = len(refs), len(skipped)
	if len(skipped) > 0 && created {
		out.Replied = s.tell(ctx, s.skippedMail(p.user, p.msg, s.link("/threads/"+pathID(p.tok.ThreadID)), skipped))
	}
	return out, nil
}

// vote casts or changes the user's ballot from the reply's first line.
func (s *Service) vote(ctx, actx context.Context, p posting) (Outcome, error) {
	out := Outcome{PollID: p.tok.PollID}
	pl, err := s.pollTarget(actx, p.tok.PollID)
	if err == nil {
		out.ThreadID = pl.ThreadID
	}
	refuse := func(err error) (Outcome, error) {
		if p.interactive || retryable(err) {
			return out, err
		}
		out.Result, out.Reasons = Rejected, append(out.Reasons, domain.ErrorMessage(err))
		out.Replied = s.tell(ctx, s.rejectedMail(p.user, p.msg, pl.Definition.Title, err))
		return out, nil
	}
	if err != nil {
		return refuse(err)
	}
	// "For Ada: Agree" from someone who holds Ada's proxy votes for her
	// (proxy voting); anyone else's reply is their own vote.
	text, forID, forName, err := s.proxyTarget(actx, pl.ID, p.text)
	if err != nil {
		return refuse(err)
	}
	ballot, err := inbound.ParseVote(pl.Definition, p.user.Lang, text)
	if err != nil {
		var vp *inbound.VoteProblem
		if !errors.As(err, &vp) {
			return out, err
		}
		if p.interactive {
			// The held message page is in English: the problem and the
			// help, from the catalog.
			en := s.cat.Printer(lang.English, nil)
			return out, domain.Errorf(domain.Invalid, "%s\n\n%s", vp.Message(en), inbound.VoteHelp(en, pl.Definition))
		}
		out.Result, out.Reasons = Helped, []string{"the vote could not be read"}
		out.Replied = s.tell(ctx, s.helpMail(p.user, p.msg, pl, vp))
		return out, nil
	}
	res, err := s.decisions.Vote(actx, p.tok.PollID, decision.VoteInput{Ballot: ballot, For: forID})
	if err != nil {
		return refuse(err)
	}
	out.Result = Voted
	out.Replied = s.tell(ctx, s.votedMail(p.user, p.msg, pl, res, forName))
	return out, nil
}

// mailFiles are the message's attachments, without the pictures shown
// inside its HTML body (signatures, logos).
func mailFiles(m *inbound.Message) []discussion.MailFile {
	var files []discussion.MailFile
	for _, a := range m.Attachments {
		if a.Inline && a.ContentID != "" && strings.Contains(m.HTML, "cid:"+a.ContentID) {
			continue
		}
		files = append(files, discussion.MailFile{Name: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return files
}

func fileNames(files []discussion.MailFile) []string {
	var names []string
	for _, f := range files {
		names = append(names, truncateRunes(f.Name, 200))
	}
	return names
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// proxyTarget reads "For <name>: <answer>" (inbound.ProxyPrefix) from the
// reply of someone who holds proxies in poll pid: it returns the reply
// without the prefix and the grantor it names. A reply without the prefix,
// or from someone who holds no proxy there, is their own vote (text as it
// is). A name that matches none (or several) of the grantors is refused,
// never guessed.
func (s *Service) proxyTarget(actx context.Context, pid, text string) (string, string, string, error) {
	name, rest, ok := inbound.ProxyPrefix(text)
	if !ok {
		return text, "", "", nil
	}
	pp, err := s.decisions.PollProxiesOf(actx, pid)
	if err != nil {
		return "", "", "", err
	}
	if len(pp.Held) == 0 {
		return text, "", "", nil
	}
	ids := make([]string, 0, len(pp.Held))
	for _, h := range pp.Held {
		ids = append(ids, h.GrantorID)
	}
	people, err := s.people.UsersByID(actx, ids)
	if err != nil {
		return "", "", "", err
	}
	var match, matchName string
	var names []string
	for _, id := range ids {
		full := people[id].Name
		names = append(names, full)
		if inbound.SameName(name, full) {
			if match != "" {
				return "", "", "", &proxyNameError{ambiguous: true, name: name, held: names}
			}
			match, matchName = id, full
		}
	}
	if match == "" {
		return "", "", "", &proxyNameError{name: name, held: names}
	}
	return rest, match, matchName, nil
}
