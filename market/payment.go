package market

import (
	"context"
	"time"
)

// PaymentProvider is the payment seam: Stripe in production, the demo
// provider otherwise. No provider type crosses it. Implementations live in
// the payments package.
type PaymentProvider interface {
	// Name is "stripe" or "demo".
	Name() string
	// CreateCheckout opens a hosted payment page for an order. It is
	// idempotent per order: calling it twice for one order returns the same
	// session.
	CreateCheckout(ctx context.Context, c CheckoutRequest) (*CheckoutSession, error)
	// Session asks the provider where a checkout session stands; the
	// reconciliation pass uses it for orders whose webhook never came.
	// ENotFound for an unknown session.
	Session(ctx context.Context, id string) (*PaymentEvent, error)
	// ParseWebhook verifies a webhook's signature and decodes it. A bad or
	// stale signature, or a malformed payload, is EInvalid.
	ParseWebhook(payload []byte, signature string) (*PaymentEvent, error)
	// Refund gives money back for a paid order, idempotent per key.
	Refund(ctx context.Context, r RefundRequest) (*Refund, error)
}

// CheckoutRequest is what a provider needs to open a payment page.
type CheckoutRequest struct {
	OrderID     string
	Currency    Currency
	Lines       []CheckoutLine
	Total       int64  // minor units; the sum of the lines
	PlatformFee int64  // minor units kept by the platform; may be zero
	Destination string // the seller's connected account (Stripe Connect), "" in demo mode
	BuyerEmail  string
	SuccessURL  string
	CancelURL   string
	ExpiresAt   time.Time
}

// CheckoutLine is one line shown on the payment page.
type CheckoutLine struct {
	Name     string
	Amount   int64 // unit amount, minor units
	Quantity int64
}

// CheckoutSession is an open payment page.
type CheckoutSession struct {
	ID  string
	URL string
}

// Payment event types, as the domain sees them.
const (
	PaymentCompleted    = "checkout.completed" // paid: fulfil the order
	PaymentExpired      = "checkout.expired"   // abandoned: expire the order
	PaymentOpen         = "checkout.open"      // still waiting (from Session only)
	AccountUpdated      = "account.updated"    // a connected account changed
	PaymentEventIgnored = "ignored"            // an event Solidaire does not act on
)

// PaymentEvent is a provider's news about a checkout or an account, from a
// webhook or from asking the provider (Session).
type PaymentEvent struct {
	ID             string // the provider's event id; "" when it comes from Session
	Type           string // one of the Payment* / AccountUpdated constants
	SessionID      string
	OrderID        string // client_reference_id (and metadata.order_id)
	AmountTotal    int64
	Currency       Currency
	PaymentIntent  string
	PaymentPaid    bool   // payment_status is "paid"
	Account        string // for AccountUpdated: the connected account id
	ChargesEnabled bool   // for AccountUpdated
	Created        time.Time
}

// RefundRequest asks for money back on a paid order.
type RefundRequest struct {
	PaymentIntent   string
	Amount          int64 // minor units; 0 means all
	ReverseTransfer bool  // take the money back from the seller's connected account
	RefundFee       bool  // give back the platform fee too
	IdempotencyKey  string
}

// Refund is a refund the provider accepted.
type Refund struct {
	ID     string
	Amount int64
	Status string
}
