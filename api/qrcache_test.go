package api_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/market"
)

// TestVoucherQR: a voucher's QR decodes as a PNG and is the same image
// each time (the second one from the QR cache, without a read); a code
// that does not exist is a 404 each time, never cached; and the cache does
// not lift the lookup limit of the caller's address.
func TestVoucherQR(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{LookupsPerIP: api.Rate{Count: 5, Per: time.Hour}})
			code := s.paidVoucher("boulangerie-du-quartier", 2500)
			unknown := market.NewCode() // well formed: the lookup is spent
			var first string
			for i := 0; i < 3; i++ {
				st, out, h := s.do("GET", "/api/v1/vouchers/"+strings.ToLower(code)+"/qr.png", "", nil)
				if st != 200 || h.Get("Content-Type") != "image/png" {
					t.Fatalf("qr %d: %d %s", i, st, h.Get("Content-Type"))
				}
				if _, err := png.Decode(bytes.NewReader([]byte(out))); err != nil {
					t.Fatalf("qr %d: %v", i, err)
				}
				if i == 0 {
					first = out
				} else if out != first {
					t.Fatalf("qr %d differs from the first", i)
				}
			}
			for i := 0; i < 2; i++ {
				if st, out, _ := s.do("GET", "/api/v1/vouchers/"+unknown+"/qr.png", "", nil); st != 404 || !strings.Contains(out, "not_found") {
					t.Fatalf("unknown %d: %d %s", i, st, out)
				}
			}
			if st, _, h := s.do("GET", "/api/v1/vouchers/"+code+"/qr.png", "", nil); st != 429 || h.Get("Retry-After") == "" {
				t.Fatalf("sixth lookup: %d, want 429 with Retry-After", st)
			}
		})
	}
}
