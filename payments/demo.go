package payments

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Demo is the payment provider of a site without a Stripe key: a
// demonstration in which nobody pays. Its payment page is Solidaire's own
// (/demo/checkout/{session}), which must say plainly that it is a demo; the
// page completes the order through the same fulfilment path as a Stripe
// webhook. It keeps nothing in memory, so it survives restarts and serves
// several instances: the caller stores the session id on the order and
// finds the order by it. It is safe for concurrent use.
type Demo struct {
	baseURL string
	now     func() time.Time
}

// demoSessionPrefix starts every demo session id.
const demoSessionPrefix = "demo_cs_"

// Compile-time check that Demo is a payment provider.
var _ market.PaymentProvider = (*Demo)(nil)

// NewDemo returns the demo provider of the site at baseURL (the public URL,
// such as "http://127.0.0.1:8080"). Refuse it in production with
// CheckDemoAllowed.
func NewDemo(baseURL string) *Demo {
	return &Demo{baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}
}

// CheckDemoAllowed returns an EForbidden error in production, where the
// server must refuse to start with the demo provider: orders would be
// fulfilled without anyone paying.
func CheckDemoAllowed(production bool) error {
	if production {
		return market.Errorf(market.EForbidden,
			"Les paiements de démonstration sont interdits en production : configurez STRIPE_SECRET_KEY.")
	}
	return nil
}

// Name returns "demo".
func (d *Demo) Name() string { return "demo" }

// CreateCheckout validates the request as Stripe would and returns a new
// session, "demo_cs_" and 26 random characters, whose page is
// baseURL/demo/checkout/{id}?next={success URL}, so that the page can take
// the buyer on to the confirmation as Stripe would. Having no memory, it returns a new session
// each time it is called for an order, unlike Stripe: the session stored on
// the order is the one that counts. EInvalid for a wrong request.
func (d *Demo) CreateCheckout(_ context.Context, c market.CheckoutRequest) (*market.CheckoutSession, error) {
	if err := checkCheckout(c); err != nil {
		return nil, err
	}
	id := randomID(demoSessionPrefix)
	u := d.baseURL + "/demo/checkout/" + id
	if c.SuccessURL != "" {
		u += "?next=" + url.QueryEscape(c.SuccessURL)
	}
	return &market.CheckoutSession{ID: id, URL: u}, nil
}

// Session returns PaymentOpen for any demo session: the demo cannot know
// whether the buyer clicked, the order can. ENotFound for an id that is not
// a demo session's.
func (d *Demo) Session(_ context.Context, id string) (*market.PaymentEvent, error) {
	if !strings.HasPrefix(id, demoSessionPrefix) || len(id) == len(demoSessionPrefix) {
		return nil, market.NotFound("Session de paiement")
	}
	return &market.PaymentEvent{Type: market.PaymentOpen, SessionID: id}, nil
}

// ParseWebhook always returns EInvalid, at either endpoint: the demo sends
// no webhooks, so whatever arrives is not from it.
func (d *Demo) ParseWebhook(market.WebhookEndpoint, []byte, string) (*market.PaymentEvent, error) {
	return nil, &market.Error{Code: market.EInvalid, Message: "Le mode démonstration ne reçoit pas de notifications de paiement."}
}

// Refund succeeds at once with a "demo_re_" id and status "succeeded"; its
// Amount is the one asked for (0 for everything: the demo does not know what
// was paid). EInvalid for a wrong request, metadata included, as with
// Stripe.
func (d *Demo) Refund(_ context.Context, r market.RefundRequest) (*market.Refund, error) {
	if err := checkRefund(r); err != nil {
		return nil, err
	}
	return &market.Refund{ID: randomID("demo_re_"), Amount: r.Amount, Status: "succeeded"}, nil
}

// FindRefund always returns ENotFound (EInvalid for an empty argument, as
// with Stripe): the demo keeps nothing, and has no refund of unknown outcome
// to find, its Refund succeeding at once.
func (d *Demo) FindRefund(_ context.Context, paymentIntent, refundID string) (*market.Refund, error) {
	if err := checkFindRefund(paymentIntent, refundID); err != nil {
		return nil, err
	}
	return nil, market.NotFound("Remboursement")
}

// Transfer validates the request as Stripe would, save that the
// destination may be empty (a demo merchant has no connected account), and
// succeeds at once with a "demo_tr_" id and the amount asked for: nobody is
// paid. EInvalid for a wrong request, metadata included.
func (d *Demo) Transfer(_ context.Context, t market.TransferRequest) (*market.Transfer, error) {
	if err := checkTransfer(t, false); err != nil {
		return nil, err
	}
	return &market.Transfer{ID: randomID("demo_tr_"), Amount: t.Amount}, nil
}

// FindTransfer always returns ENotFound (EInvalid for an empty argument, as
// with Stripe): the demo keeps nothing, and has no transfer of unknown
// outcome to find, its Transfer succeeding at once.
func (d *Demo) FindTransfer(_ context.Context, group, lineID string) (*market.Transfer, error) {
	if err := checkFindTransfer(group, lineID); err != nil {
		return nil, err
	}
	return nil, market.NotFound("Virement")
}

// Complete returns the event the demo payment page feeds to fulfilment when
// the buyer confirms: a paid PaymentCompleted for the order, with the
// payment intent "demo_pi_" and the order id, and no event id (like one
// from Session, it is not recorded as a delivery).
func (d *Demo) Complete(sessionID, orderID string, amount int64, currency market.Currency) *market.PaymentEvent {
	return &market.PaymentEvent{
		Type:          market.PaymentCompleted,
		SessionID:     sessionID,
		OrderID:       orderID,
		AmountTotal:   amount,
		Currency:      currency,
		PaymentIntent: "demo_pi_" + orderID,
		PaymentPaid:   true,
		Created:       d.now().UTC(),
	}
}
