// Package testkit is the one test harness every package's tests share:
// the environment (the fast in-memory tier by default, DynamoDB Local when
// asked), a settable clock, a recording mailbox, people signed in directly
// through the account core (a session or an API token minted without the
// emailed code) and groups of each privacy made through the group core.
//
// It is imported only from _test.go files (a convention: nothing else may
// depend on it). It imports the account and group cores, so their own
// in-package tests (package account, package group) cannot use it; their
// external tests (package account_test, group_test) can.
//
// Typical use:
//
//	k := testkit.New(t)                     // fast tier: memdb, no stand-in
//	ada := k.Person("Ada")                  // ada.Ctx acts as her session
//	gid := k.Group(testkit.Secret, ada.Ctx) // a secret group Ada administers
//	k.Mail.To(ada.Email)                    // what was sent to her
//
// A test that proves what only the real store can (its conditions and
// transactions under DynamoDB Local, stream timing) asks for it:
// testkit.New(t, testkit.Real()). Under `go test -short` such a test is
// skipped (testcloud.New), as every real-tier test is.
package testkit
