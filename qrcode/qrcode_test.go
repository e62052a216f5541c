package qrcode

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqrcode "github.com/makiuchi-d/gozxing/qrcode"
)

// decode reads a QR code PNG back to its text, as a phone would.
func decode(b []byte) (string, image.Image, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "", nil, fmt.Errorf("not a PNG: %w", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", nil, err
	}
	res, err := zxqrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", nil, fmt.Errorf("decode the QR code: %w", err)
	}
	return res.GetText(), img, nil
}

func TestPNGDecodesToText(t *testing.T) {
	const url = "HTTP://127.0.0.1:8080/V/K3F9QX2MABCDEFGH1234"
	b, err := PNG(url)
	if err != nil {
		t.Fatal(err)
	}
	text, img, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if text != url {
		t.Errorf("decoded %q, want %q", text, url)
	}

	// Whole pixels per module: the side is (modules + 2 quiet zones) × Scale,
	// and the quiet zone is white.
	side := img.Bounds().Dx()
	if img.Bounds().Dy() != side || side%Scale != 0 {
		t.Fatalf("image is %v, want a square whose side is a multiple of %d", img.Bounds(), Scale)
	}
	modules := side/Scale - 2*QuietZone
	if modules < 21 || (modules-21)%4 != 0 {
		t.Errorf("%d modules per side is no QR version", modules)
	}
	for i := range QuietZone * Scale {
		for _, p := range []image.Point{{i, i}, {side - 1 - i, i}, {i, side/2 + 3}, {side / 2, side - 1 - i}} {
			if r, _, _, _ := img.At(p.X, p.Y).RGBA(); r != 0xffff {
				t.Fatalf("pixel %v in the quiet zone is not white", p)
			}
		}
	}
	// The top-left finder pattern starts right after the quiet zone, a
	// Scale-pixel square of dark.
	q := QuietZone * Scale
	for _, p := range []image.Point{{q, q}, {q + Scale - 1, q + Scale - 1}} {
		if r, _, _, _ := img.At(p.X, p.Y).RGBA(); r != 0 {
			t.Errorf("pixel %v of the first module is not black", p)
		}
	}
	t.Logf("%d modules, %d×%d pixels, %d bytes", modules, side, side, len(b))
}

func TestPNGCache(t *testing.T) {
	const url = "HTTPS://SOLIDAIRE.EXAMPLE/V/0123456789ABCDEFGHJK"
	a, err := PNG(url)
	if err != nil {
		t.Fatal(err)
	}
	a[0] ^= 0xff // the caller owns its copy: this must not reach the cache
	b, err := PNG(url)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] == a[0] {
		t.Fatal("a change to a returned image reached the cache")
	}
	if text, _, err := decode(b); text != url {
		t.Errorf("cached image decodes to %q (%v)", text, err)
	}

	// Goroutines drawing the same few codes at once all get images of
	// their own text (run with -race to check the locking).
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 {
				text := fmt.Sprintf("HTTPS://SOLIDAIRE.EXAMPLE/V/%020d", (g+i)%3)
				b, err := PNG(text)
				if err != nil {
					t.Error(err)
					return
				}
				if got, _, err := decode(b); got != text {
					t.Errorf("decoded %q (%v), want %q", got, err, text)
				}
			}
		}()
	}
	wg.Wait()
}

func TestLRUBounded(t *testing.T) {
	c := newLRU(16)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := fmt.Sprint(g*1000 + i)
				c.add(k, []byte(k))
				if b, ok := c.get(k); ok && string(b) != k {
					t.Errorf("key %s holds %s", k, b)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.len(); n != 16 {
		t.Errorf("cache holds %d entries, want its bound 16", n)
	}
}

func TestLRUEvictsLeastRecent(t *testing.T) {
	c := newLRU(2)
	c.add("a", []byte("1"))
	c.add("b", []byte("2"))
	c.get("a") // a is now the most recent
	c.add("c", []byte("3"))
	if _, ok := c.get("b"); ok {
		t.Error("b, the least recently used, was kept")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
}

func TestPNGTooLong(t *testing.T) {
	if _, err := PNG(string(bytes.Repeat([]byte{0xe9}, 4000))); err == nil {
		t.Error("no error for text beyond a QR code's capacity")
	}
}
