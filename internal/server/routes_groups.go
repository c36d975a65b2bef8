package server

// groupRoutes: groups, subgroups, memberships, invitations, requests.
func (s *Server) groupRoutes() []Route { return nil }
