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
	// ParseWebhook verifies a webhook's signature with the secrets of the
	// endpoint it reached (platform or Connect) and decodes it. A bad or
	// stale signature, one made with the other endpoint's secret, or a
	// malformed payload, is EInvalid.
	ParseWebhook(endpoint WebhookEndpoint, payload []byte, signature string) (*PaymentEvent, error)
	// Refund gives money back for a paid order, idempotent per key (for
	// about a day at Stripe: see FindRefund).
	Refund(ctx context.Context, r RefundRequest) (*Refund, error)
	// FindRefund returns the refund of paymentIntent whose metadata
	// RefundMetadataKey is refundID: a refund whose outcome is unknown (a
	// timeout, a crash) is looked up before it is asked again, because the
	// provider forgets idempotency keys after about a day. ENotFound when
	// there is none.
	FindRefund(ctx context.Context, paymentIntent, refundID string) (*Refund, error)
	// Transfer pays a connected account from the platform's balance
	// ("separate charges and transfers": a programme's settlement),
	// idempotent per key for about a day (see FindTransfer).
	Transfer(ctx context.Context, t TransferRequest) (*Transfer, error)
	// FindTransfer returns the transfer of group whose metadata
	// TransferMetadataKey is lineID: a transfer whose outcome is unknown is
	// looked up before it is asked again. ENotFound when there is none.
	FindTransfer(ctx context.Context, group, lineID string) (*Transfer, error)
}

// TransferMetadataKey is the metadata key under which every transfer
// Solidaire asks for carries its own settlement line id.
const TransferMetadataKey = "solidaire_settlement_line"

// TransferRequest asks to pay a connected account from the platform.
type TransferRequest struct {
	Destination    string // the merchant's connected account
	Amount         int64  // minor units, positive
	Currency       Currency
	Group          string // transfer_group: one per settlement run
	IdempotencyKey string
	// Metadata is kept with the transfer at the provider:
	// TransferMetadataKey (required by FindTransfer), programme, run.
	Metadata    map[string]string
	Description string
}

// Transfer is a transfer the provider made.
type Transfer struct {
	ID     string
	Amount int64
}

// WebhookEndpoint says which of the two webhook endpoints a delivery
// reached: Stripe signs platform events and connected-account events with
// the secrets of two different endpoints.
type WebhookEndpoint string

// The webhook endpoints.
const (
	PlatformWebhooks WebhookEndpoint = "platform" // POST /api/v1/webhooks/stripe
	ConnectWebhooks  WebhookEndpoint = "connect"  // POST /api/v1/webhooks/stripe/connect
)

// RefundMetadataKey is the metadata key under which every refund Solidaire
// asks for carries its own refund id (see OwnRefund), so that it can be
// found again at the provider.
const RefundMetadataKey = "solidaire_refund"

// CheckoutRequest is what a provider needs to open a payment page.
type CheckoutRequest struct {
	OrderID     string
	Currency    Currency
	Lines       []CheckoutLine
	Total       int64  // minor units; the sum of the lines
	PlatformFee int64  // minor units kept by the platform; may be zero
	Destination string // the seller's connected account (Stripe Connect), "" in demo mode
	// SellerName is the seller's name: the provider derives the statement
	// descriptor's suffix from it, so that the buyer's bank statement
	// names the merchant of record.
	SellerName string
	BuyerEmail string
	SuccessURL string
	CancelURL  string
	ExpiresAt  time.Time
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
	PaymentFailed       = "checkout.failed"    // a delayed payment failed: expire the order
	PaymentOpen         = "checkout.open"      // still waiting (from Session only)
	AccountUpdated      = "account.updated"    // a connected account changed
	DisputeCreated      = "dispute.created"    // a buyer's bank contests a payment: freeze
	DisputeClosed       = "dispute.closed"     // the contest is over: unfreeze (won) or void (lost)
	ChargeRefunded      = "charge.refunded"    // a refund, perhaps made outside Solidaire
	PaymentEventIgnored = "ignored"            // an event Solidaire does not act on
)

// PaymentEvent is a provider's news about a checkout, an account, a
// dispute or a refund, from a webhook or from asking the provider
// (Session).
type PaymentEvent struct {
	ID            string // the provider's event id; "" when it comes from Session
	Type          string // one of the Payment* / AccountUpdated / Dispute* / ChargeRefunded constants
	SessionID     string
	OrderID       string // client_reference_id (and metadata.order_id)
	AmountTotal   int64
	Currency      Currency
	PaymentIntent string // for checkouts, disputes and refunds: how the order is found
	PaymentPaid   bool   // payment_status is "paid"
	// Account is, for AccountUpdated, what the provider says of the
	// connected account.
	Account *PaymentAccount
	// Dispute, for DisputeCreated and DisputeClosed.
	Dispute *Dispute
	// AmountRefunded is, for ChargeRefunded, everything refunded on the
	// charge so far (cumulative, whoever asked), in minor units; Charge is
	// the charge's id.
	AmountRefunded int64
	Charge         string
	Created        time.Time
}

// PaymentAccount is what the provider says of a merchant's connected
// account: whether it can be paid, and what it still needs.
type PaymentAccount struct {
	ID             string
	Country        string // ISO 3166-1 alpha-2, upper case
	ChargesEnabled bool
	PayoutsEnabled bool
	// CurrentlyDue lists the provider's requirement keys due now
	// ("external_account", "individual.verification.document"…).
	CurrentlyDue []string
	// DisabledReason is why the account cannot be charged, if it cannot
	// ("requirements.past_due", "rejected.fraud"…).
	DisabledReason string
}

// Dispute is a chargeback: the buyer's bank contests a payment.
type Dispute struct {
	ID     string
	Amount int64
	// Status is the provider's: "needs_response", "under_review", "won",
	// "lost", "warning_closed"… Only "lost" loses the money.
	Status string
}

// Lost reports whether the dispute ended with the money taken back.
func (d *Dispute) Lost() bool { return d.Status == "lost" }

// RefundRequest asks for money back on a paid order.
type RefundRequest struct {
	PaymentIntent   string
	Amount          int64 // minor units; 0 means all
	ReverseTransfer bool  // take the money back from the seller's connected account
	RefundFee       bool  // give back the platform fee too
	IdempotencyKey  string
	// Metadata is kept with the refund at the provider: RefundMetadataKey
	// (required by FindRefund), order_id, ticket_id.
	Metadata map[string]string
}

// Refund is a refund the provider accepted.
type Refund struct {
	ID     string
	Amount int64
	Status string
}
