package group

// Deleting a group (#16 "Leave"). An admin confirms with the group's name;
// the group (with its subgroups) is then hidden from everyone but its
// admins and its parent's admins, who see when it will be erased and can
// restore it, for a grace period (Config.DeleteGrace, 14 days by
// default). Members are told by email in their language (by the
// scheduler, a page of members at a time). After the grace period the
// scheduler erases everything of the group (GroupEraser, in bounded
// idempotent steps that resume after any interruption): what remains is a
// tombstone with the group's id and dates.

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// DefaultDeleteGrace is how long a deleted group can be restored.
const DefaultDeleteGrace = 14 * 24 * time.Hour

const (
	deleteQueue = "GROUPDELETE"
	// noticePage bounds the members told per step.
	noticePage = 50
	// tombstoneSK: PK=GROUPGONE#<gid> SK=GONE.
	tombstoneSK = "GONE"
)

func tombstonePK(gid string) string { return "GROUPGONE#" + gid }

// GroupEraser erases everything stored about a group and its subgroups
// (items of every core, files with all their versions, the record of
// actions), the group's own item last. Each call does one bounded batch
// and reports done when nothing is left; calls are idempotent. The wiring
// (internal/cores) provides it.
type GroupEraser interface {
	EraseGroup(ctx context.Context, gid string) (done bool, err error)
}

// DeleteGrace is how long a deleted group can be restored.
func (s *Service) DeleteGrace() time.Duration { return s.grace }

// SetEraser sets the eraser (the wiring builds it after the cores).
func (s *Service) SetEraser(e GroupEraser) { s.eraser = e }

// Errors of deletion.
var (
	ErrNameMismatch = domain.Validation(domain.FieldError{Field: "name", Message: "type the group's name exactly to confirm"})
	errNotDeleting  = domain.Errorf(domain.Conflict, "this group is not deleted")
	errErasing      = domain.Errorf(domain.Conflict, "this group is being erased and can no longer be restored")
	errDeleting     = domain.Errorf(domain.Conflict, "this group is already deleted")
)

// tombstone is what remains of an erased group: its id and dates only.
type tombstone struct {
	store.Item
	GroupID   string    `dynamo:"GroupID"`
	DeletedAt time.Time `dynamo:"DeletedAt"`
	ErasedAt  time.Time `dynamo:"ErasedAt"`
}

// Delete deletes group gid (authz.GroupDelete: its admins) once name
// matches the group's name: hidden at once from all but admins, erased
// after the grace period unless restored. A subgroup goes with its parent.
// Errors: NotFound (hidden), Forbidden, Invalid (name), Conflict (already
// deleted, or the group or its parent is being deleted).
func (s *Service) Delete(ctx context.Context, gid, name string) (Group, error) {
	a, l, err := s.authorized(ctx, gid, authz.GroupDelete)
	if err != nil {
		return Group{}, err
	}
	if l.facts.Deleting {
		return Group{}, errDeleting
	}
	if name != l.g.Name {
		return Group{}, ErrNameMismatch
	}
	now := s.now().UTC()
	purge := now.Add(s.grace)
	g := *l.g
	g.DeletingAt, g.PurgeAt, g.DeletedBy, g.NoticeCursor, g.NoticesDone = &now, &purge, a.UserID, "", false
	g.GSI2PK, g.GSI2SK = deleteQueue, purge.Format(time.RFC3339Nano)+"#"+gid
	tx := s.st.Tx().SaveIf(&g, "attribute_not_exists($)", "DeletingAt")
	if err := s.audit.Record(ctx, tx, gid, audit.GroupDeleted, audit.Target{Kind: "group", ID: gid},
		map[string]string{"purge_at": purge.Format(time.RFC3339)}); err != nil {
		return Group{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		return Group{}, err
	}
	s.log.InfoContext(ctx, "group deleted (grace period)", "group_id", gid)
	l.g, l.facts.Deleting = &g, true
	return present(a, l), nil
}

// Restore undoes Delete during the grace period (authz.GroupRestore:
// admins of the group or its parent). Errors: NotFound, Forbidden,
// Conflict (not deleted, or the erasure began).
func (s *Service) Restore(ctx context.Context, gid string) (Group, error) {
	a, l, err := s.authorized(ctx, gid, authz.GroupRestore)
	if err != nil {
		return Group{}, err
	}
	if l.g.DeletingAt == nil {
		return Group{}, errNotDeleting
	}
	if l.g.ErasingAt != nil {
		return Group{}, errErasing
	}
	g := *l.g
	g.DeletingAt, g.PurgeAt, g.DeletedBy, g.NoticeCursor, g.NoticesDone = nil, nil, "", "", false
	g.GSI2PK, g.GSI2SK = "", ""
	tx := s.st.Tx().SaveIf(&g, "attribute_not_exists($)", "ErasingAt")
	if err := s.audit.Record(ctx, tx, gid, audit.GroupRestored, audit.Target{Kind: "group", ID: gid}, nil); err != nil {
		return Group{}, err
	}
	if err := tx.Run(ctx, ""); err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			return Group{}, errErasing
		}
		return Group{}, err
	}
	s.log.InfoContext(ctx, "group restored", "group_id", gid)
	l.g = &g
	l.facts.Deleting = l.parent != nil && l.parent.DeletingAt != nil
	return present(a, l), nil
}

