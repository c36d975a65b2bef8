package coding

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime"
)

// Quorum: every label of the copy's table decodes text as the original
// enmime (github.com/jhillyerd/enmime, whose table names x/text's
// encodings) decodes a part declaring it: the same labels, the same sets,
// the same text. Labels neither knows are refused by both.
func TestLabelsDecodeAsTheOriginalEnmime(t *testing.T) {
	var body strings.Builder
	for b := 0x20; b < 0x100; b++ {
		body.WriteByte(byte(b))
	}
	// A few double-byte and escape sequences (Big5, GBK, Shift JIS, EUC-KR,
	// ISO-2022-JP, HZ, UTF-16, UTF-7).
	body.WriteString("\xa4\xa4\xa4\xe5 \xd6\xd0\xce\xc4 \x93\xfa\x96\x7b \xc7\xd1\xb1\xb9 \x1b$BF|K\\\x1b(B ~{VPND~} +AGEAYgBj- a\x00b\x00\r\n")
	parser := enmime.NewParser(enmime.DisableCharacterDetection(true))
	labels := []string{"no-such-charset", "UTF-8", "Big5", "ISO-8859-1"}
	for label := range encodings() {
		labels = append(labels, label)
	}
	for _, sample := range []string{body.String(), "Hi +AGEAYgBj- there\r\n"} {
		for _, label := range labels {
			decodesAlike(t, parser, label, sample)
		}
	}
}

func decodesAlike(t *testing.T, parser *enmime.Parser, label, sample string) {
	t.Helper()
	msg := "From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=\"" + label + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte(sample)) + "\r\n"
	env, origErr := parser.ReadEnvelope(strings.NewReader(msg))
	r, err := NewCharsetReader(label, strings.NewReader(sample))
	if err != nil {
		if origErr == nil && len(env.Errors) == 0 {
			t.Errorf("%q: the copy refuses it (%v), the original decoded it", label, err)
		}
		return
	}
	got, err := io.ReadAll(r)
	if (err != nil) != (origErr != nil) {
		t.Errorf("%q: the copy's error %v, the original's %v", label, err, origErr)
		return
	}
	if err != nil {
		return
	}
	if string(got) != env.Text {
		t.Errorf("%q: the copy decodes %q, the original %q", label, got, env.Text)
	}
	if s, err := ConvertToUTF8String(label, []byte(sample)); err != nil || s != env.Text {
		t.Errorf("%q: ConvertToUTF8String gives %q (%v), the original %q", label, s, err, env.Text)
	}
}

// Quorum: the meta tag's expression compiles on first use.
func TestFindCharsetInHTML(t *testing.T) {
	for in, want := range map[string]string{
		`<html><head><meta charset="ISO-8859-2"></head>`:                             "ISO-8859-2",
		`<META http-equiv="Content-Type" content="text/html; charset=windows-1250">`: "windows-1250",
		`<p>no meta</p>`: "",
	} {
		if got := FindCharsetInHTML(in); got != want {
			t.Errorf("FindCharsetInHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
