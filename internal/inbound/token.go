package inbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
)

// Reply-token format (version 1). The address is
//
//	r+<token>@<mail domain>
//
// where token is lowercase RFC 4648 base32 without padding (a-z, 2-7: safe
// in a local part and immune to relays that change case) of
//
//	byte 0      version (high nibble, 1) | kind (low nibble: 1 thread, 2 poll, 3 comment)
//	byte 1      id formats, 2 bits each: user, target 1, target 2 (see idFormat)
//	bytes 2-3   expiry: UTC day number since 1970-01-01 (big endian); valid through that day
//	uvarint     user key generation
//	ids         user id, then the target ids: thread | poll | thread + comment
//	16 bytes    HMAC-SHA256(key, "quorum-reply/v1\x00" + domain + "\x00" + all bytes above)[:16]
//
// key = store.DeriveKey(root, "reply-token"). Ids in Quorum's own formats
// are packed as bytes (user ids: 22-char base64url = 16 bytes; thread and
// poll ids: 16-char base32 = 10 bytes; comment ids: 24 hex digits = 12
// bytes); any other id is carried as length-prefixed raw bytes.
//
// Lengths of the local part ("r+" + token): thread or poll 78 characters,
// comment 97 (one more once the key generation reaches 128). RFC 5321 asks for at most 64, which is impossible with a
// 128-bit user id and a 128-bit MAC in a case-insensitive alphabet (they
// alone take 52 characters); MaxLocalPart (100) is enforced instead. SES,
// Gmail, Outlook.com, Postfix and Exim deliver longer local parts; senders
// that enforce 64 strictly are rare, and the failure mode is a bounce to the
// sender, never a misdelivery.
const (
	TokenVersion  = 1
	LocalPrefix   = "r+"
	MaxLocalPart  = 100
	macLen        = 16
	maxRawIDLen   = 40
	tokenPurpose  = "reply-token"
	macDomainSep  = "quorum-reply/v1\x00"
	maxTokenChars = MaxLocalPart
)

// Kind is what a reply token lets its user answer.
type Kind uint8

// Token kinds.
const (
	KindThread  Kind = 1 // a reply starts a comment in ThreadID
	KindPoll    Kind = 2 // a reply votes in PollID (and comments with the reason)
	KindComment Kind = 3 // a reply answers CommentID in ThreadID
)

func (k Kind) String() string {
	switch k {
	case KindThread:
		return "thread"
	case KindPoll:
		return "poll"
	case KindComment:
		return "comment"
	}
	return "unknown"
}

// Token is the content of a reply address.
type Token struct {
	UserID        string
	Kind          Kind
	ThreadID      string // KindThread, KindComment
	PollID        string // KindPoll
	CommentID     string // KindComment
	Expires       time.Time
	KeyGeneration int
}

// Token errors. All are domain errors; the Lambda maps them to Reject.
var (
	ErrTokenMalformed   = &domain.Error{Code: domain.Invalid, Message: "the reply address is not valid"}
	ErrTokenBadMAC      = &domain.Error{Code: domain.Unauthorized, Message: "the reply address was not issued by Quorum"}
	ErrTokenExpired     = &domain.Error{Code: domain.Gone, Message: "the reply address has expired"}
	ErrTokenRevoked     = &domain.Error{Code: domain.Gone, Message: "the reply address was revoked"}
	ErrTokenWrongDomain = &domain.Error{Code: domain.NotFound, Message: "the address is not a Quorum reply address"}
)

// Tokens mints and verifies reply addresses for one mail domain.
type Tokens struct {
	key    []byte
	domain string
}

// NewTokens returns a minter/verifier keyed from the root signing key.
func NewTokens(root []byte, mailDomain string) *Tokens {
	return &Tokens{key: store.DeriveKey(root, tokenPurpose), domain: strings.ToLower(strings.TrimSpace(mailDomain))}
}

// Domain is the mail domain of the reply addresses.
func (t *Tokens) Domain() string { return t.domain }

