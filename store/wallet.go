package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// walletVouchers is the condition that puts a voucher v in the wallet of
// $1 at time $2: bought with that address, or given to it once its day
// came. A union of two index lookups (orders by buyer, vouchers by
// recipient): an OR across the two tables would read every voucher.
const walletVouchers = `v.id IN (SELECT wv.id FROM orders wo JOIN vouchers wv ON wv.order_id = wo.id WHERE wo.buyer_email = $1
	UNION SELECT wv.id FROM vouchers wv WHERE wv.recipient_email = $1 AND wv.deliver_at <= $2)`

// WalletHolds reports whether anything was bought by or given to email.
func (db *DB) WalletHolds(ctx context.Context, email string, now time.Time) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM vouchers v LEFT JOIN orders o ON o.id = v.order_id
			WHERE `+walletVouchers+` LIMIT 1) a) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE holder_email = $1 LIMIT 1) b)`,
		email, millis(now)).Scan(&n)
	return n > 0, translate(err)
}

// CreateWalletLink stores a wallet link's hash and queues its mail, in one
// transaction: a link is never stored without its mail, nor mailed unstored.
func (db *DB) CreateWalletLink(ctx context.Context, hash, email string, now, expires time.Time, m *market.Mail) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// Links used or expired for a day are of no use to anyone.
		if _, err := tx.ExecContext(ctx, `DELETE FROM wallet_links WHERE expires_at < $1`, millis(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO wallet_links (token_hash, email, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, hash, email, millis(now), millis(expires)); err != nil {
			return err
		}
		return db.insertMail(ctx, tx, m)
	})
}

// OpenWalletLink uses a link once, with a conditional update whose
// RETURNING gives its address, and opens the session s for that address
// in the same transaction.
func (db *DB) OpenWalletLink(ctx context.Context, linkHash, sessionHash string, s *market.WalletSession) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		now := millis(s.CreatedAt)
		err := tx.QueryRowContext(ctx, `UPDATE wallet_links SET used_at = $1
			WHERE token_hash = $2 AND used_at = 0 AND expires_at > $1 RETURNING email`, now, linkHash).Scan(&s.Email)
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.EWalletLinkInvalid,
				Message: "Ce lien n'ouvre plus vos bons (il sert une fois, 30 minutes) : demandez-en un nouveau."}
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO wallet_sessions (id, token_hash, email, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, s.ID, sessionHash, s.Email, now, millis(s.ExpiresAt))
		return err
	})
}

// WalletSession returns the live session with that token hash;
// EUnauthorized when it is unknown, ended or expired.
func (db *DB) WalletSession(ctx context.Context, hash string, now time.Time) (*market.WalletSession, error) {
	var s market.WalletSession
	var created, expires int64
	err := db.read.QueryRowContext(ctx, `SELECT id, email, created_at, expires_at FROM wallet_sessions
		WHERE token_hash = $1 AND revoked_at = 0 AND expires_at > $2`, hash, millis(now)).
		Scan(&s.ID, &s.Email, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &market.Error{Code: market.EUnauthorized, Message: "Ouvrez vos bons avec le lien reçu par courriel."}
	}
	if err != nil {
		return nil, translate(err)
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &s, nil
}

// EndWalletSession ends a session on its device.
func (db *DB) EndWalletSession(ctx context.Context, id string, now time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE wallet_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, millis(now), id)
		return err
	})
}

// walletLimit bounds a wallet's listing: far more than a person holds.
const walletLimit = 500

// Wallet lists what email bought or received, newest first, each voucher
// with its story, in one read transaction.
func (db *DB) Wallet(ctx context.Context, email string, now time.Time) (*market.Wallet, error) {
	w := &market.Wallet{Email: email}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+voucherColumns+`, COALESCE(o.buyer_email, ''), COALESCE(o.buyer_name, ''),
			COALESCE(o.lang, 'fr'), COALESCE((SELECT 1 FROM outbox WHERE id = v.gift_mail_id
				AND status IN ('pending', 'held') AND attempts = 0), 0)
			FROM vouchers v JOIN merchants m ON m.id = v.merchant_id LEFT JOIN orders o ON o.id = v.order_id
			WHERE `+walletVouchers+` ORDER BY v.created_at DESC, v.id LIMIT $3`, email, millis(now), walletLimit)
		if err != nil {
			return err
		}
		byID := map[string]*market.WalletVoucher{}
		for rows.Next() {
			var buyer string
			var pending int
			wv := &market.WalletVoucher{}
			cols := []any{&buyer, &wv.Giver, &wv.Lang, &pending}
			if wv.Voucher, err = scanVoucher(extraScanner{rows, cols}); err != nil {
				rows.Close()
				return err
			}
			wv.Received = buyer != email
			wv.GiftPending = pending == 1
			wv.Voucher.Giver = wv.Giver
			w.Vouchers = append(w.Vouchers, wv)
			byID[wv.Voucher.ID] = wv
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(w.Vouchers) > 0 {
			if err := walletHistory(ctx, tx, email, now, byID); err != nil {
				return err
			}
		}
		trows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+ticketFrom+`
			WHERE t.holder_email = $1 ORDER BY e.starts_at DESC, t.created_at, t.id LIMIT $2`, email, walletLimit)
		if err != nil {
			return err
		}
		defer trows.Close()
		for trows.Next() {
			t, err := scanTicket(trows)
			if err != nil {
				return err
			}
			w.Tickets = append(w.Tickets, &market.WalletTicket{Ticket: t})
		}
		return trows.Err()
	})
	if err != nil {
		return nil, translate(err)
	}
	events := map[string]*market.Event{}
	for _, wt := range w.Tickets {
		e, ok := events[wt.Ticket.EventID]
		if !ok {
			if e, err = db.Event(ctx, wt.Ticket.EventID); err != nil {
				return nil, err
			}
			events[wt.Ticket.EventID] = e
		}
		wt.Event = e
	}
	return w, nil
}

// walletHistory adds each voucher's story: the paid and bonus parts of
// one movement are one line, redemptions name their merchant.
func walletHistory(ctx context.Context, tx *sql.Tx, email string, now time.Time, byID map[string]*market.WalletVoucher) error {
	rows, err := tx.QueryContext(ctx, `SELECT e.voucher_id, e.kind, e.amount, e.reference, e.created_at, COALESCE(mr.name, '')
		FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id LEFT JOIN orders o ON o.id = v.order_id
		LEFT JOIN redemptions r ON r.id = e.reference LEFT JOIN merchants mr ON mr.id = r.merchant_id
		WHERE `+walletVouchers+` ORDER BY e.voucher_id, e.created_at, e.id`, email, millis(now))
	if err != nil {
		return err
	}
	defer rows.Close()
	type key struct{ voucher, kind, ref string }
	var last key
	for rows.Next() {
		var k key
		var amount, at int64
		var merchant string
		if err := rows.Scan(&k.voucher, &k.kind, &amount, &k.ref, &at, &merchant); err != nil {
			return err
		}
		wv := byID[k.voucher]
		if wv == nil {
			continue // beyond the listing's limit
		}
		if k.kind == market.EntryBonus && k.ref == wv.Voucher.OrderID {
			// The bonus given with the card is part of its issue.
			k.kind = market.EntryIssue
		}
		if k == last && len(wv.History) > 0 {
			wv.History[len(wv.History)-1].Amount += amount
			continue
		}
		last = k
		wv.History = append(wv.History, market.WalletEntry{Kind: k.kind, Amount: amount, Merchant: merchant, At: fromMillis(at)})
	}
	return rows.Err()
}

// RescheduleGift changes a gift's date and, when to is not empty, its
// address, with a conditional update of its mail that holds only while
// the mail has not left (nor is being sent); EGiftSent otherwise, and
// ENotFound unless email bought the voucher.
func (db *DB) RescheduleGift(ctx context.Context, email, code string, deliverAt time.Time, to string, now time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var voucherID, mailID string
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.gift_mail_id FROM vouchers v JOIN orders o ON o.id = v.order_id
			WHERE v.code = $1 AND o.buyer_email = $2`, code, email).Scan(&voucherID, &mailID)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Bon")
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $1,
			to_addr = CASE WHEN $2 = '' THEN to_addr ELSE $2 END
			WHERE id = $3 AND status IN ('pending', 'held') AND attempts = 0 AND lease_until <= $4`,
			millis(deliverAt), to, mailID, millis(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || mailID == "" {
			return &market.Error{Code: market.EGiftSent, Message: "Ce cadeau est déjà parti : sa date et son adresse ne changent plus."}
		}
		_, err = tx.ExecContext(ctx, `UPDATE vouchers SET deliver_at = $1,
			recipient_email = CASE WHEN $2 = '' THEN recipient_email ELSE $2 END WHERE id = $3`,
			millis(deliverAt), to, voucherID)
		return err
	})
}

// extraScanner scans a row into a voucher's columns followed by extra
// destinations.
type extraScanner struct {
	rows  *sql.Rows
	extra []any
}

func (s extraScanner) Scan(dest ...any) error {
	return s.rows.Scan(append(dest, s.extra...)...)
}
