package passes

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/solidaire-app/solidaire/internal/mark"
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
		mark.FillHeart(img, float64(s)/2, float64(s)/2+float64(s)*0.02, float64(s)*0.6, white)
		out[imageName("icon", scale)] = encodePNG(img)
	}
	for _, scale := range []int{1, 2} {
		// Apple's logo area is at most 160×50 points; a square heart at the
		// left leaves room for the logo text.
		h := 50 * scale
		img := image.NewRGBA(image.Rect(0, 0, h, h))
		mark.FillHeart(img, float64(h)/2, float64(h)/2+float64(h)*0.02, float64(h)*0.7, white)
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
