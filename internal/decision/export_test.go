package decision

// SetWithdrawFault makes the withdrawal of a member's ballots fail with the
// error f returns (nil: succeed), to test the retry queue.
func SetWithdrawFault(s *Service, f func(gid, uid string) error) { s.fault = f }

// SetBetween makes every ballot write call f (with "vote", "withdraw",
// "withdraw-member" or "remove-voter") between its read and its
// transaction (nil: nothing).
func SetBetween(s *Service, f func(op string)) { s.between = f }
