package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/store"
)

type authored struct {
	store.Item
	AuthorID   string `dynamo:"AuthorID"`
	AuthorName string `dynamo:"AuthorName"`
}

// RenameScan walks the table in steps that resume where the last stopped,
// renames exactly the person's items of the owner's prefix, repeats
// harmlessly, and leaves no progress behind.
func TestRenameScanResumesAndRenamesOnlyThePerson(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	put := func(pk, sk, uid, name string) {
		t.Helper()
		it := &authored{Item: store.Item{PK: pk, SK: sk, Type: "authored"}, AuthorID: uid, AuthorName: name}
		if err := st.Tx().Put(it).Run(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 12; i++ {
		put(fmt.Sprintf("THREAD#t%d", i%4), fmt.Sprintf("ITEM#%02d", i), "ben", "Ben")
		put(fmt.Sprintf("THREAD#t%d", i%4), fmt.Sprintf("ITEM#a%02d", i), "ada", "Ada")
	}
	put("OTHER#x", "ITEM#1", "ben", "Ben") // another owner's item: not this rename's
	r := store.Rename{UserID: "ben", Shown: "Deleted member", Prefix: "THREAD#",
		Fields:     []store.RenameField{{ID: "AuthorID", Name: "AuthorName"}},
		ProgressPK: "USER#ben", ProgressSK: "ERASESCAN#test", Expires: time.Now().Add(time.Hour), Page: 5}
	steps := 0
	for done := false; !done; steps++ {
		if steps > 20 {
			t.Fatal("the scan does not end")
		}
		var err error
		if done, err = st.RenameScan(ctx, r); err != nil {
			t.Fatal(err)
		}
		if !done {
			var p struct {
				store.Item
				LastPK string `dynamo:"LastPK"`
			}
			if err := st.Get(ctx, r.ProgressPK, r.ProgressSK, &p); err != nil || p.LastPK == "" {
				t.Fatalf("step %d: no progress saved: %v", steps, err)
			}
		}
	}
	if steps < 5 {
		t.Errorf("25 items at 5 per step took %d steps: the page bound is not applied", steps)
	}
	check := func() {
		t.Helper()
		for i := 0; i < 12; i++ {
			var b, a authored
			if err := st.Get(ctx, fmt.Sprintf("THREAD#t%d", i%4), fmt.Sprintf("ITEM#%02d", i), &b); err != nil {
				t.Fatal(err)
			}
			if err := st.Get(ctx, fmt.Sprintf("THREAD#t%d", i%4), fmt.Sprintf("ITEM#a%02d", i), &a); err != nil {
				t.Fatal(err)
			}
			if b.AuthorName != "Deleted member" || a.AuthorName != "Ada" {
				t.Fatalf("item %d: %q and %q", i, b.AuthorName, a.AuthorName)
			}
		}
		var o authored
		if err := st.Get(ctx, "OTHER#x", "ITEM#1", &o); err != nil || o.AuthorName != "Ben" {
			t.Fatalf("another owner's item was renamed: %q %v", o.AuthorName, err)
		}
		var p authored
		if err := st.Get(ctx, r.ProgressPK, r.ProgressSK, &p); err != store.ErrNotFound {
			t.Fatalf("progress left after the scan: %v", err)
		}
	}
	check()
	// Run again (a resumed deletion): nothing more changes.
	for done := false; !done; {
		var err error
		if done, err = st.RenameScan(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	check()
}
