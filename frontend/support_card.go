package frontend

import (
	"image"
	"image/color"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/solidaire-app/solidaire/market"
)

// supportCardImage draws a supporter's share card for m: 1200×630, or
// 1080×1080 when square. It says who was supported and the hashtag,
// with name ("Awa a soutenu…") only when the buyer typed one; never an
// amount.
func supportCardImage(l *locale, m *market.Merchant, name string, square bool) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	who := l.must("support.card.self")
	if name != "" {
		who = l.must("support.card.named", name)
	}
	tag := l.must("support.hashtag")
	meta := l.Category(m.Category) + "  •  " + m.City
	if square {
		return supportSquare(m, who, meta, tag), nil
	}
	img := canvas(ogWidth, ogHeight, cream)
	fillHeart(img, 1010, 330, 520, blush)
	fillHeart(img, 1010, 330, 180, brand)
	fillRect(img, image.Rect(0, 0, 24, ogHeight), 0, brand)
	brandMark(img, 80, 110, ink)

	const left, width = 80, 780
	lead, _, _ := fitText(fonts.bold, drawable(fonts.bold, who), 52, 36, width, 1)
	text(img, lead, brand, left, 205, drawable(fonts.bold, who))
	fc, lines, size := fitText(fonts.bold, drawable(fonts.bold, m.Name), 84, 48, width, 2)
	y := 215 + int(size)
	for i, line := range lines {
		if i > 0 {
			y += int(size * 1.1)
		}
		text(img, fc, ink, left, y, line)
	}
	small := face(fonts.regular, 36)
	text(img, small, muted, left, y+60, drawable(fonts.regular, meta))
	pill(img, left, ogHeight-130, drawable(fonts.bold, tag))
	return img, nil
}

// supportSquare is the square card: the brand colour, a white heart, and
// the same words centred.
func supportSquare(m *market.Merchant, who, meta, tag string) image.Image {
	img := canvas(squareSide, squareSide, brand)
	brandMark(img, 80, 130, white)
	fillHeart(img, squareSide/2, 400, 340, white)
	fillHeart(img, squareSide/2, 400, 150, brand)
	center := func(fc font.Face, col color.RGBA, y int, s string) {
		text(img, fc, col, (squareSide-textWidth(fc, s))/2, y, s)
	}
	const width = squareSide - 160
	lead, _, _ := fitText(fonts.bold, drawable(fonts.bold, who), 56, 36, width, 1)
	center(lead, white, 670, drawable(fonts.bold, who))
	fc, lines, size := fitText(fonts.bold, drawable(fonts.bold, m.Name), 88, 48, width, 2)
	y := 680 + int(size)
	for i, line := range lines {
		if i > 0 {
			y += int(size * 1.1)
		}
		center(fc, white, y, line)
	}
	center(face(fonts.regular, 36), blush, y+60, drawable(fonts.regular, meta))
	// The hashtag on a white pill.
	tf := face(fonts.bold, 40)
	tag = drawable(fonts.bold, tag)
	w := textWidth(tf, tag) + 80
	top := squareSide - 150
	fillRect(img, image.Rect((squareSide-w)/2, top, (squareSide+w)/2, top+84), 42, white)
	center(tf, brand, top+56, tag)
	return img
}

// The frame's ring: its outer and inner radius on the 1080 square.
const (
	frameOuter = frameSide / 2
	frameInner = frameOuter - 124
)

// supportFrameImage draws the profile picture's frame for m: a
// transparent square with a ring in the brand colour, "J'AI SOUTENU
// {COMMERCE}" along its top, the hashtag along its bottom, and a heart on
// each side. The browser draws it over the buyer's photo.
func supportFrameImage(l *locale, m *market.Merchant) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, frameSide, frameSide))
	c := float64(frameSide) / 2
	for y := range frameSide {
		for x := range frameSide {
			d := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c)
			if a := clamp(frameOuter-d+0.5) * clamp(d-frameInner+0.5); a > 0 {
				blend(img, x, y, brand, a)
			}
		}
	}
	mid := float64(frameOuter+frameInner) / 2
	fillHeart(img, c-mid, c, 70, white)
	fillHeart(img, c+mid, c, 70, white)
	// The top arc runs from one heart to the other: about 2.6 radians.
	top := drawable(fonts.bold, strings.ToUpper(l.must("support.frame.ring", m.Name)))
	ringText(img, fonts.bold, top, 60, 34, c, c, mid, 2.6, false, white)
	ringText(img, fonts.bold, drawable(fonts.bold, strings.ToUpper(l.must("support.hashtag"))), 60, 34, c, c, mid, 2.6, true, white)
	return img, nil
}

// ringText draws s along a circle of radius r around (cx, cy), centred on
// its top (or, with bottom, on its bottom, read left to right), each
// glyph turned to stand on the circle. The largest size from size down to
// minSize that fits within arc radians is used; at minSize text that does
// not fit ends with an ellipsis.
func ringText(img *image.RGBA, f *opentype.Font, s string, size, minSize, cx, cy, r, arc float64, bottom bool, col color.RGBA) {
	var fc font.Face
	var widths []float64
	var total float64
	runes := []rune(s)
	measure := func() {
		widths, total = widths[:0], 0
		for _, ch := range runes {
			adv, _ := fc.GlyphAdvance(ch)
			w := float64(adv)/64 + size*0.08 // a little tracking reads better on a curve
			widths = append(widths, w)
			total += w
		}
	}
	for ; ; size -= 2 {
		fc = face(f, size)
		measure()
		if total <= arc*r || size <= minSize {
			break
		}
	}
	for total > arc*r && len(runes) > 2 {
		runes = append(runes[:len(runes)-2], '…')
		measure()
	}
	// Each glyph is drawn upright into a small mask centred on its middle,
	// then copied turned by the angle of its place on the circle.
	side := int(size * 2)
	half := float64(side) / 2
	capHeight := size * 0.72
	pos := 0.0
	for i, ch := range runes {
		w := widths[i]
		along := (pos + w/2 - total/2) / r
		pos += w
		if ch == ' ' {
			continue
		}
		theta, phi := -math.Pi/2+along, along
		if bottom {
			theta, phi = math.Pi/2-along, -along
		}
		gx, gy := cx+r*math.Cos(theta), cy+r*math.Sin(theta)
		mask := image.NewAlpha(image.Rect(0, 0, side, side))
		adv := w - size*0.08
		d := font.Drawer{Dst: mask, Src: image.Opaque, Face: fc,
			Dot: fixed.Point26_6{X: fixed.Int26_6((half - adv/2) * 64), Y: fixed.Int26_6((half + capHeight/2) * 64)}}
		d.DrawString(string(ch))
		cos, sin := math.Cos(phi), math.Sin(phi)
		for y := int(gy - half); y <= int(gy+half); y++ {
			for x := int(gx - half); x <= int(gx+half); x++ {
				rx, ry := float64(x)+0.5-gx, float64(y)+0.5-gy
				lx, ly := rx*cos+ry*sin+half, -rx*sin+ry*cos+half
				if a := sampleAlpha(mask, lx, ly); a > 0 {
					blend(img, x, y, col, a)
				}
			}
		}
	}
}

// sampleAlpha reads a mask at a point between pixels, bilinearly, in [0, 1].
func sampleAlpha(m *image.Alpha, x, y float64) float64 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		if !(image.Point{x, y}.In(m.Rect)) {
			return 0
		}
		return float64(m.AlphaAt(x, y).A) / 255
	}
	top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
	bot := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
	return top*(1-fy) + bot*fy
}
