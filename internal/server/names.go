package server

import (
	"context"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/ids"
)

// NamesAndPictures is Names that also reports the picture versions of the
// same user items (one BatchGetItem for both).
func (n accountNames) NamesAndPictures(ctx context.Context, uids []string) (map[string]string, map[string]string) {
	names := make(map[string]string, len(uids))
	pics := map[string]string{}
	var asked []string
	for _, id := range uids {
		if id != "" && ids.Valid(id) {
			asked = append(asked, id)
		}
	}
	if len(asked) == 0 {
		return names, pics
	}
	us, err := n.a.Users(ctx, asked)
	if err != nil {
		return names, pics
	}
	for _, id := range asked {
		u, ok := us[id]
		if !ok {
			names[id] = account.DeletedName
			continue
		}
		names[id] = u.Name
		if u.AvatarV != "" && u.Erasing == nil {
			pics[id] = u.AvatarV
		}
	}
	return names, pics
}
