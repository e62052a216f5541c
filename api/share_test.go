package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/testenv"
)

// click follows a share link as a phone would, with its cookies, without
// following the redirect.
func (s *shop) click(path, userAgent string, cookies []*http.Cookie) (*http.Response, []*http.Cookie) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	req.Header.Set("User-Agent", userAgent)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res, res.Cookies()
}

const phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"

type statsView struct {
	Totals struct {
		Clicks, Visitors, Orders int64
		Raised                   struct{ Amount int64 }
	} `json:"totals"`
	Links []struct {
		Code                     string
		Clicks, Visitors, Orders int64
		Raised                   struct{ Amount int64 }
	} `json:"links"`
	ByChannel []struct {
		Key    string
		Orders int64
	} `json:"by_channel"`
	Ambassadors []struct {
		Key    string
		Orders int64
	} `json:"ambassadors"`
	ByDay []struct{ Key string } `json:"by_day"`
}

func (s *shop) stats(slug string, who map[string]string) statsView {
	s.t.Helper()
	st, out, _ := s.do("GET", "/api/v1/organiser/campaigns/"+slug+"/stats", "", who)
	if st != 200 {
		s.t.Fatalf("stats: %d %s", st, out)
	}
	var v statsView
	json.Unmarshal([]byte(out), &v)
	return v
}

// TestAttribution: an organiser makes a link, a phone clicks it, buys, pays;
// the stats count the click, the visitor and the sale for the link, its
// channel and its ambassador, and the campaign's counter moves.
func TestAttribution(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			org := s.token(demo.OrganisateurEmail)
			st, out, _ := s.do("POST", "/api/v1/organiser/campaigns/achatlocal/links", `{"channel": "facebook", "label": "Groupe du Plateau"}`, org)
			if st != 404 {
				t.Fatalf("a campaign the organiser does not run: %d %s", st, out)
			}
			st, out, _ = s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links",
				`{"channel": "whatsapp", "label": "Chorale", "ambassador": "Mireille", "target": "/m/theatre-du-faubourg"}`, org)
			var link struct{ Code, URL, Text string }
			json.Unmarshal([]byte(out), &link)
			if st != 201 || len(link.Code) != 12 || !strings.HasSuffix(link.URL, "/s/"+link.Code) || !strings.Contains(link.Text, "#billetsolidaire") {
				t.Fatalf("link: %d %s", st, out)
			}
			if st, _, _ := s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links", `{"channel": "myspace"}`, org); st != 400 {
				t.Fatalf("unknown channel: %d", st)
			}

			// A preview crawler gets the page, is not counted.
			res, _ := s.click("/s/"+link.Code, "facebookexternalhit/1.1", nil)
			if res.StatusCode != 200 {
				t.Fatalf("crawler: %d", res.StatusCode)
			}
			res, cookies := s.click("/s/"+link.Code, phone, nil)
			loc := res.Header.Get("Location")
			if res.StatusCode != 302 || !strings.HasPrefix(loc, "/m/theatre-du-faubourg?") || !strings.Contains(loc, "utm_source=whatsapp") ||
				!strings.Contains(loc, "utm_campaign=billetsolidaire") {
				t.Fatalf("redirect: %d %s", res.StatusCode, loc)
			}
			s.click("/s/"+link.Code, phone, cookies) // the same phone again: a click, not a visitor
			s.click("/s/"+link.Code, phone, nil)     // another phone

			// The phone buys at the venue: its cookies carry the attribution.
			var ck []string
			for _, c := range cookies {
				ck = append(ck, c.Name+"="+c.Value)
			}
			body := `{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "gift_certificate", "merchant": "theatre-du-faubourg", "amount": 4000}]}`
			st, out, _ = s.do("POST", "/api/v1/checkout", body, map[string]string{"Idempotency-Key": "k0123456789abcdef-attr", "Cookie": strings.Join(ck, "; ")})
			if st != 201 {
				t.Fatalf("checkout: %d %s", st, out)
			}
			var c created
			json.Unmarshal([]byte(out), &c)
			session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
			s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil)

			s.clicks.Flush(context.Background())
			s.clicks.RollUp(context.Background())
			v := s.stats("billetsolidaire", org)
			if v.Totals.Clicks != 3 || v.Totals.Visitors != 2 || v.Totals.Orders != 1 || v.Totals.Raised.Amount != 4000 {
				t.Fatalf("totals %+v", v.Totals)
			}
			if len(v.ByChannel) != 1 || v.ByChannel[0].Key != "whatsapp" || v.ByChannel[0].Orders != 1 ||
				len(v.Ambassadors) != 1 || v.Ambassadors[0].Key != "Mireille" || len(v.ByDay) != 1 {
				t.Fatalf("breakdowns %+v", v)
			}
			_, out, _ = s.do("GET", "/api/v1/campaigns/billetsolidaire", "", nil)
			if !strings.Contains(out, `"counter":{"supporters":1,"raised":{"amount":4000,"currency":"cad"}}`) {
				t.Fatalf("public counter: %s", out)
			}
			st, csvOut, _ := s.do("GET", "/api/v1/organiser/campaigns/billetsolidaire/stats", "", with(org, "Accept", "text/csv"))
			if st != 200 || !strings.Contains(csvOut, link.Code+",whatsapp,Chorale,Mireille,3,2,1,40.00,cad,0.5000") {
				t.Fatalf("csv: %d %s", st, csvOut)
			}
			// Only the campaign's organisers see its stats.
			for _, who := range []map[string]string{s.token(demo.BoulangerieEmail), nil} {
				if st, _, _ := s.do("GET", "/api/v1/organiser/campaigns/billetsolidaire/stats", "", who); st != 404 && st != 401 {
					t.Fatalf("stats for someone else: %d", st)
				}
			}
			// A disabled link leads to the friendly 404.
			if st, _, _ := s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links/"+link.Code+"/disable", "", org); st != 204 {
				t.Fatalf("disable: %d", st)
			}
			if res, _ := s.click("/s/"+link.Code, phone, nil); res.StatusCode != 404 {
				t.Fatalf("a disabled link: %d", res.StatusCode)
			}
			if st, _, _ := s.do("POST", "/api/v1/organiser/campaigns/achatlocal/links/"+link.Code+"/disable", "", org); st != 404 {
				t.Fatalf("disable through another campaign: %d", st)
			}
			// Unknown and malformed codes: the friendly 404.
			for _, p := range []string{"/s/zzzzzzzzzzzz", "/s/nope", "/s/" + strings.Repeat("x", 200)} {
				if res, _ := s.click(p, phone, nil); res.StatusCode != 404 {
					t.Fatalf("%s: %d", p, res.StatusCode)
				}
			}
		})
	}
}

