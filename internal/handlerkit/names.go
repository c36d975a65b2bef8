package handlerkit

import "context"

// NamesOf resolves user ids to display names (empty when unknown).
func NamesOf(ctx context.Context, people Names, ids []string) map[string]string {
	out := map[string]string{}
	if people == nil {
		return out
	}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		out[id] = people.Name(ctx, id)
	}
	return out
}

// ManyNames is NamesOf in one read where the Names dependency can batch
// them (the account core: one BatchGetItem), else one read per person.
func ManyNames(ctx context.Context, people Names, ids []string) map[string]string {
	if b, ok := people.(batchNames); ok {
		return b.Names(ctx, ids)
	}
	return NamesOf(ctx, people, ids)
}

// batchNames is a Names that reads many names at once.
type batchNames interface {
	Names(ctx context.Context, ids []string) map[string]string
}

// Names resolves a person's display name ("" when unknown or erased).
type Names interface {
	Name(ctx context.Context, uid string) string
}
