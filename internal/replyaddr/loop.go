package replyaddr

// LoopHeader is the header every email Quorum sends carries (value: the
// mail domain), so that a reply machine or a forwarding loop that sends it
// back is recognised and dropped (internal/inbound). It lives here, beside
// the reply addresses, so that the outbox can set it without linking the
// MIME parsing of internal/inbound.
const LoopHeader = "X-Quorum-Loop"
