package search

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Indexer keeps the index in step with the table. It consumes the table's
// stream (NEW_AND_OLD_IMAGES) through HandleRecords, called by the stream
// dispatcher with the records of one batch. It is idempotent and
// order-tolerant: a document is replaced only by a newer version of its
// item (the item's Version; for ballots, whose key is reused when a vote is
// cast again, the update time first), and a removed item leaves a
// tombstone for a week, so a redelivered or late record never brings back
// a deleted or older text.
type Indexer struct {
	ix      *Index
	log     *slog.Logger
	workers int
}

// NewIndexer returns the stream consumer of ix. log may be nil.
func NewIndexer(ix *Index, log *slog.Logger) *Indexer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Indexer{ix: ix, log: log, workers: 4}
}

// keysOf returns the table key of a record.
func keysOf(r events.DynamoDBEventRecord) (pk, sk string) {
	k := attrs(r.Change.Keys)
	return k.str("PK"), k.str("SK")
}

// Wants reports whether a record concerns the index, so a dispatcher can
// skip calling it (and the indexer skips the rest cheaply too).
func (x *Indexer) Wants(r events.DynamoDBEventRecord) bool {
	_, ok := x.refOfRecord(r)
	return ok
}

// refOfRecord is the document a record's item becomes, asked of the
// item's owner with the record's image (the new one, else the old).
func (x *Indexer) refOfRecord(r events.DynamoDBEventRecord) (ref, bool) {
	pk, sk := keysOf(r)
	img := r.Change.NewImage
	if img == nil {
		img = r.Change.OldImage
	}
	return x.ix.refOf(pk, sk, itemOf(img))
}

// HandleRecords applies a batch of stream records. Records of one item are
// applied in order; different items in parallel. failures lists the
// SequenceNumbers of records that could not be applied (storage errors):
// report them as BatchItemFailures so the stream retries them; the
// records of an item after a failed one are reported too, so they are
// retried in order. err is set only when ctx ended.
func (x *Indexer) HandleRecords(ctx context.Context, recs []events.DynamoDBEventRecord) (failures []string, err error) {
	type group struct{ recs []events.DynamoDBEventRecord }
	var order []string
	groups := map[string]*group{}
	for _, r := range recs {
		if !x.Wants(r) {
			continue
		}
		pk, sk := keysOf(r)
		k := pk + "\x00" + sk
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		g.recs = append(g.recs, r)
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		work    = make(chan *group)
		applied int
	)
	for w := 0; w < x.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				for i, r := range g.recs {
					if err := x.apply(ctx, r); err != nil {
						x.log.WarnContext(ctx, "search: record not indexed", "event_id", r.EventID, "error", err.Error())
						mu.Lock()
						for _, rest := range g.recs[i:] {
							failures = append(failures, rest.Change.SequenceNumber)
						}
						mu.Unlock()
						break
					}
					mu.Lock()
					applied++
					mu.Unlock()
				}
			}
		}()
	}
	for _, k := range order {
		work <- groups[k]
	}
	close(work)
	wg.Wait()
	x.log.InfoContext(ctx, "search: indexed", "records", len(recs), "applied", applied, "failed", len(failures))
	return failures, ctx.Err()
}

// Handle is HandleRecords shaped as a Lambda stream handler.
func (x *Indexer) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	failed, err := x.HandleRecords(ctx, ev.Records)
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, seq := range failed {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: seq})
	}
	return resp, err
}

// IndexItem indexes one table item as it is now (a backfill of a table
// scanned page by page, or a repair). Items the index does not follow are
// ignored.
func (x *Indexer) IndexItem(ctx context.Context, it map[string]types.AttributeValue) error {
	_, err := x.indexImage(ctx, it)
	return err
}

// indexImage indexes one table item as it is now, if its owner says the
// index follows it; wrote reports whether a document was written.
func (x *Indexer) indexImage(ctx context.Context, it source.Image) (wrote bool, err error) {
	r, ok := x.ix.refOf(item(it).str(tabledef.PK), item(it).str(tabledef.SK), it)
	if !ok {
		return false, nil
	}
	return x.applyItems(ctx, r, x.decoded(r, it), nil)
}

// decoded is img as the owner of r decodes it (nil stays nil).
func (x *Indexer) decoded(r ref, img source.Image) *source.Item {
	if img == nil {
		return nil
	}
	it := x.ix.ownerOf(r.Kind).SearchItem(r.Ref, img)
	return &it
}

func (x *Indexer) apply(ctx context.Context, rec events.DynamoDBEventRecord) error {
	pk, sk := keysOf(rec)
	newImg, oldImg := itemOf(rec.Change.NewImage), itemOf(rec.Change.OldImage)
	img := newImg
	if img == nil {
		img = oldImg
	}
	r, ok := x.ix.refOf(pk, sk, img)
	if !ok {
		return nil
	}
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) {
		newImg = nil
	}
	_, err := x.applyItems(ctx, r, x.decoded(r, newImg), x.decoded(r, oldImg))
	return err
}

