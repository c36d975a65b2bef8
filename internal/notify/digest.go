package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/mail"
)

// MaxDigestItems bounds one digest; the rest waits for the next one.
const MaxDigestItems = 200

// What one digest email shows of the notifications it covers: at most
// DigestTopicItems of one thread or poll, and no more than fits in
// DigestMaxHTML bytes of HTML, well under the 102 KB at which Gmail clips
// a message (hiding its end: the footer, the unsubscribe links). A line
// says how many more there are, where to read them: the thread's or
// poll's link for the ones of a topic, the notifications page for the
// rest. 200 items of the longest titles, names and excerpts made 204 KB
// in English, 310 KB in Arabic (TestWorstCaseDigestFitsGmail).
const (
	DigestTopicItems = 5
	DigestMaxHTML    = 90_000
)

// DigestReport is what one SendDigests run did.
type DigestReport struct {
	Due     int `json:"due"`
	Sent    int `json:"sent"`
	Empty   int `json:"empty"`
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

type digestItem struct {
	Heading string
	Excerpt []string
}

type digestTopic struct {
	Title string
	URL   string
	Items []digestItem
	// More tells of the topic's items not shown ("" when all are).
	More string
}

type digestGroup struct {
	Name   string
	Topics []*digestTopic
}

type digestView struct {
	Lang      string
	Dir       string
	Subject   string
	Preheader string // the hidden preview line: the first item's heading
	Heading   string
	Groups    []*digestGroup
	// More tells of the items no topic shows, a link to MoreURL ("" when
	// every item shows or is told of by its topic).
	More    string
	MoreURL string
	Why     string
	Links   []link
}

// SendDigests sends every digest due by now (Preferences.DueDigests): one
// email per person with the notifications kept for the digest since the
// previous one, grouped by group and thread (or poll), then records it with
// Preferences.DigestSent. A digest with nothing new sends nothing but still
// advances. A repeated run sends nothing twice: DigestSent is conditional,
// and the Message-ID is derived from the person and the last notification
// covered.
func (d *Dispatcher) SendDigests(ctx context.Context, now time.Time) (DigestReport, error) {
	due, err := d.c.Prefs.DueDigests(ctx, now)
	if err != nil {
		return DigestReport{}, err
	}
	r := DigestReport{Due: len(due)}
	var errs []error
	for _, dd := range due {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		sent, err := d.sendDigest(ctx, dd, now)
		switch {
		case err != nil:
			r.Errors++
			errs = append(errs, err)
			d.log.WarnContext(ctx, "outbox: digest failed", "period", dd.Period, "error", err.Error())
		case sent == digestSent:
			r.Sent++
		case sent == digestEmpty:
			r.Empty++
		default:
			r.Skipped++
		}
	}
	if len(errs) > 0 {
		return r, domain.Wrap(domain.Unavailable, errors.Join(errs...), "some digests could not be sent")
	}
	return r, nil
}

type digestResult int

const (
	digestSent digestResult = iota
	digestEmpty
	digestSkipped
)

// covered returns the digest's notifications and the last id it covers:
// everything in order up to the first job still pending (it may yet be
// routed to the digest), keeping those marked MailDigest.
func covered(jobs []Job, after string) ([]Job, string) {
	through := after
	var items []Job
	for _, j := range jobs {
		if j.Pending() {
			break
		}
		through = j.ID
		if j.State == MailDigest {
			items = append(items, j)
		}
	}
	return items, through
}

func (d *Dispatcher) sendDigest(ctx context.Context, dd DigestDue, now time.Time) (digestResult, error) {
	after := dd.After
	if after == "" && !dd.Since.IsZero() {
		// Notification ids start with their time: skip the ones before
		// the first period (they were emailed one by one, or not at all).
		after = fmt.Sprintf("%016x", uint64(dd.Since.UnixNano()))
	}
	jobs, err := d.c.Notifications.ListAfter(ctx, dd.UserID, after, MaxDigestItems)
	if err != nil {
		return 0, err
	}
	items, through := covered(jobs, dd.After)
	advance := func(res digestResult) (digestResult, error) {
		if err := d.c.Prefs.DigestSent(ctx, dd, through, now); err != nil {
			return 0, err
		}
		return res, nil
	}
	if len(items) == 0 {
		return advance(digestEmpty)
	}
	p, err := d.c.People.Person(ctx, dd.UserID)
	if domain.ErrorCode(err) == domain.NotFound {
		return advance(digestSkipped)
	}
	if err != nil {
		return 0, err
	}
	route, err := d.c.Prefs.Route(ctx, dd.UserID, p.Email, "", "")
	if err != nil {
		return 0, err
	}
	if route.Action == RouteSkip || p.Email == "" {
		return advance(digestSkipped)
	}
	m, err := d.composeDigest(ctx, dd, p, items, through, now)
	if err != nil {
		return 0, err
	}
	sctx, cancel := context.WithTimeout(ctx, d.c.SendTimeout)
	_, err = d.c.Sender.Send(sctx, m)
	cancel()
	if err != nil {
		return 0, err
	}
	d.log.InfoContext(ctx, "outbox: digest sent", "period", dd.Period, "items", len(items))
	return advance(digestSent)
}

func (d *Dispatcher) composeDigest(ctx context.Context, dd DigestDue, p Person, items []Job, through string, now time.Time) (mail.Message, error) {
	pr := d.printer(p)
	period := "daily"
	if dd.Period == "weekly" {
		period = "weekly"
	}
	v := digestView{
		Lang:    string(pr.Lang()),
		Dir:     pr.Dir(),
		Subject: pr.N("email.digest."+period+".subject", len(items)),
		Heading: pr.N("email.digest.heading", len(items)),
		Why:     pr.T("email.digest." + period + ".why"),
	}
	groups := map[string]*digestGroup{}
	topics := map[string]*digestTopic{}
	for _, j := range items {
		n := j.Notification
		g, ok := groups[n.GroupID]
		if !ok {
			info, err := d.c.Groups.Group(ctx, p.ID, n.GroupID)
			if err != nil {
				return mail.Message{}, err
			}
			g = &digestGroup{Name: groupOr(pr, oneLine(info.Name, 80))}
			groups[n.GroupID] = g
			v.Groups = append(v.Groups, g)
		}
		key, url, title := "g:"+n.GroupID, d.notificationsURL(), pr.T("email.digest.other")
		switch {
		case n.ThreadID != "":
			key, url, title = "t:"+n.ThreadID, d.threadURL(n.ThreadID, ""), n.Title
		case n.PollID != "":
			key, url, title = "p:"+n.PollID, d.pollURL(n.PollID), n.Title
		}
		t, ok := topics[key]
		if !ok {
			if title == "" {
				title = pr.T("email.untitled_title")
			}
			t = &digestTopic{Title: oneLine(title, 150), URL: url}
			topics[key] = t
			g.Topics = append(g.Topics, t)
		}
		t.Items = append(t.Items, digestItem{Heading: kindCopy(pr, n, g.Name).heading, Excerpt: excerptLines(ExcerptText(pr, n))})
	}
	v.Links = d.footerLinks(pr, p.ID, "", "", "")
	v.MoreURL = d.notificationsURL()
	h := map[string]string{hMessageID: d.msgID("digest", p.ID+"x"+through)}
	d.commonHeaders(h, d.c.Prefs.UnsubscribeURL(p.ID, Scope{Kind: ScopeAll}), "\"Quorum digest\" <digest."+d.c.MailDomain+">")
	m := mail.Message{From: d.c.From, To: []string{p.Email}, Subject: v.Subject, Headers: h, Date: now}
	if len(v.Groups) > 0 && len(v.Groups[0].Topics) > 0 && len(v.Groups[0].Topics[0].Items) > 0 {
		v.Preheader = oneLine(v.Groups[0].Topics[0].Items[0].Heading, 140)
	}
	m.Text, m.HTML = boundDigest(pr, v, len(items))
	return m, nil
}

// boundDigest lays out v, which holds all its n items, showing only as
// many as the bounds allow (DigestTopicItems, DigestMaxHTML): the most
// items, in order, whose HTML fits, found by halving (a layout is about
// 0.1 ms); what is left out is told of by the lines of More.
func boundDigest(pr *i18n.Printer, v digestView, n int) (text, html string) {
	shown := 0
	for _, g := range v.Groups {
		for _, t := range g.Topics {
			shown += min(len(t.Items), DigestTopicItems)
		}
	}
	text, html = layoutDigest(fitDigest(pr, v, n, shown))
	if len(html) <= DigestMaxHTML {
		return text, html
	}
	lo, hi := 0, shown // fits with lo items (none: the frame, the heading, the lines), not with hi
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, h := layoutDigest(fitDigest(pr, v, n, mid)); len(h) <= DigestMaxHTML {
			lo = mid
		} else {
			hi = mid
		}
	}
	return layoutDigest(fitDigest(pr, v, n, lo))
}

// fitDigest is v (n items in all) showing its first k items, at most
// DigestTopicItems a topic: a topic with items left out says how many,
// one with none shown goes, and so does a group without topics; More
// counts the items no topic shown tells of.
func fitDigest(pr *i18n.Printer, v digestView, n, k int) digestView {
	out := v
	out.Groups, out.More = nil, ""
	told := 0
	for _, g := range v.Groups {
		var topics []*digestTopic
		for _, t := range g.Topics {
			show := min(len(t.Items), DigestTopicItems, k)
			if show == 0 {
				continue
			}
			k -= show
			ft := &digestTopic{Title: t.Title, URL: t.URL, Items: t.Items[:show]}
			if left := len(t.Items) - show; left > 0 {
				ft.More = pr.N("email.digest.more_topic", left)
			}
			told += len(t.Items)
			topics = append(topics, ft)
		}
		if len(topics) > 0 {
			out.Groups = append(out.Groups, &digestGroup{Name: g.Name, Topics: topics})
		}
	}
	if left := n - told; left > 0 {
		out.More = pr.N("email.digest.more", left)
	}
	return out
}
