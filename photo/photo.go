// Package photo turns an uploaded photo into the JPEG widths a page serves
// (market.ImageResizer): it accepts JPEG, PNG and WebP, known by their
// content and never by a file name; refuses an image too large in pixels
// before decoding it, so that a decompression bomb (a small file declaring
// a huge image) costs nothing; decodes it once; turns it upright by its
// EXIF orientation; flattens transparency on white; scales it with
// Catmull-Rom to 320, 640 and 1280 pixels wide, never wider than it is; and
// encodes each width as JPEG anew, which drops every metadata segment of
// the upload (EXIF, GPS position, camera serial, thumbnails).
//
// Widths: the standard widths not wider than the image (a 1000 px wide
// photo gives 320 and 640); an image narrower than 320 px gives one width,
// its own.
package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/webp"

	"github.com/solidaire-app/solidaire/market"
)

// Defaults of a Resizer.
const (
	// DefaultQuality is the JPEG quality of every width: good on a phone's
	// screen at a fraction of the camera's bytes.
	DefaultQuality = 82
	// DefaultMaxPixels bounds width × height: 40 megapixels, more than any
	// phone's camera, is 160 MB once decoded.
	DefaultMaxPixels = 40_000_000
	// DefaultMaxSide bounds each side, in pixels.
	DefaultMaxSide = 12_000
)

// concurrent bounds how many photos are decoded and scaled at once in the
// process: each takes the decoded image (up to 60 MB for a 40-megapixel
// JPEG, 160 MB for such a PNG) and the widths drawn from it (a 2,560-pixel
// intermediate at most, 20 MB: see scale), so that more uploads at once
// wait their turn rather than exhaust the memory.
var concurrent = make(chan struct{}, 2)

// DefaultWidths are the widths a page serves, ascending.
var DefaultWidths = []int{320, 640, 1280}

// Resizer is a market.ImageResizer. Its zero value uses the defaults.
type Resizer struct {
	// Widths are the widths to make, ascending (DefaultWidths when nil).
	Widths []int
	// Quality is the JPEG quality, 1 to 100 (DefaultQuality when 0).
	Quality int
	// MaxPixels and MaxSide bound the image's size, checked before it is
	// decoded (DefaultMaxPixels and DefaultMaxSide when 0).
	MaxPixels, MaxSide int
}

var _ market.ImageResizer = (*Resizer)(nil)

// New returns a Resizer with the defaults.
func New() *Resizer { return &Resizer{} }

// kind is an accepted kind of image.
type kind int

const (
	kindJPEG kind = iota + 1
	kindPNG
	kindWebP
)

// Resize reads a photo (at most market.MaxPhotoBytes) and returns its
// widths as JPEG. It takes about a second for a 12-megapixel photo; at most
// two run their decoding and scaling at once in the process, the others
// wait. Errors: ETooLarge for a longer upload, EUnsupportedMedia
// for content that is not JPEG, PNG or WebP, EInvalid for an image too
// large in pixels, broken, or empty.
func (r *Resizer) Resize(in io.Reader) (*market.ResizedImage, error) {
	data, err := io.ReadAll(io.LimitReader(in, market.MaxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read: %w", err)
	}
	if len(data) > market.MaxPhotoBytes {
		return nil, market.Errorf(market.ETooLarge, "Cette photo dépasse %d Mo.", market.MaxPhotoBytes>>20)
	}
	k := detect(data)
	if k == 0 {
		return nil, market.Errorf(market.EUnsupportedMedia, "Ce fichier n'est pas une photo JPEG, PNG ou WebP.")
	}

	// The header alone says how large the image is: refuse a bomb before
	// the decoder allocates its pixels.
	var cfg image.Config
	switch k {
	case kindJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case kindPNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case kindWebP:
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, unreadable()
	}
	maxPixels, maxSide := or(r.MaxPixels, DefaultMaxPixels), or(r.MaxSide, DefaultMaxSide)
	if cfg.Width > maxSide || cfg.Height > maxSide || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, market.Errorf(market.EInvalid,
			"Cette image est trop grande (%s pixels au plus, et %s pixels de côté).",
			thousands(maxPixels), thousands(maxSide))
	}

	concurrent <- struct{}{}
	defer func() { <-concurrent }()
	var src image.Image
	switch k {
	case kindJPEG:
		src, err = jpeg.Decode(bytes.NewReader(data))
	case kindPNG:
		src, err = png.Decode(bytes.NewReader(data))
	case kindWebP:
		src, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, unreadable()
	}
	orientation := 1
	if k == kindJPEG {
		orientation = exifOrientation(data)
	}
	return r.variants(src, orientation)
}

