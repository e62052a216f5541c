package frontend_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	demodata "github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/store"
)

// TestCodePagesLimited: the voucher and ticket pages spend the same
// per-address budget as the API's code lookups, a guessed code is the same
// 404 as a malformed one, and a client-written X-Forwarded-For changes
// nothing.
func TestCodePagesLimited(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "solidaire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demodata.Seed(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	limiter := cache.NewMemory()
	pages, err := frontend.New(frontend.Config{Catalogue: db, Orders: db, Limiter: limiter, Logger: log,
		LookupsPerIP: 4, LookupsWindow: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	lookups := api.Rate{Count: 4, Per: time.Minute}
	generous := api.Rate{Count: 1000, Per: time.Minute}
	srv := httptest.NewServer(api.New(api.Config{Catalogue: db, Orders: db, Limiter: limiter, Pages: pages, Logger: log,
		Limits: api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: lookups,
			LookupsPerDevice: generous, LoginPerIP: generous, LoginPerAccount: generous}}))
	t.Cleanup(srv.Close)

	get := func(path, forged string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if forged != "" {
			req.Header.Set("X-Forwarded-For", forged)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
	// A guessed code and a malformed one: the same 404 page.
	st1, body1 := get("/v/AAAAAAAAAAAAAAAAAAAA", "203.0.113.1")
	st2, body2 := get("/v/pas-un-code", "203.0.113.2")
	if st1 != 404 || st2 != 404 || !strings.Contains(body1, "Bon introuvable") || !strings.Contains(body2, "Bon introuvable") {
		t.Fatalf("guessed %d, malformed %d", st1, st2)
	}
	// The API's lookups and the pages share the budget, whatever the
	// forged addresses: 4 in all, then 429.
	if st, _ := get("/api/v1/vouchers/AAAAAAAAAAAAAAAAAAAA", "203.0.113.3"); st != 404 {
		t.Fatalf("api lookup: %d", st)
	}
	if st, _ := get("/billet/AAAAAAAAAAAAAAAAAAAA", "203.0.113.4"); st != 404 {
		t.Fatalf("ticket page: %d", st)
	}
	for _, path := range []string{"/V/AAAAAAAAAAAAAAAAAAAA", "/billet/AAAAAAAAAAAAAAAAAAAA"} {
		st, body := get(path, "198.51.100.7")
		if st != 429 || !strings.Contains(body, "Trop de consultations") {
			t.Fatalf("%s over the budget: %d", path, st)
		}
	}
}
