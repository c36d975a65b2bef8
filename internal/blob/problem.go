package blob

import (
	"fmt"

	"github.com/quorum-app/quorum/internal/domain"
)

// What is wrong with a file the upload checks refused (FileProblem.Kind).
const (
	FileEmpty    = "empty"
	FileTooLarge = "too_large" // MaxMB says the limit
	FileType     = "type"      // Type says which
	FileContent  = "content"   // the bytes do not look like Type
)

// FileProblem is why CheckFile or PutFile refused a file, for callers that
// word it themselves (an email in the sender's language). It unwraps to the
// domain.Invalid error with the English message pages and the API show.
type FileProblem struct {
	Kind  string
	MaxMB int64
	Type  string
}

func (e *FileProblem) Error() string { return e.Unwrap().Error() }

// Unwrap is the domain error with the English message.
func (e *FileProblem) Unwrap() error {
	var msg string
	switch e.Kind {
	case FileEmpty:
		msg = "the file is empty"
	case FileTooLarge:
		msg = fmt.Sprintf("the file is larger than the %d MB limit", e.MaxMB)
	case FileType:
		msg = fmt.Sprintf("files of type %s cannot be attached", e.Type)
	default:
		msg = fmt.Sprintf("the file's content does not look like %s", e.Type)
	}
	return &domain.Error{Code: domain.Invalid, Message: msg}
}
