package market

import (
	"context"
	"strings"
	"time"
)

// Ticket is a seat at an event (or a solidarity ticket, which supports the
// event without a seat). Its code is the bearer: whoever holds it may
// check in, and, when the event is cancelled or postponed, choose between a
// refund, a credit and a donation.
type Ticket struct {
	ID           string
	Code         string
	EventID      string
	EventTitle   string // read-only
	MerchantID   string // the venue, read-only
	TicketTypeID string // "" for a solidarity ticket
	TypeName     string // read-only
	OrderID      string
	Kind         ItemKind // KindTicket or KindSolidarityTicket
	Price        int64
	Currency     Currency
	HolderName   string
	HolderEmail  string
	Status       TicketStatus
	CheckedInAt  time.Time
	CheckedInBy  string
	Choice       Choice
	ChoiceAt     time.Time
	ChoiceRef    string // the refund id, or the credit voucher's code
	// ChoiceByDefault: the organiser's default chose, at the deadline, for
	// a holder who did not answer.
	ChoiceByDefault bool
	NotifiedAt      time.Time
	CreatedAt       time.Time
}

// TicketStatus is what became of a ticket.
type TicketStatus string

// Ticket statuses. A disputed ticket is frozen while its payment is
// contested; a void one was cancelled by a refund made outside Solidaire
// or a lost dispute.
const (
	TicketValid    TicketStatus = "valid"
	TicketRefunded TicketStatus = "refunded"
	TicketCredited TicketStatus = "credited"
	TicketDonated  TicketStatus = "donated"
	TicketDisputed TicketStatus = "disputed"
	TicketVoid     TicketStatus = "void"
)

// Choice is a holder's answer when an event is cancelled or postponed.
type Choice string

// Choices. Keep is what a holder of a postponed event who does not answer
// does: the ticket stays valid for the new date.
const (
	ChoiceRefund Choice = "refund"
	ChoiceCredit Choice = "credit"
	ChoiceDonate Choice = "donate"
	ChoiceKeep   Choice = "keep"
)

// Ticket and event error codes.
const (
	ESoldOut           = "sold_out"            // 409: not enough seats left
	EAlreadyCheckedIn  = "already_checked_in"  // 409: with when and by whom
	ETicketNotValid    = "ticket_not_valid"    // 409: refunded, credited or donated
	EChoiceAlreadyMade = "choice_already_made" // 409: a different choice was made
	EChoiceNotOpen     = "choice_not_open"     // 409: no choice to make for this ticket now
	EEventNotOnSale    = "event_not_on_sale"   // 400: cancelled, past or unpublished
	// ETicketCheckedIn: a ticket used at the door cannot be refunded,
	// credited or donated (409).
	ETicketCheckedIn = "ticket_checked_in"
	// ETicketExchanged: a ticket whose holder chose a refund, a credit or a
	// donation no longer opens the door (409).
	ETicketExchanged = "ticket_exchanged"
)

// TicketURL is what a ticket's QR code holds (upper case, see VoucherURL).
func TicketURL(baseURL, code string) string {
	return strings.ToUpper(strings.TrimRight(baseURL, "/")) + "/T/" + code
}

// CancelOptions is what an organiser offers holders when cancelling (or
// postponing) an event.
type CancelOptions struct {
	Reason             string
	Options            []Choice // among refund, credit, donate; refund is always added when cancelling
	CreditBonusPercent int      // bonus added to a credit, 0..100; the bonus part may expire
	Deadline           time.Time
	Default            Choice // applied at the deadline to holders who did not answer (refund or credit)
	StartsAt           time.Time
	// PreviousStartsAt is the date a postponement moved the event from,
	// recorded by Postpone (search engines show it with the new date).
	PreviousStartsAt time.Time
}

// Offers reports whether the options include c.
func (o CancelOptions) Offers(c Choice) bool {
	for _, k := range o.Options {
		if k == c {
			return true
		}
	}
	return false
}

// ChoiceTally is how holders answered, for the organiser's live view.
type ChoiceTally struct {
	Tickets         int
	Notified        int
	Counts          map[Choice]int
	Amounts         map[Choice]int64
	Pending         int // not answered yet
	SolidarityTotal int64
	Currency        Currency
}

// BonusValidity is how long the promotional bonus of a credit stays
// spendable; the paid part never expires.
const BonusValidity = 365 * 24 * time.Hour

// TicketStore is the persistence of tickets, check-in and the holders'
// choices.
type TicketStore interface {
	Ticket(ctx context.Context, code string) (*Ticket, error)
	// CheckIn marks a valid ticket of the merchant used, once; the second
	// time EAlreadyCheckedIn, with when and by whom in the message.
	CheckIn(ctx context.Context, merchantID, code, by string, at time.Time) (*Ticket, error)
	UndoCheckIn(ctx context.Context, merchantID, code string) (*Ticket, error)
}
