// Package process keeps the templates a group starts threads and polls from:
// the built-in processes every group has (advice, consent, consensus,
// gradients of agreement, dot vote, ranked choice, check-in, time poll,
// question round, election) and the group's own templates, saved by its
// admins from a thread or a poll. (The package is not called "template":
// that name belongs to html/template.)
//
// A thread template may carry a poll too (the advice, consent and
// consensus processes do): starting it prefills the new thread and offers
// to open the poll in it with the same submit (the server creates the
// thread, then the poll, and removes the thread again if the poll fails).
//
// A template creates nothing. Start returns the input of a new thread or
// poll, prefilled from the template with a closing time computed from its
// offset ("7 days"); the person edits it and submits it to the thread or
// poll core as any other.
//
// Items (PK PROCESS#<gid>, owned by this package only):
//
//	STATE      the group's arrangement: Order (its templates' ids, in the
//	           order offered) and Hidden (the built-in keys it does not use)
//	TPL#<id>   one group template
//
// Listing is one query of the partition (at most MaxTemplates + 1 items).
// Saving and deleting a template write it and STATE in one transaction
// conditioned on STATE's version, so the bound holds under concurrent
// saves; each admin action writes its entry in the group's record
// (internal/audit) in the same transaction.
package process

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
	"github.com/quorum-app/quorum/internal/text"
)

// Kind is what a template starts.
type Kind string

// Kinds of template.
const (
	KindThread Kind = "thread"
	KindPoll   Kind = "poll"
)

// Limits.
const (
	MaxTemplates    = 50    // group templates per group (built-in ones not counted)
	MaxNameLength   = 100   // characters of a template's name
	MaxGuideLength  = 1000  // characters of its guide
	MaxDetailsChars = 20000 // characters of the thread description or poll details it prefills
	MaxClosingDays  = 365   // the closing offset of a poll template, in days
	DefaultClosing  = 7     // days, when a poll is saved as a template without an offset
	MaxHiddenList   = 20    // names in an arrangement's list of hidden built-in templates (the bound of the request)
)

// Policy is the group service's authorization entry point
// (*group.Service implements it).
type Policy interface {
	Authorize(ctx context.Context, gid string, action authz.Action, target authz.Target) error
}

// Recorder writes an admin action's entry into its transaction
// (*audit.Service implements it).
type Recorder interface {
	Record(ctx context.Context, tx *store.Tx, gid string, action audit.Action, target audit.Target, details map[string]string) error
}

// Sources read the thread or poll a template is saved from, as the actor
// (so an admin saves only what they may read). The cores wire them to the
// discussion and decision cores.
type Sources interface {
	// Poll returns a poll's group and definition.
	Poll(ctx context.Context, pid string) (gid string, d poll.Definition, err error)
	// Thread returns a thread's group, title and description.
	Thread(ctx context.Context, tid string) (gid, title, description string, err error)
}

// Config are the dependencies of the Service.
type Config struct {
	Store   storage
	Policy  Policy
	Sources Sources
	// Audit records admin actions (nil: nothing recorded; unit tests).
	Audit Recorder
	// Catalog words the built-in templates (nil: a new one).
	Catalog *i18n.Catalog
	Log     *slog.Logger
	Now     func() time.Time
}

