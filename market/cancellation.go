package market

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// EventStore is the persistence of events, their holders and their choices.
type EventStore interface {
	Event(ctx context.Context, id string) (*Event, error)
	CreateEvent(ctx context.Context, e *Event) error
	UpdateEvent(ctx context.Context, e *Event) error
	SetEventChoices(ctx context.Context, eventID string, status EventStatus, o CancelOptions) error
	EventTickets(ctx context.Context, eventID string) ([]*Ticket, error)
	// TicketsToNotify returns the tickets still to tell of up to n holders
	// (a holder is an event and a holder email, compared case-blind), all
	// of each holder's tickets together, ordered by holder.
	TicketsToNotify(ctx context.Context, n int) ([]*Ticket, error)
	// MarkNotified records that a holder was told of all the tickets of
	// the notice, with its mail and its key, in one transaction, once: a
	// notice whose tickets were all told already is a no-op; one whose
	// tickets were told in part is EConflict (the next pass tells the rest).
	MarkNotified(ctx context.Context, n *HolderNotice) error
	// HolderTickets returns the event's tickets of a holder email (case-blind).
	HolderTickets(ctx context.Context, eventID, email string) ([]*Ticket, error)
	// HolderKey returns the event and holder email that the key of hash
	// opens; ENotFound when unknown.
	HolderKey(ctx context.Context, hash string) (eventID, email string, err error)
	Ticket(ctx context.Context, code string) (*Ticket, error)
	// RecordChoice records a holder's choice once (a conditional update:
	// a checked-in ticket refuses with ETicketCheckedIn) and, for a
	// refund, the refund to pay (OwnRefund, id the ticket's), with the
	// Idempotency-Key that ctx may carry, in one transaction.
	RecordChoice(ctx context.Context, code string, c Choice, at time.Time, byDefault bool) (*Ticket, bool, error)
	// RefundDefaultedCredit turns an untouched credit given by default into
	// a pending refund (and records the refund to pay).
	RefundDefaultedCredit(ctx context.Context, ticketID string, at time.Time) error
	// TicketRetryLater records that a pass failed on a ticket and when to
	// try it again, so that one bad ticket never stops a pass.
	TicketRetryLater(ctx context.Context, ticketID, reason string, at time.Time) error
	SettleChoice(ctx context.Context, ticketID string, status TicketStatus, ref string, credit *Voucher, m *Mail) error
	UnsettledChoices(ctx context.Context, n int) ([]*Ticket, error)
	DefaultsDue(ctx context.Context, now time.Time, n int) ([]*Ticket, error)
	Tally(ctx context.Context, eventID string) (*ChoiceTally, error)
	Order(ctx context.Context, id string) (*Order, error)
}

// EventMailComposer writes the mails of cancellations and credits.
type EventMailComposer interface {
	// EventChanged writes the one mail that tells a holder of their
	// tickets of e (seat tickets only), with key, the holder's key that
	// chooses for all of them ("" when there is only one).
	EventChanged(tickets []*Ticket, e *Event, key, lang string) (*Mail, error)
	// CreditIssued writes the mail of a holder's credit v for the event
	// titled eventTitle: its value, its bonus and the bonus's end.
	CreditIssued(v *Voucher, to, holderName, eventTitle, lang string) (*Mail, error)
}

// HolderNotice is what tells one holder (an event and a holder email) of
// a cancellation or a postponement: their tickets, the mail, and the hash
// of the key that chooses for all of them at once.
type HolderNotice struct {
	EventID   string
	Email     string
	TicketIDs []string
	KeyHash   string // "" when no key was given (a single ticket, no mail)
	Mail      *Mail  // nil when no mail is sent (solidarity tickets only)
}

// ChoiceBatch is what a holder's choice for all their tickets did: the
// tickets it was applied to, and those it left as they were (chosen
// already, used at the door, or no longer open), with why.
type ChoiceBatch struct {
	Chosen  []*Ticket
	Skipped []SkippedTicket
}

