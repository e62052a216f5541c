package payments

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/solidaire-app/solidaire/market"
)

func TestDemoCheckout(t *testing.T) {
	d := NewDemo("http://127.0.0.1:8080/")
	if d.Name() != "demo" {
		t.Errorf("Name() = %q", d.Name())
	}
	ctx := context.Background()
	sess, err := d.CreateCheckout(ctx, checkoutRequest("ord_demo1"))
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	if !strings.HasPrefix(sess.ID, "demo_cs_") || len(sess.ID) != len("demo_cs_")+26 {
		t.Errorf("session id %q, want demo_cs_ and 26 characters", sess.ID)
	}
	if want := "http://127.0.0.1:8080/demo/checkout/" + sess.ID + "?next=http%3A%2F%2F127.0.0.1%3A8080%2Fcommande%2Ford_demo1%3Ftoken%3Dt"; sess.URL != want {
		t.Errorf("URL %q, want %q", sess.URL, want)
	}
	other, err := d.CreateCheckout(ctx, checkoutRequest("ord_demo2"))
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == sess.ID {
		t.Errorf("two orders got session %s", sess.ID)
	}

	// Another instance, or this one restarted, knows the session as well.
	ev, err := NewDemo("http://elsewhere").Session(ctx, sess.ID)
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	if *ev != (market.PaymentEvent{Type: market.PaymentOpen, SessionID: sess.ID}) {
		t.Errorf("Session = %+v, want open", ev)
	}
	for _, id := range []string{"", "demo_cs_", "cs_test_123"} {
		_, err := d.Session(ctx, id)
		wantCode(t, err, market.ENotFound)
	}
}

func TestDemoComplete(t *testing.T) {
	d := NewDemo("http://127.0.0.1:8080")
	before := time.Now().UTC()
	ev := d.Complete("demo_cs_abc", "ord_demo1", 6000, market.CAD)
	want := market.PaymentEvent{
		Type: market.PaymentCompleted, SessionID: "demo_cs_abc", OrderID: "ord_demo1", AmountTotal: 6000,
		Currency: market.CAD, PaymentIntent: "demo_pi_ord_demo1", PaymentPaid: true, Created: ev.Created,
	}
	if *ev != want {
		t.Errorf("Complete = %+v, want %+v", *ev, want)
	}
	if ev.Created.Before(before) || ev.Created.Location() != time.UTC {
		t.Errorf("Created %v, want now in UTC", ev.Created)
	}
}

func TestDemoWebhookRefused(t *testing.T) {
	d := NewDemo("http://127.0.0.1:8080")
	// Even one Stripe would accept.
	payload := eventPayload(t, "evt_1", "checkout.session.completed", stripe.APIVersion, time.Now(), session("complete", "paid"))
	for endpoint, secret := range map[market.WebhookEndpoint]string{
		market.PlatformWebhooks: testWebhookSecret,
		market.ConnectWebhooks:  testConnectSecret,
	} {
		ev, err := d.ParseWebhook(endpoint, payload, sign(payload, secret, time.Now()))
		wantCode(t, err, market.EInvalid)
		if ev != nil {
			t.Errorf("%s endpoint: event %+v", endpoint, ev)
		}
	}
}

func TestDemoRefund(t *testing.T) {
	d := NewDemo("http://127.0.0.1:8080")
	r, err := d.Refund(context.Background(), market.RefundRequest{PaymentIntent: "demo_pi_ord_1", Amount: 1500, ReverseTransfer: true, IdempotencyKey: "k",
		Metadata: map[string]string{market.RefundMetadataKey: "rfd_1"}})
	if err != nil {
		t.Fatalf("Refund: %v", err)
	}
	if !strings.HasPrefix(r.ID, "demo_re_") || r.Amount != 1500 || r.Status != "succeeded" {
		t.Errorf("refund %+v", r)
	}
	// It keeps nothing: the refund just made cannot be found.
	_, err = d.FindRefund(context.Background(), "demo_pi_ord_1", "rfd_1")
	wantCode(t, err, market.ENotFound)
}

func TestDemoTransfer(t *testing.T) {
	d := NewDemo("http://127.0.0.1:8080")
	ctx := context.Background()
	req := transferRequest("stl_1")
	req.Destination = "" // a demo merchant has no connected account
	tr, err := d.Transfer(ctx, req)
	if err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	if !strings.HasPrefix(tr.ID, "demo_tr_") || len(tr.ID) != len("demo_tr_")+26 || tr.Amount != 2500 {
		t.Errorf("transfer %+v, want demo_tr_ and 26 characters, 2500", tr)
	}
	if other, err := d.Transfer(ctx, req); err != nil || other.ID == tr.ID {
		t.Errorf("second Transfer = %+v, %v; want another id", other, err)
	}
	// It keeps nothing: the transfer just made cannot be found.
	_, err = d.FindTransfer(ctx, req.Group, "stl_1")
	wantCode(t, err, market.ENotFound)
}

func TestCheckDemoAllowed(t *testing.T) {
	if err := CheckDemoAllowed(false); err != nil {
		t.Errorf("outside production: %v", err)
	}
	wantCode(t, CheckDemoAllowed(true), market.EForbidden)
}