const (
	fmtRaw = iota
	fmtB64u16
	fmtB32x16
	fmtHex24
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func packID(id string) (byte, []byte, error) {
	if len(id) == 22 {
		if b, err := base64.RawURLEncoding.Strict().DecodeString(id); err == nil && base64.RawURLEncoding.EncodeToString(b) == id {
			return fmtB64u16, b, nil
		}
	}
	if len(id) == 16 && strings.ToLower(id) == id {
		if b, err := b32.DecodeString(strings.ToUpper(id)); err == nil && strings.ToLower(b32.EncodeToString(b)) == id {
			return fmtB32x16, b, nil
		}
	}
	if len(id) == 24 && strings.ToLower(id) == id {
		if b, err := hex.DecodeString(id); err == nil {
			return fmtHex24, b, nil
		}
	}
	if id == "" || len(id) > maxRawIDLen {
		return 0, nil, domain.Errorf(domain.Invalid, "id %q cannot be carried in a reply address", id)
	}
	return fmtRaw, append([]byte{byte(len(id))}, id...), nil
}

func unpackID(f byte, b []byte) (string, []byte, bool) {
	take := func(n int) ([]byte, []byte, bool) {
		if len(b) < n {
			return nil, nil, false
		}
		return b[:n], b[n:], true
	}
	switch f {
	case fmtB64u16:
		v, rest, ok := take(16)
		return base64.RawURLEncoding.EncodeToString(v), rest, ok
	case fmtB32x16:
		v, rest, ok := take(10)
		return strings.ToLower(b32.EncodeToString(v)), rest, ok
	case fmtHex24:
		v, rest, ok := take(12)
		return hex.EncodeToString(v), rest, ok
	default:
		if len(b) < 1 || b[0] == 0 || int(b[0]) > maxRawIDLen {
			return "", nil, false
		}
		v, rest, ok := take(1 + int(b[0]))
		if !ok {
			return "", nil, false
		}
		return string(v[1:]), rest, true
	}
}

func (k Kind) ids(tok Token) []string {
	switch k {
	case KindThread:
		return []string{tok.UserID, tok.ThreadID}
	case KindPoll:
		return []string{tok.UserID, tok.PollID}
	case KindComment:
		return []string{tok.UserID, tok.ThreadID, tok.CommentID}
	}
	return nil
}

const epochDay = 24 * time.Hour

func (t *Tokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(macDomainSep))
	m.Write([]byte(t.domain))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Mint returns the reply address for tok. The expiry is rounded up to the
// end of its UTC day (the token carries a day number).
func (t *Tokens) Mint(tok Token) (string, error) {
	ids := tok.Kind.ids(tok)
	if ids == nil {
		return "", domain.Errorf(domain.Invalid, "unknown reply token kind %d", tok.Kind)
	}
	if tok.KeyGeneration < 0 {
		return "", domain.Errorf(domain.Invalid, "the key generation must not be negative")
	}
	if t.domain == "" || len(t.key) == 0 {
		return "", domain.Errorf(domain.Internal, "reply tokens need a key and a mail domain")
	}
	day := tok.Expires.UTC().Unix() / int64(epochDay/time.Second)
	if tok.Expires.IsZero() || day <= 0 || day > 0xFFFF {
		return "", domain.Errorf(domain.Invalid, "the reply token expiry is out of range")
	}
	payload := []byte{TokenVersion<<4 | byte(tok.Kind), 0, byte(day >> 8), byte(day)}
	payload = binary.AppendUvarint(payload, uint64(tok.KeyGeneration))
	var formats byte
	for i, id := range ids {
		f, b, err := packID(id)
		if err != nil {
			return "", err
		}
		formats |= f << (6 - 2*i)
		payload = append(payload, b...)
	}
	payload[1] = formats
	payload = append(payload, t.mac(payload)...)
	local := LocalPrefix + strings.ToLower(b32.EncodeToString(payload))
	if len(local) > MaxLocalPart {
		return "", domain.Errorf(domain.Invalid, "the reply address would be too long (%d characters)", len(local))
	}
	return local + "@" + t.domain, nil
}

// IsReplyAddress reports whether addr looks like one of our reply
// addresses (prefix and domain), without verifying it.
func (t *Tokens) IsReplyAddress(addr string) bool {
	local, dom, ok := splitAddress(addr)
	return ok && dom == t.domain && strings.HasPrefix(local, LocalPrefix)
}

func splitAddress(addr string) (local, dom string, ok bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", "", false
	}
	return addr[:i], addr[i+1:], true
}

