package frontend

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// The holder's ticket: /billet/{code}, and /T/{code}, the upper-case
// address its QR code holds. The code is the bearer, as for vouchers. When
// the event is cancelled or postponed, the page offers the holder's
// choices as big buttons, each with a confirmation that says what happens;
// once a choice is made, its outcome. Without JavaScript a choice is a
// POST to /billet/{code}: the first one (without confirm=1) shows the
// confirmation, the second records it and answers 303 to the page. The
// ticket island opens the confirmation in a dialog instead and records the
// choice through POST /api/v1/tickets/{code}/choice.
//
// Opened from the mail that tells a holder of all their tickets
// (/billet/{code}?tous={key}), the page chooses for all of them: the key
// rides along in the forms (tous), the choice posts without the island
// (which chooses for one ticket) and is applied through ChooseAll.

// holderTickets chooses for all of a holder's tickets of an event with the
// holder's key (market.CancellationService); ENotFound for a key that is
// not the ticket's holder's.
type holderTickets interface {
	ChooseAll(ctx context.Context, code, key string, c market.Choice) (*market.ChoiceBatch, error)
}

// eHolderKey is the refusal of a key that does not open the holder's
// tickets, on the page only.
const eHolderKey = "holder_key_invalid"

// ticketData is the holder's page.
type ticketData struct {
	Ticket  *market.Ticket
	Event   *market.Event
	Venue   *market.Merchant // nil when the venue is no longer listed
	Code    string           // the ticket's code in groups
	Action  string           // the address choices are posted to
	QR      string           // the QR code's image; "" when the ticket cannot be used at the door
	Status  string           // the ticket's state, in words
	Notice  string           // why the ticket cannot be used (disputed, void, used at the door); "" when it can
	Price   string           // what was paid, formatted
	Choices []*choiceOption  // the choices open now, in the order offered
	Intro   []string         // what the holder should know before choosing
	Outcome *ticketOutcome   // what the choice made of the ticket; nil before a choice
	Confirm *choiceOption    // the choice awaiting its confirmation (without JavaScript)
	Error   string           // why a choice was refused
	Script  string           // the organiser bundle (the choice island); "" without a bundle
	AllKey  string           // the holder's key: the choices apply to all their tickets; "" for this ticket only
	AllNote string           // what a choice for all does, or what it did
	OneOnly string           // the page of this ticket alone, when AllKey is set
}

// choiceOption is one of the holder's choices: its button, and its
// confirmation.
type choiceOption struct {
	Choice  market.Choice
	Label   string // the button
	Hint    string // under the button: what it gives, in one line
	Heading string // the confirmation's question
	Text    string // the confirmation: what happens, and whether it is final
}

// ticketOutcome is what the holder's choice did.
type ticketOutcome struct {
	Kind    string // refund, credit, donate, keep; the notice's colour
	Heading string
	Text    string
	Voucher string // the credit voucher's page
}

// ticket is the holder's page.
func (p *Pages) ticket(r *http.Request, l *locale) (*page, error) {
	return p.ticketPage(r, l, "", nil)
}

