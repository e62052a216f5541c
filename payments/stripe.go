package payments

import (
	"context"
	"fmt"
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
// (a destination charge) less the platform fee, or later by a transfer from
// the platform's balance (a programme's settlement). It holds its own client,
// never stripe-go's global key or backends, so several can live in one
// process. It is safe for concurrent use.
type Stripe struct {
	api      *client.API
	backends *stripe.Backends
	// secrets are the signing secrets of each webhook endpoint.
	secrets map[market.WebhookEndpoint][]string
	now     func() time.Time
}

// StripeConfig configures NewStripe.
type StripeConfig struct {
	// SecretKey is the API secret key (sk_live_… or sk_test_…); required.
	SecretKey string
	// WebhookSecrets are the signing secrets (whsec_…) of the platform
	// webhook endpoint, POST /api/v1/webhooks/stripe (STRIPE_WEBHOOK_SECRET,
	// read with SplitSecrets): the checkouts, disputes and refunds of the
	// platform's own payments. Any one of them may sign a delivery, so that
	// a secret can be rolled without refusing what was signed with the old
	// one. None, every delivery to that endpoint is refused.
	WebhookSecrets []string
	// ConnectWebhookSecrets are the signing secrets of the Connect webhook
	// endpoint, POST /api/v1/webhooks/stripe/connect
	// (STRIPE_CONNECT_WEBHOOK_SECRET): the events of connected accounts,
	// such as account.updated. As WebhookSecrets otherwise.
	ConnectWebhookSecrets []string
	// APIBase is the API's base URL, such as stripe-mock's in tests;
	// empty means Stripe's own.
	APIBase string
	// HTTPClient makes the requests; nil means one with a 30-second timeout.
	HTTPClient *http.Client
}

// Compile-time checks that Stripe is a payment provider and onboards
// merchants.
var (
	_ market.PaymentProvider = (*Stripe)(nil)
	_ market.Connect         = (*Stripe)(nil)
)

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
		api:      client.New(cfg.SecretKey, b),
		backends: b,
		secrets: map[market.WebhookEndpoint][]string{
			market.PlatformWebhooks: nonEmpty(cfg.WebhookSecrets),
			market.ConnectWebhooks:  nonEmpty(cfg.ConnectWebhookSecrets),
		},
		now: time.Now,
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

// maxStatementSuffix bounds the statement descriptor's suffix: Stripe shows
// the account's prefix, "* " and the suffix, 22 characters at most, and
// refuses a charge whose descriptor would be longer; 10 leaves room for a
// prefix of 10.
const maxStatementSuffix = 10

// statementSuffix derives the statement descriptor's suffix from a
// seller's name, or false when the name leaves none: what bank statements
// can show is Latin letters, digits and spaces, and Stripe refuses a suffix
// without a letter. Accents are folded ("Café Olé" is "CAFE OLE"), the
// ligatures French uses spelt out (œ, æ), apostrophes dropped ("L'Épi" is
// "LEPI", as shops write it in capitals) and other signs made spaces, so
// that "Saint-Jean" does not become one word; then it is upper-cased,
// spaces collapsed and the result cut to 10 characters.
func statementSuffix(name string) (string, bool) {
	var b strings.Builder
	space := false
	for _, r := range strings.ToUpper(market.Fold(name)) {
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		case r == 'Œ':
			b.WriteString("OE")
			space = false
		case r == 'Æ':
			b.WriteString("AE")
			space = false
		case r == 'ß':
			b.WriteString("SS")
			space = false
		case r == '\'' || r == '’':
			// An elision joins its words, as shops write them in
			// capitals.
		default:
			space = true
		}
	}
	s := b.String()
	if len(s) > maxStatementSuffix {
		s = strings.TrimRight(s[:maxStatementSuffix], " ")
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
		return "", false
	}
	return s, true
}