// DeletionReport is what one run of RunDeletions did.
type DeletionReport struct {
	Notified int `json:"notified_members"`
	Erased   int `json:"erased_groups"`
	Steps    int `json:"erase_steps"`
}

// RunDeletions does the deleted groups' background work (the scheduler
// calls it): the members' notices, then, once the grace period is over,
// up to steps erasure steps in all.
func (s *Service) RunDeletions(ctx context.Context, now time.Time, steps int) (DeletionReport, error) {
	var r DeletionReport
	var queued []groupItem
	err := s.st.Table().Get(tabledef.GSI2PK, deleteQueue).Index(tabledef.GSI2).Limit(25).All(ctx, &queued)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return r, store.Classify(err)
	}
	var errs []error
	for i := range queued {
		g, err := s.getGroup(ctx, queued[i].ID)
		if err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			return r, err
		}
		if g.DeletingAt == nil {
			continue
		}
		if !g.NoticesDone {
			n, err := s.noticeStep(ctx, g)
			r.Notified += n
			errs = append(errs, err)
			continue
		}
		if g.PurgeAt == nil || now.Before(*g.PurgeAt) || steps <= 0 {
			continue
		}
		done, n, err := s.eraseGroup(ctx, g, now, steps)
		steps -= n
		r.Steps += n
		if done {
			r.Erased++
		}
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// noticeStep emails one page of the members of deleted group g, each in
// their language, and saves where it stopped (members are told at most
// about once; a crash between the emails and the save tells that page
// again).
func (s *Service) noticeStep(ctx context.Context, g *groupItem) (int, error) {
	q := s.st.Table().Get(tabledef.PK, tabledef.GroupPK(g.ID)).Range(tabledef.SK, dynamo.BeginsWith, memberSK("")).Limit(noticePage)
	if g.NoticeCursor != "" {
		q = q.StartFrom(dynamo.PagingKey{
			tabledef.PK: &types.AttributeValueMemberS{Value: tabledef.GroupPK(g.ID)},
			tabledef.SK: &types.AttributeValueMemberS{Value: g.NoticeCursor},
		})
	}
	var ms []memberItem
	lek, err := q.AllWithLastEvaluatedKey(ctx, &ms)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return 0, store.Classify(err)
	}
	uids := make([]string, 0, len(ms))
	for _, m := range ms {
		if m.UserID != g.DeletedBy {
			uids = append(uids, m.UserID)
		}
	}
	sent := 0
	if len(uids) > 0 && s.people != nil && s.mail != nil {
		people, err := s.people.UsersByID(ctx, uids)
		if err != nil {
			return 0, err
		}
		for _, uid := range uids {
			if p, ok := people[uid]; ok && p.Email != "" {
				s.sendDeleted(ctx, g, p)
				sent++
			}
		}
	}
	var next string
	if v, ok := lek[tabledef.SK].(*types.AttributeValueMemberS); ok && len(ms) > 0 {
		next = v.Value
	}
	u := s.st.Update(tabledef.GroupPK(g.ID), groupSK).If("attribute_exists($)", "DeletingAt")
	if next == "" {
		u.Set("NoticesDone", true).Remove("NoticeCursor")
	} else {
		u.Set("NoticeCursor", next)
	}
	if err := u.Run(ctx); err != nil && !dynamo.IsCondCheckFailed(err) {
		return sent, store.Classify(err)
	}
	return sent, nil
}

