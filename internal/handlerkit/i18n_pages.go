package handlerkit

import "github.com/quorum-app/quorum/internal/i18n"

// The HTTP layer words messages of every catalog area: only the api
// function links this package, so only it carries the page areas'
// catalogs (i18n.IncludePages; the other functions read the core areas).
func init() { i18n.IncludePages() }
