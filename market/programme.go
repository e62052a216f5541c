package market

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Programme is a town's solidarity card (a merchants' association's too):
// one card, bought on the programme's page, spendable at every merchant the
// programme accepted, topped up by a sponsor's matching fund. The card is
// a voucher of the programme's operator row (a merchant that is never
// listed), so it has the same ledger, the same conditional debit and the
// same disputes as any voucher; where it can be spent is a relation
// between the programme and its merchants, checked by the debit itself.
type Programme struct {
	ID          string
	Slug        string
	Name        string
	City        string
	Currency    Currency
	Description string
	OperatorID  string // the merchants row that sells the cards
	Fund        Fund
	Bonus       BonusRule
	MinAmount   int64 // smallest card, minor units
	MaxAmount   int64 // largest card
	Caps        Caps
	// BonusExpiresAt is when the bonus part of every card expires (the
	// paid value never does); what is left of it goes back to the fund.
	BonusExpiresAt time.Time
	SalesOpenAt    time.Time // zero: open from creation
	SalesCloseAt   time.Time // zero: no end
	// Waitlist: once the fund is spent, the page offers a waiting list
	// besides a card without bonus.
	Waitlist  bool
	Status    ProgrammeStatus
	CreatedAt time.Time
}

// ProgrammeStatus is whether a programme sells.
type ProgrammeStatus string

// Programme statuses.
const (
	ProgrammeActive ProgrammeStatus = "active"
	ProgrammeClosed ProgrammeStatus = "closed"
)

// Fund is a programme's matching fund, in minor units: a ledger whose
// remaining part can never go below zero. A bonus is reserved when checkout
// starts, issued when the payment comes (or released when it does not),
// and what a card leaves of it when it expires is returned.
type Fund struct {
	Total     int64
	Remaining int64 // can still be promised
	Reserved  int64 // held by pending orders
	Issued    int64 // given to cards
	Returned  int64 // expired on cards, back in Remaining
}

// Committed is what the fund has promised or given and not had back.
func (f Fund) Committed() int64 { return f.Reserved + f.Issued - f.Returned }

// BonusRule says what a card of an amount gets from the fund: a percent of
// the amount with a cap per card, or tiers (the highest tier whose From the
// amount reaches).
type BonusRule struct {
	Percent    int64  `json:"percent,omitempty"`
	MaxPerCard int64  `json:"max_per_card,omitempty"`
	Tiers      []Tier `json:"tiers,omitempty"`
}

// Tier is one step of a tiered bonus: from this amount, this bonus.
type Tier struct {
	From  int64 `json:"from"`
	Bonus int64 `json:"bonus"`
}

// Caps limit what one buyer (an email, normalised) may buy of a programme,
// pending orders included: how many cards, and how much paid value. Zero
// means no cap.
type Caps struct {
	CardsPerBuyer  int64
	AmountPerBuyer int64
}

// Programme error codes.
const (
	EFundExhausted   = "fund_exhausted"   // 409: the fund cannot cover the bonus
	ECapReached      = "cap_reached"      // 409: the buyer reached a cap
	EProgrammeClosed = "programme_closed" // 409: not selling now
)

// BonusFor returns the bonus a card of amount gets under the rule.
func (r BonusRule) BonusFor(amount int64) int64 {
	if len(r.Tiers) > 0 {
		bonus := int64(0)
		for _, t := range r.Tiers {
			if amount >= t.From {
				bonus = t.Bonus
			}
		}
		return bonus
	}
	b := amount * r.Percent / 100
	if r.MaxPerCard > 0 && b > r.MaxPerCard {
		b = r.MaxPerCard
	}
	return b
}

// Validate checks a rule: a percent of 0 to 400 with a non-negative cap, or
// tiers with positive, increasing amounts and non-negative bonuses.
func (r *BonusRule) Validate() error {
	if len(r.Tiers) > 0 {
		if r.Percent != 0 || r.MaxPerCard != 0 {
			return Invalid("bonus", "either a percent or tiers, not both")
		}
		if len(r.Tiers) > 20 {
			return Invalid("bonus.tiers", "at most 20 tiers")
		}
		sort.Slice(r.Tiers, func(i, j int) bool { return r.Tiers[i].From < r.Tiers[j].From })
		for i, t := range r.Tiers {
			field := fmt.Sprintf("bonus.tiers[%d]", i)
			switch {
			case t.From <= 0 || t.From > MaxAmount:
				return Invalid(field+".from", "must be a positive amount")
			case t.Bonus < 0 || t.Bonus > MaxAmount:
				return Invalid(field+".bonus", "must not be negative")
			case i > 0 && t.From == r.Tiers[i-1].From:
				return Invalid(field+".from", "each tier once")
			}
		}
		return nil
	}
	switch {
	case r.Percent < 0 || r.Percent > 400:
		return Invalid("bonus.percent", "must be 0 to 400")
	case r.MaxPerCard < 0 || r.MaxPerCard > MaxAmount:
		return Invalid("bonus.max_per_card", "must not be negative")
	}
	return nil
}

