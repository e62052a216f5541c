package frontend_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/market"
)

// scenario is one request and what the answer must and must not contain.
type scenario struct {
	name   string
	method string
	path   string
	header map[string]string
	status int
	ctype  string   // prefix of the Content-Type; text/html when empty
	want   []string // substrings of the body
	absent []string // substrings the body must not have
	check  func(t *testing.T, res *http.Response, body []byte)
}

// get runs sc against base and returns the response and its body.
func (sc scenario) run(t *testing.T, base string) {
	t.Helper()
	method := sc.method
	if method == "" {
		method = "GET"
	}
	req, _ := http.NewRequest(method, base+sc.path, nil)
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != sc.status {
		t.Errorf("%s %s: status %d, want %d\n%.600s", method, sc.path, res.StatusCode, sc.status, body)
	}
	ctype := sc.ctype
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, ctype) {
		t.Errorf("%s: Content-Type %q, want %q", sc.path, got, ctype)
	}
	for _, w := range sc.want {
		if !bytes.Contains(body, []byte(w)) {
			t.Errorf("%s: body lacks %q", sc.path, w)
		}
	}
	for _, a := range sc.absent {
		if bytes.Contains(body, []byte(a)) {
			t.Errorf("%s: body has %q", sc.path, a)
		}
	}
	if sc.check != nil {
		sc.check(t, res, body)
	}
}

// shareTags are the head tags every shareable page must render on the
// server, for crawlers that run no script.
var shareTags = []string{`<meta property="og:title"`, `<meta property="og:description"`, `<meta property="og:image" content="http`,
	`<meta property="og:url" content="http`, `<link rel="canonical" href="http`, `<meta name="twitter:card"`,
	`<meta name="twitter:title"`, `<meta name="twitter:description"`, `<meta name="twitter:image" content="http`}

