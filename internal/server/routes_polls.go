package server

// pollRoutes: polls of every type, ballots, results, outcomes, exports.
func (s *Server) pollRoutes() []Route { return nil }
