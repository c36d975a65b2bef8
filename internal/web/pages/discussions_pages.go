package pages

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/links"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tag"
	"github.com/quorum-app/quorum/internal/web"
)

// Server-rendered discussion pages. They work without JavaScript: every
// action is a form posting to a page route that redirects back (303) with
// a notice, or re-renders the page with the error next to the form. User
// text reaches pages only as the core's sanitised Markdown (template.HTML
// from internal/render) or as plain text escaped by html/template.

// discussionNotices are the notices of ?done=name on the discussion pages
// (worded by the catalog key page.thread.notice.<name>, "-" as "_").
var discussionNotices = map[string]bool{
	"started":         true,
	"saved":           true,
	"closed":          true,
	"reopened":        true,
	"pinned":          true,
	"unpinned":        true,
	"deleted":         true,
	"commented":       true,
	"edited":          true,
	"removed":         true,
	"guest":           true,
	"announced":       true,
	"level":           true,
	"forked":          true,
	"forking":         true,
	"moved":           true,
	"move-started":    true,
	"moving":          true,
	"tags":            true,
	"commented-plain": true,
	"started-plain":   true,
	"read":            true,
	"voted":           true,
	"changed":         true,
	"needs-js":        true,
}

// discussionNotice is the notice ?done= names, in the reader's language.
func (s *Server) discussionNotice(r *http.Request) string {
	done := r.URL.Query().Get("done")
	if !discussionNotices[done] {
		return ""
	}
	return s.web.Printer(r).T("page.thread.notice." + strings.ReplaceAll(done, "-", "_"))
}

var discussionFieldLabels = map[string]string{
	"title": "Title", "description": "Description", "body": "Comment", "version": "Version", "email": "Email address",
	"level": "Notify me", "reaction": "Reaction", "user": "Guest",
}

func threadURL(tid string, parts ...string) string {
	return links.Thread(tid) + strings.Join(parts, "")
}

// discussionForm records err on f with the discussion forms' labels.
func discussionForm(pr *i18n.Printer, f *formState, err error) int {
	status := f.fail(pr, err)
	for i, m := range f.List {
		if l, ok := discussionFieldLabels[m.Field]; ok {
			f.List[i].Label = l
		}
	}
	notifyField(f)
	return status
}

// discussionFormFail re-renders a form with the error (validation, closed
// thread, edit conflict, refusal), or shows the error page for errors a
// form cannot carry.
func (s *Server) discussionFormFail(w http.ResponseWriter, r *http.Request, err error, f *formState, render func(status int)) {
	switch domain.ErrorCode(err) {
	case domain.Internal, domain.Unavailable, domain.Unauthorized, domain.NotFound, domain.Unsupported, domain.TooLarge:
		s.PageError(w, r, err)
		return
	}
	render(discussionForm(s.web.Printer(r), f, err))
}

