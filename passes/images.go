package passes

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"
)

// The brand colour (the site's theme colour) and the colours drawn on it.
var (
	brand     = color.RGBA{0xb3, 0x26, 0x1e, 0xff}
	white     = color.RGBA{0xff, 0xff, 0xff, 0xff}
	brandHex  = "#b3261e"
	brandRGB  = "rgb(179, 38, 30)"
	whiteRGB  = "rgb(255, 255, 255)"
	labelRGB  = "rgb(255, 222, 214)"
	passImage = sync.OnceValue(drawPassImages)
)

// drawPassImages draws a pass's images once: the icon (a white heart on the
// brand colour, shown in notifications and on the lock screen) at 1x, 2x and
// 3x, and the logo (a white heart on transparency, shown on the pass's brand
// background next to the logo text) at 1x and 2x. They are drawn rather than
// committed so the repository holds no binary files.
func drawPassImages() map[string][]byte {
	out := map[string][]byte{}
	for _, scale := range []int{1, 2, 3} {
		s := 29 * scale
		img := image.NewRGBA(image.Rect(0, 0, s, s))
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				img.SetRGBA(x, y, brand)
			}
		}
		fillHeart(img, float64(s)/2, float64(s)/2+float64(s)*0.02, float64(s)*0.6)
		out[imageName("icon", scale)] = encodePNG(img)
	}
	for _, scale := range []int{1, 2} {
		// Apple's logo area is at most 160×50 points; a square heart at the
		// left leaves room for the logo text.
		h := 50 * scale
		img := image.NewRGBA(image.Rect(0, 0, h, h))
		fillHeart(img, float64(h)/2, float64(h)/2+float64(h)*0.02, float64(h)*0.7)
		out[imageName("logo", scale)] = encodePNG(img)
	}
	return out
}

func imageName(base string, scale int) string {
	switch scale {
	case 1:
		return base + ".png"
	case 2:
		return base + "@2x.png"
	}
	return base + "@3x.png"
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return b.Bytes()
}

// fillHeart paints a white heart of width size centred on (cx, cy), with
// 4×4 supersampling for smooth edges: the points inside the curve
// (x²+y²−1)³ − x²y³ ≤ 0.
func fillHeart(dst *image.RGBA, cx, cy, size float64) {
	s := size / 2.3
	b := image.Rect(int(cx-size/2)-1, int(cy-size/2)-1, int(cx+size/2)+2, int(cy+size/2)+2).Intersect(dst.Bounds())
	const n = 4
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			hits := 0
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					hx := (float64(x) + (float64(sx)+0.5)/n - cx) / s
					hy := -(float64(y)+(float64(sy)+0.5)/n-cy)/s + 0.1
					a := hx*hx + hy*hy - 1
					if a*a*a-hx*hx*hy*hy*hy <= 0 {
						hits++
					}
				}
			}
			if hits > 0 {
				blend(dst, x, y, float64(hits)/(n*n))
			}
		}
	}
}

// blend paints white over the pixel at (x, y) with coverage a (image.RGBA
// is alpha-premultiplied, so "over" mixes every channel alike).
func blend(dst *image.RGBA, x, y int, a float64) {
	o := dst.RGBAAt(x, y)
	mix := func(c, d uint8) uint8 { return uint8(float64(c)*a + float64(d)*(1-a) + 0.5) }
	dst.SetRGBA(x, y, color.RGBA{mix(white.R, o.R), mix(white.G, o.G), mix(white.B, o.B), mix(white.A, o.A)})
}
