package market

import (
	"context"
	"io"
)

// EUnsupportedMedia is a file whose content is not one of the accepted
// kinds (a photo that is not JPEG, PNG or WebP, whatever its name says).
const EUnsupportedMedia = "unsupported_media_type"

// MaxPhotoBytes bounds an uploaded photo.
const MaxPhotoBytes = 10 << 20

// ResizedImage is an uploaded photo decoded (within pixel limits, so that a
// decompression bomb is refused before it is decoded), stripped of its
// metadata (EXIF, GPS), and encoded again as JPEG at each width.
type ResizedImage struct {
	Width, Height int            // of the original, after orientation
	Variants      []ImageVariant // ascending widths, none wider than the original
}

// ImageVariant is one width of a resized photo, as JPEG.
type ImageVariant struct {
	Width, Height int
	JPEG          []byte
}

// ImageResizer turns an upload into the widths a page serves (package
// photo). It returns EUnsupportedMedia for content that is not JPEG, PNG or
// WebP, EInvalid for an image too large in pixels or broken, ETooLarge for
// more than MaxPhotoBytes.
type ImageResizer interface {
	Resize(r io.Reader) (*ResizedImage, error)
}

// FileStore keeps files by key (package storage): a local directory, or an
// S3-compatible bucket shared by every instance. Get returns ENotFound for
// an unknown key; Delete of an unknown key is not an error.
type FileStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, *FileInfo, error)
	Delete(ctx context.Context, key string) error
}

// FileInfo is what a FileStore knows of a stored file.
type FileInfo struct {
	Size        int64
	ContentType string
	ETag        string
}