// formVersion reads a version field ("" or garbage: 0, which the core refuses).
func formVersion(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// ---- what the viewer may do ----

// threadCaps is what the viewer may do in the thread, asked of the
// discussion core (which asks the one policy).
type threadCaps = discussion.ThreadCaps

func (s *Server) capsFor(ctx context.Context, t discussion.Thread) threadCaps {
	return s.discussions.Caps(ctx, t)
}

// ---- the timeline as a tree ----

// timelineNode is one item of the thread page with its replies.
type timelineNode struct {
	discussion.Item
	Children  []*timelineNode
	CanEdit   bool
	CanDelete bool
	CanReply  bool
	Event     string // what an event item says
	Link      string // and the thread it names, if any (forks)
	LinkText  string
	Orphan    bool             // a reply whose parent is on an earlier page
	Reactions []reactionButton // all eight, for the "Add reaction" picker
	Used      []reactionButton // only those with a count, shown under the comment
	FileList  fileList
	Tid       string
	P         *threadPageData
	// Card is the poll's card, at the poll's first item on the page.
	Card *pollCard
	// Face is the author's picture or initials (avatars.go).
	Face avatarView
}

// fileList is what the attachments list of a thread or comment shows.
type fileList struct {
	Thread string
	Files  []discussion.FileRef
}

type reactionButton struct {
	Name, Emoji, Label string
	Count              int
	Mine               bool
}

var reactionLabels = map[string]string{
	"thumbsup": "thumbs up", "thumbsdown": "thumbs down", "heart": "heart", "tada": "celebrate",
	"laugh": "laugh", "thinking": "thinking", "eyes": "looking", "rocket": "rocket",
}

func eventText(p *i18n.Printer, it discussion.Item) string {
	switch it.Kind {
	case discussion.KindThreadEdited:
		return p.T("page.thread.event.edited")
	case discussion.KindClosed:
		return p.T("page.thread.event.closed")
	case discussion.KindReopened:
		return p.T("page.thread.event.reopened")
	case discussion.KindForkedOut:
		return p.N("page.thread.event.forked_out", noteCount(it.Data["count"]))
	case discussion.KindForkedIn:
		return p.N("page.thread.event.forked_in", noteCount(it.Data["count"]))
	case discussion.KindMoved:
		// Which group it came from is not said: it may be a secret group
		// that this thread's new readers must not learn of.
		return p.T("page.thread.event.moved")
	}
	if rest, ok := strings.CutPrefix(it.Kind, "poll."); ok {
		return p.T("page.thread.event.poll", "Event", strings.ReplaceAll(rest, "_", " "))
	}
	return it.Kind
}

// noteCount is a note's count of comments (0 when unreadable).
func noteCount(n string) int {
	c, err := strconv.Atoi(n)
	if err != nil {
		return 0
	}
	return c
}

// eventLink is the thread a fork's note names (reading it is checked when
// the link is followed).
func eventLink(p *i18n.Printer, it discussion.Item) (string, string) {
	var tid string
	switch it.Kind {
	case discussion.KindForkedOut:
		tid = it.Data["to"]
	case discussion.KindForkedIn:
		tid = it.Data["from"]
	default:
		return "", ""
	}
	if tid == "" {
		return "", ""
	}
	title := it.Data["title"]
	if title == "" {
		title = p.T("page.thread.another_thread")
	}
	return threadURL(tid), title
}

// buildTimeline nests replies under their parents, in timeline order.
func buildTimeline(p *i18n.Printer, items []discussion.Item, caps threadCaps, closed bool, d *threadPageData) []*timelineNode {
	byID := map[string]*timelineNode{}
	var roots []*timelineNode
	for _, it := range items {
		n := &timelineNode{Item: it, Tid: d.Thread.ID, P: d, FileList: fileList{Thread: d.Thread.ID, Files: it.Files}}
		if it.Kind == discussion.KindComment {
			n.CanEdit, n.CanDelete = caps.ForComment(it)
			n.CanReply = caps.Comment && !closed && !it.Deleted
			mine := map[string]discussion.Reaction{}
			for _, re := range it.Reactions {
				mine[re.Name] = re
			}
			if !it.Deleted {
				for _, name := range discussion.ReactionNames {
					re := mine[name]
					b := reactionButton{Name: name, Emoji: discussion.Reactions[name],
						Label: reactionLabels[name], Count: re.Count, Mine: re.Mine}
					n.Reactions = append(n.Reactions, b)
					if b.Count > 0 {
						n.Used = append(n.Used, b)
					}
				}
			}
		} else {
			n.Event = eventText(p, it)
			n.Link, n.LinkText = eventLink(p, it)
		}
		byID[it.ID] = n
		if p, ok := byID[it.ParentID]; ok && it.ParentID != "" {
			p.Children = append(p.Children, n)
			continue
		}
		n.Orphan = it.ParentID != ""
		roots = append(roots, n)
	}
	return roots
}

// ---- thread list, new thread ----

type threadListData struct {
	Group    group.Group
	Threads  []discussion.Thread
	Next     string
	Notice   string
	CanStart bool
	SignedIn bool
	Level    *formState
	Levels   []string
	// TagFilter is the tag the list is filtered by (?tag=), nil for all
	// threads; More the link to the next page, keeping the filter.
	TagFilter *tag.Tag
	More      string
}

var levelNames = []string{string(notify.Mute), string(notify.Quiet), string(notify.Normal), string(notify.Loud)}

// levelShown is a notification setting as a menu shows it: the level that
// applies and whether it comes from the group (the thread has none of its
// own). The thread's menu checks "same as the group" (Own false, offered
// with the group's level, GroupLevel) or the thread's own level.
type levelShown struct {
	Level      string
	Inherited  bool
	Own        bool
	GroupLevel string
}

// levelChoice is the level that applies to a thread for its reader: the
// thread's own (read with the thread page), else the group's (read with
// the group), else normal, as notify.Effective decides.
func levelChoice(thread notify.Level, g *group.Group) levelShown {
	var gl notify.Level
	if g != nil {
		gl = notify.Level(g.MyLevel)
	}
	return levelShown{Level: string(notify.Effective(gl, thread)), Inherited: thread == "" && gl != "", Own: thread != "",
		GroupLevel: string(notify.Effective(gl, ""))}
}

func (s *Server) ThreadListPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cursor, _, err := handlerkit.ThreadsParams(r, 25, 100)
	var page struct {
		Items []discussion.Thread
		Next  string
	}
	// ?tag= filters by a tag (the tag's index: a page of tagged threads).
	tagID := r.URL.Query().Get("tag")
	if err == nil {
		var p store.Page[discussion.Thread]
		var terr error
		if tagID != "" {
			p, terr = s.discussions.TaggedThreads(r.Context(), id, tagID, cursor, 25)
		} else {
			p, terr = s.discussions.Threads(r.Context(), id, cursor, 25)
		}
		page.Items, page.Next, err = p.Items, p.Next, terr
	}
	var g group.Group
	if err == nil && s.groups != nil {
		g, err = s.groups.GetWithLevel(r.Context(), id)
	}
	var filter *tag.Tag
	if err == nil && tagID != "" {
		filter, err = s.tagNamed(r.Context(), id, tagID)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	more := ""
	if page.Next != "" {
		more = groupURL(id, "/threads?cursor="+url.QueryEscape(page.Next))
		if tagID != "" {
			more += "&tag=" + url.QueryEscape(tagID)
		}
	}
	s.web.Page(w, r, http.StatusOK, "thread_list", s.web.Printer(r).T("page.thread.title.list", "Group", g.Name), threadListData{Group: g, Threads: page.Items,
		Next: page.Next, Notice: s.discussionNotice(r), CanStart: g.Can(string(authz.ThreadStart)),
		SignedIn: authz.ActorFrom(r.Context()).Authenticated(), Level: newForm(map[string]string{"level": string(levelChoice("", &g).Level)}), Levels: levelNames,
		TagFilter: filter, More: more})
}

type threadNewData struct {
	Group  group.Group
	Form   *formState
	Notify *notifyForm
	// Started is the template the form was opened from (templates_pages.go).
	Started *startedFrom
	// Tags is the tag picker (tags_forms.go), when the author may tag.
	Tags *tagFields
	// Poll is the poll the template also opens (thread_with_poll.go).
	Poll *threadPollOffer
}

func (s *Server) renderThreadNew(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	g, err := s.groups.Get(r.Context(), r.PathValue("id"))
	if err == nil && !g.Can(string(authz.ThreadStart)) {
		err = s.groups.Authorize(r.Context(), g.ID, authz.ThreadStart, authz.Target{})
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	nf := s.notifyFormFor(r.Context(), &g, "", f, f.Values["notify_shown"] == "", "")
	var tf *tagFields
	if s.discussions.CanTagNewThread(r.Context(), g.ID) {
		tf = s.tagFieldsFor(r.Context(), g.ID, f)
	}
	s.web.Page(w, r, status, "thread_new", s.web.Printer(r).T("page.thread.title.new", "Group", g.Name), threadNewData{Group: g, Form: f, Notify: nf,
		Started: s.templateGuide(r, g.ID, f.Values["template"]), Tags: tf, Poll: s.threadPollOfferFor(r, g.ID, f)})
}

func (s *Server) ThreadNewPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	f := newForm(nil)
	// Started from a template: the form opens prefilled (templates_pages.go).
	st, err := s.templateStart(r, r.PathValue("id"), r.URL.Query().Get("template"), process.KindThread)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if st != nil {
		f.Values["title"], f.Values["description"], f.Values["template"] = st.Thread.Title, st.Thread.Description, st.TemplateID
		if st.Poll != nil {
			f.Values["with_poll"] = "on" // opened with the thread unless unticked
		}
	}
	s.renderThreadNew(w, r, http.StatusOK, f)
}

func (s *Server) ThreadCreateSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	if r.PostFormValue("template") != "" && r.PostFormValue("with_poll") != "" {
		s.threadWithPollSubmit(w, r)
		return
	}
	in := discussion.StartInput{GroupID: r.PathValue("id"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Notify: audienceFromForm(r.PostForm), Tags: pickedTags(r)}
	t, err := s.discussions.StartThread(r.Context(), in)
	if err != nil {
		f := newForm(map[string]string{"title": in.Title, "description": in.Description,
			"notify_shown": r.PostFormValue("notify_shown"), "notify_group": r.PostFormValue("notify_group"),
			"template": r.PostFormValue("template")})
		notifyValues(r.PostForm, f.Values)
		tagValues(r.PostForm, f.Values)
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadNew(w, r, status, f) })
		return
	}
	done := "started"
	if len(t.Notices) > 0 {
		done = "started-plain" // an @group they may not send
	}
	redirect(w, r, threadURL(t.ID)+"?done="+done)
}

