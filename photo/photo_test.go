package photo

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

// gradient returns a w×h image that is not flat, so that JPEG has work.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

// encodeJPEG encodes img as JPEG.
func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// encodePNG encodes img as PNG.
func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts after the JPEG's SOI an APP1 EXIF segment holding an
// orientation (0: none) and a GPS directory with a latitude, as a phone
// writes them.
func withEXIF(jpegData []byte, orientation uint16) []byte {
	be := binary.BigEndian
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00*")
	binary.Write(&tiff, be, uint32(8)) // IFD0 at 8
	entries := 1
	if orientation != 0 {
		entries++
	}
	gpsIFD := uint32(8 + 2 + 12*entries + 4)
	binary.Write(&tiff, be, uint16(entries))
	if orientation != 0 {
		binary.Write(&tiff, be, []uint16{0x0112, 3})
		binary.Write(&tiff, be, uint32(1))
		binary.Write(&tiff, be, []uint16{orientation, 0})
	}
	binary.Write(&tiff, be, []uint16{0x8825, 4}) // GPSInfo pointer
	binary.Write(&tiff, be, []uint32{1, gpsIFD})
	binary.Write(&tiff, be, uint32(0)) // no next IFD
	// GPS IFD: GPSLatitudeRef "N", GPSLatitude 45/1 30/1 0/1.
	latitude := gpsIFD + 2 + 12*2 + 4
	binary.Write(&tiff, be, uint16(2))
	binary.Write(&tiff, be, []uint16{0x0001, 2})
	binary.Write(&tiff, be, uint32(2))
	tiff.WriteString("N\x00\x00\x00")
	binary.Write(&tiff, be, []uint16{0x0002, 5})
	binary.Write(&tiff, be, []uint32{3, latitude})
	binary.Write(&tiff, be, uint32(0))
	binary.Write(&tiff, be, []uint32{45, 1, 30, 1, 0, 1})

	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpegData[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, be, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpegData[2:])
	return out.Bytes()
}

// markers returns the JPEG's segment markers before its image data.
func markers(t *testing.T, data []byte) []byte {
	t.Helper()
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		t.Fatal("not a JPEG")
	}
	var ms []byte
	for d := data[2:]; len(d) >= 4 && d[0] == 0xFF; {
		ms = append(ms, d[1])
		if d[1] == 0xDA {
			break
		}
		d = d[2+int(binary.BigEndian.Uint16(d[2:])):]
	}
	return ms
}

// code returns the error code of err.
func code(err error) string { return market.ErrorCode(err) }

func TestResizeWidths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w, h   int
		widths []int
	}{
		{2000, 1500, []int{320, 640, 1280}},
		{1280, 720, []int{320, 640, 1280}},
		{1000, 500, []int{320, 640}},
		{320, 320, []int{320}},
		{200, 100, []int{200}},
		{1, 1, []int{1}},
	} {
		out, err := New().Resize(bytes.NewReader(encodeJPEG(t, gradient(tc.w, tc.h))))
		if err != nil {
			t.Fatalf("%d×%d: %v", tc.w, tc.h, err)
		}
		if out.Width != tc.w || out.Height != tc.h || len(out.Variants) != len(tc.widths) {
			t.Fatalf("%d×%d: got %d×%d with %d widths, want %v", tc.w, tc.h, out.Width, out.Height, len(out.Variants), tc.widths)
		}
		for i, v := range out.Variants {
			wantH := max(1, (tc.h*v.Width+tc.w/2)/tc.w)
			if v.Width != tc.widths[i] || v.Height != wantH {
				t.Errorf("%d×%d: width %d is %d×%d, want %d×%d", tc.w, tc.h, i, v.Width, v.Height, tc.widths[i], wantH)
			}
			img, err := jpeg.Decode(bytes.NewReader(v.JPEG))
			if err != nil {
				t.Fatalf("%d×%d: width %d: %v", tc.w, tc.h, v.Width, err)
			}
			if img.Bounds().Dx() != v.Width || img.Bounds().Dy() != v.Height {
				t.Errorf("%d×%d: JPEG of width %d is %v", tc.w, tc.h, v.Width, img.Bounds())
			}
		}
	}
}

