package decision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/poll"
	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The @mentions of a poll's details, as those of a thread's description
// (internal/discussion, mentions.go; one rule: render.MentionKeys for the
// syntax, notify.ResolveMentions for whom a key names). The transaction
// that opens the poll (or edits its details while open) writes the keys in
// a phase of its fan-out job, first, so the people named hear of the poll
// as a mention; the job resolves them off the request path, among the
// group's members and the guests of the poll's thread, and hands the
// resolution back (MentionsResolved), which stores the details rendered
// with the mentions linked. Until then, and whenever the stored HTML is
// not for the details as they are, the details are rendered without links.

// mentionGroup is @group: the whole group, never a person (discussion's
// GroupMention); a poll's details do not page the group by it.
const mentionGroup = "group"

// detailsSum identifies the details the stored HTML was rendered from.
func detailsSum(details string) string {
	sum := sha256.Sum256([]byte(details))
	return hex.EncodeToString(sum[:12])
}

// withDetails fills v's DetailsHTML when the stored one does not fit: the
// details rendered now, their mentions as plain text.
func (s *Service) withDetails(v *Poll) {
	if v.DetailsHTML == "" && v.Definition.Details != "" {
		v.DetailsHTML = s.r.Markdown(v.Definition.Details)
	}
}

// mentionPhase is the fan-out phase that tells the people the details of
// poll p name, as a mention (p.DefVersion is the definition they are read
// from); no phase (false) without mentions.
func (s *Service) mentionPhase(ctx context.Context, p *pollItem, details string) (NoticePhase, bool, error) {
	var keys []string
	for _, k := range s.r.MentionKeys(details) {
		if k != mentionGroup {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return NoticePhase{}, false, nil
	}
	var guests []string
	if p.ThreadID != "" && s.threads != nil {
		var err error
		if guests, err = s.threads.ThreadGuests(ctx, p.ThreadID); err != nil {
			return NoticePhase{}, false, err
		}
	}
	return NoticePhase{Kind: NoticeMentioned, Reach: ReachAddressed, Keys: keys, Extra: guests, Version: p.DefVersion,
		Excerpt: s.r.Excerpt(details, 140)}, true, nil
}

// PartOutcome names an outcome statement's mention phase (NoticePhase.Part,
// handed back in notify.MentionRef.Part), whose Version is the outcome's.
const PartOutcome = "outcome"

// MentionsResolved records on poll ref.PollID whom its details mention and
// the details rendered with them linked, while the poll still has the
// definition the job read (DefVersion); otherwise, or with nobody named,
// nothing. An outcome's statement likewise (outcomeMentionsResolved). One
// read and one conditional update; repeating it changes nothing.
func (s *Service) MentionsResolved(ctx context.Context, ref notify.MentionRef) error {
	if len(ref.People) == 0 || ref.PollID == "" {
		return nil
	}
	if ref.Part == PartOutcome {
		return s.outcomeMentionsResolved(ctx, ref, ref.Version)
	}
	var p pollItem
	if err := s.st.Get(ctx, tabledef.PollPK(ref.PollID), skPoll, &p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	if p.DefVersion != ref.Version {
		return nil
	}
	d, err := p.def()
	if err != nil {
		return err
	}
	html := s.r.MarkdownMentions(d.Details, ref.Link)
	err = s.st.Update(p.PK, p.SK).SetSet("Mentions", ref.People).Set("DetailsHTML", string(html)).
		Set("DetailsRV", render.Version).Set("DetailsSum", detailsSum(d.Details)).
		If("DefVersion = ?", ref.Version).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil
	}
	return store.Classify(err)
}

// addMentionFanout adds to tx, the transaction that edits the details of
// poll p (now d) by actor, the job that resolves their mentions and tells
// the people named, except those the details named before (Mentions).
func (s *Service) addMentionFanout(ctx context.Context, tx *store.Tx, p *pollItem, d poll.Definition, actor string) error {
	mention, ok, err := s.mentionPhase(ctx, p, d.Details)
	if err != nil || !ok {
		return err
	}
	f := NoticeFanout{Notice: s.notice(NoticeMentioned, p, d, nil), Skip: append([]string{actor}, p.Mentions...),
		Phases: []NoticePhase{mention}}
	f.ActorID = actor
	return s.fanout.AddFanout(ctx, tx, f)
}

// The @mentions of an outcome's statement, as a comment's: the job that
// resolves them (a phase of a fan-out job written in the transaction that
// writes the outcome) tells the people named, except the author and those
// the statement named before an edit, and hands the resolution back
// (outcomeMentionsResolved), which stores the statement rendered with the
// mentions linked. Until then the statement shows them as text.

// addOutcomeMentionFanout adds to tx, which writes outcome o of poll p by
// actor (o.Version is the version written), the job that resolves the
// statement's mentions and tells the people named, except those in before
// (the people it named before this edit) and those in told (the voters
// the outcome's publication tells, when the job can name them all: each
// person hears of the outcome once); nothing without mentions.
func (s *Service) addOutcomeMentionFanout(ctx context.Context, tx *store.Tx, p *pollItem, d poll.Definition, o *outcomeItem, before, told []string, actor string) error {
	mention, ok, err := s.mentionPhase(ctx, p, o.Statement)
	if err != nil || !ok {
		return err
	}
	mention.Version, mention.Part = o.Version, PartOutcome
	mention.Excerpt = s.r.Excerpt(o.Statement, OutcomeExcerpt)
	skip := append([]string{actor}, before...)
	if len(skip)+len(told)+len(mention.Extra) <= notify.MaxFanoutPeople {
		skip = append(skip, told...)
	}
	f := NoticeFanout{Notice: s.notice(NoticeMentioned, p, d, nil), Skip: skip, Phases: []NoticePhase{mention}}
	f.ActorID = actor
	return s.fanout.AddFanout(ctx, tx, f)
}

// outcomeMentionsResolved records on the outcome of poll ref.PollID whom
// its statement mentions and the statement rendered with them linked,
// while the outcome is still at version v, the one the job read.
func (s *Service) outcomeMentionsResolved(ctx context.Context, ref notify.MentionRef, v int64) error {
	var o outcomeItem
	if err := s.st.Get(ctx, tabledef.PollPK(ref.PollID), skOutcome, &o); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	if o.Version != v {
		return nil
	}
	html := s.r.MarkdownMentions(o.Statement, ref.Link)
	err := s.st.Update(o.PK, o.SK).SetSet("Mentions", ref.People).Set("HTML", string(html)).
		Set("RenderV", render.Version).If("$ = ?", tabledef.Version, v).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil
	}
	return store.Classify(err)
}