func (s *Server) GroupLevelSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.groupPostForm(w, r) {
		return
	}
	l, err := handlerkit.ParseLevel(r.PostFormValue("level"))
	if err == nil {
		err = s.discussions.SetGroupLevel(r.Context(), r.PathValue("id"), l)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(r.PathValue("id"), "/threads")+"?done=level")
}

// ---- the thread page ----

type threadPageData struct {
	Thread   discussion.Thread
	Group    *group.Group
	Timeline []*timelineNode
	Next     string
	Earlier  bool // the page does not start at the thread's beginning
	Notice   string
	Caps     threadCaps
	Comment  *formState // the new comment form (and the reply that failed)
	ReplyTo  string
	Guest    *formState
	Levels   []string
	// Level is the reader's notification setting for the thread, as the
	// menu shows it checked.
	Level levelShown
	// ThreadFiles are the thread's own attachments.
	ThreadFiles fileList
	// ThreadReacts is the reaction bar of the thread itself (nil: none
	// used and the viewer may not react).
	ThreadReacts *reactBar
	// Announce is the "Notify people" form (nil when the viewer may notify
	// nobody); AnnounceForm carries a failed one.
	Announce     *notifyForm
	AnnounceForm *formState
	// FailedVote is an inline vote on a poll card that was refused.
	FailedVote *inlineVote
	// Unread is what the reader has not seen since their last visit:
	// FirstUnread, the item the "New since your last visit" divider (the
	// #first-unread anchor) is on, and where the page's jump link goes.
	Unread unreadMarks
	// AuthorFace is the thread author's picture or initials.
	AuthorFace avatarView
	// Participants are the faces in the thread's heading: its author, then
	// who commented, opened a poll or voted (at most maxParticipants);
	// MoreParticipants counts the others ("+N").
	Participants     []avatarView
	MoreParticipants int
	// voters are the voters the poll cards name, card by card (pollCards);
	// votersMore counts the ballots of cards past what they name.
	voters     []string
	votersMore int
}