// TestResizeKeepsPicture checks the scaled picture is the original's: the
// corners of the gradient keep their colours.
func TestResizeKeepsPicture(t *testing.T) {
	t.Parallel()
	out, err := New().Resize(bytes.NewReader(encodePNG(t, gradient(1600, 800))))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := jpeg.Decode(bytes.NewReader(out.Variants[0].JPEG))
	near := func(c color.Color, r, g, b uint8) bool {
		cr, cg, cb, _ := c.RGBA()
		d := func(a uint32, b uint8) bool { return int(a>>8)-int(b) < 24 && int(b)-int(a>>8) < 24 }
		return d(cr, r) && d(cg, g) && d(cb, b)
	}
	if c := img.At(2, 2); !near(c, 0, 0, 128) {
		t.Errorf("top left %v", c)
	}
	if c := img.At(317, 157); !near(c, 255, 255, 128) {
		t.Errorf("bottom right %v", c)
	}
}

// TestResizeStripsEXIF: a phone's JPEG with its GPS position comes out with
// no APP1 segment (nor any other metadata segment).
func TestResizeStripsEXIF(t *testing.T) {
	t.Parallel()
	in := withEXIF(encodeJPEG(t, gradient(700, 400)), 1)
	if ms := markers(t, in); !bytes.Contains(ms, []byte{0xE1}) {
		t.Fatalf("the input has no APP1: %x", ms)
	}
	out, err := New().Resize(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Variants {
		for _, m := range markers(t, v.JPEG) {
			if m >= 0xE1 && m <= 0xEF || m == 0xFE {
				t.Errorf("width %d keeps segment FF%X", v.Width, m)
			}
		}
		if bytes.Contains(v.JPEG, []byte("Exif")) || bytes.Contains(v.JPEG, []byte("MM\x00*")) {
			t.Errorf("width %d holds EXIF data", v.Width)
		}
	}
}

// halves returns a w×h image whose left half is red and right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// isRed and isBlue tell the halves apart after JPEG.
func isRed(c color.Color) bool  { r, _, b, _ := c.RGBA(); return r > 40000 && b < 20000 }
func isBlue(c color.Color) bool { r, _, b, _ := c.RGBA(); return b > 40000 && r < 20000 }

// TestResizeOrientation: a photo stored on its side with orientation 6
// comes out upright, its stored left half on top; orientation 8 puts it
// at the bottom, 3 turns it upside down.
func TestResizeOrientation(t *testing.T) {
	t.Parallel()
	stored := encodeJPEG(t, halves(800, 400)) // red left, blue right
	for _, tc := range []struct {
		orientation   uint16
		w, h          int
		redAt, blueAt image.Point // in the 320 width
	}{
		{1, 800, 400, image.Pt(40, 80), image.Pt(280, 80)},
		{3, 800, 400, image.Pt(280, 80), image.Pt(40, 80)},
		{6, 400, 800, image.Pt(160, 100), image.Pt(160, 540)},
		{8, 400, 800, image.Pt(160, 540), image.Pt(160, 100)},
	} {
		out, err := New().Resize(bytes.NewReader(withEXIF(stored, tc.orientation)))
		if err != nil {
			t.Fatalf("orientation %d: %v", tc.orientation, err)
		}
		if out.Width != tc.w || out.Height != tc.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", tc.orientation, out.Width, out.Height, tc.w, tc.h)
		}
		v := out.Variants[0]
		img, _ := jpeg.Decode(bytes.NewReader(v.JPEG))
		if v.Width != 320 || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 320*tc.h/tc.w {
			t.Fatalf("orientation %d: first width %d×%d, JPEG %v", tc.orientation, v.Width, v.Height, img.Bounds())
		}
		if c := img.At(tc.redAt.X, tc.redAt.Y); !isRed(c) {
			t.Errorf("orientation %d: %v is %v, want red", tc.orientation, tc.redAt, c)
		}
		if c := img.At(tc.blueAt.X, tc.blueAt.Y); !isBlue(c) {
			t.Errorf("orientation %d: %v is %v, want blue", tc.orientation, tc.blueAt, c)
		}
	}
}

