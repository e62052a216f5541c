package payments

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/solidaire-app/solidaire/market"
)

// Stripe is the payment provider for real money: Stripe Checkout in payment
// mode, the money going to the seller's connected account at sale time
// (a destination charge) less the platform fee. It holds its own client,
// never stripe-go's global key or backends, so several can live in one
// process. It is safe for concurrent use.
type Stripe struct {
	api           *client.API
	backends      *stripe.Backends
	webhookSecret string
	now           func() time.Time
}

// StripeConfig configures NewStripe.
type StripeConfig struct {
	// SecretKey is the API secret key (sk_live_… or sk_test_…); required.
	SecretKey string
	// WebhookSecret is the signing secret of the webhook endpoint (whsec_…).
	// Empty, every webhook is refused.
	WebhookSecret string
	// APIBase is the API's base URL, such as stripe-mock's in tests;
	// empty means Stripe's own.
	APIBase string
	// HTTPClient makes the requests; nil means one with a 30-second timeout.
	HTTPClient *http.Client
}

// Compile-time check that Stripe is a payment provider.
var _ market.PaymentProvider = (*Stripe)(nil)

// NewStripe returns the Stripe provider configured by cfg. It does not call
// Stripe. EInvalid when the secret key is missing or the API base is not an
// http(s) URL.
func NewStripe(cfg StripeConfig) (*Stripe, error) {
	if strings.TrimSpace(cfg.SecretKey) == "" {
		return nil, market.Invalid("stripe_secret_key", "required")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// stripe-go's default logger writes errors to stderr; every error is
	// returned with its detail instead, for the caller's log.
	quiet := &stripe.LeveledLogger{Level: stripe.LevelNull}
	backend := func(kind stripe.SupportedBackend) stripe.Backend {
		c := &stripe.BackendConfig{HTTPClient: hc, LeveledLogger: quiet}
		if cfg.APIBase != "" {
			c.URL = stripe.String(cfg.APIBase)
		}
		return stripe.GetBackendWithConfig(kind, c)
	}
	if cfg.APIBase != "" {
		u, err := url.Parse(cfg.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, market.Invalid("stripe_api_base", "must be an http or https URL")
		}
	}
	// With an API base, every backend goes there, so that nothing a test
	// does can reach Stripe itself.
	b := &stripe.Backends{
		API:     backend(stripe.APIBackend),
		Connect: backend(stripe.ConnectBackend),
		Uploads: backend(stripe.UploadsBackend),
	}
	return &Stripe{
		api:           client.New(cfg.SecretKey, b),
		backends:      b,
		webhookSecret: cfg.WebhookSecret,
		now:           time.Now,
	}, nil
}

// Name returns "stripe".
func (s *Stripe) Name() string { return "stripe" }

// Stripe's bounds on a Checkout Session's expires_at, from its creation.
const (
	minSessionLife = 30 * time.Minute
	maxSessionLife = 24 * time.Hour
	// clockMargin covers the request's time on the wire and a clock that
	// differs from Stripe's.
	clockMargin = time.Minute
)

// sessionExpiry returns the expires_at to send for an order that should
// expire at want, or false to send none (Stripe's default, 24 hours).
//
// Stripe wants 30 minutes to 24 hours from now. Too late a wish gets the
// default. Too early a wish is pushed back by whole minutes past want, not to
// now plus 31 minutes: a retry within the same minute then sends the same
// value, as an idempotent request must (Stripe refuses a key reused with
// other parameters). With a 30-minute hold the session outlives the order
// by about two minutes.
func sessionExpiry(now, want time.Time) (int64, bool) {
	if want.IsZero() || want.After(now.Add(maxSessionLife-clockMargin)) {
		return 0, false
	}
	at := want.Truncate(time.Second)
	if earliest := now.Add(minSessionLife + clockMargin); at.Before(earliest) {
		minutes := (earliest.Sub(at) + time.Minute - 1) / time.Minute
		at = at.Add(minutes * time.Minute)
	}
	return at.Unix(), true
}

// checkoutKey is the Idempotency-Key CreateCheckout sends for an order:
// Stripe answers a retry within 24 hours with the first session.
func checkoutKey(orderID string) string { return "checkout-" + orderID }

// CreateCheckout opens a Checkout Session in payment mode for an order: one
// line item per line (price_data with the currency, unit amount and product
// name), the buyer's email, client_reference_id and metadata.order_id set to
// the order id, the platform fee as application_fee_amount and the seller's
// connected account as transfer_data.destination. It is idempotent per order
// through its Idempotency-Key, "checkout-" and the order id. EInvalid for a wrong request or one Stripe
// refuses; EConflict when the order's key was used with other parameters, or when
// Stripe does not know the destination account or will not transfer to it;
// EUnavailable, ERateLimited, EInternal as for every Stripe call.
func (s *Stripe) CreateCheckout(ctx context.Context, c market.CheckoutRequest) (*market.CheckoutSession, error) {
	if err := checkCheckout(c); err != nil {
		return nil, err
	}
	p := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(c.OrderID),
		SuccessURL:        stripe.String(c.SuccessURL),
		Metadata:          map[string]string{"order_id": c.OrderID},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			// On the payment too, so that a payment found in the dashboard
			// leads back to its order.
			Metadata: map[string]string{"order_id": c.OrderID},
		},
	}
	if c.CancelURL != "" {
		p.CancelURL = stripe.String(c.CancelURL)
	}
	if c.BuyerEmail != "" {
		p.CustomerEmail = stripe.String(c.BuyerEmail)
	}
	for _, l := range c.Lines {
		p.LineItems = append(p.LineItems, &stripe.CheckoutSessionLineItemParams{
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(string(c.Currency)),
				UnitAmount:  stripe.Int64(l.Amount),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(l.Name)},
			},
			Quantity: stripe.Int64(l.Quantity),
		})
	}
	if c.PlatformFee > 0 {
		p.PaymentIntentData.ApplicationFeeAmount = stripe.Int64(c.PlatformFee)
	}
	if c.Destination != "" {
		p.PaymentIntentData.TransferData = &stripe.CheckoutSessionPaymentIntentDataTransferDataParams{
			Destination: stripe.String(c.Destination),
		}
	}
	if at, ok := sessionExpiry(s.now(), c.ExpiresAt); ok {
		p.ExpiresAt = stripe.Int64(at)
	}
	p.Context = ctx
	p.SetIdempotencyKey(checkoutKey(c.OrderID))
	sess, err := s.api.CheckoutSessions.New(p)
	if err != nil {
		if se, ok := sellerCannotBePaid(err); ok {
			return nil, wrap("create checkout", describe(se), market.EConflict, msgSellerNotReady)
		}
		return nil, stripeError("create checkout", "Commande", err)
	}
	return &market.CheckoutSession{ID: sess.ID, URL: sess.URL}, nil
}

