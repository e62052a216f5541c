package frontend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	demodata "github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/market"
)

// supportSection is the share section of an order's confirmation.
func supportSection(body string) string {
	start := strings.Index(body, `<section class="panel support"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(body[start:], "</section>")
	return body[start : start+end]
}

// paidOrder buys a gift certificate of 50,00 $ at the bakery by Awa, who
// came by the share link ref ("" for none), and pays it when pay is set.
func (s *site) paidOrder(t *testing.T, ref string, pay bool) string {
	t.Helper()
	ctx := context.Background()
	res, err := s.checkout.Create(ctx, market.CheckoutInput{BuyerEmail: "awa.diallo@example.org", BuyerName: "Awa Diallo",
		Lang: "fr", Ref: ref, Items: []market.ItemInput{{Kind: market.KindGiftCertificate, Merchant: demodata.BoulangerieSlug,
			Amount: 5000, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if pay {
		if _, _, err := s.checkout.CompleteDemo(ctx, res.Order.SessionID); err != nil {
			t.Fatal(err)
		}
	}
	return "/commande/" + res.Order.ID + "?token=" + res.AccessToken
}

func TestSupportSection(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	c, err := s.db.Campaign(ctx, demodata.AchatLocalSlug)
	if err != nil {
		t.Fatal(err)
	}
	link := &market.ShareLink{Code: market.NewShareCode(), CampaignID: c.ID, Campaign: c.Slug, Channel: "facebook",
		Label: "Groupe du Plateau", Target: "/c/" + c.Slug, CreatedAt: time.Now()}
	if err := s.db.CreateShareLink(ctx, link); err != nil {
		t.Fatal(err)
	}

	t.Run("FromACampaign", func(t *testing.T) {
		_, body := s.send(t, "GET", s.paidOrder(t, link.Code, true), nil, nil)
		sec := supportSection(body)
		must(t, sec, "J&#39;ai soutenu Boulangerie du Quartier #achatlocal",
			`value="`+s.base+"/s/"+link.Code+`"`, "/soutien/boulangerie-du-quartier.png", "/soutien/boulangerie-du-quartier/carre.png",
			"/soutien/boulangerie-du-quartier/cadre.png", `type="file"`, `for="soutien-photo"`, `for="soutien-nom"`, `for="soutien-lien"`,
			`aria-live="polite"`, "data-support-copy", "Votre photo reste sur votre appareil",
			"https://www.facebook.com/sharer/sharer.php?u=", "https://x.com/intent/post?", "https://wa.me/?text=")
		// Neither the amount nor the buyer is in what is shared.
		mustNot(t, sec, "50,00", "5000", "Awa", "awa.diallo", "token=")
	})
	t.Run("WithoutACampaign", func(t *testing.T) {
		_, body := s.send(t, "GET", s.paidOrder(t, "", true), nil, nil)
		must(t, supportSection(body), `value="`+s.base+"/m/boulangerie-du-quartier?utm_campaign=soutien&amp;utm_medium=social&amp;utm_source=solidaire")
	})
	t.Run("ADisabledLink", func(t *testing.T) {
		_, body := s.send(t, "GET", s.paidOrder(t, "zzzzzzzzzzzz", true), nil, nil)
		mustNot(t, supportSection(body), "/s/zzzzzzzzzzzz")
	})
	t.Run("English", func(t *testing.T) {
		_, body := s.send(t, "GET", s.paidOrder(t, "", true)+"&lang=en", nil, nil)
		must(t, supportSection(body), "I supported Boulangerie du Quartier #shoplocal", "Your photo stays on your device")
	})
	t.Run("NotBeforePayment", func(t *testing.T) {
		_, body := s.send(t, "GET", s.paidOrder(t, "", false), nil, nil)
		if sec := supportSection(body); sec != "" {
			t.Errorf("a pending order has the share section: %s", sec)
		}
	})
}