func (s *Server) ThreadPage(w http.ResponseWriter, r *http.Request) {
	s.renderThread(w, r, http.StatusOK, nil, "", nil)
}

// renderThread renders the thread page; comment or guest carry a form
// that failed (replyTo names the comment a failed reply was for).
func (s *Server) renderThread(w http.ResponseWriter, r *http.Request, status int, comment *formState, replyTo string, guest *formState) {
	s.renderThreadWith(w, r, status, func(d *threadPageData) { d.Comment, d.ReplyTo, d.Guest = comment, replyTo, guest })
}

// renderThreadWith renders the thread page after edit set the forms that
// failed.
func (s *Server) renderThreadWith(w http.ResponseWriter, r *http.Request, status int, edit func(*threadPageData)) {
	ctx := r.Context()
	tid := r.PathValue("tid")
	cursor := r.URL.Query().Get("cursor")
	var p discussion.ThreadPage
	var err error
	if c := r.URL.Query().Get("comment"); c != "" && cursor == "" {
		// A link to a comment (search results): the page holding it.
		p, err = s.discussions.PageAt(ctx, tid, c, discussion.TimelinePageSize)
	} else {
		p, err = s.discussions.Page(ctx, tid, cursor, discussion.TimelinePageSize)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	caps := s.capsFor(ctx, p.Thread)
	d := &threadPageData{Thread: p.Thread, Next: p.Next, Earlier: p.Earlier, Notice: s.threadNotice(r), Caps: caps,
		Levels: levelNames, ThreadFiles: fileList{Thread: p.Thread.ID, Files: p.Thread.Files}}
	if edit != nil {
		edit(d)
	}
	d.Unread = unreadOf(p)
	pr := s.web.Printer(r)
	d.ThreadReacts = threadReactBar(p.Thread, caps.Comment, pr.T("page.thread.the_thread"))
	d.Timeline = buildTimeline(pr, p.Items, caps, p.Thread.Closed, d)
	s.pollCards(r, p.Items, d.Timeline, d)
	s.threadFaces(ctx, d)
	if d.Comment == nil {
		d.Comment = newForm(nil)
	}
	if d.Guest == nil {
		d.Guest = newForm(nil)
	}
	// The group is named only to those who may see it (not to a guest of a
	// thread in a secret group).
	// With the group comes the reader's level for it, in the same batch:
	// the notification menu shows what applies when the thread has none.
	if s.groups != nil {
		if g, err := s.groups.GetWithLevel(ctx, p.Thread.GroupID); err == nil {
			d.Group = &g
		}
	}
	d.Level = levelChoice(p.Level, d.Group)
	if caps.SignedIn {
		af := d.AnnounceForm
		if af == nil {
			af = newForm(nil)
		}
		link := ""
		if r.URL.Query().Get("notify") != "people" && d.AnnounceForm == nil {
			link = threadURL(p.Thread.ID) + "?notify=people#notify"
		}
		if d.Announce = s.notifyFormFor(ctx, d.Group, p.Thread.ID, af, false, link); d.Announce != nil {
			d.Announce.Action, d.Announce.Button = threadURL(p.Thread.ID, "/announce"), pr.T("page.thread.notify")
			d.Announce.Open = d.Announce.Open || link == ""
		}
	}
	if caps.SignedIn && status == http.StatusOK && p.Next == "" && p.Thread.Unread > 0 {
		// The reader has now seen the whole thread.
		if _, err := s.discussions.MarkRead(ctx, tid); err != nil {
			s.log.WarnContext(ctx, "mark read failed", "thread_id", tid, "error", err.Error())
		}
	}
	s.web.Page(w, r, status, "thread", p.Thread.Title, d)
}

// threadPostForm parses a page form; it fails with the error page.
func (s *Server) threadPostForm(w http.ResponseWriter, r *http.Request) bool {
	return s.groupPostForm(w, r)
}

func (s *Server) CommentSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	in := discussion.CommentInput{ParentID: r.PostFormValue("parent_id"), Body: r.PostFormValue("body")}
	it, err := s.discussions.Comment(r.Context(), tid, in)
	if err != nil {
		f := newForm(map[string]string{"body": in.Body})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThread(w, r, status, f, in.ParentID, nil) })
		return
	}
	done := "commented"
	if len(it.Notices) > 0 {
		done = "commented-plain" // an @group they may not send
	}
	redirect(w, r, links.Comment(tid, it.ID, done))
}

