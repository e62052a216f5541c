package payments

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func TestNewStripe(t *testing.T) {
	for name, cfg := range map[string]StripeConfig{
		"NoKey":          {APIBase: "http://127.0.0.1:1"},
		"BlankKey":       {SecretKey: "  "},
		"APIBaseNotURL":  {SecretKey: "sk_test_123", APIBase: "127.0.0.1:12111"},
		"APIBaseNotHTTP": {SecretKey: "sk_test_123", APIBase: "ftp://127.0.0.1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewStripe(cfg)
			wantCode(t, err, market.EInvalid)
		})
	}
	s, err := NewStripe(StripeConfig{SecretKey: "sk_test_123"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "stripe" {
		t.Errorf("Name() = %q", s.Name())
	}
}

func TestStripeCreateCheckout(t *testing.T) {
	s, rec := mockStripe(t)
	req := checkoutRequest("ord_checkout1")
	sess, err := s.CreateCheckout(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	if !strings.HasPrefix(sess.ID, "cs_") || !strings.HasPrefix(sess.URL, "https://") {
		t.Errorf("session %+v, want a cs_ id and an https URL", sess)
	}

	ex := rec.only(t)
	if ex.Method != http.MethodPost || ex.Path != "/v1/checkout/sessions" || ex.Status != http.StatusOK {
		t.Errorf("sent %s %s, got %d; want POST /v1/checkout/sessions, 200", ex.Method, ex.Path, ex.Status)
	}
	for header, want := range map[string]string{
		"Idempotency-Key": "checkout-ord_checkout1",
		"Authorization":   "Bearer sk_test_123",
		"Stripe-Version":  stripe.APIVersion,
	} {
		if got := ex.Header.Get(header); got != want {
			t.Errorf("header %s = %q, want %q", header, got, want)
		}
	}
	wantForm(t, ex.Form, map[string]string{
		"mode":                                   "payment",
		"client_reference_id":                    "ord_checkout1",
		"metadata[order_id]":                     "ord_checkout1",
		"customer_email":                         "awa@example.com",
		"success_url":                            req.SuccessURL,
		"cancel_url":                             req.CancelURL,
		"expires_at":                             strconv.FormatInt(req.ExpiresAt.Unix(), 10),
		"line_items[0][price_data][currency]":    "cad",
		"line_items[0][price_data][unit_amount]": "2500",
		"line_items[0][price_data][product_data][name]":    "Bon solidaire — Boulangerie du quartier",
		"line_items[0][quantity]":                          "2",
		"line_items[1][price_data][currency]":              "cad",
		"line_items[1][price_data][unit_amount]":           "1000",
		"line_items[1][price_data][product_data][name]":    "Billet — Théâtre du Faubourg",
		"line_items[1][quantity]":                          "1",
		"payment_intent_data[application_fee_amount]":      "300",
		"payment_intent_data[transfer_data][destination]":  "acct_1SellerTest",
		"payment_intent_data[on_behalf_of]":                "acct_1SellerTest",
		"payment_intent_data[statement_descriptor_suffix]": "BOULANGERI",
		"payment_intent_data[metadata][order_id]":          "ord_checkout1",
		"payment_method_types[0]":                          "card",
	})
	if got := ex.Form["payment_method_types[1]"]; got != nil {
		t.Errorf("payment methods other than cards offered: %q", got)
	}

	// stripe-mock validates the request against Stripe's OpenAPI description
	// and echoes some of its parameters; not metadata, line items, amounts
	// or payment_intent_data. That it answered 200 says it took them all.
	for field, want := range map[string]any{
		"id":                  sess.ID,
		"url":                 sess.URL,
		"object":              "checkout.session",
		"mode":                "payment",
		"client_reference_id": "ord_checkout1",
		"customer_email":      "awa@example.com",
		"success_url":         req.SuccessURL,
		"cancel_url":          req.CancelURL,
		"expires_at":          float64(req.ExpiresAt.Unix()),
	} {
		if got := ex.Response[field]; got != want {
			t.Errorf("stripe-mock answered %s = %v, want %v", field, got, want)
		}
	}
	if got, _ := ex.Response["payment_method_types"].([]any); len(got) != 1 || got[0] != "card" {
		t.Errorf("stripe-mock answered payment_method_types = %v, want [card]", ex.Response["payment_method_types"])
	}
}

func TestStripeCreateCheckoutWithoutOptions(t *testing.T) {
	s, rec := mockStripe(t)
	req := checkoutRequest("ord_checkout2")
	req.PlatformFee, req.Destination, req.BuyerEmail, req.CancelURL = 0, "", "", ""
	req.SellerName = "***"
	req.ExpiresAt = time.Time{}
	if _, err := s.CreateCheckout(context.Background(), req); err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	wantForm(t, rec.only(t).Form, map[string]string{
		"client_reference_id":                              "ord_checkout2",
		"metadata[order_id]":                               "ord_checkout2",
		"payment_intent_data[application_fee_amount]":      "",
		"payment_intent_data[transfer_data][destination]":  "",
		"payment_intent_data[on_behalf_of]":                "",
		"payment_intent_data[statement_descriptor_suffix]": "",
		"payment_method_types[0]":                          "card",
		"customer_email":                                   "",
		"cancel_url":                                       "",
		"expires_at":                                       "",
	})
}

func TestStatementSuffix(t *testing.T) {
	for _, c := range []struct {
		name, want string // want "" when omitted
	}{
		{"Boulangerie du Quartier", "BOULANGERI"},
		{"Café Olé", "CAFE OLE"},
		{"***", ""},
		{"123", ""},
		{"", ""},
		{"   ", ""},
		{"Théâtre  du   Nord", "THEATRE DU"},
		{"  L'Épicerie fine ", "LEPICERIE"},
		{"Saint-Jean-Baptiste", "SAINT JEAN"},
		{"Boucherie Xavier", "BOUCHERIE"}, // cut just after a word: no trailing space
		{"Chez Marie Louise", "CHEZ MARIE"},
		{"Œuvre & Cœur", "OEUVRE COE"},
		{"Großbäckerei", "GROSSBACKE"},
		{"Ça <roule> \"vélo\"", "CA ROULE V"},
		{"Café 21", "CAFE 21"},
		{"Épicerie ✓ 2000 ™", "EPICERIE 2"},
		{"Москва", ""},
		{"7 Ψ 8", ""},
		{"24/7 Dépanneur", "24 7 DEPAN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := statementSuffix(c.name)
			if got != c.want || ok != (c.want != "") {
				t.Fatalf("statementSuffix(%q) = %q, %v; want %q", c.name, got, ok, c.want)
			}
			if len(got) > maxStatementSuffix || strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
				t.Errorf("suffix %q: too long or badly spaced", got)
			}
		})
	}
}

