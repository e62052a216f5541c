package payments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	eventSessionAsyncFailed    = "checkout.session.async_payment_failed"
	eventSessionExpired        = "checkout.session.expired"
	eventAccountUpdated        = "account.updated"
	eventDisputeCreated        = "charge.dispute.created"
	eventDisputeClosed         = "charge.dispute.closed"
	eventChargeRefunded        = "charge.refunded"
)

// SplitSecrets reads a list of webhook signing secrets written as one
// comma-separated value (STRIPE_WEBHOOK_SECRET, STRIPE_CONNECT_WEBHOOK_SECRET):
// while a secret is rolled, the old and the new one are both configured.
// Spaces around each are dropped, and so are empty ones; nil when there is
// none.
func SplitSecrets(s string) []string {
	return nonEmpty(strings.Split(s, ","))
}

// nonEmpty returns the secrets, trimmed, without the empty ones: an empty
// secret would let anyone sign.
func nonEmpty(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ParseWebhook verifies a delivery to one of the two webhook endpoints with
// that endpoint's signing secrets only (the Stripe-Signature header,
// HMAC-SHA256, timestamp at most 5 minutes old; any of the endpoint's
// secrets may have signed it) and decodes it:
//   - checkout.session.completed and
//     checkout.session.async_payment_succeeded are PaymentCompleted
//     (PaymentPaid says whether the money is there: delayed payment
//     methods complete unpaid and succeed later),
//     checkout.session.expired is PaymentExpired and
//     checkout.session.async_payment_failed PaymentFailed, each with the
//     session, the order and the payment intent;
//   - account.updated is AccountUpdated, with Account;
//   - charge.dispute.created and charge.dispute.closed are DisputeCreated
//     and DisputeClosed, with Dispute, Charge, Currency and PaymentIntent;
//   - charge.refunded is ChargeRefunded: Charge, AmountTotal (the charge's
//     amount), AmountRefunded (all refunded so far), Currency,
//     PaymentIntent;
//   - anything else is PaymentEventIgnored.
//
// ID and Created are the event's. OrderID is the session's
// client_reference_id (else metadata.order_id), or empty when the two
// disagree. A dispute or charge without a payment intent is decoded with
// none: the domain records it against an unknown order.
//
// EInvalid for a missing, wrong or stale signature, one made with the other
// endpoint's secrets, a malformed payload, an event whose object is not of
// the kind its type announces or has no id, an unknown endpoint, or when the
// endpoint has no secret configured. The Stripe CLI (`stripe listen
// --forward-connect-to`) signs both kinds with one secret: configured for
// both endpoints, it is accepted at both.
//
// Events are accepted whatever their API version. stripe-go's ConstructEvent
// refuses any version but the one it was generated for (2023-10-16), while
// Stripe sends each endpoint's events in the version chosen when it was made,
// by default the account's, and `stripe listen` in the account's: an account
// on a newer version would see every delivery refused like a forgery, and
// every sale wait for the reconciliation pass. The signature check is the
// same; the objects are decoded into the few fields read here, which have
// kept their meaning across versions, not into stripe-go's structures.
func (s *Stripe) ParseWebhook(endpoint market.WebhookEndpoint, payload []byte, signature string) (*market.PaymentEvent, error) {
	secrets, known := s.secrets[endpoint]
	switch {
	case !known:
		return nil, invalidWebhook(fmt.Sprintf("unknown webhook endpoint %q", endpoint))
	case len(secrets) == 0:
		return nil, invalidWebhook(fmt.Sprintf("no webhook secret is configured for the %s endpoint", endpoint))
	}
	e, err := verify(secrets, payload, signature)
	if err != nil {
		return nil, invalidWebhook(fmt.Sprintf("%s endpoint: %v", endpoint, err))
	}
	if e.ID == "" || e.Type == "" || e.Data == nil || len(bytes.TrimSpace(e.Data.Raw)) == 0 {
		return nil, invalidWebhook("event without id, type or data.object")
	}
	ev, err := decodeEvent(e)
	if err != nil {
		return nil, err
	}
	ev.ID = e.ID
	ev.Created = time.Unix(e.Created, 0).UTC()
	return ev, nil
}

// verify checks the delivery's signature against each secret in turn and
// returns the event of the first that signed it. Only a signature that does
// not match depends on the secret: a missing or garbled header, a stale
// timestamp or a body that is not JSON ends the search. Any API version is
// accepted (see ParseWebhook).
func verify(secrets []string, payload []byte, signature string) (stripe.Event, error) {
	for _, secret := range secrets {
		e, err := webhook.ConstructEventWithOptions(payload, signature, secret,
			webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
		if err == nil || !errors.Is(err, webhook.ErrNoValidSignature) {
			return e, err
		}
	}
	return stripe.Event{}, webhook.ErrNoValidSignature
}

// decodeEvent maps a verified event to a payment event without ID and
// Created.
func decodeEvent(e stripe.Event) (*market.PaymentEvent, error) {
	switch e.Type {
	case eventSessionCompleted, eventSessionAsyncSucceeded, eventSessionExpired, eventSessionAsyncFailed:
		var o sessionObject
		if err := decodeObject(e, "checkout.session", &o, &o.ID, &o.Object); err != nil {
			return nil, err
		}
		ev := o.event()
		switch e.Type {
		case eventSessionExpired:
			ev.Type = market.PaymentExpired
		case eventSessionAsyncFailed:
			ev.Type = market.PaymentFailed
		default:
			ev.Type = market.PaymentCompleted
		}
		return ev, nil
	case eventAccountUpdated:
		var a accountObject
		if err := decodeObject(e, "account", &a, &a.ID, &a.Object); err != nil {
			return nil, err
		}
		return &market.PaymentEvent{Type: market.AccountUpdated, Account: a.account()}, nil
	case eventDisputeCreated, eventDisputeClosed:
		var d disputeObject
		if err := decodeObject(e, "dispute", &d, &d.ID, &d.Object); err != nil {
			return nil, err
		}
		ev := &market.PaymentEvent{
			Type:          market.DisputeCreated,
			PaymentIntent: string(d.PaymentIntent),
			Charge:        string(d.Charge),
			Currency:      market.Currency(strings.ToLower(d.Currency)),
			Dispute:       &market.Dispute{ID: d.ID, Amount: d.Amount, Status: d.Status},
		}
		if e.Type == eventDisputeClosed {
			ev.Type = market.DisputeClosed
		}
		return ev, nil
	case eventChargeRefunded:
		var c chargeObject
		if err := decodeObject(e, "charge", &c, &c.ID, &c.Object); err != nil {
			return nil, err
		}
		return &market.PaymentEvent{
			Type:           market.ChargeRefunded,
			Charge:         c.ID,
			AmountTotal:    c.Amount,
			AmountRefunded: c.AmountRefunded,
			Currency:       market.Currency(strings.ToLower(c.Currency)),
			PaymentIntent:  string(c.PaymentIntent),
		}, nil
	}
	return &market.PaymentEvent{Type: market.PaymentEventIgnored}, nil
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

// accountObject is what Solidaire reads of a connected account, from a
// webhook or from the API.
type accountObject struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	Country        string `json:"country"`
	ChargesEnabled bool   `json:"charges_enabled"`
	PayoutsEnabled bool   `json:"payouts_enabled"`
	Requirements   struct {
		CurrentlyDue   []string `json:"currently_due"`
		DisabledReason string   `json:"disabled_reason"`
	} `json:"requirements"`
}

// account maps the account to the domain's; no requirement due is nil.
func (a accountObject) account() *market.PaymentAccount {
	pa := &market.PaymentAccount{
		ID:             a.ID,
		Country:        strings.ToUpper(a.Country),
		ChargesEnabled: a.ChargesEnabled,
		PayoutsEnabled: a.PayoutsEnabled,
		DisabledReason: a.Requirements.DisabledReason,
	}
	if len(a.Requirements.CurrentlyDue) > 0 {
		pa.CurrentlyDue = slices.Clone(a.Requirements.CurrentlyDue)
	}
	return pa
}

// disputeObject is what Solidaire reads of a dispute (a chargeback).
type disputeObject struct {
	ID            string       `json:"id"`
	Object        string       `json:"object"`
	Amount        int64        `json:"amount"`
	Currency      string       `json:"currency"`
	Status        string       `json:"status"`
	Charge        expandableID `json:"charge"`
	PaymentIntent expandableID `json:"payment_intent"`
}

// chargeObject is what Solidaire reads of a charge.
type chargeObject struct {
	ID             string       `json:"id"`
	Object         string       `json:"object"`
	Amount         int64        `json:"amount"`
	AmountRefunded int64        `json:"amount_refunded"`
	Currency       string       `json:"currency"`
	PaymentIntent  expandableID `json:"payment_intent"`
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
