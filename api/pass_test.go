package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/market"
)

// fakeApple stands for the passes package's Apple Wallet (whose signing
// and pushes are tested there): it records what the server asks of it.
type fakeApple struct {
	mu     sync.Mutex
	pushes []string
	cards  []market.PassCard
	gone   map[string]bool
}

func (f *fakeApple) PassTypeID() string { return "pass.test.solidaire" }
func (f *fakeApple) AuthToken(serial string) string {
	return "token-for-" + serial + "-0123456789"
}
func (f *fakeApple) Pass(c market.PassCard) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cards = append(f.cards, c)
	return []byte(fmt.Sprintf("PK pass %s %d", c.Serial, c.Balance)), nil
}
func (f *fakeApple) Push(_ context.Context, tokens []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range tokens {
		if f.gone[t] {
			return goneErr{t}
		}
	}
	f.pushes = append(f.pushes, tokens...)
	return nil
}

type goneErr struct{ token string }

func (e goneErr) Error() string        { return "gone" }
func (e goneErr) GoneTokens() []string { return []string{e.token} }

type fakeGoogle struct {
	mu      sync.Mutex
	updates []market.PassCard
}

func (f *fakeGoogle) SaveURL(c market.PassCard) (string, error) {
	return "https://pay.google.com/gp/v/save/jwt-" + c.Serial, nil
}
func (f *fakeGoogle) Update(_ context.Context, c market.PassCard) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, c)
	return nil
}

