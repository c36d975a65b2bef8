package discussion

// SetMoveFault makes the move steps of the phase f names fail (tests only).
func SetMoveFault(s *Service, f func(phase string) error) { s.moveFault = f }
