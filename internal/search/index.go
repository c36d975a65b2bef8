package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/quorum-app/quorum/internal/render"
	"github.com/quorum-app/quorum/internal/search/source"
	"github.com/quorum-app/quorum/internal/secrets"
)

// Index is the search index: an inverted index kept in the application's
// single DynamoDB table under its own key prefixes (docs/search.md,
// docs/data-model.md patterns 49-51):
//
//	document   PK=SEARCH#DOC#<doc id>            SK=DOC
//	posting    PK=SEARCH#G#<gid>#<first 2 runes>  SK=<term>|<13-digit reversed ms>|<doc id>
//	statistics PK=SEARCH#G#<gid>                 SK=STATS
//
// Postings of one group live in partitions named by the first two runes of
// the term, so one Query reads a term (begins_with "term|") or every term
// starting with a prefix (begins_with "pre"), newest first.
type Index struct {
	db        dynamodbiface.DynamoDBAPI
	table     string
	an        *Analyzer
	md        *render.Renderer
	now       func() time.Time
	cursorKey []byte
	lang      string
	// The owners of the items the index follows.
	threads, polls source.Owner
}

// Config configures an Index.
type Config struct {
	// DB is the DynamoDB client (awsclient.Clients.DynamoDB, or memdb in tests).
	DB    dynamodbiface.DynamoDBAPI
	Table string
	// SigningKey is QUORUM_SIGNING_KEY: page cursors are signed with a key
	// derived from it.
	SigningKey []byte
	// Analyzer is shared between indexes if set (each language costs ~0.1 ms
	// on its first use).
	Analyzer *Analyzer
	// DefaultLanguage analyses text whose language cannot be told ("en").
	DefaultLanguage string
	Now             func() time.Time
	// Threads and Polls are the owners of the items the index follows
	// (internal/discussion: threads and comments; internal/decision: polls,
	// ballots' reasons and outcomes): they recognise, decode and read them
	// for the indexer.
	Threads, Polls source.Owner
}

// New returns the index on cfg.Table.
func New(cfg Config) (*Index, error) {
	if cfg.DB == nil || cfg.Table == "" || len(cfg.SigningKey) == 0 || cfg.Threads == nil || cfg.Polls == nil {
		return nil, errors.New("search: DB, Table, SigningKey, Threads and Polls are required")
	}
	ix := &Index{db: cfg.DB, table: cfg.Table, an: cfg.Analyzer, md: render.New(), now: cfg.Now,
		cursorKey: secrets.DeriveKey(cfg.SigningKey, "search-cursor"), lang: cfg.DefaultLanguage,
		threads: cfg.Threads, polls: cfg.Polls}
	if ix.an == nil {
		a, err := NewAnalyzer()
		if err != nil {
			return nil, err
		}
		ix.an = a
	}
	if ix.now == nil {
		ix.now = time.Now
	}
	if ix.an.known(ix.lang) == "" {
		ix.lang = DefaultLanguage
	}
	return ix, nil
}

// Analyzer returns the index's analyzer.
func (ix *Index) Analyzer() *Analyzer { return ix.an }

const (
	docPrefix   = "SEARCH#DOC#"
	docSK       = "DOC"
	groupPrefix = "SEARCH#G#"
	statsSK     = "STATS"
	// tombstoneTTL keeps a removed item's document long enough that no
	// redelivered stream record (streams keep records 24 hours) can bring
	// an older version back.
	tombstoneTTL = 7 * 24 * time.Hour
	batchWrite   = 25
	batchGet     = 100
)

func docPK(id string) string { return docPrefix + id }

func statsPK(gid string) string { return groupPrefix + gid }

// bucket is the posting partition of a term in a group.
func bucket(gid, term string) string {
	r := []rune(term)
	if len(r) > 2 {
		r = r[:2]
	}
	return groupPrefix + gid + "#" + string(r)
}

const maxMs = 9_999_999_999_999

// revTime renders t so that later times sort first.
func revTime(t time.Time) string {
	ms := min(max(t.UnixMilli(), 0), maxMs)
	return fmt.Sprintf("%013d", maxMs-ms)
}

func postingSK(term string, created time.Time, docID string) string {
	return term + "|" + revTime(created) + "|" + docID
}

