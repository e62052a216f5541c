package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
)

// signedObject signs a Stripe event of type typ carrying object, with
// secret, as Stripe does.
func signedObject(t *testing.T, secret, id, typ string, object map[string]any) stripeEvent {
	t.Helper()
	at := time.Now()
	payload, err := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2023-10-16", "created": at.Unix(),
		"type": typ, "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object}})
	if err != nil {
		t.Fatal(err)
	}
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	return stripeEvent{payload, sig.Header}
}

// deliverTo posts a signed event to one of the two webhook endpoints.
func (s *shop) deliverTo(path string, ev stripeEvent) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(ev.payload))
	req.Header.Set("Stripe-Signature", ev.header)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

const (
	platformHook = "/api/v1/webhooks/stripe"
	connectHook  = "/api/v1/webhooks/stripe/connect"
)

func accountObject(id string, charges bool, due ...string) map[string]any {
	return map[string]any{"id": id, "object": "account", "country": "CA", "charges_enabled": charges, "payouts_enabled": charges,
		"requirements": map[string]any{"currently_due": due, "disabled_reason": nil}}
}

func disputeObject(id, orderID, status string, amount int64) map[string]any {
	return map[string]any{"id": id, "object": "dispute", "amount": amount, "currency": "cad", "status": status,
		"charge": "ch_" + orderID, "payment_intent": "pi_" + orderID}
}

func chargeObject(orderID string, amount, refunded int64) map[string]any {
	return map[string]any{"id": "ch_" + orderID, "object": "charge", "amount": amount, "amount_refunded": refunded,
		"currency": "cad", "payment_intent": "pi_" + orderID, "refunded": refunded >= amount}
}

// TestWebhookEndpoints: platform events reach /webhooks/stripe signed with
// the platform's secret, connected-account events /webhooks/stripe/connect
// signed with the Connect secret; an event signed with the other
// endpoint's secret is refused and changes nothing.
func TestWebhookEndpoints(t *testing.T) {
	s := newShop(t, "sqlite", true, api.Limits{})
	ctx := context.Background()
	m, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
	if err := s.db.SetMerchantPayments(ctx, m.ID, "acct_1Boulangerie", false); err != nil {
		t.Fatal(err)
	}
	update := func(secret, id string) stripeEvent {
		return signedObject(t, secret, id, "account.updated", accountObject("acct_1Boulangerie", true))
	}
	for _, sc := range []struct {
		name, path string
		ev         stripeEvent
		status     int
	}{
		{"ConnectEventWithThePlatformSecret", connectHook, update(webhookSecret, "evt_acct_1"), 400},
		{"PlatformEventWithTheConnectSecret", platformHook, signedEvent(t, "evt_cs_x", "checkout.session.completed", "ord_x", 5000, "cad", time.Now()), 200},
		{"PlatformEndpointWithTheConnectSecret", platformHook, update(connectWebhookSecret, "evt_acct_2"), 400},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if st, out := s.deliverTo(sc.path, sc.ev); st != sc.status {
				t.Fatalf("%d %s, want %d", st, out, sc.status)
			}
		})
	}
	if got, _ := s.db.Merchant(ctx, "boulangerie-du-quartier"); got.ChargesEnabled {
		t.Fatal("an event signed with the wrong secret enabled a merchant")
	}
	st, out := s.deliverTo(connectHook, update(connectWebhookSecret, "evt_acct_3"))
	if st != 200 || !strings.Contains(out, "account_updated") {
		t.Fatalf("Connect event: %d %s", st, out)
	}
	if got, _ := s.db.Merchant(ctx, "boulangerie-du-quartier"); !got.ChargesEnabled || !got.PayoutsEnabled {
		t.Fatalf("after account.updated: %+v", got)
	}
	// Older news never overwrites newer.
	old := signedObject(t, connectWebhookSecret, "evt_acct_old", "account.updated", accountObject("acct_1Boulangerie", false, "external_account"))
	var ev map[string]any
	json.Unmarshal(old.payload, &ev)
	ev["created"] = time.Now().Add(-time.Hour).Unix()
	payload, _ := json.Marshal(ev)
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: connectWebhookSecret, Timestamp: time.Now()})
	s.deliverTo(connectHook, stripeEvent{payload, sig.Header})
	if got, _ := s.db.Merchant(ctx, "boulangerie-du-quartier"); !got.ChargesEnabled {
		t.Fatal("an older account.updated disabled the merchant")
	}
}

