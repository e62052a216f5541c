package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// eventJSON is an event as clients see it.
type eventJSON struct {
	ID            string             `json:"id"`
	Title         string             `json:"title"`
	Summary       string             `json:"summary"`
	Description   string             `json:"description"`
	Merchant      merchantRef        `json:"merchant"`
	City          string             `json:"city"`
	StartsAt      time.Time          `json:"starts_at"`
	Status        market.EventStatus `json:"status"`
	StatusNote    string             `json:"status_note,omitempty"`
	Currency      market.Currency    `json:"currency"`
	SolidarityMin *market.Money      `json:"solidarity_min"`
	TicketTypes   []ticketTypeJSON   `json:"ticket_types"`
	// SolidarityTotal is the money left with the venue by choice
	// (solidarity tickets, credits, donations); on the event's own page.
	SolidarityTotal *market.Money `json:"solidarity_total,omitempty"`
	Draft           bool          `json:"draft,omitempty"`
}

type merchantRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type ticketTypeJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Price     market.Money `json:"price"`
	Capacity  int          `json:"capacity"`
	SeatsLeft int          `json:"seats_left"`
}

func newEventJSON(e *market.Event) eventJSON {
	out := eventJSON{ID: e.ID, Title: e.Title, Summary: e.Summary, Description: e.Description,
		Merchant: merchantRef{e.MerchantSlug, e.MerchantName}, City: e.City, StartsAt: e.StartsAt,
		Status: e.Status, StatusNote: e.StatusNote, Currency: e.Currency, Draft: e.Draft,
		TicketTypes: make([]ticketTypeJSON, len(e.TicketTypes))}
	if e.SolidarityMin > 0 {
		out.SolidarityMin = &market.Money{Amount: e.SolidarityMin, Currency: e.Currency}
	}
	for i, t := range e.TicketTypes {
		out.TicketTypes[i] = ticketTypeJSON{ID: t.ID, Name: t.Name,
			Price: market.Money{Amount: t.Price, Currency: e.Currency}, Capacity: t.Capacity, SeatsLeft: t.SeatsLeft}
	}
	return out
}

// listEvents answers GET /api/v1/events?status=&merchant=&city=&category=&from=&to=&limit=&cursor=.
func (s *Server) listEvents(c *gin.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	status := market.EventStatus(c.Query("status"))
	if status != "" && !status.Valid() {
		return market.Invalid("status", "must be scheduled, postponed or cancelled")
	}
	merchant, err := text(c, "merchant", 100)
	if err != nil {
		return err
	}
	city, err := text(c, "city", 100)
	if err != nil {
		return err
	}
	cat := market.Category(c.Query("category"))
	if cat != "" && !cat.Valid() {
		return market.Invalid("category", "unknown category")
	}
	from, err := instant(c, "from")
	if err != nil {
		return err
	}
	to, err := instant(c, "to")
	if err != nil {
		return err
	}
	events, next, err := s.cfg.Catalogue.ListEvents(c.Request.Context(), market.EventFilter{Status: status, Merchant: merchant,
		City: city, Category: cat, From: from, To: to, Page: p})
	if err != nil {
		return err
	}
	out := list[eventJSON]{Data: make([]eventJSON, len(events)), NextCursor: next}
	for i, e := range events {
		out.Data[i] = newEventJSON(e)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// getEvent answers GET /api/v1/events/{id}.
func (s *Server) getEvent(c *gin.Context) error {
	e, err := s.cfg.Catalogue.Event(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if e.Draft {
		return market.NotFound("Événement")
	}
	out := newEventJSON(e)
	if s.cfg.Tickets != nil {
		if t, err := s.cfg.Tickets.Tally(c.Request.Context(), e.ID); err == nil {
			out.SolidarityTotal = &market.Money{Amount: t.SolidarityTotal, Currency: e.Currency}
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// instant reads an optional RFC 3339 date-time query parameter; zero when
// it is absent, EInvalid when it is malformed.
func instant(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, market.Invalid(name, "must be an RFC 3339 date-time, for example 2027-01-02T00:00:00-05:00")
	}
	return t, nil
}
