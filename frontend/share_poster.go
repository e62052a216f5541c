package frontend

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"

	"golang.org/x/image/font"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/qrcode"
)

// ShareLinks reads a campaign's share link by its code (store.DB).
// ShareLink returns ENotFound for an unknown code.
type ShareLinks interface {
	ShareLink(ctx context.Context, code string) (*market.ShareLink, error)
}

// shareLinks is where the poster reads share links: the catalogue, when it
// can (store.DB is both), so that the poster needs no wiring of its own.
func (p *Pages) shareLinks() ShareLinks {
	s, _ := p.cfg.Catalogue.(ShareLinks)
	return s
}

// The poster is an A4 page at 150 dots per inch, portrait: what a venue
// prints for its window, a café for its counter.
const (
	posterWidth  = 1240
	posterHeight = 1754
	posterQR     = 780 // the side of the QR code's white square
)

// sharePoster serves /organisation/affiche/{code}.png: a printable poster
// of a share link with the campaign's title, its hashtags and a big QR code
// of the short link, so that a scan counts for the link like a click. An
// unknown or disabled code is a 404.
func (p *Pages) sharePoster(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	code := market.NormalizeShareCode(name)
	links := p.shareLinks()
	if !ok || code == "" || links == nil {
		p.page(p.notFound)(w, r)
		return
	}
	lang, _ := negotiate(r)
	l := newLocale(lang)
	link := p.baseURL(r) + "/s/" + code
	p.serveImage(w, r, "poster/"+code+"/"+lang, func() (image.Image, error) {
		sl, err := links.ShareLink(r.Context(), code)
		if err != nil {
			return nil, err
		}
		if sl.Disabled {
			return nil, market.NotFound("Lien")
		}
		c, err := p.cfg.Catalogue.Campaign(r.Context(), sl.Campaign)
		if err != nil {
			return nil, err
		}
		return posterImage(l, c, link)
	})
}

// posterImage draws the poster of a campaign's short link: the brand, the
// hashtags and the title on the brand colour, the QR code, and the link
// written out for those who type it.
func posterImage(l *locale, c *market.Campaign, link string) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := canvas(posterWidth, posterHeight, cream)
	const band, left, width = 600, 100, posterWidth - 200
	fillRect(img, image.Rect(0, 0, posterWidth, band), 0, brand)
	fillHeart(img, posterWidth-190, 150, 230, brandDark)
	brandMark(img, left, 130, white)

	tags := hashtags(c)
	if tags == "" {
		tags = c.Title
	}
	fc, lines, size := fitText(fonts.bold, drawable(fonts.bold, tags), 104, 56, width, 2)
	y := 200 + int(size)
	for _, line := range lines {
		text(img, fc, white, left, y, line)
		y += int(size * 1.1)
	}
	// A title that starts with the first hashtag ("#billetsolidaire : …")
	// does not say it twice.
	name := c.Title
	if len(c.Hashtags) > 0 {
		name = strings.TrimSpace(strings.TrimPrefix(name, "#"+c.Hashtags[0]+" :"))
	}
	title := face(fonts.regular, 52)
	y += 24
	for _, line := range wrap(title, drawable(fonts.regular, name), width, 3) {
		if y > band-30 {
			break
		}
		text(img, title, white, left, y, line)
		y += 66
	}

	// The QR code on a white square, module by module: whole pixels, so
	// that a printer keeps its edges sharp.
	top := band + 60
	box := image.Rect((posterWidth-posterQR)/2, top, (posterWidth+posterQR)/2, top+posterQR)
	fillRect(img, box, 28, white)
	if err := drawQR(img, box, link); err != nil {
		return nil, err
	}

	center := func(fc font.Face, col color.RGBA, y int, s string) {
		text(img, fc, col, (posterWidth-textWidth(fc, s))/2, y, s)
	}
	scan := face(fonts.bold, 64)
	center(scan, ink, box.Max.Y+110, drawable(fonts.bold, l.must("poster.scan")))
	or := face(fonts.regular, 36)
	center(or, muted, box.Max.Y+175, drawable(fonts.regular, l.must("poster.or")))
	short := strings.TrimPrefix(strings.TrimPrefix(link, "https://"), "http://")
	url, _, _ := fitText(fonts.bold, short, 48, 28, width, 1)
	center(url, brandDark, box.Max.Y+240, short)
	return img, nil
}

// drawQR paints a QR code of text centred in box, as large as whole pixels
// per module allow.
func drawQR(img *image.RGBA, box image.Rectangle, text string) error {
	b, err := qrcode.PNG(text)
	if err != nil {
		return err
	}
	qr, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	modules := qr.Bounds().Dx() / qrcode.Scale
	if modules == 0 {
		return fmt.Errorf("poster: empty QR code")
	}
	px := box.Dx() / modules
	x0 := box.Min.X + (box.Dx()-px*modules)/2
	y0 := box.Min.Y + (box.Dy()-px*modules)/2
	for my := range modules {
		for mx := range modules {
			r, _, _, _ := qr.At(mx*qrcode.Scale+qrcode.Scale/2, my*qrcode.Scale+qrcode.Scale/2).RGBA()
			if r < 0x8000 {
				fillRect(img, image.Rect(x0+mx*px, y0+my*px, x0+(mx+1)*px, y0+(my+1)*px), 0, ink)
			}
		}
	}
	return nil
}

// shareLinkNotFound is the 404 page of a share link that does not exist or
// was disabled: it says so, and leads to the campaigns.
func shareLinkNotFound(l *locale) *page {
	return &page{view: "message", status: http.StatusNotFound, Title: l.must("share.notfound.title"),
		Description: l.must("site.description"), NoIndex: true,
		Data: &messageData{Heading: l.must("share.notfound.heading"), Text: l.must("share.notfound.text"),
			Link: "/#campagnes", Label: l.must("share.notfound.link")}}
}