// TestOnboarding: the owner's click creates one Stripe account, however
// many clicks race; the account's state is asked of Stripe at once; a
// merchant outside the platform's countries is refused clearly.
func TestOnboarding(t *testing.T) {
	s := newShop(t, "postgres", true, api.Limits{})
	ctx := context.Background()
	owner := s.token(demo.BoulangerieEmail)
	var wg sync.WaitGroup
	accounts := make([]string, 6)
	for i := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, out, _ := s.do("POST", "/api/v1/merchant/payments/onboarding", "", owner)
			if st != 200 {
				t.Errorf("onboarding: %d %s", st, out)
				return
			}
			var p struct {
				Status, URL, Account string
				Due                  []struct{ Key, Text string }
			}
			json.Unmarshal([]byte(out), &p)
			if p.Status == "onboarding" && p.URL == "" {
				t.Errorf("onboarding without a link: %s", out)
			}
			accounts[i] = p.Account
		}()
	}
	wg.Wait()
	m, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
	for _, a := range accounts {
		if a != m.StripeAccount {
			t.Fatalf("double click: answers name %v, the merchant has %s", accounts, m.StripeAccount)
		}
	}
	st, out, _ := s.do("GET", "/api/v1/merchant/payments", "", owner)
	if st != 200 || !strings.Contains(out, m.StripeAccount) || !strings.Contains(out, `"due":[`) {
		t.Fatalf("status: %d %s", st, out)
	}
	if got, _ := s.db.Merchant(ctx, "boulangerie-du-quartier"); got.PaymentsCheckedAt.IsZero() {
		t.Fatal("the account's state was not recorded")
	}

	t.Run("ErrRegionNotSupported", func(t *testing.T) {
		s.accounts.Countries = []string{"CA"}
		defer func() { s.accounts.Countries = nil }()
		st, out, _ := s.do("POST", "/api/v1/merchant/payments/onboarding", "", s.token(demo.LibrairieEmail))
		if st != 403 || !strings.Contains(out, "region_not_supported") || !strings.Contains(out, "en France") {
			t.Fatalf("a French merchant on a Canadian platform: %d %s", st, out)
		}
	})
	t.Run("RequirementsInFrench", func(t *testing.T) {
		for key, want := range map[string]string{
			"individual.verification.document":  "pièce d'identité",
			"external_account":                  "compte bancaire",
			"person_1AbC.verification.document": "personne liée",
			"something.new":                     "something.new",
		} {
			if got := market.RequirementText(key); !strings.Contains(got, want) {
				t.Errorf("%s: %q", key, got)
			}
		}
	})
}

// stripePaid buys a certificate of amount at the boulangerie on Stripe and
// pays it with a signed webhook: its payment intent is "pi_" + order id.
func (s *shop) stripePaid(amount int64) (orderID, code string) {
	s.t.Helper()
	c := s.buy(fmt.Sprintf(`{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": %d}]}`, amount))
	if st, out := s.deliver(signedEvent(s.t, "evt_paid_"+c.Order.ID, "checkout.session.completed", c.Order.ID, amount, "cad", time.Now())); st != 200 {
		s.t.Fatalf("pay: %d %s", st, out)
	}
	vs, _ := s.db.OrderVouchers(context.Background(), c.Order.ID)
	return c.Order.ID, vs[0].Code
}

