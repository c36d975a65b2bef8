package inbound

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/quorum-app/quorum/internal/charset"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/inbound/votes"
	"github.com/quorum-app/quorum/third_party/enmime"
)

// Limits of the parser.
const (
	// MaxMessageSize is the largest raw message Parse accepts (SES itself
	// accepts up to 40 MB including encoding overhead).
	MaxMessageSize = 30 << 20
	// MaxFilenameBytes bounds a sanitised attachment file name (UTF-8 bytes).
	MaxFilenameBytes = 180
	maxParseErrors   = 50
	maxReferences    = 100
	maxRecipients    = 200
)

// ErrTooLarge is returned by Parse for a message above MaxMessageSize.
var ErrTooLarge = &domain.Error{Code: domain.TooLarge, Message: "the message is larger than 30 MB"}

// ErrUnreadable is returned by Parse when not even the headers can be read.
var ErrUnreadable = &domain.Error{Code: domain.Invalid, Message: "the message could not be read as email"}

// Address is one mailbox: Address is lowercased and trimmed, Name is the
// decoded display name.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Domain returns the part after the last "@" ("" if none).
func (a Address) Domain() string {
	if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
		return a.Address[i+1:]
	}
	return ""
}

// Attachment is a file carried by a message. Filename is sanitised (see
// SanitizeFilename); Inline marks parts shown inside the HTML body (images
// referenced by ContentID) rather than attached.
type Attachment struct {
	Filename    string
	ContentType string
	ContentID   string
	Inline      bool
	Size        int
	Data        []byte
}

// Message is a parsed inbound email. Message ids are stored without angle
// brackets. Header holds the top-level headers as received (raw, not
// decoded; canonical keys) for loop, auto-reply and authentication checks.
type Message struct {
	MessageID     string
	InReplyTo     string
	References    []string
	From          Address
	Sender        Address
	ReplyTo       []Address
	To            []Address
	Cc            []Address
	DeliveredTo   []Address
	ReturnPath    string // raw envelope sender from Return-Path ("" for "<>")
	HasReturnPath bool
	Subject       string
	Date          time.Time
	// Text is the best plain-text body: the text/plain part, or the HTML
	// converted to text when there is none. HasTextPart tells which.
	Text        string
	HTML        string
	HasTextPart bool
	Attachments []Attachment
	Header      textproto.MIMEHeader
	// ParseErrors lists what enmime found wrong (broken MIME, bad base64,
	// unknown charsets). Parsing goes on regardless.
	ParseErrors []string
}

// Get returns the first value of a top-level header, RFC 2047-decoded.
func (m *Message) Get(name string) string {
	if m == nil || m.Header == nil {
		return ""
	}
	return decodeHeader(m.Header.Get(name))
}

// Has reports whether a top-level header is present (even empty).
func (m *Message) Has(name string) bool {
	if m == nil || m.Header == nil {
		return false
	}
	_, ok := m.Header[textproto.CanonicalMIMEHeaderKey(name)]
	return ok
}

func decodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return strings.TrimSpace(s)
	}
	d := mime.WordDecoder{CharsetReader: charsetReader}
	out, err := d.DecodeHeader(s)
	if err != nil {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(out)
}

func newParser() *enmime.Parser {
	return enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.StripMediaTypeInvalidCharacters(true),
		// A declared charset wins over statistical detection; detection is
		// still used when a text part declares none.
		enmime.DisableCharacterDetection(true),
		enmime.MaxStoredPartErrors(maxParseErrors),
	)
}

// Parse reads a raw RFC 5322 / MIME message. It tolerates broken MIME
// (recording what was wrong in ParseErrors), non-UTF-8 charsets and
// transfer encodings. It fails only for an empty or oversized message or
// one whose header block cannot be read at all.
func Parse(raw []byte) (*Message, error) {
	if len(raw) > MaxMessageSize {
		return nil, ErrTooLarge
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, ErrUnreadable
	}
	env, err := newParser().ReadEnvelope(bytes.NewReader(raw))
	if err != nil || env == nil || env.Root == nil {
		return nil, domain.Wrap(domain.Invalid, err, "%s", ErrUnreadable.Message)
	}
	m := &Message{Header: env.Root.Header}
	if m.Header == nil {
		m.Header = textproto.MIMEHeader{}
	}
	m.MessageID = firstMsgID(m.Header.Get("Message-Id"))
	m.InReplyTo = firstMsgID(m.Header.Get("In-Reply-To"))
	m.References = msgIDs(m.Header.Get("References"), maxReferences)
	m.From = firstAddress(m.Header.Get("From"))
	m.Sender = firstAddress(m.Header.Get("Sender"))
	m.ReplyTo = addressList(m.Header["Reply-To"])
	m.To = addressList(m.Header["To"])
	m.Cc = addressList(m.Header["Cc"])
	m.DeliveredTo = addressList(append(append([]string{}, m.Header["Delivered-To"]...), m.Header["X-Original-To"]...))
	if rp, ok := m.Header["Return-Path"]; ok && len(rp) > 0 {
		m.HasReturnPath = true
		v := strings.TrimSpace(rp[0])
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">"))
		m.ReturnPath = strings.ToLower(v)
	}
	m.Subject = cleanLine(env.GetHeader("Subject"))
	if d, err := mail.ParseDate(m.Header.Get("Date")); err == nil {
		m.Date = d
	}
	m.HTML = cleanText(env.HTML)
	m.Text = cleanText(env.Text)
	m.HasTextPart = hasTextPart(env.Root)
	if !m.HasTextPart && m.HTML == "" {
		// A body that is neither text/plain nor HTML (e.g. text/enriched)
		// still has no text.
		m.Text = ""
	}
	for _, p := range env.Attachments {
		m.Attachments = append(m.Attachments, attachment(p, false))
	}
	for _, p := range env.Inlines {
		m.Attachments = append(m.Attachments, attachment(p, true))
	}
	for _, p := range env.OtherParts {
		if p.ContentType == "message/delivery-status" || strings.HasPrefix(p.ContentType, "multipart/") {
			continue
		}
		m.Attachments = append(m.Attachments, attachment(p, p.ContentID != ""))
	}
	for _, e := range env.Errors {
		if len(m.ParseErrors) >= maxParseErrors {
			break
		}
		m.ParseErrors = append(m.ParseErrors, cleanLine(e.Error()))
	}
	return m, nil
}

