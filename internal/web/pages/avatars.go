package pages

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/quorum-app/quorum/internal/account"
	"github.com/quorum-app/quorum/internal/avatar"
	"github.com/quorum-app/quorum/internal/decision"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
	"github.com/quorum-app/quorum/internal/handlerkit"
	"github.com/quorum-app/quorum/internal/httpx"
	"github.com/quorum-app/quorum/internal/i18n"
	"github.com/quorum-app/quorum/internal/ids"
	"github.com/quorum-app/quorum/internal/notify"
)

// ---- the view: one helper for every page that shows a person ----

// avatarView is how a page shows a person beside their name: their
// uploaded picture (URL, empty without one) or initials on a colour taken
// from their id (the same everywhere the person appears). The template
// partial "avatar" (layout.html) draws it.
type avatarView struct {
	UserID, Name, Initials, Class string
	// URL is the small picture's address, with its version so browsers
	// cache it until it changes.
	URL string
}

// avatarOf is a person's initials avatar.
func avatarOf(uid, name string) avatarView {
	h := fnv.New32a()
	_, _ = h.Write([]byte(uid))
	v := h.Sum32()
	return avatarView{UserID: uid, Name: name, Initials: initials(name), Class: fmt.Sprintf("avatar c%d", (v^v>>16)%8)}
}

// faceOf is a person's avatar with their picture when version is set
// (the user's AvatarV, read by the page in its own reads).
func faceOf(uid, name, version string) avatarView {
	a := avatarOf(uid, name)
	if version != "" && ids.Valid(uid) {
		a.URL = handlerkit.AvatarURL(uid, avatar.Small, version)
	}
	return a
}

// initials are the first letters of the first and last words of name.
func initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '.' })
	first := func(w string) string {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return string(unicode.ToUpper(r))
			}
		}
		return ""
	}
	switch len(words) {
	case 0:
		return "?"
	case 1:
		if s := first(words[0]); s != "" {
			return s
		}
		return "?"
	}
	s := first(words[0]) + first(words[len(words)-1])
	if s == "" {
		return "?"
	}
	return s
}

// pictureVersions tells which of uids have a picture (their AvatarV), for
// pages whose own reads do not carry it (names are copied onto threads,
// comments and ballots; pictures change too often for that). Cost: one
// BatchGetItem for the page, whatever the number of people on it, at most
// account.MaxUsersExist of them (the rest show initials).
func (s *Server) pictureVersions(ctx context.Context, uids []string) map[string]string {
	out, _ := s.picturesAndNames(ctx, uids)
	return out
}

// picturesAndNames is pictureVersions with the people's current names
// (none for those being erased), from the same read.
func (s *Server) picturesAndNames(ctx context.Context, uids []string) (pictures, names map[string]string) {
	out, names := map[string]string{}, map[string]string{}
	if s.accounts == nil {
		return out, names
	}
	seen := map[string]bool{}
	var ask []string
	for _, id := range uids {
		if id == "" || seen[id] || !ids.Valid(id) || len(ask) == account.MaxUsersExist {
			continue
		}
		seen[id] = true
		ask = append(ask, id)
	}
	if len(ask) == 0 {
		return out, names
	}
	us, err := s.accounts.Users(ctx, ask)
	if err != nil {
		s.log.WarnContext(ctx, "pictures not read; initials shown", "error", err.Error())
		return out, names
	}
	for id, u := range us {
		if u.Erasing != nil {
			continue
		}
		if u.AvatarV != "" {
			out[id] = u.AvatarV
		}
		if u.Name != "" {
			names[id] = u.Name
		}
	}
	return out, names
}

// personFace is one person's name and avatar, read in one call (a page
// naming one person its own reads do not: an outcome's author).
func (s *Server) personFace(ctx context.Context, pr *i18n.Printer, uid string) avatarView {
	name, version := "", ""
	if s.accounts != nil && ids.Valid(uid) {
		if us, err := s.accounts.Users(ctx, []string{uid}); err == nil {
			if u := us[uid]; u != nil && u.Erasing == nil {
				name, version = u.Name, u.AvatarV
			}
		}
	}
	if name == "" {
		name = pr.T("page.poll.someone")
	}
	return faceOf(uid, name, version)
}

// ---- serving ----

