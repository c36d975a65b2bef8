// Package links spells the web app's paths to things (threads, comments,
// polls, groups) once, for the pages, the API's url fields and the links
// in email.
package links

import "net/url"

// Thread is the path of a thread's page.
func Thread(tid string) string { return "/threads/" + url.PathEscape(tid) }

// Comment is the path of a comment in its thread: the thread page opens
// the page of its timeline that holds the comment and scrolls to it. done,
// if given, is the notice to show ("commented", "edited").
func Comment(tid, cid string, done ...string) string {
	q := url.Values{"comment": {cid}}
	if len(done) > 0 && done[0] != "" {
		q.Set("done", done[0])
	}
	return Thread(tid) + "?" + q.Encode() + "#c-" + url.PathEscape(cid)
}

// Poll is the path of a poll's page.
func Poll(pid string) string { return "/polls/" + url.PathEscape(pid) }

// Group is the path of a group's page.
func Group(gid string) string { return "/groups/" + url.PathEscape(gid) }

// Member is where an @mention of a group member points: the member's row
// in the members tab of the group's page (a page the reader may or may
// not be allowed to see: the group's page decides, as for any link).
func Member(gid, uid string) string {
	return Group(gid) + "?tab=members#member-" + url.PathEscape(uid)
}