func (s *Server) ThreadGuestSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	email := r.PostFormValue("email")
	if err := s.discussions.InviteGuest(r.Context(), tid, email); err != nil {
		f := newForm(map[string]string{"email": email})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThread(w, r, status, nil, "", f) })
		return
	}
	redirect(w, r, threadURL(tid)+"?done=guest")
}

func (s *Server) ThreadLevelSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	l, err := handlerkit.ParseThreadLevel(r.PostFormValue("level"))
	if err == nil {
		err = s.discussions.SetThreadLevel(r.Context(), r.PathValue("tid"), l)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(r.PathValue("tid"))+"?done=level")
}

// threadAction runs a thread action from a button and redirects with done.
func (s *Server) threadAction(w http.ResponseWriter, r *http.Request, done string, run func(ctx context.Context, tid string) error) {
	tid := r.PathValue("tid")
	if err := run(r.Context(), tid); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(tid)+"?done="+done)
}

func (s *Server) ThreadCloseSubmit(w http.ResponseWriter, r *http.Request) {
	s.threadAction(w, r, "closed", func(ctx context.Context, tid string) error {
		_, err := s.discussions.Close(ctx, tid)
		return err
	})
}

func (s *Server) ThreadReopenSubmit(w http.ResponseWriter, r *http.Request) {
	s.threadAction(w, r, "reopened", func(ctx context.Context, tid string) error {
		_, err := s.discussions.Reopen(ctx, tid)
		return err
	})
}

