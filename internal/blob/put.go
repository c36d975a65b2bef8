package blob

import (
	"context"
	"mime"
	"path"
	"strings"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/objstore"
)

// Server-side uploads: files that reach Quorum other than from a browser
// (attachments of inbound email) go through the same limits as browser
// uploads before they are stored, encrypted with the same KMS key.

// CheckFile applies the upload limits to a file the server holds: the type
// is the declared one (parameters stripped) or, when that is generic or not
// allowed, the one its name's extension implies; it must be allowed, the
// bytes must look like it, and the size must be within the limit. It
// returns the content type to store, or a *FileProblem (a domain.Invalid
// error whose message says why the file cannot be attached).
func (u *Uploads) CheckFile(name, declared string, size int) (string, error) {
	ct := normaliseType(declared)
	if !u.allowed(ct) {
		if byExt := normaliseType(mime.TypeByExtension(strings.ToLower(path.Ext(name)))); u.allowed(byExt) {
			ct = byExt
		}
	}
	switch {
	case size <= 0:
		return "", &FileProblem{Kind: FileEmpty}
	case int64(size) > u.limits.MaxBytes:
		return "", &FileProblem{Kind: FileTooLarge, MaxMB: u.limits.MaxBytes >> 20}
	case !u.allowed(ct):
		shown := ct
		if shown == "" {
			shown = "unknown"
		}
		return "", &FileProblem{Kind: FileType, Type: shown}
	}
	return ct, nil
}

// PutFile checks data against the limits (CheckFile and the content sniff
// of Verify) and stores it at key with SSE-KMS. Storing the same key again
// overwrites it with the same bytes, so a retried caller is harmless.
func (u *Uploads) PutFile(ctx context.Context, key, name, declared string, data []byte) (Uploaded, error) {
	ct, err := u.CheckFile(name, declared, len(data))
	if err != nil {
		return Uploaded{}, err
	}
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	if !sniffMatches(ct, head) {
		return Uploaded{}, &FileProblem{Kind: FileContent, Type: ct}
	}
	_, err = u.client.PutObject(ctx, objstore.Put{Bucket: u.bucket, Key: key, Body: data, ContentType: ct, KMSKey: u.kmsKey})
	if err != nil {
		return Uploaded{}, domain.Wrap(domain.Unavailable, err, "could not store an attachment")
	}
	return Uploaded{Key: key, ContentType: ct, Size: int64(len(data))}, nil
}