// TestOrient checks each of the eight orientations on a 3×2 image.
func TestOrient(t *testing.T) {
	t.Parallel()
	// Stored:  a b c
	//          d e f
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i, name := range "abcdef" {
		img.Pix[4*i] = byte(name)
	}
	read := func(m *image.RGBA) string {
		var s []string
		for y := range m.Bounds().Dy() {
			var row []byte
			for x := range m.Bounds().Dx() {
				row = append(row, m.Pix[m.PixOffset(x, y)])
			}
			s = append(s, string(row))
		}
		return strings.Join(s, "/")
	}
	for o, want := range map[int]string{
		1: "abc/def", 2: "cba/fed", 3: "fed/cba", 4: "def/abc",
		5: "ad/be/cf", 6: "da/eb/fc", 7: "fc/eb/da", 8: "cf/be/ad",
	} {
		if got := read(orient(img, o)); got != want {
			t.Errorf("orientation %d: %s, want %s", o, got, want)
		}
	}
}

// TestResizeFlattensAlpha: a transparent PNG comes out on white.
func TestResizeFlattensAlpha(t *testing.T) {
	t.Parallel()
	img := image.NewNRGBA(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			if x >= 200 {
				img.Set(x, y, color.NRGBA{0, 0, 200, 255}) // opaque blue right half
			} // transparent left half
		}
	}
	out, err := New().Resize(bytes.NewReader(encodePNG(t, img)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := jpeg.Decode(bytes.NewReader(out.Variants[0].JPEG))
	if r, g, b, _ := got.At(40, 80).RGBA(); r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
		t.Errorf("transparent part is %d,%d,%d, want white", r>>8, g>>8, b>>8)
	}
	if c := got.At(280, 80); !isBlue(c) {
		t.Errorf("opaque part is %v, want blue", c)
	}
}

// Tiny WebP images (1×1), as browsers' feature tests carry them: lossy,
// lossless, and lossy with an alpha channel.
var webps = map[string]string{
	"lossy":    "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA",
	"lossless": "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
	"alpha":    "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==",
}

func TestResizeWebP(t *testing.T) {
	t.Parallel()
	for name, b64 := range webps {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		out, err := New().Resize(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s WebP: %v", name, err)
			continue
		}
		if out.Width != 1 || len(out.Variants) != 1 {
			t.Errorf("%s WebP: %+v", name, out)
		}
		if _, err := jpeg.Decode(bytes.NewReader(out.Variants[0].JPEG)); err != nil {
			t.Errorf("%s WebP: %v", name, err)
		}
	}
}

// pngHeader returns the start of a PNG declaring a w×h RGBA image: its
// signature and a valid IHDR chunk, which is all DecodeConfig reads.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8 bits, RGBA, deflate, no filter, no interlace
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	// An IDAT of zeros follows: what a bomb compresses well.
	idat := append([]byte("IDAT"), 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01)
	binary.Write(&b, binary.BigEndian, uint32(len(idat)-4))
	b.Write(idat)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(idat))
	return b.Bytes()
}

