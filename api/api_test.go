package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// engines runs fn against a server backed by each database engine, loaded
// with the demo data set.
func engines(t *testing.T, fn func(t *testing.T, srv *httptest.Server, db *store.DB)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "solidaire.db")
			if engine == "postgres" {
				url = testenv.PostgresURL(t)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			db.SetClock(func() time.Time { return now })
			if err := demo.Seed(ctx, db, now); err != nil {
				t.Fatal(err)
			}
			h := api.New(api.Config{Catalogue: db, Ready: map[string]api.Pinger{"database": db}, Stats: db,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 4096})
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			fn(t, srv, db)
		})
	}
}

// scenario is one request and what its answer must and must not contain.
type scenario struct {
	name   string
	method string
	path   string
	body   string
	header map[string]string
	status int
	want   []string // substrings the body must contain
	absent []string // substrings it must not contain
}

func (sc scenario) run(t *testing.T, base string) string {
	t.Helper()
	method := sc.method
	if method == "" {
		method = "GET"
	}
	req, _ := http.NewRequest(method, base+sc.path, strings.NewReader(sc.body))
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	if res.StatusCode != sc.status {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, sc.path, res.StatusCode, sc.status, body)
	}
	for _, w := range sc.want {
		if !strings.Contains(body, w) {
			t.Errorf("%s %s: body lacks %q: %s", method, sc.path, w, body)
		}
	}
	for _, a := range sc.absent {
		if strings.Contains(body, a) {
			t.Errorf("%s %s: body has %q: %s", method, sc.path, a, body)
		}
	}
	if strings.HasPrefix(sc.path, "/api") || sc.path == "/readyz" {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: content type %q, want JSON", method, sc.path, ct)
		}
		if res.StatusCode >= 400 {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("%s %s: error not in the contract's shape: %s", method, sc.path, body)
			}
		}
	}
	if res.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: no X-Request-ID", method, sc.path)
	}
	return body
}

