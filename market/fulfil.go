package market

import (
	"context"
	"strings"
	"time"
)

// HandleEvent acts on a payment event, from a webhook or from asking the
// provider, and returns its outcome. It is safe to call any number of
// times, in any order, concurrently, for the same or different events:
// an order is fulfilled once, and each dispute or refund event is applied
// once, in one transaction with its event id. An error means the event
// should be delivered again (the store or a dependency failed).
func (s *CheckoutService) HandleEvent(ctx context.Context, ev *PaymentEvent) (string, error) {
	now := s.now().UTC()
	switch ev.Type {
	case PaymentCompleted:
		if !ev.PaymentPaid {
			// Delayed payment methods complete the session before the money
			// arrives; async_payment_succeeded will follow. (Checkout offers
			// only cards and wallets, which settle at once.)
			return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
		}
		return s.fulfil(ctx, ev)
	case PaymentExpired, PaymentFailed:
		if ev.OrderID == "" {
			return OutcomeUnknownOrder, s.record(ctx, ev, OutcomeUnknownOrder)
		}
		out, err := s.Store.ExpireOrder(ctx, ev.ID, ev.OrderID)
		if ErrorCode(err) == ENotFound {
			return OutcomeUnknownOrder, s.record(ctx, ev, OutcomeUnknownOrder)
		}
		return out, err
	case PaymentOpen:
		return OutcomeStillOpen, nil
	case AccountUpdated:
		if ev.Account == nil || ev.Account.ID == "" {
			return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
		}
		at := ev.Created
		if at.IsZero() {
			at = now
		}
		return OutcomeAccountUpdated, s.Store.SetPaymentAccount(ctx, ev.ID, ev.Account, at)
	case DisputeCreated, DisputeClosed:
		if ev.Dispute == nil || ev.Dispute.ID == "" {
			return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
		}
		var out string
		var err error
		if ev.Type == DisputeCreated {
			out, err = s.Store.OpenDispute(ctx, ev.ID, ev.PaymentIntent, ev.Dispute, now)
		} else {
			out, err = s.Store.CloseDispute(ctx, ev.ID, ev.PaymentIntent, ev.Dispute, now)
		}
		if err == nil && out != OutcomeDuplicate {
			s.log().WarnContext(ctx, "dispute", "event", ev.ID, "dispute", ev.Dispute.ID, "status", ev.Dispute.Status,
				"payment_intent", ev.PaymentIntent, "outcome", out)
		}
		return out, err
	case ChargeRefunded:
		return s.Store.ApplyChargeRefund(ctx, ev.ID, ev.PaymentIntent, ev.AmountRefunded, now)
	}
	return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
}

func (s *CheckoutService) record(ctx context.Context, ev *PaymentEvent, outcome string) error {
	if ev.ID == "" {
		return nil
	}
	return s.Store.RecordEvent(ctx, ev.ID, ev.Type, outcome)
}

// fulfil issues what a paid order bought, in the store's one transaction
// for the event: the store moves the order to paid (or finds it unknown,
// paid already, or paid the wrong amount) and only then calls back to
// build the vouchers, tickets and mails in memory, so that no read of the
// order comes before it.
func (s *CheckoutService) fulfil(ctx context.Context, ev *PaymentEvent) (string, error) {
	var f *Fulfilment
	out, err := s.Store.PayOrder(ctx, ev, s.now().UTC(), func(ctx context.Context, o *Order, r FulfilmentReader) (*Fulfilment, error) {
		var err error
		if f, err = s.fulfilment(ctx, o, r); err != nil {
			return nil, err
		}
		// The last moment before the store writes: nothing is written if
		// the process stops here.
		return f, s.fault("store")
	})
	if err != nil {
		return "", err
	}
	switch out {
	case OutcomeFulfilled:
		s.log().InfoContext(ctx, "order fulfilled", "order", ev.OrderID, "vouchers", len(f.Vouchers), "tickets", len(f.Tickets),
			"total", Money{ev.AmountTotal, ev.Currency}.String())
	case OutcomeUnknownOrder:
		s.log().WarnContext(ctx, "payment for an unknown order", "event", ev.ID, "order", ev.OrderID, "session", ev.SessionID)
	case OutcomeAmountMismatch:
		s.log().ErrorContext(ctx, "payment does not match its order", "order", ev.OrderID, "event", ev.ID,
			"paid", Money{ev.AmountTotal, ev.Currency}.String())
	}
	return out, nil
}

