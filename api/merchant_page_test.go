package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
)

// fakeFiles is a map-backed market.FileStore.
type fakeFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func newFakeFiles() *fakeFiles { return &fakeFiles{files: map[string][]byte{}} }

func (f *fakeFiles) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[key] = b
	return nil
}

func (f *fakeFiles) Get(_ context.Context, key string) (io.ReadCloser, *market.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.files[key]
	if !ok {
		return nil, nil, market.NotFound("Fichier")
	}
	sum := sha256.Sum256(b)
	return io.NopCloser(bytes.NewReader(b)), &market.FileInfo{Size: int64(len(b)), ContentType: "image/jpeg", ETag: hex.EncodeToString(sum[:8])}, nil
}

func (f *fakeFiles) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.files, key)
	return nil
}

func (f *fakeFiles) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.files)
}

// fakeResizer answers by the upload's first bytes: "JPEG…" gives two
// widths, "BOMB…" too many pixels, anything else is not an image.
type fakeResizer struct{}

func (fakeResizer) Resize(r io.Reader) (*market.ResizedImage, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(b, []byte("JPEG")):
		return &market.ResizedImage{Width: 1000, Height: 750, Variants: []market.ImageVariant{
			{Width: 320, Height: 240, JPEG: []byte("jpeg-320")}, {Width: 640, Height: 480, JPEG: []byte("jpeg-640")}}}, nil
	case bytes.HasPrefix(b, []byte("BOMB")):
		return nil, market.Invalid("photo", "Image trop grande (en pixels).")
	}
	return nil, &market.Error{Code: market.EUnsupportedMedia, Message: "JPEG, PNG ou WebP seulement."}
}