// Session asks Stripe where a Checkout Session stands: PaymentCompleted once
// it is complete and paid, PaymentExpired once expired, PaymentOpen
// otherwise (including complete but not yet paid, for delayed payment
// methods). The event has no ID; Created is the session's creation.
// ENotFound for an unknown session; EUnavailable when Stripe cannot be
// reached.
func (s *Stripe) Session(ctx context.Context, id string) (*market.PaymentEvent, error) {
	if id == "" {
		return nil, market.NotFound("Session de paiement")
	}
	p := &stripe.CheckoutSessionParams{}
	p.Context = ctx
	sess, err := s.api.CheckoutSessions.Get(id, p)
	if err != nil {
		return nil, stripeError("get checkout session", "Session de paiement", err)
	}
	o := sessionObject{
		ID:                sess.ID,
		Status:            string(sess.Status),
		PaymentStatus:     string(sess.PaymentStatus),
		ClientReferenceID: sess.ClientReferenceID,
		Metadata:          sess.Metadata,
		AmountTotal:       sess.AmountTotal,
		Currency:          string(sess.Currency),
		Created:           sess.Created,
	}
	if sess.PaymentIntent != nil {
		o.PaymentIntent = expandableID(sess.PaymentIntent.ID)
	}
	ev := o.event()
	switch {
	case o.Status == string(stripe.CheckoutSessionStatusComplete) && ev.PaymentPaid:
		ev.Type = market.PaymentCompleted
	case o.Status == string(stripe.CheckoutSessionStatusExpired):
		ev.Type = market.PaymentExpired
	default:
		ev.Type = market.PaymentOpen
	}
	return ev, nil
}

