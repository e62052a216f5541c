package market

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// OwnRefund is a refund Solidaire decided (a holder's choice, an admin's
// refund of an order in review), recorded in the transaction that decided
// it, once per thing refunded: its ID is the ticket's or the order's id, so
// no ticket can be refunded twice. A pass pays it through the provider.
type OwnRefund struct {
	ID            string
	OrderID       string
	TicketID      string // "" for an order's refund
	Amount        int64
	Currency      Currency
	PaymentIntent string // the order's
	Status        RefundStatus
	ProviderID    string // the provider's refund id, once paid
	Attempts      int    // provider calls started; > 0 means look it up before asking again
	LastError     string
	CreatedAt     time.Time
	DoneAt        time.Time
}

// RefundStatus is where an own refund stands.
type RefundStatus string

// Own refund statuses.
const (
	RefundRequested RefundStatus = "requested"
	RefundSucceeded RefundStatus = "succeeded"
	// RefundCancelled: not to be paid any more (the order's dispute was
	// lost: the bank gave the buyer the money back already).
	RefundCancelled RefundStatus = "cancelled"
	// RefundVerify: not to be paid any more, but asked once with no answer:
	// looked up at the provider, recorded if it exists, cancelled if not.
	RefundVerify RefundStatus = "verify"
)

// RefundStore keeps the refunds Solidaire owes and their outcome.
type RefundStore interface {
	// ClaimRefunds leases up to n refunds that are due by dueBy (requested,
	// retry time come, their order not in an open dispute) and not leased
	// now, hiding them from other passes until the lease ends.
	ClaimRefunds(ctx context.Context, now, dueBy time.Time, n int, lease time.Duration) ([]*OwnRefund, error)
	// ClaimRefund leases one refund by id if it is due; ENotFound when it
	// is not (paid, leased elsewhere, or waiting for its retry time).
	ClaimRefund(ctx context.Context, id string, now time.Time, lease time.Duration) (*OwnRefund, error)
	// RefundAttempted counts a provider call about to start.
	RefundAttempted(ctx context.Context, id string, at time.Time) error
	// RefundPaid records the provider's refund and settles what it
	// refunded (the ticket becomes refunded), once, in one transaction.
	RefundPaid(ctx context.Context, id, providerID string, at time.Time) error
	// RefundFailed records a failed attempt and when to try again.
	RefundFailed(ctx context.Context, id, reason string, retryAt time.Time) error
	// RefundCancelled records that a refund to verify was never made.
	RefundCancelled(ctx context.Context, id string, at time.Time) error
}

// Refunds pays the refunds Solidaire owes, never twice: a refund whose
// outcome is unknown (a timeout, a crash after the call) is looked up at
// the provider by its metadata before it is asked again, because the
// provider forgets idempotency keys after about a day. Failures wait with a
// growing delay recorded on the refund; one failing refund never stops the
// others.
type Refunds struct {
	Store    RefundStore
	Payments PaymentProvider
	Log      *slog.Logger
	Now      func() time.Time
	// Lease is how long a claimed refund is hidden from other passes (one
	// minute when 0).
	Lease time.Duration
}

func (s *Refunds) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Refunds) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Refunds) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return time.Minute
}

// PayNow pays one refund at once if it is due (a holder waiting on the
// page); otherwise the pass pays it. It returns the provider's error, if
// any, after recording it.
func (s *Refunds) PayNow(ctx context.Context, id string) error {
	r, err := s.Store.ClaimRefund(ctx, id, s.now().UTC(), s.lease())
	if ErrorCode(err) == ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return s.pay(ctx, r)
}

// PayDue pays the refunds that are due, a batch at a time, and returns how
// many it paid. A refund that fails is put off and the pass goes on.
func (s *Refunds) PayDue(ctx context.Context) (int, error) {
	return s.payClaimed(ctx, false)
}