// upload posts a photo as a phone's form does.
func (s *shop) upload(content string, header map[string]string) (int, string) {
	s.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("photo", "photo.jpg")
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/merchant/photos", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

var followTokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

func (s *shop) mailTokens(to string) []string {
	s.t.Helper()
	mails, _ := s.db.Mails(context.Background(), "", 200)
	var out []string
	for _, m := range mails {
		if m.To == to {
			if mm := followTokenRE.FindStringSubmatch(m.Text); mm != nil {
				out = append(out, mm[1])
			}
		}
	}
	return out
}

func TestMerchantPages(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			owner := s.token(demo.BoulangerieEmail)
			admin := s.token(demo.AdminEmail)
			future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			for _, sc := range []struct {
				name, method, path, body string
				status                   int
				want                     []string
			}{
				{"GetProfile", "GET", "/api/v1/merchant/profile", "", 200, []string{`"slug":"boulangerie-du-quartier"`, `"changes":[`}},
				{"PatchProfile", "PATCH", "/api/v1/merchant/profile", `{"description_en": "A neighbourhood bakery", "links": {"instagram": "https://instagram.com/boul"},
					"hours": [{"day": 1, "opens": "08:00", "closes": "18:00"}, {"day": 6, "opens": "09:00", "closes": "13:00"}]}`, 200,
					[]string{`"description_en":"A neighbourhood bakery"`, `"instagram":"https://instagram.com/boul"`, `{"day":6,"opens":"09:00","closes":"13:00"}`, `"what":"hours"`}},
				{"ErrFields", "PATCH", "/api/v1/merchant/profile", `{"summary": "` + strings.Repeat("x", 161) + `", "links": {"website": "javascript:alert(1)"},
					"hours": [{"day": 8, "opens": "08:00", "closes": "18:00"}]}`, 400,
					[]string{`"summary":"Au plus 160 caractères`, `"links.website":"Doit être une adresse web`, `"hours[0].day"`}},
				{"ErrClosesBeforeOpens", "PATCH", "/api/v1/merchant/profile", `{"hours": [{"day": 1, "opens": "18:00", "closes": "08:00"}]}`, 400, []string{`"hours[0].closes"`}},
				{"ErrAmounts", "PATCH", "/api/v1/merchant/profile", `{"min_amount": 5000, "max_amount": 1000}`, 400, []string{`"max_amount"`}},
				{"ErrUnknownField", "PATCH", "/api/v1/merchant/profile", `{"status": "approved"}`, 400, []string{`"status":"unknown field"`}},
				{"SetStatus", "PUT", "/api/v1/merchant/status", `{"status": "takeout", "note": "Commandez au 514", "until": "` + future + `"}`, 200,
					[]string{`"status":"takeout"`, `"status_note":"Commandez au 514"`, `"status_until":"` + future + `"`}},
				{"ErrStatusPast", "PUT", "/api/v1/merchant/status", `{"status": "closed", "until": "2020-01-01T00:00:00Z"}`, 400, []string{`"until"`}},
				{"ErrStatusUnknown", "PUT", "/api/v1/merchant/status", `{"status": "party"}`, 400, []string{`"status"`}},
				{"ErrListingStatus", "GET", "/api/v1/merchants?status=party", "", 400, []string{`"status"`}},
				{"ListingTakeout", "GET", "/api/v1/merchants?status=takeout", "", 200, []string{`"slug":"boulangerie-du-quartier","name"`, `"status":"takeout"`}},
				{"ErrPostEmpty", "POST", "/api/v1/merchant/posts", `{"body": "  "}`, 400, []string{`"body"`}},
				{"ErrPostLong", "POST", "/api/v1/merchant/posts", `{"body": "` + strings.Repeat("é", 501) + `"}`, 400, []string{`"body"`}},
			} {
				t.Run(sc.name, func(t *testing.T) {
					st, out, _ := s.do(sc.method, sc.path, sc.body, owner)
					if st != sc.status {
						t.Fatalf("%d, want %d: %s", st, sc.status, out)
					}
					for _, w := range sc.want {
						if !strings.Contains(out, w) {
							t.Errorf("lacks %q: %s", w, out)
						}
					}
				})
			}

			t.Run("StatusClearsAndLapses", func(t *testing.T) {
				if st, out, _ := s.do("GET", "/api/v1/merchants?status=delivery", "", nil); st != 200 || strings.Contains(out, "boulangerie-du-quartier") {
					t.Fatalf("delivery: %d %s", st, out)
				}
				m, _ := s.db.Merchant(context.Background(), "boulangerie-du-quartier")
				// A status whose date has passed lapses by itself.
				if err := s.db.SetOpenStatus(context.Background(), m.ID, "", market.StatusClosed, "Vacances", time.Now().Add(-time.Minute), time.Now()); err != nil {
					t.Fatal(err)
				}
				if st, out, _ := s.do("GET", "/api/v1/merchants?status=closed&limit=100", "", nil); st != 200 || strings.Contains(out, "boulangerie-du-quartier") {
					t.Fatalf("lapsed closed still listed: %s", out)
				}
				if _, out, _ := s.do("GET", "/api/v1/merchants/boulangerie-du-quartier", "", nil); !strings.Contains(out, `"status":"","status_note":"","status_until":null`) {
					t.Fatalf("lapsed status on the page: %s", out)
				}
				if st, out, _ := s.do("PUT", "/api/v1/merchant/status", `{"status": ""}`, owner); st != 200 || !strings.Contains(out, `"status":""`) {
					t.Fatalf("clear: %d %s", st, out)
				}
			})

			t.Run("Photos", func(t *testing.T) {
				if st, out := s.upload("GIF89a", owner); st != 415 || !strings.Contains(out, "unsupported_media_type") {
					t.Fatalf("not an image: %d %s", st, out)
				}
				if st, out := s.upload("BOMB", owner); st != 400 {
					t.Fatalf("too many pixels: %d %s", st, out)
				}
				if st, out, _ := s.do("POST", "/api/v1/merchant/photos", `{"photo": "x"}`, owner); st != 415 {
					t.Fatalf("JSON instead of a form: %d %s", st, out)
				}
				var ids []string
				for i := 0; i < market.MaxPagePhotos; i++ {
					st, out := s.upload("JPEG photo", owner)
					var p struct{ ID, URL, Srcset string }
					json.Unmarshal([]byte(out), &p)
					if st != 201 || !strings.HasSuffix(p.URL, "-640.jpg") || !strings.Contains(p.Srcset, "-320.jpg 320w") {
						t.Fatalf("upload %d: %d %s", i, st, out)
					}
					ids = append(ids, p.ID)
				}
				if st, out := s.upload("JPEG photo", owner); st != 409 {
					t.Fatalf("seventh photo: %d %s", st, out)
				}
				if n := s.files.count(); n != 2*market.MaxPagePhotos {
					t.Fatalf("stored files: %d (a refused photo's widths must go)", n)
				}
				// The cover shows on the card and is served from /media/.
				_, out, _ := s.do("GET", "/api/v1/merchants?city=montreal&category=boulangerie", "", nil)
				var list struct {
					Data []struct {
						Slug, Cover string
						Srcset      string `json:"cover_srcset"`
					}
				}
				json.Unmarshal([]byte(out), &list)
				cover := ""
				for _, c := range list.Data {
					if c.Slug == "boulangerie-du-quartier" {
						cover = c.Cover
					}
				}
				if !strings.Contains(cover, ids[0]+"-640.jpg") {
					t.Fatalf("card cover %q: %s", cover, out)
				}
				res, err := http.Get(s.base + cover)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || string(body) != "jpeg-640" || res.Header.Get("Content-Type") != "image/jpeg" ||
					!strings.Contains(res.Header.Get("Cache-Control"), "immutable") || res.Header.Get("ETag") == "" {
					t.Fatalf("media: %d %q %v", res.StatusCode, body, res.Header)
				}
				for _, bad := range []string{"/media/photos/x/nope-640.jpg", "/media/etc/passwd", "/media/photos/a/b-1.png", "/media/photos/a%2Fb/c-1.jpg"} {
					if st, out, _ := s.do("GET", bad, "", nil); st != 404 || !strings.Contains(out, "not_found") {
						t.Fatalf("%s: %d %s", bad, st, out)
					}
				}
				if st, out, _ := s.do("PATCH", "/api/v1/merchant/photos/"+ids[3], `{"position": 0}`, owner); st != 200 || !strings.Contains(out, `"cover":true`) {
					t.Fatalf("move: %d %s", st, out)
				}
				if st, _, _ := s.do("DELETE", "/api/v1/merchant/photos/"+ids[5], "", owner); st != 204 {
					t.Fatalf("delete: %d", st)
				}
				if st, _, _ := s.do("DELETE", "/api/v1/merchant/photos/"+ids[5], "", owner); st != 404 {
					t.Fatalf("delete again: %d", st)
				}
				// An admin hides a photo; the merchant reads why.
				if st, out, _ := s.do("POST", "/api/v1/admin/merchants/boulangerie-du-quartier/photos/"+ids[3]+"/hide", `{"reason": "Visage reconnaissable"}`, admin); st != 200 {
					t.Fatalf("hide: %d %s", st, out)
				}
				if st, _, _ := s.do("POST", "/api/v1/admin/merchants/boulangerie-du-quartier/photos/"+ids[3]+"/hide", `{"reason": "x"}`, owner); st != 404 {
					t.Fatalf("owner hiding: %d", st)
				}
				_, out, _ = s.do("GET", "/api/v1/merchant/profile", "", owner)
				if !strings.Contains(out, `"hidden":true,"hidden_reason":"Visage reconnaissable"`) {
					t.Fatalf("profile after hide: %s", out)
				}
				_, out, _ = s.do("GET", "/api/v1/merchants/boulangerie-du-quartier", "", nil)
				if strings.Contains(out, ids[3]) || !strings.Contains(out, ids[0]) {
					t.Fatalf("public page shows the hidden photo: %s", out)
				}
			})

			t.Run("FollowersAndPosts", func(t *testing.T) {
				for _, who := range []string{"awa@example.org", "awa@example.org", "jo@example.org"} {
					if st, out, _ := s.do("POST", "/api/v1/merchants/boulangerie-du-quartier/followers", fmt.Sprintf(`{"email": %q, "lang": "fr"}`, who), nil); st != 202 {
						t.Fatalf("follow: %d %s", st, out)
					}
				}
				if st, _, _ := s.do("POST", "/api/v1/merchants/nope/followers", `{"email": "a@example.org"}`, nil); st != 404 {
					t.Fatalf("unknown merchant: %d", st)
				}
				if st, _, _ := s.do("POST", "/api/v1/merchants/boulangerie-du-quartier/followers", `{"email": "pas une adresse"}`, nil); st != 400 {
					t.Fatalf("bad address: %d", st)
				}
				tokens := s.mailTokens("awa@example.org")
				if len(tokens) != 2 {
					t.Fatalf("confirmation mails: %v", tokens)
				}
				// The newest link confirms; the first was replaced.
				confirmed := 0
				for _, tok := range tokens {
					st, out, _ := s.do("POST", "/api/v1/followers/confirm", fmt.Sprintf(`{"token": %q}`, tok), nil)
					switch {
					case st == 200 && strings.Contains(out, `"slug":"boulangerie-du-quartier"`):
						confirmed++
						if st, out, _ := s.do("POST", "/api/v1/followers/confirm", fmt.Sprintf(`{"token": %q}`, tok), nil); st != 400 || !strings.Contains(out, `"token"`) {
							t.Fatalf("confirm twice: %d %s", st, out)
						}
					case st != 400:
						t.Fatalf("confirm: %d %s", st, out)
					}
				}
				if confirmed != 1 {
					t.Fatalf("%d links confirmed, want the newest only", confirmed)
				}
				if st, out, _ := s.do("POST", "/api/v1/merchant/posts", `{"body": "Croissants au beurre demain matin !"}`, owner); st != 201 ||
					!strings.Contains(out, `"url":"/m/boulangerie-du-quartier/nouvelles/`) {
					t.Fatalf("post: %d %s", st, out)
				}
				mails, _ := s.db.Mails(context.Background(), "", 200)
				var news *market.Mail
				for _, m := range mails {
					if m.To == "jo@example.org" && strings.Contains(m.Text, "Croissants") {
						t.Fatal("an unconfirmed follower got the news")
					}
					if m.To == "awa@example.org" && strings.Contains(m.Text, "Croissants") {
						news = m
					}
				}
				if news == nil || !strings.Contains(news.Headers["List-Unsubscribe"], "/api/v1/followers/unsubscribe?token=") ||
					news.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
					t.Fatalf("news mail: %+v", news)
				}
				if _, out, _ := s.do("GET", "/api/v1/merchant/profile", "", owner); !strings.Contains(out, `"followers":1`) {
					t.Fatalf("follower count: %s", out)
				}
				unsub := followTokenRE.FindStringSubmatch(news.Headers["List-Unsubscribe"])[1]
				// RFC 8058 one-click: a form post to the header's address.
				req, _ := http.NewRequest("POST", s.base+"/api/v1/followers/unsubscribe?token="+unsub, strings.NewReader("List-Unsubscribe=One-Click"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Fatalf("one-click: %d", res.StatusCode)
				}
				if st, _, _ := s.do("POST", "/api/v1/followers/unsubscribe", fmt.Sprintf(`{"token": %q}`, unsub), nil); st != 200 {
					t.Fatalf("unsubscribe again: %d", st)
				}
				if st, _, _ := s.do("POST", "/api/v1/followers/unsubscribe", `{"token": "nope"}`, nil); st != 400 {
					t.Fatalf("unknown token: %d", st)
				}
				if _, out, _ := s.do("GET", "/api/v1/merchants/boulangerie-du-quartier", "", nil); !strings.Contains(out, `"followers":0`) ||
					!strings.Contains(out, "Croissants au beurre") {
					t.Fatalf("public page: %s", out)
				}
				// An admin hides the post; the merchant reads why.
				_, out, _ := s.do("GET", "/api/v1/merchant/posts", "", owner)
				var posts struct{ Data []struct{ ID string } }
				json.Unmarshal([]byte(out), &posts)
				if st, out, _ := s.do("POST", "/api/v1/admin/merchants/boulangerie-du-quartier/posts/"+posts.Data[0].ID+"/hide", `{"reason": "Publicité trompeuse"}`, admin); st != 200 {
					t.Fatalf("hide post: %d %s", st, out)
				}
				if _, out, _ := s.do("GET", "/api/v1/merchant/posts", "", owner); !strings.Contains(out, `"hidden":true,"hidden_reason":"Publicité trompeuse"`) {
					t.Fatalf("own posts: %s", out)
				}
				if _, out, _ := s.do("GET", "/api/v1/merchants/boulangerie-du-quartier", "", nil); strings.Contains(out, "Croissants au beurre") {
					t.Fatalf("hidden post shown: %s", out)
				}
				if st, _, _ := s.do("DELETE", "/api/v1/merchant/posts/"+posts.Data[0].ID, "", owner); st != 204 {
					t.Fatalf("delete post: %d", st)
				}
				// Every change is recorded: who, what, when.
				st, out, _ := s.do("GET", "/api/v1/admin/merchants/boulangerie-du-quartier/changes", "", admin)
				for _, w := range []string{`"what":"post_hidden"`, `"what":"photo_hidden"`, `"what":"status"`, `"what":"description_en"`, `"who":"Mireille Gagnon"`} {
					if st != 200 || !strings.Contains(out, w) {
						t.Fatalf("changes lack %s: %d %s", w, st, out)
					}
				}
			})
		})
	}
}

