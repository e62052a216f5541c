package frontend

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// The purchase form of a merchant page. It is a plain POST form to
// /m/{slug}/offrir, which works without JavaScript: the handler calls the
// checkout service and sends the buyer on to the payment page (303), or
// shows the page again with the errors next to the fields and what was
// typed (400). The buy island (src/buy.ts) posts the same form as JSON to
// /api/v1/checkout instead, with an Idempotency-Key, and shows the API's
// errors in the same places, with the messages the server put in the page.

// maxFormBody bounds the form's body: six short fields and a message of 500
// characters weigh a few kilobytes.
const maxFormBody = 32 << 10

// checkoutPerBuyer is the purchase form's rate limit per buyer, as
// api.DefaultLimits.CheckoutPerBuyer is the API's. The budgets are kept
// apart (form:checkout:buyer:{email}): a limiter's state belongs to one
// rate, and the API's is configurable.
var checkoutPerBuyer = struct {
	count int
	per   time.Duration
}{10, 10 * time.Minute}

// formField is one input of a form, with what the template needs to tie
// its label, hint and error to it.
type formField struct {
	ID           string // the element's id; its hint is ID-hint, its error ID-error
	Name         string // the form field's name
	Type         string // the input's type, or "textarea"
	Label        string
	Hint         string
	Value        string
	Error        string // the message shown next to the field, "" when it is fine
	Message      string // the message to show when the checkout names this field
	API          string // the checkout's names for this field (market.CheckoutService's errors), space-separated
	Autocomplete string
	InputMode    string
	MaxLength    int
	Required     bool
	Counter      bool // a live count of the characters left (the island fills it)
	Autofocus    bool
	// At is the instant a datetime-local input's value stands for (RFC
	// 3339), which the zone island writes again in the phone's own zone.
	At string
}

// buyForm is the purchase form of one merchant, empty or as a buyer sent it.
type buyForm struct {
	Action    string
	Amount    int64 // the suggested amount picked, 0 for none
	Gift      bool
	Other     *formField // another amount, typed
	Recipient *formField
	ToEmail   *formField
	SendAt    *formField // the day and time the gift's mail leaves; empty: at once
	Message   *formField
	Email     *formField
	Name      *formField
	formErrors
	// GiftLegend is the message key of the gift's fieldset: a certificate
	// is offered, a programme's card too, in other words.
	GiftLegend string
	Value      string // the amount chosen, formatted; "" when none yet
	Fee        string // the platform fee, as a percentage; "" when none
	Demo       bool   // the payment page is the demo provider's
	// Zone is the time zone SendAt is read in: the phone's, which the
	// zone island fills in, else the seller's.
	Zone     string
	currency market.Currency
	deliver  time.Time // SendAt, read
	// needEmail is the recipient's email's message when a day is chosen
	// without it.
	needEmail string
}

// fields lists the inputs in the form's order.
func (f *buyForm) fields() []*formField {
	return []*formField{f.Other, f.Recipient, f.ToEmail, f.SendAt, f.Message, f.Email, f.Name}
}

// newBuyForm returns the empty purchase form of m.
func (p *Pages) newBuyForm(l *locale, m *market.Merchant) *buyForm {
	f := p.buyFields(l, "/m/"+m.Slug+"/offrir", m.MinAmount, m.MaxAmount, m.Currency)
	// The checkout keeps a fee only out of a destination charge, that is
	// from a merchant paid through its connected account.
	if p.cfg.FeeBasisPoints > 0 && m.StripeAccount != "" {
		f.Fee = l.Percent(p.cfg.FeeBasisPoints)
	}
	return f
}

