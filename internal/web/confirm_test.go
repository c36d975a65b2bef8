package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// destructiveRe matches the action of a form that takes something away at
// once: deletes, removals, revocations, leaving, discarding, blocking,
// resetting a link or the reply addresses, withdrawing ("/revoke-all",
// "/reset-reply-addresses" too).
var destructiveRe = regexp.MustCompile(`/(delete|remove|revoke|leave|discard|block|reset|withdraw)(-[a-z]+)*"`)

var formTagRe = regexp.MustCompile(`<form\b[^>]*>`)

// confirmSteps are the forms that are the confirmation themselves (a page
// of its own that says what happens and asks for the name or a code) or
// that undo nothing a person would miss, with the reason.
var confirmSteps = map[string]string{
	`group_delete.html /groups/{{$g.ID}}/delete"`:               "the delete page is the confirmation: it asks for the group's name",
	`settings.html /settings/delete"`:                           "starts the deletion: a code by email, then the confirmation page",
	`settings_delete.html /settings/delete"`:                    "sends the code again; nothing is deleted",
	`group_remove_comments.html /remove-comments"`:              "the page is the confirmation: it lists what goes, with Cancel beside the button",
	`group_held_mail.html /held-mail/senders/{{.ID}}/remove"`:   "forgets a sender rule (unblock, forget an alias): undone by adding it again",
	`settings.html /settings/avatar/remove"`:                    "the picture is uploaded again in a moment; the initials show meanwhile",
	`settings_sessions.html /settings/sessions/{{.ID}}/revoke"`: "signs one browser out: signing in again undoes it",
	`poll_show.html /polls/{{$p.ID}}/proxy/revoke"`:             "ends the proxy the person gave: giving it again undoes it",
	`group_proxies.html /groups/{{$g.ID}}/proxies/revoke"`:      "takes back one poll's proxy the person gave: giving it again undoes it (all of them at once asks)",
}

// Every form that takes something away at once asks first (data-confirm,
// which app.js turns into a confirm dialog), unless it is listed in
// confirmSteps with the reason it need not: issue 15, "destructive actions
// confirm".
func TestDestructiveFormsConfirm(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	used := map[string]bool{}
	checked := 0
	for _, name := range names {
		src, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimPrefix(name, "templates/")
		for _, tag := range formTagRe.FindAllString(string(src), -1) {
			if !strings.Contains(tag, `method="post"`) {
				continue
			}
			m := regexp.MustCompile(`action="([^"]*")`).FindStringSubmatch(tag)
			if m == nil || !destructiveRe.MatchString("/"+strings.TrimPrefix(m[1], "/")) {
				continue
			}
			checked++
			if strings.Contains(tag, "data-confirm=") {
				continue
			}
			excused := false
			for k := range confirmSteps {
				file, suffix, _ := strings.Cut(k, " ")
				if file == base && strings.HasSuffix(m[1], suffix) {
					excused, used[k] = true, true
				}
			}
			if !excused {
				t.Errorf("%s: %s takes something away without asking first (add data-confirm with a catalog question)", base, tag)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d destructive forms found: is the pattern still right?", checked)
	}
	for k := range confirmSteps {
		if !used[k] {
			t.Errorf("confirmSteps lists %q, which no template has any more", k)
		}
	}
}
