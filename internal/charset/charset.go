// Package charset decodes the character sets mail arrives in to UTF-8,
// without linking any encoder: Quorum only reads mail in them.
//
// golang.org/x/text's packages for the Chinese, Japanese and Korean sets
// name each encoding by a value holding its decoder and its encoder, so a
// program that names one keeps the encoder's tables too (about 320 kB in
// the inbound function); htmlindex names them all at initialisation. The
// double-byte sets here are third_party/xtextdecode, x/text's decoders and
// decoding tables alone; the single-byte sets are the upper halves of
// x/text's charmap tables (singlebyte_tables.go, written by gen.go: x/text's
// charmap package builds all of its 50 tables, both directions, at
// initialisation in any program that imports it); UTF-16 and the
// replacement encoding are x/text's, UTF-7 is github.com/cention-sany/utf7's.
//
// WHATWG(label) answers what htmlindex.Get(label) did; the mail parser
// (third_party/enmime) keeps its own labels and names the sets as Charset
// values. Nothing here builds a decoder before it is asked for one.
package charset

//go:generate go run gen.go

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/cention-sany/utf7"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/quorum-app/quorum/third_party/xtextdecode/japanese"
	"github.com/quorum-app/quorum/third_party/xtextdecode/korean"
	"github.com/quorum-app/quorum/third_party/xtextdecode/simplifiedchinese"
	"github.com/quorum-app/quorum/third_party/xtextdecode/traditionalchinese"
)

// Charset is one character set text can be decoded from.
type Charset uint8

// The character sets, named as golang.org/x/text names their encodings.
const (
	_ Charset = iota
	// Nop passes the bytes through as they are (x/text's encoding.Nop).
	Nop
	// UTF8 replaces invalid UTF-8 with U+FFFD (x/text's unicode.UTF8).
	UTF8
	UTF7
	UTF16BE // without a byte order mark, as the WHATWG label means
	UTF16LE
	// Replacement decodes any input to one U+FFFD (the WHATWG labels of
	// sets that are unsafe to decode, such as ISO-2022-KR).
	Replacement
	CodePage850
	CodePage866
	ISO8859_1
	ISO8859_2
	ISO8859_3
	ISO8859_4
	ISO8859_5
	ISO8859_6
	ISO8859_7
	ISO8859_8
	ISO8859_8I
	ISO8859_10
	ISO8859_13
	ISO8859_14
	ISO8859_15
	ISO8859_16
	KOI8R
	KOI8U
	Macintosh
	MacintoshCyrillic
	Windows874
	Windows1250
	Windows1251
	Windows1252
	Windows1253
	Windows1254
	Windows1255
	Windows1256
	Windows1257
	Windows1258
	XUserDefined
	GBK
	GB18030
	HZGB2312
	Big5
	EUCJP
	ISO2022JP
	ShiftJIS
	EUCKR
	numCharsets
)

// firstSingleByte is the first of the single-byte sets, whose upper halves
// singleByteHigh holds in this order (gen.go).
const firstSingleByte = CodePage850

// ErrUnknown is WHATWG's answer for a label it does not know.
var ErrUnknown = errors.New("charset: unknown character set")

// WHATWG returns the decoder of the character set label names in the
// WHATWG Encoding Standard (case and surrounding space ignored), as
// golang.org/x/text/encoding/htmlindex.Get(label).NewDecoder() does.
func WHATWG(label string) (*encoding.Decoder, error) {
	c, ok := whatwg(strings.ToLower(strings.TrimSpace(label)))
	if !ok {
		return nil, ErrUnknown
	}
	return c.NewDecoder(), nil
}

// NewDecoder returns a decoder from c to UTF-8 (nil for no Charset).
func (c Charset) NewDecoder() *encoding.Decoder {
	var t transform.Transformer
	switch c {
	case Nop:
		return encoding.Nop.NewDecoder()
	case UTF8:
		return unicode.UTF8.NewDecoder()
	case UTF7:
		return utf7.UTF7.NewDecoder()
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case Replacement:
		return encoding.Replacement.NewDecoder()
	case GBK:
		t = simplifiedchinese.GBK()
	case GB18030:
		t = simplifiedchinese.GB18030()
	case HZGB2312:
		t = simplifiedchinese.HZGB2312()
	case Big5:
		t = traditionalchinese.Big5()
	case EUCJP:
		t = japanese.EUCJP()
	case ISO2022JP:
		t = japanese.ISO2022JP()
	case ShiftJIS:
		t = japanese.ShiftJIS()
	case EUCKR:
		t = korean.EUCKR()
	default:
		if c < firstSingleByte || c > XUserDefined {
			return nil
		}
		t = singleByte{high: &singleByteHigh[c-firstSingleByte]}
	}
	return &encoding.Decoder{Transformer: t}
}

// singleByte decodes a single-byte set that is a superset of ASCII: bytes
// below 0x80 as they are, the others through their row of singleByteHigh
// (x/text's charmap decoder, byte for byte; undefined bytes are U+FFFD).
type singleByte struct {
	transform.NopResetter
	high *[128]uint16
}

func (d singleByte) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for i, c := range src {
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc = i + 1
			continue
		}
		r := rune(d.high[c-0x80])
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc = i + 1
	}
	return nDst, nSrc, nil
}