// PayOwed pays every refund still owed, those waiting for their retry time
// too: an operator's nudge once the provider is back (solidaire refunds).
// Refunds of unknown outcome are looked up before they are asked again.
func (s *Refunds) PayOwed(ctx context.Context) (int, error) {
	return s.payClaimed(ctx, true)
}

func (s *Refunds) payClaimed(ctx context.Context, all bool) (int, error) {
	paid := 0
	failed := map[string]bool{}
	for ctx.Err() == nil {
		now := s.now().UTC()
		dueBy := now
		if all {
			dueBy = now.AddDate(100, 0, 0)
		}
		rs, err := s.Store.ClaimRefunds(ctx, now, dueBy, 20, s.lease())
		if err != nil || len(rs) == 0 {
			return paid, err
		}
		fresh := 0
		for _, r := range rs {
			if failed[r.ID] {
				continue // failed in this call already: not again now
			}
			fresh++
			if err := s.pay(ctx, r); err != nil {
				failed[r.ID] = true
				s.log().WarnContext(ctx, "refund put off", "refund", r.ID, "attempts", r.Attempts+1, "err", err)
				continue
			}
			paid++
		}
		if len(rs) < 20 || fresh == 0 {
			return paid, nil
		}
	}
	return paid, ctx.Err()
}

// pay asks the provider for a claimed refund, or finds the one asked
// before.
func (s *Refunds) pay(ctx context.Context, r *OwnRefund) error {
	if r.Status == RefundVerify {
		found, err := s.Payments.FindRefund(ctx, r.PaymentIntent, r.ID)
		switch {
		case err == nil:
			s.log().WarnContext(ctx, "a refund no longer owed had been made", "refund", r.ID, "provider_refund", found.ID)
			return s.Store.RefundPaid(ctx, r.ID, found.ID, s.now().UTC())
		case ErrorCode(err) == ENotFound:
			return s.Store.RefundCancelled(ctx, r.ID, s.now().UTC())
		}
		return s.failed(ctx, r, err)
	}
	if r.Attempts > 0 {
		found, err := s.Payments.FindRefund(ctx, r.PaymentIntent, r.ID)
		switch {
		case err == nil:
			s.log().InfoContext(ctx, "refund found at the provider, not asked again", "refund", r.ID, "provider_refund", found.ID)
			return s.Store.RefundPaid(ctx, r.ID, found.ID, s.now().UTC())
		case ErrorCode(err) != ENotFound:
			return s.failed(ctx, r, err)
		}
	}
	if err := s.Store.RefundAttempted(ctx, r.ID, s.now().UTC()); err != nil {
		return err
	}
	out, err := s.Payments.Refund(ctx, RefundRequest{PaymentIntent: r.PaymentIntent, Amount: r.Amount, ReverseTransfer: true,
		RefundFee: true, IdempotencyKey: "refund-" + r.ID,
		Metadata: map[string]string{RefundMetadataKey: r.ID, "order_id": r.OrderID, "ticket_id": r.TicketID}})
	if err != nil {
		return s.failed(ctx, r, err)
	}
	return s.Store.RefundPaid(ctx, r.ID, out.ID, s.now().UTC())
}

func (s *Refunds) failed(ctx context.Context, r *OwnRefund, cause error) error {
	retry := s.now().UTC().Add(Backoff(r.Attempts + 1))
	if err := s.Store.RefundFailed(ctx, r.ID, cause.Error(), retry); err != nil {
		s.log().ErrorContext(ctx, "recording a failed refund", "refund", r.ID, "err", err)
	}
	return cause
}

// Backoff is the wait after failed attempt n of background work on one item
// (a refund, an order to reconcile, a holder to tell): a minute doubling up
// to six hours, with jitter so that items failed together do not come back
// together.
func Backoff(attempt int) time.Duration {
	d := 6 * time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 10 {
		d = min(time.Minute<<(attempt-1), d)
	}
	return d/2 + rand.N(d/2+1)
}
