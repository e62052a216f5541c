package market

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// OrderStatus is where an order stands.
type OrderStatus string

// Order statuses. An order is created pending, becomes paid exactly once
// (from a webhook, the reconciliation pass or the demo page), or expired
// when its checkout was abandoned. Review marks a payment that cannot be
// fulfilled as it came (its amount or currency did not match the order, or
// it came after the seats were gone): nothing is issued until an admin
// accepts it (paid) or refunds it (refunded).
const (
	OrderPending  OrderStatus = "pending"
	OrderPaid     OrderStatus = "paid"
	OrderExpired  OrderStatus = "expired"
	OrderReview   OrderStatus = "review"
	OrderRefunded OrderStatus = "refunded"
)

// Order is one purchase from one seller: gift certificates (and, later,
// tickets), paid through one checkout.
type Order struct {
	ID            string
	MerchantID    string
	MerchantSlug  string // read-only
	MerchantName  string // read-only
	Status        OrderStatus
	BuyerEmail    string
	BuyerName     string
	Lang          string // "fr" or "en": the language of the emails
	Currency      Currency
	Total         int64 // minor units
	PlatformFee   int64 // minor units kept by the platform
	Items         []*OrderItem
	AccessHash    string // SHA-256 of the buyer's access token; the token itself is never stored
	SessionID     string // the payment provider's checkout session
	PaymentIntent string
	Ref           string // the share link that brought the buyer, if any
	// AmountPaid is what the payment said was paid (for an order in
	// review, it may differ from Total); ReviewNote says why it is in review.
	AmountPaid int64
	ReviewNote string
	// AccessToken is set on a new order only, between its creation and
	// the answer to the buyer; it is never stored (AccessHash is).
	AccessToken string
	CreatedAt   time.Time
	PaidAt      time.Time
	ExpiresAt   time.Time // when the checkout session lapses
}

// OrderItem is one line of an order.
type OrderItem struct {
	ID             string
	Kind           ItemKind
	Amount         int64 // unit amount, minor units
	Quantity       int
	RecipientName  string
	RecipientEmail string
	Message        string
	DeliverAt      time.Time // the recipient's mail leaves then (zero: at once)
	EventID        string
	TicketTypeID   string
	// ProgrammeID is the programme of a programme card, and Bonus what
	// each card gets from its fund (reserved when the order is made).
	ProgrammeID string
	Bonus       int64
}

// NewAccessToken returns a fresh bearer token for an order and its hash,
// the only part that is stored.
func NewAccessToken() (token, hash string) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("market: no randomness: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a bearer token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CheckAccess reports whether token opens the order, in constant time.
func (o *Order) CheckAccess(token string) bool {
	if token == "" || o.AccessHash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashToken(token)), []byte(o.AccessHash)) == 1
}

// Fulfilment is everything a paid order produces, written in one
// transaction by OrderStore.FulfilOrder, or not at all.
type Fulfilment struct {
	EventID       string // the provider's event id, recorded once; "" when not from a webhook
	EventType     string
	OrderID       string
	PaymentIntent string
	AmountPaid    int64
	// Review: an admin accepts an order in review (the only way out of
	// review into paid).
	Review   bool
	PaidAt   time.Time
	Vouchers []*Voucher
	Tickets  []*Ticket
	Mails    []*Mail
}

// BuildFulfilment makes, in memory, what a paid order produces (its
// vouchers, tickets and mails). The store calls it inside the transaction
// that pays the order, handing it r, which reads within that transaction:
// a build must read through r only, never through a store of its own.
type BuildFulfilment func(ctx context.Context, o *Order, r FulfilmentReader) (*Fulfilment, error)

// FulfilmentReader is what building a fulfilment reads besides the order:
// the programme of a programme card, the event of a ticket. ENotFound when
// unknown.
type FulfilmentReader interface {
	ProgrammeByID(ctx context.Context, id string) (*Programme, error)
	Event(ctx context.Context, id string) (*Event, error)
}

// Fulfilment outcomes, reported to webhooks, logs and metrics.
const (
	OutcomeFulfilled      = "fulfilled"
	OutcomeDuplicate      = "duplicate"       // the event or the payment was already handled
	OutcomeExpired        = "expired"         // the order was expired
	OutcomeUnknownOrder   = "unknown_order"   // no such order: recorded, nothing done
	OutcomeAmountMismatch = "amount_mismatch" // paid amount or currency differs: order set to review
	OutcomeIgnored        = "ignored"         // an event Solidaire does not act on
	OutcomeStillOpen      = "still_open"      // reconciliation: the buyer has not paid yet
	OutcomeAccountUpdated = "account_updated" // a merchant's payments account changed
	OutcomeDisputeOpened  = "dispute_opened"  // the order's vouchers and tickets are frozen
	OutcomeDisputeWon     = "dispute_won"     // unfrozen
	OutcomeDisputeLost    = "dispute_lost"    // what was left is void
	OutcomeRefundApplied  = "refund_applied"  // value voided for a refund made outside Solidaire
	OutcomeRefundKnown    = "refund_known"    // a refund Solidaire asked for itself: nothing to void
)

