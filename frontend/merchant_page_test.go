package frontend

import (
	"context"
	"encoding/xml"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// pageCatalogue is a catalogue of one approved merchant that runs its page.
type pageCatalogue struct {
	m       *market.Merchant
	filters []market.MerchantFilter
}

func (c *pageCatalogue) ListMerchants(_ context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error) {
	c.filters = append(c.filters, f)
	if f.Status != "" && c.m.StatusAt(time.Now()) != f.Status {
		return nil, "", nil
	}
	return []*market.Merchant{c.m}, "", nil
}

func (c *pageCatalogue) Merchant(_ context.Context, slug string) (*market.Merchant, error) {
	if slug != c.m.Slug {
		return nil, market.NotFound("Commerce")
	}
	return c.m, nil
}

func (c *pageCatalogue) MerchantByID(_ context.Context, id string) (*market.Merchant, error) {
	if id != c.m.ID {
		return nil, market.NotFound("Commerce")
	}
	return c.m, nil
}

func (c *pageCatalogue) Cities(context.Context) ([]string, error) { return []string{"Montréal"}, nil }
func (c *pageCatalogue) ListEvents(context.Context, market.EventFilter) ([]*market.Event, string, error) {
	return nil, "", nil
}
func (c *pageCatalogue) Event(context.Context, string) (*market.Event, error) {
	return nil, market.NotFound("Événement")
}
func (c *pageCatalogue) Campaign(context.Context, string) (*market.Campaign, error) {
	return nil, market.NotFound("Campagne")
}
func (c *pageCatalogue) ListCampaigns(context.Context) ([]*market.Campaign, error) { return nil, nil }

// fakePages holds one merchant's photos and posts.
type fakePages struct {
	photos []*market.PagePhoto
	posts  []*market.NewsPost
	cities []string
}

func (f *fakePages) MerchantPage(context.Context, string) (*market.MerchantPage, error) {
	return &market.MerchantPage{Photos: f.photos, Followers: 12}, nil
}
func (f *fakePages) MerchantPosts(_ context.Context, _ string, p market.Page) ([]*market.NewsPost, string, error) {
	return f.posts, "", nil
}
func (f *fakePages) NewsPost(_ context.Context, id string) (*market.NewsPost, error) {
	for _, p := range f.posts {
		if p.ID == id && !p.Hidden {
			return p, nil
		}
	}
	return nil, market.NotFound("Nouvelle")
}
func (f *fakePages) CityPosts(_ context.Context, key string, limit int) ([]*market.NewsPost, error) {
	f.cities = append(f.cities, key)
	return f.posts, nil
}
func (f *fakePages) LatestPosts(context.Context, int) ([]*market.NewsPost, error) {
	return f.posts, nil
}

// fakeFollowers records what it was asked.
type fakeFollowers struct {
	m       *market.Merchant
	follows []string
	tokens  []string
}

func (f *fakeFollowers) Follow(_ context.Context, m *market.Merchant, email, lang string) error {
	f.follows = append(f.follows, m.ID+" "+email+" "+lang)
	return nil
}
func (f *fakeFollowers) ConfirmFollower(_ context.Context, token string) (*market.Merchant, error) {
	f.tokens = append(f.tokens, "confirm "+token)
	if token == validToken {
		return f.m, nil
	}
	return nil, market.Invalid("token", "unknown")
}
func (f *fakeFollowers) Unsubscribe(_ context.Context, token string) (*market.Merchant, error) {
	f.tokens = append(f.tokens, "unsubscribe "+token)
	if token == validToken {
		return f.m, nil
	}
	return nil, market.Invalid("token", "unknown")
}

const validToken = "dG9rZW4tZm9yLXRoZS10ZXN0LTAxMjM0NTY3"

// pageSite is the pages over the fakes, with a merchant that is takeout
// only until tomorrow, a cover photo, hours, links, an English description
// and two posts (one hidden).
func pageSite(t *testing.T, withPages bool) (*Pages, *pageCatalogue, *fakePages, *fakeFollowers) {
	t.Helper()
	photo := &market.PagePhoto{ID: "ph1", MerchantID: "m1", Key: "photos/m1/ph1", Widths: []int{320, 640, 1280}, Width: 1280, Height: 960}
	until := time.Now().Add(36 * time.Hour)
	m := &market.Merchant{ID: "m1", Slug: "boulangerie", Name: "Boulangerie du Coin", Category: market.Category("bakery"),
		City: "Montréal", Address: "12 rue Principale", Summary: "Du pain.", Description: "Le pain du quartier.",
		DescriptionEN: "The neighbourhood's bread.", Website: "https://boulangerie.example", Facebook: "https://www.facebook.com/boulangerie",
		Instagram: "https://www.instagram.com/boulangerie", Currency: market.CAD, Status: market.MerchantApproved,
		Accepts: []market.ItemKind{market.KindGiftCertificate}, MinAmount: 500, MaxAmount: 20000,
		Hours:      []market.OpeningHours{{Day: 1, Opens: "08:00", Closes: "12:00"}, {Day: 1, Opens: "13:30", Closes: "18:00"}, {Day: 2, Opens: "08:00", Closes: "18:00"}},
		OpenStatus: market.StatusTakeout, StatusNote: "Commandez au comptoir", StatusUntil: until, Cover: photo,
		CreatedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	cat := &pageCatalogue{m: m}
	fp := &fakePages{photos: []*market.PagePhoto{photo}, posts: []*market.NewsPost{
		{ID: "p1", MerchantID: "m1", Body: "Croissants chauds dès 7 h !", PhotoID: "ph1", CreatedAt: time.Now().Add(-time.Hour)},
		{ID: "p2", MerchantID: "m1", Body: "Masquée", Hidden: true, CreatedAt: time.Now().Add(-2 * time.Hour)},
	}}
	ff := &fakeFollowers{m: m}
	cfg := Config{Catalogue: cat, BaseURL: "https://solidaire.example", Followers: ff}
	if withPages {
		cfg.MerchantPages = fp
	}
	p, err := newPages(cfg, fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	return p, cat, fp, ff
}

// get serves a request and returns the answer and its body.
func serve(t *testing.T, p *Pages, method, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("missing %q", w)
		}
	}
}

func TestMerchantPageRuns(t *testing.T) {
	p, _, _, _ := pageSite(t, true)
	res, body := serve(t, p, "GET", "/m/boulangerie", nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	contains(t, body,
		// Today's status: words and colour, its note and its end.
		`<span class="badge badge-open badge-takeout"><span class="badge-dot" aria-hidden="true"></span>Pour emporter</span>`,
		`Commandez au comptoir`, `<span class="open-until"><time datetime="`, "jusqu&#39;au ",
		// Photos with srcset and their size.
		`srcset="/media/photos/m1/ph1-320.jpg 320w, /media/photos/m1/ph1-640.jpg 640w, /media/photos/m1/ph1-1280.jpg 1280w"`,
		`src="/media/photos/m1/ph1-640.jpg"`, `width="640" height="480"`, `alt="Boulangerie du Coin"`,
		// Hours, links, news, the feed and the follow form.
		`<h2 id="heures">Heures d&#39;ouverture</h2>`, "8 h à 12 h<br>13 h 30 à 18 h", `aria-current="date"`,
		`href="https://www.facebook.com/boulangerie"`, `href="https://www.instagram.com/boulangerie"`,
		"Croissants chauds dès 7 h", `href="/m/boulangerie/nouvelles/p1"`,
		`<link rel="alternate" type="application/atom+xml" href="/m/boulangerie/nouvelles.atom"`,
		`action="/m/boulangerie/suivre"`, "12 abonnés.",
		html.EscapeString(market.FollowConsentFR),
		"Le pain du quartier.")
	if strings.Contains(body, "Masquée") {
		t.Error("a hidden post shows")
	}
	if n := strings.Count(body, `aria-current="date"`); n != 1 {
		t.Errorf("%d days marked as today", n)
	}
	// In English, the English description and the consent's English words.
	_, body = serve(t, p, "GET", "/m/boulangerie?lang=en", nil)
	contains(t, body, "The neighbourhood&#39;s bread.", ">Takeout</span>", "8:00 a.m. to 12:00 p.m.",
		html.EscapeString(market.FollowConsentEN))
}

func TestMerchantPageWithoutPages(t *testing.T) {
	p, _, _, _ := pageSite(t, false)
	_, body := serve(t, p, "GET", "/m/boulangerie", nil)
	if strings.Contains(body, "application/atom+xml") || strings.Contains(body, `srcset="/media/`) {
		t.Error("the feed or photos show without MerchantPages")
	}
	contains(t, body, `action="/m/boulangerie/suivre"`, "Pour emporter")
	for _, path := range []string{"/m/boulangerie/nouvelles.atom", "/villes/montreal/nouvelles.atom", "/m/boulangerie/nouvelles/p1"} {
		if res, _ := serve(t, p, "GET", path, nil); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

func TestDirectoryStatus(t *testing.T) {
	p, cat, _, _ := pageSite(t, true)
	_, body := serve(t, p, "GET", "/?statut=emporter&city=Montr%C3%A9al", nil)
	if got := cat.filters[len(cat.filters)-1].Status; got != market.StatusTakeout {
		t.Errorf("status filter %q", got)
	}
	contains(t, body,
		`<input type="radio" name="statut" value="emporter" checked>Pour emporter`,
		`<img class="card-cover" src="/media/photos/m1/ph1-640.jpg" srcset="/media/photos/m1/ph1-320.jpg 320w`,
		`width="640" height="480" loading="lazy" alt="Boulangerie du Coin"`, `badge-takeout`,
		`<link rel="alternate" type="application/atom+xml" href="/villes/montreal/nouvelles.atom"`,
		"Nouvelles des commerces", `href="/m/boulangerie">Boulangerie du Coin</a>`)
	// The API's values are understood too; a stale one filters nothing.
	serve(t, p, "GET", "/?statut=delivery", nil)
	if got := cat.filters[len(cat.filters)-1].Status; got != market.StatusDelivery {
		t.Errorf("status filter %q", got)
	}
	serve(t, p, "GET", "/?statut=nimporte", nil)
	if got := cat.filters[len(cat.filters)-1].Status; got != "" {
		t.Errorf("status filter %q", got)
	}
	// A lapsed status shows no badge.
	cat.m.StatusUntil = time.Now().Add(-time.Minute)
	_, body = serve(t, p, "GET", "/", nil)
	if strings.Contains(body, "badge-takeout") {
		t.Error("a lapsed status shows")
	}
}

func TestFeeds(t *testing.T) {
	p, _, fp, _ := pageSite(t, true)
	type link struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	type feed struct {
		XMLName xml.Name
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []link `xml:"link"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Links   []link `xml:"link"`
			Author  struct {
				Name string `xml:"name"`
			} `xml:"author"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	for _, sc := range []struct{ path, self, alternate, author string }{
		{"/m/boulangerie/nouvelles.atom", "https://solidaire.example/m/boulangerie/nouvelles.atom", "https://solidaire.example/m/boulangerie", "Boulangerie du Coin"},
		{"/villes/Montr%C3%A9al/nouvelles.atom", "https://solidaire.example/villes/montreal/nouvelles.atom", "https://solidaire.example/?city=Montr%C3%A9al", "Solidaire"},
	} {
		res, body := serve(t, p, "GET", sc.path, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: %d %s", sc.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		var f feed
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("%s: %v\n%s", sc.path, err, body)
		}
		if f.XMLName.Space != "http://www.w3.org/2005/Atom" || f.XMLName.Local != "feed" {
			t.Errorf("root %v", f.XMLName)
		}
		if !strings.HasPrefix(f.ID, "tag:solidaire.example,") || f.Title == "" || f.Author.Name != sc.author {
			t.Errorf("feed id %q title %q author %q", f.ID, f.Title, f.Author.Name)
		}
		if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
			t.Errorf("updated %q", f.Updated)
		}
		rels := map[string]string{}
		for _, l := range f.Links {
			rels[l.Rel] = l.Href
		}
		if rels["self"] != sc.self || rels["alternate"] != sc.alternate {
			t.Errorf("links %v", rels)
		}
		if len(f.Entries) != 1 {
			t.Fatalf("%d entries (a hidden post must not be one)", len(f.Entries))
		}
		e := f.Entries[0]
		if !strings.HasPrefix(e.ID, "tag:solidaire.example,") || !strings.HasSuffix(e.ID, ":post/p1") ||
			e.Content != "Croissants chauds dès 7 h !" || e.Author.Name != "Boulangerie du Coin" ||
			len(e.Links) != 1 || e.Links[0].Href != "https://solidaire.example/m/boulangerie/nouvelles/p1" {
			t.Errorf("entry %+v", e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q", e.Updated)
		}
	}
	if len(fp.cities) != 1 || fp.cities[0] != "montreal" {
		t.Errorf("city feed asked %v", fp.cities)
	}
	if res, _ := serve(t, p, "GET", "/villes/nulle-part/nouvelles.atom", nil); res.StatusCode != 404 {
		t.Errorf("unknown city: %d", res.StatusCode)
	}
}

func TestNewsPostPage(t *testing.T) {
	p, _, _, _ := pageSite(t, true)
	res, body := serve(t, p, "GET", "/m/boulangerie/nouvelles/p1", nil)
	if res.StatusCode != 200 {
		t.Fatalf("%d\n%s", res.StatusCode, body)
	}
	contains(t, body, `<meta property="og:image" content="https://solidaire.example/og/n/p1.png">`,
		"Croissants chauds dès 7 h", `srcset="/media/photos/m1/ph1-320.jpg 320w`, `href="/m/boulangerie"`, "Pour emporter")
	for _, path := range []string{"/m/boulangerie/nouvelles/p2", "/m/boulangerie/nouvelles/nope", "/m/autre/nouvelles/p1", "/og/n/p2.png"} {
		if res, _ := serve(t, p, "GET", path, nil); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	res, body = serve(t, p, "GET", "/og/n/p1.png", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, err := png.Decode(strings.NewReader(body))
	if err != nil || img.Bounds().Dx() != ogWidth || img.Bounds().Dy() != ogHeight {
		t.Fatalf("image: %v", err)
	}
}

func TestFollowWithoutJavaScript(t *testing.T) {
	p, _, _, ff := pageSite(t, true)
	// No consent: the form again, with its error, and nothing asked.
	res, body := serve(t, p, "POST", "/m/boulangerie/suivre", url.Values{"email": {"lea@example.org"}})
	if res.StatusCode != 400 || len(ff.follows) != 0 {
		t.Fatalf("%d %v", res.StatusCode, ff.follows)
	}
	contains(t, body, "Cochez la case pour accepter", `value="lea@example.org"`)
	// A wrong address.
	res, body = serve(t, p, "POST", "/m/boulangerie/suivre", url.Values{"email": {"lea"}, "consent": {"1"}})
	if res.StatusCode != 400 || len(ff.follows) != 0 {
		t.Fatalf("%d %v", res.StatusCode, ff.follows)
	}
	contains(t, body, `aria-invalid="true"`, "Entrez une adresse courriel valide")
	// Both: the service is asked, in the page's language.
	res, body = serve(t, p, "POST", "/m/boulangerie/suivre", url.Values{"email": {"lea@example.org"}, "consent": {"1"}})
	if res.StatusCode != 200 || len(ff.follows) != 1 || ff.follows[0] != "m1 lea@example.org fr" {
		t.Fatalf("%d %v\n%s", res.StatusCode, ff.follows, body)
	}
	contains(t, body, "Vérifiez vos courriels pour confirmer.")
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	// A GET of the form's address goes back to the page.
	if res, _ := serve(t, p, "GET", "/m/boulangerie/suivre", nil); res.StatusCode != 303 {
		t.Errorf("GET: %d", res.StatusCode)
	}
}

func TestFollowerLinks(t *testing.T) {
	p, _, _, ff := pageSite(t, true)
	for _, sc := range []struct{ path, button, done string }{
		{"/suivre/confirmer", "Confirmer mon abonnement", "C'est fait : vous recevrez les nouvelles de Boulangerie du Coin"},
		{"/suivre/desabonner", "Me désabonner", "Vous ne recevrez plus les nouvelles de Boulangerie du Coin."},
	} {
		// GET only shows the button: a mail scanner changes nothing.
		res, body := serve(t, p, "GET", sc.path+"?token="+validToken, nil)
		if res.StatusCode != 200 || len(ff.tokens) != 0 {
			t.Fatalf("%s: %d %v", sc.path, res.StatusCode, ff.tokens)
		}
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: caching %q %q", sc.path, res.Header.Get("Cache-Control"), res.Header.Get("Referrer-Policy"))
		}
		contains(t, body, `<form method="post" action="`+sc.path+`">`, `<input type="hidden" name="token" value="`+validToken+`">`, sc.button)
		// POST does it.
		res, body = serve(t, p, "POST", sc.path, url.Values{"token": {validToken}})
		if res.StatusCode != 200 || len(ff.tokens) != 1 {
			t.Fatalf("%s: %d %v", sc.path, res.StatusCode, ff.tokens)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", sc.path, res.Header.Get("Cache-Control"))
		}
		contains(t, body, strings.ReplaceAll(typo(sc.done), "'", "&#39;"))
		ff.tokens = nil
		// A token unknown or malformed says the link no longer works.
		res, body = serve(t, p, "POST", sc.path, url.Values{"token": {"dW5rbm93bi10b2tlbi0wMTIzNDU2Nzg5"}})
		if res.StatusCode != 400 {
			t.Errorf("%s unknown: %d", sc.path, res.StatusCode)
		}
		contains(t, body, "Ce lien ne fonctionne plus")
		if res, _ := serve(t, p, "GET", sc.path+"?token=x", nil); res.StatusCode != 400 {
			t.Errorf("%s malformed: %d", sc.path, res.StatusCode)
		}
		ff.tokens = nil
	}
}

func TestPageEditorShells(t *testing.T) {
	p, _, _, _ := pageSite(t, true)
	res, body := serve(t, p, "GET", "/commerce/page", nil)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	contains(t, body, `data-side="page"`, `accept="image/jpeg,image/png,image/webp"`, `data-set-status="takeout"`,
		"Fermé temporairement", `data-day="7"`, "Dimanche", `id="page-resume"`, `maxlength="160"`, `data-api-field="min_amount"`,
		`aria-label="Espace commerce"`, `href="/commerce/page" aria-current="page"`, `"page.photo.cover":"Photo principale"`)
	if strings.Contains(body, "capture") {
		t.Error("the file input must offer the camera roll, not force the camera")
	}
	_, body = serve(t, p, "GET", "/commerce/nouvelles", nil)
	contains(t, body, `data-side="news"`, `maxlength="500"`, `"news.followers.other":"%s abonnés"`)
	_, body = serve(t, p, "GET", "/commerce", nil)
	contains(t, body, `data-status-panel`, `value="community"`, "Gestionnaire de communauté", "N&#39;encaisse pas")
}
