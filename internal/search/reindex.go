package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// AnalyzerVersion is the version of the analysis (tokenizer, stop words,
// stemmers, folding, weights) that documents are indexed with; each
// document stores it (attribute AV). Bump it with any change that makes
// the analysis of a text different: the stream then rebuilds a document
// on its next change, and a reindex (Reindexer) rebuilds every document
// whose AV is older, without waiting for a change.
const AnalyzerVersion = 1

// Reindexing reads the table (the whole of it, or one group's threads and
// polls) and brings the index in step with it, in bounded steps whose
// cursor is kept in a job item, so an operator (or a Lambda invocation)
// can run it step after step and an interrupted run carries on where it
// stopped (docs/search.md, "Reindex").
//
//	job  PK=SEARCH#REINDEX  SK=ALL | G#<gid>
const (
	reindexPK = "SEARCH#REINDEX"
	// Reindex step bounds.
	DefaultReindexItems = 2000
	MaxReindexItems     = 20000
	reindexPage         = 100
	// reindexMargin is the time left to save the cursor before the
	// caller's deadline.
	reindexMargin = 5 * time.Second
)

// Reindex phases: the whole table is one paged Scan; a group is its
// threads' partitions, then its polls'.
const (
	phaseScan    = "scan"
	phaseThreads = "threads"
	phasePolls   = "polls"
	phaseDone    = "done"
)

// ErrReindexBusy is returned when another step of the same reindex saved
// its cursor first (two steps ran at once): nothing is lost; run again.
var ErrReindexBusy = errors.New("search: another reindex step of this scope ran at the same time; run it again")

// ReindexRequest is one step of a reindex.
type ReindexRequest struct {
	// GroupID limits the reindex to one group ("" the whole installation).
	GroupID string `json:"group,omitempty"`
	// Restart discards the cursor of a run in progress and starts over.
	Restart bool `json:"restart,omitempty"`
	// MaxItems bounds the table items read in this step (default
	// DefaultReindexItems, at most MaxReindexItems).
	MaxItems int `json:"max_items,omitempty"`
}

// ReindexReport says what one step did and where the run stands.
type ReindexReport struct {
	Scope    string `json:"scope"` // "all" or "group:<gid>"
	Run      string `json:"run"`   // the run's start time: the same across its steps
	Phase    string `json:"phase"`
	Done     bool   `json:"done"`     // the run is complete: another step starts a new run
	Read     int    `json:"read"`     // table items read in this step
	Indexed  int    `json:"indexed"`  // documents written in this step
	Removed  int    `json:"removed"`  // documents of vanished items removed in this step
	Total    int64  `json:"total"`    // table items read by the run so far
	Analyzer int    `json:"analyzer"` // AnalyzerVersion
}

// job is the saved state of a reindex run.
type job struct {
	sk                  string
	run                 string
	phase               string
	after               string // scan: last PK read; group: GSI1SK of the last finished partition
	afterSK             string // scan: last SK read
	part, partAfter     string // group: partition in progress and the last SK read in it
	total, step         int64
	indexed, removed    int64
	started, finishedAt time.Time
}

func jobSK(gid string) string {
	if gid == "" {
		return "ALL"
	}
	return "G#" + gid
}

func (ix *Index) loadJob(ctx context.Context, sk string) (*job, error) {
	out, err := ix.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &ix.table, ConsistentRead: aws.Bool(true),
		Key: item{"PK": s(reindexPK), "SK": s(sk)}})
	if err != nil || len(out.Item) == 0 {
		return nil, err
	}
	it := item(out.Item)
	return &job{sk: sk, run: it.str("Run"), phase: it.str("Phase"), after: it.str("After"), afterSK: it.str("AfterSK"),
		part: it.str("Part"), partAfter: it.str("PartAfter"), total: it.int("Total"), step: it.int("Step"),
		indexed: it.int("Indexed"), removed: it.int("Removed"),
		started: it.ms("StartedAt"), finishedAt: it.ms("FinishedAt")}, nil
}

// saveJob writes j, conditioned on the step read (prev; 0: no job item or
// a finished one being replaced), so two steps running at once cannot both
// move the cursor.
func (ix *Index) saveJob(ctx context.Context, j *job, prev int64, fresh bool) error {
	j.step = prev + 1
	it := item{"PK": s(reindexPK), "SK": s(j.sk), "Type": s("search_reindex"), "Run": s(j.run), "Phase": s(j.phase),
		"Total": n(j.total), "Step": n(j.step), "Indexed": n(j.indexed), "Removed": n(j.removed),
		"AV": n(AnalyzerVersion), "StartedAt": n(msOf(j.started)), "UpdatedAt": n(msOf(ix.now()))}
	for k, v := range map[string]string{"After": j.after, "AfterSK": j.afterSK, "Part": j.part, "PartAfter": j.partAfter} {
		if v != "" {
			it[k] = s(v)
		}
	}
	if !j.finishedAt.IsZero() {
		it["FinishedAt"] = n(msOf(j.finishedAt))
	}
	cond := "attribute_not_exists(PK) OR Step = :prev"
	vals := item{":prev": n(prev)}
	if fresh {
		cond = "attribute_not_exists(PK) OR Step = :prev OR Phase = :done"
		vals[":done"] = s(phaseDone)
	}
	_, err := ix.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &ix.table, Item: it,
		ConditionExpression: &cond, ExpressionAttributeValues: vals})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrReindexBusy
	}
	return err
}

