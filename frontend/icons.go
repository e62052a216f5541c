package frontend

import (
	"bytes"
	"image"
	"image/png"
	"sync"
)

// icons draws the app's icons once: a white heart on the brand colour. They
// are drawn rather than committed so that the palette lives in one place
// and the repository holds no binary files.
var icons = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	for name, spec := range map[string]struct {
		size    int
		rounded bool    // a rounded square, for where the platform does not shape icons
		heart   float64 // the heart's width, as a share of the icon's
	}{
		"icon-192.png": {192, true, 0.56},
		"icon-512.png": {512, true, 0.56},
		// Maskable icons are cropped to a circle of 80 % by the platform:
		// full bleed, and the heart inside the safe zone.
		"icon-maskable-512.png": {512, false, 0.46},
		// iOS rounds the corners itself and shows transparency as black.
		"apple-touch-icon.png": {180, false, 0.56},
	} {
		s := float64(spec.size)
		img := image.NewRGBA(image.Rect(0, 0, spec.size, spec.size))
		if spec.rounded {
			fillRect(img, img.Bounds(), s*0.22, brand)
		} else {
			fillRect(img, img.Bounds(), 0, brand)
		}
		fillHeart(img, s/2, s/2+s*0.02, s*spec.heart, white)
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			panic(err) // encoding to memory cannot fail
		}
		out[name] = b.Bytes()
	}
	return out
})