// ---- attribute helpers (SDK types) ----

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func f(v float64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatFloat(v, 'f', -1, 64)}
}
func b(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

type item map[string]types.AttributeValue

func (it item) str(k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func (it item) num(k string) float64 {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		x, _ := strconv.ParseFloat(v.Value, 64)
		return x
	}
	return 0
}

func (it item) int(k string) int64 {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		x, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return int64(it.num(k))
		}
		return x
	}
	return 0
}

func (it item) boolean(k string) bool {
	v, ok := it[k].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func (it item) ms(k string) time.Time {
	x := it.int(k)
	if x == 0 {
		return time.Time{}
	}
	return time.UnixMilli(x).UTC()
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// ---- documents ----

func docItem(d *doc, ttl time.Time) item {
	it := item{
		"PK": s(docPK(d.ID)), "SK": s(docSK), "Type": s("search_doc"),
		"ID": s(d.ID), "Kind": s(string(d.Kind)),
		"OrdMajor": n(d.Ord.Major), "OrdMinor": n(d.Ord.Minor), "Gone": b(d.Ord.Gone),
		"Deleted": b(d.Deleted), "Created": n(msOf(d.Created)), "Updated": n(msOf(d.Updated)),
		"AV": n(AnalyzerVersion),
	}
	opt := func(k, v string) {
		if v != "" {
			it[k] = s(v)
		}
	}
	opt("GroupID", d.GroupID)
	opt("ThreadID", d.ThreadID)
	opt("PollID", d.PollID)
	opt("CommentID", d.CommentID)
	if !ttl.IsZero() {
		it["TTL"] = n(ttl.Unix())
	}
	if d.Kind == KindPoll {
		opt("Status", d.Status)
		it["ClosingAt"] = n(msOf(d.ClosingAt))
		it["Anonymous"] = b(d.Anonymous)
		opt("Hide", string(d.Hide))
		opt("AuthorID", d.AuthorID) // drafts are their author's
	}
	if d.Kind == KindThread {
		it["Closed"] = b(d.Closed)
	}
	if d.Deleted {
		return it // a tombstone holds no text
	}
	opt("AuthorID", d.AuthorID)
	opt("Author", d.Author)
	opt("Lang", d.Lang)
	opt("Title", d.Title)
	opt("Body", d.Body)
	opt("Options", d.Options)
	if len(d.Tags) > 0 {
		it["Tags"] = &types.AttributeValueMemberSS{Value: d.Tags}
	}
	if len(d.Terms) > 0 {
		m := make(map[string]types.AttributeValue, len(d.Terms))
		for t, w := range d.Terms {
			m[t] = f(w)
		}
		it["Terms"] = &types.AttributeValueMemberM{Value: m}
	}
	return it
}

func docFrom(it item) *doc {
	if it == nil {
		return nil
	}
	d := &doc{ID: it.str("ID"), Kind: Kind(it.str("Kind")), GroupID: it.str("GroupID"), ThreadID: it.str("ThreadID"),
		PollID: it.str("PollID"), CommentID: it.str("CommentID"), AuthorID: it.str("AuthorID"), Author: it.str("Author"),
		Lang: it.str("Lang"), Title: it.str("Title"), Body: it.str("Body"), Options: it.str("Options"),
		Created: it.ms("Created"), Updated: it.ms("Updated"),
		Ord:     order{Major: it.int("OrdMajor"), Minor: it.int("OrdMinor"), Gone: it.boolean("Gone")},
		Deleted: it.boolean("Deleted"), Closed: it.boolean("Closed"), Status: it.str("Status"),
		ClosingAt: it.ms("ClosingAt"), Anonymous: it.boolean("Anonymous"), Hide: Hide(it.str("Hide")),
		AV: it.int("AV")}
	if ss, ok := it["Tags"].(*types.AttributeValueMemberSS); ok {
		d.Tags = ss.Value
	}
	if m, ok := it["Terms"].(*types.AttributeValueMemberM); ok {
		d.Terms = make(map[string]float64, len(m.Value))
		for t, v := range m.Value {
			d.Terms[t] = item{"w": v}.num("w")
		}
	}
	return d
}

// getDoc reads one document (strongly consistent: the indexer compares
// versions against it).
func (ix *Index) getDoc(ctx context.Context, id string) (*doc, error) {
	out, err := ix.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &ix.table, ConsistentRead: aws.Bool(true),
		Key: item{"PK": s(docPK(id)), "SK": s(docSK)}})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return docFrom(out.Item), nil
}