// fulfilment builds, in memory, the vouchers, tickets and mails an order
// bought, reading its programmes and event through r.
func (s *CheckoutService) fulfilment(ctx context.Context, o *Order, r FulfilmentReader) (*Fulfilment, error) {
	f := &Fulfilment{OrderID: o.ID, PaymentIntent: o.PaymentIntent, AmountPaid: o.Total, PaidAt: s.now().UTC()}
	for _, it := range o.Items {
		if it.Kind != KindGiftCertificate && it.Kind != KindProgrammeCard {
			continue
		}
		var p *Programme
		if it.Kind == KindProgrammeCard {
			var err error
			if p, err = r.ProgrammeByID(ctx, it.ProgrammeID); err != nil {
				return nil, err
			}
		}
		for q := 0; q < it.Quantity; q++ {
			v := &Voucher{ID: NewID("vch"), Code: NewCode(), MerchantID: o.MerchantID, MerchantSlug: o.MerchantSlug,
				MerchantName: o.MerchantName, OrderID: o.ID, Initial: it.Amount, Balance: it.Amount, Currency: o.Currency,
				RecipientName: it.RecipientName, RecipientEmail: it.RecipientEmail, Message: it.Message,
				Status: VoucherActive, CreatedAt: f.PaidAt, Giver: o.BuyerName}
			if it.DeliverAt.After(f.PaidAt) {
				v.DeliverAt = it.DeliverAt
			}
			if p != nil {
				// A programme card: spendable at the programme's merchants,
				// its bonus (already reserved) expiring with the programme's.
				v.ProgrammeID, v.ProgrammeSlug, v.Bonus = p.ID, p.Slug, it.Bonus
				if it.Bonus > 0 {
					v.BonusExpiresAt = p.BonusExpiresAt
				}
			}
			f.Vouchers = append(f.Vouchers, v)
			if err := s.fault("voucher"); err != nil {
				return nil, err
			}
		}
	}
	var event *Event
	for _, it := range o.Items {
		if it.Kind != KindTicket && it.Kind != KindSolidarityTicket {
			continue
		}
		for q := 0; q < it.Quantity; q++ {
			f.Tickets = append(f.Tickets, &Ticket{ID: NewID("tkt"), Code: NewCode(), EventID: it.EventID, TicketTypeID: it.TicketTypeID,
				OrderID: o.ID, Kind: it.Kind, Price: it.Amount, Currency: o.Currency, HolderName: o.BuyerName,
				HolderEmail: o.BuyerEmail, Status: TicketValid, CreatedAt: f.PaidAt})
		}
		if event == nil {
			var err error
			if event, err = r.Event(ctx, it.EventID); err != nil {
				return nil, err
			}
		}
	}
	if s.Mail != nil && len(f.Tickets) > 0 {
		m, err := s.Mail.TicketsIssued(o, event, f.Tickets, o.Lang)
		if err != nil {
			return nil, err
		}
		f.Mails = append(f.Mails, m)
	}
	if s.Mail != nil {
		for _, v := range f.Vouchers {
			m, err := s.Mail.VoucherIssued(v, o.BuyerEmail, o.BuyerName, o.Lang)
			if err != nil {
				return nil, err
			}
			f.Mails = append(f.Mails, m)
			if v.RecipientEmail != "" && !strings.EqualFold(v.RecipientEmail, o.BuyerEmail) {
				m, err := s.Mail.VoucherIssued(v, v.RecipientEmail, o.BuyerName, o.Lang)
				if err != nil {
					return nil, err
				}
				// A gift sent on a date waits in the outbox until then;
				// the buyer may change its date and address meanwhile.
				if !v.DeliverAt.IsZero() {
					m.NextAttempt, v.GiftMailID = v.DeliverAt, m.ID
				}
				f.Mails = append(f.Mails, m)
			}
		}
	}
	return f, nil
}

// AcceptReview fulfils an order an admin accepts out of review, once: its
// vouchers and tickets are issued and mailed to the buyer as for any paid
// order (its seats taken again if they had been released). EConflict when
// the order is not in review; ESoldOut when its seats are gone (refund it
// instead).
func (s *CheckoutService) AcceptReview(ctx context.Context, orderID string) (*Order, error) {
	o, err := s.Store.Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.Status != OrderReview {
		return nil, &Error{Code: EConflict, Message: "Cette commande n'est pas (ou plus) à examiner."}
	}
	f, err := s.fulfilment(ctx, o, s.Store)
	if err != nil {
		return nil, err
	}
	f.Review, f.AmountPaid = true, o.AmountPaid
	out, err := s.Store.FulfilOrder(ctx, f)
	if err != nil {
		return nil, err
	}
	if out != OutcomeFulfilled {
		return nil, &Error{Code: EConflict, Message: "Cette commande n'est pas (ou plus) à examiner."}
	}
	s.log().InfoContext(ctx, "order in review accepted", "order", o.ID)
	return s.Store.Order(ctx, orderID)
}

