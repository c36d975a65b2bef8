package avatar

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"github.com/quorum-app/quorum/internal/domain"
)

// The fixtures are real WebP files written by Chromium's encoder from one
// 48×32 canvas (x*5, y*7, 200 left of x=24 else 40; the top-left 4×4
// transparent): testdata/lossy-alpha.webp is lossy with an alpha channel
// (VP8X + ICCP + ALPH + VP8), testdata/lossless.webp is lossless (VP8X +
// ICCP + VP8L). Both carry a colour profile (ICCP), metadata that must not
// survive. testdata/photo-800x600.webp (lossy, 15 KB) is for the
// benchmark.

func fixture(t *testing.T, name string) []byte { return fixtureB(t, name) }

func fixtureB(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withMetadata adds an EXIF and an XMP chunk carrying a marker to a VP8X
// WebP (and sets their flags), as a camera or an editor would.
func withMetadata(t *testing.T, webp []byte) []byte {
	t.Helper()
	if string(webp[12:16]) != "VP8X" {
		t.Fatal("the fixture is not an extended WebP")
	}
	b := append([]byte{}, webp...)
	b[20] |= 1<<3 | 1<<2 // EXIF and XMP present
	chunk := func(id string, payload []byte) []byte {
		c := append([]byte(id), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(c[4:], uint32(len(payload)))
		c = append(c, payload...)
		if len(payload)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	b = append(b, chunk("EXIF", []byte("Exif\x00\x00GPS-SECRET-59.33N-18.06E"))...)
	b = append(b, chunk("XMP ", []byte(`<x:xmpmeta>XMP-SECRET</x:xmpmeta>`))...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func TestProcessWebP(t *testing.T) {
	for _, c := range []struct {
		name string
		tol  int // how far a colour may drift (the lossy encode, then JPEG)
	}{{"lossy-alpha.webp", 24}, {"lossless.webp", 12}} {
		t.Run(c.name, func(t *testing.T) {
			in := withMetadata(t, fixture(t, c.name))
			if ct, ok := Sniff(in); !ok || ct != "image/webp" {
				t.Fatalf("sniffed %q %v", ct, ok)
			}
			out, err := Process(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, side := range Sizes {
				b := out.Files[side]
				for _, secret := range []string{"GPS-SECRET", "XMP-SECRET", "Exif", "ICCP", "RIFF"} {
					if bytes.Contains(b, []byte(secret)) {
						t.Fatalf("%d px: %q survived", side, secret)
					}
				}
				img, format, err := image.Decode(bytes.NewReader(b))
				if err != nil || format != "jpeg" {
					t.Fatalf("%d px: %v %q", side, err, format)
				}
				if got := img.Bounds(); got.Dx() != side || got.Dy() != side {
					t.Fatalf("%d px: got %v", side, got)
				}
			}
			// The centre square (x 8..40) scaled to 64: output (16, 32) is
			// source (16, 16), rgb(80, 112, 200); (48, 32) is (32, 16),
			// rgb(160, 112, 40). The pixels are the upload's.
			small, err := jpeg.Decode(bytes.NewReader(out.Files[Small]))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []struct{ x, y, r, g, b int }{{16, 32, 80, 112, 200}, {48, 32, 160, 112, 40}} {
				r, g, b, _ := small.At(p.x, p.y).RGBA()
				if abs(int(r>>8)-p.r) > c.tol || abs(int(g>>8)-p.g) > c.tol || abs(int(b>>8)-p.b) > c.tol {
					t.Errorf("(%d,%d) = %d %d %d, want about %d %d %d", p.x, p.y, r>>8, g>>8, b>>8, p.r, p.g, p.b)
				}
			}
		})
	}
}

func TestProcessRefusesBadWebP(t *testing.T) {
	lossy := fixture(t, "lossy-alpha.webp")
	// Claims a 16000×16000 canvas in its VP8X header.
	huge := append([]byte{}, fixture(t, "lossless.webp")...)
	for _, off := range []int{24, 27} {
		huge[off], huge[off+1], huge[off+2] = 0x7f, 0x3e, 0 // 15999 = 0x3e7f
	}
	garbage := []byte("RIFF\x20\x00\x00\x00WEBPVP8 \x14\x00\x00\x00not a picture at all")
	for name, data := range map[string][]byte{
		"truncated": lossy[:len(lossy)/2],
		"garbage":   garbage,
		"huge":      huge,
	} {
		if ct, _ := Sniff(data); ct != "image/webp" {
			t.Fatalf("%s: sniffed %q, the test wants a WebP look-alike", name, ct)
		}
		_, err := Process(data)
		if domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
