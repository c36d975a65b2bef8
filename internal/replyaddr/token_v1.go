package replyaddr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Version 1 reply addresses, minted until version 2 (token.go) replaced
// them. They are verified, never minted, and stop mattering ReplyTTL after
// the last one was issued: this file can then be deleted. The token was
//
//	byte 0      version (high nibble, 1) | kind (low nibble: 1 thread, 2 poll, 3 comment)
//	byte 1      id formats, 2 bits each: user, target 1, target 2 (see fmtV1*)
//	bytes 2-3   expiry: UTC day number since 1970-01-01 (big endian); valid through that day
//	uvarint     user key generation
//	ids         user id, then the target ids: thread | poll | thread + comment
//	16 bytes    HMAC-SHA256(key, "quorum-reply/v1\x00" + domain + "\x00" + all bytes above)[:16]
//
// Ids in Quorum's formats were packed as bytes; any other id was carried as
// length-prefixed raw bytes. Local parts were 78 (thread, poll) to 98
// (comment) characters.
const (
	tokenVersionV1 = 1
	maxV1LocalPart = 100
	macLenV1       = 16
	maxRawIDLenV1  = 40
	macDomainV1    = "quorum-reply/v1\x00"
)

const (
	fmtV1Raw = iota
	fmtV1B64u16
	fmtV1B32x16
	fmtV1Hex24
)

func (t *Tokens) macV1(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(macDomainV1))
	m.Write([]byte(t.domain))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:macLenV1]
}

func unpackIDV1(f byte, b []byte) (string, []byte, bool) {
	take := func(n int) ([]byte, []byte, bool) {
		if len(b) < n {
			return nil, nil, false
		}
		return b[:n], b[n:], true
	}
	switch f {
	case fmtV1B64u16:
		v, rest, ok := take(16)
		return base64.RawURLEncoding.EncodeToString(v), rest, ok
	case fmtV1B32x16:
		v, rest, ok := take(10)
		return strings.ToLower(b32.EncodeToString(v)), rest, ok
	case fmtV1Hex24:
		v, rest, ok := take(12)
		return hex.EncodeToString(v), rest, ok
	default:
		if len(b) < 1 || b[0] == 0 || int(b[0]) > maxRawIDLenV1 {
			return "", nil, false
		}
		v, rest, ok := take(1 + int(b[0]))
		if !ok {
			return "", nil, false
		}
		return string(v[1:]), rest, true
	}
}

// openV1 checks a version 1 token's MAC (in constant time) and expiry and
// returns its content; the caller checks the key generation.
func (t *Tokens) openV1(raw []byte, now time.Time) (Token, error) {
	if len(raw) < 5+macLenV1 {
		return Token{}, ErrTokenMalformed
	}
	payload, sum := raw[:len(raw)-macLenV1], raw[len(raw)-macLenV1:]
	if !hmac.Equal(sum, t.macV1(payload)) {
		return Token{}, ErrTokenBadMAC
	}
	// Authentic from here on; still parse defensively.
	if payload[0]>>4 != tokenVersionV1 {
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
	var want int
	switch tok.Kind {
	case KindThread, KindPoll:
		want = 2
	case KindComment:
		want = 3
	default:
		return Token{}, ErrTokenMalformed
	}
	ids := make([]string, want)
	for i := range ids {
		var ok bool
		ids[i], rest, ok = unpackIDV1((formats>>(6-2*i))&3, rest)
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