// getDocs reads documents by id (eventually consistent), in batches.
func (ix *Index) getDocs(ctx context.Context, ids []string) (map[string]*doc, error) {
	out := make(map[string]*doc, len(ids))
	seen := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			keys = append(keys, item{"PK": s(docPK(id)), "SK": s(docSK)})
		}
	}
	err := ix.batchGet(ctx, keys, func(it item) {
		if d := docFrom(it); d != nil {
			out[d.ID] = d
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchGet reads keys in batches of 100 (eventually consistent), retrying
// what DynamoDB leaves unprocessed, and hands each item found to fn.
func (ix *Index) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, fn func(item)) error {
	for len(keys) > 0 {
		chunk := keys[:min(batchGet, len(keys))]
		keys = keys[len(chunk):]
		for attempt := 0; len(chunk) > 0; attempt++ {
			if attempt > 0 {
				if err := backoff(ctx, attempt); err != nil {
					return err
				}
			}
			res, err := ix.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				ix.table: {Keys: chunk}}})
			if err != nil {
				return err
			}
			for _, it := range res.Responses[ix.table] {
				fn(it)
			}
			chunk = res.UnprocessedKeys[ix.table].Keys
		}
	}
	return nil
}

func backoff(ctx context.Context, attempt int) error {
	if attempt > 8 {
		return errors.New("search: DynamoDB left work unprocessed after retries")
	}
	t := time.NewTimer(time.Duration(1<<min(attempt, 6)) * 10 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// putDoc writes d if it is newer than what the index holds. It reports
// false when a newer (or the same) version is already there.
func (ix *Index) putDoc(ctx context.Context, d *doc, ttl time.Time) (bool, error) {
	cond := "attribute_not_exists(PK) OR OrdMajor < :maj OR (OrdMajor = :maj AND OrdMinor < :min)"
	vals := item{":maj": n(d.Ord.Major), ":min": n(d.Ord.Minor)}
	vals[":f"] = b(false)
	if d.Ord.Gone {
		cond += " OR (OrdMajor = :maj AND OrdMinor = :min AND Gone = :f)"
	} else {
		// The same version analysed again with a newer analyzer (never over
		// a removal's tombstone).
		cond += " OR (OrdMajor = :maj AND OrdMinor = :min AND Gone = :f AND (attribute_not_exists(AV) OR AV < :av))"
		vals[":av"] = n(AnalyzerVersion)
	}
	_, err := ix.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &ix.table, Item: docItem(d, ttl),
		ConditionExpression: &cond, ExpressionAttributeValues: vals})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, err
}

// ---- postings ----

// posting is one term of one document in a group.
type posting struct {
	term    string
	created time.Time
	docID   string
	weight  float64
	kind    Kind
	thread  string
	poll    string
	author  string
}

func (d *doc) postings() map[string]posting {
	out := make(map[string]posting, len(d.Terms))
	if d.Deleted || d.GroupID == "" {
		return out
	}
	for t, w := range d.Terms {
		p := posting{term: t, created: d.Created, docID: d.ID, weight: w, kind: d.Kind, thread: d.ThreadID,
			poll: d.PollID, author: d.AuthorID}
		out[bucket(d.GroupID, t)+"\x00"+postingSK(t, d.Created, d.ID)] = p
	}
	return out
}

func postingItem(key string, p posting) item {
	pk, sk, _ := strings.Cut(key, "\x00")
	it := item{"PK": s(pk), "SK": s(sk), "w": f(p.weight), "k": s(kindCode(p.kind))}
	if p.thread != "" {
		it["t"] = s(p.thread)
	}
	if p.poll != "" {
		it["p"] = s(p.poll)
	}
	if p.author != "" {
		it["a"] = s(p.author)
	}
	return it
}

func postingFrom(it item) (posting, bool) {
	term, rest, ok := strings.Cut(it.str("SK"), "|")
	if !ok {
		return posting{}, false
	}
	rt, id, ok := strings.Cut(rest, "|")
	if !ok {
		return posting{}, false
	}
	r, err := strconv.ParseInt(rt, 10, 64)
	if err != nil {
		return posting{}, false
	}
	return posting{term: term, created: time.UnixMilli(maxMs - r).UTC(), docID: id, weight: it.num("w"),
		kind: kindOfCode(it.str("k")), thread: it.str("t"), poll: it.str("p"), author: it.str("a")}, true
}