// decodePNG decodes a PNG answer.
func decodePNG(t *testing.T, body string) image.Image {
	t.Helper()
	img, err := png.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func TestSupportImages(t *testing.T) {
	s := newSite(t, nil, false)
	for _, tc := range []struct {
		path   string
		w, h   int
		public bool
	}{
		{"/soutien/boulangerie-du-quartier.png", 1200, 630, true},
		{"/soutien/boulangerie-du-quartier/carre.png", 1080, 1080, true},
		{"/soutien/boulangerie-du-quartier/cadre.png", 1080, 1080, true},
		{"/soutien/boulangerie-du-quartier.png?nom=Awa", 1200, 630, false},
		{"/soutien/boulangerie-du-quartier/carre.png?nom=" + strings.Repeat("Ève", 40), 1080, 1080, false},
		{"/soutien/boulangerie-du-quartier.png?nom=%3Cscript%3Ealert(1)%3C/script%3E", 1200, 630, false},
		{"/soutien/boulangerie-du-quartier.png?nom=%F0%9F%92%A5", 1200, 630, true}, // nothing drawable: no name
	} {
		res, body := s.send(t, "GET", tc.path, nil, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: %d %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		if b := decodePNG(t, body).Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("%s: %v, want %d×%d", tc.path, b, tc.w, tc.h)
		}
		cc := res.Header.Get("Cache-Control")
		if tc.public && !strings.HasPrefix(cc, "public, max-age=") || !tc.public && !strings.HasPrefix(cc, "private, max-age=") {
			t.Errorf("%s: Cache-Control %q", tc.path, cc)
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", tc.path)
		}
	}

	// A name changes the picture; the same name draws the same one.
	_, plain := s.send(t, "GET", "/soutien/boulangerie-du-quartier.png", nil, nil)
	_, named := s.send(t, "GET", "/soutien/boulangerie-du-quartier.png?nom=Awa", nil, nil)
	_, again := s.send(t, "GET", "/soutien/boulangerie-du-quartier.png?nom=Awa", nil, nil)
	if plain == named || named != again {
		t.Error("the name does not make its own picture")
	}

	// The frame is transparent where the photo shows, the brand's ring
	// around it.
	frame := decodePNG(t, func() string {
		_, b := s.send(t, "GET", "/soutien/boulangerie-du-quartier/cadre.png", nil, nil)
		return b
	}())
	if _, _, _, a := frame.At(540, 540).RGBA(); a != 0 {
		t.Errorf("the frame's middle is not transparent (alpha %d)", a)
	}
	if _, _, _, a := frame.At(540, 1075).RGBA(); a < 0xf000 {
		t.Errorf("the frame's ring is not opaque at its bottom (alpha %d)", a)
	}

	for _, path := range []string{"/soutien/nope.png", "/soutien/nope/cadre.png", "/soutien/nope/carre.png", "/soutien/boulangerie-du-quartier"} {
		if res, _ := s.send(t, "GET", path, nil, nil); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

// ldScript finds a page's JSON-LD.
var ldScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// pageJSONLD returns the JSON-LD of the page at path, checked against
// the schema.org vocabulary.
func (s *site) pageJSONLD(t *testing.T, path string) map[string]any {
	t.Helper()
	res, body := s.send(t, "GET", path, nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d", path, res.StatusCode)
	}
	m := ldScript.FindAllStringSubmatch(body, -1)
	if len(m) != 1 {
		t.Fatalf("%s: %d JSON-LD scripts", path, len(m))
	}
	if problems := frontend.ValidateJSONLD(t, []byte(m[0][1])); len(problems) > 0 {
		t.Errorf("%s:\n%s\n%s", path, strings.Join(problems, "\n"), m[0][1])
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(m[0][1]), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestJSONLDPages(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()

	t.Run("Merchants", func(t *testing.T) {
		list, _, err := s.db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: market.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			doc := s.pageJSONLD(t, "/m/"+m.Slug)
			if doc["name"] != m.Name || doc["url"] != s.base+"/m/"+m.Slug {
				t.Errorf("%s: name %v url %v", m.Slug, doc["name"], doc["url"])
			}
		}
		if doc := s.pageJSONLD(t, boulangerie); doc["@type"] != "Bakery" {
			t.Errorf("the bakery is a %v", doc["@type"])
		}
	})

	t.Run("Events", func(t *testing.T) {
		list, _, err := s.db.ListEvents(ctx, market.EventFilter{Page: market.Page{Limit: market.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range list {
			doc := s.pageJSONLD(t, "/e/"+e.ID)
			want := map[market.EventStatus]string{market.EventScheduled: "EventScheduled", market.EventCancelled: "EventCancelled",
				market.EventPostponed: "EventPostponed"}[e.Status]
			if doc["eventStatus"] != "https://schema.org/"+want {
				t.Errorf("%s (%s): eventStatus %v", e.ID, e.Status, doc["eventStatus"])
			}
			seen[want] = true
		}
		if len(seen) != 3 {
			t.Errorf("the demo's events have statuses %v; the test wants all three", seen)
		}
	})

	t.Run("Rescheduled", func(t *testing.T) {
		list, _, err := s.db.ListEvents(ctx, market.EventFilter{Status: market.EventScheduled, Upcoming: true, Page: market.Page{Limit: 1}})
		if err != nil || len(list) == 0 {
			t.Fatal(list, err)
		}
		e := list[0]
		moved := e.StartsAt.Add(30 * 24 * time.Hour).Truncate(time.Minute)
		events := &market.CancellationService{Store: s.db}
		if _, err := events.Postpone(ctx, e.ID, market.CancelOptions{Reason: "La salle est en travaux.", StartsAt: moved,
			Deadline: moved.Add(-24 * time.Hour)}, false); err != nil {
			t.Fatal(err)
		}
		doc := s.pageJSONLD(t, "/e/"+e.ID)
		zone := e.StartsAt.Location()
		if e.Currency == market.EUR {
			zone, _ = time.LoadLocation("Europe/Paris")
		} else {
			zone, _ = time.LoadLocation("America/Toronto")
		}
		if doc["eventStatus"] != "https://schema.org/EventRescheduled" ||
			doc["previousStartDate"] != e.StartsAt.In(zone).Format(time.DateOnly) ||
			doc["startDate"] != moved.In(zone).Format(time.RFC3339) {
			t.Errorf("rescheduled: %v, previous %v, start %v", doc["eventStatus"], doc["previousStartDate"], doc["startDate"])
		}
	})

	t.Run("ScriptInAName", func(t *testing.T) {
		evil := `</script><script>alert(1)</script>`
		m := &market.Merchant{Slug: "xss-test", Name: evil, Category: "boutique", City: "Montréal", Address: evil,
			Summary: evil, Currency: market.CAD, MinAmount: 500, MaxAmount: 20000, Status: market.MerchantApproved,
			Accepts: []market.ItemKind{market.KindGiftCertificate}}
		if err := s.db.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
		_, body := s.send(t, "GET", "/m/xss-test", nil, nil)
		mustNot(t, body, "<script>alert(1)")
		doc := s.pageJSONLD(t, "/m/xss-test")
		if doc["name"] != evil || doc["description"] != evil {
			t.Errorf("the name reads back as %q", doc["name"])
		}
	})
}

func TestSitemap(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	res, body := s.send(t, "GET", "/sitemap.xml", nil, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", body)
	}
	var set struct {
		XMLName xml.Name
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	dec := xml.NewDecoder(bytes.NewReader([]byte(body)))
	dec.Strict = true
	if err := dec.Decode(&set); err != nil {
		t.Fatal(err)
	}
	if set.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" || set.XMLName.Local != "urlset" {
		t.Errorf("root %v", set.XMLName)
	}
	if len(set.URLs) > 50_000 || len(body) > 50<<20 {
		t.Errorf("%d URLs, %d bytes: beyond what one sitemap may hold", len(set.URLs), len(body))
	}
	locs := map[string]bool{}
	for _, u := range set.URLs {
		if !strings.HasPrefix(u.Loc, s.base+"/") {
			t.Errorf("%s is not an absolute URL of the site", u.Loc)
		}
		if locs[u.Loc] {
			t.Errorf("%s twice", u.Loc)
		}
		locs[u.Loc] = true
		if u.LastMod != "" {
			if _, err := time.Parse(time.DateOnly, u.LastMod); err != nil {
				t.Errorf("%s: lastmod %q", u.Loc, u.LastMod)
			}
		}
	}
	want := []string{"/", "/evenements", boulangerie, "/c/" + demodata.AchatLocalSlug, "/p/" + demodata.ProgrammeSlug}
	merchants, _, err := s.db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: market.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range merchants {
		want = append(want, "/m/"+m.Slug)
	}
	events, _, err := s.db.ListEvents(ctx, market.EventFilter{Upcoming: true, Page: market.Page{Limit: market.MaxLimit}})
	if err != nil || len(events) == 0 {
		t.Fatal(len(events), err)
	}
	for _, e := range events {
		want = append(want, "/e/"+e.ID)
	}
	for _, w := range want {
		if !locs[s.base+w] {
			t.Errorf("the sitemap lacks %s", w)
		}
	}
	for loc := range locs {
		for _, private := range []string{"/commande/", "/v/", "/demo/", "/admin", "/commerce", "/s/"} {
			if strings.Contains(loc, private) {
				t.Errorf("the sitemap lists %s", loc)
			}
		}
	}

	_, robots := s.send(t, "GET", "/robots.txt", nil, nil)
	must(t, robots, "\nSitemap: "+s.base+"/sitemap.xml\n", "Disallow: /commande/")
}

func TestSitemapDemo(t *testing.T) {
	s := newSite(t, nil, true)
	if res, _ := s.send(t, "GET", "/sitemap.xml", nil, nil); res.StatusCode != 404 {
		t.Errorf("a demo site's sitemap: %d, want 404", res.StatusCode)
	}
	_, robots := s.send(t, "GET", "/robots.txt", nil, nil)
	if robots != "User-agent: *\nDisallow: /\n" {
		t.Errorf("a demo site's robots.txt: %q", robots)
	}
}