// SkippedTicket is a ticket a choice for all left alone, and the error
// code that says why (choice_already_made, ticket_checked_in,
// choice_not_open).
type SkippedTicket struct {
	Ticket *Ticket
	Reason string
}

// CancellationService runs what organisers do to events and what holders choose when
// one is cancelled or postponed. Holders are told by a resumable bulk pass
// (the state is in each ticket), every choice is recorded once, refunds
// are idempotent per ticket, credits are vouchers of the venue, donations
// are final.
type CancellationService struct {
	Store    EventStore
	Payments PaymentProvider
	// Refunds pays the holders' refunds; when nil, one is made from Store
	// (which must then be a RefundStore) and Payments.
	Refunds *Refunds
	Mail    EventMailComposer
	Log     *slog.Logger
	Now     func() time.Time
	// Kick, when set, is called after a cancellation or a postponement so
	// that the holders are told at once rather than at the next pass.
	Kick func()
}

func (s *CancellationService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *CancellationService) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// CancelPreview is what a cancellation will do, shown before it is
// confirmed (and returned after).
type CancelPreview struct {
	Holders  int
	Tickets  int
	Amount   int64
	Currency Currency
	Options  CancelOptions
}

// Cancel cancels an event and offers its holders the options, or with
// dryRun only previews it. A refund is always offered (the law allows
// credit and donation only as options) and is the default unless the
// organiser chooses credit. EInvalid for wrong options; EConflict when the
// event is cancelled already.
func (s *CancellationService) Cancel(ctx context.Context, eventID string, o CancelOptions, dryRun bool) (*CancelPreview, error) {
	e, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if e.Status == EventCancelled {
		return nil, &Error{Code: EConflict, Message: "Cet événement est déjà annulé."}
	}
	if !o.Offers(ChoiceRefund) {
		o.Options = append([]Choice{ChoiceRefund}, o.Options...)
	}
	if o.Default == "" {
		o.Default = ChoiceRefund
	}
	if err := s.checkOptions(&o, true); err != nil {
		return nil, err
	}
	p, err := s.preview(ctx, e, o)
	if err != nil || dryRun {
		return p, err
	}
	if err := s.Store.SetEventChoices(ctx, eventID, EventCancelled, o); err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "event cancelled", "event", eventID, "tickets", p.Tickets, "options", o.Options)
	if s.Kick != nil {
		s.Kick()
	}
	return p, nil
}

// Postpone moves an event to a new date (or, with dryRun, previews it);
// tickets stay valid, and holders may still choose a refund, a credit or a
// donation until the deadline.
func (s *CancellationService) Postpone(ctx context.Context, eventID string, o CancelOptions, dryRun bool) (*CancelPreview, error) {
	e, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if e.Status == EventCancelled {
		return nil, &Error{Code: EConflict, Message: "Un événement annulé ne peut pas être reporté."}
	}
	if o.StartsAt.IsZero() || !o.StartsAt.After(s.now()) {
		return nil, Invalid("starts_at", "the new date must be in the future")
	}
	if len(o.Options) == 0 {
		o.Options = []Choice{ChoiceRefund, ChoiceCredit, ChoiceDonate}
	}
	if !o.Offers(ChoiceRefund) {
		o.Options = append([]Choice{ChoiceRefund}, o.Options...)
	}
	o.Default = "" // holders who do not answer keep their tickets
	o.PreviousStartsAt = e.StartsAt
	if err := s.checkOptions(&o, false); err != nil {
		return nil, err
	}
	p, err := s.preview(ctx, e, o)
	if err != nil || dryRun {
		return p, err
	}
	if err := s.Store.SetEventChoices(ctx, eventID, EventPostponed, o); err != nil {
		return nil, err
	}
	if s.Kick != nil {
		s.Kick()
	}
	return p, nil
}

