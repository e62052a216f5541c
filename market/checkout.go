package market

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Checkout limits.
const (
	MaxItems        = 10
	MaxQuantity     = 20
	MaxMessage      = 500
	MaxName         = 100
	MaxOrderTotal   = 5 * MaxAmount
	DefaultHoldTime = 30 * time.Minute
)

// CheckoutInput is a buyer's request to buy, as the API receives it.
type CheckoutInput struct {
	BuyerEmail string
	BuyerName  string
	Lang       string
	Items      []ItemInput
	Ref        string
}

// ItemInput is one wanted item.
type ItemInput struct {
	Kind           ItemKind
	Merchant       string // slug, for gift certificates
	Event          string
	TicketType     string
	Amount         int64
	Quantity       int
	RecipientName  string
	RecipientEmail string
	Message        string
	// DeliverAt sends the recipient's mail on that date (zero: at once).
	DeliverAt time.Time
	// Programme is the slug of a programme card's programme; WithoutBonus
	// buys the card without bonus (once the fund is spent).
	Programme    string
	WithoutBonus bool
}

// CheckoutResult is what a successful checkout returns to the buyer.
type CheckoutResult struct {
	Order       *Order
	AccessToken string // shown once; lets the buyer follow the order
	CheckoutURL string
}

// CheckoutService sells: it validates a purchase, opens the provider's
// payment page, and fulfils the order exactly once when the payment is
// confirmed, whatever the number, order or timing of the confirmations.
type CheckoutService struct {
	Store    OrderStore
	Payments PaymentProvider
	Mail     MailComposer
	BaseURL  string
	// FeeBasisPoints is the platform fee in hundredths of a percent of the
	// total (0: none).
	FeeBasisPoints int64
	HoldTime       time.Duration
	// Ready reports whether a merchant can be paid through the provider
	// (Stripe needs a connected account with charges enabled).
	Ready func(m *Merchant) bool
	// Refunds pays the refunds of orders in review an admin refuses.
	Refunds *Refunds
	Log     *slog.Logger
	Now     func() time.Time
	// Fault, when set, is called between the steps of fulfilment; tests use
	// it to interrupt fulfilment half-way.
	Fault func(step string) error
}