// Reindex runs one bounded step of the reindex of req's scope: it reads up
// to req.MaxItems table items from where the run's cursor stands (or
// until ctx's deadline is near), indexes each as it is now, saves the
// cursor, and reports. Call it again until Done. It is idempotent: a
// document already indexed at the item's version with the current
// AnalyzerVersion costs a read and no write; a document whose item has
// been deleted since is never brought back (the tombstone's version wins),
// and the whole-installation run removes documents whose item is gone.
func (x *Indexer) Reindex(ctx context.Context, req ReindexRequest) (ReindexReport, error) {
	ix := x.ix
	if req.GroupID != "" && !ids.Valid(req.GroupID) {
		return ReindexReport{}, fmt.Errorf("search: reindex: %q is not a group id", req.GroupID)
	}
	limit := req.MaxItems
	switch {
	case limit <= 0:
		limit = DefaultReindexItems
	case limit > MaxReindexItems:
		limit = MaxReindexItems
	}
	sk := jobSK(req.GroupID)
	j, err := ix.loadJob(ctx, sk)
	if err != nil {
		return ReindexReport{}, err
	}
	prev, fresh := int64(0), true
	if j != nil {
		prev = j.step
	}
	if j == nil || j.phase == phaseDone || req.Restart {
		now := ix.now()
		j = &job{sk: sk, run: now.UTC().Format(time.RFC3339Nano), phase: phaseScan, started: now}
		if req.GroupID != "" {
			j.phase = phaseThreads
		}
	} else {
		fresh = false
	}
	rep := ReindexReport{Scope: "all", Run: j.run, Analyzer: AnalyzerVersion}
	if req.GroupID != "" {
		rep.Scope = "group:" + req.GroupID
	}
	// Claim the step before the work, so a concurrent step fails early.
	if err := ix.saveJob(ctx, j, prev, fresh); err != nil {
		return rep, err
	}
	budget := func() int {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < reindexMargin {
			return 0
		}
		return limit - rep.Read
	}
	var werr error
	if req.GroupID == "" {
		werr = x.reindexScan(ctx, j, &rep, budget)
	} else {
		werr = x.reindexGroup(ctx, req.GroupID, j, &rep, budget)
	}
	if j.phase == phaseDone {
		j.finishedAt = ix.now()
	}
	j.indexed += int64(rep.Indexed)
	j.removed += int64(rep.Removed)
	// The cursor stands after the last item fully handled, even when the
	// step failed: the next step carries on from there.
	serr := ix.saveJob(context.WithoutCancel(ctx), j, j.step, false)
	rep.Phase, rep.Done, rep.Total = j.phase, j.phase == phaseDone, j.total
	if werr != nil {
		return rep, werr
	}
	return rep, serr
}

// reindexOne indexes one scanned item and counts what it did.
func (x *Indexer) reindexOne(ctx context.Context, it map[string]types.AttributeValue, rep *ReindexReport) error {
	if pk, sk := item(it).str(tabledef.PK), item(it).str(tabledef.SK); strings.HasPrefix(pk, docPrefix) && sk == docSK {
		removed, err := x.dropIfVanished(ctx, docFrom(it))
		if removed {
			rep.Removed++
		}
		return err
	}
	wrote, err := x.indexImage(ctx, it)
	if wrote {
		rep.Indexed++
	}
	return err
}

// reindexItems indexes a page of items in order, moving the cursor (done)
// past each one fully handled, so a failure leaves it on the last good one.
func (x *Indexer) reindexItems(ctx context.Context, items []map[string]types.AttributeValue, j *job, rep *ReindexReport, done func(item)) error {
	for _, it := range items {
		if err := x.reindexOne(ctx, it, rep); err != nil {
			return err
		}
		rep.Read++
		j.total++
		done(item(it))
	}
	return nil
}

// dropIfVanished removes a live document whose item no longer exists (a
// deletion whose stream record was never applied: a failover window,
// records older than the stream's retention), asking the item's owner.
func (x *Indexer) dropIfVanished(ctx context.Context, d *doc) (bool, error) {
	if d == nil || d.Deleted || d.Ord.Gone {
		return false, nil
	}
	r, ok := sourceRef(d)
	if !ok {
		return false, nil
	}
	it, err := x.ix.ownerOf(r.Kind).SearchRead(ctx, r.Ref)
	if err != nil || it != nil {
		return false, err
	}
	return x.applyItems(ctx, r, nil, nil)
}

