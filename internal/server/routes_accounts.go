package server

// accountRoutes: sign-up, sign-in, sessions, API tokens, profile.
func (s *Server) accountRoutes() []Route { return nil }
