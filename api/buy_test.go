package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/payments"
	"github.com/solidaire-app/solidaire/qrcode"
	"github.com/solidaire-app/solidaire/store"
)

const (
	webhookSecret        = "whsec_solidaire_tests"
	connectWebhookSecret = "whsec_solidaire_connect_tests"
)

// shop is a whole selling server: real store, real provider, real mail
// composition, the API in front.
type shop struct {
	t          *testing.T
	db         *store.DB
	srv        *httptest.Server
	checkout   *market.CheckoutService
	clicks     *market.ClickCounter
	events     *market.CancellationService
	accounts   *market.PaymentsOnboarding
	programmes *market.Programmes
	walletSvc  *market.WalletService
	passes     *market.WalletPasses
	mentions   *market.Mentions
	files      *fakeFiles
	resizer    *fakeResizer
	base       string
}

// newShop starts a shop on the engine with the demo data set; stripe
// selects Stripe (on stripe-mock) rather than the demo provider.
func newShop(t *testing.T, engine string, stripe bool, limits api.Limits) *shop {
	t.Helper()
	url := filepath.Join(t.TempDir(), "solidaire.db")
	if engine == "postgres" {
		url = testenv.PostgresURL(t)
	}
	db := openSeeded(t, url, true)
	mem := cache.NewMemory()
	return startShop(t, db, stripe, limits, mem, mem)
}

