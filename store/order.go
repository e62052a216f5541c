package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

const orderColumns = `o.id, o.merchant_id, m.slug, m.name, o.status, o.buyer_email, o.buyer_name, o.lang,
	o.currency, o.total, o.platform_fee, o.access_hash, o.session_id, o.payment_intent, o.ref,
	o.created_at, o.paid_at, o.expires_at, o.amount_paid, o.review_note`

// CreateOrder stores a new order with its items, giving ids where missing,
// holds what they need (seats, bonuses from a programme's fund, the
// buyer's caps), and keeps the Idempotency-Key that ctx may carry (with the
// order as the result), in one transaction. ESoldOut, EFundExhausted or
// ECapReached when a hold cannot be had: nothing is written.
func (db *DB) CreateOrder(ctx context.Context, o *market.Order) error {
	if o.ID == "" {
		o.ID = market.NewID("ord")
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		buyer := market.BuyerKey(o.BuyerEmail)
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, merchant_id, status, buyer_email, buyer_name, lang,
			currency, total, platform_fee, access_hash, session_id, ref, created_at, expires_at, buyer_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			o.ID, o.MerchantID, string(o.Status), o.BuyerEmail, o.BuyerName, o.Lang, string(o.Currency),
			o.Total, o.PlatformFee, o.AccessHash, o.SessionID, o.Ref, millis(o.CreatedAt), millis(o.ExpiresAt), buyer); err != nil {
			return err
		}
		for i, it := range o.Items {
			if it.ID == "" {
				it.ID = market.NewID("itm")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (id, order_id, position, kind, amount, quantity,
				recipient_name, recipient_email, message, event_id, ticket_type_id, programme_id, bonus, deliver_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				it.ID, o.ID, i, string(it.Kind), it.Amount, it.Quantity, it.RecipientName, it.RecipientEmail,
				it.Message, it.EventID, it.TicketTypeID, it.ProgrammeID, it.Bonus, millis(it.DeliverAt)); err != nil {
				return err
			}
		}
		if err := db.keepClaim(ctx, tx, o); err != nil {
			return err
		}
		// The holds last: on PostgreSQL a ticket type's or a fund's row
		// stays locked from its update to the commit, and every buyer of
		// an on-sale queues on it; nothing else runs under that lock.
		return holdOrder(ctx, tx, o.ID, buyer, o.Items, true, millis(o.CreatedAt))
	})
}

// SetOrderSession records the checkout session of an order.
func (db *DB) SetOrderSession(ctx context.Context, orderID, sessionID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET session_id = $1 WHERE id = $2`, sessionID, orderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commande")
		}
		return nil
	})
}

// Order returns an order with its items; ENotFound when unknown.
func (db *DB) Order(ctx context.Context, id string) (*market.Order, error) {
	return db.orderWhere(ctx, `o.id = $1`, id)
}

// OrderBySession returns the order of a checkout session; ENotFound when
// unknown.
func (db *DB) OrderBySession(ctx context.Context, sessionID string) (*market.Order, error) {
	if sessionID == "" {
		return nil, market.NotFound("Commande")
	}
	return db.orderWhere(ctx, `o.session_id = $1`, sessionID)
}

func (db *DB) orderWhere(ctx context.Context, where string, arg any) (*market.Order, error) {
	var o *market.Order
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+`
			FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE `+where, arg))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Commande")
		}
		if err != nil {
			return err
		}
		o.Items, err = itemsOf(ctx, tx, o.ID)
		return err
	})
	return o, err
}

// PendingOrders returns up to n pending orders created before before whose
// retry time has come, oldest first.
func (db *DB) PendingOrders(ctx context.Context, before time.Time, n int) ([]*market.Order, error) {
	return db.orders(ctx, `o.status = 'pending' AND o.created_at < $1 AND o.retry_at <= $3 ORDER BY o.created_at LIMIT $2`,
		millis(before), n, millis(db.now()))
}

// orders returns the orders (without their items) that where selects.
func (db *DB) orders(ctx context.Context, where string, args ...any) ([]*market.Order, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders o JOIN merchants m ON m.id = o.merchant_id
		WHERE `+where, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, o)
	}
	return list, translate(rows.Err())
}

