package account

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/authz"
	"github.com/quorum-app/quorum/internal/avatar/limits"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/store"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Avatars: a person's uploaded picture. The account core owns it: the
// processed squares in the uploads bucket under avatars/<uid>/ and the
// user item's AvatarV (the version pages put in the picture's URL, empty
// without a picture). A browser's original goes under its own prefix
// (facts.AvatarUploadsPrefix: avatar-uploads/<uid>/<upload id>), which the
// bucket's lifecycle expires after a day: an upload never confirmed (the
// tab closed in between) does not stay. The original is deleted once
// processed; what is stored is re-encoded from pixels (internal/avatar),
// so no metadata of the upload survives.

// AvatarFiles is the storage avatars need (blob.Avatars).
type AvatarFiles interface {
	PresignPut(ctx context.Context, key, contentType string, size int64) (blob.PresignedRequest, error)
	Verify(ctx context.Context, key string) (blob.Uploaded, error)
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key, contentType string, data []byte) error
	ErasePrefix(ctx context.Context, prefix string) error
	List(ctx context.Context, prefix string, limit int) ([]blob.Stored, error)
}

// PictureProcessor turns an uploaded picture into the stored squares, one
// JPEG per size of limits.Sizes, re-encoded from its pixels
// (avatar.Process). Errors are refusals for the person (domain.Invalid).
type PictureProcessor func(data []byte) (limits.Processed, error)

// ProcessPicturesWith makes s accept uploaded pictures, processed by p.
// Only the function that takes uploads (the api: internal/app) calls it,
// when it wires the cores: the decoders of avatar.Process (GIF, JPEG, PNG,
// WebP, registered at package initialisation) are not linked into the
// functions that only read, export or erase pictures. Without it,
// uploads are refused as when pictures are off.
func (s *Service) ProcessPicturesWith(p PictureProcessor) { s.pictures = p }

// CoMembers reports whether two people share a group (the group core).
type CoMembers interface {
	ShareGroup(ctx context.Context, a, b string) (bool, error)
}

// AvatarUpload is what a browser needs to upload an original picture.
type AvatarUpload struct {
	UploadID string                `json:"upload_id"`
	Put      blob.PresignedRequest `json:"put"`
}

// Avatar is a stored picture of one size.
type Avatar struct {
	Data    []byte
	Version string
}

var (
	errNoAvatarStore = domain.Errorf(domain.Unavailable, "pictures are not available on this installation")
	errNoAvatar      = domain.Errorf(domain.NotFound, "not found")
)

func avatarPrefix(uid string) string            { return "avatars/" + uid + "/" }
func avatarKey(uid string, side int) string     { return avatarPrefix(uid) + strconv.Itoa(side) + ".jpg" }
func avatarUploadKey(uid, upload string) string { return avatarUploadPrefix(uid) + upload }

// avatarUploadPrefix holds uid's unconfirmed originals.
func avatarUploadPrefix(uid string) string { return facts.AvatarUploadsPrefix + uid + "/" }

func avatarVersion(now int64, nonce string) string {
	return strconv.FormatInt(now, 36) + nonce[len(nonce)-4:]
}

// eraseAllAvatarFiles removes every version of uid's picture files and of
// their unconfirmed originals (those left under avatars/<uid>/upload/
// before originals had their own prefix go with the first).
func (s *Service) eraseAllAvatarFiles(ctx context.Context, uid string) error {
	if err := s.avatars.ErasePrefix(ctx, avatarPrefix(uid)); err != nil {
		return err
	}
	return s.avatars.ErasePrefix(ctx, avatarUploadPrefix(uid))
}

// StartAvatarUpload presigns the upload of an original picture (at most
// limits.MaxBytes, JPEG, PNG, GIF or WebP; the signature binds type, size and
// SSE-KMS). ConfirmAvatarUpload processes it.
func (s *Service) StartAvatarUpload(ctx context.Context, contentType string, size int64) (AvatarUpload, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountUpdate, a.UserID); err != nil {
		return AvatarUpload{}, err
	}
	if s.avatars == nil || s.pictures == nil {
		return AvatarUpload{}, errNoAvatarStore
	}
	id := ids.New()
	put, err := s.avatars.PresignPut(ctx, avatarUploadKey(a.UserID, id), contentType, size)
	if err != nil {
		return AvatarUpload{}, err
	}
	return AvatarUpload{UploadID: id, Put: put}, nil
}