// Refund gives back r.Amount (all of it when 0) of a payment intent: with
// ReverseTransfer the money is taken back from the seller's connected
// account, with RefundFee the platform fee is given back too. Idempotent per
// r.IdempotencyKey, which is required. EInvalid for a wrong request or one
// Stripe refuses (already refunded, more than was paid); ENotFound for an
// unknown payment intent.
func (s *Stripe) Refund(ctx context.Context, r market.RefundRequest) (*market.Refund, error) {
	if err := checkRefund(r); err != nil {
		return nil, err
	}
	p := &stripe.RefundParams{PaymentIntent: stripe.String(r.PaymentIntent)}
	if r.Amount > 0 {
		p.Amount = stripe.Int64(r.Amount)
	}
	if r.ReverseTransfer {
		p.ReverseTransfer = stripe.Bool(true)
	}
	if r.RefundFee {
		p.RefundApplicationFee = stripe.Bool(true)
	}
	p.Context = ctx
	p.SetIdempotencyKey(r.IdempotencyKey)
	re, err := s.api.Refunds.New(p)
	if err != nil {
		return nil, stripeError("refund", "Paiement", err)
	}
	return &market.Refund{ID: re.ID, Amount: re.Amount, Status: string(re.Status)}, nil
}

// CreateAccount creates a Connect Express account for a merchant, with the
// card_payments and transfers capabilities requested, and returns its id
// (acct_…). country is an ISO 3166-1 alpha-2 code ("CA", "FR"). A retry
// after an error may create a second account, which stays unused: the
// caller stores the id it gets. EInvalid for a missing email or a wrong
// country, or one Stripe refuses.
func (s *Stripe) CreateAccount(ctx context.Context, email, country string) (string, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	switch {
	case strings.TrimSpace(email) == "":
		return "", market.Invalid("email", "required")
	case len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z':
		return "", market.Invalid("country", "must be a two-letter country code")
	}
	p := &stripe.AccountParams{
		Type:    stripe.String(string(stripe.AccountTypeExpress)),
		Email:   stripe.String(email),
		Country: stripe.String(country),
		Capabilities: &stripe.AccountCapabilitiesParams{
			CardPayments: &stripe.AccountCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
			Transfers:    &stripe.AccountCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
		},
	}
	p.Context = ctx
	a, err := s.api.Accounts.New(p)
	if err != nil {
		return "", stripeError("create account", "Compte de paiement", err)
	}
	return a.ID, nil
}

// OnboardingLink returns the single-use URL of Stripe's onboarding pages
// (an account link of type account_onboarding) for a connected account:
// Stripe sends the merchant to returnURL when done, and to refreshURL when
// the link has expired or was already used, where the caller makes a new
// one. EInvalid for a missing argument; ENotFound for an unknown account.
func (s *Stripe) OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error) {
	switch {
	case accountID == "":
		return "", market.Invalid("account", "required")
	case refreshURL == "":
		return "", market.Invalid("refresh_url", "required")
	case returnURL == "":
		return "", market.Invalid("return_url", "required")
	}
	p := &stripe.AccountLinkParams{
		Account:    stripe.String(accountID),
		RefreshURL: stripe.String(refreshURL),
		ReturnURL:  stripe.String(returnURL),
		Type:       stripe.String(string(stripe.AccountLinkTypeAccountOnboarding)),
	}
	p.Context = ctx
	l, err := s.api.AccountLinks.New(p)
	if err != nil {
		return "", stripeError("create account link", "Compte de paiement", err)
	}
	return l.URL, nil
}

// AccountStatus reports whether a connected account can take payments
// (charges_enabled). ENotFound for an unknown account.
func (s *Stripe) AccountStatus(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, market.NotFound("Compte de paiement")
	}
	p := &stripe.AccountParams{}
	p.Context = ctx
	a, err := s.api.Accounts.GetByID(id, p)
	if err != nil {
		return false, stripeError("get account", "Compte de paiement", err)
	}
	return a.ChargesEnabled, nil
}
