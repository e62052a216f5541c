package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func insertTicket(ctx context.Context, tx *sql.Tx, t *market.Ticket) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, code, event_id, ticket_type_id, order_id, kind, price, currency,
		holder_name, holder_email, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		t.ID, t.Code, t.EventID, t.TicketTypeID, t.OrderID, string(t.Kind), t.Price, string(t.Currency), t.HolderName,
		t.HolderEmail, string(t.Status), millis(t.CreatedAt))
	return err
}

const ticketColumns = `t.id, t.code, t.event_id, e.title, e.merchant_id, t.ticket_type_id, COALESCE(tt.name, ''), t.order_id,
	t.kind, t.price, t.currency, t.holder_name, t.holder_email, t.status, t.checked_in_at, t.checked_in_by, t.choice,
	t.choice_at, t.choice_ref, t.choice_by_default, t.notified_at, t.created_at`

const ticketFrom = ` FROM tickets t JOIN events e ON e.id = t.event_id LEFT JOIN ticket_types tt ON tt.id = t.ticket_type_id `

func scanTicket(s scanner) (*market.Ticket, error) {
	var t market.Ticket
	var kind, currency, status, choice string
	var checked, chosen, notified, created int64
	var byDefault int
	if err := s.Scan(&t.ID, &t.Code, &t.EventID, &t.EventTitle, &t.MerchantID, &t.TicketTypeID, &t.TypeName, &t.OrderID, &kind,
		&t.Price, &currency, &t.HolderName, &t.HolderEmail, &status, &checked, &t.CheckedInBy, &choice, &chosen, &t.ChoiceRef,
		&byDefault, &notified, &created); err != nil {
		return nil, err
	}
	t.ChoiceByDefault = byDefault == 1
	t.Kind, t.Currency, t.Status, t.Choice = market.ItemKind(kind), market.Currency(currency), market.TicketStatus(status), market.Choice(choice)
	t.CheckedInAt, t.ChoiceAt, t.NotifiedAt, t.CreatedAt = fromMillis(checked), fromMillis(chosen), fromMillis(notified), fromMillis(created)
	return &t, nil
}

// Ticket returns a ticket by code; ENotFound when unknown.
func (db *DB) Ticket(ctx context.Context, code string) (*market.Ticket, error) {
	t, err := scanTicket(db.read.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE t.code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Billet")
	}
	return t, translate(err)
}