// A retry must send the very same request under the same key, or Stripe
// would answer with an idempotency error rather than the first session.
// stripe-mock keeps no state: it answers each with a new session, so what
// is checked here is the request.
func TestStripeCreateCheckoutRetry(t *testing.T) {
	s, rec := mockStripe(t)
	req := checkoutRequest("ord_checkout3")
	req.ExpiresAt = time.Now().Add(market.DefaultHoldTime) // under Stripe's minimum once sent
	for range 2 {
		if _, err := s.CreateCheckout(context.Background(), req); err != nil {
			t.Fatalf("CreateCheckout: %v", err)
		}
	}
	got := rec.exchanges()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	if k0, k1 := got[0].Header.Get("Idempotency-Key"), got[1].Header.Get("Idempotency-Key"); k0 != "checkout-ord_checkout3" || k1 != k0 {
		t.Errorf("idempotency keys %q, %q; want checkout-ord_checkout3 twice", k0, k1)
	}
	if f0, f1 := got[0].Form.Encode(), got[1].Form.Encode(); f0 != f1 {
		t.Errorf("the retry sent other parameters:\n%s\n%s", f0, f1)
	}
	at, _ := strconv.ParseInt(got[0].Form.Get("expires_at"), 10, 64)
	if life := time.Until(time.Unix(at, 0)); life < minSessionLife || life > minSessionLife+3*time.Minute {
		t.Errorf("expires_at %v from now, want a little over Stripe's 30-minute minimum", life)
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	for _, c := range []struct {
		name string
		want time.Time
		at   int64
		ok   bool
	}{
		{"Zero", time.Time{}, 0, false},
		{"TwoHours", now.Add(2 * time.Hour), at(2 * time.Hour), true},
		{"JustLongEnough", now.Add(32 * time.Minute), at(32 * time.Minute), true},
		// An order held 30 minutes, opened 0.5 s after it was made.
		{"DefaultHold", now.Add(30*time.Minute - 500*time.Millisecond), now.Add(30*time.Minute - 500*time.Millisecond).Add(2 * time.Minute).Unix(), true},
		{"Past", now.Add(-time.Hour), now.Add(-time.Hour).Add(92 * time.Minute).Unix(), true},
		{"TooLate", now.Add(25 * time.Hour), 0, false},
		{"AlmostADay", now.Add(24*time.Hour - 30*time.Second), 0, false},
		{"JustUnderADay", now.Add(23 * time.Hour), at(23 * time.Hour), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := sessionExpiry(now, c.want)
			if got != c.at || ok != c.ok {
				t.Fatalf("sessionExpiry = %d, %v; want %d, %v", got, ok, c.at, c.ok)
			}
			if ok {
				life := time.Unix(got, 0).Sub(now)
				if life < minSessionLife || life > maxSessionLife {
					t.Errorf("expires %v from now, outside Stripe's bounds", life)
				}
			}
		})
	}
	// Retries within the minute after the order was made send one value.
	want := now.Add(30 * time.Minute)
	first, _ := sessionExpiry(now, want)
	for d := time.Duration(0); d < 59*time.Second; d += 7 * time.Second {
		if got, _ := sessionExpiry(now.Add(d), want); got != first {
			t.Fatalf("%v later: expires_at %d, first %d", d, got, first)
		}
	}
}

