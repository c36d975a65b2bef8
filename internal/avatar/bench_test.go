package avatar

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// Making the avatar squares from an 800×600 picture (a typical phone
// photo after the browser's own resizing would be larger; this is the
// decode + box-filter + two JPEG encodes a confirm pays), WebP against the
// same pixels as a JPEG. Run: go test -run '^$' -bench Process ./internal/avatar
func BenchmarkProcess(b *testing.B) {
	webp := fixtureB(b, "photo-800x600.webp")
	img, _, err := image.Decode(bytes.NewReader(webp))
	if err != nil {
		b.Fatal(err)
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"webp-lossy-800x600", webp}, {"jpeg-800x600", j.Bytes()}, {"webp-lossless-48x32", fixtureB(b, "lossless.webp")}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Process(c.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
