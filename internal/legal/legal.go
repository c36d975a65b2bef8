// Package legal holds the operator's terms of service and privacy policy:
// Markdown the operator supplies (QUORUM_LEGAL_DIR/terms.md and
// privacy.md), or the defaults embedded here, which say only what a Quorum
// deployment does. Each document has a version, the first 12 hex digits of
// the SHA-256 of its text, so a changed document is a new version without
// anyone having to remember to number it. Sign-up records the combined
// version (Docs.Version) that the person was shown.
package legal

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

//go:embed default_terms.md
var defaultTerms string

//go:embed default_privacy.md
var defaultPrivacy string

// MaxSize bounds an operator's document (a policy longer than this is a
// mistake, not a policy).
const MaxSize = 64 << 10

// Doc is one document.
type Doc struct {
	// Title is the document's first Markdown heading (without the #).
	Title string
	// Markdown is the source; pages render it through internal/render.
	Markdown string
	// Version is the first 12 hex digits of the SHA-256 of Markdown.
	Version string
	// Default reports that the operator supplied none and the built-in text is used.
	Default bool
}

// Docs are the documents of a deployment.
type Docs struct {
	Terms   Doc
	Privacy Doc
}

// Version is what sign-up records: the terms' and the policy's versions.
func (d Docs) Version() string { return d.Terms.Version + "." + d.Privacy.Version }

// Defaults are the built-in documents.
func Defaults() Docs {
	return Docs{Terms: newDoc(defaultTerms, true), Privacy: newDoc(defaultPrivacy, true)}
}

// Load reads terms.md and privacy.md from dir; a missing file (or an empty
// dir) keeps the built-in document. A file that is too large, not UTF-8 or
// empty is an error: the operator meant to publish something else.
func Load(dir string) (Docs, error) {
	d := Defaults()
	if dir == "" {
		return d, nil
	}
	for name, doc := range map[string]*Doc{"terms.md": &d.Terms, "privacy.md": &d.Privacy} {
		b, err := readBounded(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Docs{}, fmt.Errorf("legal document %s: %w", name, err)
		}
		src := string(b)
		if !utf8.ValidString(src) || strings.TrimSpace(src) == "" {
			return Docs{}, fmt.Errorf("legal document %s: must be non-empty UTF-8 Markdown", name)
		}
		*doc = newDoc(src, false)
	}
	return d, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("larger than %d KB", MaxSize>>10)
	}
	return b, nil
}

func newDoc(src string, builtin bool) Doc {
	sum := sha256.Sum256([]byte(src))
	return Doc{Title: title(src), Markdown: src, Version: hex.EncodeToString(sum[:])[:12], Default: builtin}
}

// Body is the Markdown without its first heading (pages show the title
// as their own heading).
func (d Doc) Body() string {
	lines := strings.Split(d.Markdown, "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
	}
	return d.Markdown
}

// title is the text of the first heading, or "" without one.
func title(src string) string {
	for _, line := range strings.Split(src, "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
			return strings.TrimSpace(strings.TrimLeft(t, "#"))
		}
	}
	return ""
}