func TestStripeSession(t *testing.T) {
	s, rec := mockStripe(t)
	ev, err := s.Session(context.Background(), "cs_test_session1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	// stripe-mock always describes an open, unpaid session, with no amount,
	// currency nor client_reference_id.
	if ev.Type != market.PaymentOpen || ev.SessionID != "cs_test_session1" || !strings.HasPrefix(ev.PaymentIntent, "pi_") || ev.ID != "" {
		t.Errorf("event %+v, want an open session cs_test_session1 with a pi_ payment intent and no id", ev)
	}
	if ex := rec.only(t); ex.Method != http.MethodGet || ex.Path != "/v1/checkout/sessions/cs_test_session1" {
		t.Errorf("sent %s %s", ex.Method, ex.Path)
	}
	_, err = s.Session(context.Background(), "")
	wantCode(t, err, market.ENotFound)
}

// fakeStripe answers every request with status and body, and counts them.
func fakeStripe(t *testing.T, status int, body string) (*Stripe, *int) {
	t.Helper()
	n := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*n++
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_fake")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	s, _ := newTestStripe(t, srv.URL)
	return s, n
}

// The states stripe-mock cannot show, from a fake Stripe.
func TestStripeSessionStates(t *testing.T) {
	for _, c := range []struct {
		name, session string
		want          market.PaymentEvent
	}{
		{"CompletePaid",
			`"status":"complete","payment_status":"paid","client_reference_id":"ord_1","metadata":{"order_id":"ord_1"}`,
			market.PaymentEvent{Type: market.PaymentCompleted, OrderID: "ord_1", PaymentPaid: true}},
		{"CompleteUnpaid",
			`"status":"complete","payment_status":"unpaid","client_reference_id":"ord_1"`,
			market.PaymentEvent{Type: market.PaymentOpen, OrderID: "ord_1"}},
		{"Expired",
			`"status":"expired","payment_status":"unpaid","client_reference_id":"ord_1"`,
			market.PaymentEvent{Type: market.PaymentExpired, OrderID: "ord_1"}},
		{"Open",
			`"status":"open","payment_status":"unpaid","metadata":{"order_id":"ord_1"}`,
			market.PaymentEvent{Type: market.PaymentOpen, OrderID: "ord_1"}},
		{"OrderIDsDisagree",
			`"status":"complete","payment_status":"paid","client_reference_id":"ord_1","metadata":{"order_id":"ord_2"}`,
			market.PaymentEvent{Type: market.PaymentCompleted, PaymentPaid: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := fakeStripe(t, http.StatusOK, `{"id":"cs_test_1","object":"checkout.session","created":1772366400,
				"amount_total":6000,"currency":"cad","payment_intent":"pi_1",`+c.session+`}`)
			ev, err := s.Session(context.Background(), "cs_test_1")
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			want := c.want
			want.SessionID, want.AmountTotal, want.Currency, want.PaymentIntent = "cs_test_1", 6000, market.CAD, "pi_1"
			want.Created = time.Unix(1772366400, 0).UTC()
			if *ev != want {
				t.Errorf("event\n %+v\nwant\n %+v", *ev, want)
			}
		})
	}
}

func TestStripeErrors(t *testing.T) {
	stripeErr := func(typ, code, msg string) string {
		return fmt.Sprintf(`{"error":{"type":%q,"code":%q,"message":%q}}`, typ, code, msg)
	}
	for _, c := range []struct {
		name     string
		status   int
		body     string
		code     string
		requests int // sent, retries included
	}{
		{"ResourceMissing", 404, stripeErr("invalid_request_error", "resource_missing", "No such checkout.session: 'cs_x'"), market.ENotFound, 1},
		{"InvalidRequest", 400, stripeErr("invalid_request_error", "parameter_invalid_integer", "Invalid integer: secret detail"), market.EInvalid, 1},
		{"Card", 402, stripeErr("card_error", "card_declined", "Your card was declined: secret detail"), market.EInvalid, 1},
		{"Idempotency", 400, stripeErr("idempotency_error", "", "Keys for idempotent requests can only be used with the same parameters"), market.EConflict, 1},
		{"RateLimit", 429, stripeErr("invalid_request_error", "rate_limit", "Too many requests"), market.ERateLimited, 1},
		{"BadKey", 401, stripeErr("invalid_request_error", "", "Invalid API Key provided: sk_test_***"), market.EInternal, 1},
		{"ServerError", 500, stripeErr("api_error", "", "Something went wrong"), market.EUnavailable, 3},
		{"Unavailable", 503, `not JSON`, market.EUnavailable, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, n := fakeStripe(t, c.status, c.body)
			_, err := s.Session(context.Background(), "cs_x")
			wantCode(t, err, c.code)
			if *n != c.requests {
				t.Errorf("%d requests, want %d", *n, c.requests)
			}
			if msg := market.ErrorMessage(err); strings.Contains(msg, "secret detail") || strings.Contains(msg, "sk_test") {
				t.Errorf("message shown %q holds Stripe's detail", msg)
			}
			if c.body != "not JSON" && !strings.Contains(err.Error(), "req_fake") {
				t.Errorf("error %q lacks the request id, for the log", err)
			}
		})
	}

	t.Run("CheckoutRefused", func(t *testing.T) {
		s, _ := fakeStripe(t, 400, stripeErr("invalid_request_error", "amount_too_small", "Amount must be at least 50 cents"))
		_, err := s.CreateCheckout(context.Background(), checkoutRequest("ord_x"))
		wantCode(t, err, market.EInvalid)
		if !strings.Contains(err.Error(), "at least 50 cents") {
			t.Errorf("error %q lacks Stripe's message, for the log", err)
		}
	})

	t.Run("CheckoutUnknownDestination", func(t *testing.T) {
		s, _ := fakeStripe(t, 400, `{"error":{"type":"invalid_request_error","code":"resource_missing",
			"param":"payment_intent_data[transfer_data][destination]","message":"No such destination: 'acct_x'"}}`)
		_, err := s.CreateCheckout(context.Background(), checkoutRequest("ord_x"))
		wantCode(t, err, market.EConflict)
		if !strings.Contains(err.Error(), "No such destination") {
			t.Errorf("error %q lacks Stripe's message, for the log", err)
		}
	})

	// The platform's available balance cannot cover the transfer yet: the
	// money of the payments it settles is still pending. Not the request's
	// fault, and the next settlement will do.
	t.Run("TransferBalanceInsufficient", func(t *testing.T) {
		s, n := fakeStripe(t, http.StatusBadRequest, `{"error":{"type":"invalid_request_error","code":"balance_insufficient",
			"doc_url":"https://stripe.com/docs/error-codes/balance-insufficient",
			"message":"You have insufficient available funds in your Stripe account."}}`)
		tr, err := s.Transfer(context.Background(), transferRequest("stl_x"))
		wantCode(t, err, market.EUnavailable)
		if tr != nil {
			t.Errorf("transfer %+v returned with the error", tr)
		}
		want := "Le solde de la plateforme ne suffit pas encore pour ce virement ; il sera refait au prochain règlement."
		if msg := market.ErrorMessage(err); msg != want {
			t.Errorf("message shown %q, want %q", msg, want)
		}
		if !strings.Contains(err.Error(), "insufficient available funds") || !strings.Contains(err.Error(), "balance_insufficient") {
			t.Errorf("error %q lacks Stripe's message and code, for the log", err)
		}
		if *n != 1 {
			t.Errorf("%d requests, want 1: a refusal is not retried", *n)
		}
	})

	t.Run("TransferUnknownDestination", func(t *testing.T) {
		s, _ := fakeStripe(t, http.StatusBadRequest, `{"error":{"type":"invalid_request_error","code":"resource_missing",
			"param":"destination","message":"No such destination: 'acct_x'"}}`)
		_, err := s.Transfer(context.Background(), transferRequest("stl_x"))
		wantCode(t, err, market.ENotFound)
		if !strings.Contains(err.Error(), "No such destination") {
			t.Errorf("error %q lacks Stripe's message, for the log", err)
		}
	})

	t.Run("TransferRefused", func(t *testing.T) {
		s, _ := fakeStripe(t, http.StatusBadRequest, `{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer",
			"param":"amount","message":"This value must be greater than or equal to 1."}}`)
		_, err := s.Transfer(context.Background(), transferRequest("stl_x"))
		wantCode(t, err, market.EInvalid)
	})

	t.Run("ConnectionRefused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		s, rec := newTestStripe(t, "http://"+addr)
		_, err = s.Session(context.Background(), "cs_x")
		wantCode(t, err, market.EUnavailable)
		if got := len(rec.exchanges()); got != 3 {
			t.Errorf("%d tries, want 3 (stripe-go retries twice)", got)
		}
		_, err = s.CreateCheckout(context.Background(), checkoutRequest("ord_x"))
		wantCode(t, err, market.EUnavailable)
	})

	t.Run("Cancelled", func(t *testing.T) {
		s, _ := mockStripe(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.Session(ctx, "cs_x")
		wantCode(t, err, market.EUnavailable)
	})
}