// recordEvent inserts a provider event id; false when it was there
// already, which makes the whole delivery a duplicate.
func recordEvent(ctx context.Context, tx *sql.Tx, id, typ, outcome string, at time.Time) (bool, error) {
	if id == "" {
		return true, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (id, type, outcome, received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, id, typ, outcome, millis(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// setOutcome corrects the outcome recorded for an event once it is known.
func setOutcome(ctx context.Context, tx *sql.Tx, id, outcome string) error {
	if id == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE webhook_events SET outcome = $1 WHERE id = $2`, outcome, id)
	return err
}

// FulfilOrder records the event and, if this call moves the order to paid
// (from pending; from expired, the money having been taken all the same;
// or, with f.Review, from review), takes its seats again if they had been
// released, and writes its vouchers with their first ledger entries, its
// tickets and its mails, all in one transaction. Concurrent calls for one
// order serialise on the order's row: exactly one fulfils, the others
// report a duplicate. A late payment that finds its seats gone sends the
// order to review; an admin's accept that finds them gone is ESoldOut.
// It does not compare f.AmountPaid with the order's total (PayOrder does).
func (db *DB) FulfilOrder(ctx context.Context, f *market.Fulfilment) (string, error) {
	return db.payOrder(ctx, f, nil, func(context.Context, *market.Order, market.FulfilmentReader) (*market.Fulfilment, error) {
		return f, nil
	})
}

// PayOrder applies a paid checkout event in one transaction, without
// reading the order first: the order's conditional update takes it (and
// serialises concurrent deliveries) only if it awaits payment and ev paid
// its total in its currency; build then makes its vouchers, tickets and
// mails from the row the update returned. See market.OrderStore.
func (db *DB) PayOrder(ctx context.Context, ev *market.PaymentEvent, paidAt time.Time, build market.BuildFulfilment) (string, error) {
	p := &market.Fulfilment{EventID: ev.ID, EventType: ev.Type, OrderID: ev.OrderID, PaymentIntent: ev.PaymentIntent,
		AmountPaid: ev.AmountTotal, PaidAt: paidAt}
	return db.payOrder(ctx, p, &market.Money{Amount: ev.AmountTotal, Currency: ev.Currency}, build)
}

// payOrder runs fulfil in a transaction of its own. paid, when not nil,
// is what the payment paid, which must be the order's total.
func (db *DB) payOrder(ctx context.Context, p *market.Fulfilment, paid *market.Money, build market.BuildFulfilment) (string, error) {
	outcome := market.OutcomeDuplicate
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return db.fulfil(ctx, tx, p, paid, build, &outcome)
	})
	if errors.Is(err, errEventSeen) {
		return market.OutcomeDuplicate, nil
	}
	var gone *holdsGone
	if errors.As(err, &gone) {
		if p.Review {
			return "", &market.Error{Code: gone.code, Message: "Ce que cette commande réservait n'est plus disponible (places, bonus) : remboursez-la."}
		}
		// Nothing was written; a person must refund the buyer.
		return db.ReviewOrder(ctx, p.EventID, p.OrderID, p.PaymentIntent, p.AmountPaid,
			"paid after its checkout expired, and what it held is gone ("+gone.code+")")
	}
	return outcome, err
}

// errEventSeen rolls a fulfilment back when its event was recorded
// already: that delivery was a duplicate.
var errEventSeen = errors.New("store: event recorded already")

// holdsGone rolls a fulfilment back when a late payment finds its seats or
// its bonus gone.
type holdsGone struct{ code string }

func (h *holdsGone) Error() string { return "store: holds gone: " + h.code }

// paidColumns are orderColumns as the UPDATE that pays an order returns
// them (RETURNING cannot join: the merchant's slug and name come by
// subqueries), then held and buyer_key.
const paidColumns = `id, merchant_id, (SELECT m.slug FROM merchants m WHERE m.id = orders.merchant_id),
	(SELECT m.name FROM merchants m WHERE m.id = orders.merchant_id), status, buyer_email, buyer_name, lang,
	currency, total, platform_fee, access_hash, session_id, payment_intent, ref,
	created_at, paid_at, expires_at, amount_paid, review_note, held, buyer_key`

// fulfil moves the order to paid and writes what build makes of it,
// within tx, and records the event once, with its outcome. The order's
// conditional update comes first: it serialises concurrent deliveries for
// the order and returns the order itself, so nothing reads it before. The
// event's insert follows, and rolls everything back (errEventSeen) if the
// event was recorded already. A payment that moves nothing is settled by
// unpaid.
func (db *DB) fulfil(ctx context.Context, tx *sql.Tx, p *market.Fulfilment, paid *market.Money, build market.BuildFulfilment, outcome *string) error {
	from := `'pending', 'expired'`
	if p.Review {
		from = `'review'`
	}
	args := []any{millis(p.PaidAt), p.PaymentIntent, p.AmountPaid, p.OrderID}
	amount := ""
	if paid != nil {
		amount = ` AND total = $5 AND currency = $6`
		args = append(args, paid.Amount, string(paid.Currency))
	}
	var held int
	var buyer string
	o, err := scanOrder(tx.QueryRowContext(ctx, `UPDATE orders SET status = 'paid', paid_at = $1,
			payment_intent = CASE WHEN $2 = '' THEN payment_intent ELSE $2 END, amount_paid = $3
		WHERE id = $4 AND status IN (`+from+`)`+amount+` RETURNING `+paidColumns, args...), &held, &buyer)
	if errors.Is(err, sql.ErrNoRows) {
		return db.unpaid(ctx, tx, p, paid, outcome)
	}
	if err != nil {
		return err
	}
	if fresh, err := recordEvent(ctx, tx, p.EventID, p.EventType, market.OutcomeFulfilled, db.now()); err != nil {
		return err
	} else if !fresh {
		return errEventSeen
	}
	if o.Items, err = itemsOf(ctx, tx, o.ID); err != nil {
		return err
	}
	f, err := build(ctx, o, txReader{tx})
	if err != nil {
		return err
	}
	at := millis(p.PaidAt)
	if held == 0 {
		// Paid after it expired (the money was taken all the same), or an
		// accepted review of such a payment: what it held was released
		// and must be taken again; the buyer's caps are counted, not
		// checked (the buyer has paid).
		if err := holdOrder(ctx, tx, o.ID, buyer, o.Items, false, at); err != nil {
			if code := market.ErrorCode(err); code == market.ESoldOut || code == market.EFundExhausted {
				return &holdsGone{code}
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET held = 1 WHERE id = $1`, o.ID); err != nil {
			return err
		}
	}
	// The bonuses reserved for its programme cards are now on the cards.
	for _, it := range o.Items {
		if it.Kind == market.KindProgrammeCard {
			if ok, err := fundMove(ctx, tx, it.ProgrammeID, market.FundIssue, it.Bonus*int64(it.Quantity), o.ID, at); err != nil || !ok {
				if err == nil {
					err = errors.New("store: a programme card's bonus was not reserved")
				}
				return err
			}
		}
	}
	for _, t := range f.Tickets {
		if err := insertTicket(ctx, tx, t); err != nil {
			return err
		}
	}
	for _, v := range f.Vouchers {
		if err := insertVoucher(ctx, tx, v); err != nil {
			return err
		}
	}
	for _, m := range f.Mails {
		if err := db.insertMail(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := attribute(ctx, tx, o.ID, o.Ref, o.MerchantID, string(o.Currency), o.Total, at); err != nil {
		return err
	}
	*outcome = market.OutcomeFulfilled
	return nil
}

// unpaid settles, within tx, a payment whose update moved nothing: an
// unknown order is recorded as such; a payment (paid) of another amount
// or currency than the order awaiting it sends the order to review, as
// ReviewOrder does; anything else (paid already, in review, refunded) is
// a duplicate, recorded as such if its event is new.
func (db *DB) unpaid(ctx context.Context, tx *sql.Tx, p *market.Fulfilment, paid *market.Money, outcome *string) error {
	var status, currency string
	var total int64
	err := tx.QueryRowContext(ctx, `SELECT status, total, currency FROM orders WHERE id = $1`, p.OrderID).Scan(&status, &total, &currency)
	if errors.Is(err, sql.ErrNoRows) {
		*outcome = market.OutcomeUnknownOrder
		_, err := recordEvent(ctx, tx, p.EventID, p.EventType, market.OutcomeUnknownOrder, db.now())
		return err
	}
	if err != nil {
		return err
	}
	awaiting := !p.Review && (status == string(market.OrderPending) || status == string(market.OrderExpired))
	if paid == nil || !awaiting {
		_, err := recordEvent(ctx, tx, p.EventID, p.EventType, market.OutcomeDuplicate, db.now())
		return err
	}
	if paid.Amount == total && string(paid.Currency) == currency {
		// The update's row changed between it and this read: let the
		// provider deliver the event again.
		return fmt.Errorf("store: order %s changed while its payment was applied", p.OrderID)
	}
	note := fmt.Sprintf("paid %d %s for an order of %d %s", paid.Amount, paid.Currency, total, currency)
	return db.transitionIn(ctx, tx, outcome, p.EventID, p.EventType, p.OrderID, market.OutcomeAmountMismatch,
		reviewUpdate, p.OrderID, note, p.PaymentIntent, p.AmountPaid)
}

// txReader reads what a fulfilment's build needs within the transaction
// that pays the order (market.FulfilmentReader): on PostgreSQL, a read on
// another connection of the pool while every connection holds a
// fulfilment would wait for ever.
type txReader struct{ tx *sql.Tx }

// ProgrammeByID implements market.FulfilmentReader.
func (r txReader) ProgrammeByID(ctx context.Context, id string) (*market.Programme, error) {
	return programmeIn(ctx, r.tx, `p.id = $1`, id)
}

// Event implements market.FulfilmentReader.
func (r txReader) Event(ctx context.Context, id string) (*market.Event, error) {
	return eventIn(ctx, r.tx, id)
}

// ExpireOrder records the event and expires the order if still pending,
// releasing its seats in the same transaction (see transition).
func (db *DB) ExpireOrder(ctx context.Context, eventID, orderID string) (string, error) {
	return db.transition(ctx, eventID, market.PaymentExpired, orderID, market.OutcomeExpired,
		`UPDATE orders SET status = 'expired', held = 0 WHERE id = $1 AND status = 'pending'`, orderID)
}

// ReviewOrder records the event and sets a pending or expired order aside
// for a person to look at, with the payment's intent and amount (the admin
// accepts it, or refunds it).
func (db *DB) ReviewOrder(ctx context.Context, eventID, orderID, paymentIntent string, paid int64, note string) (string, error) {
	return db.transition(ctx, eventID, market.PaymentCompleted, orderID, market.OutcomeAmountMismatch,
		reviewUpdate, orderID, note, paymentIntent, paid)
}

// reviewUpdate sets an order awaiting payment aside for review: $1 the
// order, $2 the note, $3 the payment's intent, $4 the amount paid.
const reviewUpdate = `UPDATE orders SET status = 'review', review_note = $2, payment_intent = $3, amount_paid = $4
	WHERE id = $1 AND status IN ('pending', 'expired')`

// OrderRetryLater records that the reconciliation pass failed on an order,
// and puts it off by a growing delay (market.Backoff).
func (db *DB) OrderRetryLater(ctx context.Context, orderID, reason string, at time.Time) error {
	return db.putOff(ctx, "orders", orderID, reason, at)
}

// putOff records a background pass's failure on one row of table (orders,
// tickets: both have attempts, last_error and retry_at) and when to try it
// again, with a delay that grows with its attempts.
func (db *DB) putOff(ctx context.Context, table, id, reason string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var attempts int
		err := tx.QueryRowContext(ctx, `UPDATE `+table+` SET attempts = attempts + 1, last_error = $1 WHERE id = $2 RETURNING attempts`,
			truncate(reason, 500), id).Scan(&attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Élément")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET retry_at = $1 WHERE id = $2`, millis(at.Add(market.Backoff(attempts))), id)
		return err
	})
}

// OrdersByStatus returns up to n orders in a status, oldest first, for the
// admins (the orders in review), with their items.
func (db *DB) OrdersByStatus(ctx context.Context, status market.OrderStatus, n int) ([]*market.Order, error) {
	list, err := db.orders(ctx, `o.status = $1 ORDER BY o.created_at, o.id LIMIT $2`, string(status), n)
	if err != nil {
		return nil, err
	}
	for i, o := range list {
		if list[i], err = db.Order(ctx, o.ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// truncate cuts s to at most n bytes on a rune boundary, for stored
// error texts.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// transition runs one conditional status update with its event record.
func (db *DB) transition(ctx context.Context, eventID, eventType, orderID, outcome, update string, args ...any) (string, error) {
	result := market.OutcomeDuplicate
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return db.transitionIn(ctx, tx, &result, eventID, eventType, orderID, outcome, update, args...)
	})
	return result, err
}

// transitionIn is transition within tx, setting *result to outcome when
// the update changes the order.
func (db *DB) transitionIn(ctx context.Context, tx *sql.Tx, result *string, eventID, eventType, orderID, outcome, update string, args ...any) error {
	var exists int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM orders WHERE id = $1`, orderID).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return market.NotFound("Commande")
	}
	if err != nil {
		return err
	}
	fresh, err := recordEvent(ctx, tx, eventID, eventType, market.OutcomeDuplicate, db.now())
	if err != nil || !fresh {
		return err
	}
	res, err := tx.ExecContext(ctx, update, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		*result = outcome
		if outcome == market.OutcomeExpired {
			if err := releaseOrder(ctx, tx, orderID, millis(db.now())); err != nil {
				return err
			}
		}
		return setOutcome(ctx, tx, eventID, outcome)
	}
	return nil
}

// RecordEvent records an event that changes nothing, once.
func (db *DB) RecordEvent(ctx context.Context, eventID, eventType, outcome string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := recordEvent(ctx, tx, eventID, eventType, outcome, db.now())
		return err
	})
}

// scanOrder scans orderColumns, then into extra the columns that follow.
func scanOrder(s scanner, extra ...any) (*market.Order, error) {
	var o market.Order
	var status, currency string
	var created, paid, expires int64
	err := s.Scan(append([]any{&o.ID, &o.MerchantID, &o.MerchantSlug, &o.MerchantName, &status, &o.BuyerEmail, &o.BuyerName,
		&o.Lang, &currency, &o.Total, &o.PlatformFee, &o.AccessHash, &o.SessionID, &o.PaymentIntent, &o.Ref,
		&created, &paid, &expires, &o.AmountPaid, &o.ReviewNote}, extra...)...)
	if err != nil {
		return nil, err
	}
	o.Status, o.Currency = market.OrderStatus(status), market.Currency(currency)
	o.CreatedAt, o.PaidAt, o.ExpiresAt = fromMillis(created), fromMillis(paid), fromMillis(expires)
	return &o, nil
}
