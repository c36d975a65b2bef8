package decision

// SetWithdrawFault makes the withdrawal of a member's ballots fail with the
// error f returns (nil: succeed), to test the retry queue.
func SetWithdrawFault(s *Service, f func(gid, uid string) error) { s.fault = f }
