// Package reaction is the one allow-list of reactions (name → emoji) that
// comments (internal/discussion) and polls, ballots and outcomes
// (internal/decision) share, and how a reaction is stored: one top-level
// string set of user ids per kind, "R_<name>" (DynamoDB's ADD and DELETE
// work on top-level attributes).
package reaction

// Emoji is the allow-list: name → emoji.
var Emoji = map[string]string{
	"thumbsup": "👍", "thumbsdown": "👎", "heart": "❤️", "tada": "🎉",
	"laugh": "😄", "thinking": "🤔", "eyes": "👀", "rocket": "🚀",
}

// Names is the allow-list in display order.
var Names = []string{"thumbsup", "thumbsdown", "heart", "tada", "laugh", "thinking", "eyes", "rocket"}

// Valid reports whether name is an allowed reaction.
func Valid(name string) bool {
	_, ok := Emoji[name]
	return ok
}

// AttrPrefix starts the attribute of each reaction kind.
const AttrPrefix = "R_"

// Attr is the stored attribute of reaction name.
func Attr(name string) string { return AttrPrefix + name }
