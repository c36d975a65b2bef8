// Copied from golang.org/x/text/encoding/htmlindex's tables.go (its nameMap, x/text v0.43.0);
// TestWHATWGMatchesHTMLIndex holds it to htmlindex.Get.

package charset

// whatwg is the character set a label of the WHATWG Encoding Standard
// names (lower case, without surrounding space), as htmlindex knows them;
// a switch, not a map, so that nothing is built at package initialisation.
func whatwg(label string) (Charset, bool) {
	switch label {
	case "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8":
		return UTF8, true
	case "866", "cp866", "csibm866", "ibm866":
		return CodePage866, true
	case "csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2", "iso_8859-2:1987", "l2", "latin2":
		return ISO8859_2, true
	case "csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3", "iso_8859-3:1988", "l3", "latin3":
		return ISO8859_3, true
	case "csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4", "iso_8859-4:1988", "l4", "latin4":
		return ISO8859_4, true
	case "csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595", "iso_8859-5", "iso_8859-5:1988":
		return ISO8859_5, true
	case "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114", "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987":
		return ISO8859_6, true
	case "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek":
		return ISO8859_7, true
	case "csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138", "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual":
		return ISO8859_8, true
	case "csiso88598i", "iso-8859-8-i", "logical":
		return ISO8859_8I, true
	case "csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6":
		return ISO8859_10, true
	case "iso-8859-13", "iso8859-13", "iso885913":
		return ISO8859_13, true
	case "iso-8859-14", "iso8859-14", "iso885914":
		return ISO8859_14, true
	case "csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9":
		return ISO8859_15, true
	case "iso-8859-16":
		return ISO8859_16, true
	case "cskoi8r", "koi", "koi8", "koi8-r", "koi8_r":
		return KOI8R, true
	case "koi8-ru", "koi8-u":
		return KOI8U, true
	case "csmacintosh", "mac", "macintosh", "x-mac-roman":
		return Macintosh, true
	case "dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874":
		return Windows874, true
	case "cp1250", "windows-1250", "x-cp1250":
		return Windows1250, true
	case "cp1251", "windows-1251", "x-cp1251":
		return Windows1251, true
	case "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252":
		return Windows1252, true
	case "cp1253", "windows-1253", "x-cp1253":
		return Windows1253, true
	case "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254":
		return Windows1254, true
	case "cp1255", "windows-1255", "x-cp1255":
		return Windows1255, true
	case "cp1256", "windows-1256", "x-cp1256":
		return Windows1256, true
	case "cp1257", "windows-1257", "x-cp1257":
		return Windows1257, true
	case "cp1258", "windows-1258", "x-cp1258":
		return Windows1258, true
	case "x-mac-cyrillic", "x-mac-ukrainian":
		return MacintoshCyrillic, true
	case "chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk":
		return GBK, true
	case "gb18030":
		return GB18030, true
	case "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5":
		return Big5, true
	case "cseucpkdfmtjapanese", "euc-jp", "x-euc-jp":
		return EUCJP, true
	case "csiso2022jp", "iso-2022-jp":
		return ISO2022JP, true
	case "csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis":
		return ShiftJIS, true
	case "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949":
		return EUCKR, true
	case "csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr", "replacement":
		return Replacement, true
	case "unicodefffe", "utf-16be":
		return UTF16BE, true
	case "csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le":
		return UTF16LE, true
	case "x-user-defined":
		return XUserDefined, true
	}
	return 0, false
}