func (s *Server) ThreadPinSubmit(w http.ResponseWriter, r *http.Request) {
	s.threadAction(w, r, "pinned", func(ctx context.Context, tid string) error {
		_, err := s.discussions.Pin(ctx, tid, true)
		return err
	})
}

func (s *Server) ThreadUnpinSubmit(w http.ResponseWriter, r *http.Request) {
	s.threadAction(w, r, "unpinned", func(ctx context.Context, tid string) error {
		_, err := s.discussions.Pin(ctx, tid, false)
		return err
	})
}

func (s *Server) ThreadDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	t, err := s.discussions.Thread(r.Context(), tid)
	if err == nil {
		err = s.discussions.Delete(r.Context(), tid)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, groupURL(t.GroupID, "/threads")+"?done=deleted")
}

// ---- editing ----

type threadEditData struct {
	Thread discussion.Thread
	Form   *formState
}

func (s *Server) renderThreadEdit(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	ctx := r.Context()
	t, err := s.discussions.Thread(ctx, r.PathValue("tid"))
	if err == nil && !s.capsFor(ctx, t).Edit {
		err = authz.Forbidden("you cannot edit this thread")
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(map[string]string{"title": t.Title, "description": t.Description, "version": strconv.FormatInt(t.Version, 10)})
	}
	s.web.Page(w, r, status, "thread_edit", s.web.Printer(r).T("page.thread.title.edit", "Title", t.Title), threadEditData{Thread: t, Form: f})
}

func (s *Server) ThreadEditPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderThreadEdit(w, r, http.StatusOK, nil)
}

func (s *Server) ThreadEditSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	title, desc, ver := r.PostFormValue("title"), r.PostFormValue("description"), r.PostFormValue("version")
	t, err := s.discussions.UpdateThread(r.Context(), tid, discussion.UpdateInput{Title: &title, Description: &desc, Version: formVersion(ver)})
	if err != nil {
		f := newForm(map[string]string{"title": title, "description": desc, "version": ver})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderThreadEdit(w, r, status, f) })
		return
	}
	done := "saved"
	if len(t.Notices) > 0 {
		done = "saved-plain" // an @group they may not send
	}
	redirect(w, r, threadURL(tid)+"?done="+done)
}

type commentEditData struct {
	Thread  discussion.Thread
	Comment discussion.Item
	Form    *formState
}