// ticketPage builds the holder's page of the code in the request, with the
// choice awaiting confirmation and the error to show, if any.
func (p *Pages) ticketPage(r *http.Request, l *locale, confirm market.Choice, failure error) (*page, error) {
	if pg := p.lookupAllowed(r, l); pg != nil {
		return pg, nil
	}
	if p.cfg.Tickets == nil {
		return nil, market.NotFound("Billet")
	}
	ctx := r.Context()
	v, err := p.cfg.Tickets.View(ctx, r.PathValue("code"))
	if market.ErrorCode(err) == market.ENotFound {
		return messagePage(http.StatusNotFound, l, "ticket.notfound"), nil
	}
	if err != nil {
		return nil, err
	}
	t, e := v.Ticket, v.Event
	d := &ticketData{Ticket: t, Event: e, Code: market.GroupCode(t.Code), Action: "/billet/" + t.Code,
		Price: l.Money(t.Price, t.Currency), Script: p.assets.url("holder.js")}
	m, err := p.cfg.Catalogue.Merchant(ctx, e.MerchantSlug)
	switch {
	case err == nil && m.Status == market.MerchantApproved:
		d.Venue = m
	case err != nil && market.ErrorCode(err) != market.ENotFound:
		return nil, err
	}
	d.Status = ticketStatus(l, t, e)
	usable := t.Kind == market.KindTicket && t.Status == market.TicketValid && e.Status != market.EventCancelled &&
		(t.Choice == "" || t.Choice == market.ChoiceKeep)
	if usable {
		d.QR = "/api/v1/tickets/" + t.Code + "/qr.png"
	}
	for _, c := range v.Choices {
		o := choiceFor(l, c, t, e)
		d.Choices = append(d.Choices, o)
		if c == confirm {
			d.Confirm = o
		}
	}
	d.Intro = choiceIntro(l, e, v.Choices)
	if key := allKey(r); key != "" && len(v.Choices) > 0 {
		if _, ok := p.cfg.Tickets.(holderTickets); ok {
			d.AllKey, d.AllNote, d.OneOnly = key, l.must("ticket.all.note"), "/billet/"+t.Code
			d.Action = "/billet/" + t.Code + "?tous=" + url.QueryEscape(key)
		}
	}
	if n := r.URL.Query().Get("faits"); n != "" && len(v.Choices) == 0 {
		done, _ := strconv.Atoi(n)
		kept, _ := strconv.Atoi(r.URL.Query().Get("gardes"))
		d.AllNote = l.must("ticket.all.done", done, kept)
	}
	d.Outcome = outcomeOf(l, t, e)
	switch {
	case t.Status == market.TicketDisputed:
		d.Notice = l.must("ticket.disputed")
	case t.Status == market.TicketVoid:
		d.Notice = l.must("ticket.void")
	case !t.CheckedInAt.IsZero() && t.Choice == "" && e.Choices != nil:
		// The event was cancelled or postponed after the holder came in:
		// there is nothing left to choose, and the page says why.
		d.Notice = l.must("ticket.error.checkedin")
	}
	switch market.ErrorCode(failure) {
	case "":
	case market.EChoiceAlreadyMade:
		d.Error = l.must("ticket.error.taken")
	case market.EChoiceNotOpen:
		d.Error = l.must("ticket.error.closed")
	case market.ETicketCheckedIn:
		d.Error, d.Notice = l.must("ticket.error.checkedin"), ""
	case eHolderKey:
		d.Error = l.must("ticket.all.invalid")
	default:
		d.Error = l.must("ticket.error.failed")
	}
	pg := &page{view: "ticket", Title: l.must("ticket.title", e.Title), Description: l.must("ticket.description", e.Title, l.AtVenue(e.MerchantName)),
		Path: "/billet/" + t.Code, NoIndex: true, private: true, Data: d}
	return pg, nil
}

// ticketStatus says where a ticket stands.
func ticketStatus(l *locale, t *market.Ticket, e *market.Event) string {
	switch {
	case t.Status == market.TicketDisputed:
		return l.must("ticket.status.disputed")
	case t.Status == market.TicketVoid:
		return l.must("ticket.status.void")
	case t.Status == market.TicketRefunded:
		return l.must("ticket.status.refunded")
	case t.Status == market.TicketCredited:
		return l.must("ticket.status.credited")
	case t.Status == market.TicketDonated:
		return l.must("ticket.status.donated")
	case !t.CheckedInAt.IsZero():
		return l.must("ticket.status.used", l.Date(t.CheckedInAt, t.Currency))
	case e.Status == market.EventCancelled:
		return l.must("ticket.status.cancelled")
	}
	return l.must("ticket.status.valid")
}