// OrderTickets returns the tickets of an order.
func (db *DB) OrderTickets(ctx context.Context, orderID string) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE t.order_id = $1 ORDER BY t.created_at, t.id`, orderID)
}

func (db *DB) tickets(ctx context.Context, where string, args ...any) ([]*market.Ticket, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+ticketColumns+ticketFrom+where, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, t)
	}
	return list, translate(rows.Err())
}

// CheckIn marks a valid seat ticket of the merchant's event used, with one
// conditional update: of two tills scanning it at once, one succeeds.
func (db *DB) CheckIn(ctx context.Context, merchantID, code, by string, at time.Time) (*market.Ticket, error) {
	var t *market.Ticket
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET checked_in_at = $1, checked_in_by = $2
			WHERE code = $3 AND kind = 'ticket' AND status = 'valid' AND checked_in_at = 0 AND choice IN ('', 'keep')
			  AND event_id IN (SELECT id FROM events WHERE merchant_id = $4)`, millis(at), by, code, merchantID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		t, err = scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE t.code = $1 AND e.merchant_id = $2`, code, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.ENotFound, Message: "Code inconnu ou billet d'une autre salle."}
		}
		if err != nil || n == 1 {
			return err
		}
		switch {
		case t.Kind != market.KindTicket:
			return &market.Error{Code: market.ETicketNotValid, Message: "Billet solidaire : il ne donne pas de place."}
		case t.Status == market.TicketDisputed:
			return &market.Error{Code: market.ETicketNotValid, Message: "Billet bloqué : paiement contesté."}
		case t.CheckedInAt.IsZero() && t.Choice != "" && t.Choice != market.ChoiceKeep:
			return &market.Error{Code: market.ETicketExchanged,
				Message: "Ce billet a été échangé (" + choiceWords[t.Choice] + ") : il ne donne plus accès à l'événement."}
		case t.Status != market.TicketValid:
			return &market.Error{Code: market.ETicketNotValid, Message: "Ce billet n'est plus valable (" + string(t.Status) + ")."}
		}
		return &market.Error{Code: market.EAlreadyCheckedIn,
			Message: "Déjà scanné le " + t.CheckedInAt.In(time.UTC).Format("02/01 à 15:04") + " UTC par " + t.CheckedInBy + ".",
			Fields:  map[string]string{"checked_in_at": t.CheckedInAt.Format(time.RFC3339), "checked_in_by": t.CheckedInBy}}
	})
	return t, err
}

// choiceWords names a holder's choice in the till's refusals.
var choiceWords = map[market.Choice]string{market.ChoiceRefund: "remboursement", market.ChoiceCredit: "crédit", market.ChoiceDonate: "don"}

// UndoCheckIn clears a mistaken check-in of the merchant's ticket.
func (db *DB) UndoCheckIn(ctx context.Context, merchantID, code string) (*market.Ticket, error) {
	var t *market.Ticket
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET checked_in_at = 0, checked_in_by = ''
			WHERE code = $1 AND checked_in_at <> 0 AND event_id IN (SELECT id FROM events WHERE merchant_id = $2)`, code, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Entrée")
		}
		t, err = scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE t.code = $1`, code))
		return err
	})
	return t, err
}

// SetEventChoices cancels or postpones an event: its status, note, new date
// and the options offered to holders, in one transaction. A cancelled event
// cannot be postponed again.
func (db *DB) SetEventChoices(ctx context.Context, eventID string, status market.EventStatus, o market.CancelOptions) error {
	opts, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		starts := ""
		args := []any{string(status), o.Reason, string(opts), millis(o.Deadline), eventID}
		if !o.StartsAt.IsZero() {
			starts = ", starts_at = $6"
			args = append(args, millis(o.StartsAt))
		}
		res, err := tx.ExecContext(ctx, `UPDATE events SET status = $1, status_note = $2, cancel_options = $3, choice_deadline = $4`+starts+`
			WHERE id = $5 AND status <> 'cancelled'`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EConflict, Message: "Cet événement est déjà annulé."}
		}
		// Holders are told again of a new change.
		_, err = tx.ExecContext(ctx, `UPDATE tickets SET notified_at = 0 WHERE event_id = $1 AND status = 'valid' AND choice = ''`, eventID)
		return err
	})
}

// EventTickets returns an event's tickets still valid, for the preview of
// a cancellation.
func (db *DB) EventTickets(ctx context.Context, eventID string) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE t.event_id = $1 ORDER BY t.created_at, t.id`, eventID)
}

// notifyDue is the condition of a ticket whose holder is still to tell
// ($2 the time now).
const notifyDue = `t.notified_at = 0 AND t.status = 'valid' AND t.choice = '' AND e.status IN ('cancelled', 'postponed')
	AND t.retry_at <= $2`

// TicketsToNotify returns the tickets of cancelled or postponed events
// whose holders have not been told yet, for up to n holders (an event and
// a holder email, case-blind), all of a holder's tickets together and
// ordered by holder: the resumable state of the bulk notification is in
// the tickets themselves.
func (db *DB) TicketsToNotify(ctx context.Context, n int) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE `+notifyDue+` AND t.event_id || ' ' || lower(t.holder_email) IN (
			SELECT t.event_id || ' ' || lower(t.holder_email)`+ticketFrom+`WHERE `+notifyDue+`
			GROUP BY t.event_id, lower(t.holder_email) ORDER BY MIN(t.created_at), t.event_id, lower(t.holder_email) LIMIT $1)
		ORDER BY t.event_id, lower(t.holder_email), t.created_at, t.id`, n, millis(db.now()))
}

// MarkNotified records that a holder was told of the notice's tickets,
// queueing its mail and keeping the hash of its key in the same
// transaction, so that each holder gets one mail: when the tickets were
// all told already it does nothing; when only some were, EConflict (and
// nothing), so that the next pass tells of the rest.
func (db *DB) MarkNotified(ctx context.Context, n *market.HolderNotice) error {
	if len(n.TicketIDs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		args := []any{millis(db.now())}
		in := ""
		for i, id := range n.TicketIDs {
			if i > 0 {
				in += ", "
			}
			args = append(args, id)
			in += "$" + itoa(len(args))
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET notified_at = $1 WHERE notified_at = 0 AND id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		switch told, _ := res.RowsAffected(); {
		case told == 0:
			return nil // told already
		case int(told) != len(n.TicketIDs):
			return &market.Error{Code: market.EConflict, Message: "Une partie de ces billets a déjà été annoncée."}
		}
		if n.KeyHash != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO holder_keys (hash, event_id, holder_email, created_at) VALUES ($1, $2, $3, $4)`,
				n.KeyHash, n.EventID, n.Email, millis(db.now())); err != nil {
				return err
			}
		}
		if n.Mail == nil {
			return nil
		}
		return db.insertMail(ctx, tx, n.Mail)
	})
}

