package frontend

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"sync"

	"github.com/solidaire-app/solidaire/internal/mark"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The palette, shared by the stylesheet (static/app.css repeats these
// values), the manifest, the icons and the share images, so that a shared
// link, the installed icon and the page look like one thing.
const (
	colorBrand      = "#b3261e" // buttons, hearts, theme colour
	colorBackground = "#fbf7f2" // page background, manifest background
)

var (
	brand     = color.RGBA{0xb3, 0x26, 0x1e, 0xff}
	brandDark = color.RGBA{0x8c, 0x1d, 0x17, 0xff}
	cream     = color.RGBA{0xfb, 0xf7, 0xf2, 0xff}
	blush     = color.RGBA{0xf6, 0xdf, 0xdb, 0xff}
	ink       = color.RGBA{0x1f, 0x1a, 0x17, 0xff}
	muted     = color.RGBA{0x5c, 0x53, 0x4d, 0xff}
	white     = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// The Go fonts are embedded in golang.org/x/image and cover French and
// English (accents, «», €, œ), so images render the same on every server.
var fonts struct {
	once          sync.Once
	regular, bold *opentype.Font
	err           error
}

func loadFonts() error {
	fonts.once.Do(func() {
		if fonts.regular, fonts.err = opentype.Parse(goregular.TTF); fonts.err != nil {
			return
		}
		fonts.bold, fonts.err = opentype.Parse(gobold.TTF)
	})
	return fonts.err
}

// face returns a face of f at size pixels. Faces are not safe for
// concurrent use, so every drawing makes its own.
func face(f *opentype.Font, size float64) font.Face {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // only invalid options get here, and they are constants
	}
	return fc
}

// drawable replaces what the font cannot draw: the narrow no-break space of
// French money becomes a no-break space, anything else unknown a space.
func drawable(f *opentype.Font, s string) string {
	var buf sfnt.Buffer
	return strings.Map(func(r rune) rune {
		if r == '\u202f' {
			return '\u00a0'
		}
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			return ' '
		}
		return r
	}, s)
}

// text draws s with its baseline's left end at (x, y).
func text(dst draw.Image, fc font.Face, col color.Color, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(col), Face: fc, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// textWidth is the width of s in fc, in pixels.
func textWidth(fc font.Face, s string) int {
	return font.MeasureString(fc, s).Ceil()
}

// wrap breaks s into lines no wider than width, at most maxLines of them,
// the last one ending with an ellipsis when text was left out.
func wrap(fc font.Face, s string, width, maxLines int) []string {
	var lines []string
	line := ""
	words := strings.Fields(s)
	for _, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if textWidth(fc, try) <= width || line == "" {
			line = try
			continue
		}
		lines = append(lines, line)
		line = w
		if len(lines) == maxLines {
			last := lines[maxLines-1]
			for textWidth(fc, last+"…") > width && strings.Contains(last, " ") {
				last = last[:strings.LastIndex(last, " ")]
			}
			lines[maxLines-1] = last + "…"
			return lines
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// fitText picks the largest face, from size down to minSize, in which s
// holds in maxLines lines of width, and returns it with the lines.
func fitText(f *opentype.Font, s string, size, minSize float64, width, maxLines int) (font.Face, []string, float64) {
	for ; size > minSize; size -= 4 {
		fc := face(f, size)
		lines := wrap(fc, s, width, maxLines+1)
		fits := len(lines) <= maxLines
		for _, line := range lines {
			// A single word wider than the line (a long hashtag) is never
			// broken: a smaller size must make it fit.
			fits = fits && textWidth(fc, line) <= width
		}
		if fits {
			return fc, lines, size
		}
	}
	fc := face(f, minSize)
	return fc, wrap(fc, s, width, maxLines), minSize
}

// fillRect paints a rectangle with rounded corners of radius rad, its edges
// anti-aliased by the distance to each corner's circle.
func fillRect(dst *image.RGBA, r image.Rectangle, rad float64, col color.RGBA) {
	if rad <= 0 {
		draw.Draw(dst, r, image.NewUniform(col), image.Point{}, draw.Over)
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			cx := math.Max(float64(r.Min.X)+rad, math.Min(px, float64(r.Max.X)-rad))
			cy := math.Max(float64(r.Min.Y)+rad, math.Min(py, float64(r.Max.Y)-rad))
			d := math.Hypot(px-cx, py-cy)
			blend(dst, x, y, col, clamp(rad-d+0.5))
		}
	}
}

// clamp keeps a coverage within [0, 1].
func clamp(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// fillHeart paints the brand's heart (mark.FillHeart).
func fillHeart(dst *image.RGBA, cx, cy, size float64, col color.RGBA) {
	mark.FillHeart(dst, cx, cy, size, col)
}

// blend paints col over the pixel at (x, y) with coverage a (mark.Blend).
func blend(dst *image.RGBA, x, y int, col color.RGBA, a float64) { mark.Blend(dst, x, y, col, a) }

// canvas returns an image of w×h filled with bg.
func canvas(w, h int, bg color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	return img
}
