package cores

import (
	"context"
	"errors"
	"time"

	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/export"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/tag"
)

// TickReport is what one scheduler run did.
type TickReport struct {
	Polls  decision.TickReport `json:"polls"`
	Purged int                 `json:"purged_threads"`
	// Moves is how many interrupted thread moves the run finished.
	Moves int `json:"finished_thread_moves"`
	// Forks is how many interrupted forks of comments the run finished.
	Forks int `json:"finished_comment_forks"`
	// Removals is how many removals of a member's comments (moderation)
	// the run finished.
	Removals int `json:"finished_comment_removals"`
	// Mail is the outbox sweep (new jobs the stream missed, retries after
	// backoff, abandoned claims); Digests the catch-up digests sent.
	Mail    notify.Report       `json:"mail"`
	Digests notify.DigestReport `json:"digests"`
	// Fanout is the sweep of fan-out jobs older than a few minutes (their
	// stream record was lost or their run failed; normally 0).
	Fanout notify.FanoutReport `json:"fanout"`
	// Sealed is how many audit entries the sweep linked into their
	// groups' chains (normally the stream did it already: 0).
	Sealed int `json:"sealed_audit_entries"`
	// Tags is the purge of deleted tags (references and index items
	// removed in bounded batches).
	Tags tag.PurgeReport `json:"tags"`
	// Deletions is how many interrupted account deletions it finished.
	Deletions int `json:"finished_account_deletions"`
	// Groups is the deleted groups' work: members told, erasure steps (#16).
	Groups group.DeletionReport `json:"deleted_groups"`
	// Exports is the export steps this run did (#16).
	Exports export.Report `json:"exports"`
	// Imports is the group import steps this run did (#16).
	Imports export.Report `json:"imports"`
	Elapsed string        `json:"elapsed"`
}

// Tick runs the periodic work once: closing and finalizing polls, reminders,
// purging deleted threads, the outbox sweep and the digests due.
// functions/scheduler calls it on every EventBridge Scheduler event; make
// dev calls it from a ticker. Every part
// is idempotent, so overlapping or repeated runs do nothing twice.
func (a *Cores) Tick(ctx context.Context, now time.Time) (TickReport, error) {
	start := time.Now()
	var r TickReport
	var errs []error
	polls, err := a.Decisions.Tick(ctx, now)
	r.Polls = polls
	errs = append(errs, err)
	purged, err := a.Discussions.PurgeDue(ctx, now)
	r.Purged = purged
	errs = append(errs, err)
	r.Moves, err = a.Discussions.FinishMoves(ctx, now, 10)
	errs = append(errs, err)
	r.Forks, err = a.Discussions.FinishForks(ctx, now, 10)
	errs = append(errs, err)
	// Each step is a page of one thread's comments (or of the listing of
	// a group's threads); the next run goes on where this one stopped.
	r.Removals, err = a.Discussions.RunRemovals(ctx, 200)
	errs = append(errs, err)
	if a.Fanouts != nil {
		// Before the outbox, so the notifications it writes go out now.
		r.Fanout, err = a.Fanouts.Sweep(ctx, now, 100)
		errs = append(errs, err)
	}
	if a.Outbox != nil {
		// After the poll work, so the notices it just queued go out now.
		r.Mail, err = a.Outbox.DeliverDue(ctx, now)
		errs = append(errs, err)
		r.Digests, err = a.Outbox.SendDigests(ctx, now)
		errs = append(errs, err)
	}
	if a.Accounts != nil {
		// A few accounts a run: a deletion's name scans read the table in
		// pages of up to 100 batches a run (see account.ResumeDeletions).
		r.Deletions, err = a.Accounts.ResumeDeletions(ctx, 3)
		errs = append(errs, err)
	}
	if a.Tags != nil {
		r.Tags, err = a.Tags.PurgeDeleted(ctx, 10)
		errs = append(errs, err)
	}
	if a.Groups != nil {
		// Notices first; erasure steps are batches of up to 500 items.
		r.Groups, err = a.Groups.RunDeletions(ctx, now, 20)
		errs = append(errs, err)
	}
	if a.Exports != nil {
		// A few jobs a run, each a step per section page (a page is at
		// most a scan page of the table); the next run goes on.
		r.Exports, err = a.Exports.Run(ctx, 5, 50)
		errs = append(errs, err)
		// Imports the same way: a step is one chunk of one thread or poll.
		r.Imports, err = a.Exports.RunImports(ctx, 2, 50)
		errs = append(errs, err)
	}
	if a.Audit != nil {
		r.Sealed, err = a.Audit.SealPending(ctx, 1000)
		errs = append(errs, err)
	}
	r.Elapsed = time.Since(start).Round(time.Millisecond).String()
	return r, errors.Join(errs...)
}
