// Package limits holds the sizes and limits of avatars (internal/avatar)
// without its image decoders: GIF, JPEG, PNG and WebP register themselves
// at package initialisation, so every binary importing internal/avatar
// links them (about 0.2 MB) and runs their initialisation at each cold
// start. The account core, which every function but ses-events links,
// needs only these; the api function, the one that takes uploads, hands it
// avatar.Process (account.(*Service).ProcessPicturesWith).
package limits

// Limits of an uploaded picture.
const (
	// MaxBytes bounds the upload.
	MaxBytes = 5 << 20
	// MaxPixels bounds the decoded picture (width × height), so a small
	// file that claims huge dimensions cannot exhaust memory.
	MaxPixels = 40_000_000
	// MaxSide bounds either side.
	MaxSide = 10_000
	// Large and Small are the sides of the stored squares.
	Large = 256
	Small = 64
)

// Sizes are the stored sizes, largest first.
func Sizes() []int { return []int{Large, Small} }

// Processed is a picture made into avatars: one JPEG per size of Sizes.
type Processed struct {
	Files map[int][]byte
}