// sourceRef names the item a document was made from. An anonymous
// reason's cannot be told from its document (the id hashes it): its
// poll's is checked instead by the query.
func sourceRef(d *doc) (ref, bool) {
	r := ref{id: d.ID, Ref: source.Ref{Kind: d.Kind, ThreadID: d.ThreadID, CommentID: d.CommentID, PollID: d.PollID}}
	switch d.Kind {
	case KindThread:
		return r, d.ThreadID != ""
	case KindComment:
		return r, d.ThreadID != "" && d.CommentID != ""
	case KindPoll, KindOutcome:
		r.ThreadID = ""
		return r, d.PollID != ""
	case KindReason:
		if uid, ok := strings.CutPrefix(d.ID, "b."+d.PollID+"."); ok && d.PollID != "" {
			r.ThreadID, r.VoterID = "", uid
			return r, true
		}
	}
	return ref{}, false
}

// reindexScan is the whole installation: a paged Scan of the table.
func (x *Indexer) reindexScan(ctx context.Context, j *job, rep *ReindexReport, budget func() int) error {
	ix := x.ix
	for j.phase == phaseScan {
		left := budget()
		if left <= 0 {
			return nil
		}
		in := &dynamodb.ScanInput{TableName: &ix.table, Limit: aws.Int32(int32(min(left, reindexPage)))}
		if j.after != "" {
			in.ExclusiveStartKey = item{"PK": s(j.after), "SK": s(j.afterSK)}
		}
		out, err := ix.db.Scan(ctx, in)
		if err != nil {
			return err
		}
		if err := x.reindexItems(ctx, out.Items, j, rep, func(it item) { j.after, j.afterSK = it.str("PK"), it.str("SK") }); err != nil {
			return err
		}
		if len(out.LastEvaluatedKey) == 0 {
			j.phase, j.after, j.afterSK = phaseDone, "", ""
		} else {
			lek := item(out.LastEvaluatedKey)
			j.after, j.afterSK = lek.str("PK"), lek.str("SK")
		}
	}
	return nil
}

// reindexGroup is one group: the partitions of its threads, then of its
// polls, each read whole, in the order their owners list them
// (source.Owner.SearchNext): a thread whose activity moves it while the
// run goes on moves forward, so it is not missed.
func (x *Indexer) reindexGroup(ctx context.Context, gid string, j *job, rep *ReindexReport, budget func() int) error {
	ix := x.ix
	for j.phase == phaseThreads || j.phase == phasePolls {
		if j.part != "" {
			if err := x.reindexPartition(ctx, j, rep, budget); err != nil || j.part != "" {
				return err // failed, or out of budget inside the partition
			}
		}
		if budget() <= 0 {
			return nil
		}
		owner := ix.threads
		if j.phase == phasePolls {
			owner = ix.polls
		}
		part, next, err := owner.SearchNext(ctx, gid, j.after)
		if err != nil {
			return err
		}
		if part == "" {
			j.after = ""
			if j.phase == phaseThreads {
				j.phase = phasePolls
			} else {
				j.phase = phaseDone
			}
			continue
		}
		j.part, j.partAfter, j.after = part, "", next
	}
	return nil
}

// reindexPartition reads the partition j.part from j.partAfter on,
// through its owner; it clears j.part once the partition is done.
func (x *Indexer) reindexPartition(ctx context.Context, j *job, rep *ReindexReport, budget func() int) error {
	ix := x.ix
	for {
		left := budget()
		if left <= 0 {
			return nil
		}
		owner := ix.threads
		if j.phase == phasePolls {
			owner = ix.polls
		}
		items, more, err := owner.SearchPage(ctx, j.part, j.partAfter, min(left, reindexPage))
		if err != nil {
			return err
		}
		if err := x.reindexItems(ctx, items, j, rep, func(it item) { j.partAfter = it.str(tabledef.SK) }); err != nil {
			return err
		}
		if !more {
			j.part, j.partAfter = "", ""
			return nil
		}
	}
}

// ReindexStatus is the saved state of the reindex of a scope (nil: never run).
func (x *Indexer) ReindexStatus(ctx context.Context, gid string) (*ReindexReport, error) {
	j, err := x.ix.loadJob(ctx, jobSK(gid))
	if err != nil || j == nil {
		return nil, err
	}
	rep := &ReindexReport{Scope: "all", Run: j.run, Phase: j.phase, Done: j.phase == phaseDone, Total: j.total,
		Indexed: int(j.indexed), Removed: int(j.removed), Analyzer: AnalyzerVersion}
	if gid != "" {
		rep.Scope = "group:" + gid
	}
	return rep, nil
}