// HolderTickets returns the event's tickets of a holder email, compared
// case-blind, in the order they were issued.
func (db *DB) HolderTickets(ctx context.Context, eventID, email string) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE t.event_id = $1 AND lower(t.holder_email) = lower($2) ORDER BY t.created_at, t.id`, eventID, email)
}

// HolderKey returns the event and the holder email that the holder's key
// of this hash chooses for; ENotFound when unknown.
func (db *DB) HolderKey(ctx context.Context, hash string) (string, string, error) {
	var eventID, email string
	err := db.read.QueryRowContext(ctx, `SELECT event_id, holder_email FROM holder_keys WHERE hash = $1`, hash).Scan(&eventID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", market.NotFound("Clé")
	}
	return eventID, email, translate(err)
}

// RecordChoice records a holder's choice once: a conditional update, so
// two clicks cannot make two choices, and a ticket used at the door cannot
// be exchanged (ETicketCheckedIn). A refund is recorded with it (the
// refund to pay, once per ticket), and the Idempotency-Key that ctx may
// carry, in the same transaction. It returns the ticket as it stands and
// whether this call recorded the choice.
func (db *DB) RecordChoice(ctx context.Context, code string, c market.Choice, at time.Time, byDefault bool) (*market.Ticket, bool, error) {
	var t *market.Ticket
	var fresh bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		checkedIn := ""
		if c != market.ChoiceKeep {
			checkedIn = " AND checked_in_at = 0"
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET choice = $1, choice_at = $2, choice_by_default = $3
			WHERE code = $4 AND choice = '' AND status = 'valid'`+checkedIn, string(c), millis(at), boolInt(byDefault), code)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		fresh = n == 1
		t, err = scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE t.code = $1`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Billet")
		}
		if err != nil {
			return err
		}
		if !fresh {
			if t.Choice == "" && !t.CheckedInAt.IsZero() {
				return &market.Error{Code: market.ETicketCheckedIn, Message: "Ce billet a servi à l'entrée : il ne peut être ni remboursé, ni converti, ni donné."}
			}
			return nil
		}
		if c == market.ChoiceRefund {
			if err := insertRefund(ctx, tx, &market.OwnRefund{ID: t.ID, OrderID: t.OrderID, TicketID: t.ID, Amount: t.Price,
				Currency: t.Currency, CreatedAt: at}); err != nil {
				return err
			}
		}
		return db.keepClaim(ctx, tx, t)
	})
	return t, fresh, err
}

// SettleChoice records the outcome of a choice: the ticket's new status and
// the refund id or credit voucher, with the credit voucher (if any) and its
// mail, in one transaction, once.
func (db *DB) SettleChoice(ctx context.Context, ticketID string, status market.TicketStatus, ref string, credit *market.Voucher, m *market.Mail) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = $1, choice_ref = $2 WHERE id = $3 AND status = 'valid'`,
			string(status), ref, ticketID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // settled already
		}
		if credit != nil {
			if err := insertVoucher(ctx, tx, credit); err != nil {
				return err
			}
		}
		if m != nil {
			return db.insertMail(ctx, tx, m)
		}
		return nil
	})
}

