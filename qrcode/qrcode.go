// Package qrcode draws the QR codes printed on vouchers and tickets: crisp
// PNG images (a whole number of pixels per module) of the voucher URL,
// cached because a code never changes once issued.
package qrcode

import (
	"bytes"
	"container/list"
	"fmt"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"

	goqrcode "github.com/skip2/go-qrcode"
)

// Scale is the number of pixels per module side, and QuietZone the width in
// modules of the white margin that scanners need around the symbol. A
// voucher URL on a short host name (version 3, 29 modules) makes a
// 296-pixel image.
const (
	Scale     = 8
	QuietZone = 4
)

// cacheSize bounds the cache: a voucher's QR code is drawn when its email is
// written and again when its page is shown, and each image weighs about a
// kilobyte, so a few hundred recent ones cover both at little cost.
const cacheSize = 512

// PNG returns a QR code of text as a PNG image, with error correction level
// M (15% of the symbol may be damaged), Scale pixels per module and a
// QuietZone-module margin. Results are cached; the caller owns the returned
// slice. It fails only when text is too long for a QR code.
func PNG(text string) ([]byte, error) {
	if b, ok := cache.get(text); ok {
		return bytes.Clone(b), nil
	}
	b, err := draw(text)
	if err != nil {
		return nil, err
	}
	cache.add(text, b)
	return bytes.Clone(b), nil
}

// draw returns the PNG of text, checked by reading it back with a second,
// independent implementation (gozxing): for about one text in a thousand
// the two disagree at the Medium level, and a code a scanner may not read
// is worse than a slightly larger one, so the next level is tried.
func draw(text string) ([]byte, error) {
	var first []byte
	for _, level := range []goqrcode.RecoveryLevel{goqrcode.Medium, goqrcode.High, goqrcode.Highest} {
		b, err := drawAt(text, level)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = b
		}
		if readsBack(b, text) {
			return b, nil
		}
	}
	return first, nil
}

// readsBack reports whether a QR PNG decodes to text.
func readsBack(b []byte, text string) bool {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return false
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return false
	}
	r, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	return err == nil && r.GetText() == text
}

// drawAt encodes text at a recovery level and paints each module as a
// Scale×Scale square itself: go-qrcode's own scaling samples with
// floating-point steps, and the library's quiet zone is then not ours to
// size.
func drawAt(text string, level goqrcode.RecoveryLevel) ([]byte, error) {
	q, err := goqrcode.New(text, level)
	if err != nil {
		return nil, fmt.Errorf("qrcode: %w", err)
	}
	q.DisableBorder = true
	modules := q.Bitmap()
	side := (len(modules) + 2*QuietZone) * Scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y, row := range modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := (x+QuietZone)*Scale, (y+QuietZone)*Scale
			for dy := range Scale {
				for dx := range Scale {
					img.SetColorIndex(x0+dx, y0+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrcode: %w", err)
	}
	return buf.Bytes(), nil
}

// cache holds the most recently used images, least recent evicted first.
var cache = newLRU(cacheSize)

// lru is a fixed-size least-recently-used map from text to PNG, safe for
// concurrent use.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *entry, most recent first
	items map[string]*list.Element
}

type entry struct {
	text string
	png  []byte
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *lru) get(text string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[text]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry).png, true
}

func (c *lru) add(text string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[text]; ok { // drawn twice at once: same image
		c.order.MoveToFront(e)
		return
	}
	c.items[text] = c.order.PushFront(&entry{text, b})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*entry).text)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// sides caches Side by text length: for a fixed error correction level and
// the alphanumeric characters of a voucher URL, the symbol's size depends
// on the length only.
var sides sync.Map // int → int

// Side returns the width in pixels of the PNG that PNG(text) draws, without
// drawing it when a text of that length has been measured already. Emails
// size the image with it before the worker renders it.
func Side(text string) (int, error) {
	key := len(text)
	if alnum(text) {
		if v, ok := sides.Load(key); ok {
			return v.(int), nil
		}
	}
	q, err := goqrcode.New(text, goqrcode.Medium)
	if err != nil {
		return 0, fmt.Errorf("qrcode: %w", err)
	}
	q.DisableBorder = true
	side := (len(q.Bitmap()) + 2*QuietZone) * Scale
	if alnum(text) {
		sides.Store(key, side)
	}
	return side, nil
}

// alnum reports whether text uses only QR alphanumeric characters, the
// only texts whose size Side may reuse by length.
func alnum(text string) bool {
	for _, r := range text {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || strings.ContainsRune(" $%*+-./:", r)) {
			return false
		}
	}
	return true
}