func TestWalletPasses(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			ctx := context.Background()
			code := s.paidVoucher("boulangerie-du-quartier", 2500)

			// Not configured: a clear 404 with its code.
			if st, out, _ := s.do("GET", "/api/v1/vouchers/"+code+"/pass.pkpass", "", nil); st != 404 ||
				!strings.Contains(out, market.EWalletNotConfigured) {
				t.Fatalf("unconfigured: %d %s", st, out)
			}
			apple, google := &fakeApple{gone: map[string]bool{}}, &fakeGoogle{}
			s.passes.Apple, s.passes.Google = apple, google

			st, out, hdr := s.do("GET", "/api/v1/vouchers/"+strings.ToLower(market.GroupCode(code))+"/pass.pkpass", "", nil)
			if st != 200 || hdr.Get("Content-Type") != "application/vnd.apple.pkpass" || !strings.HasPrefix(out, "PK pass") {
				t.Fatalf("pass: %d %q %v", st, out, hdr)
			}
			card := apple.cards[0]
			if card.Code != code || card.URL != market.VoucherURL(s.base, code) || card.Balance != 2500 || card.Serial == code {
				t.Fatalf("card %+v", card)
			}
			serial := card.Serial
			if st, _, _ := s.do("GET", "/api/v1/vouchers/AAAAAAAAAAAAAAAAAAAA/pass.pkpass", "", nil); st != 404 {
				t.Fatalf("unknown code: %d", st)
			}

			// Apple's web service: a wrong token is refused; the right one
			// registers once (201, then 200).
			reg := "/api/v1/passes/v1/devices/device-1/registrations/pass.test.solidaire/" + serial
			body := `{"pushToken": "push-1"}`
			auth := map[string]string{"Authorization": "ApplePass " + apple.AuthToken(serial)}
			for _, bad := range []map[string]string{nil, {"Authorization": "ApplePass wrong"}, {"Authorization": apple.AuthToken(serial)}} {
				if st, _, _ := s.do("POST", reg, body, bad); st != 401 {
					t.Fatalf("registration with %v: %d", bad, st)
				}
			}
			if st, _, _ := s.do("POST", "/api/v1/passes/v1/devices/device-1/registrations/pass.other/"+serial, body, auth); st != 401 {
				t.Fatalf("another pass type: %d", st)
			}
			for i, want := range []int{201, 200} {
				if st, out, _ := s.do("POST", reg, body, auth); st != want {
					t.Fatalf("registration #%d: %d %s", i+1, st, out)
				}
			}
			list := "/api/v1/passes/v1/devices/device-1/registrations/pass.test.solidaire"
			st, out, _ = s.do("GET", list, "", nil)
			var updated struct {
				SerialNumbers []string `json:"serialNumbers"`
				LastUpdated   string   `json:"lastUpdated"`
			}
			json.Unmarshal([]byte(out), &updated)
			if st != 200 || len(updated.SerialNumbers) != 1 || updated.SerialNumbers[0] != serial || updated.LastUpdated == "" {
				t.Fatalf("serials: %d %s", st, out)
			}
			if st, _, _ := s.do("GET", list+"?passesUpdatedSince="+updated.LastUpdated, "", nil); st != 204 {
				t.Fatalf("nothing new: %d", st)
			}
			// Nothing to push until the voucher changes.
			if n, err := s.passes.PushChanges(ctx); err != nil || n != 0 {
				t.Fatalf("push before a change: %d %v", n, err)
			}

			// Google: the save link records the object to keep current.
			st, out, _ = s.do("GET", "/api/v1/vouchers/"+code+"/google-wallet", "", nil)
			if st != 200 || !strings.Contains(out, `"save_url":"https://pay.google.com/gp/v/save/jwt-`+serial) {
				t.Fatalf("google: %d %s", st, out)
			}

			// A redemption: Apple's device is pushed and then fetches the
			// new pass; Google's object is patched; both once.
			time.Sleep(5 * time.Millisecond)
			bakery, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
			if err := s.db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: code, MerchantID: bakery.ID,
				Amount: 1000, ActorID: "test", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if n, err := s.passes.PushChanges(ctx); err != nil || n != 2 {
				t.Fatalf("push after a redemption: %d %v", n, err)
			}
			if len(apple.pushes) != 1 || apple.pushes[0] != "push-1" || len(google.updates) != 1 || google.updates[0].Balance != 1500 {
				t.Fatalf("pushes %v updates %+v", apple.pushes, google.updates)
			}
			if n, _ := s.passes.PushChanges(ctx); n != 0 {
				t.Fatalf("pushed twice: %d", n)
			}
			st, out, _ = s.do("GET", list+"?passesUpdatedSince="+updated.LastUpdated, "", nil)
			if st != 200 || !strings.Contains(out, serial) {
				t.Fatalf("changed serials: %d %s", st, out)
			}
			latest := "/api/v1/passes/v1/passes/pass.test.solidaire/" + serial
			if st, _, _ := s.do("GET", latest, "", nil); st != 401 {
				t.Fatalf("latest without token: %d", st)
			}
			st, out, hdr = s.do("GET", latest, "", auth)
			if st != 200 || out != fmt.Sprintf("PK pass %s 1500", serial) || hdr.Get("Last-Modified") == "" {
				t.Fatalf("latest: %d %q", st, out)
			}
			if st, _, _ := s.do("GET", latest, "", map[string]string{"Authorization": auth["Authorization"],
				"If-Modified-Since": hdr.Get("Last-Modified")}); st != http.StatusNotModified {
				t.Fatalf("not modified: %d", st)
			}

			// A device whose token APNs forgot is dropped; one that
			// unregisters too.
			apple.gone["push-1"] = true
			time.Sleep(5 * time.Millisecond)
			if err := s.db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: code, MerchantID: bakery.ID,
				Amount: 100, ActorID: "test", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			s.passes.PushChanges(ctx)
			if st, _, _ := s.do("GET", list, "", nil); st != 204 {
				t.Fatalf("a gone device still listed: %d", st)
			}
			if st, _, _ := s.do("POST", reg, `{"pushToken": "push-2"}`, auth); st != 201 {
				t.Fatalf("registering again: %d", st)
			}
			if st, _, _ := s.do("DELETE", reg, "", auth); st != 200 {
				t.Fatalf("unregister: %d", st)
			}
			if st, _, _ := s.do("GET", list, "", nil); st != 204 {
				t.Fatalf("after unregistering: %d", st)
			}
			if st, _, _ := s.do("POST", "/api/v1/passes/v1/log", `{"logs": ["x"]}`, nil); st != 200 {
				t.Fatalf("log: %d", st)
			}
		})
	}
}