func (s *CheckoutService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *CheckoutService) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Create validates in, stores a pending order (holding its seats, and
// keeping the Idempotency-Key that ctx may carry in the same transaction)
// and opens a checkout session for it. EInvalid names the first wrong
// field; ENotFound is never returned for an unknown merchant (that is an
// invalid field); EConflict when the merchant cannot be paid yet;
// EUnavailable when the provider is down (the order stays pending and
// Resume opens its page on a retry).
func (s *CheckoutService) Create(ctx context.Context, in CheckoutInput) (*CheckoutResult, error) {
	o, err := s.validate(ctx, in)
	if err != nil {
		return nil, err
	}
	token, hash := NewAccessToken()
	o.AccessHash, o.AccessToken = hash, token
	hold := s.HoldTime
	if hold <= 0 {
		hold = DefaultHoldTime
	}
	o.CreatedAt = s.now().UTC()
	o.ExpiresAt = o.CreatedAt.Add(hold)
	if o.merchant.StripeAccount != "" && o.merchant.Status != MerchantProgramme {
		// The fee is what the platform keeps of a destination charge; with
		// no connected account (demo payments) there is nothing to keep. A
		// programme's fee is taken at settlement.
		o.PlatformFee = o.Total * s.FeeBasisPoints / 10000
	}
	if err := s.Store.CreateOrder(ctx, &o.Order); err != nil {
		return nil, err
	}
	url, err := s.open(ctx, &o.Order, o.merchant, o.lines, token)
	if err != nil {
		return nil, err
	}
	return &CheckoutResult{Order: &o.Order, AccessToken: token, CheckoutURL: url}, nil
}

// open opens the provider's payment page for a stored order and records
// its session. A refusal that a retry cannot change (the provider will not
// pay this merchant, a wrong request) expires the order at once, so that
// its seats go back on sale.
func (s *CheckoutService) open(ctx context.Context, o *Order, m *Merchant, lines []string, token string) (string, error) {
	req := CheckoutRequest{
		OrderID:     o.ID,
		Currency:    o.Currency,
		Total:       o.Total,
		PlatformFee: o.PlatformFee,
		Destination: destination(m),
		SellerName:  m.Name,
		BuyerEmail:  o.BuyerEmail,
		SuccessURL:  s.BaseURL + "/commande/" + o.ID + "?token=" + token,
		CancelURL:   s.BaseURL + cancelPath(o.Items, m.Slug) + "?annule=1",
		ExpiresAt:   o.ExpiresAt,
	}
	for i, it := range o.Items {
		req.Lines = append(req.Lines, CheckoutLine{Name: lines[i], Amount: it.Amount, Quantity: int64(it.Quantity)})
	}
	sess, err := s.Payments.CreateCheckout(ctx, req)
	if err != nil {
		if c := ErrorCode(err); c == EInvalid || c == EConflict {
			if _, xerr := s.Store.ExpireOrder(context.WithoutCancel(ctx), "", o.ID); xerr != nil {
				s.log().ErrorContext(ctx, "expiring a refused order", "order", o.ID, "err", xerr)
			}
		}
		return "", err
	}
	if err := s.Store.SetOrderSession(ctx, o.ID, sess.ID); err != nil {
		return "", err
	}
	o.SessionID = sess.ID
	return sess.URL, nil
}

// Resume opens the payment page of a pending order whose first answer was
// lost (the provider was down, the process stopped after storing it): the
// retry of the same Idempotency-Key gets the order it created, not a second
// one. Stripe answers the same session to the same order's key. EConflict
// when the order is no longer pending.
func (s *CheckoutService) Resume(ctx context.Context, orderID, token string) (string, error) {
	o, err := s.Store.Order(ctx, orderID)
	if err != nil {
		return "", err
	}
	if o.Status != OrderPending || !o.CheckAccess(token) {
		return "", &Error{Code: EConflict, Message: "Cette commande n'est plus en attente de paiement : recommencez l'achat."}
	}
	m, err := s.Store.MerchantByID(ctx, o.MerchantID)
	if err != nil {
		return "", err
	}
	// A merchant closed (or refused) since the order was opened sells no
	// more: the order is not sent on to payment.
	if m.MayTrade() != nil {
		return "", &Error{Code: EConflict, Message: "Ce commerce ne vend plus sur Solidaire pour le moment : rien n'a été payé."}
	}
	lines := make([]string, len(o.Items))
	for i, it := range o.Items {
		switch it.Kind {
		case KindGiftCertificate:
			lines[i] = "Bon solidaire — " + m.Name
		case KindProgrammeCard:
			lines[i] = "Carte " + m.Name
		default:
			e, err := s.Store.Event(ctx, it.EventID)
			if err != nil {
				return "", err
			}
			lines[i] = "Billet solidaire — " + e.Title
			for _, t := range e.TicketTypes {
				if t.ID == it.TicketTypeID && it.Kind == KindTicket {
					lines[i] = e.Title + " — " + t.Name
				}
			}
		}
	}
	return s.open(ctx, o, m, lines, token)
}

// validate checks a checkout request and builds the order it describes.
func (s *CheckoutService) validate(ctx context.Context, in CheckoutInput) (*orderDraft, error) {
	email, err := CheckEmail("buyer.email", in.BuyerEmail, true)
	if err != nil {
		return nil, err
	}
	if err := checkText("buyer.name", in.BuyerName, MaxName); err != nil {
		return nil, err
	}
	lang := in.Lang
	switch lang {
	case "":
		lang = "fr"
	case "fr", "en":
	default:
		return nil, Invalid("lang", "must be fr or en")
	}
	if utf8.RuneCountInString(in.Ref) > 64 {
		return nil, Invalid("ref", "must be at most 64 characters")
	}
	switch {
	case len(in.Items) == 0:
		return nil, Invalid("items", "at least one item")
	case len(in.Items) > MaxItems:
		return nil, Invalid("items", fmt.Sprintf("at most %d items", MaxItems))
	}
	o := &orderDraft{Order: Order{Status: OrderPending, BuyerEmail: email, BuyerName: strings.TrimSpace(in.BuyerName), Lang: lang, Ref: in.Ref}}
	for i, it := range in.Items {
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		var item *OrderItem
		var err error
		switch it.Kind {
		case KindGiftCertificate:
			item, err = s.certificate(ctx, o, it, field)
		case KindTicket, KindSolidarityTicket:
			item, err = s.ticket(ctx, o, it, field)
		case KindProgrammeCard:
			item, err = s.programmeCard(ctx, o, it, field)
		case "":
			return nil, Invalid(field("kind"), "is required")
		default:
			return nil, Invalid(field("kind"), "unknown kind")
		}
		if err != nil {
			return nil, err
		}
		o.Items = append(o.Items, item)
		o.lines = append(o.lines, o.lineName)
		o.Total += item.Amount * int64(item.Quantity)
	}
	if o.Total > MaxOrderTotal {
		return nil, Invalid("items", fmt.Sprintf("the order total must be at most %d", MaxOrderTotal))
	}
	o.MerchantID, o.MerchantSlug, o.MerchantName, o.Currency = o.merchant.ID, o.merchant.Slug, o.merchant.Name, o.merchant.Currency
	if o.merchant.Status != MerchantProgramme && s.Ready != nil && !s.Ready(o.merchant) {
		// A programme's cards are paid to the platform, which settles with
		// its merchants: no connected account to be ready.
		return nil, &Error{Code: EMerchantNotReady, Message: "Ce commerce ne peut pas encore recevoir de paiements."}
	}
	if o.soldOut != "" {
		// The seats were gone when the event was read: the order's
		// transaction would refuse it the same way, after writing it and
		// queueing on the ticket type's row behind the buyers who got
		// them. Only that transaction sells a seat; a seat given back
		// since the read goes to the next buyer.
		return nil, &Error{Code: ESoldOut, Message: "Plus assez de places pour ce tarif.",
			Fields: map[string]string{o.soldOut: "not enough seats left"}}
	}
	return o, nil
}

// orderDraft is an order being validated, with its seller at hand.
type orderDraft struct {
	Order
	merchant *Merchant
	lines    []string // what each item is called on the payment page
	lineName string   // the name of the item being validated
	// seats counts the seats the items ask for, by ticket type; soldOut
	// is the field of the first item that asked for more than the event
	// had left when it was read.
	seats   map[string]int
	soldOut string
}

// seller makes m the order's seller, or refuses a second one: all items of
// an order are paid to one merchant.
func (o *orderDraft) seller(m *Merchant, field string) error {
	if o.merchant == nil {
		o.merchant = m
		return nil
	}
	if o.merchant.ID != m.ID {
		return Invalid(field, "all items of an order must be from one seller")
	}
	return nil
}

// certificate validates a gift certificate item.
func (s *CheckoutService) certificate(ctx context.Context, o *orderDraft, it ItemInput, field func(string) string) (*OrderItem, error) {
	if it.Merchant == "" {
		return nil, Invalid(field("merchant"), "is required")
	}
	m, err := s.Store.Merchant(ctx, it.Merchant)
	if ErrorCode(err) == ENotFound || err == nil && m.Status != MerchantApproved {
		return nil, Invalid(field("merchant"), "unknown merchant")
	}
	if err != nil {
		return nil, err
	}
	if err := o.seller(m, field("merchant")); err != nil {
		return nil, err
	}
	if !m.Accepting(KindGiftCertificate) {
		return nil, Invalid(field("merchant"), "this merchant does not sell gift certificates")
	}
	if it.Amount < m.MinAmount || it.Amount > m.MaxAmount {
		return nil, Invalid(field("amount"), fmt.Sprintf("must be between %d and %d", m.MinAmount, m.MaxAmount))
	}
	qty, err := quantity(it.Quantity, field)
	if err != nil {
		return nil, err
	}
	rEmail, err := recipient(it, field, s.now())
	if err != nil {
		return nil, err
	}
	o.lineName = "Bon solidaire — " + m.Name
	return &OrderItem{Kind: KindGiftCertificate, Amount: it.Amount, Quantity: qty,
		RecipientName: strings.TrimSpace(it.RecipientName), RecipientEmail: rEmail, Message: strings.TrimSpace(it.Message),
		DeliverAt: it.DeliverAt}, nil
}

// ticket validates a ticket or solidarity ticket item: the event is on
// sale, the ticket type is the event's, the solidarity amount at least the
// event's minimum. Seats are held when the order is stored.
func (s *CheckoutService) ticket(ctx context.Context, o *orderDraft, it ItemInput, field func(string) string) (*OrderItem, error) {
	if it.Event == "" {
		return nil, Invalid(field("event"), "is required")
	}
	e, err := s.Store.Event(ctx, it.Event)
	if ErrorCode(err) == ENotFound {
		return nil, Invalid(field("event"), "unknown event")
	}
	if err != nil {
		return nil, err
	}
	if !e.OnSale(s.now()) {
		return nil, &Error{Code: EEventNotOnSale, Message: "Cet événement n'est pas en vente.", Fields: map[string]string{field("event"): "not on sale"}}
	}
	m, err := s.Store.MerchantByID(ctx, e.MerchantID)
	if err != nil {
		return nil, err
	}
	if m.MayTrade() != nil {
		// The venue is not (or no longer) approved: to the buyer, the
		// event is simply not on sale.
		return nil, &Error{Code: EEventNotOnSale, Message: "Cet événement n'est pas en vente.", Fields: map[string]string{field("event"): "not on sale"}}
	}
	if err := o.seller(m, field("event")); err != nil {
		return nil, err
	}
	if it.Kind == KindSolidarityTicket {
		if e.SolidarityMin <= 0 {
			return nil, Invalid(field("kind"), "this event sells no solidarity tickets")
		}
		if it.Amount < e.SolidarityMin || it.Amount > MaxAmount {
			return nil, Invalid(field("amount"), fmt.Sprintf("must be between %d and %d", e.SolidarityMin, MaxAmount))
		}
		qty, err := quantity(it.Quantity, field)
		if err != nil {
			return nil, err
		}
		o.lineName = "Billet solidaire — " + e.Title
		return &OrderItem{Kind: KindSolidarityTicket, Amount: it.Amount, Quantity: qty, EventID: e.ID}, nil
	}
	var tt *TicketType
	for _, t := range e.TicketTypes {
		if t.ID == it.TicketType {
			tt = t
		}
	}
	if tt == nil {
		return nil, Invalid(field("ticket_type"), "unknown ticket type for this event")
	}
	if it.Amount != 0 && it.Amount != tt.Price {
		return nil, Invalid(field("amount"), "a ticket's price is set by its type")
	}
	qty, err := quantity(it.Quantity, field)
	if err != nil {
		return nil, err
	}
	if tt.Price == 0 {
		return nil, Invalid(field("ticket_type"), "free tickets are not sold online")
	}
	if o.seats == nil {
		o.seats = map[string]int{}
	}
	if o.seats[tt.ID] += qty; o.seats[tt.ID] > tt.SeatsLeft && o.soldOut == "" {
		o.soldOut = field("quantity")
	}
	o.lineName = e.Title + " — " + tt.Name
	return &OrderItem{Kind: KindTicket, Amount: tt.Price, Quantity: qty, EventID: e.ID, TicketTypeID: tt.ID}, nil
}

// programmeCard validates a programme card item: the programme sells now,
// the amount is within its bounds, and the bonus its rule gives (none when
// the buyer asks without) is reserved from the fund when the order is
// stored.
func (s *CheckoutService) programmeCard(ctx context.Context, o *orderDraft, it ItemInput, field func(string) string) (*OrderItem, error) {
	if it.Programme == "" {
		return nil, Invalid(field("programme"), "is required")
	}
	p, err := s.Store.Programme(ctx, it.Programme)
	if ErrorCode(err) == ENotFound {
		return nil, Invalid(field("programme"), "unknown programme")
	}
	if err != nil {
		return nil, err
	}
	if !p.Selling(s.now()) {
		return nil, &Error{Code: EProgrammeClosed, Message: "Les cartes de ce programme ne sont pas en vente en ce moment.",
			Fields: map[string]string{field("programme"): "not selling"}}
	}
	op, err := s.Store.MerchantByID(ctx, p.OperatorID)
	if err != nil {
		return nil, err
	}
	if err := o.seller(op, field("programme")); err != nil {
		return nil, err
	}
	if it.Amount < p.MinAmount || it.Amount > p.MaxAmount {
		return nil, Invalid(field("amount"), fmt.Sprintf("must be between %d and %d", p.MinAmount, p.MaxAmount))
	}
	qty, err := quantity(it.Quantity, field)
	if err != nil {
		return nil, err
	}
	rEmail, err := recipient(it, field, s.now())
	if err != nil {
		return nil, err
	}
	bonus := int64(0)
	if !it.WithoutBonus {
		bonus = p.Bonus.BonusFor(it.Amount)
	}
	o.lineName = "Carte " + p.Name
	return &OrderItem{Kind: KindProgrammeCard, Amount: it.Amount, Quantity: qty, ProgrammeID: p.ID, Bonus: bonus,
		RecipientName: strings.TrimSpace(it.RecipientName), RecipientEmail: rEmail, Message: strings.TrimSpace(it.Message),
		DeliverAt: it.DeliverAt}, nil
}

// destination is the connected account a sale is paid to at once: the
// merchant's, or none for a programme's cards (paid to the platform, which
// settles with the programme's merchants).
func destination(m *Merchant) string {
	if m.Status == MerchantProgramme {
		return ""
	}
	return m.StripeAccount
}

// recipient validates the gift part of an item (a certificate, a card)
// and returns the recipient's address, folded; a message needs someone to
// give it to.
func recipient(it ItemInput, field func(string) string, now time.Time) (string, error) {
	email, err := CheckEmail(field("recipient.email"), it.RecipientEmail, false)
	if err != nil {
		return "", err
	}
	if err := checkText(field("recipient.name"), it.RecipientName, MaxName); err != nil {
		return "", err
	}
	if err := checkText(field("recipient.message"), it.Message, MaxMessage); err != nil {
		return "", err
	}
	if it.Message != "" && email == "" && it.RecipientName == "" {
		return "", Invalid(field("recipient"), "a message needs a recipient")
	}
	if err := CheckDeliverAt(field("recipient.deliver_at"), it.DeliverAt, now); err != nil {
		return "", err
	}
	if !it.DeliverAt.IsZero() && email == "" {
		return "", Invalid(field("recipient.email"), "a gift sent on a date needs the recipient's email")
	}
	return email, nil
}

func quantity(q int, field func(string) string) (int, error) {
	if q == 0 {
		q = 1
	}
	if q < 0 || q > MaxQuantity {
		return 0, Invalid(field("quantity"), fmt.Sprintf("must be between 1 and %d", MaxQuantity))
	}
	return q, nil
}

// EMerchantNotReady: the merchant cannot be paid yet (payments not connected).
const EMerchantNotReady = "merchant_not_ready"

// CheckEmail validates an email address field; an empty one is an error
// only when required. It returns the address folded to lower case.
func CheckEmail(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", Invalid(field, "is required")
		}
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "", Invalid(field, "must be an email address")
	}
	return strings.ToLower(s), nil
}

// checkText validates a free-text field: valid UTF-8, at most max
// characters, no control characters but new lines.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return Invalid(field, fmt.Sprintf("must be at most %d characters", max))
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return Invalid(field, "must not contain control characters")
		}
	}
	return nil
}

// cancelPath is where a buyer who gives up paying goes back to: the event
// for tickets, the programme's page for its cards, the merchant's page
// otherwise.
func cancelPath(items []*OrderItem, merchantSlug string) string {
	for _, it := range items {
		if it.EventID != "" {
			return "/e/" + it.EventID
		}
		if it.Kind == KindProgrammeCard {
			// A programme's seller is its operator ("programme-" + slug).
			return "/p/" + strings.TrimPrefix(merchantSlug, "programme-")
		}
	}
	return "/m/" + merchantSlug
}
