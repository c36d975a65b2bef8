package tabledef

// Key layouts of the partitions that several owners share. An item belongs
// to exactly one package (docs/data-model.md, "Who owns what"), but some
// partitions hold items of several owners: a user's partition holds the
// account, notifications, read marks, mail preferences and export lists; a
// group's partition holds the group and its memberships (internal/group),
// proxy grants (internal/decision), tags (internal/tag), mail aliases
// (internal/inbox) and more. The partition keys of those shared partitions
// are built here, once, beside the table they key.
//
// Sort keys and partitions that only one package writes stay unexported in
// that package's items.go: the compiler then keeps everyone else from
// reading or writing its items by hand (they ask the owner instead). In
// particular the membership sort key (MEMBER#<uid>) is internal/group's.

// Partition prefixes of the shared partitions (scans and key parsing).
const (
	UserPrefix   = "USER#"
	GroupPrefix  = "GROUP#"
	ThreadPrefix = "THREAD#"
	PollPrefix   = "POLL#"
)

// UserPK is the partition of everything kept per person: USER#<uid>.
func UserPK(uid string) string { return UserPrefix + uid }

// GroupPK is the partition of a group: GROUP#<gid>.
func GroupPK(gid string) string { return GroupPrefix + gid }

// ThreadPK is the partition of a thread: THREAD#<tid>.
func ThreadPK(tid string) string { return ThreadPrefix + tid }

// PollPK is the partition of a poll: POLL#<pid>.
func PollPK(pid string) string { return PollPrefix + pid }

// NotifyLevelSK is the sort key, in a person's partition, of their
// notification level for a scope (GROUP#<gid> or THREAD#<tid>); the item
// (attribute Level) is internal/notify's. It is here because internal/group
// reads the group's level within its own BatchGetItem of the group and the
// membership (group.GetWithLevel), and internal/group cannot import
// internal/notify.
func NotifyLevelSK(scope string) string { return "NOTIFLEVEL#" + scope }
