package coding

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/text/transform"

	"github.com/quorum-app/quorum/internal/charset"
)

const utf8 = "utf-8"

// encodings is based on golang.org/x/net/html/charset/table.go
//
// Quorum: the sets are named by charset.Charset, which builds only their
// decoders, rather than by golang.org/x/text's encodings, whose values keep
// every encoder and its tables linked (third_party/enmime/README.md).
//
// Quorum: built on first use (sync.OnceValue), not at package
// initialisation, which every function linking the parser ran at each cold
// start; so is metaTagCharsetRegexp.
var encodings = sync.OnceValue(func() map[string]struct {
	e    charset.Charset
	name string
} {
	return map[string]struct {
		e    charset.Charset
		name string
	}{
		"unicode-1-1-utf-8":   {charset.Nop, utf8},
		"utf-8":               {charset.Nop, utf8},
		"utf8":                {charset.Nop, utf8},
		"utf-7":               {charset.UTF7, "utf-7"},
		"utf7":                {charset.UTF7, "utf-7"},
		"866":                 {charset.CodePage866, "ibm866"},
		"cp866":               {charset.CodePage866, "ibm866"},
		"csibm866":            {charset.CodePage866, "ibm866"},
		"ibm866":              {charset.CodePage866, "ibm866"},
		"csisolatin2":         {charset.ISO8859_2, "iso-8859-2"},
		"iso-8859-2":          {charset.ISO8859_2, "iso-8859-2"},
		"iso-ir-101":          {charset.ISO8859_2, "iso-8859-2"},
		"iso8859-2":           {charset.ISO8859_2, "iso-8859-2"},
		"iso88592":            {charset.ISO8859_2, "iso-8859-2"},
		"iso_8859-2":          {charset.ISO8859_2, "iso-8859-2"},
		"iso_8859-2:1987":     {charset.ISO8859_2, "iso-8859-2"},
		"l2":                  {charset.ISO8859_2, "iso-8859-2"},
		"latin2":              {charset.ISO8859_2, "iso-8859-2"},
		"csisolatin3":         {charset.ISO8859_3, "iso-8859-3"},
		"iso-8859-3":          {charset.ISO8859_3, "iso-8859-3"},
		"iso-ir-109":          {charset.ISO8859_3, "iso-8859-3"},
		"iso8859-3":           {charset.ISO8859_3, "iso-8859-3"},
		"iso88593":            {charset.ISO8859_3, "iso-8859-3"},
		"iso_8859-3":          {charset.ISO8859_3, "iso-8859-3"},
		"iso_8859-3:1988":     {charset.ISO8859_3, "iso-8859-3"},
		"l3":                  {charset.ISO8859_3, "iso-8859-3"},
		"latin3":              {charset.ISO8859_3, "iso-8859-3"},
		"csisolatin4":         {charset.ISO8859_4, "iso-8859-4"},
		"iso-8859-4":          {charset.ISO8859_4, "iso-8859-4"},
		"iso-ir-110":          {charset.ISO8859_4, "iso-8859-4"},
		"iso8859-4":           {charset.ISO8859_4, "iso-8859-4"},
		"iso88594":            {charset.ISO8859_4, "iso-8859-4"},
		"iso_8859-4":          {charset.ISO8859_4, "iso-8859-4"},
		"iso_8859-4:1988":     {charset.ISO8859_4, "iso-8859-4"},
		"l4":                  {charset.ISO8859_4, "iso-8859-4"},
		"latin4":              {charset.ISO8859_4, "iso-8859-4"},
		"csisolatincyrillic":  {charset.ISO8859_5, "iso-8859-5"},
		"cyrillic":            {charset.ISO8859_5, "iso-8859-5"},
		"iso-8859-5":          {charset.ISO8859_5, "iso-8859-5"},
		"iso-ir-144":          {charset.ISO8859_5, "iso-8859-5"},
		"iso8859-5":           {charset.ISO8859_5, "iso-8859-5"},
		"iso88595":            {charset.ISO8859_5, "iso-8859-5"},
		"iso_8859-5":          {charset.ISO8859_5, "iso-8859-5"},
		"iso_8859-5:1988":     {charset.ISO8859_5, "iso-8859-5"},
		"arabic":              {charset.ISO8859_6, "iso-8859-6"},
		"asmo-708":            {charset.ISO8859_6, "iso-8859-6"},
		"csiso88596e":         {charset.ISO8859_6, "iso-8859-6"},
		"csiso88596i":         {charset.ISO8859_6, "iso-8859-6"},
		"csisolatinarabic":    {charset.ISO8859_6, "iso-8859-6"},
		"ecma-114":            {charset.ISO8859_6, "iso-8859-6"},
		"iso-8859-6":          {charset.ISO8859_6, "iso-8859-6"},
		"iso-8859-6-e":        {charset.ISO8859_6, "iso-8859-6"},
		"iso-8859-6-i":        {charset.ISO8859_6, "iso-8859-6"},
		"iso-ir-127":          {charset.ISO8859_6, "iso-8859-6"},
		"iso8859-6":           {charset.ISO8859_6, "iso-8859-6"},
		"iso88596":            {charset.ISO8859_6, "iso-8859-6"},
		"iso_8859-6":          {charset.ISO8859_6, "iso-8859-6"},
		"iso_8859-6:1987":     {charset.ISO8859_6, "iso-8859-6"},
		"csisolatingreek":     {charset.ISO8859_7, "iso-8859-7"},
		"ecma-118":            {charset.ISO8859_7, "iso-8859-7"},
		"elot_928":            {charset.ISO8859_7, "iso-8859-7"},
		"greek":               {charset.ISO8859_7, "iso-8859-7"},
		"greek8":              {charset.ISO8859_7, "iso-8859-7"},
		"iso-8859-7":          {charset.ISO8859_7, "iso-8859-7"},
		"iso-ir-126":          {charset.ISO8859_7, "iso-8859-7"},
		"iso8859-7":           {charset.ISO8859_7, "iso-8859-7"},
		"iso88597":            {charset.ISO8859_7, "iso-8859-7"},
		"iso_8859-7":          {charset.ISO8859_7, "iso-8859-7"},
		"iso_8859-7:1987":     {charset.ISO8859_7, "iso-8859-7"},
		"sun_eu_greek":        {charset.ISO8859_7, "iso-8859-7"},
		"csiso88598e":         {charset.ISO8859_8, "iso-8859-8"},
		"csisolatinhebrew":    {charset.ISO8859_8, "iso-8859-8"},
		"hebrew":              {charset.ISO8859_8, "iso-8859-8"},
		"iso-8859-8":          {charset.ISO8859_8, "iso-8859-8"},
		"iso-8859-8-e":        {charset.ISO8859_8, "iso-8859-8"},
		"iso-ir-138":          {charset.ISO8859_8, "iso-8859-8"},
		"iso8859-8":           {charset.ISO8859_8, "iso-8859-8"},
		"iso88598":            {charset.ISO8859_8, "iso-8859-8"},
		"iso_8859-8":          {charset.ISO8859_8, "iso-8859-8"},
		"iso_8859-8:1988":     {charset.ISO8859_8, "iso-8859-8"},
		"visual":              {charset.ISO8859_8, "iso-8859-8"},
		"csiso88598i":         {charset.ISO8859_8, "iso-8859-8-i"},
		"iso-8859-8-i":        {charset.ISO8859_8, "iso-8859-8-i"},
		"logical":             {charset.ISO8859_8, "iso-8859-8-i"},
		"csisolatin6":         {charset.ISO8859_10, "iso-8859-10"},
		"iso-8859-10":         {charset.ISO8859_10, "iso-8859-10"},
		"iso-ir-157":          {charset.ISO8859_10, "iso-8859-10"},
		"iso8859-10":          {charset.ISO8859_10, "iso-8859-10"},
		"iso885910":           {charset.ISO8859_10, "iso-8859-10"},
		"l6":                  {charset.ISO8859_10, "iso-8859-10"},
		"latin6":              {charset.ISO8859_10, "iso-8859-10"},
		"iso-8859-13":         {charset.ISO8859_13, "iso-8859-13"},
		"iso8859-13":          {charset.ISO8859_13, "iso-8859-13"},
		"iso885913":           {charset.ISO8859_13, "iso-8859-13"},
		"iso-8859-14":         {charset.ISO8859_14, "iso-8859-14"},
		"iso8859-14":          {charset.ISO8859_14, "iso-8859-14"},
		"iso885914":           {charset.ISO8859_14, "iso-8859-14"},
		"csisolatin9":         {charset.ISO8859_15, "iso-8859-15"},
		"iso-8859-15":         {charset.ISO8859_15, "iso-8859-15"},
		"iso8859-15":          {charset.ISO8859_15, "iso-8859-15"},
		"iso885915":           {charset.ISO8859_15, "iso-8859-15"},
		"iso_8859-15":         {charset.ISO8859_15, "iso-8859-15"},
		"l9":                  {charset.ISO8859_15, "iso-8859-15"},
		"iso-8859-16":         {charset.ISO8859_16, "iso-8859-16"},
		"cskoi8r":             {charset.KOI8R, "koi8-r"},
		"koi":                 {charset.KOI8R, "koi8-r"},
		"koi8":                {charset.KOI8R, "koi8-r"},
		"koi8-r":              {charset.KOI8R, "koi8-r"},
		"koi8_r":              {charset.KOI8R, "koi8-r"},
		"koi8-u":              {charset.KOI8U, "koi8-u"},
		"csmacintosh":         {charset.Macintosh, "macintosh"},
		"mac":                 {charset.Macintosh, "macintosh"},
		"macintosh":           {charset.Macintosh, "macintosh"},
		"x-mac-roman":         {charset.Macintosh, "macintosh"},
		"dos-874":             {charset.Windows874, "windows-874"},
		"iso-8859-11":         {charset.Windows874, "windows-874"},
		"iso8859-11":          {charset.Windows874, "windows-874"},
		"iso885911":           {charset.Windows874, "windows-874"},
		"tis-620":             {charset.Windows874, "windows-874"},
		"windows-874":         {charset.Windows874, "windows-874"},
		"cp1250":              {charset.Windows1250, "windows-1250"},
		"windows-1250":        {charset.Windows1250, "windows-1250"},
		"x-cp1250":            {charset.Windows1250, "windows-1250"},
		"cp1251":              {charset.Windows1251, "windows-1251"},
		"windows-1251":        {charset.Windows1251, "windows-1251"},
		"x-cp1251":            {charset.Windows1251, "windows-1251"},
		"ansi_x3.4-1968":      {charset.Windows1252, "windows-1252"},
		"ascii":               {charset.Windows1252, "windows-1252"},
		"cp1252":              {charset.Windows1252, "windows-1252"},
		"cp819":               {charset.Windows1252, "windows-1252"},
		"csisolatin1":         {charset.Windows1252, "windows-1252"},
		"ibm819":              {charset.Windows1252, "windows-1252"},
		"iso-8859-1":          {charset.ISO8859_1, "iso-8859-1"},
		"iso-ir-100":          {charset.Windows1252, "windows-1252"},
		"iso8859-1":           {charset.ISO8859_1, "iso-8859-1"},
		"iso8859_1":           {charset.ISO8859_1, "iso-8859-1"},
		"iso88591":            {charset.ISO8859_1, "iso-8859-1"},
		"iso_8859-1":          {charset.ISO8859_1, "iso-8859-1"},
		"iso_8859-1:1987":     {charset.ISO8859_1, "iso-8859-1"},
		"l1":                  {charset.Windows1252, "windows-1252"},
		"latin1":              {charset.Windows1252, "windows-1252"},
		"us-ascii":            {charset.Windows1252, "windows-1252"},
		"windows-1252":        {charset.Windows1252, "windows-1252"},
		"x-cp1252":            {charset.Windows1252, "windows-1252"},
		"cp1253":              {charset.Windows1253, "windows-1253"},
		"windows-1253":        {charset.Windows1253, "windows-1253"},
		"x-cp1253":            {charset.Windows1253, "windows-1253"},
		"cp1254":              {charset.Windows1254, "windows-1254"},
		"csisolatin5":         {charset.Windows1254, "windows-1254"},
		"iso-8859-9":          {charset.Windows1254, "windows-1254"},
		"iso-ir-148":          {charset.Windows1254, "windows-1254"},
		"iso8859-9":           {charset.Windows1254, "windows-1254"},
		"iso88599":            {charset.Windows1254, "windows-1254"},
		"iso_8859-9":          {charset.Windows1254, "windows-1254"},
		"iso_8859-9:1989":     {charset.Windows1254, "windows-1254"},
		"l5":                  {charset.Windows1254, "windows-1254"},
		"latin5":              {charset.Windows1254, "windows-1254"},
		"windows-1254":        {charset.Windows1254, "windows-1254"},
		"x-cp1254":            {charset.Windows1254, "windows-1254"},
		"cp1255":              {charset.Windows1255, "windows-1255"},
		"windows-1255":        {charset.Windows1255, "windows-1255"},
		"x-cp1255":            {charset.Windows1255, "windows-1255"},
		"cp1256":              {charset.Windows1256, "windows-1256"},
		"windows-1256":        {charset.Windows1256, "windows-1256"},
		"x-cp1256":            {charset.Windows1256, "windows-1256"},
		"cp1257":              {charset.Windows1257, "windows-1257"},
		"windows-1257":        {charset.Windows1257, "windows-1257"},
		"x-cp1257":            {charset.Windows1257, "windows-1257"},
		"cp1258":              {charset.Windows1258, "windows-1258"},
		"windows-1258":        {charset.Windows1258, "windows-1258"},
		"x-cp1258":            {charset.Windows1258, "windows-1258"},
		"x-mac-cyrillic":      {charset.MacintoshCyrillic, "x-mac-cyrillic"},
		"x-mac-ukrainian":     {charset.MacintoshCyrillic, "x-mac-cyrillic"},
		"chinese":             {charset.GBK, "gbk"},
		"csgb2312":            {charset.GBK, "gbk"},
		"csiso58gb231280":     {charset.GBK, "gbk"},
		"gb2312":              {charset.GBK, "gbk"},
		"gb_2312":             {charset.GBK, "gbk"},
		"gb_2312-80":          {charset.GBK, "gbk"},
		"gbk":                 {charset.GBK, "gbk"},
		"iso-ir-58":           {charset.GBK, "gbk"},
		"x-gbk":               {charset.GBK, "gbk"},
		"gb18030":             {charset.GB18030, "gb18030"},
		"hz-gb-2312":          {charset.HZGB2312, "hz-gb-2312"},
		"big5":                {charset.Big5, "big5"},
		"big5-hkscs":          {charset.Big5, "big5"},
		"cn-big5":             {charset.Big5, "big5"},
		"csbig5":              {charset.Big5, "big5"},
		"x-x-big5":            {charset.Big5, "big5"},
		"cseucpkdfmtjapanese": {charset.EUCJP, "euc-jp"},
		"euc-jp":              {charset.EUCJP, "euc-jp"},
		"x-euc-jp":            {charset.EUCJP, "euc-jp"},
		"csiso2022jp":         {charset.ISO2022JP, "iso-2022-jp"},
		"iso-2022-jp":         {charset.ISO2022JP, "iso-2022-jp"},
		"csshiftjis":          {charset.ShiftJIS, "shift_jis"},
		"ms_kanji":            {charset.ShiftJIS, "shift_jis"},
		"shift-jis":           {charset.ShiftJIS, "shift_jis"},
		"shift_jis":           {charset.ShiftJIS, "shift_jis"},
		"sjis":                {charset.ShiftJIS, "shift_jis"},
		"windows-31j":         {charset.ShiftJIS, "shift_jis"},
		"x-sjis":              {charset.ShiftJIS, "shift_jis"},
		"cseuckr":             {charset.EUCKR, "euc-kr"},
		"csksc56011987":       {charset.EUCKR, "euc-kr"},
		"euc-kr":              {charset.EUCKR, "euc-kr"},
		"iso-ir-149":          {charset.EUCKR, "euc-kr"},
		"korean":              {charset.EUCKR, "euc-kr"},
		"ks_c_5601-1987":      {charset.EUCKR, "euc-kr"},
		"ks_c_5601-1989":      {charset.EUCKR, "euc-kr"},
		"ksc5601":             {charset.EUCKR, "euc-kr"},
		"ksc_5601":            {charset.EUCKR, "euc-kr"},
		"windows-949":         {charset.EUCKR, "euc-kr"},
		"csiso2022kr":         {charset.Replacement, "replacement"},
		"iso-2022-kr":         {charset.Replacement, "replacement"},
		"iso-2022-cn":         {charset.Replacement, "replacement"},
		"iso-2022-cn-ext":     {charset.Replacement, "replacement"},
		"utf-16be":            {charset.UTF16BE, "utf-16be"},
		"utf-16":              {charset.UTF16LE, "utf-16le"},
		"utf-16le":            {charset.UTF16LE, "utf-16le"},
		"x-user-defined":      {charset.XUserDefined, "x-user-defined"},
		"iso646-us":           {charset.Windows1252, "windows-1252"}, // ISO646 isn't us-ascii but 1991 version is.
		"iso: western":        {charset.Windows1252, "windows-1252"}, // same as iso-8859-1
		"we8iso8859p1":        {charset.Windows1252, "windows-1252"}, // same as iso-8859-1
		"cp936":               {charset.GBK, "gbk"},                  // same as gb2312
		"cp850":               {charset.CodePage850, "cp850"},
		"cp-850":              {charset.CodePage850, "cp850"},
		"ibm850":              {charset.CodePage850, "cp850"},
		"136":                 {charset.Big5, "big5"}, // same as chinese big5
		"cp932":               {charset.ShiftJIS, "shift_jis"},
		"8859-1":              {charset.Windows1252, "windows-1252"},
		"8859_1":              {charset.Windows1252, "windows-1252"},
		"8859-2":              {charset.ISO8859_2, "iso-8859-2"},
		"8859_2":              {charset.ISO8859_2, "iso-8859-2"},
		"8859-3":              {charset.ISO8859_3, "iso-8859-3"},
		"8859_3":              {charset.ISO8859_3, "iso-8859-3"},
		"8859-4":              {charset.ISO8859_4, "iso-8859-4"},
		"8859_4":              {charset.ISO8859_4, "iso-8859-4"},
		"8859-5":              {charset.ISO8859_5, "iso-8859-5"},
		"8859_5":              {charset.ISO8859_5, "iso-8859-5"},
		"8859-6":              {charset.ISO8859_6, "iso-8859-6"},
		"8859_6":              {charset.ISO8859_6, "iso-8859-6"},
		"8859-7":              {charset.ISO8859_7, "iso-8859-7"},
		"8859_7":              {charset.ISO8859_7, "iso-8859-7"},
		"8859-8":              {charset.ISO8859_8, "iso-8859-8"},
		"8859_8":              {charset.ISO8859_8, "iso-8859-8"},
		"8859-10":             {charset.ISO8859_10, "iso-8859-10"},
		"8859_10":             {charset.ISO8859_10, "iso-8859-10"},
		"8859-13":             {charset.ISO8859_13, "iso-8859-13"},
		"8859_13":             {charset.ISO8859_13, "iso-8859-13"},
		"8859-14":             {charset.ISO8859_14, "iso-8859-14"},
		"8859_14":             {charset.ISO8859_14, "iso-8859-14"},
		"8859-15":             {charset.ISO8859_15, "iso-8859-15"},
		"8859_15":             {charset.ISO8859_15, "iso-8859-15"},
		"8859-16":             {charset.ISO8859_16, "iso-8859-16"},
		"8859_16":             {charset.ISO8859_16, "iso-8859-16"},
		"utf8mb4":             {charset.Nop, "utf-8"}, // emojis, but golang can handle it directly
		"238":                 {charset.Windows1250, "windows-1250"},
	}
})

