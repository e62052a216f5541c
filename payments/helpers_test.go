package payments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

// The signing secrets of the test webhook endpoints: two for each, as while
// a secret is rolled.
const (
	testWebhookSecret      = "whsec_test_solidaire"
	testWebhookSecretNew   = "whsec_test_solidaire_rolled"
	testConnectSecret      = "whsec_test_solidaire_connect"
	testConnectSecretNew   = "whsec_test_solidaire_connect_rolled"
	testUnconfiguredSecret = "whsec_test_someone_else"
)

// exchange is one request a Stripe provider sent and the answer it got.
type exchange struct {
	Method   string
	Path     string
	Header   http.Header
	Form     url.Values     // the form body, or the query of a GET
	Status   int            // 0 when no answer came
	Response map[string]any // the JSON answer
}

// recorder is an http.RoundTripper that keeps every exchange, so that tests
// see what the provider sent, headers and form fields included.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	got  []exchange
}

// RoundTrip records req and its answer.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchange{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Form: req.URL.Query()}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > 0 {
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, err
			}
			ex.Form = form
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		ex.Status = resp.StatusCode
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		_ = json.Unmarshal(body, &ex.Response)
	}
	r.mu.Lock()
	r.got = append(r.got, ex)
	r.mu.Unlock()
	return resp, err
}

// exchanges returns what was recorded so far.
func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.got...)
}

// only returns the single exchange recorded, failing the test otherwise.
func (r *recorder) only(t *testing.T) exchange {
	t.Helper()
	got := r.exchanges()
	if len(got) != 1 {
		t.Fatalf("%d requests sent, want 1: %+v", len(got), got)
	}
	return got[0]
}

// newTestStripe returns a Stripe provider talking to apiBase through a
// recorder, without the pauses between retries.
func newTestStripe(t *testing.T, apiBase string) (*Stripe, *recorder) {
	t.Helper()
	rec := &recorder{next: http.DefaultTransport}
	s, err := NewStripe(StripeConfig{
		SecretKey:             "sk_test_123",
		WebhookSecrets:        []string{testWebhookSecret, testWebhookSecretNew},
		ConnectWebhookSecrets: []string{testConnectSecret, testConnectSecretNew},
		APIBase:               apiBase,
		HTTPClient:            &http.Client{Transport: rec, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatalf("NewStripe: %v", err)
	}
	s.backends.API.(*stripe.BackendImplementation).SetNetworkRetriesSleep(false)
	return s, rec
}

// mockStripe returns a Stripe provider talking to stripe-mock.
func mockStripe(t *testing.T) (*Stripe, *recorder) {
	t.Helper()
	return newTestStripe(t, testenv.StripeMockURL(t))
}

// wantCode fails the test unless err wraps a *market.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := market.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	var me *market.Error
	if !errors.As(err, &me) {
		t.Fatalf("error %v does not wrap a *market.Error", err)
	}
}

// wantForm fails the test unless form holds each field of want with its
// value; an empty value in want means the field must be absent.
func wantForm(t *testing.T, form url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		switch got, ok := form[k]; {
		case v == "" && ok:
			t.Errorf("form field %s = %q, want it absent", k, got)
		case v != "" && (len(got) != 1 || got[0] != v):
			t.Errorf("form field %s = %q, want %q", k, got, v)
		}
	}
	if t.Failed() {
		t.Logf("form sent: %s", strings.ReplaceAll(form.Encode(), "&", "\n  "))
	}
}

// checkoutRequest is a valid request for a destination charge.
func checkoutRequest(orderID string) market.CheckoutRequest {
	return market.CheckoutRequest{
		OrderID:  orderID,
		Currency: market.CAD,
		Lines: []market.CheckoutLine{
			{Name: "Bon solidaire — Boulangerie du quartier", Amount: 2500, Quantity: 2},
			{Name: "Billet — Théâtre du Faubourg", Amount: 1000, Quantity: 1},
		},
		Total:       6000,
		PlatformFee: 300,
		Destination: "acct_1SellerTest",
		SellerName:  "Boulangerie du Quartier",
		BuyerEmail:  "awa@example.com",
		SuccessURL:  "http://127.0.0.1:8080/commande/" + orderID + "?token=t",
		CancelURL:   "http://127.0.0.1:8080/m/boulangerie-du-quartier?annule=1",
		ExpiresAt:   time.Now().Add(2 * time.Hour),
	}
}

// transferRequest is a valid transfer for settlement line lineID.
func transferRequest(lineID string) market.TransferRequest {
	return market.TransferRequest{
		Destination:    "acct_1SellerTest",
		Amount:         2500,
		Currency:       market.CAD,
		Group:          "settlement-run_1",
		IdempotencyKey: "transfer-" + lineID,
		Metadata:       map[string]string{market.TransferMetadataKey: lineID, "programme_id": "prg_1", "run_id": "run_1"},
		Description:    "Règlement — Programme solidaire du quartier",
	}
}

// wantEvent fails the test unless got is want, the account and dispute
// they point to compared by value.
func wantEvent(t *testing.T, got *market.PaymentEvent, want market.PaymentEvent) {
	t.Helper()
	if got == nil {
		t.Fatalf("no event, want %s", showEvent(&want))
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("event\n %s\nwant\n %s", showEvent(got), showEvent(&want))
	}
}

// showEvent prints an event with what its pointers point to.
func showEvent(ev *market.PaymentEvent) string {
	s := fmt.Sprintf("%+v", *ev)
	if ev.Account != nil {
		s += fmt.Sprintf(" Account=%+v", *ev.Account)
	}
	if ev.Dispute != nil {
		s += fmt.Sprintf(" Dispute=%+v", *ev.Dispute)
	}
	return s
}