// openSeeded opens (and migrates) the database at url, loading the demo
// data set when seed is true.
func openSeeded(t *testing.T, url string, seed bool) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if seed {
		if err := demo.Seed(ctx, db, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// startShop serves db as cmd/solidaire does, with the given shared state:
// several shops on one database and one Redis are several instances.
func startShop(t *testing.T, db *store.DB, stripe bool, limits api.Limits, limiter api.Limiter, feed market.Feed) *shop {
	t.Helper()
	ctx := context.Background()
	if limits == (api.Limits{}) {
		generous := api.Rate{Count: 10000, Per: time.Minute}
		limits = api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous,
			LookupsPerDevice: generous, LoginPerIP: generous, LoginPerAccount: generous}
	}
	s := &shop{t: t, db: db}
	var h http.Handler = http.NotFoundHandler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	s.base = s.srv.URL
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var provider market.PaymentProvider = payments.NewDemo(s.base)
	var parser api.WebhookParser
	s.accounts = &market.PaymentsOnboarding{Store: db, ReturnURL: s.base + "/commerce/paiements"}
	if stripe {
		st, err := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_solidaire", WebhookSecrets: []string{webhookSecret},
			ConnectWebhookSecrets: []string{connectWebhookSecret}, APIBase: testenv.StripeMockURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		provider, parser, s.accounts.Connect = st, st, st
		m, _ := db.Merchant(ctx, "boulangerie-du-quartier")
		if err := db.SetMerchantPayments(ctx, m.ID, "acct_1Boulangerie", true); err != nil {
			t.Fatal(err)
		}
	}
	composer := mail.Composer{BaseURL: s.base}
	counter, _ := limiter.(market.Counter)
	counters, _ := limiter.(api.Counters)
	refunds := &market.Refunds{Store: db, Payments: provider, Log: log}
	s.programmes = &market.Programmes{Store: db, Payments: provider, Mail: mail.Composer{BaseURL: s.base}, FeeBasisPoints: 100, Log: log}
	s.events = &market.CancellationService{Store: db, Payments: provider, Refunds: refunds, Mail: composer, Log: log}
	s.clicks = &market.ClickCounter{Shared: counter, Local: cache.NewMemory(), Store: db, Log: log}
	s.checkout = &market.CheckoutService{Store: db, Payments: provider, Mail: composer, BaseURL: s.base,
		FeeBasisPoints: 250, Log: log, Refunds: refunds,
		Ready: func(m *market.Merchant) bool { return !stripe || m.StripeAccount != "" && m.ChargesEnabled }}
	s.walletSvc = &market.WalletService{Store: db, Mail: composer, BaseURL: s.base}
	s.passes = &market.WalletPasses{Store: db, BaseURL: s.base, Log: log}
	s.mentions = &market.Mentions{Store: db, BaseURL: s.base, Log: log}
	s.files, s.resizer = newFakeFiles(), &fakeResizer{}
	pages := &market.MerchantPages{Store: db, Resizer: s.resizer, Files: s.files, Mail: composer, BaseURL: s.base, Log: log}
	followers := &market.FollowerService{Store: db, Mail: composer, BaseURL: s.base}
	h = api.New(api.Config{BaseURL: s.base, Catalogue: db, Checkout: s.checkout, Orders: db, Payments: parser,
		Idempotency: db, Limiter: limiter, Counters: counters, Limits: limits, QR: qrcode.PNG, Logger: log,
		SignIn: &market.SignIn{Store: db, Mail: composer, BaseURL: s.base}, Merchants: db,
		Till: &market.Till{Store: db, Feed: feed}, Onboarding: db, Feed: feed, DemoPayments: !stripe, AdminOrders: db,
		Campaigns: db, Clicks: s.clicks, Mentions: s.mentions, Pages: stubPages{}, Tickets: s.events, TicketStore: db, PaymentAccounts: s.accounts,
		Programmes: s.programmes, ProgrammeReads: db, Wallet: s.walletSvc, Passes: s.passes,
		MerchantPages: pages, PageReads: db, Followers: followers, Media: s.files,
		Review: &market.MerchantReview{Store: db, Mail: composer}, Ready: map[string]api.Pinger{"database": db}})
	return s
}

// do sends a request and returns the status and body.
func (s *shop) do(method, path, body string, header map[string]string) (int, string, http.Header) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

type created struct {
	Order struct {
		ID          string       `json:"id"`
		Status      string       `json:"status"`
		Total       market.Money `json:"total"`
		AccessToken string       `json:"access_token"`
	} `json:"order"`
	CheckoutURL string `json:"checkout_url"`
}

// buy opens a checkout for body and returns what it answered.
func (s *shop) buy(body string) created {
	s.t.Helper()
	status, out, _ := s.do("POST", "/api/v1/checkout", body, map[string]string{"Idempotency-Key": market.NewID("key")})
	if status != 201 {
		s.t.Fatalf("checkout: %d %s", status, out)
	}
	var c created
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

type orderView struct {
	Status   string `json:"status"`
	Vouchers []struct {
		Code    string       `json:"code"`
		Balance market.Money `json:"balance"`
		QRURL   string       `json:"qr_url"`
		URL     string       `json:"url"`
	} `json:"vouchers"`
}

func (s *shop) order(c created) orderView {
	s.t.Helper()
	status, out, _ := s.do("GET", "/api/v1/orders/"+c.Order.ID, "", map[string]string{"Authorization": "Bearer " + c.Order.AccessToken})
	if status != 200 {
		s.t.Fatalf("order: %d %s", status, out)
	}
	var o orderView
	json.Unmarshal([]byte(out), &o)
	return o
}

const gift = `{"buyer": {"email": "awa@example.org", "name": "Awa"},
	"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 5000,
	"recipient": {"name": "Jo", "email": "jo@example.org", "message": "Bon appétit ! <script>alert(1)</script>"}}]}`

func TestCheckoutValidation(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	key := map[string]string{"Idempotency-Key": "k0123456789abcdef-k"}
	n := 0
	item := func(extra string) string {
		return `{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", ` + extra + `}]}`
	}
	for _, sc := range []struct {
		name, body, field string
		status            int
	}{
		{"ErrUnknownMerchant", strings.Replace(gift, "boulangerie-du-quartier", "nope", 1), "items[0].merchant", 400},
		{"ErrPendingMerchant", strings.Replace(gift, "boulangerie-du-quartier", "fromagerie-des-trois-rangs", 1), "items[0].merchant", 400},
		{"ErrAmountTooSmall", item(`"amount": 1`), "items[0].amount", 400},
		{"ErrAmountTooLarge", item(`"amount": 99999999`), "items[0].amount", 400},
		{"ErrAmountFloat", item(`"amount": 50.5`), "items.amount", 400},
		{"ErrAmountString", item(`"amount": "5000"`), "items.amount", 400},
		{"ErrAmountNegative", item(`"amount": -5000`), "items[0].amount", 400},
		{"ErrQuantity", item(`"amount": 5000, "quantity": 500`), "items[0].quantity", 400},
		{"ErrMixedSellers", `{"buyer": {"email": "awa@example.org"}, "items": [
			{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 5000},
			{"kind": "gift_certificate", "merchant": "librairie-des-possibles", "amount": 5000}]}`, "items[1].merchant", 400},
		{"ErrBuyerEmail", strings.Replace(gift, "awa@example.org", "awa-at-example", 1), "buyer.email", 400},
		{"ErrBuyerEmailMissing", `{"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 5000}]}`, "buyer.email", 400},
		{"ErrRecipientEmail", strings.Replace(gift, "jo@example.org", "jo@", 1), "items[0].recipient.email", 400},
		{"ErrMessageTooLong", strings.Replace(gift, "Bon appétit !", strings.Repeat("é", 501), 1), "items[0].recipient.message", 400},
		{"ErrNoItems", `{"buyer": {"email": "awa@example.org"}, "items": []}`, "items", 400},
		{"ErrUnknownKind", item(`"amount": 5000, "kind": "bitcoin"`), "", 400},
		{"ErrServerOwnedField", item(`"amount": 5000, "status": "paid"`), "status", 400},
		{"ErrTotalField", `{"buyer": {"email": "awa@example.org"}, "total": 1, "items": []}`, "total", 400},
	} {
		t.Run(sc.name, func(t *testing.T) {
			n++
			key["Idempotency-Key"] = fmt.Sprintf("validation-key-%06d", n)
			status, out, _ := s.do("POST", "/api/v1/checkout", sc.body, key)
			if status != sc.status || !strings.Contains(out, `"code":"invalid_input"`) {
				t.Fatalf("%d %s", status, out)
			}
			if sc.field != "" && !strings.Contains(out, `"`+sc.field+`":`) {
				t.Fatalf("field %s not named: %s", sc.field, out)
			}
		})
	}
	t.Run("ErrNoIdempotencyKey", func(t *testing.T) {
		status, out, _ := s.do("POST", "/api/v1/checkout", gift, nil)
		if status != 400 || !strings.Contains(out, "Idempotency-Key") {
			t.Fatalf("%d %s", status, out)
		}
	})
	t.Run("NothingWritten", func(t *testing.T) {
		pending, _ := s.db.PendingOrders(context.Background(), time.Now().Add(time.Hour), 100)
		if len(pending) != 0 {
			t.Fatalf("%d orders written by refused checkouts", len(pending))
		}
	})
}

func TestCheckoutIdempotency(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	key := map[string]string{"Idempotency-Key": "k0123456789abcdef-same-key"}
	st1, first, _ := s.do("POST", "/api/v1/checkout", gift, key)
	st2, second, h := s.do("POST", "/api/v1/checkout", gift, key)
	if st1 != 201 || st2 != 201 || first != second || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", st1, first, st2, second)
	}
	other := strings.Replace(gift, "5000", "6000", 1)
	if st, out, _ := s.do("POST", "/api/v1/checkout", other, key); st != 409 || !strings.Contains(out, "idempotency_key_reused") {
		t.Fatalf("reuse with another body: %d %s", st, out)
	}
	// A refused request is replayed as refused too: the key is spent.
	bad := map[string]string{"Idempotency-Key": "k0123456789abcdef-bad-key"}
	s.do("POST", "/api/v1/checkout", `{"buyer": {}}`, bad)
	if st, _, _ := s.do("POST", "/api/v1/checkout", `{"buyer": {}}`, bad); st != 400 {
		t.Fatalf("replayed refusal: %d", st)
	}
	pending, _ := s.db.PendingOrders(context.Background(), time.Now().Add(time.Hour), 100)
	if len(pending) != 1 {
		t.Fatalf("%d orders for one idempotent checkout", len(pending))
	}
}

func TestCheckoutRateLimit(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{CheckoutPerIP: api.Rate{Count: 100, Per: time.Minute},
		CheckoutPerBuyer: api.Rate{Count: 2, Per: time.Hour}, LookupsPerIP: api.Rate{Count: 100, Per: time.Minute}})
	s.buy(gift)
	s.buy(gift)
	st, out, h := s.do("POST", "/api/v1/checkout", gift, map[string]string{"Idempotency-Key": "k0123456789abcdef-third"})
	if st != 429 || h.Get("Retry-After") == "" || !strings.Contains(out, "rate_limited") {
		t.Fatalf("third checkout of one buyer: %d %s (Retry-After %q)", st, out, h.Get("Retry-After"))
	}
	// The refusal is not kept for the key: the retry after Retry-After is
	// tried again, not replayed.
	if st, _, h := s.do("POST", "/api/v1/checkout", gift, map[string]string{"Idempotency-Key": "k0123456789abcdef-third"}); st != 429 ||
		h.Get("Idempotent-Replayed") != "" || h.Get("Retry-After") == "" {
		t.Fatalf("retry of a limited checkout: %d, replayed %q", st, h.Get("Idempotent-Replayed"))
	}
	if st, _, _ := s.do("POST", "/api/v1/checkout", gift, map[string]string{"Idempotency-Key": "short"}); st != 400 {
		t.Fatalf("a guessable key: %d", st)
	}
	// Another buyer is not affected.
	s.buy(strings.Replace(gift, "awa@example.org", "bea@example.org", 1))
}