// TestCommunityRole is the community manager's row of the authorisation
// matrix: the page, its news, photos and campaigns, and nothing of the
// till, the ledger, the staff or the payments.
func TestCommunityRole(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	code := s.paidVoucher("boulangerie-du-quartier", 5000)
	owner := s.token(demo.BoulangerieEmail)
	if st, out, _ := s.do("POST", "/api/v1/merchant/staff/invitations", `{"email": "cm@example.org", "role": "community"}`, owner); st != 202 {
		t.Fatalf("invite: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/staff/invitations", `{"email": "x@example.org", "role": "admin"}`, owner); st != 400 {
		t.Fatalf("invite as admin: %d", st)
	}
	invite := codeFromMail(t, s, "cm@example.org", "code=")
	if st, out, _ := s.do("POST", "/api/v1/auth/invitations/accept", fmt.Sprintf(`{"code": %q, "name": "Camille", "password": "un-mot-de-passe"}`, invite), nil); st != 200 ||
		!strings.Contains(out, `"role":"community"`) {
		t.Fatalf("accept: %d %s", st, out)
	}
	cm := s.token("cm@example.org", "un-mot-de-passe")
	if _, out, _ := s.do("GET", "/api/v1/merchant/staff", "", owner); !strings.Contains(out, `"role":"community"`) {
		t.Fatalf("staff list: %s", out)
	}
	for _, sc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"Profile", "GET", "/api/v1/merchant/profile", "", 200},
		{"EditPage", "PATCH", "/api/v1/merchant/profile", `{"summary": "Pain au levain"}`, 200},
		{"Status", "PUT", "/api/v1/merchant/status", `{"status": "delivery"}`, 200},
		{"Post", "POST", "/api/v1/merchant/posts", `{"body": "Livraison ce soir"}`, 201},
		{"Posts", "GET", "/api/v1/merchant/posts", "", 200},
		{"Campaigns", "GET", "/api/v1/merchant/campaigns", "", 200},
		{"AcceptCampaign", "POST", "/api/v1/merchant/campaigns/achatlocal/accept", "", 200},
		{"NoScan", "POST", "/api/v1/merchant/scan", fmt.Sprintf(`{"code": %q}`, code), 403},
		{"NoLedger", "GET", "/api/v1/merchant/ledger", "", 403},
		{"NoSummary", "GET", "/api/v1/merchant/summary", "", 403},
		{"NoStaff", "GET", "/api/v1/merchant/staff", "", 403},
		{"NoInvite", "POST", "/api/v1/merchant/staff/invitations", `{"email": "y@example.org"}`, 403},
		{"NoPayments", "GET", "/api/v1/merchant/payments", "", 403},
		{"NoDevices", "POST", "/api/v1/merchant/devices/pairing", `{"name": "Caisse"}`, 403},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if st, out, _ := s.do(sc.method, sc.path, sc.body, cm); st != sc.status {
				t.Fatalf("%d, want %d: %s", st, sc.status, out)
			}
		})
	}
	t.Run("NoRedeem", func(t *testing.T) {
		st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", `{"amount": 100}`, with(cm, "Idempotency-Key", "k0123456789abcdef-cm1"))
		if st != 403 {
			t.Fatalf("%d %s", st, out)
		}
	})
	if st, out := s.upload("JPEG", cm); st != 201 {
		t.Fatalf("community photo: %d %s", st, out)
	}
}

// TestCatalogueInvalidation changes a page on one instance: another
// instance, sharing the feed, drops its cached listing at once.
func TestCatalogueInvalidation(t *testing.T) {
	db := openSeeded(t, filepath.Join(t.TempDir(), "solidaire.db"), true)
	feed := cache.NewMemory()
	generous := api.Rate{Count: 10000, Per: time.Minute}
	limits := api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous,
		LookupsPerDevice: generous, LoginPerIP: generous, LoginPerAccount: generous}
	a := startShop(t, db, false, limits, feed, feed)
	b := startShop(t, db, false, limits, feed, feed)
	const path = "/api/v1/merchants?city=montreal&category=boulangerie"
	if _, out, _ := b.do("GET", path, "", nil); strings.Contains(out, `"status":"delivery"`) {
		t.Fatalf("before: %s", out)
	}
	if st, out, _ := a.do("PUT", "/api/v1/merchant/status", `{"status": "delivery"}`, a.token(demo.BoulangerieEmail)); st != 200 {
		t.Fatalf("status: %d %s", st, out)
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		_, out, _ := b.do("GET", path, "", nil)
		if strings.Contains(out, `"status":"delivery"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other instance still serves its cached listing: %s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