// buyFields returns an empty purchase form posted to action, for amounts
// from minAmount to maxAmount: a merchant's certificate or a programme's
// card.
func (p *Pages) buyFields(l *locale, action string, minAmount, maxAmount int64, c market.Currency) *buyForm {
	minimum, maximum := l.Money(minAmount, c), l.Money(maxAmount, c)
	return &buyForm{
		Action: action, GiftLegend: "buy.gift.legend",
		Other: &formField{ID: "montant-autre", Name: "amount_other", Type: "text", InputMode: "decimal", Autocomplete: "off",
			Label: l.must("buy.amount.other"), Hint: l.must("buy.amount.hint", minimum, maximum),
			Message: l.must("buy.error.amount", minimum, maximum), API: "items[0].amount", MaxLength: 20},
		Recipient: &formField{ID: "destinataire-nom", Name: "recipient_name", Type: "text", Autocomplete: "off",
			Label: l.must("buy.recipient.name"), Message: l.must("buy.error.recipient.name"),
			API: "items[0].recipient.name items[0].recipient", MaxLength: market.MaxName},
		ToEmail: &formField{ID: "destinataire-courriel", Name: "recipient_email", Type: "email", Autocomplete: "off",
			Label: l.must("buy.recipient.email"), Hint: l.must("buy.recipient.email.hint"),
			Message: l.must("buy.error.recipient.email"), API: "items[0].recipient.email", MaxLength: 254},
		SendAt: &formField{ID: "destinataire-envoi", Name: "deliver_at", Type: "datetime-local",
			Label: l.must("buy.deliver"), Hint: l.must("buy.deliver.hint"), Message: l.must("buy.error.deliver"),
			API: "items[0].recipient.deliver_at"},
		Message: &formField{ID: "message", Name: "message", Type: "textarea", Counter: true,
			Label: l.must("buy.message"), Hint: l.must("buy.message.hint", l.Number(market.MaxMessage)),
			Message: l.must("buy.error.message", l.Number(market.MaxMessage)), API: "items[0].recipient.message",
			MaxLength: market.MaxMessage},
		Email: &formField{ID: "courriel", Name: "email", Type: "email", Autocomplete: "email", Required: true,
			Label: l.must("buy.email"), Hint: l.must("buy.email.hint"), Message: l.must("buy.error.email"),
			API: "buyer.email", MaxLength: 254},
		Name: &formField{ID: "nom", Name: "name", Type: "text", Autocomplete: "name",
			Label: l.must("buy.name"), Hint: l.must("buy.name.hint"), Message: l.must("buy.error.name"),
			API: "buyer.name", MaxLength: market.MaxName},
		Demo: p.cfg.DemoPayments, Zone: zoneOf(c).String(), currency: c, needEmail: l.must("buy.error.deliver.email"),
	}
}

// fill puts what the buyer sent into the form; a suggested amount counts
// only if it is one of suggested.
func (f *buyForm) fill(v url.Values, suggested []int64) {
	for _, fld := range f.fields() {
		fld.Value = strings.TrimSpace(v.Get(fld.Name))
	}
	f.Message.Value = strings.ReplaceAll(v.Get("message"), "\r\n", "\n")
	f.Gift = v.Get("for") == "gift"
	f.readDeliver(v.Get("tz"))
	if f.Other.Value == "" {
		n, _ := strconv.ParseInt(v.Get("amount"), 10, 64)
		for _, s := range suggested {
			if n == s {
				f.Amount = n
			}
		}
	}
}

// readDeliver reads the day and time a gift is to be sent on, in the zone
// the form names, and marks it wrong when it cannot be read, or the
// recipient's email missing when a day is chosen without it. A purchase
// for oneself sends nothing later: its day is ignored.
func (f *buyForm) readDeliver(zone string) {
	if loc := zoneNamed(zone, ""); loc != nil && zone != "" {
		f.Zone = zone
	}
	f.deliver = time.Time{}
	if !f.Gift || f.SendAt.Value == "" {
		return
	}
	at, ok := parseLocal(f.SendAt.Value, zoneNamed(f.Zone, f.currency))
	if !ok {
		f.invalid(f.SendAt)
		return
	}
	f.deliver = at
	if f.ToEmail.Value == "" {
		f.ToEmail.Message = f.needEmail
		f.invalid(f.ToEmail)
	}
}