// TestDemoPurchase buys with the demo provider, on both engines, and
// follows the voucher to its QR code.
func TestDemoPurchase(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			c := s.buy(gift)
			if c.Order.Status != "pending" || c.Order.Total != (market.Money{Amount: 5000, Currency: "cad"}) ||
				!strings.Contains(c.CheckoutURL, "/demo/checkout/demo_cs_") || c.Order.AccessToken == "" {
				t.Fatalf("created %+v", c)
			}
			if o := s.order(c); o.Status != "pending" || len(o.Vouchers) != 0 {
				t.Fatalf("before paying: %+v", o)
			}
			if st, _, _ := s.do("GET", "/api/v1/orders/"+c.Order.ID+"?token=wrong", "", nil); st != 404 {
				t.Fatalf("wrong token: %d", st)
			}
			if st, _, _ := s.do("GET", "/api/v1/orders/"+c.Order.ID, "", nil); st != 401 {
				t.Fatalf("no token: %d", st)
			}
			session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
			for i, want := range []string{"fulfilled", "duplicate"} {
				st, out, _ := s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil)
				if st != 200 || !strings.Contains(out, `"outcome":"`+want+`"`) {
					t.Fatalf("complete #%d: %d %s", i+1, st, out)
				}
			}
			o := s.order(c)
			if o.Status != "paid" || len(o.Vouchers) != 1 || o.Vouchers[0].Balance.Amount != 5000 {
				t.Fatalf("after paying: %+v", o)
			}
			v := o.Vouchers[0]
			if market.NormalizeCode(v.Code) != v.Code || !strings.HasSuffix(v.URL, "/v/"+v.Code) {
				t.Fatalf("voucher %+v", v)
			}
			// The QR decodes to the voucher's URL, upper case, which the scanner
			// and the /V/ route take as is.
			res, err := http.Get(v.QRURL)
			if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("qr: %v %v", err, res)
			}
			img, err := png.Decode(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
			text, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := market.VoucherURL(s.base, v.Code); text.GetText() != want {
				t.Fatalf("QR holds %q, want %q", text.GetText(), want)
			}
			// The balance check takes the code however it is typed.
			typed := strings.ToLower(market.GroupCode(v.Code))
			if st, out, _ := s.do("GET", "/api/v1/vouchers/"+typed, "", nil); st != 200 || !strings.Contains(out, `"balance":{"amount":5000`) {
				t.Fatalf("balance by typed code: %d %s", st, out)
			}
			if st, _, _ := s.do("GET", "/api/v1/vouchers/AAAAAAAAAAAAAAAAAAAA", "", nil); st != 404 {
				t.Fatalf("unknown voucher: %d", st)
			}
			mails, _ := s.db.Mails(context.Background(), "", 10)
			if len(mails) != 2 {
				t.Fatalf("%d mails for a gift, want buyer and recipient", len(mails))
			}
			if bad, _ := s.db.LedgerMismatches(context.Background()); len(bad) > 0 {
				t.Fatalf("ledger mismatch %v", bad)
			}
		})
	}
}