// TestDisputesAndDashboardRefunds drives chargebacks and refunds made in
// the Stripe dashboard through signed webhooks, on both engines.
func TestDisputesAndDashboardRefunds(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, true, api.Limits{})
			ctx := context.Background()
			m, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
			s.db.SetMerchantPayments(ctx, m.ID, "acct_1Boulangerie", true)
			till := s.token(demo.BoulangerieEmail)
			redeem := func(code string, amount int64) (int, string) {
				st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", fmt.Sprintf(`{"amount": %d}`, amount),
					with(till, "Idempotency-Key", market.NewID("key")))
				return st, out
			}

			won, wonCode := s.stripePaid(5000)
			redeem(wonCode, 1000)
			if st, out := s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_dc_1", "charge.dispute.created", disputeObject("dp_1", won, "needs_response", 5000))); st != 200 || !strings.Contains(out, "dispute_opened") {
				t.Fatalf("dispute created: %d %s", st, out)
			}
			if st, out := redeem(wonCode, 500); st != 409 || !strings.Contains(out, "voucher_disputed") || !strings.Contains(out, "paiement contesté") {
				t.Fatalf("redeem a disputed voucher: %d %s", st, out)
			}
			if st, out, _ := s.do("POST", "/api/v1/merchant/scan", `{"code": "`+wonCode+`"}`, till); st != 200 || !strings.Contains(out, `"status":"disputed"`) {
				t.Fatalf("scan a disputed voucher: %d %s", st, out)
			}
			if st, out := s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_dx_1", "charge.dispute.closed", disputeObject("dp_1", won, "won", 5000))); st != 200 || !strings.Contains(out, "dispute_won") {
				t.Fatalf("dispute won: %d %s", st, out)
			}
			if st, out := redeem(wonCode, 500); st != 201 || !strings.Contains(out, `"balance_after":{"amount":3500`) {
				t.Fatalf("redeem after a won dispute: %d %s", st, out)
			}

			// Lost, delivered out of order: closed first, then created.
			lost, lostCode := s.stripePaid(3000)
			s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_dx_2", "charge.dispute.closed", disputeObject("dp_2", lost, "lost", 3000)))
			if st, out := s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_dc_2", "charge.dispute.created", disputeObject("dp_2", lost, "needs_response", 3000))); st != 200 || !strings.Contains(out, "duplicate") {
				t.Fatalf("created after lost: %d %s", st, out)
			}
			if v, _ := s.db.Voucher(ctx, lostCode); v.Status != market.VoucherVoid || v.Balance != 0 {
				t.Fatalf("after a lost dispute: %s %d", v.Status, v.Balance)
			}
			if st, out := redeem(lostCode, 100); st != 409 || !strings.Contains(out, "voucher_void") {
				t.Fatalf("redeem a voucher of a lost dispute: %d %s", st, out)
			}

			// A dashboard refund of 20,00 on a 50,00 voucher with 10,00 spent.
			part, partCode := s.stripePaid(5000)
			redeem(partCode, 1000)
			for i := 0; i < 3; i++ { // Stripe may deliver it more than once
				if st, _ := s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_cr_1", "charge.refunded", chargeObject(part, 5000, 2000))); st != 200 {
					t.Fatalf("charge.refunded: %d", st)
				}
			}
			if v, _ := s.db.Voucher(ctx, partCode); v.Balance != 2000 || v.Status != market.VoucherActive {
				t.Fatalf("after a partial dashboard refund: %s %d, want active 2000", v.Status, v.Balance)
			}
			// Then the rest: the running total is 50,00; never below zero.
			s.deliverTo(platformHook, signedObject(t, webhookSecret, "evt_cr_2", "charge.refunded", chargeObject(part, 5000, 5000)))
			if v, _ := s.db.Voucher(ctx, partCode); v.Balance != 0 || v.Status != market.VoucherVoid {
				t.Fatalf("after the full refund: %s %d", v.Status, v.Balance)
			}
			if bad, _ := s.db.LedgerMismatches(ctx); len(bad) > 0 {
				t.Fatalf("ledger: %v", bad)
			}
		})
	}
}