// Service implements templates.
type Service struct {
	st      storage
	policy  Policy
	sources Sources
	audit   Recorder
	cat     *i18n.Catalog
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{st: c.Store, policy: c.Policy, sources: c.Sources, audit: c.Audit, cat: c.Catalog, log: c.Log, now: c.Now}
	if s.cat == nil {
		s.cat = i18n.New()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.audit == nil {
		s.audit = audit.Discard
	}
	return s
}

// Errors with meaning for the user.
var (
	ErrNotFound   = domain.Errorf(domain.NotFound, "this group has no such template")
	ErrBuiltIn    = domain.Errorf(domain.Conflict, "a built-in template cannot be changed or deleted: hide it instead")
	ErrTooMany    = domain.Errorf(domain.Conflict, "this group has 50 templates already: delete one first")
	ErrNoStart    = domain.Errorf(domain.Forbidden, "you cannot start this in this group")
	errWrongGroup = domain.Validation(domain.FieldError{Field: "from", Message: "is not in this group"})
)

// Template is a template as its readers see it.
type Template struct {
	ID      string `json:"id"` // a built-in's key, or a group template's id
	GroupID string `json:"group_id"`
	BuiltIn bool   `json:"built_in"`
	// Hidden: a built-in the group's admins hid (only admins see these).
	Hidden bool   `json:"hidden,omitempty"`
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Guide  string `json:"guide"`
	// Title and Details prefill the new thread's title and description or
	// the poll's title and details.
	Title   string `json:"title"`
	Details string `json:"details"`
	// Poll is the poll's type, options and settings (poll templates; never
	// a closing time). A thread template may have one too: the poll it
	// opens in the new thread, with its own title (empty: the thread's).
	Poll *poll.Definition `json:"poll,omitempty"`
	// ClosingDays: a poll started from the template closes this many days
	// after it is started (poll templates and thread templates with a poll).
	ClosingDays int        `json:"closing_days,omitempty"`
	CreatedBy   string     `json:"created_by,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	Version     int64      `json:"version,omitempty"`
}

// List is a group's templates in the order they are offered: the group's
// own first (in their admins' order), then the built-in ones.
type List struct {
	Templates []Template `json:"templates"`
	// CanManage: the reader may save, arrange and delete templates.
	CanManage bool `json:"can_manage"`
}

// ---- storage ----

const (
	pkPrefix  = "PROCESS#"
	skState   = "STATE"
	skTplPfx  = "TPL#"
	queryRoom = MaxTemplates + 2 // STATE, the templates, and one to spare
)

func partition(gid string) string { return pkPrefix + gid }

type stateItem struct {
	store.Item
	GroupID string   `dynamo:"GroupID"`
	Order   []string `dynamo:"Order,omitempty"`
	Hidden  []string `dynamo:"Hidden,omitempty"`
}

type templateItem struct {
	store.Item
	ID          string    `dynamo:"ID"`
	GroupID     string    `dynamo:"GroupID"`
	Kind        string    `dynamo:"Kind"`
	Name        string    `dynamo:"Name"`
	Guide       string    `dynamo:"Guide,omitempty"`
	Title       string    `dynamo:"Title,omitempty"`
	Details     string    `dynamo:"Details,omitempty"`
	Poll        string    `dynamo:"Poll,omitempty"` // the poll.Definition as JSON
	ClosingDays int       `dynamo:"ClosingDays,omitempty"`
	CreatedBy   string    `dynamo:"CreatedBy"`
	CreatedAt   time.Time `dynamo:"CreatedAt"`
	UpdatedAt   time.Time `dynamo:"UpdatedAt"`
}

func (it *templateItem) template() (Template, error) {
	t := Template{ID: it.ID, GroupID: it.GroupID, Kind: Kind(it.Kind), Name: it.Name, Guide: it.Guide, Title: it.Title,
		Details: it.Details, ClosingDays: it.ClosingDays, CreatedBy: it.CreatedBy, Version: it.Version}
	c, u := it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	t.CreatedAt, t.UpdatedAt = &c, &u
	if it.Poll != "" {
		var d poll.Definition
		if err := json.Unmarshal([]byte(it.Poll), &d); err != nil {
			return Template{}, domain.Wrap(domain.Internal, err, "a stored template cannot be read")
		}
		t.Poll = &d
	}
	return t, nil
}

// read loads a group's arrangement and templates: one query.
func (s *Service) read(ctx context.Context, gid string) (*stateItem, map[string]*templateItem, error) {
	var raw []dynamo.Item
	err := s.st.Table().Get(tabledef.PK, partition(gid)).Consistent(true).Limit(queryRoom).All(ctx, &raw)
	if err != nil {
		return nil, nil, store.Classify(err)
	}
	st := &stateItem{Item: store.Item{PK: partition(gid), SK: skState, Type: "process_state"}, GroupID: gid}
	tpls := map[string]*templateItem{}
	for _, r := range raw {
		var base store.Item
		if err := dynamo.UnmarshalItem(r, &base); err != nil {
			return nil, nil, domain.Wrap(domain.Internal, err, "a stored template cannot be read")
		}
		switch {
		case base.SK == skState:
			if err := dynamo.UnmarshalItem(r, st); err != nil {
				return nil, nil, domain.Wrap(domain.Internal, err, "the templates' order cannot be read")
			}
		case strings.HasPrefix(base.SK, skTplPfx):
			var t templateItem
			if err := dynamo.UnmarshalItem(r, &t); err != nil {
				return nil, nil, domain.Wrap(domain.Internal, err, "a stored template cannot be read")
			}
			tpls[t.ID] = &t
		}
	}
	return st, tpls, nil
}

// ---- reading ----

// localized is built-in b in language l.
func (s *Service) localized(gid string, b builtin, l lang.Lang) Template {
	p := s.cat.Printer(l, time.UTC)
	t := Template{ID: b.key, GroupID: gid, BuiltIn: true, Kind: b.kind, Name: p.T("process." + b.key + ".name"),
		Guide: p.T("process." + b.key + ".guide"), ClosingDays: b.closingDays}
	if b.def != nil {
		// Preset options keep their preset labels: the poll core and its
		// emails word them in each reader's language (poll.option.*).
		d := b.def()
		t.Poll = &d
	}
	return t
}

// List returns the templates of a group to whoever reads its content
// (hidden built-in ones only to its admins), built-in ones worded in l.
func (s *Service) List(ctx context.Context, gid string, l lang.Lang) (List, error) {
	if !ids.Valid(gid) {
		return List{}, authz.ErrHidden
	}
	if err := s.policy.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return List{}, err
	}
	manage := s.policy.Authorize(ctx, gid, authz.GroupManageTemplates, authz.Target{}) == nil
	st, tpls, err := s.read(ctx, gid)
	if err != nil {
		return List{}, err
	}
	out := List{CanManage: manage, Templates: []Template{}}
	for _, id := range ordered(st, tpls) {
		t, err := tpls[id].template()
		if err != nil {
			return List{}, err
		}
		out.Templates = append(out.Templates, t)
	}
	for _, b := range builtins {
		hidden := slices.Contains(st.Hidden, b.key)
		if hidden && !manage {
			continue
		}
		t := s.localized(gid, b, l)
		t.Hidden = hidden
		out.Templates = append(out.Templates, t)
	}
	return out, nil
}

// ordered is the group's template ids in their order: STATE's order, then
// any template it does not name (none, unless an item was restored alone).
func ordered(st *stateItem, tpls map[string]*templateItem) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range st.Order {
		if tpls[id] != nil && !seen[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	var rest []string
	for id := range tpls {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// Get returns one template of a group (a built-in one by its key) to
// whoever reads the group's content; a hidden built-in one only to admins.
func (s *Service) Get(ctx context.Context, gid, id string, l lang.Lang) (Template, error) {
	if !ids.Valid(gid) {
		return Template{}, authz.ErrHidden
	}
	if err := s.policy.Authorize(ctx, gid, authz.GroupViewContent, authz.Target{}); err != nil {
		return Template{}, err
	}
	if b, ok := builtinByKey(id); ok {
		t := s.localized(gid, b, l)
		var st stateItem
		switch err := s.st.Get(ctx, partition(gid), skState, &st); {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return Template{}, err
		case slices.Contains(st.Hidden, id):
			if s.policy.Authorize(ctx, gid, authz.GroupManageTemplates, authz.Target{}) != nil {
				return Template{}, ErrNotFound
			}
			t.Hidden = true
		}
		return t, nil
	}
	if !ids.Valid(id) {
		return Template{}, ErrNotFound
	}
	var it templateItem
	if err := s.st.Get(ctx, partition(gid), skTplPfx+id, &it); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Template{}, ErrNotFound
		}
		return Template{}, err
	}
	return it.template()
}

// Start is what starting from a template prefills: the body of a new
// thread (POST /api/v1/groups/{id}/threads) or poll (POST
// /api/v1/groups/{id}/polls), with the guide to show beside the form.
type Start struct {
	TemplateID string      `json:"template_id"`
	Kind       Kind        `json:"kind"`
	Name       string      `json:"name"`
	Guide      string      `json:"guide"`
	Thread     *ThreadBody `json:"thread,omitempty"`
	// Poll is the poll a poll template starts, or the poll a thread
	// template opens in its new thread (then its title may be empty: the
	// thread's title is used). It is left out of a thread template's start
	// for those who may not start polls.
	Poll *PollBody `json:"poll,omitempty"`
	// ClosingDays is the poll's closing offset (the closing time in Poll
	// is now plus this).
	ClosingDays int `json:"closing_days,omitempty"`
}

// ThreadBody is a new thread's input.
type ThreadBody struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// PollBody is a new poll's input: its definition, closing ClosingDays
// after now.
type PollBody struct {
	Type     poll.Type     `json:"type"`
	Title    string        `json:"title"`
	Details  string        `json:"details"`
	Options  []poll.Option `json:"options"`
	Settings poll.Settings `json:"settings"`
}

// Start returns the prefilled input of a thread or poll started from
// template id, to those who may start one in the group. It writes nothing.
func (s *Service) Start(ctx context.Context, gid, id string, l lang.Lang) (Start, error) {
	t, err := s.Get(ctx, gid, id, l)
	if err != nil {
		return Start{}, err
	}
	action := authz.ThreadStart
	if t.Kind == KindPoll {
		action = authz.PollStart
	}
	if err := s.policy.Authorize(ctx, gid, action, authz.Target{}); err != nil {
		return Start{}, err
	}
	out := Start{TemplateID: t.ID, Kind: t.Kind, Name: t.Name, Guide: t.Guide}
	days := t.ClosingDays
	if days <= 0 {
		days = DefaultClosing
	}
	if t.Kind == KindThread {
		out.Thread = &ThreadBody{Title: t.Title, Description: t.Details}
		if t.Poll == nil || s.policy.Authorize(ctx, gid, authz.PollStart, authz.Target{}) != nil {
			return out, nil
		}
		out.Poll, out.ClosingDays = s.pollBody(*t.Poll, days, t.Poll.Title, t.Poll.Details), days
		return out, nil
	}
	d := poll.New(poll.TypeProposal)
	if t.Poll != nil {
		d = *t.Poll
	}
	out.Poll, out.ClosingDays = s.pollBody(d, days, t.Title, t.Details), days
	return out, nil
}

// pollBody is the input of a poll of definition d closing days from now.
func (s *Service) pollBody(d poll.Definition, days int, title, details string) *PollBody {
	// Whole hours, so that the form shows a round time.
	at := s.now().UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
	d.Settings.ClosingAt = &at
	return &PollBody{Type: d.Type, Title: title, Details: details, Options: d.Options, Settings: d.Settings}
}

// ---- writing (admins) ----

// Input is a group template's content. From names a thread or poll of the
// group to take the kind, title, details and poll definition from
// ("poll:<id>" or "thread:<id>"; fields given here still win).
type Input struct {
	From        string           `json:"from,omitempty"`
	Name        string           `json:"name"`
	Guide       string           `json:"guide"`
	Kind        Kind             `json:"kind"`
	Title       string           `json:"title"`
	Details     string           `json:"details"`
	Poll        *poll.Definition `json:"poll,omitempty"`
	ClosingDays int              `json:"closing_days"`
	// Version of the template being edited (Update only; 0: not checked).
	Version int64 `json:"version,omitempty"`
	// WithPoll names a poll of the group whose definition (with its title
	// and details) a thread template takes as the poll it opens (with From
	// "thread:<id>": the thread's poll; Poll, when set, wins).
	WithPoll string `json:"with_poll,omitempty"`
}

// manage authorizes a template admin action on gid.
func (s *Service) manage(ctx context.Context, gid string) error {
	if !ids.Valid(gid) {
		return authz.ErrHidden
	}
	// The policy hides a secret group from visitors before asking them to
	// sign in, and only admins (signed in) pass.
	return s.policy.Authorize(ctx, gid, authz.GroupManageTemplates, authz.Target{})
}

// fill takes what in.From names into in (fields in already set win).
func (s *Service) fill(ctx context.Context, gid string, in *Input) error {
	if in.From == "" {
		return s.fillPoll(ctx, gid, in)
	}
	kind, id, _ := strings.Cut(in.From, ":")
	if !ids.Valid(id) {
		return domain.Validation(domain.FieldError{Field: "from", Message: `must be "poll:<id>" or "thread:<id>"`})
	}
	switch Kind(kind) {
	case KindPoll:
		g, d, err := s.sources.Poll(ctx, id)
		if err != nil {
			return err
		}
		if g != gid {
			return errWrongGroup
		}
		in.Kind = KindPoll
		if in.Title == "" {
			in.Title = d.Title
		}
		if in.Details == "" {
			in.Details = d.Details
		}
		if in.Poll == nil {
			in.Poll = &d
		}
		if in.ClosingDays == 0 {
			in.ClosingDays = DefaultClosing
		}
		if in.Name == "" {
			in.Name = d.Title
		}
	case KindThread:
		g, title, desc, err := s.sources.Thread(ctx, id)
		if err != nil {
			return err
		}
		if g != gid {
			return errWrongGroup
		}
		in.Kind = KindThread
		if in.Title == "" {
			in.Title = title
		}
		if in.Details == "" {
			in.Details = desc
		}
		if in.Name == "" {
			in.Name = title
		}
	default:
		return domain.Validation(domain.FieldError{Field: "from", Message: `must be "poll:<id>" or "thread:<id>"`})
	}
	return s.fillPoll(ctx, gid, in)
}

// fillPoll takes the poll in.WithPoll names into a thread template.
func (s *Service) fillPoll(ctx context.Context, gid string, in *Input) error {
	if in.WithPoll == "" || in.Poll != nil {
		return nil
	}
	if in.Kind != KindThread || !ids.Valid(in.WithPoll) {
		return domain.Validation(domain.FieldError{Field: "with_poll", Message: "names a poll of the group for a thread template"})
	}
	g, d, err := s.sources.Poll(ctx, in.WithPoll)
	if err != nil {
		return err
	}
	if g != gid {
		return domain.Validation(domain.FieldError{Field: "with_poll", Message: "is not in this group"})
	}
	in.Poll = &d
	if in.ClosingDays == 0 {
		in.ClosingDays = DefaultClosing
	}
	return nil
}

// validate checks and cleans in into the stored fields of it.
func validate(in Input, it *templateItem) error {
	var fe domain.FieldErrors
	it.Name = text.CheckLine(&fe, "name", in.Name, 1, MaxNameLength)
	it.Guide = text.CheckBlock(&fe, "guide", in.Guide, 0, MaxGuideLength)
	it.Title = text.CheckLine(&fe, "title", in.Title, 0, poll.MaxTitleLength)
	it.Details = text.CheckBlock(&fe, "details", in.Details, 0, MaxDetailsChars)
	it.Kind, it.Poll, it.ClosingDays = string(in.Kind), "", 0
	switch in.Kind {
	case KindThread:
		if in.Poll == nil {
			if in.ClosingDays != 0 {
				fe.Add("closing_days", "is only for templates with a poll")
			}
			break
		}
		// The poll a thread template opens keeps its own title and details.
		if err := validatePoll(&fe, in, it, true); err != nil {
			return err
		}
	case KindPoll:
		if in.Poll == nil {
			fe.Add("poll", "is required for a poll template")
			break
		}
		if err := validatePoll(&fe, in, it, false); err != nil {
			return err
		}
	default:
		fe.Add("kind", "must be thread or poll")
	}
	return fe.Err()
}

// validatePoll checks in.Poll and in.ClosingDays into it; keepText keeps
// the poll's title and details (a thread template's poll), else they go
// (a poll template's are the template's Title and Details).
func validatePoll(fe *domain.FieldErrors, in Input, it *templateItem, keepText bool) error {
	d := *in.Poll
	d.Settings.ClosingAt = nil // a template keeps an offset, never a date
	if d.Type == poll.TypeMeeting {
		d.Options = nil // the times of one meeting are not the next one's
	}
	if keepText {
		d.Title = text.CheckLine(fe, "poll.title", d.Title, 0, poll.MaxTitleLength)
		d.Details = text.CheckBlock(fe, "poll.details", d.Details, 0, MaxDetailsChars)
	}
	// Validated as a draft with a stand-in title (the person writes it).
	probe := d
	if text.Len(probe.Title) == 0 {
		probe.Title = "template"
	}
	probe.Details = ""
	if _, err := poll.ValidateNew(probe, time.Now()); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			return err
		}
		for _, f := range de.Fields {
			// A poll template may leave the options to the person
			// starting from it (not a thread template's poll: the
			// thread form opens it as it is).
			if f.Field == "options" && len(d.Options) == 0 && !keepText {
				continue
			}
			if f.Field == "title" || f.Field == "details" {
				continue // checked above
			}
			fe.Add("poll."+f.Field, "%s", f.Message)
		}
	}
	title, details := d.Title, d.Details
	d = poll.Normalize(d)
	d.Title, d.Details = "", ""
	if keepText {
		d.Title, d.Details = title, details
	}
	b, err := json.Marshal(d)
	if err != nil {
		return domain.Wrap(domain.Internal, err, "the template cannot be stored")
	}
	it.Poll = string(b)
	switch {
	case in.ClosingDays == 0:
		it.ClosingDays = DefaultClosing
	case in.ClosingDays < 1 || in.ClosingDays > MaxClosingDays:
		fe.Add("closing_days", "must be between 1 and %d", MaxClosingDays)
	default:
		it.ClosingDays = in.ClosingDays
	}
	return nil
}

// Create saves a group template (admins). Errors: Unauthorized, NotFound
// (group invisible), Forbidden (not an admin), Invalid, Conflict (the
// group has MaxTemplates, or changed meanwhile: try again).
func (s *Service) Create(ctx context.Context, gid string, in Input) (Template, error) {
	if err := s.manage(ctx, gid); err != nil {
		return Template{}, err
	}
	if err := s.fill(ctx, gid, &in); err != nil {
		return Template{}, err
	}
	now := s.now().UTC()
	id := ids.New()
	it := &templateItem{Item: store.Item{PK: partition(gid), SK: skTplPfx + id, Type: "process_template"},
		ID: id, GroupID: gid, CreatedBy: authz.ActorFrom(ctx).UserID, CreatedAt: now, UpdatedAt: now}
	if err := validate(in, it); err != nil {
		return Template{}, err
	}
	st, tpls, err := s.read(ctx, gid)
	if err != nil {
		return Template{}, err
	}
	if len(tpls) >= MaxTemplates {
		return Template{}, ErrTooMany
	}
	st.Order = append(ordered(st, tpls), id)
	tx := s.st.Tx().Create(it, nil).Save(st)
	details := map[string]string{"kind": it.Kind}
	if in.From != "" {
		details["from"] = in.From
	}
	if err := s.audit.Record(ctx, tx, gid, audit.TemplateSaved, audit.Target{Kind: "template", ID: id}, details); err != nil {
		return Template{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Template{}, err
	}
	s.log.InfoContext(ctx, "template saved", "group_id", gid, "template_id", id, "kind", it.Kind)
	return it.template()
}

// Update replaces a group template's content (admins); in.Version, when
// set, must be the version read. Built-in templates cannot be changed.
func (s *Service) Update(ctx context.Context, gid, id string, in Input) (Template, error) {
	if err := s.manage(ctx, gid); err != nil {
		return Template{}, err
	}
	if _, ok := builtinByKey(id); ok {
		return Template{}, ErrBuiltIn
	}
	if !ids.Valid(id) {
		return Template{}, ErrNotFound
	}
	var it templateItem
	if err := s.st.Get(ctx, partition(gid), skTplPfx+id, &it); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Template{}, ErrNotFound
		}
		return Template{}, err
	}
	if in.Version != 0 && in.Version != it.Version {
		return Template{}, store.ErrVersionConflict
	}
	if err := s.fill(ctx, gid, &in); err != nil {
		return Template{}, err
	}
	if err := validate(in, &it); err != nil {
		return Template{}, err
	}
	it.UpdatedAt = s.now().UTC()
	tx := s.st.Tx().Save(&it)
	if err := s.audit.Record(ctx, tx, gid, audit.TemplateEdited, audit.Target{Kind: "template", ID: id}, map[string]string{"kind": it.Kind}); err != nil {
		return Template{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Template{}, err
	}
	return it.template()
}

// Delete removes a group template (admins).
func (s *Service) Delete(ctx context.Context, gid, id string) error {
	if err := s.manage(ctx, gid); err != nil {
		return err
	}
	if _, ok := builtinByKey(id); ok {
		return ErrBuiltIn
	}
	if !ids.Valid(id) {
		return ErrNotFound
	}
	st, tpls, err := s.read(ctx, gid)
	if err != nil {
		return err
	}
	if tpls[id] == nil {
		return ErrNotFound
	}
	st.Order = slices.DeleteFunc(ordered(st, tpls), func(x string) bool { return x == id })
	tx := s.st.Tx().Delete(s.st.DeleteOp(partition(gid), skTplPfx+id).If("attribute_exists($)", tabledef.PK), ErrNotFound).Save(st)
	if err := s.audit.Record(ctx, tx, gid, audit.TemplateDeleted, audit.Target{Kind: "template", ID: id}, nil); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}

// Arrangement is the order of a group's templates (every one of its
// templates' ids, once) and the built-in ones it hides (their keys). A nil
// field leaves that part as it is.
type Arrangement struct {
	Order  []string `json:"order"`
	Hidden []string `json:"hidden"`
}

// Arrange sets the order of the group's templates and which built-in ones
// are hidden (admins).
func (s *Service) Arrange(ctx context.Context, gid string, a Arrangement) error {
	if err := s.manage(ctx, gid); err != nil {
		return err
	}
	st, tpls, err := s.read(ctx, gid)
	if err != nil {
		return err
	}
	var fe domain.FieldErrors
	if a.Order != nil {
		cur := ordered(st, tpls)
		next := slices.Clone(a.Order)
		if len(next) != len(cur) || !sameSet(next, cur) {
			fe.Add("order", "must list each of the group's %d templates once", len(cur))
		}
		st.Order = next
	}
	if a.Hidden != nil {
		if len(a.Hidden) > len(builtins) {
			fe.Add("hidden", "names at most %d built-in templates", len(builtins))
		}
		var hidden []string
		for _, k := range a.Hidden {
			if _, ok := builtinByKey(k); !ok {
				fe.Add("hidden", "%q is not a built-in template", k)
				continue
			}
			if !slices.Contains(hidden, k) {
				hidden = append(hidden, k)
			}
		}
		st.Hidden = hidden
	}
	if err := fe.Err(); err != nil {
		return err
	}
	tx := s.st.Tx().Save(st)
	details := map[string]string{"templates": strconv.Itoa(len(st.Order)), "hidden": strconv.Itoa(len(st.Hidden))}
	if err := s.audit.Record(ctx, tx, gid, audit.TemplatesArranged, audit.Target{Kind: "templates"}, details); err != nil {
		return err
	}
	return tx.Run(ctx, "")
}

// Move moves template id one place up (-1) or down (+1) among the group's
// templates, or hides (hide) or shows a built-in one: the page's buttons,
// as one Arrange.
func (s *Service) Move(ctx context.Context, gid, id string, by int) error {
	if err := s.manage(ctx, gid); err != nil {
		return err
	}
	st, tpls, err := s.read(ctx, gid)
	if err != nil {
		return err
	}
	order := ordered(st, tpls)
	i := slices.Index(order, id)
	if i < 0 {
		return ErrNotFound
	}
	j := i + by
	if j < 0 || j >= len(order) {
		return nil // already first or last
	}
	order[i], order[j] = order[j], order[i]
	return s.Arrange(ctx, gid, Arrangement{Order: order})
}

// SetHidden hides or shows one built-in template (admins).
func (s *Service) SetHidden(ctx context.Context, gid, key string, hidden bool) error {
	if err := s.manage(ctx, gid); err != nil {
		return err
	}
	if _, ok := builtinByKey(key); !ok {
		return ErrNotFound
	}
	var st stateItem
	if err := s.st.Get(ctx, partition(gid), skState, &st); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	next := slices.DeleteFunc(slices.Clone(st.Hidden), func(k string) bool { return k == key })
	if hidden {
		next = append(next, key)
	}
	if next == nil {
		next = []string{}
	}
	return s.Arrange(ctx, gid, Arrangement{Hidden: next})
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
