package charset

import (
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// Each character set decodes sample text as expected, through WHATWG and
// through x/text's htmlindex alike (the answers are written out here, not
// computed by either).
func TestLabelsDecodeSamples(t *testing.T) {
	for _, c := range []struct{ label, in, want string }{
		{"utf-8", "gr\xc3\xbc\xc3\x9f", "grüß"},
		{"UTF8", "bad \xff", "bad \ufffd"},
		{"big5", "\xa4\xa4\xa4\xe5", "中文"},
		{"big5-hkscs", "\x88\x62", "\u00ca\u0304"},
		{"gbk", "\xd6\xd0\xce\xc4", "中文"},
		{"gb2312", "\x80", "€"},
		{"gb18030", "\x81\x30\x81\x30", "\u0080"},
		{"euc-jp", "\xc6\xfc\xcb\xdc", "日本"},
		{"iso-2022-jp", "\x1b$BF|K\\\x1b(B!", "日本!"},
		{"shift_jis", "\x93\xfa\x96\x7b", "日本"},
		{"sjis", "\xb1", "ｱ"},
		{"euc-kr", "\xc7\xd1\xb1\xb9", "한국"},
		{"ks_c_5601-1987", "\xc7\xd1", "한"},
		{"iso-8859-2", "\xb1\xe6", "ąć"},
		{"latin2", "\xa9", "Š"},
		{"iso-8859-7", "\xe1\xe2", "αβ"},
		{"iso-8859-8-i", "\xf9", "ש"},
		{"iso-8859-15", "\xa4", "€"},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{" Windows-1252 ", "\x80\x93x\x94", "€“x”"},
		{"iso-8859-1", "caf\xe9", "café"}, // WHATWG reads Latin-1 as windows-1252
		{"us-ascii", "\x92", "’"},
		{"windows-1256", "\xc7", "ا"},
		{"macintosh", "\x8e", "é"},
		{"x-mac-cyrillic", "\x80", "А"},
		{"ibm866", "\x80", "А"},
		{"windows-874", "\xa1", "ก"},
		{"x-user-defined", "a\x80", "a\uf780"},
		{"utf-16le", "h\x00i\x00", "hi"},
		{"utf-16be", "\x00h\x00i", "hi"},
		{"iso-2022-kr", "anything", "\ufffd"},
	} {
		dec, err := WHATWG(c.label)
		if err != nil {
			t.Errorf("%q: %v", c.label, err)
			continue
		}
		if got, _, err := transform.String(dec, c.in); got != c.want || err != nil {
			t.Errorf("%q: % x decodes to %q (%v), want %q", c.label, c.in, got, err, c.want)
		}
		e, err := htmlindex.Get(c.label)
		if err != nil {
			t.Errorf("x/text does not know %q: %v", c.label, err)
			continue
		}
		if got, _, _ := transform.String(e.NewDecoder(), c.in); got != c.want {
			t.Errorf("x/text decodes %q's % x to %q: is the expected answer right?", c.label, c.in, got)
		}
	}
}

// samples are byte strings every set is tried on: each byte alone and
// after ASCII, every pair of a lead byte and a trail byte, the escapes of
// the stateful sets and random bytes.
func samples() [][]byte {
	var out [][]byte
	for a := 0; a < 256; a++ {
		out = append(out, []byte{byte(a)}, []byte{'x', byte(a), 'y'})
	}
	for a := 0x80; a < 256; a += 3 {
		for b := 0x30; b < 256; b += 5 {
			out = append(out, []byte{byte(a), byte(b), 'z'})
		}
	}
	out = append(out, []byte("\x1b$BF|K\\\x1b(B"), []byte("~{VPND~}"), []byte("\xfe\xff\x00a"), []byte("\xff\xfea\x00"), []byte("a\x00b"))
	r := rand.New(rand.NewPCG(14, 2))
	for i := 0; i < 300; i++ {
		b := make([]byte, r.IntN(40))
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		out = append(out, b)
	}
	return out
}

func decodes(d *encoding.Decoder, in []byte) (string, bool) {
	out, _, err := transform.Bytes(d, in)
	return string(out), err == nil
}

// Every WHATWG label decodes every sample as htmlindex.Get(label) does,
// and the labels x/text does not know are refused alike.
func TestWHATWGMatchesHTMLIndex(t *testing.T) {
	ins := samples()
	for label, c := range whatwgLabels(t) {
		e, err := htmlindex.Get(label)
		if err != nil {
			t.Errorf("x/text does not know %q (%d)", label, c)
			continue
		}
		for _, in := range ins {
			ours, _ := WHATWG(label)
			got, gok := decodes(ours, in)
			want, wok := decodes(e.NewDecoder(), in)
			if got != want || gok != wok {
				t.Fatalf("%q: % x decodes to %q (%v), x/text to %q (%v)", label, in, got, gok, want, wok)
			}
		}
	}
	for _, label := range []string{"", "utf-9", "iso-8859-0", "x-unknown", "ebcdic-cp-us", "cp437", "utf-7"} {
		_, err := WHATWG(label)
		_, xerr := htmlindex.Get(label)
		if (err == nil) != (xerr == nil) {
			t.Errorf("%q: WHATWG says %v, x/text %v", label, err, xerr)
		}
	}
}

// The single-byte tables (written by gen.go) are x/text's charmap.
func TestSingleByteSetsMatchXText(t *testing.T) {
	sets := map[Charset]*charmap.Charmap{CodePage850: charmap.CodePage850, ISO8859_1: charmap.ISO8859_1,
		KOI8U: charmap.KOI8U, Windows1258: charmap.Windows1258, XUserDefined: charmap.XUserDefined, ISO8859_8I: charmap.ISO8859_8}
	for _, m := range whatwgSingleByte() {
		sets[m.c] = m.m
	}
	for c := CodePage850; c <= XUserDefined; c++ {
		m, ok := sets[c]
		if !ok {
			continue
		}
		var all []byte
		for b := 0; b < 256; b++ {
			all = append(all, byte(b))
		}
		got, _ := decodes(c.NewDecoder(), all)
		want, _ := decodes(m.NewDecoder(), all)
		if got != want {
			t.Errorf("charset %d decodes the 256 bytes differently from x/text", c)
		}
		// A destination too short for the second rune (two or three bytes):
		// the decoder stops before it.
		var dst [2]byte
		if n, nSrc, err := c.NewDecoder().Transformer.Transform(dst[:], []byte{'a', 0xff}, true); err != transform.ErrShortDst || n != 1 || nSrc != 1 {
			t.Errorf("charset %d: a short destination gave %d bytes of 1 byte, %v", c, n, err)
		}
	}
	if len(sets) != int(XUserDefined-CodePage850)+1 {
		t.Errorf("the test covers %d of the %d single-byte sets", len(sets), XUserDefined-CodePage850+1)
	}
}

type singleByteSet struct {
	c Charset
	m *charmap.Charmap
}

func whatwgSingleByte() []singleByteSet {
	return []singleByteSet{{CodePage866, charmap.CodePage866}, {ISO8859_2, charmap.ISO8859_2}, {ISO8859_3, charmap.ISO8859_3},
		{ISO8859_4, charmap.ISO8859_4}, {ISO8859_5, charmap.ISO8859_5}, {ISO8859_6, charmap.ISO8859_6}, {ISO8859_7, charmap.ISO8859_7},
		{ISO8859_8, charmap.ISO8859_8}, {ISO8859_10, charmap.ISO8859_10}, {ISO8859_13, charmap.ISO8859_13},
		{ISO8859_14, charmap.ISO8859_14}, {ISO8859_15, charmap.ISO8859_15}, {ISO8859_16, charmap.ISO8859_16},
		{KOI8R, charmap.KOI8R}, {Macintosh, charmap.Macintosh}, {MacintoshCyrillic, charmap.MacintoshCyrillic},
		{Windows874, charmap.Windows874}, {Windows1250, charmap.Windows1250}, {Windows1251, charmap.Windows1251},
		{Windows1252, charmap.Windows1252}, {Windows1253, charmap.Windows1253}, {Windows1254, charmap.Windows1254},
		{Windows1255, charmap.Windows1255}, {Windows1256, charmap.Windows1256}, {Windows1257, charmap.Windows1257}}
}

// Every Charset has a decoder; none is built for values outside the list.
func TestEveryCharsetHasADecoder(t *testing.T) {
	for c := Nop; c < numCharsets; c++ {
		if c.NewDecoder() == nil {
			t.Errorf("charset %d has no decoder", c)
		}
	}
	if Charset(0).NewDecoder() != nil || numCharsets.NewDecoder() != nil {
		t.Error("a value outside the list has a decoder")
	}
	if _, err := WHATWG("no-such-set"); err != ErrUnknown {
		t.Errorf("unknown label: %v", err)
	}
}

// whatwgLabels reads the labels out of whatwg.go, the copy of htmlindex's
// table, with the set each names.
func whatwgLabels(t *testing.T) map[string]Charset {
	src, err := os.ReadFile("whatwg.go")
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]Charset{}
	for _, m := range regexp.MustCompile(`(?m)^\tcase (.*):$`).FindAllStringSubmatch(string(src), -1) {
		for _, q := range strings.Split(m[1], ", ") {
			label, err := strconv.Unquote(q)
			if err != nil {
				t.Fatal(err)
			}
			c, ok := whatwg(label)
			if !ok {
				t.Fatalf("whatwg(%q) is not found", label)
			}
			labels[label] = c
		}
	}
	if len(labels) != 228 {
		t.Fatalf("read %d labels from whatwg.go, want htmlindex's 228", len(labels))
	}
	return labels
}
