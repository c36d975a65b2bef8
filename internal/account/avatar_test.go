package account_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/mail"
	"github.com/quorum-app/quorum/internal/testkit"
)

// sessionOf acts as a browser session of u (minted by the core: testkit).
func sessionOf(t *testing.T, f *fixture, u *account.User) context.Context {
	t.Helper()
	return testkit.SignIn(t, f.svc, u).Ctx
}

// exifPhoto is a w×h JPEG carrying an EXIF segment with a marker.
func exifPhoto(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x), G: 90, B: uint8(y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := []byte("Exif\x00\x00GPS-SECRET-48.85N-2.35E")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

type shareSet map[[2]string]bool

func (s shareSet) ShareGroup(_ context.Context, a, b string) (bool, error) {
	return s[[2]string{a, b}] || s[[2]string{b, a}], nil
}

func avatarFixture(t *testing.T) (*fixture, *blob.Avatars, shareSet) {
	t.Helper()
	shares := shareSet{}
	f := newFixture(t, nil)
	av := blob.NewAvatars(f.env.Clients.S3, f.env.Config.UploadsBucket, f.env.Config.KMSKeyID)
	svc, err := account.New(account.Options{Store: f.st, Mail: mail.NewSES(f.env.Clients.SES, "", f.env.Config.MailDomain), From: f.env.Config.MailFrom, BaseURL: f.env.Config.BaseURL,
		SigningKey: f.env.Config.SigningKey, Now: f.clock.Now, Argon2: account.FastArgon2(), Avatars: av, CoMembers: shares})
	if err != nil {
		t.Fatal(err)
	}
	svc.ProcessPicturesWith(avatar.Process) // as the api function wires it (internal/app)
	f.svc = svc
	return f, av, shares
}

func (f *fixture) versionsUnder(t *testing.T, prefix string) int {
	t.Helper()
	out, err := f.env.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(f.env.Config.UploadsBucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Versions) + len(out.DeleteMarkers)
}

func TestAvatarUploadProcessServeRemove(t *testing.T) {
	f, _, shares := avatarFixture(t)
	ctx := context.Background()
	ada, err := f.svc.CreateUser(ctx, uniqueEmail("ada"), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	bob, _ := f.svc.CreateUser(ctx, uniqueEmail("bob"), "Bob")
	eve, _ := f.svc.CreateUser(ctx, uniqueEmail("eve"), "Eve")
	shares[[2]string{ada.ID, bob.ID}] = true
	asAda, asBob, asEve := sessionOf(t, f, ada), sessionOf(t, f, bob), sessionOf(t, f, eve)

	// The presigned path: presign, PUT the original, confirm.
	orig := exifPhoto(t, 300, 200)
	up, err := f.svc.StartAvatarUpload(asAda, "image/jpeg", int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(up.Put.Method, up.Put.URL, bytes.NewReader(orig))
	for k, v := range up.Put.Headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = int64(len(orig))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("upload: %v %v", err, res)
	}
	_ = res.Body.Close()
	u, err := f.svc.ConfirmAvatarUpload(asAda, up.UploadID)
	if err != nil {
		t.Fatal(err)
	}
	if u.AvatarV == "" {
		t.Fatal("no avatar version after the upload")
	}
	if n := f.versionsUnder(t, "avatar-uploads/"+ada.ID+"/"); n != 0 {
		t.Fatalf("the original is still stored (%d versions)", n)
	}
	if n := f.versionsUnder(t, "avatars/"+ada.ID+"/upload/"); n != 0 {
		t.Fatalf("an original under the pictures' prefix (%d versions)", n)
	}
	// Ada and Bob (a co-member) see it; it carries no metadata.
	for _, c := range []context.Context{asAda, asBob} {
		for _, side := range avatar.Sizes {
			a, err := f.svc.AvatarOf(c, ada.ID, side)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(a.Data, []byte("GPS-SECRET")) || bytes.Contains(a.Data, []byte("Exif")) {
				t.Fatal("EXIF survived processing")
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(a.Data))
			if err != nil || cfg.Width != side || cfg.Height != side {
				t.Fatalf("stored picture: %v %+v", err, cfg)
			}
		}
	}
	// A stranger, the signed-out, a person without a picture: not found.
	for name, c := range map[string]context.Context{"stranger": asEve, "signed out": ctx} {
		if _, err := f.svc.AvatarOf(c, ada.ID, avatar.Small); domain.ErrorCode(err) != domain.NotFound {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := f.svc.AvatarOf(asAda, bob.ID, avatar.Small); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("no picture: %v", err)
	}
	// Confirming again finds no original.
	if _, err := f.svc.ConfirmAvatarUpload(asAda, up.UploadID); err == nil {
		t.Fatal("a second confirm succeeded")
	}

	// Removing erases every version; initials again.
	if u, err = f.svc.RemoveAvatar(asAda); err != nil || u.AvatarV != "" {
		t.Fatal(u, err)
	}
	if _, err := f.svc.AvatarOf(asAda, ada.ID, avatar.Small); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("after removal: %v", err)
	}
	if n := f.versionsUnder(t, "avatars/"+ada.ID+"/"); n != 0 {
		t.Fatalf("%d object versions left after removal", n)
	}
}

func TestAvatarRefusals(t *testing.T) {
	f, _, _ := avatarFixture(t)
	ctx := context.Background()
	ada, _ := f.svc.CreateUser(ctx, uniqueEmail("ada"), "Ada")
	as := sessionOf(t, f, ada)
	for name, c := range map[string]struct {
		ct   string
		size int64
	}{"type": {"application/pdf", 100}, "svg": {"image/svg+xml", 100}, "too large": {"image/png", 5<<20 + 1}, "empty": {"image/png", 0}} {
		if _, err := f.svc.StartAvatarUpload(as, c.ct, c.size); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The form path checks the bytes, not a name or a declared type.
	for name, b := range map[string][]byte{"html": []byte("<html>hi</html>"), "pdf": []byte("%PDF-1.4\n"), "too large": make([]byte, 5<<20+1)} {
		if _, err := f.svc.SetAvatar(as, b); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.svc.SetAvatar(ctx, exifPhoto(t, 10, 10)); domain.ErrorCode(err) != domain.Unauthorized {
		t.Errorf("signed out: %v", err)
	}
	if _, err := f.svc.ConfirmAvatarUpload(as, "../../etc"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("bad upload id: %v", err)
	}
}

func TestAvatarInPersonalExportAndErasedWithTheAccount(t *testing.T) {
	f, _, _ := avatarFixture(t)
	addr := uniqueEmail("pic")
	v := f.login(t, addr, "Pia Picture")
	ctx := f.as(t, v.Token)
	// Two pictures in turn: the bucket is versioned, so older versions exist.
	for i := 0; i < 2; i++ {
		if _, err := f.svc.SetAvatar(ctx, exifPhoto(t, 40+i, 40)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := f.svc.ExportUser(context.Background(), v.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pic *account.ExportAvatar
	for _, r := range rows {
		if a, ok := r.(account.ExportAvatar); ok {
			pic = &a
		}
	}
	if pic == nil || len(pic.Data) == 0 || bytes.Contains(pic.Data, []byte("GPS-SECRET")) {
		t.Fatalf("personal export picture: %+v", pic)
	}
	prefix := "avatars/" + v.User.ID + "/"
	if f.versionsUnder(t, prefix) < 4 {
		t.Fatalf("expected several stored versions, have %d", f.versionsUnder(t, prefix))
	}
	if err := f.svc.DeleteAccount(ctx, f.deletionCode(t, ctx, addr)); err != nil {
		t.Fatal(err)
	}
	if n := f.versionsUnder(t, prefix); n != 0 {
		t.Fatalf("%d object versions of the picture survive account deletion", n)
	}
}

// putOriginal uploads b through a presigned PUT and returns the upload id
// (not confirmed).
func putOriginal(t *testing.T, f *fixture, ctx context.Context, b []byte) string {
	t.Helper()
	up, err := f.svc.StartAvatarUpload(ctx, "image/jpeg", int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(up.Put.URL, "/avatar-uploads/") {
		t.Fatalf("the original does not go under avatar-uploads/ (which the lifecycle expires): %s", up.Put.URL)
	}
	req, _ := http.NewRequest(up.Put.Method, up.Put.URL, bytes.NewReader(b))
	for k, v := range up.Put.Headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = int64(len(b))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("upload: %v %v", err, res)
	}
	_ = res.Body.Close()
	return up.UploadID
}

// An original whose upload is never confirmed waits under its own prefix
// (expired by the bucket's lifecycle after a day, infra/stack): it is in
// the person's export meanwhile, and erased with the picture and with the
// account.
func TestAvatarUnconfirmedUpload(t *testing.T) {
	f, _, _ := avatarFixture(t)
	addr := uniqueEmail("tab")
	v := f.login(t, addr, "Tab Closed")
	ctx := f.as(t, v.Token)
	orig := exifPhoto(t, 30, 30)
	id := putOriginal(t, f, ctx, orig)
	pending := "avatar-uploads/" + v.User.ID + "/"
	if n := f.versionsUnder(t, pending); n != 1 {
		t.Fatalf("%d versions under %s, want the original", n, pending)
	}
	rows, err := f.svc.ExportUser(context.Background(), v.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []account.ExportAvatarUpload
	for _, r := range rows {
		if u, ok := r.(account.ExportAvatarUpload); ok {
			got = append(got, u)
		}
	}
	if len(got) != 1 || got[0].UploadID != id || !bytes.Equal(got[0].Data, orig) || got[0].Size != int64(len(orig)) || got[0].UploadedAt.IsZero() {
		t.Fatalf("the unconfirmed original in the export: %+v", got)
	}
	// Removing the picture erases waiting originals too.
	if _, err := f.svc.RemoveAvatar(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.versionsUnder(t, pending); n != 0 {
		t.Fatalf("%d versions of an original survive removing the picture", n)
	}
	// And so does deleting the account.
	putOriginal(t, f, ctx, orig)
	if err := f.svc.DeleteAccount(ctx, f.deletionCode(t, ctx, addr)); err != nil {
		t.Fatal(err)
	}
	if n := f.versionsUnder(t, pending); n != 0 {
		t.Fatalf("%d versions of an unconfirmed original survive account deletion", n)
	}
}

// Only the function that wires a picture processor (the api, internal/app)
// takes uploads: built without one (the other functions, which read,
// export and erase pictures), the core refuses them as when pictures are
// off, before presigning or storing anything.
func TestAvatarUploadsNeedAPictureProcessor(t *testing.T) {
	f, av, _ := avatarFixture(t)
	svc, err := account.New(account.Options{Store: f.st, Mail: mail.NewSES(f.env.Clients.SES, "", f.env.Config.MailDomain), From: f.env.Config.MailFrom, BaseURL: f.env.Config.BaseURL,
		SigningKey: f.env.Config.SigningKey, Now: f.clock.Now, Argon2: account.FastArgon2(), Avatars: av, CoMembers: shareSet{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ada, err := svc.CreateUser(ctx, uniqueEmail("ada"), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	asAda := sessionOf(t, f, ada)
	if _, err := svc.StartAvatarUpload(asAda, "image/jpeg", 1000); domain.ErrorCode(err) != domain.Unavailable {
		t.Errorf("StartAvatarUpload: %v, want Unavailable", err)
	}
	if _, err := svc.SetAvatar(asAda, exifPhoto(t, 300, 200)); domain.ErrorCode(err) != domain.Unavailable {
		t.Errorf("SetAvatar: %v, want Unavailable", err)
	}
	if _, err := svc.ConfirmAvatarUpload(asAda, "01J00000000000000000000000"); domain.ErrorCode(err) != domain.Unavailable {
		t.Errorf("ConfirmAvatarUpload: %v, want Unavailable", err)
	}
	if n := f.versionsUnder(t, "avatars/"+ada.ID+"/"); n != 0 {
		t.Errorf("%d files stored", n)
	}
}
