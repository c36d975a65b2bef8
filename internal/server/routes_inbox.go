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
		{Pattern: "GET /mail/held/{hid}", Access: Session, Page: true, Handler: s.pages.HeldReplyPage},
		{Pattern: "POST /mail/held/{hid}/confirm", Access: Session, Page: true, Handler: s.pages.HeldReplyConfirm},
		{Pattern: "POST /mail/held/{hid}/discard", Access: Session, Page: true, Handler: s.pages.HeldReplyDiscard},

		// A group's held mail and sender rules, for its admins.
		{Pattern: "GET /groups/{id}/held-mail", Access: Session, Page: true, Handler: s.pages.GroupHeldPage},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/allow", Access: Session, Page: true, Handler: s.pages.GroupHeldAllow},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/discard", Access: Session, Page: true, Handler: s.pages.GroupHeldDiscard},
		{Pattern: "POST /groups/{id}/held-mail/{hid}/block", Access: Session, Page: true, Handler: s.pages.GroupHeldBlock},
		{Pattern: "POST /groups/{id}/held-mail/senders/{rid}/remove", Access: Session, Page: true, Handler: s.pages.GroupSenderRemove},

		// JSON API.
		{Pattern: "GET /api/v1/mail/held/{hid}", Access: Token, Handler: s.api.HeldReply},
		{Pattern: "POST /api/v1/mail/held/{hid}/confirm", Access: Token, Handler: s.api.HeldReplyConfirm},
		{Pattern: "POST /api/v1/mail/held/{hid}/discard", Access: Token, Handler: s.api.HeldReplyDiscard},
		{Pattern: "GET /api/v1/groups/{id}/held-mail", Access: Token, Handler: s.api.GroupHeld},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/allow", Access: Token, Handler: s.api.GroupHeldAllow},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/discard", Access: Token, Handler: s.api.GroupHeldDiscard},
		{Pattern: "POST /api/v1/groups/{id}/held-mail/{hid}/block", Access: Token, Handler: s.api.GroupHeldBlock},
		{Pattern: "GET /api/v1/groups/{id}/held-mail/senders", Access: Token, Handler: s.api.GroupSenders},
		{Pattern: "DELETE /api/v1/groups/{id}/held-mail/senders/{rid}", Access: Token, Handler: s.api.GroupSenderRemove},
	}
	if s.security.Local {
		// Development only: deliver a raw .eml as SES would.
		routes = append(routes,
			Route{Pattern: "GET /dev/mail", Access: Session, Page: true, Handler: s.pages.DevMailPage},
			Route{Pattern: "POST /dev/mail", Access: Session, Page: true, Handler: s.pages.DevMailSubmit},
		)
	}
	return routes
}