func (s *CancellationService) checkOptions(o *CancelOptions, cancelling bool) error {
	seen := map[Choice]bool{}
	for _, c := range o.Options {
		switch c {
		case ChoiceRefund, ChoiceCredit, ChoiceDonate:
		default:
			return Invalid("options", "must be among refund, credit, donate")
		}
		if seen[c] {
			return Invalid("options", "each option once")
		}
		seen[c] = true
	}
	if o.CreditBonusPercent < 0 || o.CreditBonusPercent > 100 {
		return Invalid("credit_bonus_percent", "must be 0 to 100")
	}
	if o.CreditBonusPercent > 0 && !o.Offers(ChoiceCredit) {
		return Invalid("credit_bonus_percent", "a bonus needs the credit option")
	}
	now := s.now()
	if o.Deadline.IsZero() {
		o.Deadline = now.Add(30 * 24 * time.Hour)
	}
	if !o.Deadline.After(now) || o.Deadline.After(now.Add(366*24*time.Hour)) {
		return Invalid("deadline", "must be within the coming year")
	}
	if cancelling {
		if o.Default != ChoiceRefund && o.Default != ChoiceCredit {
			return Invalid("default", "must be refund or credit: a donation is never imposed")
		}
		if !o.Offers(o.Default) {
			return Invalid("default", "must be one of the options")
		}
	}
	if err := checkText("reason", o.Reason, 500); err != nil {
		return err
	}
	o.Reason = strings.TrimSpace(o.Reason)
	return nil
}

func (s *CancellationService) preview(ctx context.Context, e *Event, o CancelOptions) (*CancelPreview, error) {
	tickets, err := s.Store.EventTickets(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	p := &CancelPreview{Currency: e.Currency, Options: o}
	holders := map[string]bool{}
	for _, t := range tickets {
		if t.Kind != KindTicket || t.Status != TicketValid || t.Choice != "" {
			continue
		}
		p.Tickets++
		p.Amount += t.Price
		holders[strings.ToLower(t.HolderEmail)] = true
	}
	p.Holders = len(holders)
	return p, nil
}

// ChoiceView is a ticket as its holder sees it: the event, and the choices
// open to them now.
type ChoiceView struct {
	Ticket  *Ticket
	Event   *Event
	Choices []Choice
}

// View returns a ticket by code with the choices open to its holder.
// ENotFound for an unknown code.
func (s *CancellationService) View(ctx context.Context, code string) (*ChoiceView, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, NotFound("Billet")
	}
	t, err := s.Store.Ticket(ctx, code)
	if err != nil {
		return nil, err
	}
	e, err := s.Store.Event(ctx, t.EventID)
	if err != nil {
		return nil, err
	}
	return &ChoiceView{Ticket: t, Event: e, Choices: s.open(t, e)}, nil
}

// open lists the choices a holder may make now. A refund of a cancelled
// event stays open after the deadline: the law lets a holder always ask.
func (s *CancellationService) open(t *Ticket, e *Event) []Choice {
	if t.Choice == ChoiceCredit && t.ChoiceByDefault && t.Status == TicketCredited && e.Status == EventCancelled {
		return []Choice{ChoiceRefund} // a credit the holder never chose
	}
	if t.Kind != KindTicket || t.Status != TicketValid || t.Choice != "" || !t.CheckedInAt.IsZero() || e.Choices == nil {
		return nil
	}
	late := !e.Choices.Deadline.IsZero() && s.now().After(e.Choices.Deadline)
	var open []Choice
	switch e.Status {
	case EventCancelled:
		for _, c := range e.Choices.Options {
			if c == ChoiceRefund || !late {
				open = append(open, c)
			}
		}
	case EventPostponed:
		if !late {
			open = append(open, e.Choices.Options...)
			open = append(open, ChoiceKeep)
		}
	}
	return open
}