func TestStripeRefund(t *testing.T) {
	s, rec := mockStripe(t)
	r, err := s.Refund(context.Background(), market.RefundRequest{
		PaymentIntent: "pi_test_1", Amount: 500, ReverseTransfer: true, RefundFee: true, IdempotencyKey: "refund-tkt_1",
		Metadata: map[string]string{market.RefundMetadataKey: "rfd_1", "order_id": "ord_1", "ticket_id": "tkt_1"},
	})
	if err != nil {
		t.Fatalf("Refund: %v", err)
	}
	// stripe-mock echoes the amount asked for.
	if !strings.HasPrefix(r.ID, "re_") || r.Amount != 500 || r.Status != "succeeded" {
		t.Errorf("refund %+v, want re_…, 500, succeeded", r)
	}
	ex := rec.only(t)
	if ex.Method != http.MethodPost || ex.Path != "/v1/refunds" || ex.Header.Get("Idempotency-Key") != "refund-tkt_1" {
		t.Errorf("sent %s %s with key %q", ex.Method, ex.Path, ex.Header.Get("Idempotency-Key"))
	}
	wantForm(t, ex.Form, map[string]string{
		"payment_intent":         "pi_test_1",
		"amount":                 "500",
		"reverse_transfer":       "true",
		"refund_application_fee": "true",
		"metadata[" + market.RefundMetadataKey + "]": "rfd_1",
		"metadata[order_id]":                         "ord_1",
		"metadata[ticket_id]":                        "tkt_1",
	})

	s, rec = mockStripe(t)
	if _, err := s.Refund(context.Background(), market.RefundRequest{PaymentIntent: "pi_test_1", IdempotencyKey: "refund-ord_1"}); err != nil {
		t.Fatalf("full Refund: %v", err)
	}
	wantForm(t, rec.only(t).Form, map[string]string{
		"payment_intent":         "pi_test_1",
		"amount":                 "",
		"reverse_transfer":       "",
		"refund_application_fee": "",
	})
	for k := range rec.only(t).Form {
		if strings.HasPrefix(k, "metadata") {
			t.Errorf("metadata sent without any asked for: %s", k)
		}
	}
}

