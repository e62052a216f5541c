package frontend

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

// "J'ai soutenu {commerce} #achatlocal": after a purchase the confirmation
// offers the buyer a share card (an image that says whom they supported,
// never how much, and never who they are unless they type a first name),
// share buttons, and a profile-picture frame applied to a photo in the
// browser (src/support.ts; the photo never leaves the phone). What people
// did by hand with frames in March 2020.

// The square card is Instagram's and the profile picture's shape.
const (
	squareSide = 1080
	frameSide  = 1080
)

// maxSupporterName bounds the first name a buyer may put on the card.
const maxSupporterName = 24

// supportView is the share section of a paid order's confirmation.
type supportView struct {
	Merchant string // the name on the card
	Slug     string
	Card     string // the card's path (1200×630), without the name
	Square   string // the square card's path
	Frame    string // the profile frame's transparent overlay
	Share    share  // the links, on the campaign's share link when the sale came from one
	Hashtag  string // #achatlocal, #shoplocal
	Heading  string
}

// supportSection prepares the share section of o, a paid order from a
// merchant (a programme's card has no merchant page to point to: nil).
// The link shared is the campaign's share link the buyer came by, so
// that the campaign counts what their post brings, else the merchant's
// page tagged as a supporter's share.
func (p *Pages) supportSection(ctx context.Context, r *http.Request, l *locale, o *market.Order, sel seller) *supportView {
	if o.Status != market.OrderPaid || sel.Card || o.MerchantSlug == "" {
		return nil
	}
	base := p.baseURL(r)
	link := base + "/m/" + o.MerchantSlug + "?" + url.Values{"utm_source": {"solidaire"}, "utm_medium": {"social"},
		"utm_campaign": {"soutien"}}.Encode()
	if code := market.NormalizeShareCode(o.Ref); code != "" {
		if links := p.shareLinks(); links != nil {
			if sl, err := links.ShareLink(ctx, code); err == nil && !sl.Disabled {
				link = base + "/s/" + code
			}
		}
	}
	tag := l.must("support.hashtag")
	slug := url.PathEscape(o.MerchantSlug)
	return &supportView{Merchant: o.MerchantName, Slug: o.MerchantSlug, Hashtag: tag,
		Card: "/soutien/" + slug + ".png", Square: "/soutien/" + slug + "/carre.png", Frame: "/soutien/" + slug + "/cadre.png",
		Heading: l.must("support.heading", o.MerchantName, tag),
		Share:   newShare(link, l.must("support.share.title", o.MerchantName), l.must("support.share.text", o.MerchantName, tag))}
}

// supporterName is the first name a buyer asked for on their card, made
// safe to draw: letters, marks, spaces, hyphens, apostrophes and dots
// only, spaces collapsed, at most maxSupporterName characters. It is
// never stored: not in the image cache, not in a log (which records
// routes, not queries).
func supporterName(s string) string {
	if !utf8.ValidString(s) {
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsMark(r), r == '-', r == '\'', r == '’', r == '.':
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		}
	}
	name := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(name) > maxSupporterName {
		name = strings.TrimSpace(string([]rune(name)[:maxSupporterName]))
	}
	if strings.Trim(name, "-'’. ") == "" {
		return ""
	}
	return name
}

// supportCard serves /soutien/{slug}.png (1200×630, what link previews
// and most feeds show) and /soutien/{slug}/carre.png (1080×1080): "J'ai
// soutenu {commerce} #achatlocal", or "{nom} a soutenu…" with ?nom=. The
// merchant must be approved; an unknown one is a 404.
func (p *Pages) supportCard(w http.ResponseWriter, r *http.Request) {
	slug, square := r.PathValue("slug"), true
	if slug == "" {
		var ok bool
		if slug, ok = strings.CutSuffix(r.PathValue("file"), ".png"); !ok {
			p.page(p.notFound)(w, r)
			return
		}
		square = false
	}
	lang, _ := negotiate(r)
	l := newLocale(lang)
	name := supporterName(r.URL.Query().Get("nom"))
	draw := func() (image.Image, error) {
		m, err := p.approvedMerchant(r, slug)
		if err != nil {
			return nil, err
		}
		return supportCardImage(l, m, name, square)
	}
	shape := "wide"
	if square {
		shape = "square"
	}
	if name == "" {
		p.serveImage(w, r, "support/"+shape+"/"+slug+"/"+lang, draw)
		return
	}
	// A named card is drawn for the request and kept nowhere on the
	// server; the browser may keep it.
	img, err := drawPNG(draw)
	if err != nil {
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveBytes(w, r, "image/png", "private, max-age=3600", img.etag, img.png, nil)
}

// supportFrame serves /soutien/{slug}/cadre.png: the profile picture's
// frame, a transparent 1080×1080 overlay that the browser draws over the
// buyer's photo.
func (p *Pages) supportFrame(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	lang, _ := negotiate(r)
	l := newLocale(lang)
	p.serveImage(w, r, "support/frame/"+slug+"/"+lang, func() (image.Image, error) {
		m, err := p.approvedMerchant(r, slug)
		if err != nil {
			return nil, err
		}
		return supportFrameImage(l, m)
	})
}

// drawPNG draws and encodes an image outside the cache.
func drawPNG(draw func() (image.Image, error)) (cachedImage, error) {
	img, err := draw()
	if err != nil {
		return cachedImage{}, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return cachedImage{}, err
	}
	return cachedImage{png: b.Bytes(), etag: etagOf(b.Bytes())}, nil
}