// Choose records a holder's choice, once, and carries it out: a refund
// through the payment provider (idempotent per ticket), a credit voucher
// at the venue (with its bonus), a donation. The same choice again returns
// the first outcome; another is EChoiceAlreadyMade; a choice not open now
// is EChoiceNotOpen.
func (s *CancellationService) Choose(ctx context.Context, code string, c Choice) (*Ticket, error) {
	v, err := s.View(ctx, code)
	if err != nil {
		return nil, err
	}
	t, e := v.Ticket, v.Event
	if t.Choice == ChoiceCredit && t.ChoiceByDefault && c == ChoiceRefund && e.Status == EventCancelled {
		// The law lets a holder of a cancelled show always ask for a
		// refund: a credit they never chose becomes one, if unspent.
		if err := s.Store.RefundDefaultedCredit(ctx, t.ID, s.now().UTC()); err != nil {
			return nil, err
		}
		if err := s.refunds().PayNow(ctx, t.ID); err != nil {
			s.log().ErrorContext(ctx, "refund of a defaulted credit pending", "ticket", t.ID, "err", err)
		}
		return s.Store.Ticket(ctx, t.Code)
	}
	if t.Choice != "" {
		if t.Choice == c {
			if t.Status == TicketValid && c != ChoiceKeep {
				// The first answer was lost before the outcome (a crash, a
				// dropped connection): the holder's retry carries it out.
				if err := s.settle(ctx, t, e); err != nil {
					s.log().ErrorContext(ctx, "choice recorded, outcome pending", "ticket", t.ID, "choice", c, "err", err)
				}
				return s.Store.Ticket(ctx, t.Code)
			}
			return t, nil
		}
		return nil, &Error{Code: EChoiceAlreadyMade, Message: "Vous avez déjà choisi pour ce billet.",
			Fields: map[string]string{"choice": string(t.Choice)}}
	}
	if !t.CheckedInAt.IsZero() && c != ChoiceKeep {
		return nil, &Error{Code: ETicketCheckedIn, Message: "Ce billet a servi à l'entrée : il ne peut être ni remboursé, ni converti, ni donné."}
	}
	allowed := false
	for _, o := range v.Choices {
		allowed = allowed || o == c
	}
	if !allowed {
		return nil, &Error{Code: EChoiceNotOpen, Message: "Ce choix n'est pas (ou plus) proposé pour ce billet.",
			Fields: map[string]string{"choice": "not open"}}
	}
	t, fresh, err := s.Store.RecordChoice(ctx, t.Code, c, s.now().UTC(), false)
	if err != nil {
		return nil, err
	}
	if !fresh && t.Choice != c {
		return nil, &Error{Code: EChoiceAlreadyMade, Message: "Vous avez déjà choisi pour ce billet.",
			Fields: map[string]string{"choice": string(t.Choice)}}
	}
	if err := s.settle(ctx, t, e); err != nil {
		// The choice is recorded; the repair pass completes it.
		s.log().ErrorContext(ctx, "choice recorded, outcome pending", "ticket", t.ID, "choice", c, "err", err)
	}
	return s.Store.Ticket(ctx, t.Code)
}

// refunds is the service that pays the holders' refunds.
func (s *CancellationService) refunds() *Refunds {
	if s.Refunds != nil {
		return s.Refunds
	}
	rs, _ := s.Store.(RefundStore)
	return &Refunds{Store: rs, Payments: s.Payments, Log: s.Log, Now: s.Now}
}

// settle carries out a recorded choice; it is safe to call again. A refund
// was recorded with the choice: it is paid now if it can be, else by the
// refunds pass.
func (s *CancellationService) settle(ctx context.Context, t *Ticket, e *Event) error {
	switch t.Choice {
	case ChoiceRefund:
		return s.refunds().PayNow(ctx, t.ID)
	case ChoiceCredit:
		now := s.now().UTC()
		bonus := int64(0)
		if e.Choices != nil {
			bonus = t.Price * int64(e.Choices.CreditBonusPercent) / 100
		}
		v := &Voucher{ID: NewID("vch"), Code: NewCode(), MerchantID: e.MerchantID, MerchantSlug: e.MerchantSlug, MerchantName: e.MerchantName,
			OrderID: t.OrderID, Initial: t.Price, Balance: t.Price, Bonus: bonus, Currency: t.Currency, RecipientName: t.HolderName,
			Message: fmt.Sprintf("Crédit pour « %s »", e.Title), Status: VoucherActive, CreatedAt: now}
		if bonus > 0 {
			v.BonusExpiresAt = now.Add(BonusValidity)
		}
		var m *Mail
		if s.Mail != nil {
			var err error
			if m, err = s.Mail.CreditIssued(v, t.HolderEmail, t.HolderName, e.Title, "fr"); err != nil {
				return err
			}
		}
		return s.Store.SettleChoice(ctx, t.ID, TicketCredited, v.Code, v, m)
	case ChoiceDonate:
		return s.Store.SettleChoice(ctx, t.ID, TicketDonated, "", nil, nil)
	}
	return nil
}

