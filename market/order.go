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
// when its checkout was abandoned. Review marks a payment whose amount or
// currency did not match the order: nothing is issued until a person looks.
const (
	OrderPending OrderStatus = "pending"
	OrderPaid    OrderStatus = "paid"
	OrderExpired OrderStatus = "expired"
	OrderReview  OrderStatus = "review"
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
	CreatedAt     time.Time
	PaidAt        time.Time
	ExpiresAt     time.Time // when the checkout session lapses
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
	EventID        string
	TicketTypeID   string
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
	PaidAt        time.Time
	Vouchers      []*Voucher
	Tickets       []*Ticket
	Mails         []*Mail
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
)

// OrderStore is the persistence the checkout service needs. Every method
// is one transaction.
type OrderStore interface {
	Merchant(ctx context.Context, slug string) (*Merchant, error)
	MerchantByID(ctx context.Context, id string) (*Merchant, error)
	Event(ctx context.Context, id string) (*Event, error)
	// CreateOrder stores a new pending order with its items.
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
	// ExpireOrder records the event (once) and expires the order if it is
	// still pending.
	ExpireOrder(ctx context.Context, eventID, orderID string) (string, error)
	// ReviewOrder records the event (once) and sets a pending order aside
	// for review with a note.
	ReviewOrder(ctx context.Context, eventID, orderID, note string) (string, error)
	// RecordEvent records an event that changes nothing (unknown order,
	// ignored type) so that its outcome can be audited.
	RecordEvent(ctx context.Context, eventID, eventType, outcome string) error
	// PendingOrders returns up to n pending orders created before before.
	PendingOrders(ctx context.Context, before time.Time, n int) ([]*Order, error)
	// OrderVouchers returns the vouchers issued for an order.
	OrderVouchers(ctx context.Context, orderID string) ([]*Voucher, error)
	// SetChargesEnabled records whether a connected account can be charged.
	SetChargesEnabled(ctx context.Context, account string, enabled bool) error
}

// MailComposer writes the emails that announce vouchers and tickets; the
// mail package implements it.
type MailComposer interface {
	VoucherIssued(v *Voucher, to, buyerName, lang string) (*Mail, error)
	TicketsIssued(o *Order, e *Event, tickets []*Ticket, lang string) (*Mail, error)
}