// ConfirmAvatarUpload verifies the uploaded original (present, encrypted,
// allowed type whose bytes match, within the limit), makes it the
// person's picture and deletes it. Confirming again after success finds
// no original and answers Conflict (the picture is already set).
func (s *Service) ConfirmAvatarUpload(ctx context.Context, uploadID string) (*User, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountUpdate, a.UserID); err != nil {
		return nil, err
	}
	if s.avatars == nil || s.pictures == nil {
		return nil, errNoAvatarStore
	}
	if !ids.Valid(uploadID) {
		return nil, domain.Validation(domain.FieldError{Field: "upload_id", Message: "is not an upload of yours"})
	}
	key := avatarUploadKey(a.UserID, uploadID)
	if _, err := s.avatars.Verify(ctx, key); err != nil {
		return nil, err
	}
	data, err := s.avatars.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	u, err := s.setAvatar(ctx, a.UserID, data)
	if err != nil {
		_ = s.avatars.ErasePrefix(ctx, key) // a refused original is not kept either
		return nil, err
	}
	if err := s.avatars.ErasePrefix(ctx, key); err != nil {
		s.log.WarnContext(ctx, "avatar original not deleted", "user_id", a.UserID, "error", err.Error())
	}
	return u, nil
}

// SetAvatar makes data (the bytes of a picture the server received, from
// a form without JavaScript) the actor's picture.
func (s *Service) SetAvatar(ctx context.Context, data []byte) (*User, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountUpdate, a.UserID); err != nil {
		return nil, err
	}
	if s.avatars == nil || s.pictures == nil {
		return nil, errNoAvatarStore
	}
	return s.setAvatar(ctx, a.UserID, data)
}

// setAvatar processes data, writes the squares (overwriting: a retry is
// harmless) and then records the new version on the user item.
func (s *Service) setAvatar(ctx context.Context, uid string, data []byte) (*User, error) {
	p, err := s.pictures(data)
	if err != nil {
		return nil, err
	}
	for _, side := range limits.Sizes() {
		if err := s.avatars.Put(ctx, avatarKey(uid, side), "image/jpeg", p.Files[side]); err != nil {
			return nil, err
		}
	}
	return s.setAvatarVersion(ctx, uid, avatarVersion(s.Now().UnixNano(), ids.New()))
}

func (s *Service) setAvatarVersion(ctx context.Context, uid, v string) (*User, error) {
	up := s.st.Update(tabledef.UserPK(uid), userSK).Add(tabledef.Version, 1).
		If("attribute_exists($) AND attribute_not_exists(Erasing)", tabledef.PK)
	if v == "" {
		up = up.Remove("AvatarV")
	} else {
		up = up.Set("AvatarV", v)
	}
	var u User
	if err := up.Value(ctx, &u); err != nil {
		return nil, store.ClassifyCond(err, authz.ErrSignIn)
	}
	return &u, nil
}

// RemoveAvatar removes the actor's picture (every stored version of its
// files too): pages show their initials again. Removing when there is no
// picture succeeds.
func (s *Service) RemoveAvatar(ctx context.Context) (*User, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Account(a, authz.AccountUpdate, a.UserID); err != nil {
		return nil, err
	}
	if s.avatars == nil {
		return nil, errNoAvatarStore
	}
	u, err := s.setAvatarVersion(ctx, a.UserID, "")
	if err != nil {
		return nil, err
	}
	return u, s.eraseAllAvatarFiles(ctx, a.UserID)
}