// putOff records that a pass failed on a ticket, to try it again later.
func (s *CancellationService) putOff(ctx context.Context, t *Ticket, step string, cause error) {
	s.log().WarnContext(ctx, "ticket put off", "step", step, "ticket", t.ID, "err", cause)
	if err := s.Store.TicketRetryLater(ctx, t.ID, step+": "+cause.Error(), s.now().UTC()); err != nil {
		s.log().ErrorContext(ctx, "recording a ticket's delay", "ticket", t.ID, "err", err)
	}
}

// NotifyHolders tells the holders of cancelled and postponed events, a
// batch of holders at a time, each once, with one mail per holder and
// event that lists their tickets and carries the key that chooses for all
// of them; it returns how many tickets it told of.
func (s *CancellationService) NotifyHolders(ctx context.Context) (int, error) {
	told := 0
	events := map[string]*Event{}
	for {
		tickets, err := s.Store.TicketsToNotify(ctx, 50)
		if err != nil || len(tickets) == 0 {
			return told, err
		}
		for _, group := range byHolder(tickets) {
			if ctx.Err() != nil {
				return told, ctx.Err()
			}
			e := events[group[0].EventID]
			if e == nil {
				if e, err = s.Store.Event(ctx, group[0].EventID); err != nil {
					return told, err
				}
				events[group[0].EventID] = e
			}
			n, err := s.notify(ctx, group, e)
			if err != nil {
				for _, t := range group {
					s.putOff(ctx, t, "notify", err)
				}
				continue
			}
			told += n
		}
	}
}

// notify tells one holder of their tickets of e, in one mail.
func (s *CancellationService) notify(ctx context.Context, group []*Ticket, e *Event) (int, error) {
	n := &HolderNotice{EventID: e.ID, Email: group[0].HolderEmail}
	var seats []*Ticket
	for _, t := range group {
		n.TicketIDs = append(n.TicketIDs, t.ID)
		if t.Kind == KindTicket {
			seats = append(seats, t)
		}
	}
	if s.Mail != nil && len(seats) > 0 {
		key := ""
		if len(seats) > 1 {
			// The key is the holder's, not a ticket's: a ticket code
			// given away never lets its bearer choose for the others.
			key = NewCode()
			n.KeyHash = HashToken(key)
		}
		m, err := s.Mail.EventChanged(seats, e, key, "fr")
		if err != nil {
			return 0, err
		}
		n.Mail = m
	}
	if err := s.Store.MarkNotified(ctx, n); err != nil {
		return 0, err
	}
	return len(group), nil
}

// byHolder splits tickets, ordered by holder, into one group per holder
// (event and holder email, case-blind).
func byHolder(tickets []*Ticket) [][]*Ticket {
	var groups [][]*Ticket
	for i, t := range tickets {
		if i == 0 || t.EventID != tickets[i-1].EventID || !strings.EqualFold(t.HolderEmail, tickets[i-1].HolderEmail) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], t)
	}
	return groups
}