// refundsPages is a fake Stripe's GET /v1/refunds for payment intent
// pi_find1: two pages, the refund made for rfd_wanted on the second.
func refundsPages(t *testing.T) http.Handler {
	refund := func(id, refundID string, amount int64, status string) string {
		meta := `{}`
		if refundID != "" {
			meta = fmt.Sprintf(`{%q:%q,"order_id":"ord_find1"}`, market.RefundMetadataKey, refundID)
		}
		return fmt.Sprintf(`{"id":%q,"object":"refund","amount":%d,"currency":"cad","payment_intent":"pi_find1",
			"charge":"ch_find1","status":%q,"metadata":%s,"created":1772366400}`, id, amount, status, meta)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/v1/refunds" || q.Get("payment_intent") != "pi_find1" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"unexpected"}}`)
			return
		}
		switch q.Get("starting_after") {
		case "":
			fmt.Fprintf(w, `{"object":"list","url":"/v1/refunds","has_more":true,"data":[%s,%s]}`,
				refund("re_page1a", "rfd_other", 1000, "succeeded"), refund("re_page1b", "", 500, "succeeded"))
		case "re_page1b":
			fmt.Fprintf(w, `{"object":"list","url":"/v1/refunds","has_more":false,"data":[%s]}`,
				refund("re_page2a", "rfd_wanted", 2500, "pending"))
		default:
			t.Errorf("starting_after %q", q.Get("starting_after"))
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"unexpected"}}`)
		}
	})
}

func TestStripeFindRefund(t *testing.T) {
	srv := httptest.NewServer(refundsPages(t))
	defer srv.Close()
	ctx := context.Background()

	s, rec := newTestStripe(t, srv.URL)
	r, err := s.FindRefund(ctx, "pi_find1", "rfd_wanted")
	if err != nil {
		t.Fatalf("FindRefund: %v", err)
	}
	if *r != (market.Refund{ID: "re_page2a", Amount: 2500, Status: "pending"}) {
		t.Errorf("refund %+v, want re_page2a, 2500, pending", *r)
	}
	got := rec.exchanges()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2 (two pages)", len(got))
	}
	wantForm(t, got[0].Form, map[string]string{"payment_intent": "pi_find1", "limit": "100", "starting_after": ""})
	wantForm(t, got[1].Form, map[string]string{"payment_intent": "pi_find1", "limit": "100", "starting_after": "re_page1b"})

	// Found on the first page: the second is not asked for.
	s, rec = newTestStripe(t, srv.URL)
	if r, err := s.FindRefund(ctx, "pi_find1", "rfd_other"); err != nil || r.ID != "re_page1a" {
		t.Errorf("FindRefund = %+v, %v; want re_page1a", r, err)
	}
	if n := len(rec.exchanges()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	s, rec = newTestStripe(t, srv.URL)
	r, err = s.FindRefund(ctx, "pi_find1", "rfd_never")
	wantCode(t, err, market.ENotFound)
	if r != nil {
		t.Errorf("refund %+v returned with the error", r)
	}
	if n := len(rec.exchanges()); n != 2 {
		t.Errorf("%d requests, want 2: every page looked through", n)
	}

	// Stripe's errors are translated as for every call.
	fake, _ := fakeStripe(t, http.StatusNotFound, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent: 'pi_x'"}}`)
	_, err = fake.FindRefund(ctx, "pi_x", "rfd_1")
	wantCode(t, err, market.ENotFound)
	fake, _ = fakeStripe(t, http.StatusServiceUnavailable, `{"error":{"type":"api_error","message":"down"}}`)
	_, err = fake.FindRefund(ctx, "pi_x", "rfd_1")
	wantCode(t, err, market.EUnavailable)
}

