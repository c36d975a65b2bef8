package contract_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// These cases go through guregu/dynamo as Quorum's cores do, with the same
// builder calls, so the expression strings its substitution produces
// ('$', '?', reserved-word escaping, wrapped conditions) are the ones
// memdb parses.

type row struct {
	PK       string         `dynamo:"PK,hash"`
	SK       string         `dynamo:"SK,range"`
	GSI1PK   string         `dynamo:"GSI1PK,omitempty"`
	GSI1SK   string         `dynamo:"GSI1SK,omitempty"`
	Type     string         `dynamo:"Type"`
	Status   string         `dynamo:"Status,omitempty"`
	Version  int64          `dynamo:"Version"`
	Count    int            `dynamo:"Count"`
	Deleted  bool           `dynamo:"Deleted"`
	Files    []file         `dynamo:"Files,omitempty"`
	Mentions []string       `dynamo:"Mentions,set,omitempty"`
	Reacts   map[string]int `dynamo:"Reacts,omitempty"`
	TTL      int64          `dynamo:"TTL,omitempty"`
}

type file struct {
	Name string
	Size int
}

func (c *C) gdb() dynamo.Table { return dynamo.NewFromIface(c.DB).Table(c.Table) }

func (c *C) recRow(label, sk string) {
	c.Helper()
	var r row
	err := c.gdb().Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.Equal, sk).Consistent(true).One(c.ctx, &r)
	if errors.Is(err, dynamo.ErrNotFound) {
		c.note(label, "not found")
		return
	}
	c.ok(label, err)
	r.PK = ""
	c.note(label, r)
}

