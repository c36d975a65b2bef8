// Package replyaddr owns Quorum's reply addresses: the address format, its
// keys, minting (the outbox gives every notification email one) and
// verification (the inbox checks the address a reply came to). Mint and
// Verify live together because they are one format: the layout, the MAC and
// the key generations must agree byte for byte. internal/inbound parses and
// judges received mail, taking a verified Token as one of its inputs.
package replyaddr

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
	"github.com/quorum-app/quorum/internal/secrets"
)

// Reply addresses are
//
//	r+<token>@<mail domain>
//
// where token is lowercase RFC 4648 base32 without padding (a-z, 2-7: safe
// in a local part and immune to relays that change case). Every address
// minted is version 2: a 63-octet local part, within RFC 5321's 64.
//
// Version 2 is 38 bytes (61 base32 characters):
//
//	byte 0      1 0 | kind (2 bits: 1 thread, 2 poll, 3 comment) | key generation mod 16 (4 bits)
//	bytes 1-2   expiry: UTC day number since 1970-01-01 (big endian); valid through that day
//	bytes 3-18  user id (22-char base64url account id = 16 bytes)
//	thread, poll: the thread or poll id (16-char base32 = 10 bytes), then a 9-byte (72-bit) MAC
//	comment:      the id of the notification the email was sent for (24 hex digits = 12 bytes),
//	              then a 7-byte (56-bit) MAC; the notification (stored for 180 days, longer than
//	              any address lives) names the thread and the comment answered
//	MAC = HMAC-SHA256(key, "quorum-reply/v2\x00" + domain + "\x00" + uvarint(full key generation) + bytes above)
//
// key = secrets.DeriveKey(root, "reply-token"). The full key generation is in
// the MAC, not in the address: the verifier takes the user's current
// generation, completes the four bits carried to the nearest generation at
// or below it, and checks the MAC with that; an address of an older
// generation is authentic but revoked, one 16 or more rotations old no
// longer verifies at all. Only Quorum's own id formats fit; Mint refuses
// others. Why 72 and 56 bits are enough: docs/email-inbound.md.
//
// Version 1 addresses (78-97 characters; minted until version 2 replaced
// it) still verify until they expire (at most ReplyTTL after minting):
// see openV1.
const (
	LocalPrefix = "r+"
	// MaxLocalPart is RFC 5321's limit on a local part, which every
	// address Quorum hands out keeps.
	MaxLocalPart = 64
	// ReplyTTL is how long a reply address works by default (the outbox
	// mints them; the inbox remembers messages that long).
	ReplyTTL = 60 * 24 * time.Hour

	tokenPurpose = "reply-token"
	v2Len        = 38
	v2Marker     = 0x80 // the top bits of byte 0: 10
	v2UserLen    = 16
	v2TargetLen  = 10 // thread and poll ids
	v2NotifLen   = 12 // notification ids
	macDomainV2  = "quorum-reply/v2\x00"
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
	UserID    string
	Kind      Kind
	ThreadID  string // KindThread; KindComment of a version 1 address
	PollID    string // KindPoll
	CommentID string // KindComment of a version 1 address
	// NotificationID: KindComment. The address names the notification its
	// email was sent for, which names the thread and the comment; the
	// verifier returns it with ThreadID and CommentID empty, for the caller
	// to resolve (as the token's user).
	NotificationID string
	Expires        time.Time
	KeyGeneration  int
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
	return &Tokens{key: secrets.DeriveKey(root, tokenPurpose), domain: strings.ToLower(strings.TrimSpace(mailDomain))}
}

// Domain is the mail domain of the reply addresses.
func (t *Tokens) Domain() string { return t.domain }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// packUserID, packTargetID and packNotificationID turn Quorum's id formats
// into bytes (account ids: 22-char base64url; thread and poll ids: 16-char
// lowercase base32; notification ids: 24 lowercase hex digits).
func packUserID(id string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	return b, err == nil && len(b) == v2UserLen && base64.RawURLEncoding.EncodeToString(b) == id
}

func packTargetID(id string) ([]byte, bool) {
	if strings.ToLower(id) != id {
		return nil, false
	}
	b, err := b32.DecodeString(strings.ToUpper(id))
	return b, err == nil && len(b) == v2TargetLen && strings.ToLower(b32.EncodeToString(b)) == id
}

func packNotificationID(id string) ([]byte, bool) {
	if strings.ToLower(id) != id {
		return nil, false
	}
	b, err := hex.DecodeString(id)
	return b, err == nil && len(b) == v2NotifLen
}

const epochDay = 24 * time.Hour

func (t *Tokens) macV2(gen int, payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(macDomainV2))
	m.Write([]byte(t.domain))
	m.Write([]byte{0})
	m.Write(binary.AppendUvarint(nil, uint64(gen)))
	m.Write(payload)
	return m.Sum(nil)[:v2Len-len(payload)]
}