// variants scales src to each width, largest first, each from the one
// before (one decode, one full-size pass), turns each upright, and encodes
// it.
func (r *Resizer) variants(src image.Image, orientation int) (*market.ResizedImage, error) {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h := sw, sh // upright
	turned := orientation >= 5
	if turned {
		w, h = h, w
	}
	widths := r.widthsFor(w)
	out := &market.ResizedImage{Width: w, Height: h, Variants: make([]market.ImageVariant, len(widths))}
	quality := or(r.Quality, DefaultQuality)

	var prev image.Image = src
	op := draw.Over // a transparent source is laid over white
	if o, ok := src.(interface{ Opaque() bool }); ok && o.Opaque() {
		op = draw.Src // faster, and the same
	}
	for i := len(widths) - 1; i >= 0; i-- {
		vw := widths[i]
		vh := max(1, int(math.Round(float64(h)*float64(vw)/float64(w))))
		dw, dh := vw, vh // in the source's orientation
		if turned {
			dw, dh = vh, vw
		}
		dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
		if op == draw.Over {
			draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		}
		if dw == prev.Bounds().Dx() && dh == prev.Bounds().Dy() {
			draw.Draw(dst, dst.Bounds(), prev, prev.Bounds().Min, op)
		} else {
			scale(dst, prev, op)
		}
		prev, op = dst, draw.Src // opaque from now on

		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, orient(dst, orientation), &jpeg.Options{Quality: quality}); err != nil {
			return nil, fmt.Errorf("photo: encode: %w", err)
		}
		out.Variants[i] = market.ImageVariant{Width: vw, Height: vh, JPEG: buf.Bytes()}
	}
	return out, nil
}

// widthsFor returns the widths to make of an image w pixels wide.
func (r *Resizer) widthsFor(w int) []int {
	all := r.Widths
	if all == nil {
		all = DefaultWidths
	}
	var widths []int
	for _, x := range all {
		if x <= w {
			widths = append(widths, x)
		}
	}
	if len(widths) == 0 {
		widths = []int{w}
	}
	return widths
}

// detect returns the kind of image data holds, by its first bytes, or 0.
func detect(data []byte) kind {
	if len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP" {
		return kindWebP
	}
	switch http.DetectContentType(data) {
	case "image/jpeg":
		return kindJPEG
	case "image/png":
		return kindPNG
	}
	return 0
}

// orient returns img turned upright by an EXIF orientation (1 to 8; any
// other value leaves it as it is).
func orient(img *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	ow, oh := w, h
	if orientation >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			var sx, sy int // the stored pixel shown at (x, y)
			switch orientation {
			case 2: // mirrored
				sx, sy = w-1-x, y
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sx, sy = x, h-1-y
			case 5: // mirrored, turned a quarter anticlockwise
				sx, sy = y, x
			case 6: // to be turned a quarter clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored, turned a quarter clockwise
				sx, sy = w-1-y, h-1-x
			case 8: // to be turned a quarter anticlockwise
				sx, sy = w-1-y, x
			}
			si, di := img.PixOffset(sx, sy), out.PixOffset(x, y)
			copy(out.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return out
}

// unreadable is the error of an image whose content is broken.
func unreadable() error {
	return market.Errorf(market.EInvalid, "Cette photo est illisible ou abîmée.")
}

// or returns v, or def when v is 0.
func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// thousands writes n the French way, with a narrow no-break space between
// groups of three digits: 40 000 000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, "\u202f"...)
		}
		b = append(b, s[i])
	}
	return string(b)
}

// scale draws src into dst, resized, with the Catmull-Rom kernel. It uses
// the kernel's Transform, which weighs each destination pixel's source
// pixels directly, rather than its Scale, whose two passes keep a
// temporary of 32 bytes per pixel of dst's width by src's height (49 MiB
// for 1280 px from a photo 1200 px high, 120 MiB from 3000 px): about 40 %
// more time for a tenth of the memory. A source more than twice as wide
// is first brought to twice the width by bilinear sampling, which loses
// nothing the kernel would keep and bounds the kernel's work.
func scale(dst *image.RGBA, src image.Image, op draw.Op) {
	b := src.Bounds()
	dw, dh := dst.Bounds().Dx(), dst.Bounds().Dy()
	if b.Dx() > 2*dw && b.Dy() > 2*dh {
		mid := image.NewRGBA(image.Rect(0, 0, 2*dw, 2*dh))
		if op == draw.Over {
			draw.Draw(mid, mid.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		}
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, b, op, nil)
		src, b, op = mid, mid.Bounds(), draw.Src
	}
	sx, sy := float64(dw)/float64(b.Dx()), float64(dh)/float64(b.Dy())
	s2d := f64.Aff3{sx, 0, -sx * float64(b.Min.X), 0, sy, -sy * float64(b.Min.Y)}
	draw.CatmullRom.Transform(dst, s2d, src, b, op, nil)
}
