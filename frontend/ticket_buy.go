package frontend

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// The purchase form of an event page: seats of each ticket type and a
// solidarity ticket, through the same checkout as gift certificates. It is
// a plain POST form to /e/{id}/billets that works without JavaScript (303
// to the payment page, or the event page again with the errors next to
// the fields, 400); the ticket island posts the same request as JSON to
// /api/v1/checkout with an Idempotency-Key.

// maxSeatsPerType is the most seats of one type the form offers at once;
// the checkout accepts up to market.MaxQuantity, a phone's picker reads
// better shorter.
const maxSeatsPerType = 10

// ticketForm is the purchase form of one event, empty or as a buyer sent it.
type ticketForm struct {
	Action     string
	Event      string
	Currency   market.Currency
	Lines      []*ticketLine
	Solidarity *formField // the solidarity ticket's amount; nil when the event sells none
	Email      *formField
	Name       *formField
	formErrors
	Total string // what the choices cost, formatted; "" when nothing is chosen yet
	Demo  bool
	Fee   string
}

// ticketLine is one ticket type of the form, with its quantity picker.
type ticketLine struct {
	Field    *formField // the quantity picker: Value is the number chosen
	Type     *market.TicketType
	Options  []int // quantities offered, 0 first
	Quantity int
	Price    string
	Seats    string // "12 places restantes", for the picker's description
}

// fields lists the inputs in the form's order.
func (f *ticketForm) fields() []*formField {
	var out []*formField
	for _, ln := range f.Lines {
		out = append(out, ln.Field)
	}
	if f.Solidarity != nil {
		out = append(out, f.Solidarity)
	}
	return append(out, f.Email, f.Name)
}

// newTicketForm returns the empty purchase form of e, or nil when nothing
// of it can be bought online now.
func (p *Pages) newTicketForm(l *locale, e *market.Event, venue *market.Merchant) *ticketForm {
	if p.cfg.Checkout == nil || !e.OnSale(l.now()) {
		return nil
	}
	f := &ticketForm{Action: "/e/" + e.ID + "/billets", Event: e.ID, Currency: e.Currency, Demo: p.cfg.DemoPayments,
		Email: &formField{ID: "courriel", Name: "email", Type: "email", Autocomplete: "email", Required: true,
			Label: l.must("buy.email"), Hint: l.must("tickets.email.hint"), Message: l.must("buy.error.email"),
			API: "buyer.email", MaxLength: 254},
		Name: &formField{ID: "nom", Name: "name", Type: "text", Autocomplete: "name",
			Label: l.must("tickets.name"), Hint: l.must("tickets.name.hint"), Message: l.must("buy.error.name"),
			API: "buyer.name", MaxLength: market.MaxName},
	}
	for _, t := range e.TicketTypes {
		if t.Price <= 0 {
			continue // free seats are not sold online
		}
		most := min(t.SeatsLeft, maxSeatsPerType)
		ln := &ticketLine{Type: t, Price: l.Money(t.Price, e.Currency),
			Field: &formField{ID: "billets-" + t.ID, Name: "qty." + t.ID, Label: t.Name,
				Message: l.must("tickets.error.seats")}}
		if t.SeatsLeft > 0 {
			ln.Seats, _ = l.Plural("seats", t.SeatsLeft)
		}
		for n := 0; n <= most; n++ {
			ln.Options = append(ln.Options, n)
		}
		f.Lines = append(f.Lines, ln)
	}
	if e.SolidarityMin > 0 {
		minimum := l.Money(e.SolidarityMin, e.Currency)
		f.Solidarity = &formField{ID: "montant-solidaire", Name: "solidarity_amount", Type: "text", InputMode: "decimal",
			Autocomplete: "off", Label: l.must("tickets.solidarity.label"), Hint: l.must("tickets.solidarity.hint", minimum),
			Message: l.must("tickets.error.solidarity", minimum), MaxLength: 20}
	}
	if len(f.Lines) == 0 && f.Solidarity == nil {
		return nil
	}
	if p.cfg.FeeBasisPoints > 0 && venue.StripeAccount != "" {
		f.Fee = l.Percent(p.cfg.FeeBasisPoints)
	}
	return f
}

// fill puts what the buyer sent into the form.
func (f *ticketForm) fill(v url.Values) {
	for _, ln := range f.Lines {
		n, err := strconv.Atoi(strings.TrimSpace(v.Get(ln.Field.Name)))
		if err != nil || n < 0 || n > len(ln.Options)-1 {
			n = 0 // only a forged form gets here: the picker offers nothing else
		}
		ln.Quantity = n
	}
	for _, fld := range []*formField{f.Solidarity, f.Email, f.Name} {
		if fld != nil {
			fld.Value = strings.TrimSpace(v.Get(fld.Name))
		}
	}
}

