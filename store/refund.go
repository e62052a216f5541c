package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// ApplyChargeRefund voids, from the order of a payment intent, the value
// refunded on its charge that neither Solidaire's own refunds nor earlier
// events account for: amountRefunded is Stripe's running total, so the
// events may come in any order and any number of times. The paid value of
// the order's vouchers goes first (oldest first, never below zero; a
// voucher emptied so is void, bonus included), then whole tickets not
// checked in. What cannot be voided (spent already) is left to the
// merchant. See market.OrderStore.
func (db *DB) ApplyChargeRefund(ctx context.Context, eventID, paymentIntent string, amountRefunded int64, at time.Time) (string, error) {
	return db.orderEvent(ctx, eventID, market.ChargeRefunded, paymentIntent, func(tx *sql.Tx, o *lockedOrder) (string, error) {
		var own int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE order_id = $1 AND status <> 'cancelled'`,
			o.id).Scan(&own); err != nil {
			return "", err
		}
		due := amountRefunded - own - o.externalRefunded
		if due <= 0 {
			return market.OutcomeRefundKnown, nil
		}
		applied, err := voidValue(ctx, tx, o.id, due, "refund:"+eventID, millis(at))
		if err != nil {
			return "", err
		}
		if applied == 0 {
			return market.OutcomeRefundKnown, nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE orders SET external_refunded = external_refunded + $1 WHERE id = $2`, applied, o.id)
		return market.OutcomeRefundApplied, err
	})
}

// voidValue takes up to due from an order's vouchers (paid part) and
// tickets, within tx, and returns what it took.
func voidValue(ctx context.Context, tx *sql.Tx, orderID string, due int64, ref string, at int64) (int64, error) {
	ids, err := orderVoucherIDs(ctx, tx, orderID)
	if err != nil {
		return 0, err
	}
	var applied int64
	for _, id := range ids {
		if applied >= due {
			break
		}
		took, err := voidPaid(ctx, tx, id, due-applied, ref, at)
		if err != nil {
			return applied, err
		}
		applied += took
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, price FROM tickets WHERE order_id = $1 AND status IN ('valid', 'disputed')
		AND checked_in_at = 0 AND choice IN ('', 'keep') ORDER BY created_at, id`, orderID)
	if err != nil {
		return applied, err
	}
	type ticket struct {
		id    string
		price int64
	}
	var tickets []ticket
	for rows.Next() {
		var t ticket
		if err := rows.Scan(&t.id, &t.price); err != nil {
			rows.Close()
			return applied, err
		}
		tickets = append(tickets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return applied, err
	}
	for _, t := range tickets {
		if t.price <= 0 || due-applied < t.price {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'void', choice_ref = $1 WHERE id = $2
			AND status IN ('valid', 'disputed') AND checked_in_at = 0 AND choice IN ('', 'keep')`, ref, t.id)
		if err != nil {
			return applied, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			applied += t.price
		}
	}
	return applied, nil
}

