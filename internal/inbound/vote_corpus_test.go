package inbound

import (
	"testing"

	"github.com/quorum-app/quorum/internal/lang"
	"github.com/quorum-app/quorum/internal/poll"
)

func TestVoteFromCorpus(t *testing.T) {
	m := load(t, "vote_reply.eml")
	b, err := ParseVote(poll.New(poll.TypeProposal), lang.English, ExtractReply(m))
	if err != nil || len(b.Choices) != 1 || b.Choices[0].OptionID != "agree" ||
		b.Reason != "as long as it is under 500 EUR.\nWe need it for the tomatoes." {
		t.Errorf("%+v %v", b, err)
	}
}
