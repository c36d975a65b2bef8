package pages

import (
	"net/http"

	"github.com/quorum-app/quorum/internal/discussion"
)

// Reactions on a thread itself (discussion/thread_react.go): the API, the
// page form and the bar under the thread's description, the same bar as a
// poll's (the "poll-react-bar" template in layout.html).

// threadReactTarget names the thread's bar (its id on the page:
// #reactions-thread).
const threadReactTarget = "thread"

// threadReactBar builds the bar of thread t; can: the viewer may react
// (who may comment; the core decides again); of names the thread in the
// reader's language ("the thread").
func threadReactBar(t discussion.Thread, can bool, of string) *reactBar {
	got := map[string]reactionCount{}
	for _, r := range t.Reactions {
		got[r.Name] = reactionCount{Count: r.Count, Mine: r.Mine}
	}
	return reactBarOf(&reactBar{Action: threadURL(t.ID, "/react"), Target: threadReactTarget, Of: of, Can: can}, got)
}

// threadReactSubmit is the bar's no-JS form: back to the thread's bar.
func (s *Server) ThreadReactSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.threadPostForm(w, r) {
		return
	}
	tid := r.PathValue("tid")
	if err := s.discussions.ReactThread(r.Context(), tid, r.PostFormValue("name"), r.PostFormValue("on") != "0"); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, threadURL(tid)+"#reactions-"+threadReactTarget)
}
