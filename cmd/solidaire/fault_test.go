package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// apiCall is one request of the database outage test and the status it
// answers while the database is up.
type apiCall struct {
	name   string
	method string
	path   string
	body   string
	header map[string]string
	ok     int
}

// TestDatabaseOutage stops the PostgreSQL server under a running Solidaire
// and starts it again: meanwhile the API answers 503 `unavailable` with
// Retry-After (never a 500, never HTML), the pages a French 503 page, and
// /readyz names the database; once it is back the same requests succeed
// within seconds, without restarting Solidaire.
func TestDatabaseOutage(t *testing.T) {
	pg := testenv.DedicatedPostgres(t) // never the shared server: it is stopped
	base := start(t, map[string]string{"DATABASE_URL": pg.URL(), "SOLIDAIRE_DEMO": "1"})
	client := &http.Client{Timeout: 15 * time.Second}

	checkout := func(key string) apiCall {
		return apiCall{name: "Checkout", method: "POST", path: "/api/v1/checkout", ok: 201,
			header: map[string]string{"Idempotency-Key": key},
			body: `{"buyer": {"email": "awa@example.com", "name": "Awa"},
				"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 5000}]}`}
	}
	calls := func(key string) []apiCall {
		return []apiCall{
			{name: "Catalogue", method: "GET", path: "/api/v1/merchants?limit=5", ok: 200},
			{name: "Merchant", method: "GET", path: "/api/v1/merchants/boulangerie-du-quartier", ok: 200},
			{name: "Events", method: "GET", path: "/api/v1/events?limit=5", ok: 200},
			{name: "Campaign", method: "GET", path: "/api/v1/campaigns/achatlocal", ok: 200},
			{name: "Login", method: "POST", path: "/api/v1/auth/login", ok: 200,
				body: `{"email": "boulangerie@demo.solidaire.local", "password": "solidaire-demo", "token": true}`},
			checkout(key),
		}
	}
	pages := []string{"/", "/m/boulangerie-du-quartier"}

	do := func(c apiCall) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	get := func(path string) apiCall { return apiCall{name: path, method: "GET", path: path, ok: 200} }
	// eventually repeats c until it answers status, for the microcache (a
	// second) and the connection pool to catch up with the change.
	eventually := func(c apiCall, status int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			res, body := do(c)
			if res.StatusCode == status {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: still %d after %v, want %d: %.300s", c.method, c.path, res.StatusCode, within, status, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	t.Run("Up", func(t *testing.T) {
		for _, c := range append(calls("outage-test-key-up-0001"), get("/readyz")) {
			if res, body := do(c); res.StatusCode != c.ok {
				t.Errorf("%s: %d, want %d: %.300s", c.name, res.StatusCode, c.ok, body)
			}
		}
		for _, p := range pages {
			if res, body := do(get(p)); res.StatusCode != 200 {
				t.Errorf("%s: %d: %.300s", p, res.StatusCode, body)
			}
		}
	})
	if t.Failed() {
		return
	}

	pg.Stop(t)
	const downKey = "outage-test-key-down-0002"
	t.Run("Down", func(t *testing.T) {
		eventually(get("/readyz"), 503, 10*time.Second)
		eventually(get("/api/v1/merchants?limit=5"), 503, 10*time.Second)
		for _, c := range calls(downKey) {
			t.Run(c.name, func(t *testing.T) {
				res, body := do(c)
				wantUnavailable(t, res, body)
				if !strings.Contains(string(body), "Base de données indisponible.") {
					t.Errorf("%s: %s, want the store's message", c.name, body)
				}
			})
		}
		t.Run("Readyz", func(t *testing.T) {
			res, body := do(get("/readyz"))
			wantUnavailable(t, res, body)
			var e struct {
				Error struct{ Fields map[string]string } `json:"error"`
			}
			json.Unmarshal(body, &e)
			if e.Error.Fields["database"] == "" {
				t.Errorf("/readyz does not name the database: %s", body)
			}
		})
		for _, p := range pages {
			for _, lang := range []struct{ query, heading, text string }{
				{"", "Service momentanément indisponible",
					"Solidaire ne peut pas joindre sa base de données. Vos bons et vos paiements ne sont pas perdus : réessayez dans un instant."},
				{"?lang=en", "Service temporarily unavailable",
					"Solidaire cannot reach its database. Your vouchers and payments are not lost: please try again in a moment."},
			} {
				t.Run("Page"+p+lang.query, func(t *testing.T) {
					res, body := do(get(p + lang.query))
					if res.StatusCode != 503 {
						t.Fatalf("%d, want 503: %.300s", res.StatusCode, body)
					}
					if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
						t.Errorf("Content-Type %q", ct)
					}
					wantRetryAfter(t, res)
					// French typography puts a no-break space before the colon.
					text := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(string(body))
					for _, w := range []string{lang.heading, lang.text} {
						if !strings.Contains(text, w) {
							t.Errorf("the page lacks %q", w)
						}
					}
				})
			}
		}
	})

	pg.Start(t)
	t.Run("Back", func(t *testing.T) {
		eventually(get("/readyz"), 200, 15*time.Second)
		// The checkout refused during the outage kept nothing under its
		// key: the buyer's retry with the same key goes through.
		for _, c := range calls(downKey) {
			eventually(c, c.ok, 5*time.Second)
		}
		for _, p := range pages {
			eventually(get(p), 200, 5*time.Second)
		}
	})
}

// wantUnavailable checks the contract's 503: JSON, code unavailable, a
// message, and a Retry-After.
func wantUnavailable(t *testing.T, res *http.Response, body []byte) {
	t.Helper()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%d, want 503: %.300s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != "unavailable" || e.Error.Message == "" {
		t.Errorf("body %s (%v), want {\"error\": {\"code\": \"unavailable\", \"message\": …}}", body, err)
	}
	wantRetryAfter(t, res)
}

func wantRetryAfter(t *testing.T, res *http.Response) {
	t.Helper()
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want a number of seconds", res.Header.Get("Retry-After"))
	}
}