// sendDeleted tells member p that group g was deleted and when it will be
// erased (best effort: a failure is logged without the address).
func (s *Service) sendDeleted(ctx context.Context, g *groupItem, p Person) {
	pr := s.printer(p)
	when := pr.DateTime(*g.PurgeAt) + " (" + pr.Isolate(pr.Location().String()) + ")"
	subject := oneLine(pr.T("email.d16.group_deleted.subject", "Group", g.Name))
	body := pr.T("email.d16.group_deleted.body", "Group", pr.Isolate(g.Name), "Date", when)
	export := pr.T("email.d16.group_deleted.admins")
	_, err := s.mail.Send(ctx, mail.Message{
		From: s.from, To: []string{p.Email}, Subject: subject,
		Text: body + "\n\n" + export + "\n",
		HTML: mail.HTMLDoc(string(pr.Lang()), pr.Dir(), subject, mail.Para(body)+mail.Para(export)),
	})
	if err != nil {
		s.log.WarnContext(ctx, "group deletion notice not sent", "group_id", g.ID, "error", domain.ErrorMessage(err))
	}
}

// eraseGroup runs up to steps batches of the erasure of g: the tombstone
// first (and the marker that ends restoring), then the eraser until done.
func (s *Service) eraseGroup(ctx context.Context, g *groupItem, now time.Time, steps int) (bool, int, error) {
	if s.eraser == nil {
		return false, 0, domain.Errorf(domain.Unavailable, "group erasure is not configured")
	}
	if g.ErasingAt == nil {
		err := s.st.Update(tabledef.GroupPK(g.ID), groupSK).Set("ErasingAt", now.UTC()).If("attribute_exists($)", "DeletingAt").Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return false, 0, store.Classify(err)
		}
		t := &tombstone{Item: store.Item{PK: tombstonePK(g.ID), SK: tombstoneSK, Type: "group_tombstone"},
			GroupID: g.ID, DeletedAt: *g.DeletingAt, ErasedAt: now.UTC()}
		if err := s.st.Tx().Put(t).Run(ctx, ""); err != nil {
			return false, 0, err
		}
	}
	n := 0
	for n < steps {
		n++
		done, err := s.eraser.EraseGroup(ctx, g.ID)
		if err != nil {
			return false, n, err
		}
		if done {
			s.log.InfoContext(ctx, "group erased", "group_id", g.ID)
			return true, n, nil
		}
	}
	return false, n, nil
}

// Deleted reports whether group gid was erased, and when it was deleted
// (its tombstone). Operators' question; no authorization (ids only).
func (s *Service) Deleted(ctx context.Context, gid string) (bool, time.Time, error) {
	var t tombstone
	if err := s.st.Get(ctx, tombstonePK(gid), tombstoneSK, &t); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return false, time.Time{}, nil
		}
		return false, time.Time{}, err
	}
	return true, t.DeletedAt, nil
}