// ChooseAll records choice c for every ticket of the holder that key
// opens, at the event of the ticket code (the key comes from the holder's
// mail; the code alone never chooses for other tickets). Tickets chosen
// otherwise already, used at the door or no longer open are left as they
// are and reported; those chosen so already count as chosen (as Choose,
// it is idempotent, and a retry carries on what a crash left). An
// Idempotency-Key that ctx may carry is not kept per ticket.
// ENotFound for an unknown code, or a key that is not this ticket's
// holder's.
func (s *CancellationService) ChooseAll(ctx context.Context, code, key string, c Choice) (*ChoiceBatch, error) {
	v, err := s.View(ctx, code)
	if err != nil {
		return nil, err
	}
	key = NormalizeCode(key)
	if key == "" {
		return nil, NotFound("Clé")
	}
	eventID, email, err := s.Store.HolderKey(ctx, HashToken(key))
	if err != nil {
		return nil, err
	}
	if eventID != v.Ticket.EventID || !strings.EqualFold(email, v.Ticket.HolderEmail) {
		return nil, NotFound("Clé")
	}
	tickets, err := s.Store.HolderTickets(ctx, eventID, email)
	if err != nil {
		return nil, err
	}
	// One request chooses for several tickets: the answer to keep for its
	// Idempotency-Key is the whole batch, not a ticket's.
	ctx = WithClaim(ctx, nil)
	b := &ChoiceBatch{}
	for _, t := range tickets {
		if t.Kind != KindTicket || !strings.EqualFold(t.HolderEmail, email) {
			continue
		}
		if t.Choice != "" && t.Choice != c {
			b.Skipped = append(b.Skipped, SkippedTicket{Ticket: t, Reason: EChoiceAlreadyMade})
			continue
		}
		done, err := s.Choose(ctx, t.Code, c)
		switch code := ErrorCode(err); code {
		case "":
			b.Chosen = append(b.Chosen, done)
		case EChoiceAlreadyMade, ETicketCheckedIn, EChoiceNotOpen:
			b.Skipped = append(b.Skipped, SkippedTicket{Ticket: t, Reason: code})
		default:
			return b, err
		}
	}
	return b, nil
}

// ApplyDefaults gives the organiser's default to holders of cancelled
// events who did not answer by the deadline.
func (s *CancellationService) ApplyDefaults(ctx context.Context) (int, error) {
	tickets, err := s.Store.DefaultsDue(ctx, s.now(), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tickets {
		e, err := s.Store.Event(ctx, t.EventID)
		if err != nil {
			return n, err
		}
		if e.Choices == nil || e.Choices.Default == "" || t.Kind != KindTicket {
			continue
		}
		t, fresh, err := s.Store.RecordChoice(ctx, t.Code, e.Choices.Default, s.now().UTC(), true)
		if err != nil {
			s.putOff(ctx, t, "default", err)
			continue
		}
		if fresh {
			n++
			if err := s.settle(ctx, t, e); err != nil {
				s.log().ErrorContext(ctx, "default choice recorded, outcome pending", "ticket", t.ID, "err", err)
			}
		}
	}
	return n, nil
}

// SettlePending completes choices whose outcome failed (a refund while the
// provider was down, a crash in between).
func (s *CancellationService) SettlePending(ctx context.Context) (int, error) {
	tickets, err := s.Store.UnsettledChoices(ctx, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tickets {
		e, err := s.Store.Event(ctx, t.EventID)
		if err != nil {
			return n, err
		}
		if err := s.settle(ctx, t, e); err != nil {
			s.putOff(ctx, t, "settle", err)
			continue
		}
		n++
	}
	return n, nil
}

// Tally returns how an event's holders chose, and its solidarity total.
func (s *CancellationService) Tally(ctx context.Context, eventID string) (*ChoiceTally, error) {
	return s.Store.Tally(ctx, eventID)
}

// Round tells holders, applies defaults and settles pending choices: one
// round of the cancellation pass (see Pass), which one instance at a time
// runs. Failing tickets are put off; the round goes on.
func (s *CancellationService) Round(ctx context.Context) error {
	var errs []error
	for _, step := range []func(context.Context) (int, error){s.NotifyHolders, s.ApplyDefaults, s.SettlePending} {
		if _, err := step(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
