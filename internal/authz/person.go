package authz

// Person actions: what one person may see of another.
const (
	// PersonPicture: see someone's uploaded avatar.
	PersonPicture Action = "person.picture"
)

// Person decides whether a may perform action on the person userID:
// themself always; another signed-in person only when they share a group
// (shares, which the group core computed). Everyone else gets not found,
// so a stranger cannot even learn that the person has a picture.
func Person(a Actor, action Action, userID string, shares bool) error {
	if err := RequireUser(a); err != nil {
		return ErrHidden
	}
	if a.UserID == userID {
		return nil
	}
	if action == PersonPicture && shares {
		return nil
	}
	return ErrHidden
}