// choiceFor is the button and the confirmation of choice c for t.
func choiceFor(l *locale, c market.Choice, t *market.Ticket, e *market.Event) *choiceOption {
	price, venue := l.Money(t.Price, t.Currency), e.MerchantName
	o := &choiceOption{Choice: c}
	switch c {
	case market.ChoiceRefund:
		o.Label, o.Hint = l.must("ticket.choice.refund"), l.must("ticket.choice.refund.hint", price)
		o.Heading, o.Text = l.must("ticket.confirm.refund", price), l.must("ticket.confirm.refund.text", price)
	case market.ChoiceCredit:
		bonus := int64(0)
		pct := 0
		if e.Choices != nil {
			pct = e.Choices.CreditBonusPercent
			bonus = t.Price * int64(pct) / 100
		}
		total := l.Money(t.Price+bonus, t.Currency)
		o.Label = l.must("ticket.choice.credit")
		o.Text = l.must("ticket.confirm.credit.plain", total, venue)
		if bonus > 0 {
			o.Label = l.must("ticket.choice.credit.bonus", pct)
			o.Text = l.must("ticket.confirm.credit.text", total, venue, price, l.Money(bonus, t.Currency))
		}
		o.Hint, o.Heading = l.must("ticket.choice.credit.hint", total, venue), l.must("ticket.confirm.credit", total)
	case market.ChoiceDonate:
		o.Label, o.Hint = l.must("ticket.choice.donate"), l.must("ticket.choice.donate.hint", price, l.WithVenue(venue))
		o.Heading, o.Text = l.must("ticket.confirm.donate", price, venue), l.must("ticket.confirm.donate.text", price)
	case market.ChoiceKeep:
		when := l.Date(e.StartsAt, e.Currency)
		o.Label, o.Hint = l.must("ticket.choice.keep"), l.must("ticket.choice.keep.hint", when)
		o.Heading, o.Text = l.must("ticket.confirm.keep"), l.must("ticket.confirm.keep.text", when)
	}
	return o
}

// choiceIntro is what a holder should know before choosing: the deadline,
// what happens without an answer, and that a refund of a cancelled show
// stays possible.
func choiceIntro(l *locale, e *market.Event, open []market.Choice) []string {
	if len(open) == 0 || e.Choices == nil {
		return nil
	}
	var out []string
	late := !e.Choices.Deadline.IsZero() && l.now().After(e.Choices.Deadline)
	switch {
	case e.Status == market.EventCancelled && late:
		return []string{l.must("ticket.choices.late")}
	case e.Status == market.EventPostponed:
		out = append(out, l.must("ticket.choices.postponed"))
	}
	if !e.Choices.Deadline.IsZero() {
		out = append(out, l.must("ticket.choices.deadline", l.Date(e.Choices.Deadline, e.Currency)))
	}
	switch {
	case e.Status == market.EventPostponed:
		out = append(out, l.must("ticket.choices.keep.default"))
	case e.Choices.Default == market.ChoiceCredit:
		out = append(out, l.must("ticket.choices.default.credit"))
	default:
		out = append(out, l.must("ticket.choices.default.refund"))
	}
	if e.Status == market.EventCancelled {
		out = append(out, l.must("ticket.choices.refund.always"))
	}
	return out
}

// outcomeOf is what the holder's choice made of t, or nil before a choice.
func outcomeOf(l *locale, t *market.Ticket, e *market.Event) *ticketOutcome {
	price := l.Money(t.Price, t.Currency)
	switch t.Choice {
	case market.ChoiceRefund:
		if t.Status == market.TicketRefunded {
			return &ticketOutcome{Kind: "success", Heading: l.must("ticket.outcome.refund"), Text: l.must("ticket.outcome.refund.text", price)}
		}
		return &ticketOutcome{Kind: "info", Heading: l.must("ticket.outcome.refunding"), Text: l.must("ticket.outcome.refunding.text", price)}
	case market.ChoiceCredit:
		if t.Status == market.TicketCredited && t.ChoiceRef != "" {
			return &ticketOutcome{Kind: "success", Heading: l.must("ticket.outcome.credit"),
				Text: l.must("ticket.outcome.credit.text", e.MerchantName), Voucher: "/v/" + t.ChoiceRef}
		}
		return &ticketOutcome{Kind: "info", Heading: l.must("ticket.outcome.crediting"), Text: l.must("ticket.outcome.crediting.text")}
	case market.ChoiceDonate:
		return &ticketOutcome{Kind: "success", Heading: l.must("ticket.outcome.donate"), Text: l.must("ticket.outcome.donate.text", price, l.WithVenue(e.MerchantName))}
	case market.ChoiceKeep:
		return &ticketOutcome{Kind: "success", Heading: l.must("ticket.outcome.keep"),
			Text: l.must("ticket.outcome.keep.text", l.Date(e.StartsAt, e.Currency))}
	}
	return nil
}

