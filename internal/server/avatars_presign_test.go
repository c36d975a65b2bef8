package server_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The presigned path through the API, as the settings page's script and
// API clients use it: ask for a PUT (type and size bound in the
// signature, SSE-KMS required), send the original straight to the bucket,
// confirm; Quorum makes the avatar from the stored original. A WebP is
// accepted like the others; a malformed one is refused at confirm with a
// 400 problem+json, and its original is not kept.
func TestAvatarPresignedUploadThroughTheAPI(t *testing.T) {
	e, o, _, _ := newPollEnv(t)
	webp, err := os.ReadFile("../avatar/testdata/lossless.webp")
	if err != nil {
		t.Fatal(err)
	}
	type upload struct {
		UploadID string `json:"upload_id"`
		Put      struct {
			URL, Method string
			Headers     map[string]string
		}
	}
	start := func(ct string, data []byte) upload {
		t.Helper()
		up := decodeInto[upload](t, e.must(e.do(o, "POST", "/api/v1/me/avatar/uploads",
			map[string]any{"content_type": ct, "size": len(data)}), 201, "presign"))
		if up.Put.Method != "PUT" || !strings.Contains(strings.ToLower(strings.Join(headerNames(up.Put.Headers), " ")), "x-amz-server-side-encryption") {
			t.Fatalf("presigned request %+v: want a PUT that requires SSE-KMS", up.Put)
		}
		return up
	}
	put := func(up upload, data []byte, mutate func(*http.Request)) int {
		t.Helper()
		req, _ := http.NewRequest(up.Put.Method, up.Put.URL, bytes.NewReader(data))
		for k, v := range up.Put.Headers {
			req.Header.Set(k, v)
		}
		req.ContentLength = int64(len(data))
		if mutate != nil {
			mutate(req)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}

	// Refused when presigning: a type that is not a picture, too large.
	for name, body := range map[string]map[string]any{
		"pdf":       {"content_type": "application/pdf", "size": 100},
		"too large": {"content_type": "image/webp", "size": 6 << 20},
	} {
		r := e.do(o, "POST", "/api/v1/me/avatar/uploads", body)
		if r.code != http.StatusBadRequest || !strings.Contains(r.hdr.Get("Content-Type"), "problem+json") {
			t.Fatalf("%s: %d %s", name, r.code, r.body)
		}
	}

	// The signature binds the type: the bucket refuses a PUT that says
	// another one, and one without the encryption header.
	up := start("image/webp", webp)
	if st := put(up, webp, func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }); st < 400 {
		t.Fatalf("a PUT with another type was accepted (%d)", st)
	}
	if st := put(up, webp, func(r *http.Request) { r.Header.Del("X-Amz-Server-Side-Encryption") }); st < 400 {
		t.Fatalf("a PUT without SSE-KMS was accepted (%d)", st)
	}

	// The real thing: a WebP becomes the avatar (JPEG squares).
	if st := put(up, webp, nil); st != http.StatusOK {
		t.Fatalf("upload to the bucket: %d", st)
	}
	got := decodeInto[struct {
		Version  string `json:"version"`
		LargeURL string `json:"large_url"`
	}](t, e.must(e.do(o, "POST", "/api/v1/me/avatar/uploads/"+up.UploadID+"/confirm", nil), 200, "confirm"))
	if got.Version == "" || got.LargeURL == "" {
		t.Fatalf("confirm answered %+v", got)
	}
	img := e.must(e.do(o, "GET", got.LargeURL, nil), 200, "picture")
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(img.body)); err != nil || cfg.Width != 256 || cfg.Height != 256 {
		t.Fatalf("stored picture: %v %+v", err, cfg)
	}
	if strings.Contains(img.body, "ICCP") || strings.Contains(img.body, "RIFF") {
		t.Fatal("the stored picture carries the WebP's chunks")
	}
	// Confirming again: the original is gone.
	if r := e.do(o, "POST", "/api/v1/me/avatar/uploads/"+up.UploadID+"/confirm", nil); r.code < 400 || r.code >= 500 {
		t.Fatalf("second confirm: %d %s", r.code, r.body)
	}

	// A malformed WebP (the right magic, nothing decodable): 400 at confirm.
	bad := append([]byte{}, webp[:len(webp)/2]...)
	up = start("image/webp", bad)
	if st := put(up, bad, nil); st != http.StatusOK {
		t.Fatalf("upload of the malformed file: %d", st)
	}
	r := e.do(o, "POST", "/api/v1/me/avatar/uploads/"+up.UploadID+"/confirm", nil)
	if r.code != http.StatusBadRequest || !strings.Contains(r.hdr.Get("Content-Type"), "problem+json") || !strings.Contains(r.body, "picture") {
		t.Fatalf("malformed WebP: %d %s", r.code, r.body)
	}
	// The earlier picture stays.
	me := decodeInto[struct{ Version string }](t, e.must(e.do(o, "GET", "/api/v1/me/avatar", nil), 200, "me"))
	if me.Version != got.Version {
		t.Fatalf("after a refused upload the picture is %q, want %q", me.Version, got.Version)
	}
}

func headerNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
