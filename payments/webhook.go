package payments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/solidaire-app/solidaire/market"
)

// The Stripe event types Solidaire acts on.
const (
	eventSessionCompleted      = "checkout.session.completed"
	eventSessionAsyncSucceeded = "checkout.session.async_payment_succeeded"
	eventSessionExpired        = "checkout.session.expired"
	eventAccountUpdated        = "account.updated"
)

// ParseWebhook verifies a webhook delivery with the webhook secret (the
// Stripe-Signature header, HMAC-SHA256, timestamp at most 5 minutes old) and
// decodes it: checkout.session.completed and
// checkout.session.async_payment_succeeded are PaymentCompleted (PaymentPaid
// says whether the money is there: delayed payment methods complete unpaid
// and succeed later), checkout.session.expired is PaymentExpired,
// account.updated is AccountUpdated, and anything else PaymentEventIgnored.
// ID and Created are the event's. OrderID is the session's
// client_reference_id (else metadata.order_id), or empty when the two
// disagree. EInvalid for a missing, wrong or stale signature, a malformed
// payload, or when no webhook secret is configured.
//
// Events are accepted whatever their API version. stripe-go's ConstructEvent
// refuses any version but the one it was generated for (2023-10-16), while
// Stripe sends each endpoint's events in the version chosen when it was made,
// by default the account's, and `stripe listen` in the account's: an account
// on a newer version would see every delivery refused like a forgery, and
// every sale wait for the reconciliation pass. The signature check is the
// same; the objects are decoded into the few fields read here, which have
// kept their meaning across versions, not into stripe-go's structures.
func (s *Stripe) ParseWebhook(payload []byte, signature string) (*market.PaymentEvent, error) {
	if s.webhookSecret == "" {
		return nil, invalidWebhook("no webhook secret is configured")
	}
	e, err := webhook.ConstructEventWithOptions(payload, signature, s.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return nil, invalidWebhook(err.Error())
	}
	if e.ID == "" || e.Type == "" || e.Data == nil || len(bytes.TrimSpace(e.Data.Raw)) == 0 {
		return nil, invalidWebhook("event without id, type or data.object")
	}
	var ev *market.PaymentEvent
	switch e.Type {
	case eventSessionCompleted, eventSessionAsyncSucceeded, eventSessionExpired:
		var o sessionObject
		if err := decodeObject(e, "checkout.session", &o, &o.ID, &o.Object); err != nil {
			return nil, err
		}
		ev = o.event()
		ev.Type = market.PaymentCompleted
		if e.Type == eventSessionExpired {
			ev.Type = market.PaymentExpired
		}
	case eventAccountUpdated:
		var a accountObject
		if err := decodeObject(e, "account", &a, &a.ID, &a.Object); err != nil {
			return nil, err
		}
		ev = &market.PaymentEvent{Type: market.AccountUpdated, Account: a.ID, ChargesEnabled: a.ChargesEnabled}
	default:
		ev = &market.PaymentEvent{Type: market.PaymentEventIgnored}
	}
	ev.ID = e.ID
	ev.Created = time.Unix(e.Created, 0).UTC()
	return ev, nil
}

// decodeObject decodes the event's data.object into v and checks, through
// the pointers to v's fields, that it has an id and is of the kind wanted.
func decodeObject(e stripe.Event, kind string, v any, id, object *string) error {
	if err := json.Unmarshal(e.Data.Raw, v); err != nil {
		return invalidWebhook(fmt.Sprintf("%s event %s: data.object: %v", e.Type, e.ID, err))
	}
	if *id == "" || *object != kind {
		return invalidWebhook(fmt.Sprintf("%s event %s: data.object is %q %q, not a %s", e.Type, e.ID, *object, *id, kind))
	}
	return nil
}

// invalidWebhook is the EInvalid error of a delivery that cannot be trusted
// or read; detail is for the log.
func invalidWebhook(detail string) error {
	return fmt.Errorf("payments: stripe webhook: %s: %w", detail,
		&market.Error{Code: market.EInvalid, Message: "Notification de paiement invalide."})
}

// sessionObject is what Solidaire reads of a Checkout Session, from a
// webhook or from the API.
type sessionObject struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
	AmountTotal       int64             `json:"amount_total"`
	Currency          string            `json:"currency"`
	PaymentIntent     expandableID      `json:"payment_intent"`
	Created           int64             `json:"created"`
}

// accountObject is what Solidaire reads of a connected account.
type accountObject struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	ChargesEnabled bool   `json:"charges_enabled"`
}

// event maps the session to a payment event without a Type.
func (o sessionObject) event() *market.PaymentEvent {
	ev := &market.PaymentEvent{
		SessionID:     o.ID,
		OrderID:       o.orderID(),
		AmountTotal:   o.AmountTotal,
		Currency:      market.Currency(strings.ToLower(o.Currency)),
		PaymentIntent: string(o.PaymentIntent),
		PaymentPaid:   o.PaymentStatus == string(stripe.CheckoutSessionPaymentStatusPaid),
	}
	if o.Created > 0 {
		ev.Created = time.Unix(o.Created, 0).UTC()
	}
	return ev
}

// orderID is the order the session was opened for: client_reference_id and
// metadata.order_id both hold it; when they disagree the session is not
// trusted to name one.
func (o sessionObject) orderID() string {
	ref, meta := o.ClientReferenceID, o.Metadata["order_id"]
	switch {
	case ref != "" && meta != "" && ref != meta:
		return ""
	case ref != "":
		return ref
	}
	return meta
}

// expandableID is a reference to another object, which Stripe sends as its
// id, as the object itself when expanded, or as null.
type expandableID string

// UnmarshalJSON accepts an id, an object with an id, or null.
func (x *expandableID) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*x = ""
		return nil
	}
	var id string
	if err := json.Unmarshal(b, &id); err == nil {
		*x = expandableID(id)
		return nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*x = expandableID(obj.ID)
	return nil
}
