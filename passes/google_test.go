package passes

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/solidaire-app/solidaire/market"
)

const testIssuerID = "3388000000012345678"

// testServiceAccount writes a service account JSON key as Google Cloud
// gives it, around a fresh RSA key.
func testServiceAccount(t *testing.T, tokenURI string) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	sa, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "solidaire-test",
		"private_key_id": "kid-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "wallet@solidaire-test.iam.gserviceaccount.com",
		"client_id":      "1234567890",
		"token_uri":      tokenURI,
	})
	return key, sa
}

// giftCardObject as the test reads it back.
type testObject struct {
	ID, ClassID, State, CardNumber string
	Barcode                        struct{ Type, Value, AlternateText string }
	Balance                        struct {
		Micros       string `json:"micros"`
		CurrencyCode string `json:"currencyCode"`
	}
	BalanceUpdateTime struct{ Date string }
	TextModulesData   []struct {
		ID, Header, Body string
		LocalizedBody    *struct {
			DefaultValue     struct{ Language, Value string }
			TranslatedValues []struct{ Language, Value string }
		}
	}
}

func (o testObject) module(id string) (fr, en string, ok bool) {
	for _, m := range o.TextModulesData {
		if m.ID == id {
			en = m.Body
			if m.LocalizedBody != nil && len(m.LocalizedBody.TranslatedValues) > 0 {
				en = m.LocalizedBody.TranslatedValues[0].Value
			}
			return m.Body, en, true
		}
	}
	return "", "", false
}

func TestSaveURL(t *testing.T) {
	key, sa := testServiceAccount(t, "https://oauth2.googleapis.com/token")
	g, err := NewGoogle(GoogleConfig{IssuerID: testIssuerID, ServiceAccountKey: sa, Origins: []string{"https://solidaire.example"}})
	if err != nil {
		t.Fatal(err)
	}
	card := testCard()
	link, err := g.SaveURL(card)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := strings.CutPrefix(link, "https://pay.google.com/gp/v/save/")
	if !ok {
		t.Fatalf("link = %q", link)
	}

	var claims struct {
		jwt.RegisteredClaims
		Aud     string   `json:"aud"`
		Typ     string   `json:"typ"`
		Origins []string `json:"origins"`
		Payload struct {
			GiftCardClasses []struct {
				ID, IssuerName, ReviewStatus string
				AllowBarcodeRedemption       bool
			}
			GiftCardObjects []testObject
		} `json:"payload"`
	}
	tok, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuedAt())
	if err != nil {
		t.Fatalf("the save link's JWT does not verify with the service account's key: %v", err)
	}
	if tok.Header["kid"] != "kid-1" {
		t.Errorf("kid = %v", tok.Header["kid"])
	}
	if claims.Issuer != "wallet@solidaire-test.iam.gserviceaccount.com" || claims.Aud != "google" || claims.Typ != "savetowallet" ||
		claims.IssuedAt == nil || len(claims.Origins) != 1 || claims.Origins[0] != "https://solidaire.example" {
		t.Errorf("claims = %+v", claims)
	}
	classes, objects := claims.Payload.GiftCardClasses, claims.Payload.GiftCardObjects
	if len(classes) != 1 || classes[0].ID != testIssuerID+".solidaire_gift" || !classes[0].AllowBarcodeRedemption || classes[0].IssuerName != "Solidaire" {
		t.Fatalf("classes = %+v", classes)
	}
	if len(objects) != 1 {
		t.Fatalf("objects = %+v", objects)
	}
	o := objects[0]
	if o.ID != testIssuerID+"."+card.Serial || o.ClassID != classes[0].ID || o.State != "ACTIVE" {
		t.Errorf("object ids and state: %+v", o)
	}
	if o.Balance.Micros != "25000000" || o.Balance.CurrencyCode != "CAD" {
		t.Errorf("balance = %+v, want 25000000 micros CAD", o.Balance)
	}
	if o.Barcode.Type != "QR_CODE" || o.Barcode.Value != card.URL || o.Barcode.AlternateText != "K3F9-QX2M-7TR4-VW8Y-Z6AB" || o.CardNumber != "K3F9-QX2M-7TR4-VW8Y-Z6AB" {
		t.Errorf("barcode and number: %+v %q", o.Barcode, o.CardNumber)
	}
	if o.BalanceUpdateTime.Date != "2026-05-01T14:30:00Z" {
		t.Errorf("balanceUpdateTime = %q", o.BalanceUpdateTime.Date)
	}
	if fr, en, _ := o.module("bonus"); fr != "5,00\u00a0$, valable jusqu’au 31 décembre 2026" || en != "$5.00, valid until December 31, 2026" {
		t.Errorf("bonus module = %q / %q", fr, en)
	}
	if fr, _, _ := o.module("merchant"); fr != "Boulangerie du Coin" {
		t.Errorf("merchant module = %q", fr)
	}
	if fr, en, _ := o.module("terms"); !strings.Contains(fr, "n’expire jamais") || !strings.Contains(en, "never expires") || !strings.Contains(en, card.PageURL) {
		t.Errorf("terms = %q / %q", fr, en)
	}

	// Another key does not verify it.
	other, _ := testServiceAccount(t, "")
	if _, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return &other.PublicKey, nil }); err == nil {
		t.Error("the JWT verifies with an unrelated key")
	}
}

