package payments

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

// The conformance suite of market.PaymentProvider: what the domain may rely
// on whichever provider it has.
func TestProviders(t *testing.T) {
	providers := map[string]func(t *testing.T) market.PaymentProvider{
		"demo": func(*testing.T) market.PaymentProvider { return NewDemo("http://127.0.0.1:8080") },
		"stripe": func(t *testing.T) market.PaymentProvider {
			s, _ := mockStripe(t)
			return s
		},
	}
	for name, newProvider := range providers {
		t.Run(name, func(t *testing.T) {
			testProvider(t, newProvider(t))
		})
	}
}

func testProvider(t *testing.T, p market.PaymentProvider) {
	ctx := context.Background()
	if p.Name() != "stripe" && p.Name() != "demo" {
		t.Errorf("Name() = %q", p.Name())
	}

	t.Run("Checkout", func(t *testing.T) {
		sess, err := p.CreateCheckout(ctx, checkoutRequest("ord_conf1"))
		if err != nil {
			t.Fatalf("CreateCheckout: %v", err)
		}
		if sess.ID == "" || sess.URL == "" {
			t.Fatalf("session %+v", sess)
		}
		ev, err := p.Session(ctx, sess.ID)
		if err != nil {
			t.Fatalf("Session: %v", err)
		}
		if ev.Type != market.PaymentOpen || ev.SessionID != sess.ID || ev.ID != "" {
			t.Errorf("fresh session: %+v, want open, no event id", ev)
		}
	})

	t.Run("CheckoutInvalid", func(t *testing.T) {
		for name, change := range map[string]func(*market.CheckoutRequest){
			"NoOrder":          func(c *market.CheckoutRequest) { c.OrderID = "" },
			"LongOrder":        func(c *market.CheckoutRequest) { c.OrderID = string(make([]byte, 201)) },
			"Currency":         func(c *market.CheckoutRequest) { c.Currency = "usd" },
			"NoLines":          func(c *market.CheckoutRequest) { c.Lines, c.Total = nil, 0 },
			"LineName":         func(c *market.CheckoutRequest) { c.Lines[0].Name = " " },
			"LineAmount":       func(c *market.CheckoutRequest) { c.Lines[1].Amount, c.Total = 0, 5000 },
			"LineQuantity":     func(c *market.CheckoutRequest) { c.Lines[0].Quantity, c.Total = 0, 1000 },
			"Overflow":         func(c *market.CheckoutRequest) { c.Lines[0].Quantity = 1 << 60 },
			"TotalNotSum":      func(c *market.CheckoutRequest) { c.Total++ },
			"NegativeFee":      func(c *market.CheckoutRequest) { c.PlatformFee = -1 },
			"FeeIsAll":         func(c *market.CheckoutRequest) { c.PlatformFee = c.Total },
			"FeeNoDestination": func(c *market.CheckoutRequest) { c.Destination = "" },
			"NoSuccessURL":     func(c *market.CheckoutRequest) { c.SuccessURL = "" },
		} {
			t.Run(name, func(t *testing.T) {
				c := checkoutRequest("ord_conf2")
				change(&c)
				sess, err := p.CreateCheckout(ctx, c)
				wantCode(t, err, market.EInvalid)
				if sess != nil {
					t.Errorf("session %+v returned with the error", sess)
				}
			})
		}
	})

	t.Run("Session", func(t *testing.T) {
		_, err := p.Session(ctx, "")
		wantCode(t, err, market.ENotFound)
	})

	t.Run("Webhook", func(t *testing.T) {
		for _, endpoint := range []market.WebhookEndpoint{market.PlatformWebhooks, market.ConnectWebhooks, "elsewhere"} {
			_, err := p.ParseWebhook(endpoint, []byte(`{}`), "")
			wantCode(t, err, market.EInvalid)
		}
	})

	t.Run("Refund", func(t *testing.T) {
		r, err := p.Refund(ctx, market.RefundRequest{
			PaymentIntent: "pi_conf1", Amount: 700, ReverseTransfer: true, IdempotencyKey: "refund-conf1",
			Metadata: map[string]string{market.RefundMetadataKey: "rfd_conf1", "order_id": "ord_conf1"},
		})
		if err != nil {
			t.Fatalf("Refund: %v", err)
		}
		if r.ID == "" || r.Amount != 700 || r.Status != "succeeded" {
			t.Errorf("refund %+v", r)
		}
	})

	t.Run("RefundInvalid", func(t *testing.T) {
		for name, r := range map[string]market.RefundRequest{
			"NoPaymentIntent": {Amount: 100, IdempotencyKey: "k"},
			"NegativeAmount":  {PaymentIntent: "pi_1", Amount: -1, IdempotencyKey: "k"},
			"NoKey":           {PaymentIntent: "pi_1", Amount: 100},
			"LongKey":         {PaymentIntent: "pi_1", IdempotencyKey: string(make([]byte, 256))},
			"MetadataKeys":    {PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: manyKeys(51)},
			"MetadataLongKey": {PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: map[string]string{strings.Repeat("k", 41): "v"}},
			"MetadataValue":   {PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: map[string]string{"order_id": strings.Repeat("é", 501)}},
			"MetadataEmpty":   {PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: map[string]string{"": "v"}},
			"MetadataBracket": {PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: map[string]string{"a[b]": "v"}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := p.Refund(ctx, r)
				wantCode(t, err, market.EInvalid)
			})
		}
	})

	// Stripe's bounds, reached but not passed.
	t.Run("RefundMetadataAtTheLimits", func(t *testing.T) {
		m := manyKeys(49)
		m[strings.Repeat("k", 40)] = strings.Repeat("é", 500)
		if _, err := p.Refund(ctx, market.RefundRequest{PaymentIntent: "pi_conf2", IdempotencyKey: "refund-conf2", Metadata: m}); err != nil {
			t.Fatalf("Refund: %v", err)
		}
	})

	// Neither provider has a refund made with this id: the demo keeps
	// nothing, and stripe-mock's refunds carry no metadata.
	t.Run("FindRefund", func(t *testing.T) {
		r, err := p.FindRefund(ctx, "pi_conf1", "rfd_unknown")
		wantCode(t, err, market.ENotFound)
		if r != nil {
			t.Errorf("refund %+v returned with the error", r)
		}
		_, err = p.FindRefund(ctx, "", "rfd_1")
		wantCode(t, err, market.EInvalid)
		_, err = p.FindRefund(ctx, "pi_conf1", "")
		wantCode(t, err, market.EInvalid)
	})

	t.Run("Transfer", func(t *testing.T) {
		tr, err := p.Transfer(ctx, transferRequest("stl_conf1"))
		if err != nil {
			t.Fatalf("Transfer: %v", err)
		}
		if tr.ID == "" || tr.Amount != 2500 {
			t.Errorf("transfer %+v", tr)
		}
	})

	t.Run("TransferInvalid", func(t *testing.T) {
		for name, change := range map[string]func(*market.TransferRequest){
			"NoAmount":        func(r *market.TransferRequest) { r.Amount = 0 },
			"NegativeAmount":  func(r *market.TransferRequest) { r.Amount = -1 },
			"Currency":        func(r *market.TransferRequest) { r.Currency = "usd" },
			"NoCurrency":      func(r *market.TransferRequest) { r.Currency = "" },
			"NoGroup":         func(r *market.TransferRequest) { r.Group = "" },
			"NoKey":           func(r *market.TransferRequest) { r.IdempotencyKey = "" },
			"LongKey":         func(r *market.TransferRequest) { r.IdempotencyKey = string(make([]byte, 256)) },
			"NoMetadata":      func(r *market.TransferRequest) { r.Metadata = nil },
			"NoLine":          func(r *market.TransferRequest) { delete(r.Metadata, market.TransferMetadataKey) },
			"EmptyLine":       func(r *market.TransferRequest) { r.Metadata[market.TransferMetadataKey] = "" },
			"MetadataKeys":    func(r *market.TransferRequest) { maps.Copy(r.Metadata, manyKeys(48)) },
			"MetadataLongKey": func(r *market.TransferRequest) { r.Metadata[strings.Repeat("k", 41)] = "v" },
			"MetadataValue":   func(r *market.TransferRequest) { r.Metadata["run_id"] = strings.Repeat("é", 501) },
			"MetadataEmpty":   func(r *market.TransferRequest) { r.Metadata[""] = "v" },
			"MetadataBracket": func(r *market.TransferRequest) { r.Metadata["a[b]"] = "v" },
		} {
			t.Run(name, func(t *testing.T) {
				r := transferRequest("stl_conf2")
				change(&r)
				tr, err := p.Transfer(ctx, r)
				wantCode(t, err, market.EInvalid)
				if tr != nil {
					t.Errorf("transfer %+v returned with the error", tr)
				}
			})
		}
	})

	// Stripe's bounds, reached but not passed.
	t.Run("TransferMetadataAtTheLimits", func(t *testing.T) {
		r := transferRequest("stl_conf3")
		r.Metadata = manyKeys(48)
		r.Metadata[market.TransferMetadataKey] = "stl_conf3"
		r.Metadata[strings.Repeat("k", 40)] = strings.Repeat("é", 500)
		r.IdempotencyKey = strings.Repeat("k", 255)
		if _, err := p.Transfer(ctx, r); err != nil {
			t.Fatalf("Transfer: %v", err)
		}
	})

	// Stripe pays a connected account, which it must be told; a demo
	// merchant has none, and the demo pays nobody.
	t.Run("TransferNoDestination", func(t *testing.T) {
		r := transferRequest("stl_conf4")
		r.Destination = ""
		tr, err := p.Transfer(ctx, r)
		if p.Name() == "stripe" {
			wantCode(t, err, market.EInvalid)
			return
		}
		if err != nil || tr.ID == "" || tr.Amount != 2500 {
			t.Errorf("Transfer = %+v, %v; want a transfer", tr, err)
		}
	})

	// Neither provider has a transfer made for this line: the demo keeps
	// nothing, and stripe-mock's transfers carry no such metadata.
	t.Run("FindTransfer", func(t *testing.T) {
		tr, err := p.FindTransfer(ctx, "settlement-run_1", "stl_unknown")
		wantCode(t, err, market.ENotFound)
		if tr != nil {
			t.Errorf("transfer %+v returned with the error", tr)
		}
		_, err = p.FindTransfer(ctx, "", "stl_1")
		wantCode(t, err, market.EInvalid)
		_, err = p.FindTransfer(ctx, "settlement-run_1", "")
		wantCode(t, err, market.EInvalid)
	})
}