// applyItems brings the document of item r up to newIt (nil: the item is
// gone); oldIt, when known, is the item before the change. It reports
// whether the document was written.
func (x *Indexer) applyItems(ctx context.Context, r ref, newIt, oldIt *source.Item) (bool, error) {
	ix := x.ix
	var d *doc
	if newIt != nil {
		d = decode(r, newIt, ix.md)
		if oldIt != nil {
			// Most changes of a thread (every comment moves its activity)
			// or a poll touch nothing searchable: skip them without a call.
			if o := decode(r, oldIt, ix.md); reflect.DeepEqual(o, d) {
				return false, nil
			}
		}
	} else {
		d = decode(r, nil, ix.md)
		if oldIt != nil {
			d.Ord = decode(r, oldIt, ix.md).Ord
		}
		d.Ord.Gone = true
	}
	old, err := ix.getDoc(ctx, d.ID)
	if err != nil {
		return false, err
	}
	if old != nil {
		if newIt == nil && oldIt == nil {
			// Keys only (a removal found by a reindex, or a REMOVE record
			// without images): the removal follows what was indexed.
			d.Ord = old.Ord
			d.Ord.Gone = true
		}
		// A redelivery, or older than what is indexed, is a no-op; the same
		// version is analysed again only when it was indexed with an older
		// AnalyzerVersion (and is not a removal's tombstone).
		if !d.Ord.after(old.Ord) && (d.Ord != old.Ord || old.Ord.Gone || old.AV >= AnalyzerVersion) {
			return false, nil
		}
	}
	fallback := ix.lang
	if pid := r.parentID(); pid != "" {
		parent, err := x.parent(ctx, r)
		if err != nil {
			return false, err
		}
		switch {
		case parent != nil:
			if d.GroupID == "" {
				d.GroupID = parent.GroupID
			}
			if parent.Lang != "" {
				fallback = parent.Lang
			}
			if r.Kind == KindReason || r.Kind == KindOutcome {
				d.ThreadID = parent.ThreadID
			}
			if r.Kind == KindReason && (r.VoterID == "" || parent.Anonymous) {
				// A reason in an anonymous poll is linked to nobody: no
				// voter, and no time of its own (a time could be matched
				// with who was active then): it carries the poll's.
				d.AuthorID = ""
				d.Created, d.Updated = parent.Created, parent.Created
			}
		case !d.Deleted:
			return false, nil // an orphan: its thread or poll is not in the table
		}
	}
	if old != nil {
		if d.GroupID == "" {
			d.GroupID = old.GroupID
		}
		if d.ThreadID == "" {
			d.ThreadID = old.ThreadID
		}
		if d.Created.IsZero() {
			d.Created = old.Created
		}
		if d.Kind == KindPoll && d.Deleted && d.AuthorID == "" {
			d.AuthorID = old.AuthorID
		}
	}
	ix.index(d, fallback)
	var ttl time.Time
	if d.Ord.Gone || (d.Deleted && d.Kind != KindThread) {
		ttl = ix.now().Add(tombstoneTTL)
	}

	newP := d.postings()
	oldP := map[string]posting{}
	if old != nil {
		oldP = old.postings()
	}
	puts := map[string]posting{}
	for k, p := range newP {
		if o, ok := oldP[k]; !ok || o != p {
			puts[k] = p
		}
	}
	var dels []string
	for k := range oldP {
		if _, ok := newP[k]; !ok {
			dels = append(dels, k)
		}
	}
	// New postings first: a crash before the document is written leaves
	// postings the query checks against the document (and drops); then the
	// document, only if still newer; then the postings it no longer has.
	if err := ix.writePostings(ctx, puts, nil); err != nil {
		return false, err
	}
	written, err := ix.putDoc(ctx, d, ttl)
	if err != nil || !written {
		return false, err
	}
	if err := ix.writePostings(ctx, nil, dels); err != nil {
		return true, err
	}
	delta := map[string]*stats{}
	add := func(gid, lang string, by int64) {
		if gid == "" {
			return
		}
		st := delta[gid]
		if st == nil {
			st = &stats{langs: map[string]int64{}}
			delta[gid] = st
		}
		st.docs += by
		st.langs[lang] += by
	}
	if old != nil && !old.Deleted {
		add(old.GroupID, old.Lang, -1)
	}
	if !d.Deleted {
		add(d.GroupID, d.Lang, 1)
	}
	for gid, st := range delta {
		if err := ix.addStats(ctx, gid, st.docs, st.langs); err != nil {
			return true, err
		}
	}
	return true, nil
}

// parent returns the document of r's thread or poll, indexing it from its
// owner's item first when the index does not have it yet (the index was
// started after the item was written, or a batch brought the child first).
func (x *Indexer) parent(ctx context.Context, r ref) (*doc, error) {
	id := r.parentID()
	p, err := x.ix.getDoc(ctx, id)
	if err != nil || (p != nil && p.GroupID != "") {
		return p, err
	}
	pr := r.parentRef()
	it, err := x.ix.ownerOf(pr.Kind).SearchRead(ctx, pr)
	if err != nil {
		return nil, err
	}
	if it == nil {
		return p, nil
	}
	if _, err := x.applyItems(ctx, ref{Ref: pr, id: id}, it, nil); err != nil {
		return nil, err
	}
	return x.ix.getDoc(ctx, id)
}
