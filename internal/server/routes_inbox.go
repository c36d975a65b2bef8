package server

// inboxRoutes: inbound mail that waits for a person. A reply or vote by
// email that could not be attributed with confidence waits for its user
// to confirm it (/mail/held/{hid}, linked from the "confirm your reply"
// email); mail to a group's address from an unknown sender waits for the
// group's admins (/groups/{id}/held-mail). Every handler calls
// internal/inbox, which decides access: only the held reply's user sees it
// (anyone else gets the same 404 as for a missing or expired item), only
// those who may edit the group's settings see its held mail.
//
// The routes exist only on a server built with the service (Deps.Inbox),
// like the mail routes; the application always has them, and its
// authorization matrix classifies each (matrix_inbox_test.go). The
// developer page /dev/mail exists only on a local installation
// (Deps.Local): in the cloud it is not routed at all.
func (s *Server) inboxRoutes() []Route {
	if s.inbox == nil {
		return nil
	}
	routes := []Route{
		// A held reply or vote, for its user.
		{Pattern: "GET /mail/held/{hid}", Access: Session, Page: true, Handler: s.heldReplyPage},
		{Pattern: "POST /mail/held/{hid}/confirm", Access: Session, Page: true, Handler: s.heldReplyConfirm},
		{Pattern: "POST /mail/held/{hid}/discard", Access: Session, Page: true, Handler: s.heldReplyDiscard},

		// A group's held mail and sender rules, for its admins.
		{Pattern: "GET /groups/{id}/held-mail", Access: Session, Page: true, Handler: s.groupHeldPage},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/allow", Access: Session, Page: true, Handler: s.groupHeldAllow},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/discard", Access: Session, Page: true, Handler: s.groupHeldDiscard},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/block", Access: Session, Page: true, Handler: s.groupHeldBlock},
		{Pattern: "POST /groups/{id}/held-mail/senders/{rid}/remove", Access: Session, Page: true, Handler: s.groupSenderRemove},

		// JSON API.
		{Pattern: "GET /api/v1/mail/held/{hid}", Access: Token, Handler: s.apiHeldReply},
		{Pattern: "POST /api/v1/mail/held/{hid}/confirm", Access: Token, Handler: s.apiHeldReplyConfirm},
		{Pattern: "POST /api/v1/mail/held/{hid}/discard", Access: Token, Handler: s.apiHeldReplyDiscard},
		{Pattern: "GET /api/v1/groups/{id}/held-mail", Access: Token, Handler: s.apiGroupHeld},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/allow", Access: Token, Handler: s.apiGroupHeldAllow},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/discard", Access: Token, Handler: s.apiGroupHeldDiscard},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/block", Access: Token, Handler: s.apiGroupHeldBlock},
		{Pattern: "GET /api/v1/groups/{id}/held-mail/senders", Access: Token, Handler: s.apiGroupSenders},
		{Pattern: "DELETE /api/v1/groups/{id}/held-mail/senders/{rid}", Access: Token, Handler: s.apiGroupSenderRemove},
	}
	if s.security.Local {
		// Development only: deliver a raw .eml as SES would.
		routes = append(routes,
			Route{Pattern: "GET /dev/mail", Access: Session, Page: true, Handler: s.devMailPage},
			Route{Pattern: "POST /dev/mail", Access: Session, Page: true, Handler: s.devMailSubmit},
		)
	}
	return routes
}