// writePostings puts and deletes postings in batches of 25.
func (ix *Index) writePostings(ctx context.Context, puts map[string]posting, dels []string) error {
	var reqs []types.WriteRequest
	keys := make([]string, 0, len(puts))
	for k := range puts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: postingItem(k, puts[k])}})
	}
	for _, k := range dels {
		pk, sk, _ := strings.Cut(k, "\x00")
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: item{"PK": s(pk), "SK": s(sk)}}})
	}
	for len(reqs) > 0 {
		chunk := reqs[:min(batchWrite, len(reqs))]
		reqs = reqs[len(chunk):]
		for attempt := 0; len(chunk) > 0; attempt++ {
			if attempt > 0 {
				if err := backoff(ctx, attempt); err != nil {
					return err
				}
			}
			out, err := ix.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{ix.table: chunk}})
			if err != nil {
				return err
			}
			chunk = out.UnprocessedItems[ix.table]
		}
	}
	return nil
}

// postingQuery is one read of a group's postings.
type postingQuery struct {
	gid    string
	term   string // exact term, or
	prefix string // every term starting with it
	from   time.Time
	to     time.Time
	limit  int
}

// queryPostings reads up to q.limit postings, newest first; complete is
// false when more were left unread.
func (ix *Index) queryPostings(ctx context.Context, q postingQuery) (ps []posting, complete bool, err error) {
	var cond string
	vals := item{}
	if q.term != "" {
		vals[":pk"] = s(bucket(q.gid, q.term))
		if q.from.IsZero() && q.to.IsZero() {
			cond = "PK = :pk AND begins_with(SK, :p)"
			vals[":p"] = s(q.term + "|")
		} else {
			// Newest first: the upper time bound is the lower key.
			lo, hi := q.term+"|", q.term+"|~"
			if !q.to.IsZero() {
				lo = q.term + "|" + revTime(q.to)
			}
			if !q.from.IsZero() {
				hi = q.term + "|" + revTime(q.from) + "|~"
			}
			cond = "PK = :pk AND SK BETWEEN :lo AND :hi"
			vals[":lo"], vals[":hi"] = s(lo), s(hi)
		}
	} else {
		vals[":pk"] = s(bucket(q.gid, q.prefix))
		cond = "PK = :pk AND begins_with(SK, :p)"
		vals[":p"] = s(q.prefix)
	}
	var start map[string]types.AttributeValue
	for {
		out, err := ix.db.Query(ctx, &dynamodb.QueryInput{TableName: &ix.table, KeyConditionExpression: &cond,
			ExpressionAttributeValues: vals, ExclusiveStartKey: start, Limit: aws.Int32(int32(q.limit - len(ps)))})
		if err != nil {
			return nil, false, err
		}
		for _, it := range out.Items {
			if p, ok := postingFrom(it); ok {
				ps = append(ps, p)
			}
		}
		start = out.LastEvaluatedKey
		if len(start) == 0 {
			return ps, true, nil
		}
		if len(ps) >= q.limit {
			return ps, false, nil
		}
	}
}

// ---- group statistics ----

// stats are a group's document count and languages (for idf and for the
// languages a query is analysed in).
type stats struct {
	docs  int64
	langs map[string]int64
}

func (ix *Index) addStats(ctx context.Context, gid string, docs int64, langs map[string]int64) error {
	if gid == "" || (docs == 0 && len(langs) == 0) {
		return nil
	}
	expr := "SET #t = :t ADD Docs :d"
	names := map[string]string{"#t": "Type"}
	vals := item{":t": s("search_stats"), ":d": n(docs)}
	i := 0
	for l, c := range langs {
		if c == 0 || ix.an.known(l) == "" {
			continue
		}
		expr += fmt.Sprintf(", #l%d :l%d", i, i)
		names[fmt.Sprintf("#l%d", i)] = "L_" + l
		vals[fmt.Sprintf(":l%d", i)] = n(c)
		i++
	}
	in := &dynamodb.UpdateItemInput{TableName: &ix.table,
		Key: item{"PK": s(statsPK(gid)), "SK": s(statsSK)}, UpdateExpression: &expr,
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals}
	if docs < 0 {
		// A removal only lowers counts that exist: it never recreates the
		// item of an erased group (EraseGroup).
		in.ConditionExpression = aws.String("attribute_exists(PK)")
	}
	_, err := ix.db.UpdateItem(ctx, in)
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return nil
	}
	return err
}