// TestOrdersInReview: a payment that does not match its order waits for an
// admin, who accepts it (vouchers issued once, mailed) or refunds it
// (through Stripe, once, the buyer told).
func TestOrdersInReview(t *testing.T) {
	s := newShop(t, "postgres", true, api.Limits{})
	ctx := context.Background()
	m, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
	s.db.SetMerchantPayments(ctx, m.ID, "acct_1Boulangerie", true)
	review := func() string {
		c := s.buy(gift)
		if st, out := s.deliver(signedEvent(t, "evt_odd_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 4900, "cad", time.Now())); st != 200 || !strings.Contains(out, "amount_mismatch") {
			t.Fatalf("mismatch: %d %s", st, out)
		}
		return c.Order.ID
	}
	accept, refund := review(), review()
	admin := s.token(demo.AdminEmail)
	st, out, _ := s.do("GET", "/api/v1/admin/orders?status=review", "", admin)
	if st != 200 || !strings.Contains(out, accept) || !strings.Contains(out, refund) || !strings.Contains(out, `"paid":{"amount":4900`) {
		t.Fatalf("in review: %d %s", st, out)
	}
	if st, _, _ := s.do("GET", "/api/v1/admin/orders", "", s.token(demo.BoulangerieEmail)); st != 404 {
		t.Fatalf("a merchant lists orders in review: %d", st)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	oks := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _, _ := s.do("POST", "/api/v1/admin/orders/"+accept+"/accept", "", admin)
			mu.Lock()
			defer mu.Unlock()
			if st == 200 {
				oks++
			} else if st != 409 {
				t.Errorf("accept: %d", st)
			}
		}()
	}
	wg.Wait()
	if oks != 1 || s.vouchers(accept) != 2-1 {
		t.Fatalf("accepted %d times, %d vouchers", oks, s.vouchers(accept))
	}
	st, out, _ = s.do("POST", "/api/v1/admin/orders/"+refund+"/refund", "", admin)
	if st != 200 || !strings.Contains(out, `"status":"refunded"`) {
		t.Fatalf("refund: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/admin/orders/"+refund+"/refund", "", admin); st != 409 {
		t.Fatalf("refund twice: %d", st)
	}
	rs, _ := s.db.OwnRefunds(ctx, refund)
	if len(rs) != 1 || rs[0].Status != market.RefundSucceeded || rs[0].Amount != 4900 || !strings.HasPrefix(rs[0].ProviderID, "re_") {
		t.Fatalf("refund record: %+v", rs)
	}
	mails, _ := s.db.Mails(ctx, "", 100)
	told := false
	for _, m := range mails {
		told = told || m.To == "awa@example.org" && strings.Contains(m.Subject, "remboursée")
	}
	if !told {
		t.Fatal("the buyer of a refunded order was not told")
	}
}

// TestIdempotentRedemption: the same JSON with other whitespace and key
// order is the same request (the first answer again, byte for byte); other
// JSON with the key is 409; the key is written with the debit.
func TestIdempotentRedemption(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	code := s.paidVoucher("boulangerie-du-quartier", 5000)
	till := with(s.token(demo.BoulangerieEmail), "Idempotency-Key", "0f8e0b7c-4c1e-4d7e-9d3c-redeem-0001")
	path := "/api/v1/merchant/vouchers/" + code + "/redemptions"
	st1, out1, _ := s.do("POST", path, `{"amount":1200}`, till)
	st2, out2, h := s.do("POST", path, "{\n  \"amount\" :  1200 \n}", till)
	if st1 != 201 || st2 != 201 || out1 != out2 || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s %v", st1, out1, st2, out2, h)
	}
	if st, out, _ := s.do("POST", path, `{"amount": 1300}`, till); st != 409 || !strings.Contains(out, "idempotency_key_reused") {
		t.Fatalf("other body: %d %s", st, out)
	}
	if v, _ := s.db.Voucher(context.Background(), code); v.Balance != 3800 {
		t.Fatalf("balance %d, want 3800", v.Balance)
	}
	var r struct {
		Redemption struct{ ID string } `json:"redemption"`
	}
	json.Unmarshal([]byte(out1), &r)
	rev := with(till, "Idempotency-Key", "0f8e0b7c-4c1e-4d7e-9d3c-reverse-001")
	st1, out1, _ = s.do("POST", "/api/v1/merchant/redemptions/"+r.Redemption.ID+"/reverse", "", rev)
	st2, out2, _ = s.do("POST", "/api/v1/merchant/redemptions/"+r.Redemption.ID+"/reverse", "", rev)
	if st1 != 200 || st2 != 200 || out1 != out2 {
		t.Fatalf("reverse with a key, twice: %d %s / %d %s", st1, out1, st2, out2)
	}
	if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+r.Redemption.ID+"/reverse", "", s.token(demo.BoulangerieEmail)); st != 409 || !strings.Contains(out, "already_reversed") {
		t.Fatalf("reverse again without a key: %d %s", st, out)
	}
	if n, _ := s.db.StuckIdempotent(context.Background(), -time.Hour); n != 0 {
		t.Fatalf("%d keys without an answer", n)
	}
}

