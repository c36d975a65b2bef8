package handlerkit

import (
	"strconv"

	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/domain"
)

func AvatarURL(uid string, side int, version string) string {
	return "/people/" + uid + "/avatar/" + strconv.Itoa(side) + "?v=" + version
}

func AvatarTooLarge() error {
	var fe domain.FieldErrors
	fe.Add("picture", "the picture is larger than the %d MB limit", avatar.MaxBytes>>20)
	return fe.Err()
}
