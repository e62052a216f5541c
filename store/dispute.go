package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// lockedOrder is an order whose row the transaction holds.
type lockedOrder struct {
	id               string
	externalRefunded int64
	currency         string
}

// lockOrderByIntent finds the order paid by a payment intent and takes its
// row with a no-op conditional update (PostgreSQL locks the row; SQLite's
// writer already holds the database): the events about one payment apply
// one after the other, and what the transaction reads of the order next
// cannot change under it. nil when no order has that payment intent.
func lockOrderByIntent(ctx context.Context, tx *sql.Tx, paymentIntent string) (*lockedOrder, error) {
	if paymentIntent == "" {
		return nil, nil
	}
	var o lockedOrder
	err := tx.QueryRowContext(ctx, `UPDATE orders SET external_refunded = external_refunded WHERE payment_intent = $1
		RETURNING id, external_refunded, currency`, paymentIntent).Scan(&o.id, &o.externalRefunded, &o.currency)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// orderEvent runs fn for a provider event about the order of a payment
// intent: the event is recorded once, the order locked, and fn's outcome
// recorded with the event, all in one transaction. A repeated event is a
// duplicate; an event about no known order is recorded as such.
func (db *DB) orderEvent(ctx context.Context, eventID, eventType, paymentIntent string,
	fn func(tx *sql.Tx, o *lockedOrder) (string, error)) (string, error) {
	outcome := market.OutcomeDuplicate
	err := db.tx(ctx, func(tx *sql.Tx) error {
		fresh, err := recordEvent(ctx, tx, eventID, eventType, market.OutcomeDuplicate, db.now())
		if err != nil || !fresh {
			return err
		}
		o, err := lockOrderByIntent(ctx, tx, paymentIntent)
		if err != nil {
			return err
		}
		if o == nil {
			outcome = market.OutcomeUnknownOrder
		} else if outcome, err = fn(tx, o); err != nil {
			return err
		}
		return setOutcome(ctx, tx, eventID, outcome)
	})
	return outcome, err
}

// OpenDispute records a dispute once and freezes what is left of its
// order: active vouchers become disputed (with an entry each that moves
// nothing) and valid tickets disputed. A dispute whose end came first (its
// row is closed already) changes nothing. See market.OrderStore.
func (db *DB) OpenDispute(ctx context.Context, eventID, paymentIntent string, d *market.Dispute, at time.Time) (string, error) {
	return db.orderEvent(ctx, eventID, market.DisputeCreated, paymentIntent, func(tx *sql.Tx, o *lockedOrder) (string, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO disputes (id, order_id, status, amount, opened_at) VALUES ($1, $2, 'open', $3, $4)
			ON CONFLICT (id) DO NOTHING`, d.ID, o.id, d.Amount, millis(at))
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.OutcomeDuplicate, nil
		}
		if err := setVoucherStatus(ctx, tx, o.id, market.VoucherActive, market.VoucherDisputed, market.EntryFreeze, d.ID, millis(at)); err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tickets SET status = 'disputed' WHERE order_id = $1 AND status = 'valid'`, o.id)
		return market.OutcomeDisputeOpened, err
	})
}

// CloseDispute records a dispute's end once, whether or not its opening
// was seen: won unfreezes the order (unless another of its disputes is
// open), lost voids what is left of its vouchers (compensating entries)
// and tickets, and cancels the refunds Solidaire still owed on it (the bank
// has given the money back already; one whose outcome is unknown is left
// to be verified at Stripe). See market.OrderStore.
func (db *DB) CloseDispute(ctx context.Context, eventID, paymentIntent string, d *market.Dispute, at time.Time) (string, error) {
	return db.orderEvent(ctx, eventID, market.DisputeClosed, paymentIntent, func(tx *sql.Tx, o *lockedOrder) (string, error) {
		status := "won"
		if d.Lost() {
			status = "lost"
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO disputes (id, order_id, status, amount, closed_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, d.ID, o.id, status, d.Amount, millis(at))
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			res, err := tx.ExecContext(ctx, `UPDATE disputes SET status = $1, closed_at = $2 WHERE id = $3 AND status = 'open'`,
				status, millis(at), d.ID)
			if err != nil {
				return "", err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return market.OutcomeDuplicate, nil // closed already
			}
		}
		if status == "lost" {
			if _, err := voidOrder(ctx, tx, o.id, d.ID, millis(at)); err != nil {
				return "", err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'void' WHERE order_id = $1 AND status IN ('valid', 'disputed')`, o.id); err != nil {
				return "", err
			}
			// Refunds never asked of Stripe are cancelled; one asked whose
			// answer was lost may exist, and so may one that the refunds pass
			// holds (leased) and is asking for at this moment: the pass looks
			// each up, records it if it exists, cancels it if it does not, and
			// never asks again.
			now := millis(db.now())
			if _, err := tx.ExecContext(ctx, `UPDATE refunds SET status = 'cancelled', last_error = 'dispute lost'
				WHERE order_id = $1 AND status = 'requested' AND attempts = 0 AND lease_until <= $2`, o.id, now); err != nil {
				return "", err
			}
			_, err = tx.ExecContext(ctx, `UPDATE refunds SET status = 'verify', last_error = 'dispute lost', retry_at = 0
				WHERE order_id = $1 AND status = 'requested' AND (attempts > 0 OR lease_until > $2)`, o.id, now)
			return market.OutcomeDisputeLost, err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM disputes WHERE order_id = $1 AND status = 'open'`, o.id).Scan(&open); err != nil {
			return "", err
		}
		if open == 0 {
			if err := setVoucherStatus(ctx, tx, o.id, market.VoucherDisputed, market.VoucherActive, market.EntryUnfreeze, d.ID, millis(at)); err != nil {
				return "", err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'valid' WHERE order_id = $1 AND status = 'disputed'`, o.id); err != nil {
				return "", err
			}
		}
		return market.OutcomeDisputeWon, nil
	})
}

// setVoucherStatus moves the order's vouchers from one status to another
// (a freeze, an unfreeze) with an entry each that moves no value: the
// ledger tells when a voucher could not be spent, and why.
func setVoucherStatus(ctx context.Context, tx *sql.Tx, orderID string, from, to market.VoucherStatus, kind, ref string, at int64) error {
	rows, err := tx.QueryContext(ctx, `UPDATE vouchers SET status = $1 WHERE order_id = $2 AND status = $3 RETURNING id, balance`,
		string(to), orderID, string(from))
	if err != nil {
		return err
	}
	var changed []entry
	for rows.Next() {
		e := entry{kind: kind, part: partPaid, reference: ref, at: at}
		if err := rows.Scan(&e.voucherID, &e.balanceAfter); err != nil {
			rows.Close()
			return err
		}
		changed = append(changed, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range changed {
		if err := insertEntry(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// voidOrder voids what is left of every active or disputed voucher of an
// order and returns the paid value it took.
func voidOrder(ctx context.Context, tx *sql.Tx, orderID, ref string, at int64) (int64, error) {
	ids, err := orderVoucherIDs(ctx, tx, orderID)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, id := range ids {
		paid, err := voidVoucher(ctx, tx, id, ref, at)
		if err != nil {
			return total, err
		}
		total += paid
	}
	return total, nil
}

// orderVoucherIDs lists the order's vouchers that still hold value, oldest
// first.
func orderVoucherIDs(ctx context.Context, tx *sql.Tx, orderID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM vouchers WHERE order_id = $1 AND status IN ('active', 'disputed')
		ORDER BY created_at, id`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