// TestIdempotentRefusal: the redemption keeps its key in the money
// transaction (keyWithMoney), refusals included, with no look-up before it.
// A refused redemption's retry gets the first refusal even once the
// balance would cover it, and nothing is debited; a key's reuse with
// another request is 409 whether that request reaches the money
// transaction or is refused before it; a till's typo (unknown code) is
// kept as well.
func TestIdempotentRefusal(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			code := s.paidVoucher("boulangerie-du-quartier", 1000)
			owner := s.token(demo.BoulangerieEmail)
			path := "/api/v1/merchant/vouchers/" + code + "/redemptions"
			first := with(owner, "Idempotency-Key", "k-refusal-000000000001")
			st1, out1, _ := s.do("POST", path, `{"amount": 1500}`, first)
			if st1 != 409 || !strings.Contains(out1, "insufficient_balance") {
				t.Fatalf("short: %d %s", st1, out1)
			}
			// Another key takes 600; its reversal gives it back: 1000 again.
			st, out, _ := s.do("POST", path, `{"amount": 600}`, with(owner, "Idempotency-Key", "k-refusal-000000000002"))
			var r struct {
				Redemption struct{ ID string } `json:"redemption"`
			}
			json.Unmarshal([]byte(out), &r)
			if st != 201 {
				t.Fatalf("600: %d %s", st, out)
			}
			// A retry of the refusal while the balance is short, then after
			// a top-up that would cover it: the first answer both times.
			for i := 0; i < 2; i++ {
				st2, out2, h := s.do("POST", path, `{"amount":1500}`, first)
				if st2 != 409 || out2 != out1 || h.Get("Idempotent-Replayed") != "true" {
					t.Fatalf("retry %d: %d %s %v", i, st2, out2, h)
				}
				if i == 0 {
					if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+r.Redemption.ID+"/reverse", "", owner); st != 200 {
						t.Fatalf("reverse: %d %s", st, out)
					}
				}
			}
			// The key with another request: refused in the money
			// transaction (amount 1000 would now pass) and before it
			// (amount 0, invalid).
			for _, body := range []string{`{"amount": 1000}`, `{"amount": 0}`, `{"amount": "x"}`} {
				if st, out, _ := s.do("POST", path, body, first); st != 409 || !strings.Contains(out, "idempotency_key_reused") {
					t.Fatalf("reuse with %s: %d %s", body, st, out)
				}
			}
			// An unknown code is kept too: its retry is the same 404.
			typo := with(owner, "Idempotency-Key", "k-refusal-000000000003")
			stA, outA, _ := s.do("POST", "/api/v1/merchant/vouchers/ZZZZZZZZZZZZZZZZ/redemptions", `{"amount": 100}`, typo)
			stB, outB, h := s.do("POST", "/api/v1/merchant/vouchers/ZZZZZZZZZZZZZZZZ/redemptions", `{"amount": 100}`, typo)
			if stA != 404 || stB != 404 || outA != outB || h.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("unknown code: %d %s / %d %s %v", stA, outA, stB, outB, h)
			}
			// An invalid first request is kept after the fact, as before.
			bad := with(owner, "Idempotency-Key", "k-refusal-000000000004")
			if st, out, _ := s.do("POST", path, `{"amount": -5}`, bad); st != 400 {
				t.Fatalf("invalid: %d %s", st, out)
			}
			if st, out, h := s.do("POST", path, `{"amount": -5}`, bad); st != 400 || h.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("invalid, retried: %d %s %v", st, out, h)
			}
			if v, _ := s.db.Voucher(context.Background(), code); v.Balance != 1000 {
				t.Fatalf("balance %d, want 1000", v.Balance)
			}
			if n, _ := s.db.StuckIdempotent(context.Background(), -time.Hour); n != 0 {
				t.Fatalf("%d keys without an answer", n)
			}
		})
	}
}