// GET /people/{uid}/avatar/{size}: the picture (size 64 or 256), to the
// person and those who share a group with them; 404 to anyone else and
// when there is none (pages then show initials). Cached privately; the
// URL pages use carries the version (?v=), so a new picture is a new URL.
func (s *Server) AvatarServe(w http.ResponseWriter, r *http.Request) {
	side, err := strconv.Atoi(r.PathValue("size"))
	if err != nil {
		side = 0
	}
	a, err := s.accounts.AvatarOf(r.Context(), r.PathValue("uid"), side)
	if err != nil {
		httpx.WriteError(w, r, s.log, err)
		return
	}
	etag := `"` + a.Version + "-" + strconv.Itoa(side) + `"`
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("ETag", etag)
	h.Set("Content-Disposition", "inline")
	if r.URL.Query().Get("v") == a.Version {
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Data)
}

// ---- API ----

// ---- pages ----

// POST /settings/avatar: the picture as multipart/form-data ("picture"),
// through the app (no JavaScript needed).
func (s *Server) SettingsAvatarSubmit(w http.ResponseWriter, r *http.Request) {
	b, err := readPicture(w, r)
	if err == nil {
		_, err = s.accounts.SetAvatar(r.Context(), b)
	}
	if err != nil {
		f := newForm(nil)
		s.formFail(w, r, err, f, func(status int) { s.renderSettings(w, r, status, settingsData{Picture: f}) })
		return
	}
	redirect(w, r, "/settings?done=avatar#picture-title")
}