// findComment reads the page of the thread holding comment cid (the
// comment is looked up on the first timeline page; comments further on are
// edited through the API).
func (s *Server) findComment(ctx context.Context, tid, cid string) (discussion.Thread, discussion.Item, threadCaps, error) {
	p, err := s.discussions.Page(ctx, tid, "", discussion.MaxTimelinePage)
	if err != nil {
		return discussion.Thread{}, discussion.Item{}, threadCaps{}, err
	}
	for _, it := range p.Items {
		if it.ID == cid && it.Kind == discussion.KindComment && !it.Deleted {
			return p.Thread, it, s.capsFor(ctx, p.Thread), nil
		}
	}
	return discussion.Thread{}, discussion.Item{}, threadCaps{}, discussion.ErrNoComment
}

func (s *Server) renderCommentEdit(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	t, c, caps, err := s.findComment(r.Context(), r.PathValue("tid"), r.PathValue("cid"))
	if err == nil {
		if edit, _ := caps.ForComment(c); !edit {
			err = authz.Forbidden("you cannot edit this comment")
		}
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(map[string]string{"body": c.Body, "version": strconv.FormatInt(c.Version, 10)})
	}
	s.web.Page(w, r, status, "thread_comment_edit", s.web.Printer(r).T("page.thread.title.comment_edit"), commentEditData{Thread: t, Comment: c, Form: f})
}

func (s *Server) CommentEditPage(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.renderCommentEdit(w, r, http.StatusOK, nil)
}

func (s *Server) CommentEditSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid, cid := r.PathValue("tid"), r.PathValue("cid")
	body, ver := r.PostFormValue("body"), r.PostFormValue("version")
	it, err := s.discussions.EditComment(r.Context(), tid, cid, body, formVersion(ver))
	if err != nil {
		f := newForm(map[string]string{"body": body, "version": ver})
		s.discussionFormFail(w, r, err, f, func(status int) { s.renderCommentEdit(w, r, status, f) })
		return
	}
	done := "edited"
	if len(it.Notices) > 0 {
		done = "edited-plain" // an @group they may not send
	}
	redirect(w, r, links.Comment(tid, cid, done))
}

func (s *Server) CommentDeleteSubmit(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := s.discussions.DeleteComment(r.Context(), tid, r.PathValue("cid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(tid)+"?done=removed")
}

func (s *Server) ReactSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid, cid := r.PathValue("tid"), r.PathValue("cid")
	on := r.PostFormValue("on") != "0"
	if err := s.discussions.React(r.Context(), tid, cid, r.PostFormValue("name"), on); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, links.Comment(tid, cid))
}

// ---- history ----

type historyData struct {
	Thread  discussion.Thread
	Comment string
	Edits   []historyEdit
}

type historyEdit struct {
	discussion.Edit
	Fields []historyField
	Face   avatarView // the editor's
}

type historyField struct{ Name, Before, After string }

func (s *Server) renderHistory(w http.ResponseWriter, r *http.Request, cid string) {
	ctx := r.Context()
	tid := r.PathValue("tid")
	edits, err := s.discussions.History(ctx, tid, cid)
	var t discussion.Thread
	if err == nil {
		t, err = s.discussions.Thread(ctx, tid)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := historyData{Thread: t, Comment: cid}
	editors := make([]string, 0, len(edits))
	for _, e := range edits {
		editors = append(editors, e.EditorID)
	}
	pictures := s.pictureVersions(ctx, editors)
	for _, e := range edits {
		he := historyEdit{Edit: e, Face: faceOf(e.EditorID, e.Editor, pictures[e.EditorID])}
		for _, name := range []string{"title", "description", "body"} {
			if after, ok := e.After[name]; ok {
				he.Fields = append(he.Fields, historyField{Name: name, Before: e.Before[name], After: after})
			}
		}
		d.Edits = append(d.Edits, he)
	}
	title := s.web.Printer(r).T("page.thread.title.history", "Title", t.Title)
	if cid != "" {
		title = s.web.Printer(r).T("page.thread.title.comment_history")
	}
	s.web.Page(w, r, http.StatusOK, "thread_history", title, d)
}

func (s *Server) ThreadHistoryPage(w http.ResponseWriter, r *http.Request) { s.renderHistory(w, r, "") }

func (s *Server) CommentHistoryPage(w http.ResponseWriter, r *http.Request) {
	s.renderHistory(w, r, r.PathValue("cid"))
}

// ---- attachments ----

// fileNoScriptSubmit is where the attachment form goes when JavaScript
// did not take it over: it explains why a file cannot be attached that way.
func (s *Server) FileNoScriptSubmit(w http.ResponseWriter, r *http.Request) {
	if err := authz.RequireUser(authz.ActorFrom(r.Context())); err != nil {
		s.PageError(w, r, err)
		return
	}
	tid := r.PathValue("tid")
	if _, err := s.discussions.Thread(r.Context(), tid); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(tid)+"?done=needs-js#attach")
}

