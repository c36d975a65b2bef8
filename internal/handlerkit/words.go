package handlerkit

import (
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/inbound/votes"
	"github.com/quorum-app/quorum/internal/poll"
)

// OptionLabel is votes.ReaderLabel: how an option is named for a reader.
func OptionLabel(p *i18n.Printer, d poll.Definition, o poll.Option) string {
	return votes.ReaderLabel(p, d, o)
}

// MeetingText is votes.MeetingText: a meeting option's time for the reader.
func MeetingText(p *i18n.Printer, o poll.Option) string { return votes.MeetingText(p, o) }