// flakyProvider fails the first n checkouts as a provider outage would.
type flakyProvider struct {
	market.PaymentProvider
	mu    sync.Mutex
	fails int
}

func (p *flakyProvider) CreateCheckout(ctx context.Context, c market.CheckoutRequest) (*market.CheckoutSession, error) {
	p.mu.Lock()
	if p.fails > 0 {
		p.fails--
		p.mu.Unlock()
		return nil, &market.Error{Code: market.EUnavailable, Message: "Le prestataire de paiement ne répond pas."}
	}
	p.mu.Unlock()
	return p.PaymentProvider.CreateCheckout(ctx, c)
}

// TestCheckoutResumed: the provider is down when the order is made; the
// retry with the same key gets the same order (its seats held once), with
// its payment page, never a second order.
func TestCheckoutResumed(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	s.checkout.Payments = &flakyProvider{PaymentProvider: s.checkout.Payments, fails: 1}
	key := map[string]string{"Idempotency-Key": "3d1f5a2e-resume-checkout-0001"}
	st, out, _ := s.do("POST", "/api/v1/checkout", gift, key)
	if st != 503 || !strings.Contains(out, "unavailable") {
		t.Fatalf("provider down: %d %s", st, out)
	}
	st1, out1, _ := s.do("POST", "/api/v1/checkout", gift, key)
	st2, out2, _ := s.do("POST", "/api/v1/checkout", strings.ReplaceAll(gift, "\n\t", " "), key)
	if st1 != 201 || st2 != 201 || out1 != out2 || !strings.Contains(out1, "/demo/checkout/") {
		t.Fatalf("retries: %d %s / %d %s", st1, out1, st2, out2)
	}
	pending, _ := s.db.PendingOrders(context.Background(), time.Now().Add(time.Hour), 100)
	if len(pending) != 1 {
		t.Fatalf("%d orders for one key", len(pending))
	}
}

// TestTicketExchangeGuards: a ticket used at the door cannot be refunded,
// credited or donated; a ticket exchanged cannot open the door.
func TestTicketExchangeGuards(t *testing.T) {
	s := newShop(t, "postgres", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	event, tt := s.newEvent(org, 10)
	codes := s.buyTickets(event, tt, "h@example.org", 2)
	used, exchanged := codes[0], codes[1]
	if st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+used+"/checkin", "", org); st != 200 {
		t.Fatalf("check-in: %d", st)
	}
	if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", `{"options": ["refund", "credit", "donate"]}`, org); st != 200 {
		t.Fatalf("cancel: %d %s", st, out)
	}
	if st, out, _ := s.do("POST", "/api/v1/tickets/"+used+"/choice", `{"choice": "refund"}`, nil); st != 409 || !strings.Contains(out, "ticket_checked_in") {
		t.Fatalf("refund of a used ticket: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/tickets/"+exchanged+"/choice", `{"choice": "donate"}`, nil); st != 200 {
		t.Fatalf("donate: %d", st)
	}
	if st, out, _ := s.do("POST", "/api/v1/merchant/tickets/"+exchanged+"/checkin", "", org); st != 409 || !strings.Contains(out, "ticket_exchanged") {
		t.Fatalf("check-in of a donated ticket: %d %s", st, out)
	}
}