func (ix *Index) getStats(ctx context.Context, gids []string) (map[string]stats, error) {
	out := map[string]stats{}
	var keys []map[string]types.AttributeValue
	for _, g := range gids {
		keys = append(keys, item{"PK": s(statsPK(g)), "SK": s(statsSK)})
	}
	err := ix.batchGet(ctx, keys, func(it item) {
		st := stats{docs: it.int("Docs"), langs: map[string]int64{}}
		for k := range it {
			if l, ok := strings.CutPrefix(k, "L_"); ok {
				st.langs[l] = it.int(k)
			}
		}
		out[strings.TrimPrefix(it.str("PK"), groupPrefix)] = st
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- terms of a document ----

// Field weights: a word in a title says more than one in a long body.
const (
	boostTitle   = 3.0
	boostOptions = 2.0
	boostBody    = 1.0
	bm25K1       = 1.2
	bm25B        = 0.75
	avgDocLen    = 40.0
)

// index analyses d's text into d.Terms: each term's BM25 term-frequency
// weight (with field boosts and length normalisation; the idf is applied
// at query time from the postings counted).
func (ix *Index) index(d *doc, fallbackLang string) {
	if d.Deleted {
		d.Terms = nil
		return
	}
	if d.Lang = ix.an.Detect(d.Title+"\n"+d.Body+"\n"+d.Options, fallbackLang); d.Lang == "" {
		d.Lang = ix.lang
	}
	tf := map[string]float64{}
	length := 0.0
	for _, fl := range []struct {
		text  string
		boost float64
	}{{d.Title, boostTitle}, {d.Options, boostOptions}, {d.Body, boostBody}} {
		for _, t := range ix.an.Analyze(d.Lang, fl.text) {
			tf[t.Term] += fl.boost
			length++
		}
	}
	norm := bm25K1 * (1 - bm25B + bm25B*length/avgDocLen)
	d.Terms = make(map[string]float64, len(tf))
	for t, x := range tf {
		d.Terms[t] = math.Round(x*(bm25K1+1)/(x+norm)*1000) / 1000
	}
	if len(d.Terms) > maxDocTerms {
		type tw struct {
			t string
			w float64
		}
		all := make([]tw, 0, len(d.Terms))
		for t, w := range d.Terms {
			all = append(all, tw{t, w})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].w > all[j].w || (all[i].w == all[j].w && all[i].t < all[j].t) })
		for _, x := range all[maxDocTerms:] {
			delete(d.Terms, x.t)
		}
	}
	if len(d.Terms) == 0 {
		d.Deleted = true // nothing to find: a tombstone keeps the version
	}
}

// itemOf converts a stream record's image to the SDK's representation the
// owners decode (source.Image); nil stays nil.
func itemOf(a attrs) source.Image {
	if a == nil {
		return nil
	}
	out := make(source.Image, len(a))
	for k, v := range a {
		if av, ok := sdkValue(v); ok {
			out[k] = av
		}
	}
	return out
}

func sdkValue(v events.DynamoDBAttributeValue) (types.AttributeValue, bool) {
	switch v.DataType() {
	case events.DataTypeString:
		return s(v.String()), true
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, true
	case events.DataTypeBoolean:
		return b(v.Boolean()), true
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, true
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, true
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, true
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, true
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, true
	case events.DataTypeList:
		l := make([]types.AttributeValue, 0, len(v.List()))
		for _, e := range v.List() {
			if av, ok := sdkValue(e); ok {
				l = append(l, av)
			}
		}
		return &types.AttributeValueMemberL{Value: l}, true
	case events.DataTypeMap:
		m := make(map[string]types.AttributeValue, len(v.Map()))
		for k, e := range v.Map() {
			if av, ok := sdkValue(e); ok {
				m[k] = av
			}
		}
		return &types.AttributeValueMemberM{Value: m}, true
	}
	return nil, false
}

// EraseGroup deletes an erased group's statistics item (#16, a step of the
// group's erasure: recovery.GroupOwned). Its documents and postings leave
// through the stream as their items are erased; the decrements those
// removals make find no item and write none (addStats), so the item is
// not brought back.
func (ix *Index) EraseGroup(ctx context.Context, gid string) (bool, error) {
	_, err := ix.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &ix.table, Key: item{"PK": s(statsPK(gid)), "SK": s(statsSK)}})
	return err == nil, err
}