// RefundReview refunds an order an admin will not fulfil: the order becomes
// refunded and its seats are released, the buyer is mailed, and the
// refund (the whole payment, taken back from the merchant's account) is
// paid at once or by the refunds pass, never twice. EConflict when the
// order is not in review.
func (s *CheckoutService) RefundReview(ctx context.Context, orderID string) (*Order, error) {
	o, err := s.Store.Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.Status != OrderReview {
		return nil, &Error{Code: EConflict, Message: "Cette commande n'est pas (ou plus) à examiner."}
	}
	var m *Mail
	if s.Mail != nil {
		if m, err = s.Mail.OrderRefunded(o, o.Lang); err != nil {
			return nil, err
		}
	}
	r, err := s.Store.RefundReviewOrder(ctx, orderID, m, s.now().UTC())
	if err != nil {
		return nil, err
	}
	if s.Refunds != nil {
		if err := s.Refunds.PayNow(ctx, r.ID); err != nil {
			// Recorded with its retry time: the refunds pass pays it.
			s.log().WarnContext(ctx, "refund of an order in review put off", "order", orderID, "err", err)
		}
	}
	return s.Store.Order(ctx, orderID)
}

func (s *CheckoutService) fault(step string) error {
	if s.Fault == nil {
		return nil
	}
	return s.Fault(step)
}

// CompleteDemo pays an order through the demo provider: it feeds the same
// fulfilment path as a Stripe webhook. ENotFound for an unknown session;
// EForbidden when the provider is not the demo one.
func (s *CheckoutService) CompleteDemo(ctx context.Context, sessionID string) (*Order, string, error) {
	if s.Payments.Name() != "demo" {
		return nil, "", Errorf(EForbidden, "Les paiements de démonstration sont désactivés.")
	}
	o, err := s.Store.OrderBySession(ctx, sessionID)
	if err != nil {
		return nil, "", err
	}
	if o.Status == OrderExpired {
		return o, OutcomeExpired, nil
	}
	out, err := s.HandleEvent(ctx, &PaymentEvent{Type: PaymentCompleted, SessionID: sessionID, OrderID: o.ID,
		AmountTotal: o.Total, Currency: o.Currency, PaymentPaid: true, PaymentIntent: "demo_pi_" + o.ID, Created: s.now()})
	return o, out, err
}

// Reconcile asks the provider about orders still pending older than
// olderThan, so that a lost webhook never loses a sale, and expires those
// whose checkout lapsed. It returns how many orders it changed.
func (s *CheckoutService) Reconcile(ctx context.Context, olderThan time.Duration) (int, error) {
	changed := 0
	orders, err := s.Store.PendingOrders(ctx, s.now().Add(-olderThan), 200)
	if err != nil {
		return 0, err
	}
	for _, o := range orders {
		if ctx.Err() != nil {
			return changed, ctx.Err()
		}
		var ev *PaymentEvent
		if o.SessionID != "" {
			ev, err = s.Payments.Session(ctx, o.SessionID)
			if err != nil && ErrorCode(err) != ENotFound {
				s.retryLater(ctx, o, err)
				continue
			}
		}
		if ev == nil || ev.Type == PaymentOpen {
			// Never opened, unknown to the provider, or still open past its
			// expiry (the demo provider cannot tell): expire after a grace.
			if !o.ExpiresAt.IsZero() && s.now().After(o.ExpiresAt.Add(5*time.Minute)) {
				ev = &PaymentEvent{Type: PaymentExpired, OrderID: o.ID, SessionID: o.SessionID}
			} else {
				continue
			}
		}
		if ev.OrderID == "" {
			ev.OrderID = o.ID
		}
		out, err := s.HandleEvent(ctx, ev)
		if err != nil {
			s.retryLater(ctx, o, err)
			continue
		}
		if out == OutcomeFulfilled || out == OutcomeExpired || out == OutcomeAmountMismatch {
			changed++
			s.log().InfoContext(ctx, "reconciled", "order", o.ID, "outcome", out)
		}
	}
	return changed, nil
}

// retryLater puts an order the pass could not settle off, with a growing
// delay recorded on the order, so that the next orders are not held up.
func (s *CheckoutService) retryLater(ctx context.Context, o *Order, cause error) {
	s.log().WarnContext(ctx, "reconcile: order put off", "order", o.ID, "err", cause)
	if err := s.Store.OrderRetryLater(ctx, o.ID, cause.Error(), s.now().UTC()); err != nil {
		s.log().ErrorContext(ctx, "reconcile: recording the delay", "order", o.ID, "err", err)
	}
}