func TestPages(t *testing.T) {
	base := startSite(t, nil, false)
	en := map[string]string{"Accept-Language": "en-US,en;q=0.9"}
	for _, sc := range []scenario{
		{name: "home", path: "/", status: 200,
			want: append([]string{`<html lang="fr">`, "Gardons nos commerces", "#billetsolidaire", "Boulangerie du Quartier",
				`<label for="q">`, `<label for="city">`, `<label for="category">`, "Offrir un bon", "Voir plus de commerces",
				`href="/?lang=en"`, `<link rel="manifest" href="/manifest.webmanifest">`}, shareTags...),
			absent: []string{"Fromagerie des Trois-Rangs"}}, // pending: never listed
		{name: "home in English by Accept-Language", path: "/", header: en, status: 200,
			want: []string{`<html lang="en">`, "Keep our neighbourhood shops open", "Give a gift certificate", `href="/?lang=fr"`}},
		{name: "home in English by cookie", path: "/", header: map[string]string{"Cookie": "lang=en", "Accept-Language": "fr"}, status: 200,
			want: []string{`<html lang="en">`}},
		{name: "lang query sets the cookie", path: "/?lang=en", header: map[string]string{"Cookie": "lang=fr"}, status: 200,
			want: []string{`<html lang="en">`},
			check: func(t *testing.T, res *http.Response, _ []byte) {
				c := res.Header.Get("Set-Cookie")
				if !strings.Contains(c, "lang=en") || !strings.Contains(c, "SameSite=Lax") || !strings.Contains(c, "Path=/") {
					t.Errorf("Set-Cookie %q", c)
				}
			}},
		{name: "search by name", path: "/?q=boulangerie", status: 200,
			want: []string{"Boulangerie du Quartier", "Tout afficher"}, absent: []string{"Théâtre du Faubourg</a>"}},
		{name: "filter by city, folded", path: "/?city=lyon", status: 200,
			want: []string{"Librairie des Possibles"}, absent: []string{"Boulangerie du Quartier"}},
		{name: "filter by category", path: "/?category=spectacle", status: 200,
			want: []string{"Théâtre du Faubourg", "Soutenir", `<option value="spectacle" selected>`}, absent: []string{"Boulangerie du Quartier"}},
		{name: "unknown category shows everything", path: "/?category=nope", status: 200,
			want: []string{"Boulangerie du Quartier"}},
		{name: "no result", path: "/?q=zzzzzz", status: 200, want: []string{"Aucun commerce trouvé."}},
		{name: "forged cursor starts over", path: "/?after=%%%", status: 200, want: []string{"Boulangerie du Quartier"}},

		{name: "merchant", path: "/m/boulangerie-du-quartier", status: 200,
			want: append([]string{"<h1>Boulangerie du Quartier</h1>", "Montréal", "1375, avenue du Mont-Royal Est",
				"25,00\u00a0$", "n&#39;expire jamais", `property="og:image" content="` + base + `/og/m/boulangerie-du-quartier.png"`,
				`<link rel="canonical" href="` + base + `/m/boulangerie-du-quartier">`, "summary_large_image",
				"https://wa.me/?text=", "data-share"}, shareTags...)},
		{name: "merchant in English", path: "/m/boulangerie-du-quartier", header: en, status: 200,
			want: []string{"$25.00", "Give a gift certificate", `/og/m/boulangerie-du-quartier.png?lang=en"`}},
		{name: "merchant in euros", path: "/m/librairie-des-possibles", status: 200, want: []string{"Lyon", "\u00a0€"}, absent: []string{"\u00a0$"}},
		{name: "venue with its events", path: "/m/theatre-du-faubourg", status: 200,
			want: []string{`id="evenements"`, "Le Cabaret des voisins", `class="badge badge-cancelled">Annulé`, "places restantes"}},
		{name: "venue with a postponed event", path: "/m/quai-des-chansons", status: 200,
			want: []string{`class="badge badge-postponed">Reporté`}},
		{name: "pending merchant is 404", path: "/m/fromagerie-des-trois-rangs", status: 404,
			want: []string{"Page introuvable"}, absent: []string{"Fromagerie"}},
		{name: "unknown merchant is 404", path: "/m/nope", status: 404, want: []string{"Page introuvable", `<meta name="robots" content="noindex">`}},

		{name: "event", path: "/e/evt_cabaret-des-voisins", status: 200,
			want: append([]string{"<h1>Le Cabaret des voisins", "Théâtre du Faubourg", "28,00\u00a0$", "Billet solidaire",
				"places restantes", `<time datetime="`, `/og/m/theatre-du-faubourg.png"`}, shareTags...),
			absent: []string{"badge-cancelled"}},
		{name: "cancelled event", path: "/e/evt_nuit-de-la-poesie", status: 200,
			want: []string{`badge badge-cancelled">Annulé`, "notice notice-cancelled", "fermeture des frontières", "<title>Annulé\u00a0:"}},
		{name: "postponed event", path: "/e/evt_veillee-de-contes", status: 200,
			want: []string{`badge badge-postponed">Reporté`, "notice notice-postponed"}},
		{name: "event in Lyon shows euros", path: "/e/evt_scene-ouverte-des-pentes", status: 200, want: []string{"5,00\u00a0€"}},
		{name: "unknown event is 404", path: "/e/evt_nope", status: 404},

		{name: "campaign", path: "/c/billetsolidaire", status: 200,
			want: append([]string{"#billetsolidaire", "#culturequebec", "<progress", `<label class="counter-label" for="progress-billetsolidaire">`,
				"50\u202f000,00\u00a0$", "Personnes solidaires", "Le Cabaret des voisins", "Théâtre du Faubourg",
				`/og/c/billetsolidaire.png"`, `<p class="campaign-runby">Campagne menée par Isabelle Lachance</p>`}, shareTags...)},
		{name: "campaign in English", path: "/c/achatlocal", header: en, status: 200,
			want: []string{"Supporters", "$100,000.00", "goal reached"}},
		{name: "unknown campaign is 404", path: "/c/nope", status: 404},

		{name: "anything else is a friendly 404", path: "/no/such/page", status: 404,
			want: []string{`<html lang="fr">`, "Page introuvable", "Retour à l&#39;accueil"}},
		{name: "404 in English", path: "/nope", header: en, status: 404, want: []string{"Page not found"}},
		{name: "API stays JSON", path: "/api/v1/nope", status: 404, ctype: "application/json"},
		{name: "HEAD works", method: "HEAD", path: "/m/boulangerie-du-quartier", status: 200},

		{name: "merchant share image", path: "/og/m/boulangerie-du-quartier.png", status: 200, ctype: "image/png",
			check: pngOf(1200, 630)},
		{name: "campaign share image", path: "/og/c/soutiens-ton-commerce.png?lang=en", status: 200, ctype: "image/png",
			check: pngOf(1200, 630)},
		{name: "no share image for a pending merchant", path: "/og/m/fromagerie-des-trois-rangs.png", status: 404},
		{name: "share images are png", path: "/og/m/boulangerie-du-quartier.jpg", status: 404},

		{name: "manifest", path: "/manifest.webmanifest", status: 200, ctype: "application/manifest+json",
			want: []string{`"start_url": "/"`, `"display": "standalone"`, `"maskable"`, `"lang": "fr"`},
			check: func(t *testing.T, _ *http.Response, body []byte) {
				var m struct {
					Icons []struct{ Src, Sizes string }
				}
				if err := json.Unmarshal(body, &m); err != nil || len(m.Icons) < 2 {
					t.Fatalf("manifest %s: %v", body, err)
				}
				for _, icon := range m.Icons {
					var w, h int
					if _, err := fmt.Sscanf(icon.Sizes, "%dx%d", &w, &h); err != nil {
						t.Fatal(err)
					}
					scenario{path: icon.Src, status: 200, ctype: "image/png", check: pngOf(w, h)}.run(t, base)
				}
			}},
		{name: "service worker", path: "/sw.js", status: 200, ctype: "text/javascript",
			want: []string{"const VERSION = \"", "/static/app.css?v="}, absent: []string{"{{"},
			check: func(t *testing.T, res *http.Response, _ []byte) {
				if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
					t.Errorf("sw.js Cache-Control %q", cc)
				}
			}},
		{name: "robots", path: "/robots.txt", status: 200, ctype: "text/plain", want: []string{"Disallow: /api/", "Disallow: /v/"}},
		{name: "unknown asset", path: "/static/nope.css", status: 404},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}
}