// input is the checkout request the form describes, or false when the
// amount typed cannot be read (the form then says so next to it).
func (f *buyForm) input(l *locale, m *market.Merchant) (market.CheckoutInput, bool) {
	amount, ok := f.chosen(l, m.Currency)
	if !ok {
		return market.CheckoutInput{}, false
	}
	return f.order(l, market.ItemInput{Kind: market.KindGiftCertificate, Merchant: m.Slug, Amount: amount, Quantity: 1}), true
}

// chosen is the amount picked or typed, and false when what is typed
// cannot be read (the form then says so next to it).
func (f *buyForm) chosen(l *locale, c market.Currency) (int64, bool) {
	amount := f.Amount
	if f.Other.Value != "" {
		var ok bool
		if amount, ok = parseAmount(f.Other.Value); !ok {
			f.invalid(f.Other)
			return 0, false
		}
	}
	if amount > 0 {
		f.Value = l.Money(amount, c)
	}
	return amount, true
}

// order is the checkout request of one item, with the gift's recipient
// when it is a gift and the buyer's email and name.
func (f *buyForm) order(l *locale, item market.ItemInput) market.CheckoutInput {
	if f.Gift {
		item.RecipientName, item.RecipientEmail, item.Message = f.Recipient.Value, f.ToEmail.Value, strings.TrimSpace(f.Message.Value)
		item.DeliverAt = f.deliver
	}
	return market.CheckoutInput{BuyerEmail: f.Email.Value, BuyerName: f.Name.Value, Lang: l.lang,
		Items: []market.ItemInput{item}}
}

// invalid marks fld as wrong, with its message.
func (f *buyForm) invalid(fld *formField) { f.formErrors.invalid(fld, f.fields()) }

// refuse shows why the checkout refused the form: next to the fields it
// names, or above the button. It returns the status of the answer.
func (f *buyForm) refuse(l *locale, err error) int {
	var me *market.Error
	errors.As(err, &me)
	switch market.ErrorCode(err) {
	case market.EInvalid:
		for name := range me.Fields {
			for _, fld := range f.fields() {
				if fld.API != "" && strings.Contains(" "+fld.API+" ", " "+name+" ") {
					f.invalid(fld)
				}
			}
		}
		if len(f.Errors) == 0 {
			f.FormError = l.must("buy.error.invalid")
		}
		return http.StatusBadRequest
	case market.EMerchantNotReady:
		f.FormError = l.must("buy.error.notready")
		return http.StatusConflict
	}
	return f.refuseOther(l, err)
}

// formErrors is what a purchase form shows when the checkout refuses it.
type formErrors struct {
	Errors    []*formField // the fields in error, in the form's order
	FormError string       // what went wrong that no field explains
}

// invalid marks fld as wrong, with its message, and lists the fields in
// error in the order of all.
func (f *formErrors) invalid(fld *formField, all []*formField) {
	if fld.Error != "" {
		return
	}
	fld.Error = fld.Message
	f.Errors = nil
	for _, x := range all {
		if x.Error != "" {
			f.Errors = append(f.Errors, x)
		}
	}
}

// refuseOther explains the refusals no field explains, the same for every
// purchase form, and returns the status of the answer.
func (f *formErrors) refuseOther(l *locale, err error) int {
	switch market.ErrorCode(err) {
	case market.ERateLimited:
		f.FormError = l.must("buy.error.busy")
		return http.StatusTooManyRequests
	case market.EUnavailable:
		f.FormError = l.must("buy.error.failed")
		return http.StatusServiceUnavailable
	}
	f.FormError = l.must("buy.error.failed")
	return http.StatusInternalServerError
}

