package discussion

import (
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// The discussion core owns a thread's guest grants (THREAD#<tid> /
// GUEST#<uid>). The decision core reads them inside its own batch and
// transaction (who may vote: a vote stays 1 transaction + 2 reads), so the
// key and the condition come from here and the layout stays in this
// package (docs/data-model.md, "Who owns what").

// GuestKey is the primary key of uid's guest grant to thread tid.
func GuestKey(tid, uid string) (pk, sk string) { return tabledef.ThreadPK(tid), guestSK(uid) }

// RequireGuest adds to tx the condition that uid is a guest of thread tid;
// the transaction fails with onFail when not.
func RequireGuest(tx *store.Tx, tid, uid string, onFail error) {
	tx.Check(tabledef.ThreadPK(tid), guestSK(uid), "attribute_exists($)", onFail, tabledef.PK)
}
