package server_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-app/quorum/internal/server"
)

// Pictures through the whole application: the form without JavaScript,
// the API, serving to co-members only, pictures beside names.

// gpsPhoto is a JPEG with an EXIF segment carrying a marker.
func gpsPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := 0; y < 90; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{R: uint8(2 * x), G: 120, B: uint8(2 * y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := []byte("Exif\x00\x00GPS-SECRET-41.9N-12.5E")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// postPicture sends the settings form with a file named name.
func (e *pollEnv) postPicture(p *pollPerson, name string, data []byte) resp {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("picture", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/settings/avatar", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Accept", "text/html")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: p.cookie})
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return resp{code: rec.Code, body: rec.Body.String(), hdr: rec.Header()}
}

var pictureURL = regexp.MustCompile(`/people/([A-Za-z0-9_-]+)/avatar/64\?v=([A-Za-z0-9]+)`)

func TestAvatarsThroughTheApplication(t *testing.T) {
	e, o, m, _ := newPollEnv(t)
	stranger := e.person("Sam Stranger")

	// Refused by content, whatever the name says; too large.
	r := e.postPicture(o, "holiday.jpg", []byte("<html><script>alert(1)</script></html>"))
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="picture-error"`) {
		t.Fatalf("html named .jpg: %d %.300s", r.code, r.body)
	}
	if r = e.postPicture(o, "big.jpg", append(gpsPhoto(t), make([]byte, 5<<20)...)); r.code != http.StatusBadRequest {
		t.Fatalf("too large: %d", r.code)
	}
	r = e.do(o, "PUT", "/api/v1/me/avatar", "%PDF-1.4 not a picture")
	if r.code != http.StatusBadRequest || !strings.Contains(r.hdr.Get("Content-Type"), "problem+json") {
		t.Fatalf("API, a PDF: %d %s %s", r.code, r.hdr.Get("Content-Type"), r.body)
	}

	// The form without JavaScript.
	r = e.postPicture(o, "me.jpg", gpsPhoto(t))
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.hdr.Get("Location"), "/settings?done=avatar") {
		t.Fatalf("upload: %d %s %.300s", r.code, r.hdr.Get("Location"), r.body)
	}
	settings := e.must(e.do(o, "GET", "/settings?done=avatar", nil), 200, "settings").body
	if !strings.Contains(settings, "/people/"+o.id+"/avatar/256?v=") || !strings.Contains(settings, `action="/settings/avatar/remove"`) {
		t.Fatal("the settings page does not show the picture")
	}

	// Beside Olga's comment and her thread, Milo's initials beside his.
	tid := e.thread(o, e.gid, "Picture thread")
	e.must(e.do(o, "POST", "/api/v1/threads/"+tid+"/comments", map[string]string{"body": "Olga says hi"}), 201, "comment")
	e.must(e.do(m, "POST", "/api/v1/threads/"+tid+"/comments", map[string]string{"body": "Milo answers"}), 201, "comment")
	page := e.must(e.do(m, "GET", "/threads/"+tid, nil), 200, "thread").body
	found := pictureURL.FindAllStringSubmatch(page, -1)
	if len(found) < 2 || found[0][1] != o.id {
		t.Fatalf("the thread page shows pictures %v", found)
	}
	if !strings.Contains(page, `aria-hidden="true">MM</span>`) {
		t.Fatal("Milo's initials are missing beside his comment")
	}
	members := e.must(e.do(m, "GET", "/groups/"+e.gid+"?tab=members", nil), 200, "members").body
	if !strings.Contains(members, "/people/"+o.id+"/avatar/64?v=") {
		t.Fatal("the members tab does not show the picture")
	}

	// Served to Olga and Milo (a co-member), cacheable, without EXIF;
	// 404 to a stranger and to the signed-out.
	img := found[0][0]
	for _, p := range []*pollPerson{o, m} {
		r = e.must(e.do(p, "GET", img, nil), 200, "picture")
		if r.hdr.Get("Content-Type") != "image/jpeg" || !strings.Contains(r.hdr.Get("Cache-Control"), "private") ||
			!strings.Contains(r.hdr.Get("Cache-Control"), "immutable") {
			t.Fatalf("headers %v", r.hdr)
		}
		if strings.Contains(r.body, "GPS-SECRET") || strings.Contains(r.body, "Exif") {
			t.Fatal("the served picture carries the upload's EXIF")
		}
		if cfg, err := jpeg.DecodeConfig(strings.NewReader(r.body)); err != nil || cfg.Width != 64 {
			t.Fatalf("served picture: %v %+v", err, cfg)
		}
	}
	again := httptest.NewRequest("GET", img, nil)
	again.Header.Set("If-None-Match", r.hdr.Get("ETag"))
	again.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: m.cookie})
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, again)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", rec.Code)
	}
	for name, p := range map[string]*pollPerson{"stranger": stranger, "signed out": nil} {
		if r = e.do(p, "GET", img, nil); r.code != http.StatusNotFound || strings.Contains(r.body, "amazonaws") {
			t.Fatalf("%s: %d", name, r.code)
		}
	}

	// Beside her vote, her reply in Milo's notifications, her admin
	// action in the audit log and her comment in the members page.
	prop := e.pollIn(o, e.gid, "Picture proposal", 48*time.Hour, nil)
	e.must(e.do(o, "PUT", "/api/v1/polls/"+prop.ID+"/ballot", validBallot(prop.Definition)), 201, "vote")
	if b := e.must(e.do(m, "GET", "/polls/"+prop.ID, nil), 200, "poll").body; !strings.Contains(b, img) {
		t.Fatal("the poll page does not show the voter's picture")
	}
	mt := e.thread(m, e.gid, "Milo's thread")
	c := decodeInto[struct{ ID string }](t, e.must(e.do(m, "POST", "/api/v1/threads/"+mt+"/comments", map[string]string{"body": "Anyone?"}), 201, "comment"))
	e.must(e.do(o, "POST", "/api/v1/threads/"+mt+"/comments", map[string]string{"body": "Yes!", "parent_id": c.ID}), 201, "reply")
	if b := e.must(e.do(m, "GET", "/notifications", nil), 200, "notifications").body; !strings.Contains(b, img) {
		t.Fatal("the notifications page does not show the actor's picture")
	}
	e.must(e.do(o, "PATCH", "/api/v1/groups/"+e.gid+"/members/"+m.id, `{"role":"admin"}`), 200, "make admin")
	if b := e.must(e.do(o, "GET", "/groups/"+e.gid+"/audit", nil), 200, "audit").body; !strings.Contains(b, img) {
		t.Fatal("the audit log does not show the actor's picture")
	}
	if b := e.must(e.do(o, "GET", "/groups/"+e.gid+"/members", nil), 200, "members page").body; !strings.Contains(b, img) {
		t.Fatal("the members page does not show the picture")
	}

	// The API reads it; removing brings the initials back.
	me := decodeInto[struct{ URL string }](t, e.must(e.do(o, "GET", "/api/v1/me/avatar", nil), 200, "me"))
	if me.URL != img {
		t.Fatalf("API url %q, page %q", me.URL, img)
	}
	r = e.do(o, "POST", "/settings/avatar/remove", url.Values{})
	if r.code != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.code)
	}
	page = e.must(e.do(m, "GET", "/threads/"+tid, nil), 200, "thread").body
	if pictureURL.MatchString(page) || !strings.Contains(page, `aria-hidden="true">OO</span>`) {
		t.Fatal("after removal the thread page should show initials only")
	}
	e.must(e.do(m, "GET", img, nil), 404, "removed picture")
}
