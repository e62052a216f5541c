// Package payments implements market.PaymentProvider: Stripe (Checkout
// Sessions with Connect destination charges, signed webhooks, refunds and
// Express account onboarding) and a clearly labelled demo provider for when
// no Stripe key is configured. No stripe-go type leaves the package: every
// result is a market type and every error wraps a *market.Error (see
// market.ErrorCode), keeping the cause for the log.
package payments

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"math"
	"strings"

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

// checkRefund validates a refund request for every provider.
func checkRefund(r market.RefundRequest) error {
	switch {
	case r.PaymentIntent == "":
		return market.Invalid("payment_intent", "required")
	case r.Amount < 0:
		return market.Invalid("amount", "must not be negative")
	case r.IdempotencyKey == "":
		// Without a key a retried refund could pay out twice.
		return market.Invalid("idempotency_key", "required")
	case len(r.IdempotencyKey) > 255:
		return market.Invalid("idempotency_key", "at most 255 characters")
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