// UnsettledChoices returns tickets whose holder chose a credit or a
// donation whose outcome was not recorded (a crash in between), and whose
// retry time has come: the repair pass completes them. (Refunds are the
// refunds pass's.)
func (db *DB) UnsettledChoices(ctx context.Context, n int) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE t.choice IN ('credit', 'donate') AND t.status = 'valid' AND t.retry_at <= $2
		ORDER BY t.choice_at LIMIT $1`, n, millis(db.now()))
}

// DefaultsDue returns tickets of cancelled events whose choice deadline
// passed without an answer (and not checked in), whose retry time has
// come.
func (db *DB) DefaultsDue(ctx context.Context, now time.Time, n int) ([]*market.Ticket, error) {
	return db.tickets(ctx, `WHERE t.choice = '' AND t.status = 'valid' AND t.checked_in_at = 0 AND e.status = 'cancelled'
		AND e.choice_deadline > 0 AND e.choice_deadline <= $1 AND t.retry_at <= $1 ORDER BY t.created_at LIMIT $2`, millis(now), n)
}

// TicketRetryLater records that a pass failed on a ticket, and puts it off
// by a growing delay (market.Backoff).
func (db *DB) TicketRetryLater(ctx context.Context, ticketID, reason string, at time.Time) error {
	return db.putOff(ctx, "tickets", ticketID, reason, at)
}

// Tally counts how an event's holders chose, and its solidarity total:
// the money left with the venue by choice (solidarity tickets, credits and
// donations).
func (db *DB) Tally(ctx context.Context, eventID string) (*market.ChoiceTally, error) {
	t := &market.ChoiceTally{Counts: map[market.Choice]int{}, Amounts: map[market.Choice]int64{}}
	err := db.read.QueryRowContext(ctx, `SELECT currency FROM events WHERE id = $1`, eventID).Scan(&t.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Événement")
	}
	if err != nil {
		return nil, translate(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT kind, choice, status, notified_at <> 0, COUNT(*), COALESCE(SUM(price), 0)
		FROM tickets WHERE event_id = $1 GROUP BY kind, choice, status, notified_at <> 0`, eventID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, choice, status string
		var notified bool
		var n int
		var amount int64
		if err := rows.Scan(&kind, &choice, &status, &notified, &n, &amount); err != nil {
			return nil, translate(err)
		}
		if status == string(market.TicketVoid) {
			continue // refunded outside Solidaire, or a lost dispute: no longer the venue's
		}
		if kind == string(market.KindSolidarityTicket) {
			t.SolidarityTotal += amount
			continue
		}
		t.Tickets += n
		if notified {
			t.Notified += n
		}
		if choice == "" {
			t.Pending += n
			continue
		}
		t.Counts[market.Choice(choice)] += n
		t.Amounts[market.Choice(choice)] += amount
		if choice == string(market.ChoiceCredit) || choice == string(market.ChoiceDonate) {
			t.SolidarityTotal += amount
		}
	}
	return t, translate(rows.Err())
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// RefundDefaultedCredit turns a credit that the organiser's default gave a
// holder back into a refund, when the holder asks and the credit voucher is
// untouched: the voucher is voided (compensating entries) by an update
// conditional on the voucher row itself (its whole paid value and its
// whole bonus still there, so a concurrent redemption of either is never
// missed), the ticket waits for its refund, and the refund to pay is
// recorded, in one transaction. EConflict when the voucher was spent, even
// in part.
func (db *DB) RefundDefaultedCredit(ctx context.Context, ticketID string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var id string
		var paid, bonus int64
		err := tx.QueryRowContext(ctx, `UPDATE vouchers SET status = 'void', balance = 0, bonus = 0
			WHERE code = (SELECT choice_ref FROM tickets WHERE id = $1 AND choice = 'credit' AND choice_by_default = 1
					AND status = 'credited')
				AND status = 'active' AND balance = initial AND bonus = initial_bonus
			RETURNING id, initial, initial_bonus`, ticketID).Scan(&id, &paid, &bonus)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE id = $1 AND choice = 'credit'
				AND choice_by_default = 1 AND status = 'credited'`, ticketID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &market.Error{Code: market.EChoiceAlreadyMade, Message: "Vous avez déjà choisi pour ce billet."}
			}
			return &market.Error{Code: market.EConflict, Message: "Le crédit a déjà servi : il ne peut plus devenir un remboursement."}
		}
		if err != nil {
			return err
		}
		var orderID, currency string
		var price int64
		err = tx.QueryRowContext(ctx, `UPDATE tickets SET choice = 'refund', choice_at = $1, choice_by_default = 0, choice_ref = '',
				status = 'valid'
			WHERE id = $2 AND choice = 'credit' AND choice_by_default = 1 AND status = 'credited'
			RETURNING order_id, price, currency`, millis(at), ticketID).Scan(&orderID, &price, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.EChoiceAlreadyMade, Message: "Vous avez déjà choisi pour ce billet."}
		}
		if err != nil {
			return err
		}
		for _, p := range []struct {
			part   string
			amount int64
		}{{partPaid, paid}, {partBonus, bonus}} {
			if p.amount == 0 {
				continue
			}
			if err := insertEntry(ctx, tx, entry{id, market.EntryVoid, p.part, -p.amount, 0, ticketID, millis(at)}); err != nil {
				return err
			}
		}
		return insertRefund(ctx, tx, &market.OwnRefund{ID: ticketID, OrderID: orderID, TicketID: ticketID, Amount: price,
			Currency: market.Currency(currency), CreatedAt: at})
	})
}
