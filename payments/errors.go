package payments

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/stripe/stripe-go/v76"

	"github.com/solidaire-app/solidaire/market"
)

// The sentences people see; Stripe's own messages stay in the wrapped cause.
const (
	msgRefused     = "Le prestataire de paiement a refusé la demande."
	msgCard        = "Le paiement a été refusé."
	msgConflict    = "Cette demande de paiement a déjà été faite avec d'autres données."
	msgRateLimited = "Trop de demandes au prestataire de paiement, réessayez dans un instant."
	msgUnavailable = "Le prestataire de paiement ne répond pas, réessayez dans un instant."
	msgInternal    = "Le prestataire de paiement est mal configuré."

	msgSellerNotReady = "Ce commerçant ne peut pas encore recevoir de paiements."
	// msgBalanceInsufficient is for transfers: the money of the payments
	// they settle reaches the platform's available balance days after the
	// payments, and the next settlement asks again.
	msgBalanceInsufficient = "Le solde de la plateforme ne suffit pas encore pour ce virement ; il sera refait au prochain règlement."
)

// stripeError translates an error from stripe-go for the operation op
// ("create checkout", "refund"…), what naming the thing op works on for
// ENotFound ("Session de paiement"). The result wraps a *market.Error whose
// message is safe to show; Stripe's detail stays in the error's text, for
// the log:
//   - no answer at all (network, timeout, cancelled, unreadable reply),
//     a 5xx, or a 409 "another request with this key is in flight" is
//     EUnavailable;
//   - a 429 is ERateLimited;
//   - resource_missing (404) is ENotFound;
//   - an idempotency_error (the key reused with other parameters) is EConflict;
//   - balance_insufficient (the platform's available balance cannot cover a
//     transfer yet) is EUnavailable: the same transfer succeeds later;
//   - a card error or another invalid request is EInvalid;
//   - a refused API key (401, 403) is EInternal: a configuration mistake.
func stripeError(op, what string, err error) error {
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if !errors.As(err, &se) {
		return wrap(op, err.Error(), market.EUnavailable, msgUnavailable)
	}
	detail := describe(se)
	switch {
	case se.HTTPStatusCode == http.StatusTooManyRequests || se.Code == stripe.ErrorCodeRateLimit:
		return wrap(op, detail, market.ERateLimited, msgRateLimited)
	case se.Code == stripe.ErrorCodeResourceMissing || se.HTTPStatusCode == http.StatusNotFound:
		return fmt.Errorf("payments: stripe %s: %s: %w", op, detail, market.NotFound(what))
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		return wrap(op, detail, market.EInternal, msgInternal)
	case se.Type == stripe.ErrorTypeIdempotency:
		return wrap(op, detail, market.EConflict, msgConflict)
	case se.HTTPStatusCode == http.StatusConflict || se.HTTPStatusCode >= 500 || se.Type == stripe.ErrorTypeAPI:
		return wrap(op, detail, market.EUnavailable, msgUnavailable)
	case se.Code == stripe.ErrorCodeBalanceInsufficient:
		return wrap(op, detail, market.EUnavailable, msgBalanceInsufficient)
	case se.Type == stripe.ErrorTypeCard:
		return wrap(op, detail, market.EInvalid, msgCard)
	case se.Type == stripe.ErrorTypeInvalidRequest || se.HTTPStatusCode == http.StatusBadRequest:
		return wrap(op, detail, market.EInvalid, msgRefused)
	}
	return wrap(op, detail, market.EInternal, msgInternal)
}

// describe says what Stripe answered, for the log: the whole error's text
// would carry the objects it sometimes holds.
func describe(se *stripe.Error) string {
	d := fmt.Sprintf("%s (status %d", se.Type, se.HTTPStatusCode)
	if se.Code != "" {
		d += ", code " + string(se.Code)
	}
	if se.Param != "" {
		d += ", param " + se.Param
	}
	if se.RequestID != "" {
		d += ", request " + se.RequestID
	}
	return d + "): " + se.Msg
}

// sellerCannotBePaid reports whether Stripe refused a checkout because of
// its destination: an account it does not know (the only object a checkout
// names) or one that cannot receive transfers yet.
func sellerCannotBePaid(err error) (*stripe.Error, bool) {
	var se *stripe.Error
	if !errors.As(err, &se) || se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500 {
		return nil, false
	}
	return se, se.Code == stripe.ErrorCodeResourceMissing || strings.HasPrefix(se.Param, "payment_intent_data[transfer_data]")
}

// wrap returns an error whose text says what went wrong in detail and which
// wraps a *market.Error with code and the human message.
func wrap(op, detail, code, message string) error {
	return fmt.Errorf("payments: stripe %s: %s: %w", op, detail, &market.Error{Code: code, Message: message})
}