// chooseForTicket answers a choice posted without JavaScript: without
// confirm=1, the page with the choice's confirmation; with it, the choice
// recorded and 303 to the page, which shows its outcome. A choice that is
// not (or no longer) open shows the page again with why (409). Cross-site
// posts are refused (403).
func (p *Pages) chooseForTicket(r *http.Request, l *locale) (*page, error) {
	if err := p.sameOrigin(r); err != nil {
		return nil, err
	}
	if p.cfg.Tickets == nil {
		return nil, market.NotFound("Billet")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		pg, err := p.ticketPage(r, l, "", market.Invalid("choice", "unreadable form"))
		if err == nil {
			pg.status = http.StatusBadRequest
		}
		return pg, err
	}
	choice := market.Choice(r.PostForm.Get("choice"))
	if r.PostForm.Get("confirm") != "1" {
		pg, err := p.ticketPage(r, l, choice, nil)
		if err == nil && pg.view == "ticket" && pg.Data.(*ticketData).Confirm == nil {
			why := market.EChoiceNotOpen
			if d := pg.Data.(*ticketData); !d.Ticket.CheckedInAt.IsZero() && d.Ticket.Choice == "" && choice != market.ChoiceKeep {
				why = market.ETicketCheckedIn
			}
			return p.refusedChoice(r, l, &market.Error{Code: why})
		}
		return pg, err
	}
	// The holder's choice is carried out even if the phone hangs up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	if key := allKey(r); key != "" {
		if all, ok := p.cfg.Tickets.(holderTickets); ok {
			return p.chooseForAll(ctx, r, l, all, key, choice)
		}
	}
	t, err := p.cfg.Tickets.Choose(ctx, r.PathValue("code"), choice)
	switch market.ErrorCode(err) {
	case "":
		return &page{redirect: "/billet/" + t.Code}, nil
	case market.ENotFound:
		return messagePage(http.StatusNotFound, l, "ticket.notfound"), nil
	case market.EChoiceAlreadyMade, market.EChoiceNotOpen, market.ETicketCheckedIn:
		// ETicketCheckedIn: the ticket was used at the door, perhaps
		// since the page was shown.
		return p.refusedChoice(r, l, err)
	}
	return nil, err
}

// refusedChoice is the holder's page again, saying why the choice was
// refused, with the 409 status.
func (p *Pages) refusedChoice(r *http.Request, l *locale, why error) (*page, error) {
	pg, err := p.ticketPage(r, l, "", why)
	if err == nil && pg.view == "ticket" {
		pg.status = http.StatusConflict
	}
	return pg, err
}

// allKey is the holder's key the request carries (?tous=), if any.
func allKey(r *http.Request) string {
	return market.NormalizeCode(r.URL.Query().Get("tous"))
}

// chooseForAll records a confirmed choice for all of the holder's tickets
// and answers 303 to the ticket's page, which says how many were chosen
// for and how many kept their choice; a key that is not the holder's
// shows the page again with why (409).
func (p *Pages) chooseForAll(ctx context.Context, r *http.Request, l *locale, all holderTickets, key string, choice market.Choice) (*page, error) {
	code := market.NormalizeCode(r.PathValue("code"))
	b, err := all.ChooseAll(ctx, code, key, choice)
	switch {
	case err == nil:
		return &page{redirect: "/billet/" + code + "?faits=" + strconv.Itoa(len(b.Chosen)) + "&gardes=" + strconv.Itoa(len(b.Skipped))}, nil
	case market.ErrorCode(err) != market.ENotFound:
		return nil, err
	}
	if _, err := p.cfg.Tickets.View(ctx, code); market.ErrorCode(err) == market.ENotFound {
		return messagePage(http.StatusNotFound, l, "ticket.notfound"), nil
	}
	r.URL.RawQuery = "" // the key opens nothing: the page chooses for this ticket
	return p.refusedChoice(r, l, &market.Error{Code: eHolderKey})
}
