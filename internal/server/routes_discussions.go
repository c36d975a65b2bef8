package server

// discussionRoutes: threads, comments, reactions, attachments, timeline,
// in-app notifications.
func (s *Server) discussionRoutes() []Route { return nil }
