package frontend

import (
	"net/http"

	"github.com/solidaire-app/solidaire/market"
)

// eventData is an event's page.
type eventData struct {
	Event *market.Event
	Venue *market.Merchant
	Share share
}

// event is an event's page: when, where, its status, its tickets. An event
// whose venue is not approved is 404, like the venue.
func (p *Pages) event(r *http.Request, l *locale) (*page, error) {
	e, err := p.cfg.Catalogue.Event(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	venue, err := p.approvedMerchant(r, e.MerchantSlug)
	if err != nil {
		return nil, err
	}
	path := "/e/" + e.ID
	title := e.Title
	switch e.Status {
	case market.EventCancelled:
		title = l.must("event.title.cancelled", e.Title)
	case market.EventPostponed:
		title = l.must("event.title.postponed", e.Title)
	}
	when := l.Date(e.StartsAt, e.Currency)
	text := l.must("share.event", e.Title, when, e.MerchantName)
	return &page{view: "event", Title: l.must("event.title", title, e.MerchantName),
		Description: describe(e.Summary, text),
		Image:       "/og/m/" + venue.Slug + ".png", ImageAlt: l.must("og.merchant.alt", venue.Name, l.Category(venue.Category), venue.City),
		Path: path, Section: "merchants",
		Data: &eventData{Event: e, Venue: venue, Share: newShare(p.baseURL(r)+path, e.Title, text)}}, nil
}