func TestStripeTransfer(t *testing.T) {
	s, rec := mockStripe(t)
	req := transferRequest("stl_1")
	tr, err := s.Transfer(context.Background(), req)
	if err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	// stripe-mock echoes the amount asked for, with an id of its own.
	if !strings.HasPrefix(tr.ID, "tr_") || tr.Amount != 2500 {
		t.Errorf("transfer %+v, want tr_…, 2500", tr)
	}
	ex := rec.only(t)
	if ex.Method != http.MethodPost || ex.Path != "/v1/transfers" || ex.Status != http.StatusOK {
		t.Errorf("sent %s %s, got %d; want POST /v1/transfers, 200", ex.Method, ex.Path, ex.Status)
	}
	if k := ex.Header.Get("Idempotency-Key"); k != "transfer-stl_1" {
		t.Errorf("Idempotency-Key %q, want transfer-stl_1", k)
	}
	wantForm(t, ex.Form, map[string]string{
		"amount":         "2500",
		"currency":       "cad",
		"destination":    "acct_1SellerTest",
		"transfer_group": "settlement-run_1",
		"description":    "Règlement — Programme solidaire du quartier",
		"metadata[" + market.TransferMetadataKey + "]": "stl_1",
		"metadata[programme_id]":                       "prg_1",
		"metadata[run_id]":                             "run_1",
		"source_transaction":                           "",
	})
	if n := len(ex.Form); n != 8 {
		t.Errorf("%d form fields sent, want 8: %v", n, ex.Form)
	}

	// No description: none sent, rather than an empty one.
	s, rec = mockStripe(t)
	req = transferRequest("stl_2")
	req.Description = ""
	if _, err := s.Transfer(context.Background(), req); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	ex = rec.only(t)
	wantForm(t, ex.Form, map[string]string{"description": "", "metadata[" + market.TransferMetadataKey + "]": "stl_2"})
	if k := ex.Header.Get("Idempotency-Key"); k != "transfer-stl_2" {
		t.Errorf("Idempotency-Key %q, want transfer-stl_2", k)
	}
}

// A retry sends the very same request under the same key, so that Stripe
// answers it with the first transfer. stripe-mock keeps no state: what is
// checked here is the request.
func TestStripeTransferRetry(t *testing.T) {
	s, rec := mockStripe(t)
	for range 2 {
		if _, err := s.Transfer(context.Background(), transferRequest("stl_3")); err != nil {
			t.Fatalf("Transfer: %v", err)
		}
	}
	got := rec.exchanges()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	if k0, k1 := got[0].Header.Get("Idempotency-Key"), got[1].Header.Get("Idempotency-Key"); k0 != "transfer-stl_3" || k1 != k0 {
		t.Errorf("idempotency keys %q, %q; want transfer-stl_3 twice", k0, k1)
	}
	if f0, f1 := got[0].Form.Encode(), got[1].Form.Encode(); f0 != f1 {
		t.Errorf("the retry sent other parameters:\n%s\n%s", f0, f1)
	}
}

