package market

import (
	"context"
	"time"
)

// ItemKind is what can be bought from a seller.
type ItemKind string

// The kinds of items an order can hold.
const (
	KindGiftCertificate  ItemKind = "gift_certificate"
	KindTicket           ItemKind = "ticket"
	KindSolidarityTicket ItemKind = "solidarity_ticket"
	// KindProgrammeCard is a town programme's card, spendable at every
	// merchant of the programme.
	KindProgrammeCard ItemKind = "programme_card"
)

// MerchantStatus is where a merchant stands in onboarding.
type MerchantStatus string

// Merchant statuses: only approved merchants are listed and sold.
const (
	MerchantPending  MerchantStatus = "pending"
	MerchantApproved MerchantStatus = "approved"
	MerchantClosed   MerchantStatus = "closed"
	// MerchantRefused is an application an admin turned down, with a
	// reason (RefusedReason) mailed to the applicant.
	MerchantRefused MerchantStatus = "refused"
	// MerchantProgramme is a programme's operator: the seller of record of
	// its cards, never listed.
	MerchantProgramme MerchantStatus = "programme"
)

// Merchant is a local business (or venue) that sells through Solidaire.
type Merchant struct {
	ID          string
	Slug        string
	Name        string
	Category    Category
	City        string
	Address     string
	Summary     string // one sentence for cards
	Description string // a few paragraphs for the merchant page
	Website     string
	Currency    Currency
	Accepts     []ItemKind
	MinAmount   int64   // smallest certificate, minor units
	MaxAmount   int64   // largest certificate, minor units
	Suggested   []int64 // suggested certificate amounts, minor units
	Status      MerchantStatus
	// StripeAccount is the merchant's Stripe Connect account, where its
	// sales are paid; ChargesEnabled is Stripe's word that it can be paid.
	StripeAccount  string
	ChargesEnabled bool
	// What Stripe said of the account when last asked (PaymentsCheckedAt):
	// whether it pays out, what it still needs, why it cannot be charged.
	PayoutsEnabled         bool
	PaymentsDue            []string
	PaymentsDisabledReason string
	PaymentsCheckedAt      time.Time
	// Registration is the business number (NEQ in Québec, SIRET in France)
	// an admin checks before approving; the contacts are for Solidaire.
	Registration string
	ContactEmail string
	ContactPhone string
	// RefusedReason is why an admin refused the application (status
	// refused); only the admin listing reads it.
	RefusedReason string
	CreatedAt     time.Time

	// The public page the merchant runs itself (see merchantpage.go):
	// Description stays the French text, DescriptionEN the optional
	// English one; Website is the first of its links.
	DescriptionEN string
	Facebook      string
	Instagram     string
	Hours         []OpeningHours
	// Today's status, its note and the date it lapses by itself (zero:
	// none); read it through StatusAt.
	OpenStatus  OpenStatus
	StatusNote  string
	StatusUntil time.Time
	// Cover is the cover photo (the first visible one), nil without.
	Cover *PagePhoto
}

// StatusAt is the merchant's status at now: one whose until date has
// passed has lapsed (empty).
func (m *Merchant) StatusAt(now time.Time) OpenStatus {
	if !m.StatusUntil.IsZero() && !now.Before(m.StatusUntil) {
		return ""
	}
	return m.OpenStatus
}

// Accepting reports whether the merchant sells items of kind k.
func (m *Merchant) Accepting(k ItemKind) bool {
	for _, a := range m.Accepts {
		if a == k {
			return true
		}
	}
	return false
}

// Validate checks a merchant before it is stored; it returns EInvalid naming
// the first wrong field.
func (m *Merchant) Validate() error {
	switch {
	case m.Slug == "" || m.Slug != Slugify(m.Slug):
		return Invalid("slug", "must be lower-case letters, digits and hyphens")
	case m.Name == "":
		return Invalid("name", "is required")
	case !m.Category.Valid():
		return Invalid("category", "unknown category")
	case CityKey(m.City) == "":
		return Invalid("city", "is required")
	case !m.Currency.Valid():
		return Invalid("currency", "unknown currency")
	case m.MinAmount <= 0 || m.MaxAmount < m.MinAmount || m.MaxAmount > MaxAmount:
		return Invalid("max_amount", "amounts must satisfy 0 < min <= max <= 1000000")
	}
	for _, s := range m.Suggested {
		if s < m.MinAmount || s > m.MaxAmount {
			return Invalid("suggested", "must lie between min and max")
		}
	}
	return nil
}

// MerchantFilter selects merchants in a listing. Zero fields select all.
type MerchantFilter struct {
	Query    string   // free text: each of its terms (SearchTerms) begins a word of the name, summary, city or category names
	Category Category // exact category
	City     string   // city, by its key (CityKey: "montreal" matches "Montréal")
	// Status keeps the merchants whose status is it today (one that
	// lapsed does not match).
	Status OpenStatus
	Page   Page
}

// MerchantService reads and writes merchants. ListMerchants lists approved
// merchants only; Merchant returns one whatever its status (callers decide
// who may see a pending one) and ENotFound for an unknown slug.
type MerchantService interface {
	ListMerchants(ctx context.Context, f MerchantFilter) ([]*Merchant, string, error)
	Merchant(ctx context.Context, slug string) (*Merchant, error)
	CreateMerchant(ctx context.Context, m *Merchant) error
	Cities(ctx context.Context) ([]string, error)
}

// Location is the merchant's time zone, for "today" at the till and the
// dates of its ledger: Europe/Paris for euro merchants, America/Toronto
// (Québec's zone) otherwise.
func (m *Merchant) Location() *time.Location {
	name := "America/Toronto"
	if m.Currency == EUR {
		name = "Europe/Paris"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
