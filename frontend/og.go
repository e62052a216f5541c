package frontend

import (
	"bytes"
	"golang.org/x/image/font"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Share images are 1200×630, the size Facebook, WhatsApp, LinkedIn and X
// all crop least.
const (
	ogWidth  = 1200
	ogHeight = 630
)

// imageCacheTTL bounds how stale a campaign's counter may look in a share
// image; it also means a link shared a thousand times in a minute draws
// its image once.
const imageCacheTTL = 5 * time.Minute

// imageCacheSize bounds the memory the cache takes (images weigh about
// 30 KB): when full, it starts over.
const imageCacheSize = 256

// imageCache keeps drawn share images for a while.
type imageCache struct {
	mu      sync.Mutex
	entries map[string]cachedImage
}

type cachedImage struct {
	png  []byte
	etag string
	at   time.Time
}

func newImageCache() *imageCache { return &imageCache{entries: map[string]cachedImage{}} }

// get returns the cached image for key, drawing it with draw when missing
// or stale. Two requests for the same missing image may both draw it: that
// costs a few milliseconds, and keeps a slow drawing from blocking others.
func (c *imageCache) get(key string, now time.Time, draw func() (image.Image, error)) (cachedImage, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < imageCacheTTL {
		return e, nil
	}
	img, err := draw()
	if err != nil {
		return cachedImage{}, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return cachedImage{}, err
	}
	e = cachedImage{png: b.Bytes(), etag: etagOf(b.Bytes()), at: now}
	c.mu.Lock()
	if len(c.entries) >= imageCacheSize {
		c.entries = map[string]cachedImage{}
	}
	c.entries[key] = e
	c.mu.Unlock()
	return e, nil
}

// merchantImage serves /og/m/{slug}.png, the share image of a merchant.
func (p *Pages) merchantImage(w http.ResponseWriter, r *http.Request) {
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok {
		p.page(p.notFound)(w, r)
		return
	}
	lang, _ := negotiate(r)
	l := newLocale(lang)
	m, err := p.approvedMerchant(r, slug)
	if err != nil {
		p.serveImage(w, r, "m/"+slug+"/"+lang, func() (image.Image, error) { return nil, err })
		return
	}
	// Today's status is on the image: a new status is a new image.
	p.serveImage(w, r, "m/"+slug+"/"+lang+"/"+string(m.StatusAt(l.now())), func() (image.Image, error) {
		return merchantCard(l, m)
	})
}

// campaignImage serves /og/c/{slug}.png, the share image of a campaign.
func (p *Pages) campaignImage(w http.ResponseWriter, r *http.Request) {
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok {
		p.page(p.notFound)(w, r)
		return
	}
	lang, _ := negotiate(r)
	l := newLocale(lang)
	p.serveImage(w, r, "c/"+slug+"/"+lang, func() (image.Image, error) {
		c, err := p.cfg.Catalogue.Campaign(r.Context(), slug)
		if err != nil {
			return nil, err
		}
		return campaignCard(l, c)
	})
}

// serveImage answers with the cached image under key, drawn by draw when
// missing.
func (p *Pages) serveImage(w http.ResponseWriter, r *http.Request, key string, draw func() (image.Image, error)) {
	img, err := p.images.get(key, time.Now(), draw)
	if err != nil {
		// The 404 or 500 page, logged as for any page: a crawler that
		// follows a dead image link gets a proper status.
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	w.Header().Set("Vary", "Accept-Language, Cookie")
	serveBytes(w, r, "image/png", "public, max-age=3600", img.etag, img.png, nil)
}

// merchantCard draws a merchant's share image: the brand, the name, the
// category and city, the summary, and what to do.
func merchantCard(l *locale, m *market.Merchant) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := canvas(ogWidth, ogHeight, cream)
	// A big blush heart on the right: the picture is recognisable as
	// Solidaire's in a feed before anyone reads it.
	fillHeart(img, 1010, 330, 520, blush)
	fillRect(img, image.Rect(0, 0, 24, ogHeight), 0, brand)
	brandMark(img, 80, 110, ink)

	const left, width = 80, 820
	name, lines, size := fitText(fonts.bold, drawable(fonts.bold, m.Name), 84, 52, width, 2)
	y := 150 + int(size)
	for i, line := range lines {
		if i > 0 {
			y += int(size * 1.1)
		}
		text(img, name, ink, left, y, line)
	}
	meta := face(fonts.regular, 36)
	y += 62
	text(img, meta, muted, left, y, drawable(fonts.regular, l.Category(m.Category)+"  •  "+m.City))
	summaryLines := 3 - len(lines)
	if s := l.openStatus(m); s != nil {
		y += 64
		statusBadge(img, s, left, y)
		summaryLines--
	}
	// The summary gets the room the name leaves above the button.
	body := face(fonts.regular, 32)
	for _, line := range wrapAtMost(body, drawable(fonts.regular, m.Summary), width, summaryLines) {
		y += 44
		text(img, body, ink, left, y, line)
	}

	action := l.must("card.gift")
	if !m.Accepting(market.KindGiftCertificate) {
		action = l.must("card.support")
	}
	pill(img, left, min(y+36, ogHeight-110), drawable(fonts.bold, action))
	return img, nil
}

// campaignCard draws a campaign's share image: its hashtag, its title and
// its solidarity counter.
func campaignCard(l *locale, c *market.Campaign) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := canvas(ogWidth, ogHeight, brand)
	fillHeart(img, 1030, 300, 460, brandDark)
	brandMark(img, 80, 110, white)

	const left, width = 80, 1040
	tag := c.Title // a campaign always has a hashtag (Validate), but a picture must not panic
	if len(c.Hashtags) > 0 {
		tag = "#" + c.Hashtags[0]
	}
	fc, lines, size := fitText(fonts.bold, drawable(fonts.bold, tag), 104, 60, width, 1)
	y := 150 + int(size)
	text(img, fc, white, left, y, lines[0])
	title := face(fonts.regular, 40)
	y += 64
	for _, line := range wrap(title, drawable(fonts.regular, strings.TrimSpace(strings.TrimPrefix(c.Title, tag+" :"))), width, 2) {
		text(img, title, white, left, y, line)
		y += 52
	}

	// The counter: raised so far, and the progress towards the goal.
	counter := face(fonts.bold, 40)
	supporters, _ := l.Plural("supporters", c.Counter.Supporters)
	raised := l.must("og.campaign.raised", l.Money(c.Counter.Raised, c.Currency), supporters)
	text(img, counter, white, left, ogHeight-130, drawable(fonts.bold, raised))
	if c.Goal > 0 {
		bar := image.Rect(left, ogHeight-100, left+width, ogHeight-72)
		fillRect(img, bar, 14, brandDark)
		if pct := percent(c.Counter.Raised, c.Goal); pct > 0 {
			done := bar
			done.Max.X = bar.Min.X + max(int(int64(bar.Dx())*pct/100), 28)
			fillRect(img, done, 14, white)
		}
		goal := face(fonts.regular, 30)
		label := drawable(fonts.regular, l.must("og.campaign.goal", l.Money(c.Goal, c.Currency)))
		text(img, goal, white, left+width-textWidth(goal, label), ogHeight-32, label)
	}
	return img, nil
}

