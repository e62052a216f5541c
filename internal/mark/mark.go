// Package mark draws Solidaire's mark (the heart) for the pages' images
// and the phone wallets' passes, so both show the same one.
package mark

import (
	"image"
	"image/color"
)

// FillHeart paints a heart centred on (cx, cy), size pixels wide, sampling
// each pixel 4×4 times for smooth edges. The curve is
// (x²+y²−1)³ − x²y³ ≤ 0, which is about 2.3 units wide.
func FillHeart(dst *image.RGBA, cx, cy, size float64, col color.RGBA) {
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
				Blend(dst, x, y, col, float64(hits)/(n*n))
			}
		}
	}
}

// Blend paints col over the pixel at (x, y) with coverage a.
func Blend(dst *image.RGBA, x, y int, col color.RGBA, a float64) {
	if a <= 0 || !(image.Point{x, y}.In(dst.Bounds())) {
		return
	}
	if a >= 1 {
		dst.SetRGBA(x, y, col)
		return
	}
	o := dst.RGBAAt(x, y)
	// image.RGBA is alpha-premultiplied: "over" mixes every channel alike,
	// which keeps the edges of a shape on a transparent icon clean.
	mix := func(c, d uint8) uint8 { return uint8(float64(c)*a + float64(d)*(1-a) + 0.5) }
	dst.SetRGBA(x, y, color.RGBA{mix(col.R, o.R), mix(col.G, o.G), mix(col.B, o.B), mix(col.A, o.A)})
}