// input is the checkout request the form describes, with the field of each
// item (the checkout names an item's errors by its index), or false when
// the form cannot be sent as it is (its errors are then set).
func (f *ticketForm) input(l *locale) (market.CheckoutInput, []*formField, bool) {
	in := market.CheckoutInput{BuyerEmail: f.Email.Value, BuyerName: f.Name.Value, Lang: l.lang}
	var fields []*formField
	var total int64
	for _, ln := range f.Lines {
		if ln.Quantity == 0 {
			continue
		}
		in.Items = append(in.Items, market.ItemInput{Kind: market.KindTicket, Event: f.Event, TicketType: ln.Type.ID, Quantity: ln.Quantity})
		fields = append(fields, ln.Field)
		total += ln.Type.Price * int64(ln.Quantity)
	}
	if f.Solidarity != nil && f.Solidarity.Value != "" {
		amount, ok := parseAmount(f.Solidarity.Value)
		if !ok {
			f.invalid(f.Solidarity)
			return in, nil, false
		}
		in.Items = append(in.Items, market.ItemInput{Kind: market.KindSolidarityTicket, Event: f.Event, Amount: amount, Quantity: 1})
		fields = append(fields, f.Solidarity)
		total += amount
	}
	if total > 0 {
		f.Total = l.Money(total, f.Currency)
	}
	if len(in.Items) == 0 {
		f.FormError = l.must("tickets.error.none")
		return in, nil, false
	}
	return in, fields, true
}

// invalid marks fld as wrong, with its message.
func (f *ticketForm) invalid(fld *formField) { f.formErrors.invalid(fld, f.fields()) }

// refuse shows why the checkout refused the form, next to the fields it
// names (an item by its index in items) or above the button, and returns
// the status of the answer.
func (f *ticketForm) refuse(l *locale, err error, items []*formField) int {
	var me *market.Error
	errors.As(err, &me)
	code := market.ErrorCode(err)
	switch code {
	case market.EInvalid, market.ESoldOut:
		for name := range me.Fields {
			switch {
			case name == f.Email.API:
				f.invalid(f.Email)
			case name == f.Name.API:
				f.invalid(f.Name)
			case strings.HasPrefix(name, "items["):
				i, err := strconv.Atoi(name[len("items["):strings.IndexByte(name, ']')])
				if err == nil && i >= 0 && i < len(items) && !strings.HasSuffix(name, ".event") {
					f.invalid(items[i])
				}
			}
		}
		if len(f.Errors) == 0 {
			f.FormError = l.must("buy.error.invalid")
		}
		if code == market.ESoldOut {
			return http.StatusConflict
		}
		return http.StatusBadRequest
	case market.EEventNotOnSale:
		f.FormError = l.must("tickets.error.notonsale")
		return http.StatusBadRequest
	case market.EMerchantNotReady:
		f.FormError = l.must("tickets.error.notready")
		return http.StatusConflict
	}
	return f.refuseOther(l, err)
}

// buyTickets answers the event page's form posted without JavaScript: 303
// to the payment page, or the event page again with the errors and the
// values kept. Cross-site posts are refused (403).
func (p *Pages) buyTickets(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	e, venue, err := p.publicEvent(r, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	f := p.newTicketForm(l, e, venue)
	if f == nil {
		return nil, market.NotFound("Formulaire")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	status := http.StatusBadRequest
	if err := r.ParseForm(); err != nil {
		f.FormError = l.must("buy.error.invalid")
	} else {
		f.fill(r.PostForm)
		if in, items, ok := f.input(l); ok {
			if c, err := r.Cookie("sol_ref"); err == nil && len(c.Value) <= 64 {
				in.Ref = c.Value // the share link that brought the buyer, as the API reads it
			}
			res, err := p.checkout(r, in)
			if err == nil {
				return &page{redirect: res.CheckoutURL}, nil
			}
			if status = f.refuse(l, err, items); status >= 500 && !errors.Is(err, context.Canceled) {
				p.log.ErrorContext(r.Context(), "checkout failed", "event", e.ID, "error", err)
			}
		}
	}
	if len(f.Errors) > 0 {
		f.Errors[0].Autofocus = true
	}
	pg := p.eventPage(r, l, e, venue, f)
	pg.status, pg.private = status, true
	pg.Title = l.must("buy.error.title", pg.Title)
	return pg, nil
}

// buyTicketsAgain sends a GET of the form's address (a language switch on
// a page shown again after a refused form, a reload) to the event's form.
func (p *Pages) buyTicketsAgain(w http.ResponseWriter, r *http.Request) {
	u := url.URL{Path: "/e/" + r.PathValue("id"), RawQuery: r.URL.RawQuery, Fragment: "billets"}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