// AvatarOf returns uid's picture of side (limits.Large or limits.Small)
// to the person themself or someone sharing a group with them; anyone
// else, and a person without a picture, gets NotFound. Cost: the user
// item, the co-membership check (two queries; none for oneself) and the
// object.
func (s *Service) AvatarOf(ctx context.Context, uid string, side int) (Avatar, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.RequireUser(a); err != nil || !ids.Valid(uid) || (side != limits.Large && side != limits.Small) {
		return Avatar{}, errNoAvatar
	}
	shares := false
	if a.UserID != uid && s.coMembers != nil {
		ok, err := s.coMembers.ShareGroup(ctx, a.UserID, uid)
		if err != nil {
			return Avatar{}, err
		}
		shares = ok
	}
	if err := authz.Person(a, authz.PersonPicture, uid, shares); err != nil {
		return Avatar{}, err
	}
	if s.avatars == nil {
		return Avatar{}, errNoAvatar
	}
	u, err := s.getUser(ctx, uid)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Avatar{}, errNoAvatar
		}
		return Avatar{}, err
	}
	if u.AvatarV == "" || u.Erasing != nil {
		return Avatar{}, errNoAvatar
	}
	b, err := s.avatars.Get(ctx, avatarKey(uid, side))
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Avatar{}, errNoAvatar
		}
		return Avatar{}, err
	}
	return Avatar{Data: b, Version: u.AvatarV}, nil
}

// eraseAvatar removes every version of every avatar file of uid, the
// unconfirmed originals included (account deletion).
func (s *Service) eraseAvatar(ctx context.Context, uid string) error {
	if s.avatars == nil {
		return nil
	}
	return s.eraseAllAvatarFiles(ctx, uid)
}

// ExportAvatar is the person's picture in their personal export: the
// large square as stored (a JPEG, base64 in the row).
type ExportAvatar struct {
	ContentType string `json:"content_type"`
	Size        int    `json:"size_px"`
	Data        []byte `json:"data_base64"`
}

// ExportEntity names the row's file in the archive.
func (ExportAvatar) ExportEntity() string { return "avatar" }

func (s *Service) exportAvatar(ctx context.Context, u *User) ([]any, error) {
	if u.AvatarV == "" || s.avatars == nil {
		return nil, nil
	}
	b, err := s.avatars.Get(ctx, avatarKey(u.ID, limits.Large))
	if domain.ErrorCode(err) == domain.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []any{ExportAvatar{ContentType: "image/jpeg", Size: limits.Large, Data: b}}, nil
}

// ExportAvatarUpload is an original picture the person uploaded whose
// upload was never confirmed (the tab closed in between): kept until the
// bucket's lifecycle expires it (a day), and in their export meanwhile.
// The newest maxExportedUploads carry their bytes (as uploaded, metadata
// included); any older are listed without.
type ExportAvatarUpload struct {
	UploadID   string    `json:"upload_id"`
	Size       int64     `json:"size_bytes"`
	UploadedAt time.Time `json:"uploaded_at"`
	Data       []byte    `json:"data_base64,omitempty"`
}

// ExportEntity names the row's file in the archive.
func (ExportAvatarUpload) ExportEntity() string { return "avatar_uploads" }

// maxExportedUploads bounds the unconfirmed originals whose bytes an
// export carries (each at most limits.MaxBytes); listUploads bounds those
// it lists.
const (
	maxExportedUploads = 3
	listUploads        = 100
)

func (s *Service) exportAvatarUploads(ctx context.Context, uid string) ([]any, error) {
	if s.avatars == nil {
		return nil, nil
	}
	list, err := s.avatars.List(ctx, avatarUploadPrefix(uid), listUploads)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b blob.Stored) int { return b.LastModified.Compare(a.LastModified) })
	var rows []any
	for i, o := range list {
		row := ExportAvatarUpload{UploadID: strings.TrimPrefix(o.Key, avatarUploadPrefix(uid)), Size: o.Size, UploadedAt: o.LastModified.UTC()}
		if i < maxExportedUploads && o.Size <= limits.MaxBytes {
			b, err := s.avatars.Get(ctx, o.Key)
			switch {
			case domain.ErrorCode(err) == domain.NotFound: // expired or confirmed meanwhile
				continue
			case err != nil:
				return nil, err
			}
			row.Data = b
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// CoMembersFunc adapts a function to CoMembers (the wiring builds the
// group core after this one).
type CoMembersFunc func(ctx context.Context, a, b string) (bool, error)

// ShareGroup implements CoMembers.
func (f CoMembersFunc) ShareGroup(ctx context.Context, a, b string) (bool, error) {
	return f(ctx, a, b)
}