// buy answers the purchase form posted without JavaScript: 303 to the
// payment page, or the merchant page again with the errors and the values
// kept. Cross-site posts are refused (403).
func (p *Pages) buy(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	m, err := p.approvedMerchant(r, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if p.cfg.Checkout == nil || !m.Accepting(market.KindGiftCertificate) {
		return nil, market.NotFound("Formulaire")
	}
	f := p.newBuyForm(l, m)
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	status := http.StatusBadRequest
	if err := r.ParseForm(); err != nil {
		f.FormError = l.must("buy.error.invalid")
	} else {
		f.fill(r.PostForm, m.Suggested)
		// A day that cannot be read, or without the address to send to,
		// is said at once: the checkout would refuse it anyway.
		if in, ok := f.input(l, m); ok && len(f.Errors) == 0 {
			if c, err := r.Cookie("sol_ref"); err == nil && len(c.Value) <= 64 {
				in.Ref = c.Value // the share link that brought the buyer, as the API reads it
			}
			res, err := p.checkout(r, in)
			if err == nil {
				return &page{redirect: res.CheckoutURL}, nil
			}
			if status = f.refuse(l, err); status >= 500 && !errors.Is(err, context.Canceled) {
				p.log.ErrorContext(r.Context(), "checkout failed", "merchant", m.Slug, "error", err)
			}
		}
	}
	if len(f.Errors) > 0 {
		f.Errors[0].Autofocus = true
	}
	pg, err := p.merchantPage(r, l, m, f)
	if err != nil {
		return nil, err
	}
	pg.status, pg.private = status, true
	pg.Title = l.must("buy.error.title", pg.Title)
	return pg, nil
}

// checkout opens a checkout for in, within the buyer's rate limit. A
// limiter that fails lets the sale through: a rate limit must not take the
// sale down with Redis.
func (p *Pages) checkout(r *http.Request, in market.CheckoutInput) (*market.CheckoutResult, error) {
	ctx := r.Context()
	if email, err := market.CheckEmail("buyer.email", in.BuyerEmail, true); err == nil && p.cfg.Limiter != nil {
		ok, _, err := p.cfg.Limiter.Allow(ctx, "form:checkout:buyer:"+email, checkoutPerBuyer.count, checkoutPerBuyer.per)
		if err != nil {
			p.log.WarnContext(ctx, "rate limiter unavailable", "error", err)
		} else if !ok {
			return nil, &market.Error{Code: market.ERateLimited, Message: "Trop de demandes."}
		}
	}
	return p.cfg.Checkout.Create(ctx, in)
}

// buyAgain sends a GET of the form's address (a language switch on a page
// shown again after a refused form, a reload) to the merchant's form.
func (p *Pages) buyAgain(w http.ResponseWriter, r *http.Request) {
	u := url.URL{Path: "/m/" + r.PathValue("slug"), RawQuery: r.URL.RawQuery, Fragment: "bons"}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// sameOrigin refuses a request that a browser says comes from another
// site (Sec-Fetch-Site, or Origin against Host and BaseURL): a form
// elsewhere must not spend a visitor's budget nor pay a demo order.
func (p *Pages) sameOrigin(r *http.Request) error {
	if err := p.csrf.Check(r); err != nil {
		return market.Errorf(market.EForbidden, "Requête d'un autre site refusée.")
	}
	return nil
}

// parseAmount reads an amount as people type it, in either language:
// "25", "25,50", "25.5", "1 000,00 $", "$1,000.00". The last comma or point
// followed by one or two digits is the decimal separator; any other
// separates thousands and must be followed by three digits. It returns the
// amount in minor units, and false when s is not an amount.
func parseAmount(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '$', '€':
			return -1
		}
		return r
	}, s)
	whole, frac := s, ""
	if i := strings.LastIndexAny(s, ",."); i >= 0 && len(s)-i-1 <= 2 {
		whole, frac = s[:i], s[i+1:]
	}
	if whole == "" && frac == "" || len(frac) > 2 {
		return 0, false
	}
	groups := strings.FieldsFunc(whole, func(r rune) bool { return r == ',' || r == '.' })
	if strings.Count(whole, ",")+strings.Count(whole, ".") != max(len(groups)-1, 0) ||
		strings.HasPrefix(whole, ",") || strings.HasPrefix(whole, ".") {
		return 0, false // separators side by side, or leading
	}
	digits := ""
	for i, g := range groups {
		if i > 0 && len(g) != 3 || i == 0 && len(groups) > 1 && len(g) > 3 {
			return 0, false
		}
		digits += g
	}
	if len(digits) > 9 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var n int64
	for _, c := range digits + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