func TestSaveURLVoid(t *testing.T) {
	_, sa := testServiceAccount(t, "")
	g, err := NewGoogle(GoogleConfig{IssuerID: testIssuerID, ServiceAccountKey: sa, ClassSuffix: "town"})
	if err != nil {
		t.Fatal(err)
	}
	card := testCard()
	card.Status, card.Currency = market.VoucherVoid, market.EUR
	link := must(g.SaveURL(card))
	var claims struct {
		Payload struct{ GiftCardObjects []testObject } `json:"payload"`
	}
	// The signature is checked in TestSaveURL; here only the content.
	parts := strings.Split(strings.TrimPrefix(link, saveURLPrefix), ".")
	if len(parts) != 3 {
		t.Fatalf("link = %q", link)
	}
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	o := claims.Payload.GiftCardObjects[0]
	if o.State != "INACTIVE" || o.ClassID != testIssuerID+".town" || o.Balance.CurrencyCode != "EUR" {
		t.Errorf("void object = %+v", o)
	}
	if _, en, _ := o.module("status"); en != "Cancelled" {
		t.Errorf("status module = %q", en)
	}
}

// fakeGoogle is the OAuth token endpoint and the Wallet API at once.
type fakeGoogle struct {
	t          *testing.T
	key        *rsa.PrivateKey
	mu         sync.Mutex
	tokens     int
	patches    map[string]testObject
	rejectOnce bool // answer the first PATCH 401, as after a revoked token
}

func (f *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
			return
		}
		var c jwt.MapClaims
		_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), &c, func(*jwt.Token) (any, error) { return &f.key.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(), jwt.WithAudience("http://"+r.Host+"/token"),
			jwt.WithIssuer("wallet@solidaire-test.iam.gserviceaccount.com"))
		if err != nil || c["scope"] != "https://www.googleapis.com/auth/wallet_object.issuer" {
			f.t.Errorf("token request: assertion %v, claims %v", err, c)
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		f.tokens++
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + string(rune('0'+f.tokens)), "expires_in": 3599, "token_type": "Bearer"})
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/walletobjects/v1/giftCardObject/"):
		if r.Header.Get("Authorization") != "Bearer at-"+string(rune('0'+f.tokens)) {
			http.Error(w, `{"error":{"code":401}}`, http.StatusUnauthorized)
			return
		}
		if f.rejectOnce {
			f.rejectOnce = false
			http.Error(w, `{"error":{"code":401}}`, http.StatusUnauthorized)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/walletobjects/v1/giftCardObject/")
		if strings.HasSuffix(id, "never_saved") {
			http.Error(w, `{"error":{"code":404,"message":"Resource not found"}}`, http.StatusNotFound)
			return
		}
		if strings.HasSuffix(id, "broken") {
			http.Error(w, `{"error":{"code":500}}`, http.StatusInternalServerError)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var o testObject
		if err := json.Unmarshal(body, &o); err != nil {
			f.t.Errorf("PATCH body %s: %v", body, err)
		}
		f.patches[id] = o
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

func TestUpdate(t *testing.T) {
	fake := &fakeGoogle{t: t, patches: map[string]testObject{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	key, sa := testServiceAccount(t, srv.URL+"/token")
	fake.key = key
	g, err := NewGoogle(GoogleConfig{IssuerID: testIssuerID, ServiceAccountKey: sa, APIURL: srv.URL + "/walletobjects/v1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	card := testCard()
	card.Balance = 1234
	card.Bonus = 0
	if err := g.Update(ctx, card); err != nil {
		t.Fatal(err)
	}
	o, ok := fake.patches[testIssuerID+"."+card.Serial]
	if !ok {
		t.Fatalf("no PATCH of %s.%s: %v", testIssuerID, card.Serial, fake.patches)
	}
	if o.Balance.Micros != "12340000" || o.Balance.CurrencyCode != "CAD" || o.State != "ACTIVE" || o.BalanceUpdateTime.Date != "2026-05-01T14:30:00Z" {
		t.Errorf("PATCH body = %+v", o)
	}
	if _, _, ok := o.module("bonus"); ok {
		t.Error("a card without bonus still shows one")
	}

	card.Status, card.Balance = market.VoucherVoid, 0
	if err := g.Update(ctx, card); err != nil {
		t.Fatal(err)
	}
	if o := fake.patches[testIssuerID+"."+card.Serial]; o.State != "INACTIVE" || o.Balance.Micros != "0" {
		t.Errorf("void PATCH = %+v", o)
	}
	if fake.tokens != 1 {
		t.Errorf("%d token requests for two updates, want one (cached)", fake.tokens)
	}

	never := testCard()
	never.Serial = "vch_never_saved"
	if err := g.Update(ctx, never); err != nil {
		t.Errorf("a card never saved: %v, want nil", err)
	}
	broken := testCard()
	broken.Serial = "vch_broken"
	if err := g.Update(ctx, broken); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("a 500: %v, want an error", err)
	}

	// A token refused before its time is replaced once.
	fake.rejectOnce = true
	if err := g.Update(ctx, testCard()); err != nil {
		t.Errorf("after a 401: %v", err)
	}
	if fake.tokens != 2 {
		t.Errorf("%d token requests, want a second after the 401", fake.tokens)
	}

	// An expired token is renewed.
	g.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if err := g.Update(ctx, testCard()); err != nil {
		t.Fatal(err)
	}
	if fake.tokens != 3 {
		t.Errorf("%d token requests, want a third once the token expired", fake.tokens)
	}
}

func TestNewGoogleRefuses(t *testing.T) {
	_, sa := testServiceAccount(t, "")
	for name, cfg := range map[string]GoogleConfig{
		"NoIssuer": {ServiceAccountKey: sa},
		"NoKey":    {IssuerID: testIssuerID},
		"BadKey":   {IssuerID: testIssuerID, ServiceAccountKey: []byte(`{"client_email":"a@b","private_key":"nope"}`)},
	} {
		if _, err := NewGoogle(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
