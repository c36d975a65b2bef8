package store

// *Store implements every role interface the cores compose their storage of,
// and the ones the generic helpers take.
var _ interface {
	Getter
	Creator
	Saver
	Deleter
	PrefixDeleter
	Transactor
	Updater
	DeleteOpBuilder
	Tabler
	Renamer
	Pager
	Sweeper
} = (*Store)(nil)