// TestAssets checks the stylesheet's budget and caching: fingerprinted
// URLs are immutable for a year, and the page weighs little over the wire.
func TestAssets(t *testing.T) {
	base := startSite(t, nil, false)
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	css := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindSubmatch(page)
	if css == nil {
		t.Fatal("no fingerprinted stylesheet in the page")
	}
	scenario{path: string(css[1]), status: 200, ctype: "text/css", check: func(t *testing.T, res *http.Response, body []byte) {
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("Cache-Control %q", cc)
		}
		// 40 KB since the citizens' wallet, the events page, the role
		// landing and the till's day list (36 KB then, 8.5 KB gzipped):
		// one request for the whole site, cached for a year.
		if len(body) >= 40_000 {
			t.Errorf("app.css weighs %d bytes; the budget is 40 KB (the whole site, merchant and organiser sides included)", len(body))
		}
	}}.run(t, base)
	scenario{path: "/static/app.css?v=old", status: 200, ctype: "text/css", check: func(t *testing.T, res *http.Response, _ []byte) {
		if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("a stale version is cached for good: %q", cc)
		}
	}}.run(t, base)

	// Over the wire, gzipped: the home page and its stylesheet stay small.
	for _, path := range []string{"/", string(css[1])} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s not gzipped", path)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(zr); err != nil {
			t.Errorf("%s: bad gzip: %v", path, err)
		}
		if len(wire) > 14_000 {
			t.Errorf("%s weighs %d bytes gzipped: more than the first round trips carry", path, len(wire))
		}
	}

	// A revalidation costs a 304.
	req, _ := http.NewRequest("GET", base+string(css[1]), nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
}

// pngOf checks that a body is a PNG of w×h pixels.
func pngOf(w, h int) func(t *testing.T, res *http.Response, body []byte) {
	return func(t *testing.T, res *http.Response, body []byte) {
		t.Helper()
		cfg, err := png.DecodeConfig(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", res.Request.URL.Path, err)
		}
		if cfg.Width != w || cfg.Height != h {
			t.Errorf("%s: %d×%d, want %d×%d", res.Request.URL.Path, cfg.Width, cfg.Height, w, h)
		}
	}
}

