package pages

import (
	"net/url"

	"github.com/quorum-app/quorum/internal/discussion"
	"github.com/quorum-app/quorum/internal/links"
)

// unreadAnchor is the id of the divider before the first item a reader
// has not seen; links from the dashboard, the group page and the thread
// list end with it, so a thread opens there without JavaScript.
const unreadAnchor = "first-unread"

// unreadMarks is what the thread page marks as new since the reader's
// last visit (none on a first visit: then everything is new, and the page
// opens at its top anyway).
type unreadMarks struct {
	FirstUnread string // the first new item on this page
	Count       int64  // the new items on this page, or in the thread when they are on a later page
	Jump        string // the link to the first unread item ("" when none)
}

// unreadOf reads a thread page's marks: the first new item when it is on
// the page, else, when what is unread comes after this page, the page that
// holds the reader's last seen item (the first unread follows it).
func unreadOf(p discussion.ThreadPage) unreadMarks {
	if p.LastSeen == "" || p.Thread.Unread <= 0 {
		return unreadMarks{}
	}
	m := unreadMarks{Count: p.Thread.Unread}
	switch {
	case p.FirstUnread != "":
		m.FirstUnread, m.Jump, m.Count = p.FirstUnread, "#"+unreadAnchor, 0
		for _, it := range p.Items {
			if it.New {
				m.Count++
			}
		}
	case p.Next != "":
		m.Jump = links.Thread(p.Thread.ID) + "?" + url.Values{"comment": {p.LastSeen}}.Encode() + "#" + unreadAnchor
	}
	return m
}