// CreateCheckout opens a Checkout Session in payment mode for an order: one
// line item per line (price_data with the currency, unit amount and product
// name), the buyer's email, client_reference_id and metadata.order_id set to
// the order id, and, for a seller's connected account, a destination charge
// done right: the platform fee as application_fee_amount, the account as
// transfer_data.destination and as on_behalf_of (the seller, not the
// platform, is the merchant of record: its name and country are the
// payment's), and a statement descriptor suffix made from the seller's name
// (see statementSuffix) so that the buyer recognises the charge on the bank
// statement.
//
// Only cards are offered (payment_method_types card; Checkout still shows
// Apple Pay and Google Pay, which are cards): they are settled by the time
// the buyer comes back, whereas bank debits and vouchers can take days to
// succeed or fail, during which Solidaire would have to hold the seats or
// vouchers of an unpaid order.
//
// It is idempotent per order through its Idempotency-Key, "checkout-" and
// the order id. EInvalid for a wrong request or one Stripe refuses;
// EConflict when the order's key was used with other parameters, or when
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
		PaymentMethodTypes: []*string{
			stripe.String(string(stripe.PaymentMethodTypeCard)),
		},
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
		p.PaymentIntentData.OnBehalfOf = stripe.String(c.Destination)
	}
	if suffix, ok := statementSuffix(c.SellerName); ok {
		p.PaymentIntentData.StatementDescriptorSuffix = stripe.String(suffix)
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
// account, with RefundFee the platform fee is given back too; r.Metadata is
// kept with the refund, where FindRefund looks for it. Idempotent per
// r.IdempotencyKey, which is required, for as long as Stripe keeps keys
// (about a day). EInvalid for a wrong request (metadata Stripe would refuse
// included) or one Stripe refuses (already refunded, more than was paid);
// ENotFound for an unknown payment intent.
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
	for k, v := range r.Metadata {
		p.AddMetadata(k, v)
	}
	p.Context = ctx
	p.SetIdempotencyKey(r.IdempotencyKey)
	re, err := s.api.Refunds.New(p)
	if err != nil {
		return nil, stripeError("refund", "Paiement", err)
	}
	return refundOf(re), nil
}

// FindRefund looks through the refunds of a payment intent (GET
// /v1/refunds?payment_intent=…, every page) for the one whose metadata
// market.RefundMetadataKey is refundID, whatever its status. EInvalid for
// an empty argument; ENotFound when there is none (or Stripe does not know
// the payment intent); EUnavailable, ERateLimited, EInternal as for every
// Stripe call.
func (s *Stripe) FindRefund(ctx context.Context, paymentIntent, refundID string) (*market.Refund, error) {
	if err := checkFindRefund(paymentIntent, refundID); err != nil {
		return nil, err
	}
	p := &stripe.RefundListParams{PaymentIntent: stripe.String(paymentIntent)}
	// A payment has few refunds: one page of the largest size is the
	// usual answer.
	p.Limit = stripe.Int64(100)
	p.Context = ctx
	it := s.api.Refunds.List(p)
	for it.Next() {
		if re := it.Refund(); re.Metadata[market.RefundMetadataKey] == refundID {
			return refundOf(re), nil
		}
	}
	if err := it.Err(); err != nil {
		return nil, stripeError("list refunds", "Remboursement", err)
	}
	return nil, market.NotFound("Remboursement")
}

// refundOf maps a Stripe refund to the domain's.
func refundOf(re *stripe.Refund) *market.Refund {
	return &market.Refund{ID: re.ID, Amount: re.Amount, Status: string(re.Status)}
}

// Transfer pays t.Amount from the platform's available balance to the
// connected account t.Destination (POST /v1/transfers, "separate charges and
// transfers"), with t.Group as its transfer_group and t.Metadata kept with
// it, where FindTransfer looks for it. Idempotent per t.IdempotencyKey,
// which is required, for as long as Stripe keeps keys (about a day): Stripe
// keeps the answer too, a refusal included, so a transfer refused for want
// of balance is asked again under another key. EInvalid for a wrong request
// (metadata Stripe would refuse included) or one Stripe refuses; ENotFound
// for a destination Stripe does not know; EUnavailable when the platform's
// balance cannot cover it yet, as when Stripe cannot be reached; EConflict,
// ERateLimited, EInternal as for every Stripe call.
func (s *Stripe) Transfer(ctx context.Context, t market.TransferRequest) (*market.Transfer, error) {
	if err := checkTransfer(t, true); err != nil {
		return nil, err
	}
	p := &stripe.TransferParams{
		Amount:        stripe.Int64(t.Amount),
		Currency:      stripe.String(string(t.Currency)),
		Destination:   stripe.String(t.Destination),
		TransferGroup: stripe.String(t.Group),
	}
	if t.Description != "" {
		p.Description = stripe.String(t.Description)
	}
	for k, v := range t.Metadata {
		p.AddMetadata(k, v)
	}
	p.Context = ctx
	p.SetIdempotencyKey(t.IdempotencyKey)
	tr, err := s.api.Transfers.New(p)
	if err != nil {
		return nil, stripeError("transfer", "Compte de paiement", err)
	}
	return transferOf(tr), nil
}