// TestResizeRefusesBomb: a tiny PNG declaring 50000×50000 pixels (10 GB
// decoded) is refused from its header, without allocating its pixels.
func TestResizeRefusesBomb(t *testing.T) {
	bomb := pngHeader(50000, 50000)
	if cfg, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || cfg.Width != 50000 {
		t.Fatalf("the bomb's header does not read: %v %+v", err, cfg)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := New().Resize(bytes.NewReader(bomb))
	runtime.ReadMemStats(&after)
	if code(err) != market.EInvalid || !strings.Contains(market.ErrorMessage(err), "trop grande") {
		t.Fatalf("bomb: %v, want %s saying it is too large", err, market.EInvalid)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", allocated)
	}

	// Within the pixel count, a side too long is refused too, and a
	// picture just within both is not refused for its size.
	for _, wh := range [][2]uint32{{13000, 10}, {10, 13000}, {8000, 6000}} {
		_, err := New().Resize(bytes.NewReader(pngHeader(wh[0], wh[1])))
		if code(err) != market.EInvalid || !strings.Contains(market.ErrorMessage(err), "trop grande") {
			t.Errorf("%v: %v, want too large", wh, err)
		}
	}
	small := &Resizer{MaxPixels: 100, MaxSide: 20}
	if _, err := small.Resize(bytes.NewReader(encodePNG(t, gradient(11, 10)))); code(err) != market.EInvalid {
		t.Errorf("a limit of 100 pixels let 110 through: %v", err)
	}
	if _, err := small.Resize(bytes.NewReader(encodePNG(t, gradient(10, 10)))); err != nil {
		t.Errorf("100 pixels within a limit of 100: %v", err)
	}
}

// TestResizeRefusesOtherContent: what is not a JPEG, PNG or WebP by its
// content is unsupported, whatever name it came with.
func TestResizeRefusesOtherContent(t *testing.T) {
	t.Parallel()
	var gifData bytes.Buffer
	_ = gif.Encode(&gifData, gradient(10, 10), nil)
	for name, data := range map[string][]byte{
		"photo.jpg (a text file)": []byte("Ceci n'est pas une photo.\n"),
		"photo.png (HTML)":        []byte("<!DOCTYPE html><html><body><script>alert(1)</script>"),
		"photo.gif":               gifData.Bytes(),
		"photo.svg":               []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`),
		"empty":                   nil,
		"RIFF but WAVE":           []byte("RIFF\x24\x00\x00\x00WAVEfmt "),
	} {
		_, err := New().Resize(bytes.NewReader(data))
		if code(err) != market.EUnsupportedMedia || market.ErrorMessage(err) != "Ce fichier n'est pas une photo JPEG, PNG ou WebP." {
			t.Errorf("%s: %v, want %s", name, err, market.EUnsupportedMedia)
		}
	}
}

// TestResizeRefusesBroken: a JPEG cut in the middle is invalid, not a
// server error.
func TestResizeRefusesBroken(t *testing.T) {
	t.Parallel()
	whole := encodeJPEG(t, gradient(640, 480))
	for name, data := range map[string][]byte{
		"cut JPEG":    whole[:len(whole)/2],
		"header only": whole[:4],
		"cut PNG":     encodePNG(t, gradient(64, 64))[:60],
		"zero size":   pngHeader(0, 10),
	} {
		if _, err := New().Resize(bytes.NewReader(data)); code(err) != market.EInvalid {
			t.Errorf("%s: %v, want %s", name, err, market.EInvalid)
		}
	}
}

// TestResizeTooLarge: more than MaxPhotoBytes is refused after reading one
// byte more, not the whole upload.
func TestResizeTooLarge(t *testing.T) {
	t.Parallel()
	r := &counting{r: io.LimitReader(zeros{}, 50<<20)}
	_, err := New().Resize(r)
	if code(err) != market.ETooLarge {
		t.Fatalf("%v, want %s", err, market.ETooLarge)
	}
	if r.n > market.MaxPhotoBytes+1 {
		t.Errorf("read %d bytes", r.n)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// counting counts what is read through it.
type counting struct {
	r io.Reader
	n int
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestEXIFOrientationReader feeds the reader broken and hostile segments.
func TestEXIFOrientationReader(t *testing.T) {
	t.Parallel()
	base := encodeJPEG(t, gradient(8, 8))
	if o := exifOrientation(withEXIF(base, 6)); o != 6 {
		t.Errorf("orientation %d, want 6", o)
	}
	if o := exifOrientation(withEXIF(base, 0)); o != 1 {
		t.Errorf("no orientation tag: %d, want 1", o)
	}
	if o := exifOrientation(withEXIF(base, 9)); o != 1 {
		t.Errorf("orientation 9: %d, want 1", o)
	}
	withSix := withEXIF(base, 6)
	for i := range len(withSix) / 4 { // every truncation in the first quarter
		_ = exifOrientation(withSix[:i]) // must not panic
	}
	// An IFD offset past the segment's end.
	bad := bytes.Clone(withSix)
	copy(bad[2+4+6+4:], []byte{0xFF, 0xFF, 0xFF, 0xF0}) // SOI, APP1 marker and length, "Exif\0\0", "MM\0*"
	if tiffOrientation(bad[2+4+6:]) != 0 || exifOrientation(bad) != 1 {
		t.Errorf("wild offset: orientation %d", exifOrientation(bad))
	}
	if !bytes.Equal(bad[:16], withSix[:16]) || bytes.Equal(bad, withSix) {
		t.Error("the test changed the wrong bytes")
	}
}