// Validate checks a programme before it is created; EInvalid names the
// first wrong field.
func (p *Programme) Validate(now time.Time) error {
	switch {
	case p.Slug == "" || p.Slug != Slugify(p.Slug):
		return Invalid("slug", "must be lower-case letters, digits and hyphens")
	case strings.TrimSpace(p.Name) == "":
		return Invalid("name", "is required")
	case strings.TrimSpace(p.City) == "":
		return Invalid("city", "is required")
	case !p.Currency.Valid():
		return Invalid("currency", "unknown currency")
	case p.Fund.Total < 0 || p.Fund.Total > 1_000_000_000_00:
		return Invalid("fund", "must be between 0 and 1 000 000 000")
	case p.MinAmount <= 0 || p.MinAmount > MaxAmount:
		return Invalid("min_amount", "must be a positive amount")
	case p.MaxAmount < p.MinAmount || p.MaxAmount > MaxAmount:
		return Invalid("max_amount", fmt.Sprintf("must be between min_amount and %d", MaxAmount))
	case p.Caps.CardsPerBuyer < 0 || p.Caps.CardsPerBuyer > 1000:
		return Invalid("caps.cards_per_buyer", "must be 0 to 1000")
	case p.Caps.AmountPerBuyer < 0 || p.Caps.AmountPerBuyer > MaxOrderTotal*100:
		return Invalid("caps.amount_per_buyer", "must not be negative")
	case p.BonusExpiresAt.IsZero() || !p.BonusExpiresAt.After(now):
		return Invalid("bonus_expires_at", "must be in the future")
	case !p.SalesCloseAt.IsZero() && !p.SalesCloseAt.After(p.SalesOpenAt):
		return Invalid("sales_close_at", "must follow sales_open_at")
	}
	if err := checkText("name", p.Name, 100); err != nil {
		return err
	}
	if err := checkText("description", p.Description, 2000); err != nil {
		return err
	}
	return p.Bonus.Validate()
}

// Selling reports whether the programme sells cards at now.
func (p *Programme) Selling(now time.Time) bool {
	return p.Status == ProgrammeActive && (p.SalesOpenAt.IsZero() || !now.Before(p.SalesOpenAt)) &&
		(p.SalesCloseAt.IsZero() || now.Before(p.SalesCloseAt))
}

// BuyerKey is a buyer's email as the caps count it: lower case, without a
// "+tag" in the local part, so that one person's variants are one buyer.
func BuyerKey(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return email
	}
	local, domain := email[:at], email[at:]
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	return local + domain
}

// MembershipStatus is where a merchant stands with a programme.
type MembershipStatus string

// Membership statuses: a merchant asks, the organiser accepts; a merchant
// that leaves is still paid what it is owed.
const (
	MemberRequested MembershipStatus = "requested"
	MemberAccepted  MembershipStatus = "accepted"
	MemberLeft      MembershipStatus = "left"
)

// Membership is a merchant in (or asking to join) a programme.
type Membership struct {
	ProgrammeID   string
	ProgrammeSlug string
	ProgrammeName string
	Merchant      *Merchant
	Status        MembershipStatus
	RequestedAt   time.Time
	DecidedAt     time.Time
}

// Fund entry kinds.
const (
	FundReserve = "reserve" // a pending order holds a bonus
	FundRelease = "release" // the order expired: the bonus is free again
	FundIssue   = "issue"   // the order was paid: the bonus is on a card
	FundReturn  = "return"  // a card's bonus expired unspent: back in the fund
)

// EntryExpire is the ledger entry of a voucher's bonus that expired unspent.
const EntryExpire = "expire"

// ProgrammeStats are a programme's figures, for its page and its
// organisers.
type ProgrammeStats struct {
	CardsSold  int64
	PaidSold   int64 // paid value of the cards sold
	BonusGiven int64 // bonus put on them
	PaidLeft   int64 // what cards can still spend of their paid value (the liability)
	BonusLeft  int64 // and of their bonus, expired or not
	Waitlist   int64
	ByMerchant []MerchantRedemptions
}

// MerchantRedemptions is what a programme's cards spent at one merchant.
type MerchantRedemptions struct {
	Slug     string
	Name     string
	Category Category
	Count    int64
	Paid     int64
	Bonus    int64
}

// SettlementRun is one settlement of a programme: what each merchant is
// owed for the cards redeemed at its till before Until.
type SettlementRun struct {
	ID          string // "" for a dry run
	ProgrammeID string
	Until       time.Time
	CreatedBy   string
	CreatedAt   time.Time
	Lines       []*SettlementLine
}

// SettlementLine is what one merchant is owed in a run: the paid part of
// the cards (from the money held since the sale), the bonus part (from the
// sponsor's fund), the platform fee, and the transfer that pays it.
type SettlementLine struct {
	ID           string
	RunID        string
	ProgrammeID  string
	MerchantID   string
	MerchantSlug string
	MerchantName string
	Redemptions  int64
	Paid         int64
	Bonus        int64
	Fee          int64
	Amount       int64 // transferred: Paid + Bonus - Fee
	Currency     Currency
	Status       SettlementStatus
	TransferID   string
	Attempts     int
	LastError    string
	CreatedAt    time.Time
	DoneAt       time.Time
	// Account is the merchant's connected account, when the line is paid.
	Account string
}

// SettlementStatus is where a line's transfer stands.
type SettlementStatus string

// Settlement line statuses.
const (
	SettlementPending SettlementStatus = "pending"
	SettlementPaid    SettlementStatus = "paid"
)