// Open checks an address's domain, format, MAC (in constant time) and
// expiry, and returns its token. The key generation is not checked: see
// Token.CheckGeneration and Verify.
func (t *Tokens) Open(addr string, now time.Time) (Token, error) {
	if len(addr) > 400 {
		return Token{}, ErrTokenMalformed
	}
	local, dom, ok := splitAddress(addr)
	if !ok {
		return Token{}, ErrTokenMalformed
	}
	if dom != t.domain {
		return Token{}, ErrTokenWrongDomain
	}
	enc, ok := strings.CutPrefix(local, LocalPrefix)
	if !ok || len(enc) == 0 || len(local) > maxTokenChars {
		return Token{}, ErrTokenMalformed
	}
	raw, err := b32.DecodeString(strings.ToUpper(enc))
	if err != nil || strings.ToLower(b32.EncodeToString(raw)) != enc || len(raw) < 5+macLen {
		return Token{}, ErrTokenMalformed
	}
	payload, sum := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(sum, t.mac(payload)) {
		return Token{}, ErrTokenBadMAC
	}
	// Authentic from here on; still parse defensively.
	if payload[0]>>4 != TokenVersion {
		return Token{}, ErrTokenMalformed
	}
	tok := Token{Kind: Kind(payload[0] & 0x0F)}
	formats := payload[1]
	day := int64(payload[2])<<8 | int64(payload[3])
	gen, n := binary.Uvarint(payload[4:])
	if n <= 0 || gen > 1<<31 {
		return Token{}, ErrTokenMalformed
	}
	tok.KeyGeneration = int(gen)
	tok.Expires = time.Unix((day+1)*int64(epochDay/time.Second), 0).UTC().Add(-time.Nanosecond)
	rest := payload[4+n:]
	want := len(tok.Kind.ids(Token{}))
	if want == 0 {
		return Token{}, ErrTokenMalformed
	}
	ids := make([]string, want)
	for i := range ids {
		var ok bool
		ids[i], rest, ok = unpackID((formats>>(6-2*i))&3, rest)
		if !ok {
			return Token{}, ErrTokenMalformed
		}
	}
	if len(rest) != 0 {
		return Token{}, ErrTokenMalformed
	}
	tok.UserID = ids[0]
	switch tok.Kind {
	case KindThread:
		tok.ThreadID = ids[1]
	case KindPoll:
		tok.PollID = ids[1]
	case KindComment:
		tok.ThreadID, tok.CommentID = ids[1], ids[2]
	}
	if now.After(tok.Expires) {
		return tok, ErrTokenExpired
	}
	return tok, nil
}

// CheckGeneration returns ErrTokenRevoked unless the token was minted with
// the user's current key generation (rotating it revokes every address
// issued before). A negative current generation (unknown or deleted user)
// also revokes.
func (tok Token) CheckGeneration(current int) error {
	if current < 0 || tok.KeyGeneration != current {
		return ErrTokenRevoked
	}
	return nil
}

// Verify is Open plus the key-generation check; currentKeyGeneration
// returns the user's current generation, or a negative number when the user
// is unknown. On ErrTokenExpired and ErrTokenRevoked the authentic token is
// returned alongside the error (useful for telling the user).
func (t *Tokens) Verify(addr string, now time.Time, currentKeyGeneration func(userID string) int) (Token, error) {
	tok, err := t.Open(addr, now)
	if err != nil {
		return tok, err
	}
	if err := tok.CheckGeneration(currentKeyGeneration(tok.UserID)); err != nil {
		return tok, err
	}
	return tok, nil
}

// FindReplyAddress returns the first of addrs (SES receipt recipients, then
// To/Cc/Delivered-To) that is one of our reply addresses, or "".
func (t *Tokens) FindReplyAddress(addrs ...string) string {
	for _, a := range addrs {
		if t.IsReplyAddress(a) {
			return strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		}
	}
	return ""
}