func TestCatalogue(t *testing.T) {
	engines(t, func(t *testing.T, srv *httptest.Server, db *store.DB) {
		for _, sc := range []scenario{
			{name: "ListMerchants", path: "/api/v1/merchants", status: 200,
				want: []string{`"data":[`, `"next_cursor":"`, `"slug":"boulangerie-du-quartier"`, `"accepts":["gift_certificate"`}},
			{name: "PendingNotListed", path: "/api/v1/merchants?limit=100", status: 200, absent: []string{"fromagerie-des-trois-rangs"}},
			{name: "FilterCityFolded", path: "/api/v1/merchants?city=lyon&limit=100", status: 200,
				want: []string{"librairie-des-possibles", `"currency":"eur"`}, absent: []string{`"currency":"cad"`}},
			{name: "FilterCityAccents", path: "/api/v1/merchants?city=Montr%C3%A9al&category=boulangerie", status: 200,
				want: []string{"boulangerie-du-quartier"}, absent: []string{"Lyon", "Québec"}},
			{name: "Search", path: "/api/v1/merchants?q=LIBRAIRIE%20des%20possibles", status: 200, want: []string{"librairie-des-possibles"}},
			{name: "SearchNothing", path: "/api/v1/merchants?q=zzzzqqq", status: 200, want: []string{`{"data":[],"next_cursor":""}`}},
			{name: "SearchWildcardsLiteral", path: "/api/v1/merchants?q=%25%25", status: 200, want: []string{`"data":[]`}},
			{name: "SearchWords", path: "/api/v1/merchants?q=boulangerie%20montreal", status: 200,
				want: []string{`"slug":"boulangerie-du-quartier"`}, absent: []string{"Lyon", "Québec", `"category":"cafe"`}},
			{name: "SearchAccentsCaseOrder", path: "/api/v1/merchants?q=MONTR%C3%89AL%20Boul", status: 200,
				want: []string{`"slug":"boulangerie-du-quartier"`}, absent: []string{"Lyon"}},
			{name: "SearchCategoryEnglish", path: "/api/v1/merchants?q=bakery&city=montreal", status: 200,
				want: []string{`"slug":"boulangerie-du-quartier"`}, absent: []string{"Lyon"}},
			{name: "SearchSyntaxIsText", path: "/api/v1/merchants?q=%22boul%22*%20NEAR(%5C%27)%20OR%20-lyon%20%25_", status: 200,
				want: []string{`"data":[`}},
			{name: "ErrUnknownCategory", path: "/api/v1/merchants?category=garage", status: 400,
				want: []string{`"code":"invalid_input"`, `"category":"unknown category"`}},
			{name: "ErrLimitZero", path: "/api/v1/merchants?limit=0", status: 400, want: []string{`"limit":`}},
			{name: "ErrLimitTooLarge", path: "/api/v1/merchants?limit=101", status: 400, want: []string{`"limit":`}},
			{name: "ErrLimitNotNumber", path: "/api/v1/merchants?limit=abc", status: 400, want: []string{`"limit":`}},
			{name: "ErrBadCursor", path: "/api/v1/merchants?cursor=!!!", status: 400, want: []string{`"cursor":`}},
			{name: "ErrLongQuery", path: "/api/v1/merchants?q=" + strings.Repeat("a", 101), status: 400, want: []string{`"q":`}},
			{name: "Merchant", path: "/api/v1/merchants/theatre-du-faubourg", status: 200,
				want: []string{`"min_amount":{"amount":`, `"suggested_amounts":[{"amount":`, `"events":[{`, `"ticket_types":[{`, `"seats_left":`}},
			{name: "ErrMerchantUnknown", path: "/api/v1/merchants/nope", status: 404, want: []string{`"code":"not_found"`}},
			{name: "ErrMerchantPending", path: "/api/v1/merchants/fromagerie-des-trois-rangs", status: 404},
			{name: "Events", path: "/api/v1/events?limit=100", status: 200,
				want: []string{`"status":"cancelled"`, `"status":"postponed"`, `"status":"scheduled"`}},
			{name: "EventsCancelled", path: "/api/v1/events?status=cancelled", status: 200,
				want: []string{"evt_nuit-de-la-poesie"}, absent: []string{`"status":"scheduled"`}},
			{name: "EventsByMerchant", path: "/api/v1/events?merchant=theatre-du-faubourg&limit=100", status: 200,
				want: []string{"evt_cabaret-des-voisins"}, absent: []string{"quai-des-chansons"}},
			{name: "ErrEventsStatus", path: "/api/v1/events?status=done", status: 400, want: []string{`"status":`}},
			{name: "EventsByCity", path: "/api/v1/events?city=LYON&limit=100", status: 200,
				want: []string{"evt_le-metier-et-la-revolte"}, absent: []string{"theatre-du-faubourg", "quai-des-chansons"}},
			{name: "EventsByCategory", path: "/api/v1/events?category=spectacle&city=Qu%C3%A9bec&limit=100", status: 200,
				want: []string{"evt_soiree-des-chansonniers"}, absent: []string{"theatre-du-faubourg", "Lyon"}},
			{name: "EventsOtherCategory", path: "/api/v1/events?category=boulangerie", status: 200, want: []string{`"data":[]`}},
			{name: "EventsBefore", path: "/api/v1/events?to=2001-01-01T00:00:00Z", status: 200, want: []string{`"data":[]`}},
			{name: "EventsFromTo", path: "/api/v1/events?from=2001-01-01T00:00:00Z&to=2999-01-01T00:00:00%2B01:00&limit=100", status: 200,
				want: []string{"evt_cabaret-des-voisins", "evt_le-metier-et-la-revolte"}},
			{name: "ErrEventsCategory", path: "/api/v1/events?category=garage", status: 400, want: []string{`"category":"unknown category"`}},
			{name: "ErrEventsFrom", path: "/api/v1/events?from=demain", status: 400, want: []string{`"from":`}},
			{name: "ErrEventsTo", path: "/api/v1/events?to=2027-01-02", status: 400, want: []string{`"to":`}},
			{name: "Event", path: "/api/v1/events/evt_cabaret-des-voisins", status: 200,
				want: []string{`"merchant":{"slug":"theatre-du-faubourg"`, `"price":{"amount":`}},
			{name: "ErrEventUnknown", path: "/api/v1/events/evt_nope", status: 404},
			{name: "Campaign", path: "/api/v1/campaigns/billetsolidaire", status: 200,
				want: []string{`"hashtags":["billetsolidaire"`, `"counter":{"supporters":0,"raised":{"amount":0,"currency":"cad"}}`, `"merchants":[{`, `"events":[{`}},
			{name: "Campaigns", path: "/api/v1/campaigns", status: 200, want: []string{"achatlocal", "billetsolidaire"}},
			{name: "ErrCampaignUnknown", path: "/api/v1/campaigns/nope", status: 404},
			{name: "Categories", path: "/api/v1/categories", status: 200, want: []string{`"slug":"boulangerie","fr":"Boulangerie-pâtisserie"`}},
			{name: "Cities", path: "/api/v1/cities", status: 200,
				want: []string{`{"name":"Montréal","country":"CA"}`, `{"name":"Québec","country":"CA"}`, `{"name":"Lyon","country":"FR"}`}},
		} {
			t.Run(sc.name, func(t *testing.T) { sc.run(t, srv.URL) })
		}

		t.Run("PaginateAll", func(t *testing.T) {
			seen := map[string]bool{}
			cursor := ""
			for i := 0; i < 50; i++ {
				var page struct {
					Data []struct {
						Slug string `json:"slug"`
					} `json:"data"`
					NextCursor string `json:"next_cursor"`
				}
				body := scenario{path: "/api/v1/merchants?limit=7&cursor=" + cursor, status: 200}.run(t, srv.URL)
				if err := json.Unmarshal([]byte(body), &page); err != nil {
					t.Fatal(err)
				}
				for _, m := range page.Data {
					if seen[m.Slug] {
						t.Fatalf("%s listed twice", m.Slug)
					}
					seen[m.Slug] = true
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			if len(seen) < 30 {
				t.Fatalf("paged through %d merchants, want ≥ 30", len(seen))
			}
		})
	})
}

func TestErrorContract(t *testing.T) {
	engines(t, func(t *testing.T, srv *httptest.Server, db *store.DB) {
		for _, sc := range []scenario{
			{name: "UnknownRoute", path: "/api/v1/nope", status: 404, want: []string{`"code":"not_found"`}},
			{name: "UnknownAPIRoot", path: "/api", status: 404},
			{name: "WrongMethod", method: "POST", path: "/api/v1/merchants", body: "{}", status: 405, want: []string{`"code":"method_not_allowed"`}},
			{name: "WrongMethodDelete", method: "DELETE", path: "/api/v1/events/x", status: 405},
			{name: "OversizedBody", method: "POST", path: "/api/v1/merchants", body: strings.Repeat("x", 5000), status: 413, want: []string{`"code":"body_too_large"`}},
			{name: "Healthz", path: "/healthz", status: 200, want: []string{`"status":"ok"`}},
			{name: "Readyz", path: "/readyz", status: 200, want: []string{`"database":"ok"`}},
			{name: "RequestIDEcho", path: "/healthz", header: map[string]string{"X-Request-ID": "abc-123"}, status: 200},
		} {
			t.Run(sc.name, func(t *testing.T) { sc.run(t, srv.URL) })
		}
		t.Run("Metrics", func(t *testing.T) {
			scenario{path: "/api/v1/merchants/boulangerie-du-quartier", status: 200}.run(t, srv.URL)
			body := scenario{path: "/metrics", status: 200}.run(t, srv.URL)
			if !strings.Contains(body, `solidaire_http_request_duration_seconds_bucket{method="GET",route="/api/v1/merchants/:slug"`) {
				t.Fatalf("no latency by route template in /metrics")
			}
			if !strings.Contains(body, "solidaire_vouchers_issued 0") || !strings.Contains(body, "solidaire_tickets_issued 0") {
				t.Fatalf("no database counts in /metrics")
			}
		})
	})
}

// TestReadyzDown shows /readyz answering 503 naming the dependency that is
// down, in the contract's shape.
func TestReadyzDown(t *testing.T) {
	h := api.New(api.Config{Ready: map[string]api.Pinger{"redis": downPinger{}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	defer srv.Close()
	scenario{path: "/readyz", status: 503, want: []string{`"code":"unavailable"`, `"redis":"not answering"`}}.run(t, srv.URL)
}

type downPinger struct{}

func (downPinger) Ping(context.Context) error { return errors.New("connection refused") }

// TestBadJSON covers the strict decoding every POST shares, through a probe
// route mounted on a bare gin engine with the same helper.
func TestBadJSON(t *testing.T) {
	srv := httptest.NewServer(api.JSONProbe())
	defer srv.Close()
	for _, sc := range []scenario{
		{name: "Valid", method: "POST", path: "/api/probe", body: `{"amount": 2500, "currency": "cad"}`, status: 200},
		{name: "ErrMalformed", method: "POST", path: "/api/probe", body: `{"amount": `, status: 400, want: []string{`"code":"invalid_input"`}},
		{name: "ErrSyntax", method: "POST", path: "/api/probe", body: `{amount: 1}`, status: 400},
		{name: "ErrFloat", method: "POST", path: "/api/probe", body: `{"amount": 25.5, "currency": "cad"}`, status: 400, want: []string{`"amount":"must be an integer"`}},
		{name: "ErrString", method: "POST", path: "/api/probe", body: `{"amount": "2500", "currency": "cad"}`, status: 400, want: []string{`"amount":"must be an integer"`}},
		{name: "ErrNegative", method: "POST", path: "/api/probe", body: `{"amount": -1, "currency": "cad"}`, status: 400, want: []string{`"amount":"must be positive"`}},
		{name: "ErrZero", method: "POST", path: "/api/probe", body: `{"amount": 0, "currency": "cad"}`, status: 400, want: []string{`"amount":"must be positive"`}},
		{name: "ErrTooMuch", method: "POST", path: "/api/probe", body: `{"amount": 100000000, "currency": "cad"}`, status: 400, want: []string{`"amount":`}},
		{name: "ErrHuge", method: "POST", path: "/api/probe", body: `{"amount": 1e30, "currency": "cad"}`, status: 400},
		{name: "ErrCurrency", method: "POST", path: "/api/probe", body: `{"amount": 100, "currency": "usd"}`, status: 400, want: []string{`"currency":`}},
		{name: "ErrUnknownField", method: "POST", path: "/api/probe", body: `{"amount": 100, "currency": "cad", "balance": 9}`, status: 400, want: []string{`"balance":"unknown field"`}},
		{name: "ErrTwoObjects", method: "POST", path: "/api/probe", body: `{"amount": 100, "currency": "cad"} {}`, status: 400},
		{name: "ErrArray", method: "POST", path: "/api/probe", body: `[1,2]`, status: 400},
		{name: "ErrEmpty", method: "POST", path: "/api/probe", body: ``, status: 400},
		{name: "ErrContentType", method: "POST", path: "/api/probe", body: `amount=1`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415},
		{name: "ErrPanic", method: "POST", path: "/api/probe", body: `{"amount": 666, "currency": "cad"}`, status: 500, want: []string{`"code":"internal_error"`}, absent: []string{"goroutine", "probe.go"}},
		{name: "StillServing", method: "POST", path: "/api/probe", body: `{"amount": 1, "currency": "eur"}`, status: 200},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, srv.URL) })
	}
}