// OrderStore is the persistence the checkout service needs. Every method
// is one transaction.
type OrderStore interface {
	Merchant(ctx context.Context, slug string) (*Merchant, error)
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
	Event(ctx context.Context, id string) (*Event, error)
	Programme(ctx context.Context, slug string) (*Programme, error)
	ProgrammeByID(ctx context.Context, id string) (*Programme, error)
	// CreateOrder stores a new pending order with its items, holding what
	// they need (seats, fund bonuses, caps).
	CreateOrder(ctx context.Context, o *Order) error
	// SetOrderSession records the checkout session opened for an order.
	SetOrderSession(ctx context.Context, orderID, sessionID string) error
	// Order returns an order with its items; ENotFound when unknown.
	Order(ctx context.Context, id string) (*Order, error)
	// OrderBySession returns the order of a checkout session; ENotFound when unknown.
	OrderBySession(ctx context.Context, sessionID string) (*Order, error)
	// FulfilOrder records the event (once) and, if the order is pending or
	// expired, marks it paid and writes the vouchers and mails, all in one
	// transaction. It reports OutcomeDuplicate when the event was seen or
	// the order was already paid, writing nothing else.
	FulfilOrder(ctx context.Context, f *Fulfilment) (string, error)
	// PayOrder applies a paid checkout event in one transaction, with no
	// read of the order before it: it moves the order to paid at paidAt
	// when it is pending or expired and ev paid its total in its currency,
	// then calls build once, within the transaction, with the order and
	// its items, and writes the vouchers, tickets and mails build returns
	// (its other fields are ignored), recording ev once. Outcomes:
	// OutcomeFulfilled; OutcomeDuplicate (ev seen, or the order paid or
	// settled otherwise); OutcomeUnknownOrder (ev recorded, nothing else);
	// OutcomeAmountMismatch (the order set aside for review, as
	// ReviewOrder does). An error from build rolls everything back.
	PayOrder(ctx context.Context, ev *PaymentEvent, paidAt time.Time, build BuildFulfilment) (string, error)
	// ExpireOrder records the event (once) and expires the order if it is
	// still pending.
	ExpireOrder(ctx context.Context, eventID, orderID string) (string, error)
	// ReviewOrder records the event (once) and sets a pending or expired
	// order aside for review with a note, keeping the payment's intent and
	// amount for the admin who will accept or refund it.
	ReviewOrder(ctx context.Context, eventID, orderID, paymentIntent string, paid int64, note string) (string, error)
	// RecordEvent records an event that changes nothing (unknown order,
	// ignored type) so that its outcome can be audited.
	RecordEvent(ctx context.Context, eventID, eventType, outcome string) error
	// PendingOrders returns up to n pending orders created before before
	// whose retry time has come.
	PendingOrders(ctx context.Context, before time.Time, n int) ([]*Order, error)
	// OrderRetryLater records a failed reconciliation of an order and when
	// to try it again, so that one bad order never stops the pass.
	OrderRetryLater(ctx context.Context, orderID, reason string, at time.Time) error
	// OrderVouchers returns the vouchers issued for an order.
	OrderVouchers(ctx context.Context, orderID string) ([]*Voucher, error)
	// SetPaymentAccount records what the provider says of a connected
	// account, with the event once (see OnboardingStore).
	SetPaymentAccount(ctx context.Context, eventID string, a *PaymentAccount, at time.Time) error
	// OpenDispute records the event and the dispute once and freezes what
	// is left of the order's vouchers and tickets (a ledger entry each),
	// in one transaction; a dispute already closed changes nothing.
	OpenDispute(ctx context.Context, eventID, paymentIntent string, d *Dispute, at time.Time) (string, error)
	// CloseDispute records the event and the dispute's end once: won
	// unfreezes (when no other dispute of the order is open), lost voids
	// what is left with compensating entries; in one transaction, whether or
	// not the opening was seen.
	CloseDispute(ctx context.Context, eventID, paymentIntent string, d *Dispute, at time.Time) (string, error)
	// ApplyChargeRefund records the event and voids, from the order's
	// vouchers (paid value, never below zero) and tickets (not checked in),
	// the value refunded on the charge beyond Solidaire's own refunds and
	// what earlier events voided: amountRefunded is cumulative, so events
	// may come in any order, any number of times.
	ApplyChargeRefund(ctx context.Context, eventID, paymentIntent string, amountRefunded int64, at time.Time) (string, error)
	// RefundReviewOrder moves an order in review to refunded, releases its
	// seats, queues the buyer's mail and records the refund to pay, in one
	// transaction. EConflict when the order is not in review.
	RefundReviewOrder(ctx context.Context, orderID string, m *Mail, at time.Time) (*OwnRefund, error)
}

// MailComposer writes the emails that announce vouchers and tickets; the
// mail package implements it.
type MailComposer interface {
	VoucherIssued(v *Voucher, to, buyerName, lang string) (*Mail, error)
	TicketsIssued(o *Order, e *Event, tickets []*Ticket, lang string) (*Mail, error)
	// OrderRefunded tells the buyer an order was refunded instead of
	// fulfilled (an admin's decision on an order in review).
	OrderRefunded(o *Order, lang string) (*Mail, error)
}
