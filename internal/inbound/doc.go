// Package inbound is the pure core of Quorum's inbound email: it parses raw
// MIME, extracts what the sender wrote, recognises machine mail, decides
// whether a message is accepted, held, rejected or dropped (given the reply
// address verified by internal/replyaddr, which owns the reply addresses),
// and reads votes from a reply's first line. It does no I/O: the SES-triggered Lambda (functions/inbound) loads
// the raw message from S3, looks up users and targets, and acts on the
// Decision.
//
// # Pipeline
//
//	m, err := inbound.Parse(raw)                       // ≤ 30 MB, tolerant of broken MIME
//	addr := tokens.FindReplyAddress(receipt.Recipients...) // tokens: *replyaddr.Tokens
//	tok, terr := tokens.Verify(addr, now, currentGen)      // MAC, expiry, key generation
//	d := inbound.Decide(inbound.DecideInput{Message: m, Verdicts: inbound.VerdictsFromSES(rec.SES),
//		OwnDomain: domain, Token: tok, TokenErr: terr, TargetErr: targetErr, UserAddresses: addrs})
//	text := inbound.ExtractReply(m)                    // the comment body
//	ballot, err := inbound.ParseVote(def, voter.Lang, text) // poll tokens; English + the voter's language
//
// # Decision rules
//
// In order (see Decide): Drop auto-replies, bulk mail, bounces and loops
// (Classify) and never answer them; Reject an invalid token (malformed, bad
// MAC, wrong domain, expired, revoked by key rotation), a wrong target and
// virus-infected mail; Accept when the sender is authenticated (SPF or DKIM
// PASS aligned with the From domain — DMARC PASS counts as aligned — AND
// DMARC not FAIL AND spam and virus not FAIL) AND From is one of the token
// user's addresses; otherwise Hold and email the token's user (at their own
// address, never at From) a confirmation link. Decision.MayReply tells
// whether a rejection may be answered: only authenticated senders get one,
// so forged senders get no backscatter. Idempotency (the SES message id)
// belongs to the handler.
//
// # Reply text
//
// ExtractReply prefers the text/plain part; HTML-only mail is cut at the
// quote containers of Gmail, Apple Mail, Thunderbird and Outlook before
// conversion. The text rules (ExtractReplyText) cut at quote headers in
// English, French, German, Spanish, Italian, Portuguese, Dutch, Japanese and
// Chinese, Outlook's "From:/Sent:" blocks and "____" line, "-----Original
// Message-----", the "-- " signature separator and mobile footers, then drop
// a trailing ">" block. email-reply-parser is consulted for further quote
// headers, but its signature heuristics are not trusted (they delete
// Markdown lists and short lines of user text). Forwarded content is kept:
// text after a forward marker ("---------- Forwarded message ---------",
// "Begin forwarded message:") and Outlook header blocks in a message whose
// subject starts with Fwd:/FW:/WG:/TR: are what the sender shares.
//
// # Fuzzing
//
// FuzzParse runs Parse, Classify, ExtractReply, Authenticate and ParseVote on
// arbitrary bytes (seeded from testdata/*.eml); internal/replyaddr's
// FuzzVerifyToken runs Verify on arbitrary addresses and checks that any
// address that verifies re-mints to itself (version 1 addresses are
// verified, never minted). CI runs each for a bounded time (one -fuzz target
// per invocation; -fuzzminimizetime keeps the minimisation of new inputs from
// eating the budget):
//
//	go test ./internal/inbound/ -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s -fuzzminimizetime 5s
//	go test ./internal/replyaddr/ -run '^$' -fuzz '^FuzzVerifyToken$' -fuzztime 20s -fuzzminimizetime 5s
//
// A crash writes the failing input to testdata/fuzz/<FuzzName>/; commit it
// with the fix so that plain `go test` replays it from then on.
package inbound