// stripeEvent is a signed webhook delivery.
type stripeEvent struct {
	payload []byte
	header  string
}

func signedEvent(t *testing.T, id, typ, orderID string, amount int64, currency string, at time.Time) stripeEvent {
	t.Helper()
	status, paid := "complete", "paid"
	if typ == "checkout.session.expired" {
		status, paid = "expired", "unpaid"
	}
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": "2023-10-16", "created": at.Unix(), "type": typ,
		"livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{
			"id": "cs_test_" + orderID, "object": "checkout.session", "mode": "payment", "status": status,
			"payment_status": paid, "client_reference_id": orderID, "metadata": map[string]any{"order_id": orderID},
			"amount_total": amount, "currency": currency, "payment_intent": "pi_" + orderID, "created": at.Unix(),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: webhookSecret, Timestamp: at})
	return stripeEvent{payload, sig.Header}
}

func (s *shop) deliver(ev stripeEvent) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/webhooks/stripe", bytes.NewReader(ev.payload))
	req.Header.Set("Stripe-Signature", ev.header)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *shop) vouchers(orderID string) int {
	vs, err := s.db.OrderVouchers(context.Background(), orderID)
	if err != nil {
		s.t.Fatal(err)
	}
	return len(vs)
}

// TestStripeWebhooks runs the Stripe flow on stripe-mock with webhooks
// signed the Stripe way: no sequence of deliveries issues two vouchers for
// an order or loses one.
func TestStripeWebhooks(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, true, api.Limits{})
			now := time.Now()
			t.Run("CheckoutOnStripeMock", func(t *testing.T) {
				c := s.buy(gift)
				if !strings.HasPrefix(c.CheckoutURL, "https://") {
					t.Fatalf("checkout url %q", c.CheckoutURL)
				}
				st, out, _ := s.do("POST", "/api/v1/checkout", strings.Replace(gift, "boulangerie-du-quartier", "librairie-des-possibles", 1),
					map[string]string{"Idempotency-Key": "k0123456789abcdef-not-ready"})
				if st != 409 || !strings.Contains(out, "merchant_not_ready") {
					t.Fatalf("merchant without Stripe account: %d %s", st, out)
				}
			})
			t.Run("Refused", func(t *testing.T) {
				c := s.buy(gift)
				good := signedEvent(t, "evt_ok_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "cad", now)
				tampered := stripeEvent{bytes.Replace(good.payload, []byte(`5000`), []byte(`5`), 1), good.header}
				stale := signedEvent(t, "evt_stale_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "cad", now.Add(-10*time.Minute))
				for name, ev := range map[string]stripeEvent{"tampered": tampered, "stale": stale, "unsigned": {good.payload, ""},
					"garbage": {[]byte("not json"), good.header}} {
					if st, out := s.deliver(ev); st != 400 || !strings.Contains(out, `"error"`) {
						t.Fatalf("%s: %d %s", name, st, out)
					}
				}
				if s.vouchers(c.Order.ID) != 0 {
					t.Fatal("a refused webhook issued a voucher")
				}
			})
			t.Run("StormShuffledConcurrent", func(t *testing.T) {
				// Ten orders; for each, completed three times (one event id
				// repeated, one distinct), expired once; all shuffled and sent
				// by eight concurrent deliverers.
				var orders []created
				var evs []stripeEvent
				for i := 0; i < 10; i++ {
					c := s.buy(gift)
					orders = append(orders, c)
					done := signedEvent(t, "evt_done_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "cad", now)
					evs = append(evs, done, done,
						signedEvent(t, "evt_again_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "cad", now),
						signedEvent(t, "evt_exp_"+c.Order.ID, "checkout.session.expired", c.Order.ID, 5000, "cad", now))
				}
				rand.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
				var wg sync.WaitGroup
				next := make(chan stripeEvent)
				for w := 0; w < 8; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ev := range next {
							if st, out := s.deliver(ev); st != 200 {
								t.Errorf("delivery: %d %s", st, out)
							}
						}
					}()
				}
				for _, ev := range evs {
					next <- ev
				}
				close(next)
				wg.Wait()
				for _, c := range orders {
					o := s.order(c)
					// An expiry delivered before the completion leaves the order
					// expired until the completion arrives, which then wins.
					if o.Status != "paid" || len(o.Vouchers) != 1 {
						t.Fatalf("order %s: %s with %d vouchers", c.Order.ID, o.Status, len(o.Vouchers))
					}
				}
			})
			t.Run("UnknownOrder", func(t *testing.T) {
				st, out := s.deliver(signedEvent(t, "evt_unknown", "checkout.session.completed", "ord_nope", 5000, "cad", now))
				if st != 200 || !strings.Contains(out, "unknown_order") {
					t.Fatalf("%d %s", st, out)
				}
			})
			t.Run("AmountMismatch", func(t *testing.T) {
				c := s.buy(gift)
				st, out := s.deliver(signedEvent(t, "evt_short_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 50, "cad", now))
				if st != 200 || !strings.Contains(out, "amount_mismatch") || s.vouchers(c.Order.ID) != 0 {
					t.Fatalf("%d %s", st, out)
				}
				st, out = s.deliver(signedEvent(t, "evt_eur_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "eur", now))
				if st != 200 || s.vouchers(c.Order.ID) != 0 || s.order(c).Status != "review" {
					t.Fatalf("currency mismatch: %d %s", st, out)
				}
			})
			t.Run("KilledHalfWay", func(t *testing.T) {
				c := s.buy(gift)
				s.checkout.Fault = func(step string) error {
					if step == "store" {
						return errors.New("power cut")
					}
					return nil
				}
				ev := signedEvent(t, "evt_cut_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 5000, "cad", now)
				if st, _ := s.deliver(ev); st != 500 {
					t.Fatalf("interrupted fulfilment answered %d; Stripe must retry", st)
				}
				s.checkout.Fault = nil
				if s.vouchers(c.Order.ID) != 0 || s.order(c).Status != "pending" {
					t.Fatal("an interrupted fulfilment left something behind")
				}
				if st, out := s.deliver(ev); st != 200 || !strings.Contains(out, "fulfilled") {
					t.Fatalf("redelivery: %d %s", st, out)
				}
				if st, out := s.deliver(ev); st != 200 || !strings.Contains(out, "duplicate") || s.vouchers(c.Order.ID) != 1 {
					t.Fatalf("second redelivery: %d %s", st, out)
				}
			})
			if bad, _ := s.db.LedgerMismatches(context.Background()); len(bad) > 0 {
				t.Fatalf("ledger mismatch %v", bad)
			}
		})
	}
}

// paidProvider answers Session as Stripe would for a paid session whose
// webhook was lost.
type paidProvider struct {
	market.PaymentProvider
	db *store.DB
}

func (p paidProvider) Session(ctx context.Context, id string) (*market.PaymentEvent, error) {
	o, err := p.db.OrderBySession(ctx, id)
	if err != nil {
		return nil, err
	}
	return &market.PaymentEvent{Type: market.PaymentCompleted, SessionID: id, OrderID: o.ID, AmountTotal: o.Total,
		Currency: o.Currency, PaymentPaid: true, PaymentIntent: "pi_lost"}, nil
}

// TestReconcile loses a webhook (and interrupts the first attempt): the
// reconciliation pass puts the order off without stopping, then completes
// the sale, exactly once.
func TestReconcile(t *testing.T) {
	s := newShop(t, "sqlite", true, api.Limits{})
	c := s.buy(gift)
	s.checkout.Payments = paidProvider{s.checkout.Payments, s.db}
	s.checkout.Fault = func(step string) error {
		if step == "voucher" {
			return errors.New("crash")
		}
		return nil
	}
	if n, err := s.checkout.Reconcile(context.Background(), -time.Minute); err != nil || n != 0 {
		t.Fatalf("interrupted reconciliation: %d, %v; want the order put off", n, err)
	}
	if o := s.order(c); o.Status != "pending" {
		t.Fatalf("after an interrupted reconciliation: %+v", o)
	}
	s.checkout.Fault = nil
	if n, _ := s.checkout.Reconcile(context.Background(), -time.Minute); n != 0 {
		t.Fatal("an order put off was tried again at once")
	}
	// Its retry time comes.
	s.db.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	for i := 0; i < 3; i++ {
		if _, err := s.checkout.Reconcile(context.Background(), -time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if o := s.order(c); o.Status != "paid" || len(o.Vouchers) != 1 {
		t.Fatalf("after reconciliation: %+v", o)
	}
}

// TestVoucherMailDelivered sends the outbox through real SMTP to the test
// sink: the buyer and the recipient each get the voucher with its QR.
func TestVoucherMailDelivered(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	c := s.buy(gift)
	session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
	s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil)
	sink := testenv.SMTP(t)
	cfg, err := mail.ParseSMTPURL("smtp://" + sink.Addr() + "?tls=none&from=Solidaire%20%3Cbonjour@solidaire.test%3E")
	if err != nil {
		t.Fatal(err)
	}
	sender := &mail.SMTP{Config: cfg}
	w := &market.MailWorker{Outbox: s.db, Mailer: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sent, failed, err := w.SendDue(context.Background())
	if err != nil || sent != 2 || failed != 0 {
		t.Fatalf("sent %d, failed %d, %v", sent, failed, err)
	}
	if err := sink.WaitFor(2, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	code := s.order(c).Vouchers[0].Code
	to := map[string]bool{}
	for _, m := range sink.Messages() {
		to[m.To[0]] = true
		body := string(m.Data)
		if !strings.Contains(body, "image/png") || !strings.Contains(strings.ReplaceAll(body, "=\r\n", ""), code[len(code)-4:]) {
			t.Errorf("mail to %v lacks the QR or the code", m.To)
		}
	}
	if !to["awa@example.org"] || !to["jo@example.org"] {
		t.Fatalf("delivered to %v", to)
	}
}

// stubPages stands for the web app: the catalogue's pages exist, with an
// Open Graph title; anything else is a 404.
type stubPages struct{}

func (stubPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, p := range []string{"/m/", "/c/", "/e/"} {
		if strings.HasPrefix(r.URL.Path, p) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!doctype html><meta property="og:title" content="page">`))
			return
		}
	}
	http.NotFound(w, r)
}
