package frontend

import (
	"context"
	"net/http"

	"github.com/solidaire-app/solidaire/market"
)

// eventData is an event's page.
type eventData struct {
	Event *market.Event
	Venue *market.Merchant
	Share share
	// Buy is the purchase form of tickets; nil when nothing of the event
	// is sold online now (cancelled, past, no checkout).
	Buy *ticketForm
	// Solidarity is the money left with the venue by choice (solidarity
	// tickets, credits and donations); 0 when none or when it cannot be
	// counted.
	Solidarity int64
	Script     string // the organiser bundle (the purchase island); "" without a bundle
}

// tally is what counts an event's solidarity total (market.CancellationService, which
// Config.Tickets is in production): the public page shows it when the
// holders' service can count it, as GET /api/v1/events/{id} does.
type tally interface {
	Tally(ctx context.Context, eventID string) (*market.ChoiceTally, error)
}

// event is an event's page: when, where, its status, its tickets and the
// form to buy them. An event whose venue is not approved is 404, like the
// venue, and so is a draft.
func (p *Pages) event(r *http.Request, l *locale) (*page, error) {
	e, venue, err := p.publicEvent(r, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return p.eventPage(r, l, e, venue, p.newTicketForm(l, e, venue)), nil
}

// publicEvent returns the event with id and its venue, or ENotFound when
// either is not public (a draft, a venue not approved).
func (p *Pages) publicEvent(r *http.Request, id string) (*market.Event, *market.Merchant, error) {
	e, err := p.cfg.Catalogue.Event(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if e.Draft {
		return nil, nil, market.NotFound("Événement")
	}
	venue, err := p.approvedMerchant(r, e.MerchantSlug)
	if err != nil {
		return nil, nil, err
	}
	return e, venue, nil
}

// eventPage is the page of e with the purchase form f (nil when nothing is
// sold online).
func (p *Pages) eventPage(r *http.Request, l *locale, e *market.Event, venue *market.Merchant, f *ticketForm) *page {
	path := "/e/" + e.ID
	title := e.Title
	switch e.Status {
	case market.EventCancelled:
		title = l.must("event.title.cancelled", e.Title)
	case market.EventPostponed:
		title = l.must("event.title.postponed", e.Title)
	}
	when := l.Date(e.StartsAt, e.Currency)
	text := l.must("share.event", e.Title, when, l.AtVenue(e.MerchantName))
	d := &eventData{Event: e, Venue: venue, Share: newShare(p.baseURL(r)+path, e.Title, text), Buy: f}
	if f != nil {
		d.Script = p.assets.url("holder.js")
	}
	if t, ok := p.cfg.Tickets.(tally); ok {
		if n, err := t.Tally(r.Context(), e.ID); err == nil {
			d.Solidarity = n.SolidarityTotal
		} else {
			p.log.WarnContext(r.Context(), "solidarity total unavailable", "event", e.ID, "error", err)
		}
	}
	return &page{view: "event", Title: l.must("event.title", title, e.MerchantName),
		Description: describe(e.Summary, text),
		Image:       "/og/m/" + venue.Slug + ".png", ImageAlt: l.must("og.merchant.alt", venue.Name, l.Category(venue.Category), venue.City),
		Path: path, Section: "merchants", payment: f != nil, Data: d,
		JSONLD: jsonLD(eventJSONLD(e, venue, p.baseURL(r), "/og/m/"+venue.Slug+".png"))}
}
