package lambdarun

import (
	"slices"
	"strings"
	"testing"
)

// Received mail is decoded from any character set it declares, and only
// decoded: the inbound function links the decoders of internal/charset
// (third_party/xtextdecode and the single-byte sets' tables) through the
// copy of enmime (third_party/enmime), and no encoder. x/text's own
// packages for those sets name each encoding with its encoder, which keeps
// the encoder's tables (about 320 kB), and its charmap package builds all
// its tables at initialisation: no function links them, nor the original
// enmime, whose table names them all. The scheduler links the inbox (for
// erasure and exports) but never parses mail, so it reaches no decoder.
func TestMailIsDecodedWithoutEncoders(t *testing.T) {
	root, fns := functions(t)
	xtext := []string{"golang.org/x/text/encoding/htmlindex", "golang.org/x/text/encoding/charmap", "golang.org/x/text/encoding/japanese",
		"golang.org/x/text/encoding/korean", "golang.org/x/text/encoding/simplifiedchinese",
		"golang.org/x/text/encoding/traditionalchinese", "golang.org/x/net/html/charset", "github.com/jhillyerd/enmime"}
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			all := deps(t, root, fn)
			for _, pkg := range all {
				for _, x := range xtext {
					if pkg == x || strings.HasPrefix(pkg, x+"/") {
						t.Errorf("functions/%s links %s: decode mail with internal/charset and third_party/enmime", fn, pkg)
					}
				}
			}
			if fn == "inbound" && !slices.Contains(all, module+"internal/charset") {
				t.Errorf("functions/inbound does not link internal/charset: how does it decode mail?")
			}
		})
	}
	decoders := []string{"internal/charset.singleByte.Transform",
		"third_party/xtextdecode/traditionalchinese.big5Decoder.Transform",
		"third_party/xtextdecode/simplifiedchinese.gbkDecoder.Transform",
		"third_party/xtextdecode/simplifiedchinese.(*hzGB2312Decoder).Transform",
		"third_party/xtextdecode/japanese.eucJPDecoder.Transform",
		"third_party/xtextdecode/japanese.(*iso2022JPDecoder).Transform",
		"third_party/xtextdecode/japanese.shiftJISDecoder.Transform",
		"third_party/xtextdecode/korean.eucKRDecoder.Transform"}
	for fn, reaches := range map[string]bool{"inbound": true, "scheduler": false} {
		t.Run(fn+"/decoders", func(t *testing.T) {
			l := linkOnce(t, root, fn)
			if len(l.parent) < 1000 {
				t.Fatalf("the linker reported %d reached symbols: is -dumpdep still the flag?", len(l.parent))
			}
			for _, d := range decoders {
				if _, ok := l.parent[module+d]; ok != reaches {
					t.Errorf("functions/%s reaches %s: %v, want %v\n%s", fn, d, ok, reaches, chain(l.parent, module+d))
				}
			}
			for sym := range l.parent {
				if (strings.Contains(sym, "/internal/charset.") || strings.Contains(sym, "/third_party/xtextdecode/")) &&
					strings.Contains(strings.ToLower(sym), "encode") && !strings.Contains(sym, "Decode") && !strings.Contains(sym, "EncodeRune") {
					t.Errorf("functions/%s reaches %s, an encoder; reached through:\n%s", fn, sym, chain(l.parent, sym))
				}
			}
		})
	}
}
