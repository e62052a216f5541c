package market

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// HandleEvent acts on a payment event, from a webhook or from asking the
// provider, and returns its outcome. It is safe to call any number of
// times, in any order, concurrently, for the same or different events:
// an order is fulfilled once. An error means the event should be delivered
// again (the store or a dependency failed).
func (s *CheckoutService) HandleEvent(ctx context.Context, ev *PaymentEvent) (string, error) {
	switch ev.Type {
	case PaymentCompleted:
		if !ev.PaymentPaid {
			// Delayed payment methods complete the session before the money
			// arrives; async_payment_succeeded will follow.
			return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
		}
		return s.fulfil(ctx, ev)
	case PaymentExpired:
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
		if err := s.Store.SetChargesEnabled(ctx, ev.Account, ev.ChargesEnabled); err != nil {
			return "", err
		}
		return OutcomeAccountUpdated, s.record(ctx, ev, OutcomeAccountUpdated)
	}
	return OutcomeIgnored, s.record(ctx, ev, OutcomeIgnored)
}

func (s *CheckoutService) record(ctx context.Context, ev *PaymentEvent, outcome string) error {
	if ev.ID == "" {
		return nil
	}
	return s.Store.RecordEvent(ctx, ev.ID, ev.Type, outcome)
}

// fulfil issues what a paid order bought. The vouchers and mails are made
// first, in memory; the store writes them only if this call is the one that
// moves the order to paid.
func (s *CheckoutService) fulfil(ctx context.Context, ev *PaymentEvent) (string, error) {
	o, err := s.Store.Order(ctx, ev.OrderID)
	if ErrorCode(err) == ENotFound {
		s.log().WarnContext(ctx, "payment for an unknown order", "event", ev.ID, "order", ev.OrderID, "session", ev.SessionID)
		return OutcomeUnknownOrder, s.record(ctx, ev, OutcomeUnknownOrder)
	}
	if err != nil {
		return "", err
	}
	if o.Status == OrderPaid {
		return OutcomeDuplicate, s.record(ctx, ev, OutcomeDuplicate)
	}
	if ev.AmountTotal != o.Total || ev.Currency != o.Currency {
		note := fmt.Sprintf("paid %d %s for an order of %d %s", ev.AmountTotal, ev.Currency, o.Total, o.Currency)
		s.log().ErrorContext(ctx, "payment does not match its order", "order", o.ID, "event", ev.ID, "note", note)
		return s.Store.ReviewOrder(ctx, ev.ID, o.ID, note)
	}
	f := &Fulfilment{EventID: ev.ID, EventType: ev.Type, OrderID: o.ID, PaymentIntent: ev.PaymentIntent, PaidAt: s.now().UTC()}
	for _, it := range o.Items {
		if it.Kind != KindGiftCertificate {
			continue
		}
		for q := 0; q < it.Quantity; q++ {
			v := &Voucher{ID: NewID("vch"), Code: NewCode(), MerchantID: o.MerchantID, MerchantSlug: o.MerchantSlug,
				MerchantName: o.MerchantName, OrderID: o.ID, Initial: it.Amount, Balance: it.Amount, Currency: o.Currency,
				RecipientName: it.RecipientName, RecipientEmail: it.RecipientEmail, Message: it.Message,
				Status: VoucherActive, CreatedAt: f.PaidAt}
			f.Vouchers = append(f.Vouchers, v)
			if err := s.fault("voucher"); err != nil {
				return "", err
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
			if event, err = s.Store.Event(ctx, it.EventID); err != nil {
				return "", err
			}
		}
	}
	if s.Mail != nil && len(f.Tickets) > 0 {
		m, err := s.Mail.TicketsIssued(o, event, f.Tickets, o.Lang)
		if err != nil {
			return "", err
		}
		f.Mails = append(f.Mails, m)
	}
	if s.Mail != nil {
		for _, v := range f.Vouchers {
			m, err := s.Mail.VoucherIssued(v, o.BuyerEmail, o.BuyerName, o.Lang)
			if err != nil {
				return "", err
			}
			f.Mails = append(f.Mails, m)
			if v.RecipientEmail != "" && !strings.EqualFold(v.RecipientEmail, o.BuyerEmail) {
				m, err := s.Mail.VoucherIssued(v, v.RecipientEmail, o.BuyerName, o.Lang)
				if err != nil {
					return "", err
				}
				f.Mails = append(f.Mails, m)
			}
		}
	}
	if err := s.fault("store"); err != nil {
		return "", err
	}
	out, err := s.Store.FulfilOrder(ctx, f)
	if err != nil {
		return "", err
	}
	if out == OutcomeFulfilled {
		s.log().InfoContext(ctx, "order fulfilled", "order", o.ID, "vouchers", len(f.Vouchers), "total", Money{o.Total, o.Currency}.String())
	}
	return out, nil
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
		var ev *PaymentEvent
		if o.SessionID != "" {
			ev, err = s.Payments.Session(ctx, o.SessionID)
			if err != nil && ErrorCode(err) != ENotFound {
				s.log().WarnContext(ctx, "reconcile: provider did not answer", "order", o.ID, "err", err)
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
			return changed, err
		}
		if out == OutcomeFulfilled || out == OutcomeExpired || out == OutcomeAmountMismatch {
			changed++
			s.log().InfoContext(ctx, "reconciled", "order", o.ID, "outcome", out)
		}
	}
	return changed, nil
}

// ReconcileEvery runs Reconcile until ctx is done.
func (s *CheckoutService) ReconcileEvery(ctx context.Context, every, olderThan time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Reconcile(ctx, olderThan); err != nil {
				s.log().ErrorContext(ctx, "reconcile", "err", err)
			}
		}
	}
}
