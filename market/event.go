package market

import (
	"context"
	"time"
)

// EventStatus is where an event stands.
type EventStatus string

// Event statuses.
const (
	EventScheduled EventStatus = "scheduled"
	EventPostponed EventStatus = "postponed"
	EventCancelled EventStatus = "cancelled"
)

// Valid reports whether s is a known event status.
func (s EventStatus) Valid() bool {
	return s == EventScheduled || s == EventPostponed || s == EventCancelled
}

// Event is a show, a dinner, a festival day: something with a date that sells
// tickets, held by a merchant (the venue or organiser).
type Event struct {
	ID            string
	MerchantID    string
	MerchantSlug  string // the venue's slug, read-only
	MerchantName  string // the venue's name, read-only
	Title         string
	Summary       string
	Description   string
	City          string
	StartsAt      time.Time
	Status        EventStatus
	StatusNote    string // why it was cancelled or postponed
	Currency      Currency
	SolidarityMin int64 // smallest solidarity ticket, minor units; 0: none sold
	TicketTypes   []*TicketType
	// Draft events are seen by their organisers only; the others are
	// listed and sold.
	Draft bool
	// Choices is what holders were offered when the event was cancelled or
	// postponed; nil otherwise.
	Choices   *CancelOptions
	CreatedAt time.Time
}

// OnSale reports whether tickets can be bought now.
func (e *Event) OnSale(now time.Time) bool {
	return !e.Draft && e.Status != EventCancelled && e.StartsAt.After(now)
}

// TicketType is a kind of seat for an event, with its price and inventory.
type TicketType struct {
	ID        string
	EventID   string
	Name      string
	Price     int64 // minor units
	Capacity  int
	SeatsLeft int
}

// Validate checks an event before it is stored; EInvalid names the field.
func (e *Event) Validate() error {
	switch {
	case e.Title == "":
		return Invalid("title", "is required")
	case e.MerchantID == "":
		return Invalid("merchant", "is required")
	case e.StartsAt.IsZero():
		return Invalid("starts_at", "is required")
	case !e.Status.Valid():
		return Invalid("status", "unknown status")
	case !e.Currency.Valid():
		return Invalid("currency", "unknown currency")
	case e.SolidarityMin < 0 || e.SolidarityMin > MaxAmount:
		return Invalid("solidarity_min", "out of range")
	}
	for _, t := range e.TicketTypes {
		if t.Name == "" {
			return Invalid("ticket_types", "a ticket type needs a name")
		}
		if t.Price < 0 || t.Price > MaxAmount || t.Capacity < 0 || t.SeatsLeft < 0 || t.SeatsLeft > t.Capacity {
			return Invalid("ticket_types", "price and seats out of range")
		}
	}
	return nil
}

// EventFilter selects events in a listing. Zero fields select all.
type EventFilter struct {
	Status   EventStatus
	Merchant string    // venue slug
	Upcoming bool      // only events that start after now
	City     string    // the venue's city, any spelling of it (CityKey)
	Category Category  // the venue's category
	From     time.Time // only events starting at or after From
	To       time.Time // only events starting before To
	Page     Page
}

// EventService reads and writes events. Event returns ENotFound for an
// unknown id.
type EventService interface {
	ListEvents(ctx context.Context, f EventFilter) ([]*Event, string, error)
	Event(ctx context.Context, id string) (*Event, error)
	CreateEvent(ctx context.Context, e *Event) error
}
