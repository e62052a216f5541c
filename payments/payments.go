// Package payments implements market.PaymentProvider: Stripe (Checkout
// Sessions with Connect destination charges, signed webhooks, refunds,
// transfers to connected accounts and Express account onboarding) and a
// clearly labelled demo provider for when no Stripe key is configured. No
// stripe-go type leaves the package: every result is a market type and every
// error wraps a *market.Error (see market.ErrorCode), keeping the cause for
// the log.
package payments

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

// maxOrderID bounds an order id: Stripe keeps at most 200 characters in
// client_reference_id, and the idempotency key built from it must stay under
// Stripe's 255.
const maxOrderID = 200

// checkCheckout validates a checkout request the same way for every
// provider, so that the demo refuses what Stripe would. EInvalid names the
// first wrong field.
func checkCheckout(c market.CheckoutRequest) error {
	switch {
	case c.OrderID == "":
		return market.Invalid("order_id", "required")
	case len(c.OrderID) > maxOrderID:
		return market.Invalid("order_id", fmt.Sprintf("at most %d characters", maxOrderID))
	case !c.Currency.Valid():
		return market.Invalid("currency", "unsupported currency")
	case len(c.Lines) == 0:
		return market.Invalid("lines", "at least one line")
	case c.SuccessURL == "":
		return market.Invalid("success_url", "required")
	}
	var sum int64
	for i, l := range c.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case strings.TrimSpace(l.Name) == "":
			return market.Invalid(field+".name", "required")
		case l.Amount <= 0:
			return market.Invalid(field+".amount", "must be positive")
		case l.Quantity <= 0:
			return market.Invalid(field+".quantity", "must be positive")
		case l.Quantity > (math.MaxInt64-sum)/l.Amount:
			return market.Invalid(field, "too large")
		}
		sum += l.Amount * l.Quantity
	}
	switch {
	case c.Total != sum:
		return market.Invalid("total", fmt.Sprintf("must be the sum of the lines (%d)", sum))
	case c.PlatformFee < 0:
		return market.Invalid("platform_fee", "must not be negative")
	case c.PlatformFee >= c.Total:
		return market.Invalid("platform_fee", "must be less than the total")
	case c.PlatformFee > 0 && c.Destination == "":
		// The fee is what the platform keeps of a destination charge: without
		// a destination there is nothing to keep it from, and Stripe refuses.
		return market.Invalid("platform_fee", "needs a destination account")
	}
	return nil
}

// checkRefund validates a refund request for every provider. EInvalid
// names the first wrong field.
func checkRefund(r market.RefundRequest) error {
	switch {
	case r.PaymentIntent == "":
		return market.Invalid("payment_intent", "required")
	case r.Amount < 0:
		return market.Invalid("amount", "must not be negative")
	case r.IdempotencyKey == "":
		// Without a key a retried refund could pay out twice.
		return market.Invalid("idempotency_key", "required")
	case len(r.IdempotencyKey) > maxIdempotencyKey:
		return market.Invalid("idempotency_key", fmt.Sprintf("at most %d characters", maxIdempotencyKey))
	}
	return checkMetadata(r.Metadata)
}

// checkTransfer validates a transfer request for every provider. EInvalid
// names the first wrong field. needDestination is Stripe's: a demo
// merchant has no connected account, and the demo pays nobody.
func checkTransfer(t market.TransferRequest, needDestination bool) error {
	switch {
	case needDestination && t.Destination == "":
		return market.Invalid("destination", "required")
	case t.Amount <= 0:
		return market.Invalid("amount", "must be positive")
	case !t.Currency.Valid():
		return market.Invalid("currency", "unsupported currency")
	case t.Group == "":
		return market.Invalid("transfer_group", "required")
	case t.IdempotencyKey == "":
		// Without a key a retried transfer could pay out twice.
		return market.Invalid("idempotency_key", "required")
	case len(t.IdempotencyKey) > maxIdempotencyKey:
		return market.Invalid("idempotency_key", fmt.Sprintf("at most %d characters", maxIdempotencyKey))
	case t.Metadata[market.TransferMetadataKey] == "":
		// FindTransfer could not find it again.
		return market.Invalid("metadata", fmt.Sprintf("%s required", market.TransferMetadataKey))
	}
	return checkMetadata(t.Metadata)
}

// checkFindTransfer validates FindTransfer's arguments for every provider.
func checkFindTransfer(group, lineID string) error {
	switch {
	case group == "":
		return market.Invalid("transfer_group", "required")
	case lineID == "":
		return market.Invalid("line_id", "required")
	}
	return nil
}

// Stripe's bounds on an Idempotency-Key and on an object's metadata.
const (
	maxIdempotencyKey   = 255
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
)

// checkMetadata refuses, with EInvalid, metadata Stripe would refuse: more
// than 50 keys, an empty key, a key over 40 characters or holding square
// brackets (they would be read as nested form fields), a value over 500
// characters. The demo checks it too, so that what works in a demo works
// with Stripe. Keys are looked at in order, so that the error is the same
// from one call to the next.
func checkMetadata(m map[string]string) error {
	if len(m) > maxMetadataKeys {
		return market.Invalid("metadata", fmt.Sprintf("at most %d keys", maxMetadataKeys))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case k == "":
			return market.Invalid("metadata", "empty key")
		case utf8.RuneCountInString(k) > maxMetadataKeyLen:
			return market.Invalid("metadata", fmt.Sprintf("keys of at most %d characters", maxMetadataKeyLen))
		case strings.ContainsAny(k, "[]"):
			return market.Invalid("metadata", fmt.Sprintf("key %q: no square brackets", k))
		case utf8.RuneCountInString(m[k]) > maxMetadataValueLen:
			return market.Invalid("metadata", fmt.Sprintf("value of %q: at most %d characters", k, maxMetadataValueLen))
		}
	}
	return nil
}

// checkFindRefund validates FindRefund's arguments for every provider.
func checkFindRefund(paymentIntent, refundID string) error {
	switch {
	case paymentIntent == "":
		return market.Invalid("payment_intent", "required")
	case refundID == "":
		return market.Invalid("refund_id", "required")
	}
	return nil
}

// randomID returns prefix followed by 26 random lower-case base32
// characters (130 bits).
func randomID(prefix string) string {
	b := make([]byte, 17)
	if _, err := rand.Read(b); err != nil {
		panic("payments: no randomness: " + err.Error())
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return prefix + strings.ToLower(enc[:26])
}