func TestGuregu(t *testing.T) {
	newRow := func(c *C, sk string) *row {
		return &row{PK: c.pk("g"), SK: sk, Type: "row", Version: 1, Status: "open", GSI1PK: c.pk("gi"), GSI1SK: sk}
	}
	run(t, "create, save and delete with conditions", func(c *C) {
		tb := c.gdb()
		r := newRow(c, "1")
		c.ok("create", tb.Put(r).If("attribute_not_exists($)", tabledef.PK).Run(c.ctx))
		err := tb.Put(r).If("attribute_not_exists($)", tabledef.PK).Run(c.ctx)
		c.note("create again", dynamo.IsCondCheckFailed(err))
		r.Version = 2
		c.ok("save", tb.Put(r).If("$ = ?", tabledef.Version, 1).Run(c.ctx))
		c.note("stale save", dynamo.IsCondCheckFailed(tb.Put(r).If("$ = ?", tabledef.Version, 1).Run(c.ctx)))
		c.note("delete on wrong status", dynamo.IsCondCheckFailed(tb.Delete(tabledef.PK, r.PK).Range(tabledef.SK, r.SK).If("$ = ?", "Status", "closed").Run(c.ctx)))
		c.ok("delete", tb.Delete(tabledef.PK, r.PK).Range(tabledef.SK, r.SK).If("$ = ? AND $ = ?", "Status", "open", tabledef.Version, 2).Run(c.ctx))
		c.recRow("gone", "1")
	})
	run(t, "updates", func(c *C) {
		tb := c.gdb()
		c.ok("create", tb.Put(newRow(c, "u")).Run(c.ctx))
		u := func() *dynamo.Update { return tb.Update(tabledef.PK, c.pk("g")).Range(tabledef.SK, "u") }
		c.ok("add", u().Add("Count", 2).Add(tabledef.Version, 1).If("$ = ?", "Deleted", false).Run(c.ctx))
		c.ok("set if not exists", u().SetIfNotExists("Type", "other").SetIfNotExists("Fresh", 7).Run(c.ctx))
		c.ok("append files", u().SetExpr("$ = list_append(if_not_exists($, ?), ?)", "Files", "Files", []file{}, []file{{"a.txt", 1}}).Run(c.ctx))
		c.ok("append again", u().SetExpr("$ = list_append(if_not_exists($, ?), ?)", "Files", "Files", []file{}, []file{{"b.txt", 2}}).Run(c.ctx))
		c.ok("set set", u().SetSet("Mentions", []string{"ann", "bob"}).Run(c.ctx))
		c.ok("add to set", u().AddStringsToSet("Mentions", "cid", "ann").Run(c.ctx))
		c.ok("delete from set", u().DeleteStringsFromSet("Mentions", "bob").Run(c.ctx))
		c.ok("nested", u().Set("Reacts", map[string]int{"up": 1}).Run(c.ctx))
		c.ok("nested add", u().SetExpr("$.$ = $.$ + ?", "Reacts", "up", "Reacts", "up", 2).Run(c.ctx))
		c.ok("remove", u().Remove(tabledef.GSI1PK, tabledef.GSI1SK).Set("Status", "closed").If("$ > ? AND (attribute_not_exists($) OR $ = ?)", "Count", 1, "Gone", "Gone", false).Run(c.ctx))
		err := u().Add("Count", -1).If("$ > ?", "Count", 5).Run(c.ctx)
		c.note("failed condition", dynamo.IsCondCheckFailed(err))
		var after row
		c.ok("value", u().Set("Status", "open").Value(c.ctx, &after))
		after.PK = ""
		c.note("value", after)
		var old row
		c.ok("old value", u().Add("Count", 10).OldValue(c.ctx, &old))
		c.note("old count", old.Count)
		c.recRow("after", "u")
	})
	run(t, "queries", func(c *C) {
		tb := c.gdb()
		for i := 0; i < 12; i++ {
			r := newRow(c, fmt.Sprintf("MEMBER#%02d", i))
			r.Count = i
			r.Deleted = i%3 == 0
			c.ok("put", tb.Put(r).Run(c.ctx))
		}
		c.ok("other", tb.Put(newRow(c, "INVITE#1")).Run(c.ctx))
		var rows []row
		c.ok("begins with", tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.BeginsWith, "MEMBER#").Consistent(true).All(c.ctx, &rows))
		c.note("begins with", len(rows))
		rows = nil
		c.ok("between desc", tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.Between, "MEMBER#03", "MEMBER#07").Order(dynamo.Descending).All(c.ctx, &rows))
		c.note("between desc", skOf(rows))
		rows = nil
		c.ok("filter", tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.BeginsWith, "MEMBER#").Filter("$ = ? AND 'Count' > ?", "Deleted", false, 2).All(c.ctx, &rows))
		c.note("filter", skOf(rows))
		n, err := tb.Get(tabledef.PK, c.pk("g")).Filter("$ = ?", "Deleted", true).Count(c.ctx)
		c.ok("count", err)
		c.note("count", n)
		var keys []row
		c.ok("project", tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.BeginsWith, "INVITE#").Project(tabledef.PK, tabledef.SK).All(c.ctx, &keys))
		c.note("project", skOf(keys))
		rows = nil
		c.ok("index", tb.Get(tabledef.GSI1PK, c.pk("gi")).Index(tabledef.GSI1).Range(tabledef.GSI1SK, dynamo.BeginsWith, "MEMBER#").Order(dynamo.Descending).All(c.ctx, &rows))
		c.note("index", skOf(rows))
		// Pages as store.QueryPage and the timeline read them: a limit
		// with a filter makes guregu infer the LastEvaluatedKey from the
		// last item it returns (it asks DescribeTable for the key schema).
		var pages [][]string
		var start dynamo.PagingKey
		for i := 0; i < 10; i++ {
			rows = nil
			q := tb.Get(tabledef.GSI1PK, c.pk("gi")).Index(tabledef.GSI1).Filter("$ = ?", "Deleted", false).Limit(3)
			if start != nil {
				q = q.StartFrom(start)
			}
			lek, err := q.AllWithLastEvaluatedKey(c.ctx, &rows)
			c.ok("page", err)
			pages = append(pages, skOf(rows))
			if lek == nil {
				break
			}
			start = lek
		}
		c.note("filtered pages", pages)
		rows = nil
		lek, err := tb.Get(tabledef.PK, c.pk("g")).Limit(5).RequestLimit(1).AllWithLastEvaluatedKey(c.ctx, &rows)
		c.ok("limit", err)
		c.note("limit", map[string]any{"rows": skOf(rows), "lek": lek})
	})
	run(t, "batches", func(c *C) {
		tb := c.gdb()
		var puts []any
		var keys []dynamo.Keyed
		for i := 0; i < 60; i++ {
			puts = append(puts, newRow(c, fmt.Sprintf("b%02d", i)))
			keys = append(keys, dynamo.Keys{c.pk("g"), fmt.Sprintf("b%02d", i*2)})
		}
		wrote, err := tb.Batch(tabledef.PK, tabledef.SK).Write().Put(puts...).Run(c.ctx)
		c.ok("write", err)
		c.note("wrote", wrote)
		var rows []row
		c.ok("get", tb.Batch(tabledef.PK, tabledef.SK).Get(keys...).Consistent(true).All(c.ctx, &rows))
		c.note("got", len(rows))
		_, err = tb.Batch(tabledef.PK, tabledef.SK).Write().Delete(keys[:20]...).Run(c.ctx)
		c.ok("delete", err)
		n, err := tb.Get(tabledef.PK, c.pk("g")).Count(c.ctx)
		c.ok("count", err)
		c.note("left", n)
	})
	run(t, "transactions", func(c *C) {
		db := dynamo.NewFromIface(c.DB)
		tb := db.Table(c.Table)
		c.ok("seed", tb.Put(newRow(c, "poll")).Run(c.ctx))
		c.ok("seed", tb.Put(newRow(c, "group")).Run(c.ctx))
		vote := func(voter string) error {
			return db.WriteTx().
				Check(tb.Check(tabledef.PK, c.pk("g")).Range(tabledef.SK, "group").If("$ = ?", "Status", "open")).
				Put(tb.Put(newRow(c, "vote#"+voter)).If("attribute_not_exists($)", tabledef.PK)).
				Update(tb.Update(tabledef.PK, c.pk("g")).Range(tabledef.SK, "poll").Add("Count", 1).Add(tabledef.Version, 1)).
				Run(c.ctx)
		}
		c.note("vote", vote("ann") == nil)
		err := vote("ann")
		c.note("vote twice", dynamo.IsCondCheckFailed(err))
		c.rec("vote twice error")(nil, err)
		err = db.WriteTx().
			Check(tb.Check(tabledef.PK, c.pk("g")).Range(tabledef.SK, "poll").If("$ = ?", "Status", "open")).
			Update(tb.Update(tabledef.PK, c.pk("g")).Range(tabledef.SK, "poll").Add("Count", 1)).Run(c.ctx)
		c.rec("check and update one item")(nil, err)
		c.ok("idempotent", db.WriteTx().Delete(tb.Delete(tabledef.PK, c.pk("g")).Range(tabledef.SK, "vote#ann").If("attribute_exists($)", tabledef.PK)).
			Update(tb.Update(tabledef.PK, c.pk("g")).Range(tabledef.SK, "poll").Add("Count", -1)).IdempotentWithToken("retract-ann").Run(c.ctx))
		c.ok("idempotent retry", db.WriteTx().Delete(tb.Delete(tabledef.PK, c.pk("g")).Range(tabledef.SK, "vote#ann").If("attribute_exists($)", tabledef.PK)).
			Update(tb.Update(tabledef.PK, c.pk("g")).Range(tabledef.SK, "poll").Add("Count", -1)).IdempotentWithToken("retract-ann").Run(c.ctx))
		c.recRow("poll", "poll")
		var got []row
		err = db.GetTx().Get(tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.Equal, "poll")).
			Get(tb.Get(tabledef.PK, c.pk("g")).Range(tabledef.SK, dynamo.Equal, "vote#ann")).All(c.ctx, &got)
		c.ok("get tx", err)
		c.note("get tx", len(got))
	})
}

func skOf(rows []row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.SK)
	}
	return out
}