// TestCampaignCreation: an organiser creates a campaign and becomes its
// organiser; a till cannot.
func TestCampaignCreation(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	body := `{"title": "Printemps des salles", "hashtags": ["#printempsdessalles"], "currency": "cad", "goal": 1000000,
		"merchants": ["theatre-du-faubourg"], "events": ["evt_cabaret-des-voisins"]}`
	st, out, _ := s.do("POST", "/api/v1/organiser/campaigns", body, org)
	if st != 201 || !strings.Contains(out, `"slug":"printemps-des-salles"`) || !strings.Contains(out, `"hashtags":["printempsdessalles"]`) {
		t.Fatalf("create: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/organiser/campaigns", body, org); st != 409 {
		t.Fatalf("same slug again: %d", st)
	}
	if st, _, _ := s.do("POST", "/api/v1/organiser/campaigns", strings.NewReplacer(`"merchants": ["theatre-du-faubourg"]`, `"merchants": ["nope"]`, "Printemps", "Automne").Replace(body), org); st != 400 {
		t.Fatalf("unknown merchant: %d", st)
	}
	s.stats("printemps-des-salles", org)
	st, out, _ = s.do("GET", "/api/v1/organiser/campaigns", "", org)
	if st != 200 || !strings.Contains(out, "printemps-des-salles") || !strings.Contains(out, "billetsolidaire") || strings.Contains(out, "achatlocal") {
		t.Fatalf("mine: %d %s", st, out)
	}
}

// TestShareLinkRedisDown: with Redis gone the redirect still answers at
// once, and the clicks counted in process reach the database.
func TestShareLinkRedisDown(t *testing.T) {
	db := openSeeded(t, t.TempDir()+"/s.db", true)
	port := testenv.FreePort(t)
	dead, err := cache.NewRedis(fmt.Sprintf("redis://127.0.0.1:%d/0", port), "x:")
	if err != nil {
		t.Fatal(err)
	}
	s := startShop(t, db, false, api.Limits{}, dead, cache.NewMemory())
	// The limiter is down too: limits fail open, clicks fall back in process.
	org := s.token(demo.OrganisateurEmail)
	_, out, _ := s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links", `{"channel": "sms"}`, org)
	var link struct{ Code string }
	json.Unmarshal([]byte(out), &link)
	start := time.Now()
	for i := 0; i < 5; i++ {
		if res, _ := s.click("/s/"+link.Code, phone, nil); res.StatusCode != 302 {
			t.Fatalf("redirect with Redis down: %d", res.StatusCode)
		}
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("5 redirects took %s with Redis down", time.Since(start))
	}
	s.clicks.Flush(context.Background())
	s.clicks.RollUp(context.Background())
	if v := s.stats("billetsolidaire", org); v.Totals.Clicks != 5 || v.Totals.Visitors != 5 {
		t.Fatalf("counted %+v", v.Totals)
	}
}
