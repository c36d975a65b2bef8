package notify

import (
	"fmt"
	"slices"

	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/domain"
)

// MaxAudiencePeople bounds the people one request may name to notify.
const MaxAudiencePeople = 50

// Audience is whom the person starting a thread or a poll (or pointing
// people to one later) chooses to notify: the whole group, and/or chosen
// people. Who may choose what is the group policy's rule
// (authz.GroupAnnounce for the whole group, authz.PeopleNotify for chosen
// people); Resolve applies it.
type Audience struct {
	// Group notifies every member of the group (at their levels).
	Group bool `json:"group"`
	// UserIDs are chosen people: members of the group, or guests of the
	// thread. At most MaxAudiencePeople.
	UserIDs []string `json:"user_ids,omitempty"`
}

// Empty reports whether nobody is chosen.
func (a Audience) Empty() bool { return !a.Group && len(a.UserIDs) == 0 }

// Resolve returns the audience to notify for a request that asked for
// asked (nil: the request did not say), after checking it with authorize
// (the caller's group policy for the thread or poll):
//
//   - nil asks for the default: the whole group when the actor may notify
//     it, otherwise nobody chosen (people who follow everything still hear);
//   - the whole group needs authz.GroupAnnounce, chosen people
//     authz.PeopleNotify; a refusal is returned as is;
//   - chosen people are bounded (MaxAudiencePeople) and deduplicated.
//
// The caller still checks that each chosen person is someone who may be
// notified: a member of the group or a guest of the thread (an error names
// the field "notify.user_ids[i]").
func Resolve(asked *Audience, authorize func(authz.Action) error) (Audience, error) {
	if asked == nil {
		return Audience{Group: authorize(authz.GroupAnnounce) == nil}, nil
	}
	out := Audience{Group: asked.Group}
	if len(asked.UserIDs) > MaxAudiencePeople {
		return Audience{}, domain.Validation(domain.FieldError{Field: "notify.user_ids",
			Message: fmt.Sprintf("at most %d people at once; notify the whole group instead", MaxAudiencePeople)})
	}
	for _, id := range asked.UserIDs {
		if !slices.Contains(out.UserIDs, id) {
			out.UserIDs = append(out.UserIDs, id)
		}
	}
	if out.Group {
		if err := authorize(authz.GroupAnnounce); err != nil {
			return Audience{}, err
		}
	}
	if len(out.UserIDs) > 0 {
		if err := authorize(authz.PeopleNotify); err != nil {
			return Audience{}, err
		}
	}
	return out, nil
}
