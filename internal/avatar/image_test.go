package avatar

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
)

// photo is a JPEG of w×h with an EXIF segment (APP1) that carries a
// recognisable marker where a camera puts its GPS position.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := append([]byte("Exif\x00\x00"), []byte("GPS-SECRET-52.5200N-13.4050E")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestProcessStripsMetadataAndMakesSquares(t *testing.T) {
	in := photo(t, 640, 480)
	if !bytes.Contains(in, []byte("GPS-SECRET")) {
		t.Fatal("the test photo has no EXIF marker")
	}
	out, err := Process(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range Sizes {
		b := out.Files[side]
		if bytes.Contains(b, []byte("GPS-SECRET")) || bytes.Contains(b, []byte("Exif")) {
			t.Fatalf("%d px: metadata survived", side)
		}
		img, format, err := image.Decode(bytes.NewReader(b))
		if err != nil || format != "jpeg" {
			t.Fatalf("%d px: %v %q", side, err, format)
		}
		if got := img.Bounds(); got.Dx() != side || got.Dy() != side {
			t.Fatalf("%d px: got %v", side, got)
		}
	}
}

func TestProcessPNGWithTransparencyAndSmallPicture(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 30, 50))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	out, err := Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	small, _, err := image.Decode(bytes.NewReader(out.Files[Small]))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := small.At(10, 10).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Fatalf("transparent pixels should be white, got %d %d %d", r>>8, g>>8, b>>8)
	}
}

func TestProcessRefuses(t *testing.T) {
	big := make([]byte, MaxBytes+1)
	copy(big, photo(t, 8, 8))
	// A PNG header claiming 20000×20000 pixels.
	var huge bytes.Buffer
	if err := png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	hb := huge.Bytes()
	hb[16], hb[17], hb[18], hb[19] = 0, 0, 0x4e, 0x20
	hb[20], hb[21], hb[22], hb[23] = 0, 0, 0x4e, 0x20
	for name, data := range map[string][]byte{
		"empty":      nil,
		"too large":  big,
		"pdf":        []byte("%PDF-1.4 not a picture"),
		"html named": []byte("<html><body>hi</body></html>"),
		"truncated":  photo(t, 16, 16)[:40],
		"huge":       hb,
	} {
		_, err := Process(data)
		if domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
}