// transfersPages is a fake Stripe's GET /v1/transfers for transfer group
// settlement-run_find: two pages, the transfer made for stl_wanted on the
// second.
func transfersPages(t *testing.T) http.Handler {
	transfer := func(id, lineID string, amount int64) string {
		meta := `{}`
		if lineID != "" {
			meta = fmt.Sprintf(`{%q:%q,"programme_id":"prg_1"}`, market.TransferMetadataKey, lineID)
		}
		return fmt.Sprintf(`{"id":%q,"object":"transfer","amount":%d,"currency":"cad","destination":"acct_1SellerTest",
			"transfer_group":"settlement-run_find","metadata":%s,"created":1772366400}`, id, amount, meta)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/v1/transfers" || q.Get("transfer_group") != "settlement-run_find" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"unexpected"}}`)
			return
		}
		switch q.Get("starting_after") {
		case "":
			fmt.Fprintf(w, `{"object":"list","url":"/v1/transfers","has_more":true,"data":[%s,%s]}`,
				transfer("tr_page1a", "stl_other", 1000), transfer("tr_page1b", "", 500))
		case "tr_page1b":
			fmt.Fprintf(w, `{"object":"list","url":"/v1/transfers","has_more":false,"data":[%s]}`,
				transfer("tr_page2a", "stl_wanted", 2500))
		default:
			t.Errorf("starting_after %q", q.Get("starting_after"))
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"unexpected"}}`)
		}
	})
}

func TestStripeFindTransfer(t *testing.T) {
	srv := httptest.NewServer(transfersPages(t))
	defer srv.Close()
	ctx := context.Background()

	s, rec := newTestStripe(t, srv.URL)
	tr, err := s.FindTransfer(ctx, "settlement-run_find", "stl_wanted")
	if err != nil {
		t.Fatalf("FindTransfer: %v", err)
	}
	if *tr != (market.Transfer{ID: "tr_page2a", Amount: 2500}) {
		t.Errorf("transfer %+v, want tr_page2a, 2500", *tr)
	}
	got := rec.exchanges()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2 (two pages)", len(got))
	}
	wantForm(t, got[0].Form, map[string]string{"transfer_group": "settlement-run_find", "limit": "100", "starting_after": ""})
	wantForm(t, got[1].Form, map[string]string{"transfer_group": "settlement-run_find", "limit": "100", "starting_after": "tr_page1b"})

	// Found on the first page: the second is not asked for.
	s, rec = newTestStripe(t, srv.URL)
	if tr, err := s.FindTransfer(ctx, "settlement-run_find", "stl_other"); err != nil || tr.ID != "tr_page1a" {
		t.Errorf("FindTransfer = %+v, %v; want tr_page1a", tr, err)
	}
	if n := len(rec.exchanges()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	s, rec = newTestStripe(t, srv.URL)
	tr, err = s.FindTransfer(ctx, "settlement-run_find", "stl_never")
	wantCode(t, err, market.ENotFound)
	if tr != nil {
		t.Errorf("transfer %+v returned with the error", tr)
	}
	if n := len(rec.exchanges()); n != 2 {
		t.Errorf("%d requests, want 2: every page looked through", n)
	}

	// Stripe's errors are translated as for every call.
	fake, _ := fakeStripe(t, http.StatusServiceUnavailable, `{"error":{"type":"api_error","message":"down"}}`)
	_, err = fake.FindTransfer(ctx, "settlement-run_find", "stl_1")
	wantCode(t, err, market.EUnavailable)
	fake, _ = fakeStripe(t, http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`)
	_, err = fake.FindTransfer(ctx, "settlement-run_find", "stl_1")
	wantCode(t, err, market.ERateLimited)
}

func TestStripeAccount(t *testing.T) {
	s, rec := mockStripe(t)
	ctx := context.Background()
	id, err := s.CreateAccount(ctx, "boulangerie@example.com", "ca", "account-mer_1")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if !strings.HasPrefix(id, "acct_") {
		t.Errorf("account id %q", id)
	}
	ex := rec.only(t)
	if ex.Method != http.MethodPost || ex.Path != "/v1/accounts" || ex.Header.Get("Idempotency-Key") != "account-mer_1" {
		t.Errorf("sent %s %s with key %q, want account-mer_1", ex.Method, ex.Path, ex.Header.Get("Idempotency-Key"))
	}
	wantForm(t, ex.Form, map[string]string{
		"type":                                   "express",
		"email":                                  "boulangerie@example.com",
		"country":                                "CA",
		"capabilities[card_payments][requested]": "true",
		"capabilities[transfers][requested]":     "true",
	})

	s, rec = mockStripe(t)
	link, err := s.OnboardingLink(ctx, id, "http://127.0.0.1:8080/marchand/stripe/refresh", "http://127.0.0.1:8080/marchand/stripe/retour")
	if err != nil {
		t.Fatalf("OnboardingLink: %v", err)
	}
	if !strings.HasPrefix(link, "https://") {
		t.Errorf("link %q", link)
	}
	ex = rec.only(t)
	if ex.Path != "/v1/account_links" {
		t.Errorf("sent %s %s", ex.Method, ex.Path)
	}
	wantForm(t, ex.Form, map[string]string{
		"account":     id,
		"type":        "account_onboarding",
		"refresh_url": "http://127.0.0.1:8080/marchand/stripe/refresh",
		"return_url":  "http://127.0.0.1:8080/marchand/stripe/retour",
	})

	s, rec = mockStripe(t)
	a, err := s.Account(ctx, id)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	ex = rec.only(t)
	if ex.Method != http.MethodGet || ex.Path != "/v1/accounts/"+id {
		t.Errorf("sent %s %s", ex.Method, ex.Path)
	}
	// stripe-mock answers its fixture account, which cannot take charges;
	// what it says is what must come out.
	want := &market.PaymentAccount{
		ID:             ex.Response["id"].(string),
		Country:        strings.ToUpper(ex.Response["country"].(string)),
		ChargesEnabled: ex.Response["charges_enabled"].(bool),
		PayoutsEnabled: ex.Response["payouts_enabled"].(bool),
	}
	if req, _ := ex.Response["requirements"].(map[string]any); req != nil {
		for _, k := range req["currently_due"].([]any) {
			want.CurrentlyDue = append(want.CurrentlyDue, k.(string))
		}
		want.DisabledReason, _ = req["disabled_reason"].(string)
	}
	if !reflect.DeepEqual(a, want) || a.ChargesEnabled || a.Country == "" {
		t.Errorf("account %+v, want %+v, not chargeable", a, want)
	}

	// Without a key, stripe-go makes one up: a retry of its own, after a
	// network error, creates no second account.
	s, rec = mockStripe(t)
	if _, err := s.CreateAccount(ctx, "boulangerie@example.com", "CA", ""); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if k := rec.only(t).Header.Get("Idempotency-Key"); k == "" || k == "account-mer_1" {
		t.Errorf("Idempotency-Key %q", k)
	}

	for name, call := range map[string]func() error{
		"NoEmail":    func() error { _, err := s.CreateAccount(ctx, "", "CA", "k"); return err },
		"BadCountry": func() error { _, err := s.CreateAccount(ctx, "a@example.com", "Canada", "k"); return err },
		"LongKey": func() error {
			_, err := s.CreateAccount(ctx, "a@example.com", "CA", strings.Repeat("k", 256))
			return err
		},
		"NoAccount":    func() error { _, err := s.OnboardingLink(ctx, "", "http://a/r", "http://a/b"); return err },
		"NoRefreshURL": func() error { _, err := s.OnboardingLink(ctx, id, "", "http://a/b"); return err },
		"NoReturnURL":  func() error { _, err := s.OnboardingLink(ctx, id, "http://a/r", ""); return err },
		"AccountNoID":  func() error { _, err := s.Account(ctx, ""); return err },
	} {
		t.Run(name, func(t *testing.T) {
			want := market.EInvalid
			if name == "AccountNoID" {
				want = market.ENotFound
			}
			wantCode(t, call(), want)
		})
	}
}

