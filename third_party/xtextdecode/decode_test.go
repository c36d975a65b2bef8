package xtextdecode_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"

	dja "github.com/quorum-app/quorum/third_party/xtextdecode/japanese"
	dko "github.com/quorum-app/quorum/third_party/xtextdecode/korean"
	dsc "github.com/quorum-app/quorum/third_party/xtextdecode/simplifiedchinese"
	dtc "github.com/quorum-app/quorum/third_party/xtextdecode/traditionalchinese"
)

// copies are the decoders of this copy beside x/text's encodings they
// were copied from.
var copies = []struct {
	name string
	copy func() transform.Transformer
	orig encoding.Encoding
}{
	{"Big5", dtc.Big5, traditionalchinese.Big5},
	{"GBK", dsc.GBK, simplifiedchinese.GBK},
	{"GB18030", dsc.GB18030, simplifiedchinese.GB18030},
	{"HZ-GB2312", dsc.HZGB2312, simplifiedchinese.HZGB2312},
	{"EUC-JP", dja.EUCJP, japanese.EUCJP},
	{"ISO-2022-JP", dja.ISO2022JP, japanese.ISO2022JP},
	{"Shift_JIS", dja.ShiftJIS, japanese.ShiftJIS},
	{"EUC-KR", dko.EUCKR, korean.EUCKR},
}

func decode(t transform.Transformer, in []byte) (string, error) {
	out, _, err := transform.Bytes(t, in)
	return string(out), err
}

func same(t *testing.T, name string, copy func() transform.Transformer, orig encoding.Encoding, in []byte) {
	t.Helper()
	got, gerr := decode(copy(), in)
	want, werr := decode(orig.NewDecoder(), in)
	if got != want || (gerr == nil) != (werr == nil) {
		t.Fatalf("%s: % x decodes to %q (%v), x/text to %q (%v)", name, in, got, gerr, want, werr)
	}
}

// Every byte and every pair of bytes (the whole two-byte table of each
// double-byte set) decodes as x/text decodes it, alone, after ASCII and
// cut short at the end of the input.
func TestDecodersMatchXTextOnEveryPair(t *testing.T) {
	for _, c := range copies {
		t.Run(c.name, func(t *testing.T) {
			in := make([]byte, 0, 8)
			for a := 0; a < 256; a++ {
				same(t, c.name, c.copy, c.orig, []byte{byte(a)})
				for b := 0; b < 256; b++ {
					in = append(in[:0], 'x', byte(a), byte(b), 'y')
					same(t, c.name, c.copy, c.orig, in)
					same(t, c.name, c.copy, c.orig, in[1:3])
				}
			}
		})
	}
}

// GB18030's four-byte sequences: every one whose bytes are in range.
func TestGB18030FourByteSequencesMatchXText(t *testing.T) {
	var in bytes.Buffer
	for a := 0x81; a <= 0xfe; a++ {
		in.Reset()
		for b := 0x30; b <= 0x39; b++ {
			for c := 0x81; c <= 0xfe; c++ {
				for d := 0x30; d <= 0x39; d++ {
					in.Write([]byte{byte(a), byte(b), byte(c), byte(d)})
				}
			}
		}
		g, _ := decode(dsc.GB18030(), in.Bytes())
		w, _ := decode(simplifiedchinese.GB18030.NewDecoder(), in.Bytes())
		if g != w {
			t.Fatalf("four-byte sequences from %#x decode differently", a)
		}
	}
}

// Random input, with the escapes of the stateful sets (ISO-2022-JP's and
// HZ's) mixed in, decodes as x/text decodes it, whole and through a
// reader with small buffers.
func TestDecodersMatchXTextOnRandomInput(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	pieces := [][]byte{[]byte("\x1b$B"), []byte("\x1b$@"), []byte("\x1b(B"), []byte("\x1b(J"), []byte("\x1b(I"), []byte("\x1b$(D"),
		[]byte("~{"), []byte("~}"), []byte("~~"), []byte("~\n"), []byte("\r\n")}
	for _, c := range copies {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i < 3000; i++ {
				var in []byte
				for n := r.IntN(64); n > 0; n-- {
					switch r.IntN(4) {
					case 0:
						in = append(in, pieces[r.IntN(len(pieces))]...)
					case 1:
						in = append(in, byte(0x21+r.IntN(0x5e)))
					default:
						in = append(in, byte(r.IntN(256)))
					}
				}
				same(t, c.name, c.copy, c.orig, in)
				var got, want bytes.Buffer
				_, gerr := got.ReadFrom(transform.NewReader(bytes.NewReader(in), c.copy()))
				_, werr := want.ReadFrom(transform.NewReader(bytes.NewReader(in), c.orig.NewDecoder()))
				if got.String() != want.String() || (gerr == nil) != (werr == nil) {
					t.Fatalf("%s through a reader: % x", c.name, in)
				}
			}
		})
	}
}