// manyKeys returns metadata with n keys.
func manyKeys(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("key_%d", i)] = "v"
	}
	return m
}

// Invalid requests are refused before anything is sent.
func TestStripeValidatesFirst(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
		http.Error(w, "{}", http.StatusInternalServerError)
	}))
	defer srv.Close()
	s, rec := newTestStripe(t, srv.URL)
	c := checkoutRequest("ord_1")
	c.Total = 1
	_, err := s.CreateCheckout(context.Background(), c)
	wantCode(t, err, market.EInvalid)
	_, err = s.Refund(context.Background(), market.RefundRequest{PaymentIntent: "pi_1"})
	wantCode(t, err, market.EInvalid)
	_, err = s.Refund(context.Background(), market.RefundRequest{PaymentIntent: "pi_1", IdempotencyKey: "k", Metadata: manyKeys(51)})
	wantCode(t, err, market.EInvalid)
	_, err = s.FindRefund(context.Background(), "pi_1", "")
	wantCode(t, err, market.EInvalid)
	tr := transferRequest("stl_1")
	tr.Destination = ""
	_, err = s.Transfer(context.Background(), tr)
	wantCode(t, err, market.EInvalid)
	tr = transferRequest("stl_1")
	delete(tr.Metadata, market.TransferMetadataKey)
	_, err = s.Transfer(context.Background(), tr)
	wantCode(t, err, market.EInvalid)
	_, err = s.FindTransfer(context.Background(), "", "stl_1")
	wantCode(t, err, market.EInvalid)
	_, err = s.CreateAccount(context.Background(), "a@example.com", "CA", strings.Repeat("k", 256))
	wantCode(t, err, market.EInvalid)
	_, err = s.Account(context.Background(), "")
	wantCode(t, err, market.ENotFound)
	if n := len(rec.exchanges()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
