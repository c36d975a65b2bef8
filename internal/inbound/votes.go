package inbound

import (
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbound/votes"
	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

// Reading a vote from a reply's words lives in internal/inbound/votes,
// which does not parse messages (no enmime), so the mailer can word the
// voting help without linking the message parser. These keep the
// callers' spelling.

// VoteProblem is why a reply could not be read as a vote
// (votes.VoteProblem).
type VoteProblem = votes.VoteProblem

// ParseVote reads a ballot for d from a reply's text (votes.ParseVote).
func ParseVote(d poll.Definition, l lang.Lang, text string) (poll.Ballot, error) {
	return votes.ParseVote(d, l, text)
}

// VoteHelp is how to vote on d by reply, in p's language (votes.VoteHelp).
func VoteHelp(p *i18n.Printer, d poll.Definition) string { return votes.VoteHelp(p, d) }

// OptionLabel is an option's label in p's language (votes.OptionLabel).
func OptionLabel(p *i18n.Printer, o poll.Option) string { return votes.OptionLabel(p, o) }

// maxVoteLine bounds the first line a proxy prefix is read from.
const maxVoteLine = votes.MaxVoteLine

// fold is votes.Fold.
func fold(s string) string { return votes.Fold(s) }