// What stripe-mock's fixture cannot show, from a fake Stripe.
func TestStripeAccountStates(t *testing.T) {
	for _, c := range []struct {
		name, account string
		want          market.PaymentAccount
	}{
		{"Enabled",
			`"country":"CA","charges_enabled":true,"payouts_enabled":true,
			"requirements":{"currently_due":[],"eventually_due":["individual.id_number"],"past_due":[],"disabled_reason":null}`,
			market.PaymentAccount{Country: "CA", ChargesEnabled: true, PayoutsEnabled: true}},
		{"PastDue",
			`"country":"fr","charges_enabled":false,"payouts_enabled":false,
			"requirements":{"currently_due":["external_account","individual.verification.document"],
				"past_due":["external_account"],"disabled_reason":"requirements.past_due","current_deadline":1772366400}`,
			market.PaymentAccount{Country: "FR", CurrentlyDue: []string{"external_account", "individual.verification.document"},
				DisabledReason: "requirements.past_due"}},
		{"UnderReviewNoRequirements",
			`"country":"CA","charges_enabled":false,"payouts_enabled":false,"requirements":{"disabled_reason":"under_review"}`,
			market.PaymentAccount{Country: "CA", DisabledReason: "under_review"}},
		{"RequirementsNull",
			`"country":"CA","charges_enabled":false,"payouts_enabled":true,"requirements":null`,
			market.PaymentAccount{Country: "CA", PayoutsEnabled: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, n := fakeStripe(t, http.StatusOK, `{"id":"acct_1Seller","object":"account","type":"express",`+c.account+`}`)
			a, err := s.Account(context.Background(), "acct_1Seller")
			if err != nil {
				t.Fatalf("Account: %v", err)
			}
			want := c.want
			want.ID = "acct_1Seller"
			if !reflect.DeepEqual(*a, want) {
				t.Errorf("account\n %+v\nwant\n %+v", *a, want)
			}
			if *n != 1 {
				t.Errorf("%d requests", *n)
			}
		})
	}
	s, _ := fakeStripe(t, http.StatusNotFound, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such account: 'acct_x'"}}`)
	_, err := s.Account(context.Background(), "acct_x")
	wantCode(t, err, market.ENotFound)
}

// stripe-mock refuses a key that does not look like a test one, as Stripe
// refuses a wrong key: a configuration mistake, not the buyer's.
func TestStripeBadKey(t *testing.T) {
	s, err := NewStripe(StripeConfig{SecretKey: "sk_live_wrong", APIBase: testenv.StripeMockURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Session(context.Background(), "cs_x")
	wantCode(t, err, market.EInternal)
	if msg := market.ErrorMessage(err); strings.Contains(msg, "sk_live") {
		t.Errorf("message shown %q holds the key", msg)
	}
}