// Mint returns the reply address for tok (a version 2 address; its local
// part is 63 octets). The expiry is rounded up to the end of its UTC day
// (the token carries a day number). A comment token needs the
// NotificationID of the email it is minted for.
func (t *Tokens) Mint(tok Token) (string, error) {
	if t.domain == "" || len(t.key) == 0 {
		return "", domain.Errorf(domain.Internal, "reply tokens need a key and a mail domain")
	}
	if tok.KeyGeneration < 0 || tok.KeyGeneration > 1<<31 {
		return "", domain.Errorf(domain.Invalid, "the key generation is out of range")
	}
	day := tok.Expires.UTC().Unix() / int64(epochDay/time.Second)
	if tok.Expires.IsZero() || day <= 0 || day > 0xFFFF {
		return "", domain.Errorf(domain.Invalid, "the reply token expiry is out of range")
	}
	user, ok := packUserID(tok.UserID)
	if !ok {
		return "", domain.Errorf(domain.Invalid, "user id %q cannot be carried in a reply address", tok.UserID)
	}
	var target []byte
	switch tok.Kind {
	case KindThread:
		target, ok = packTargetID(tok.ThreadID)
	case KindPoll:
		target, ok = packTargetID(tok.PollID)
	case KindComment:
		target, ok = packNotificationID(tok.NotificationID)
	default:
		return "", domain.Errorf(domain.Invalid, "unknown reply token kind %d", tok.Kind)
	}
	if !ok {
		return "", domain.Errorf(domain.Invalid, "the %s token's target cannot be carried in a reply address", tok.Kind)
	}
	payload := make([]byte, 0, v2Len)
	payload = append(payload, v2Marker|byte(tok.Kind)<<4|byte(tok.KeyGeneration&0x0F), byte(day>>8), byte(day))
	payload = append(append(payload, user...), target...)
	payload = append(payload, t.macV2(tok.KeyGeneration, payload)...)
	local := LocalPrefix + strings.ToLower(b32.EncodeToString(payload))
	if len(local) > MaxLocalPart {
		return "", domain.Errorf(domain.Internal, "the reply address would be too long (%d characters)", len(local))
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

// Verify checks an address's domain, format, MAC (in constant time),
// expiry and key generation, and returns its token. currentKeyGeneration
// returns the token user's current generation, or a negative number when
// the user is unknown; it is called with the user id the address carries,
// before the MAC is checked (a version 2 MAC covers the full generation).
// On ErrTokenExpired and ErrTokenRevoked the authentic token is returned
// alongside the error (useful for telling the user); on any other error
// nothing in the address is to be trusted.
func (t *Tokens) Verify(addr string, now time.Time, currentKeyGeneration func(userID string) int) (Token, error) {
	raw, err := t.decode(addr)
	if err != nil {
		return Token{}, err
	}
	if len(raw) != v2Len || raw[0]&0xC0 != v2Marker {
		tok, err := t.openV1(raw, now)
		if err != nil {
			return tok, err
		}
		return tok, tok.CheckGeneration(currentKeyGeneration(tok.UserID))
	}
	tok := Token{Kind: Kind(raw[0] >> 4 & 0x03), UserID: base64.RawURLEncoding.EncodeToString(raw[3 : 3+v2UserLen])}
	target := raw[3+v2UserLen:]
	switch tok.Kind {
	case KindThread, KindPoll:
		target = target[:v2TargetLen]
	case KindComment:
		target = target[:v2NotifLen]
	default:
		return Token{}, ErrTokenMalformed
	}
	payload := raw[:3+v2UserLen+len(target)]
	// The generation the address was minted with, if authentic: the
	// nearest at or below the current one with the same four low bits.
	current := currentKeyGeneration(tok.UserID)
	gen := current - ((current-int(raw[0]&0x0F))%16+16)%16
	if current < 0 || gen < 0 || !hmac.Equal(raw[len(payload):], t.macV2(gen, payload)) {
		return Token{}, ErrTokenBadMAC
	}
	tok.KeyGeneration = gen
	day := int64(raw[1])<<8 | int64(raw[2])
	tok.Expires = time.Unix((day+1)*int64(epochDay/time.Second), 0).UTC().Add(-time.Nanosecond)
	switch tok.Kind {
	case KindThread:
		tok.ThreadID = strings.ToLower(b32.EncodeToString(target))
	case KindPoll:
		tok.PollID = strings.ToLower(b32.EncodeToString(target))
	case KindComment:
		tok.NotificationID = hex.EncodeToString(target)
	}
	if now.After(tok.Expires) {
		return tok, ErrTokenExpired
	}
	return tok, tok.CheckGeneration(current)
}

// decode checks an address's domain and shape and returns the token's bytes.
func (t *Tokens) decode(addr string) ([]byte, error) {
	if len(addr) > 400 {
		return nil, ErrTokenMalformed
	}
	local, dom, ok := splitAddress(addr)
	if !ok {
		return nil, ErrTokenMalformed
	}
	if dom != t.domain {
		return nil, ErrTokenWrongDomain
	}
	enc, ok := strings.CutPrefix(local, LocalPrefix)
	if !ok || len(enc) == 0 || len(local) > maxV1LocalPart {
		return nil, ErrTokenMalformed
	}
	raw, err := b32.DecodeString(strings.ToUpper(enc))
	if err != nil || strings.ToLower(b32.EncodeToString(raw)) != enc || len(raw) < 5 {
		return nil, ErrTokenMalformed
	}
	return raw, nil
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