// voidPaid takes up to want from a voucher's paid value with a conditional
// debit (retried if a concurrent redemption changed the balance) and a
// compensating entry; a voucher left with no paid value is void, its bonus
// too. It returns what it took.
func voidPaid(ctx context.Context, tx *sql.Tx, voucherID string, want int64, ref string, at int64) (int64, error) {
	for range 20 {
		var balance int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT balance, status FROM vouchers WHERE id = $1`, voucherID).Scan(&balance, &status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != string(market.VoucherActive) && status != string(market.VoucherDisputed) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		if want >= balance {
			return voidVoucher(ctx, tx, voucherID, ref, at)
		}
		var after int64
		err = tx.QueryRowContext(ctx, `UPDATE vouchers SET balance = balance - $1 WHERE id = $2 AND balance = $3 AND status = $4
			RETURNING balance`, want, voucherID, balance, status).Scan(&after)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return want, insertEntry(ctx, tx, entry{voucherID, market.EntryVoid, partPaid, -want, after, ref, at})
	}
	return 0, &market.Error{Code: market.EUnavailable, Message: "Bon trop sollicité : réessayez dans un instant."}
}

// RefundReviewOrder moves an order in review to refunded, releases the
// seats it holds, queues the buyer's mail and records the refund to pay
// (the whole payment; id the order's, so it is never paid twice), in one
// transaction. EConflict when the order is not in review.
func (db *DB) RefundReviewOrder(ctx context.Context, orderID string, m *market.Mail, at time.Time) (*market.OwnRefund, error) {
	r := &market.OwnRefund{ID: orderID, OrderID: orderID, Status: market.RefundRequested, CreatedAt: at}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var seats int
		var paid, total int64
		var currency string
		err := tx.QueryRowContext(ctx, `UPDATE orders SET status = 'refunded' WHERE id = $1 AND status = 'review'
			RETURNING held, amount_paid, total, currency, payment_intent`, orderID).Scan(&seats, &paid, &total, &currency, &r.PaymentIntent)
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.EConflict, Message: "Cette commande n'est pas (ou plus) à examiner."}
		}
		if err != nil {
			return err
		}
		if seats == 1 {
			if err := releaseOrder(ctx, tx, orderID, millis(at)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET held = 0 WHERE id = $1`, orderID); err != nil {
				return err
			}
		}
		r.Amount, r.Currency = paid, market.Currency(currency)
		if r.Amount <= 0 {
			r.Amount = total
		}
		if err := insertRefund(ctx, tx, r); err != nil {
			return err
		}
		if m != nil {
			return db.insertMail(ctx, tx, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// insertRefund records a refund Solidaire owes, once per id: a second
// request for the same ticket or order is EConflict.
func insertRefund(ctx context.Context, tx *sql.Tx, r *market.OwnRefund) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refunds (id, order_id, ticket_id, amount, currency, status, created_at)
		VALUES ($1, $2, $3, $4, $5, 'requested', $6)`, r.ID, r.OrderID, r.TicketID, r.Amount, string(r.Currency), millis(r.CreatedAt))
	return err
}

const refundColumns = `r.id, r.order_id, r.ticket_id, r.amount, r.currency, o.payment_intent, r.status, r.provider_id,
	r.attempts, r.last_error, r.created_at, r.done_at`

func scanRefund(s scanner) (*market.OwnRefund, error) {
	var r market.OwnRefund
	var currency, status string
	var created, done int64
	if err := s.Scan(&r.ID, &r.OrderID, &r.TicketID, &r.Amount, &currency, &r.PaymentIntent, &status, &r.ProviderID,
		&r.Attempts, &r.LastError, &created, &done); err != nil {
		return nil, err
	}
	r.Currency, r.Status, r.CreatedAt, r.DoneAt = market.Currency(currency), market.RefundStatus(status), fromMillis(created), fromMillis(done)
	return &r, nil
}

// refundDue is the condition of a refund that a pass may pay: requested,
// its retry time come by $2, not leased at $1, and its order not in an open
// dispute (the bank may give the money back itself).
const refundDue = `r.status IN ('requested', 'verify') AND r.retry_at <= $2 AND r.lease_until <= $1
	AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = r.order_id AND d.status = 'open')`

// ClaimRefunds leases up to n refunds whose retry time comes by dueBy
// (now, for the pass), oldest first: a conditional update each, so two
// passes (on two instances) never both take one.
func (db *DB) ClaimRefunds(ctx context.Context, now, dueBy time.Time, n int, lease time.Duration) ([]*market.OwnRefund, error) {
	var claimed []*market.OwnRefund
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+refundColumns+` FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE `+refundDue+` ORDER BY r.created_at, r.id LIMIT $3`, millis(now), millis(dueBy), n)
		if err != nil {
			return err
		}
		var due []*market.OwnRefund
		for rows.Next() {
			r, err := scanRefund(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range due {
			ok, err := leaseRefund(ctx, tx, r.ID, now, lease)
			if err != nil {
				return err
			}
			if ok {
				claimed = append(claimed, r)
			}
		}
		return nil
	})
	return claimed, err
}

// ClaimRefund leases one refund by id if it is due; ENotFound otherwise.
func (db *DB) ClaimRefund(ctx context.Context, id string, now time.Time, lease time.Duration) (*market.OwnRefund, error) {
	var r *market.OwnRefund
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanRefund(tx.QueryRowContext(ctx, `SELECT `+refundColumns+` FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE r.id = $3 AND `+refundDue, millis(now), millis(now), id))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Remboursement")
		}
		if err != nil {
			return err
		}
		ok, err := leaseRefund(ctx, tx, id, now, lease)
		if err == nil && !ok {
			err = market.NotFound("Remboursement")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func leaseRefund(ctx context.Context, tx *sql.Tx, id string, now time.Time, lease time.Duration) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE refunds SET lease_until = $1 WHERE id = $2 AND status IN ('requested', 'verify')
		AND lease_until <= $3`,
		millis(now.Add(lease)), id, millis(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RefundAttempted counts a provider call about to start, committed before
// the call: after a crash, the refund is looked up before it is asked
// again. A conditional update: EConflict when the refund is no longer one
// to ask for (a lost dispute moved it since it was claimed), so the call
// is not made on a stale read.
func (db *DB) RefundAttempted(ctx context.Context, id string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refunds SET attempts = attempts + 1 WHERE id = $1 AND status = 'requested'`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EConflict, Message: "Ce remboursement a changé depuis qu'il a été pris : il sera revu au prochain passage."}
		}
		return nil
	})
}

// RefundPaid records the provider's refund and settles what it refunded,
// once, in one transaction: a ticket becomes refunded (its choice_ref the
// provider's id).
func (db *DB) RefundPaid(ctx context.Context, id, providerID string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var ticketID string
		err := tx.QueryRowContext(ctx, `UPDATE refunds SET status = 'succeeded', provider_id = $1, done_at = $2, lease_until = 0, last_error = ''
			WHERE id = $3 AND status IN ('requested', 'verify') RETURNING ticket_id`, providerID, millis(at), id).Scan(&ticketID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // recorded already
		}
		if err != nil || ticketID == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tickets SET status = 'refunded', choice_ref = $1 WHERE id = $2 AND status = 'valid'`,
			providerID, ticketID)
		return err
	})
}

// RefundFailed records a failed attempt and when to try again.
func (db *DB) RefundFailed(ctx context.Context, id, reason string, retryAt time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE refunds SET last_error = $1, retry_at = $2, lease_until = 0 WHERE id = $3
			AND status IN ('requested', 'verify')`,
			truncate(reason, 500), millis(retryAt), id)
		return err
	})
}

// RefundCancelled records that a refund to verify was never made at the
// provider: it is not owed any more (its order's dispute was lost).
func (db *DB) RefundCancelled(ctx context.Context, id string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE refunds SET status = 'cancelled', done_at = $1, lease_until = 0 WHERE id = $2 AND status = 'verify'`,
			millis(at), id)
		return err
	})
}

// OwnRefunds lists the refunds of an order, for the admin and the tests.
func (db *DB) OwnRefunds(ctx context.Context, orderID string) ([]*market.OwnRefund, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+refundColumns+` FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE r.order_id = $1 ORDER BY r.created_at, r.id`, orderID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.OwnRefund
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, r)
	}
	return list, translate(rows.Err())
}