func hasTextPart(root *enmime.Part) bool {
	return root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "text/plain" && p.Disposition != "attachment"
	}) != nil
}

func attachment(p *enmime.Part, inline bool) Attachment {
	ct := strings.ToLower(strings.TrimSpace(p.ContentType))
	if ct == "" || strings.ContainsAny(ct, " \t\r\n;\"") {
		ct = "application/octet-stream"
	}
	return Attachment{
		Filename:    SanitizeFilename(p.FileName, ct),
		ContentType: ct,
		ContentID:   cleanLine(strings.Trim(p.ContentID, "<> ")),
		Inline:      inline,
		Size:        len(p.Content),
		Data:        p.Content,
	}
}

// SanitizeFilename makes an attachment name safe to store and show: it
// decodes leftover RFC 2047 words, keeps only the last path element (no "/"
// or "\"), drops control and invisible formatting characters (including
// bidi overrides that disguise extensions), replaces characters that are
// special on common file systems, trims dots and spaces at the ends and
// limits the length to MaxFilenameBytes while keeping the extension. An
// empty result becomes "attachment" plus an extension for contentType.
func SanitizeFilename(name, contentType string) string {
	name = decodeHeader(name)
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '\u3000':
			b.WriteByte(' ')
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.IsSpace(r):
			continue
		case strings.ContainsRune(`:*?"<>|`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Join(strings.Fields(b.String()), " ")
	name = strings.Trim(name, ". ")
	if len(name) > MaxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 || !utf8.ValidString(ext) {
			ext = ""
		}
		stem := truncateUTF8(strings.TrimSuffix(name, ext), MaxFilenameBytes-len(ext))
		name = strings.TrimRight(stem, ". ") + ext
	}
	if name == "" || strings.Trim(name, ".") == "" {
		ext := ".bin"
		if exts, err := mime.ExtensionsByType(contentType); err == nil && len(exts) > 0 {
			ext = exts[0]
		}
		name = "attachment" + ext
	}
	return name
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cleanText is votes.CleanText: the rule is one for whole messages and
// the replies votes are read from.
func cleanText(s string) string { return votes.CleanText(s) }

// cleanLine is cleanText for one-line values (subjects, names).
func cleanLine(s string) string {
	s = cleanText(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

var msgIDRe = lazyRegexp(`<([^<>\s]+)>`)

func firstMsgID(v string) string {
	ids := msgIDs(v, 1)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// msgIDs extracts <id> tokens; a value without brackets yields its words.
func msgIDs(v string, limit int) []string {
	var out []string
	for _, m := range msgIDRe().FindAllStringSubmatch(v, limit) {
		out = append(out, cleanLine(m[1]))
	}
	if len(out) == 0 {
		for _, f := range strings.Fields(v) {
			if len(out) >= limit {
				break
			}
			if len(f) <= 998 {
				out = append(out, cleanLine(strings.Trim(f, "<>")))
			}
		}
	}
	return out
}

var looseAddrRe = lazyRegexp(`[^\s<>"',;:()\[\]]+@[^\s<>"',;:()\[\]]+`)

func normAddr(s string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>."))
}

func firstAddress(v string) Address {
	l := addressList([]string{v})
	if len(l) == 0 {
		return Address{}
	}
	return l[0]
}

// addressList parses header values strictly (net/mail with the charset
// decoder) and falls back to pulling bare addresses out of broken values.
func addressList(values []string) []Address {
	var out []Address
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	for _, v := range values {
		if len(out) >= maxRecipients {
			break
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if list, err := p.ParseList(v); err == nil {
			for _, a := range list {
				if len(out) >= maxRecipients {
					break
				}
				out = append(out, Address{Name: cleanLine(a.Name), Address: normAddr(a.Address)})
			}
			continue
		}
		for _, a := range looseAddrRe().FindAllString(decodeHeader(v), maxRecipients-len(out)) {
			out = append(out, Address{Address: normAddr(a)})
		}
	}
	return out
}

// charsetReader decodes RFC 2047 words in any WHATWG-known charset
// (ISO-8859-x, Windows-125x, Shift_JIS, ISO-2022-JP, KOI8-R, ...):
// internal/charset, which links the decoders alone.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	dec, err := charset.WHATWG(label)
	if err != nil {
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	return dec.Reader(input), nil
}