// TestDemo checks that a demo site says so on every page and keeps search
// engines away from its made-up merchants.
func TestDemo(t *testing.T) {
	base := startSite(t, nil, true)
	for _, sc := range []scenario{
		{name: "banner", path: "/m/boulangerie-du-quartier", status: 200,
			want: []string{`class="demo-banner"`, "Site de démonstration", `<meta name="robots" content="noindex">`}},
		{name: "robots", path: "/robots.txt", status: 200, ctype: "text/plain", want: []string{"Disallow: /\n"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}
}

// brokenCatalogue fails every read, as a catalogue whose database is down.
type brokenCatalogue struct{ frontend.Catalogue }

var errDown = errors.New("connection refused: 10.0.0.7:5432")

func (brokenCatalogue) Cities(context.Context) ([]string, error) { return nil, errDown }
func (brokenCatalogue) Merchant(context.Context, string) (*market.Merchant, error) {
	return nil, errDown
}

// TestErrorPage checks that a failure shows a friendly 500 page, logs the
// detail and never shows it.
func TestErrorPage(t *testing.T) {
	logs := &errorLog{}
	pages, err := frontend.New(frontend.Config{Catalogue: brokenCatalogue{}, BaseURL: "https://solidaire.example", Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/m/boulangerie-du-quartier", "/og/m/boulangerie-du-quartier.png"} {
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusInternalServerError || !strings.Contains(body, "Oups") || strings.Contains(body, "10.0.0.7") {
			t.Errorf("%s: %d\n%.300s", path, rec.Code, body)
		}
	}
	if got := logs.errors(); len(got) < 3 || !strings.Contains(strings.Join(got, "\n"), "10.0.0.7") {
		t.Errorf("the failures were not logged with their detail: %q", got)
	}
}

// downCatalogue fails every read as the store does when its database cannot
// be reached: EUnavailable, the cause in the error's text only.
type downCatalogue struct{ frontend.Catalogue }

var errUnavailable = fmt.Errorf("store: database unavailable: dial tcp 10.0.0.7:5432: connect: connection refused: %w",
	&market.Error{Code: market.EUnavailable, Message: "Base de données indisponible."})

func (downCatalogue) Cities(context.Context) ([]string, error) { return nil, errUnavailable }
func (downCatalogue) Merchant(context.Context, string) (*market.Merchant, error) {
	return nil, errUnavailable
}

// TestUnavailablePage checks that a page whose database is down answers
// 503 with Retry-After and a page that says so, in either language, that
// no cache keeps, and that the detail is logged and never shown.
func TestUnavailablePage(t *testing.T) {
	logs := &errorLog{}
	pages, err := frontend.New(frontend.Config{Catalogue: downCatalogue{}, BaseURL: "https://solidaire.example", Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{`lang="fr"`, "Service momentanément indisponible", "Vos bons et vos paiements ne sont pas perdus",
			`href="/"`, "Réessayer", `href="/?lang=en"`}},
		{"/m/boulangerie-du-quartier", []string{"Solidaire ne peut pas joindre sa base de données.", `href="/m/boulangerie-du-quartier"`}},
		{"/m/boulangerie-du-quartier?lang=en", []string{`lang="en"`, "Service temporarily unavailable",
			"Your vouchers and payments are not lost", "Try again", "Français"}},
	} {
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503\n%.300s", tc.path, rec.Code, body)
		}
		if got := rec.Header().Get("Retry-After"); got != "5" {
			t.Errorf("%s: Retry-After %q, want 5", tc.path, got)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.path, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %q", tc.path, w)
			}
		}
		for _, a := range []string{"10.0.0.7", "dial tcp", "Oups", "Oops"} {
			if strings.Contains(body, a) {
				t.Errorf("%s: body has %q", tc.path, a)
			}
		}
	}
	if got := logs.errors(); len(got) < 3 || !strings.Contains(strings.Join(got, "\n"), "10.0.0.7") {
		t.Errorf("the failures were not logged with their detail: %q", got)
	}
}
