package search

import (
	"context"
	"testing"
)

// An erased group's statistics item goes with it (EraseGroup), and the
// removals of its documents that the stream delivers afterwards do not
// bring it back; another group's stays.
func TestEraseGroupStatistics(t *testing.T) {
	f := newFixture(t)
	f.thread(threadSpec{id: "t1", group: "gone", title: "Compost heap", desc: "Turn it weekly", author: "u1", name: "Ada"})
	f.thread(threadSpec{id: "t2", group: "stays", title: "Compost bins", desc: "Who has one", author: "u1", name: "Ada"})
	f.sync()
	if f.get(statsPK("gone"), statsSK) == nil || f.get(statsPK("stays"), statsSK) == nil {
		t.Fatal("no statistics before the erasure")
	}
	done, err := f.ix.EraseGroup(context.Background(), "gone")
	if err != nil || !done {
		t.Fatalf("erase: %v %v", done, err)
	}
	f.remove("THREAD#t1", "THREAD")
	f.sync()
	if it := f.get(statsPK("gone"), statsSK); it != nil {
		t.Errorf("the erased group's statistics came back: %v", it)
	}
	if f.get(statsPK("stays"), statsSK) == nil {
		t.Error("another group's statistics were erased")
	}
}