// POST /settings/avatar/remove
func (s *Server) SettingsAvatarRemove(w http.ResponseWriter, r *http.Request) {
	if err := httpx.ParseForm(w, r); err != nil {
		s.PageError(w, r, err)
		return
	}
	if _, err := s.accounts.RemoveAvatar(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	redirect(w, r, "/settings?done=avatar-removed#picture-title")
}

// readPicture reads the form's file, bounded by the picture limit.
func readPicture(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	choose := func() error {
		var fe domain.FieldErrors
		fe.Add("picture", "choose a picture")
		return fe.Err()
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, choose()
	}
	r.Body = http.MaxBytesReader(w, r.Body, avatar.MaxBytes+64<<10)
	if err := r.ParseMultipartForm(avatar.MaxBytes + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, handlerkit.AvatarTooLarge()
		}
		return nil, domain.Errorf(domain.Invalid, "the form could not be read")
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	fh, _, err := r.FormFile("picture")
	if err != nil {
		return nil, choose()
	}
	defer func() { _ = fh.Close() }()
	b, err := io.ReadAll(io.LimitReader(fh, avatar.MaxBytes+1))
	if err != nil {
		return nil, domain.Errorf(domain.Invalid, "the file could not be read")
	}
	return b, nil
}

// pictureFace is how the settings page shows the person's own picture
// (the large one) or their initials.
func pictureFace(u *account.User) avatarView {
	a := avatarOf(u.ID, u.Name)
	if u.AvatarV != "" {
		a.URL = handlerkit.AvatarURL(u.ID, avatar.Large, u.AvatarV)
	}
	return a
}

// threadFaces sets the faces of the thread's author, of every comment's
// author and of whoever an event names (a poll opened by…) on the page,
// and of the poll cards' voters who may show among the participants: one
// picturesAndNames read for the page (at most account.MaxUsersExist
// people; the voters add at most maxParticipants).
func (s *Server) threadFaces(ctx context.Context, d *threadPageData) {
	uids := []string{d.Thread.AuthorID}
	var walk func(ns []*timelineNode, visit func(*timelineNode))
	walk = func(ns []*timelineNode, visit func(*timelineNode)) {
		for _, n := range ns {
			visit(n)
			walk(n.Children, visit)
		}
	}
	named := func(n *timelineNode) bool {
		return !n.Deleted && n.ActorID != "" && (n.Kind == "comment" || n.ActorName != "")
	}
	walk(d.Timeline, func(n *timelineNode) {
		if named(n) {
			uids = append(uids, n.ActorID)
		}
	})
	// The voters not named on the page otherwise: only as many as could
	// show (the rest are counted, never read).
	known := map[string]bool{}
	for _, id := range uids {
		known[id] = true
	}
	var voters []string
	for _, id := range d.voters {
		if len(voters) == maxParticipants {
			break
		}
		if !known[id] {
			known[id] = true
			voters = append(voters, id)
		}
	}
	v, names := s.picturesAndNames(ctx, append(uids, voters...))
	d.AuthorFace = faceOf(d.Thread.AuthorID, d.Thread.AuthorName, v[d.Thread.AuthorID])
	walk(d.Timeline, func(n *timelineNode) {
		if named(n) {
			n.Face = faceOf(n.ActorID, n.ActorName, v[n.ActorID])
		}
	})
	voterFaces := map[string]avatarView{}
	for _, id := range voters {
		if names[id] != "" {
			voterFaces[id] = faceOf(id, names[id], v[id])
		}
	}
	d.Participants, d.MoreParticipants = participants(d, voterFaces)
}

// maxParticipants bounds the faces in a thread's heading.
const maxParticipants = 8

// participants are everyone who took part in the thread, each once: its
// author, the authors of the comments and of the polls on the page, then
// the voters the poll cards name (never an anonymous poll's, nor while
// results are hidden from the reader: decision.Card.Voters), with the
// faces the page already read (threadFaces): no read of its own. Past
// maxParticipants the rest are counted, with the voters the cards did not
// list (a poll with more than a query page of ballots), who may have
// commented too: then the count is an upper bound.
func participants(d *threadPageData, voterFaces map[string]avatarView) (faces []avatarView, more int) {
	seen := map[string]bool{}
	add := func(f avatarView) {
		if f.UserID == "" || seen[f.UserID] {
			return
		}
		seen[f.UserID] = true
		if len(faces) == maxParticipants || f.Name == "" {
			more++
			return
		}
		faces = append(faces, f)
	}
	if d.Thread.AuthorName != "" {
		add(d.AuthorFace)
	}
	var walk func(ns []*timelineNode)
	walk = func(ns []*timelineNode) {
		for _, n := range ns {
			if !n.Deleted && n.ActorID != "" && (n.Kind == "comment" || n.Kind == decision.EventOpened) {
				add(n.Face)
			}
			walk(n.Children)
		}
	}
	walk(d.Timeline)
	for _, id := range d.voters {
		if f, ok := voterFaces[id]; ok {
			add(f)
		} else if !seen[id] {
			seen[id] = true
			more++ // past the faces, or no longer named (being erased)
		}
	}
	return faces, more + d.votersMore
}

// manyFaces is manyNames with the people's picture versions, read in the
// same call where the Names dependency can (the account core); else the
// names alone and initials.
func (s *Server) manyFaces(ctx context.Context, uids []string) (names, pictures map[string]string) {
	if b, ok := s.people.(interface {
		NamesAndPictures(ctx context.Context, ids []string) (map[string]string, map[string]string)
	}); ok {
		return b.NamesAndPictures(ctx, uids)
	}
	return s.manyNames(ctx, uids), map[string]string{}
}

// setBallotFaces gives each named ballot row its voter's face (never in
// anonymous polls: their rows carry no UserID).
func setBallotFaces(rows []ballotRow, pictures map[string]string) {
	for i := range rows {
		if rows[i].UserID != "" {
			rows[i].Face = faceOf(rows[i].UserID, rows[i].Name, pictures[rows[i].UserID])
		}
	}
}

// notificationRow is a notification with its actor's face.
type notificationRow struct {
	notify.Notification
	Face avatarView
}

// notificationRows gives a page of notifications their actors' faces:
// one pictureVersions read for the page.
func (s *Server) notificationRows(ctx context.Context, items []notify.Notification) []notificationRow {
	uids := make([]string, 0, len(items))
	for _, n := range items {
		uids = append(uids, n.ActorID)
	}
	v := s.pictureVersions(ctx, uids)
	out := make([]notificationRow, len(items))
	for i, n := range items {
		out[i] = notificationRow{Notification: n, Face: faceOf(n.ActorID, n.ActorName, v[n.ActorID])}
	}
	return out
}

// memberRow is a member with their face (the members page): the picture's
// version came with the names, in the members read itself.
type memberRow struct {
	group.Member
	Face avatarView
}

func memberRows(ms []group.Member) []memberRow {
	out := make([]memberRow, len(ms))
	for i, m := range ms {
		out[i] = memberRow{Member: m, Face: faceOf(m.UserID, m.Name, m.Avatar)}
	}
	return out
}