// brandMark draws the heart and the word "Solidaire", its baseline at y:
// a brand-coloured heart on light images, one of the text colour on the
// brand colour.
func brandMark(img *image.RGBA, x, y int, col color.RGBA) {
	heart := brand
	if col == white {
		heart = white
	}
	fillHeart(img, float64(x+22), float64(y-15), 46, heart)
	text(img, face(fonts.bold, 44), col, x+58, y, "Solidaire")
}

// pill draws a button-like label whose top left corner is at (x, y).
func pill(img *image.RGBA, x, y int, label string) {
	fc := face(fonts.bold, 36)
	w := textWidth(fc, label) + 72
	fillRect(img, image.Rect(x, y, x+w, y+76), 38, brand)
	text(img, fc, white, x+36, y+51, label)
}

// wrapAtMost is wrap with no line at all when maxLines is under one.
func wrapAtMost(fc font.Face, s string, width, maxLines int) []string {
	if maxLines < 1 {
		return nil
	}
	return wrap(fc, s, width, maxLines)
}

// statusBadge draws today's status as on the page's badge, its baseline
// at y.
func statusBadge(img *image.RGBA, s *statusView, left, y int) {
	badge := face(fonts.bold, 34)
	label := drawable(fonts.bold, s.Label)
	fillRect(img, image.Rect(left, y-38, left+textWidth(badge, label)+40, y+14), 12, brand)
	text(img, badge, white, left+20, y, label)
}