// FindTransfer looks through the transfers of a transfer group (GET
// /v1/transfers?transfer_group=…, every page) for the one whose metadata
// market.TransferMetadataKey is lineID. EInvalid for an empty argument;
// ENotFound when there is none; EUnavailable, ERateLimited, EInternal as for
// every Stripe call.
func (s *Stripe) FindTransfer(ctx context.Context, group, lineID string) (*market.Transfer, error) {
	if err := checkFindTransfer(group, lineID); err != nil {
		return nil, err
	}
	p := &stripe.TransferListParams{TransferGroup: stripe.String(group)}
	// A settlement run pays each merchant of a programme once: a few pages
	// of the largest size at most.
	p.Limit = stripe.Int64(100)
	p.Context = ctx
	it := s.api.Transfers.List(p)
	for it.Next() {
		if tr := it.Transfer(); tr.Metadata[market.TransferMetadataKey] == lineID {
			return transferOf(tr), nil
		}
	}
	if err := it.Err(); err != nil {
		return nil, stripeError("list transfers", "Virement", err)
	}
	return nil, market.NotFound("Virement")
}

// transferOf maps a Stripe transfer to the domain's.
func transferOf(tr *stripe.Transfer) *market.Transfer {
	return &market.Transfer{ID: tr.ID, Amount: tr.Amount}
}

// CreateAccount creates a Connect Express account for a merchant, with the
// card_payments and transfers capabilities requested, and returns its id
// (acct_…). country is an ISO 3166-1 alpha-2 code ("CA", "FR").
// idempotencyKey, when not empty, is sent as the Idempotency-Key: a retry
// with the same key within about a day gets the same account rather than a
// second one. EInvalid for a missing email, a wrong country or a key over
// 255 characters, or a request Stripe refuses; EConflict when the key was
// used with other parameters.
func (s *Stripe) CreateAccount(ctx context.Context, email, country, idempotencyKey string) (string, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	switch {
	case strings.TrimSpace(email) == "":
		return "", market.Invalid("email", "required")
	case len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z':
		return "", market.Invalid("country", "must be a two-letter country code")
	case len(idempotencyKey) > maxIdempotencyKey:
		return "", market.Invalid("idempotency_key", fmt.Sprintf("at most %d characters", maxIdempotencyKey))
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
	if idempotencyKey != "" {
		p.SetIdempotencyKey(idempotencyKey)
	}
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

// Account asks Stripe where a connected account stands (GET
// /v1/accounts/{id}): its country, whether it can take charges and receive
// payouts, the requirements currently due and why it is disabled, if it
// is. ENotFound for an unknown account (or an empty id); EUnavailable,
// ERateLimited, EInternal as for every Stripe call.
func (s *Stripe) Account(ctx context.Context, id string) (*market.PaymentAccount, error) {
	if id == "" {
		return nil, market.NotFound("Compte de paiement")
	}
	p := &stripe.AccountParams{}
	p.Context = ctx
	a, err := s.api.Accounts.GetByID(id, p)
	if err != nil {
		return nil, stripeError("get account", "Compte de paiement", err)
	}
	o := accountObject{
		ID:             a.ID,
		Country:        a.Country,
		ChargesEnabled: a.ChargesEnabled,
		PayoutsEnabled: a.PayoutsEnabled,
	}
	if a.Requirements != nil {
		o.Requirements.CurrentlyDue = a.Requirements.CurrentlyDue
		o.Requirements.DisabledReason = string(a.Requirements.DisabledReason)
	}
	return o.account(), nil
}
