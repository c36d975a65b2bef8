// Package avatar turns an uploaded picture into a person's avatar: it
// checks the bytes (by content, never by name), decodes them, crops the
// centre square, scales it down to the sizes pages show and re-encodes each
// as a fresh JPEG. Re-encoding from pixels is what strips the metadata:
// nothing of the upload but its pixels (no EXIF, no GPS position, no
// comment, no colour profile, no thumbnail) reaches the stored files.
//
// The package is pure (no storage); the account core owns the stored
// avatar (internal/account/avatar.go).
package avatar

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoder: a GIF's first frame
	"image/jpeg"
	_ "image/png" // decoder
	"net/http"

	_ "golang.org/x/image/webp" // decoder: lossy and lossless, with or without alpha (VP8, VP8L, VP8X)

	"github.com/quorum-app/quorum/internal/avatar/limits"
	"github.com/quorum-app/quorum/internal/domain"
)

// Limits of an uploaded picture (internal/avatar/limits, which the
// account core imports without the decoders).
const (
	// MaxBytes bounds the upload.
	MaxBytes = limits.MaxBytes
	// MaxPixels bounds the decoded picture (width × height), so a small
	// file that claims huge dimensions cannot exhaust memory.
	MaxPixels = limits.MaxPixels
	// MaxSide bounds either side.
	MaxSide = limits.MaxSide
	// Large and Small are the sides of the stored squares.
	Large = limits.Large
	Small = limits.Small
	// jpegQuality of the stored files.
	jpegQuality = 85
)

// Types are the accepted content types (what http.DetectContentType says
// of the bytes). WebP is decoded by golang.org/x/image/webp; its metadata
// chunks (EXIF, XMP, ICCP) are never read, and the stored files are
// JPEGs encoded afresh from the pixels, as for the other types.
var Types = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// Sizes are the stored sizes, largest first.
var Sizes = limits.Sizes()

// Processed is a picture made into avatars: one JPEG per size of Sizes.
type Processed = limits.Processed

// Sniff returns the content type of data if it is an accepted picture,
// looking at the bytes only.
func Sniff(data []byte) (string, bool) {
	ct := http.DetectContentType(data)
	for _, t := range Types {
		if ct == t {
			return ct, true
		}
	}
	return ct, false
}

// Process checks and converts an uploaded picture. Errors are
// domain.Invalid with the field "picture".
func Process(data []byte) (Processed, error) {
	bad := func(format string, args ...any) (Processed, error) {
		var fe domain.FieldErrors
		fe.Add("picture", format, args...)
		return Processed{}, fe.Err()
	}
	switch {
	case len(data) == 0:
		return bad("the file is empty")
	case len(data) > MaxBytes:
		return bad("the picture is larger than the %d MB limit", MaxBytes>>20)
	}
	if _, ok := Sniff(data); !ok {
		return bad("the picture must be a JPEG, PNG, GIF or WebP image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return bad("the picture could not be read")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return bad("the picture is too large (at most %d pixels a side)", MaxSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return bad("the picture could not be read")
	}
	sq := centreSquare(img.Bounds())
	out := Processed{Files: map[int][]byte{}}
	for _, side := range Sizes {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, scale(img, sq, side), &jpeg.Options{Quality: jpegQuality}); err != nil {
			return Processed{}, fmt.Errorf("avatar: encode: %w", err)
		}
		out.Files[side] = buf.Bytes()
	}
	return out, nil
}

// centreSquare is the largest square in the middle of r.
func centreSquare(r image.Rectangle) image.Rectangle {
	w, h := r.Dx(), r.Dy()
	if w > h {
		x := r.Min.X + (w-h)/2
		return image.Rect(x, r.Min.Y, x+h, r.Max.Y)
	}
	y := r.Min.Y + (h-w)/2
	return image.Rect(r.Min.X, y, r.Max.X, y+w)
}

// scale draws the square src of img into a side×side picture, each output
// pixel the average of the source pixels it covers (a box filter: good
// for scaling down, which is what avatars do; a smaller source is
// enlarged by repeating pixels). Transparency is laid on white.
func scale(img image.Image, src image.Rectangle, side int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	n := src.Dx()
	for dy := 0; dy < side; dy++ {
		y0 := src.Min.Y + dy*n/side
		y1 := src.Min.Y + (dy+1)*n/side
		if y1 <= y0 {
			y1 = y0 + 1
		}
		for dx := 0; dx < side; dx++ {
			x0 := src.Min.X + dx*n/side
			x1 := src.Min.X + (dx+1)*n/side
			if x1 <= x0 {
				x1 = x0 + 1
			}
			var r, g, b, cnt uint64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					cr, cg, cb, ca := img.At(x, y).RGBA()
					// Premultiplied: add white for what is transparent.
					white := uint64(0xffff - ca)
					r += uint64(cr) + white
					g += uint64(cg) + white
					b += uint64(cb) + white
					cnt++
				}
			}
			dst.SetRGBA(dx, dy, color.RGBA{R: uint8(r / cnt >> 8), G: uint8(g / cnt >> 8), B: uint8(b / cnt >> 8), A: 0xff})
		}
	}
	return dst
}
