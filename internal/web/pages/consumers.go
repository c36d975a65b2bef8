package pages

import (
	"context"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/process"
	"github.com/quorum-app/quorum/internal/search"
)

// AuditRecords is what the record page needs of the audit core.
type AuditRecords interface {
	List(ctx context.Context, gid, cursor string, limit int) (audit.Page, error)
	Verify(ctx context.Context, gid string) (audit.Report, error)
}

// Names resolves a person's display name ("" when unknown or erased).
type Names interface {
	Name(ctx context.Context, uid string) string
}

// Searcher answers a search for the actor of ctx (app.Search).
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Results, error)
}

// Templates is what the template pages and the thread and poll forms need
// of the template core (*process.Service implements it).
type Templates interface {
	List(ctx context.Context, gid string, l lang.Lang) (process.List, error)
	Get(ctx context.Context, gid, id string, l lang.Lang) (process.Template, error)
	Start(ctx context.Context, gid, id string, l lang.Lang) (process.Start, error)
	Create(ctx context.Context, gid string, in process.Input) (process.Template, error)
	Update(ctx context.Context, gid, id string, in process.Input) (process.Template, error)
	Editable(ctx context.Context, gid, id string) (process.Template, error)
	Delete(ctx context.Context, gid, id string) error
	Move(ctx context.Context, gid, id string, by int) error
	SetHidden(ctx context.Context, gid, key string, hidden bool) error
}