var metaTagCharsetRegexp = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)<meta.*charset="?\s*(?P<charset>[a-zA-Z0-9_.:-]+)\s*"?`)
})

// metaTagCharsetIndex finds the submatch index for charset in metaTagCharsetRegexp.
var metaTagCharsetIndex = sync.OnceValue(func() int {
	for i, name := range metaTagCharsetRegexp().SubexpNames() {
		if name == "charset" {
			return i
		}
	}
	return 0
})

// ConvertToUTF8String uses the provided charset to decode a slice of bytes into a normal
// UTF-8 string.
func ConvertToUTF8String(charset string, textBytes []byte) (string, error) {
	csentry, ok := encodings()[strings.ToLower(charset)]
	if !ok {
		return "", fmt.Errorf("unsupported charset %q", charset)
	}
	input := bytes.NewReader(textBytes)
	reader := transform.NewReader(input, csentry.e.NewDecoder())
	output, err := io.ReadAll(reader)
	if err != nil {
		return "", err
	}
	return string(output), nil
}

// NewCharsetReader generates charset-conversion readers, converting from the provided charset into
// UTF-8.  CharsetReader is a factory signature defined by Go's mime.WordDecoder.
//
// This function is similar to: https://godoc.org/golang.org/x/net/html/charset#NewReaderLabel
func NewCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	if strings.ToLower(charset) == utf8 {
		return input, nil
	}
	csentry, ok := encodings()[strings.ToLower(charset)]
	if !ok {
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	return transform.NewReader(input, csentry.e.NewDecoder()), nil
}

// FindCharsetInHTML looks for charset in the HTML meta tag (v4.01 and v5).
func FindCharsetInHTML(html string) string {
	charsetMatches := metaTagCharsetRegexp().FindAllStringSubmatch(html, -1)
	if len(charsetMatches) > 0 {
		return charsetMatches[0][metaTagCharsetIndex()]
	}
	return ""
}