func (s *Server) FileDownload(w http.ResponseWriter, r *http.Request) {
	if err := handlerkit.Download(w, r, s.discussions); err != nil {
		s.PageError(w, r, err)
	}
}

// ---- dashboard and notifications ----

type dashboardData struct {
	// Waiting are the open polls of the viewer's groups waiting for their
	// vote, the one closing soonest first (groups_hub.go).
	Waiting []waitingPoll
	Threads []discussion.Thread
	Unread  int64
	// Groups are a few of the viewer's groups, shown only when there are no
	// threads: the page then says what to do next (create a group, or
	// start a thread in one of these).
	Groups []group.Group
}

// dashboardGroups bounds the groups an empty dashboard offers to start a
// thread in.
const dashboardGroups = 5

func (s *Server) DashboardPage(w http.ResponseWriter, r *http.Request) {
	ts, err := s.discussions.Dashboard(r.Context(), 30)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := dashboardData{Threads: ts}
	waiting, mine, err := s.waitingPolls(r.Context(), s.web.Printer(r), time.Now())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Waiting = waiting
	if len(ts) == 0 {
		if mine == nil {
			page, err := s.groups.Mine(r.Context(), "", dashboardGroups)
			if err != nil {
				s.PageError(w, r, err)
				return
			}
			mine = page.Items
		}
		d.Groups = mine[:min(len(mine), dashboardGroups)]
	}
	if n, ok := web.UnreadKnown(r.Context()); ok { // the header's count: one read, one number
		d.Unread = n
	} else {
		d.Unread, _ = s.notifications.UnreadCount(r.Context())
	}
	s.web.Page(w, r, http.StatusOK, "dashboard", s.web.Printer(r).T("page.home.title.dashboard"), d)
}

type notificationsData struct {
	Items  []notificationRow
	Next   string
	Unread int64
	Notice string
}

func (s *Server) NotificationsPage(w http.ResponseWriter, r *http.Request) {
	cursor, _, err := handlerkit.ThreadsParams(r, 50, 100)
	var d notificationsData
	if err == nil {
		var p struct {
			Items []notify.Notification
			Next  string
		}
		pg, lerr := s.notifications.List(r.Context(), cursor, 50)
		p.Items, p.Next, err = pg.Items, pg.Next, lerr
		d.Items, d.Next = s.notificationRows(r.Context(), p.Items), p.Next
	}
	if n, ok := web.UnreadKnown(r.Context()); ok && err == nil { // the header's count: one read, one number
		d.Unread = n
	} else if err == nil {
		d.Unread, err = s.notifications.UnreadCount(r.Context())
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Notice = s.discussionNotice(r)
	pr := s.web.Printer(r)
	for i := range d.Items {
		d.Items[i].Excerpt = notify.ExcerptText(pr, d.Items[i].Notification)
	}
	s.web.Page(w, r, http.StatusOK, "notifications", s.web.Printer(r).T("page.home.title.notifications"), d)
}

func (s *Server) NotificationReadSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	if err := s.notifications.MarkRead(r.Context(), r.PathValue("nid")); err != nil {
		s.PageError(w, r, err)
		return
	}
	next := httpx.SafeNext(r.PostFormValue("next"))
	if next == "/" {
		next = "/notifications"
	}
	redirect(w, r, next)
}

func (s *Server) NotificationsReadAllSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.notifications.MarkAllRead(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/notifications?done=read")
}
