package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/solidaire-app/solidaire/market"
)

const voucherColumns = `v.id, v.code, v.merchant_id, m.slug, m.name, v.order_id, v.initial, v.balance, v.bonus,
	v.bonus_expires_at, v.currency, v.recipient_name, v.recipient_email, v.message, v.status, v.created_at, v.programme_id,
	COALESCE((SELECT slug FROM programmes WHERE id = v.programme_id), ''), v.deliver_at, v.gift_mail_id`

// insertVoucher writes a new voucher and its issue entries: its balance is
// the sum of its ledger from the first write on.
func insertVoucher(ctx context.Context, tx *sql.Tx, v *market.Voucher) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO vouchers (id, code, merchant_id, order_id, initial, balance, bonus,
		bonus_expires_at, currency, recipient_name, recipient_email, message, status, created_at, initial_bonus, programme_id,
		deliver_at, gift_mail_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $7, $15, $16, $17)`,
		v.ID, v.Code, v.MerchantID, v.OrderID, v.Initial, v.Initial, v.Bonus, millis(v.BonusExpiresAt), string(v.Currency),
		v.RecipientName, v.RecipientEmail, v.Message, string(v.Status), millis(v.CreatedAt), v.ProgrammeID,
		millis(v.DeliverAt), v.GiftMailID); err != nil {
		return err
	}
	ref := v.OrderID
	if ref == "" {
		ref = v.ID
	}
	at := millis(v.CreatedAt)
	if err := insertEntry(ctx, tx, entry{v.ID, market.EntryIssue, partPaid, v.Initial, v.Initial, ref, at}); err != nil {
		return err
	}
	if v.Bonus > 0 {
		return insertEntry(ctx, tx, entry{v.ID, market.EntryBonus, partBonus, v.Bonus, v.Bonus, ref, at})
	}
	return nil
}

// Voucher returns the voucher with that code (as normalised by
// market.NormalizeCode); ENotFound when unknown.
func (db *DB) Voucher(ctx context.Context, code string) (*market.Voucher, error) {
	rows, err := db.query(ctx, `SELECT `+voucherColumns+`, COALESCE((SELECT buyer_name FROM orders WHERE id = v.order_id), '')
		FROM vouchers v JOIN merchants m ON m.id = v.merchant_id WHERE v.code = $1`, code)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
		return nil, market.NotFound("Bon")
	}
	var giver string
	v, err := scanVoucher(extraScanner{rows, []any{&giver}})
	if v != nil {
		v.Giver = giver
	}
	return v, translate(err)
}

// VoucherAt returns the voucher with that code if it can be spent at the
// merchant: its own, or a card of a programme that accepted the merchant.
// ENotFound otherwise, so that a till cannot probe other merchants' codes.
func (db *DB) VoucherAt(ctx context.Context, code, merchantID string) (*market.Voucher, error) {
	rows, err := db.query(ctx, `SELECT `+voucherColumns+` FROM vouchers v JOIN merchants m ON m.id = v.merchant_id
		WHERE v.code = $1 AND (v.merchant_id = $2 OR (v.programme_id <> '' AND EXISTS (SELECT 1 FROM programme_merchants pm
			WHERE pm.programme_id = v.programme_id AND pm.merchant_id = $2 AND pm.status = 'accepted')))`, code, merchantID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
		return nil, market.NotFound("Bon")
	}
	v, err := scanVoucher(rows)
	return v, translate(err)
}

// OrderVouchers returns the vouchers issued for an order, oldest first.
func (db *DB) OrderVouchers(ctx context.Context, orderID string) ([]*market.Voucher, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+voucherColumns+` FROM vouchers v JOIN merchants m ON m.id = v.merchant_id
		WHERE v.order_id = $1 ORDER BY v.created_at, v.id`, orderID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Voucher
	for rows.Next() {
		v, err := scanVoucher(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, v)
	}
	return list, translate(rows.Err())
}

// VoucherLedger returns a voucher's entries, oldest first; ENotFound for
// an unknown code.
func (db *DB) VoucherLedger(ctx context.Context, code string) ([]*market.LedgerEntry, error) {
	var list []*market.LedgerEntry
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM vouchers WHERE code = $1`, code).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Bon")
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, voucher_id, kind, amount, balance_after, reference, created_at
			FROM voucher_entries WHERE voucher_id = $1 ORDER BY created_at, balance_after DESC, id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e market.LedgerEntry
			var at int64
			if err := rows.Scan(&e.ID, &e.VoucherID, &e.Kind, &e.Amount, &e.BalanceAfter, &e.Reference, &at); err != nil {
				return err
			}
			e.CreatedAt = fromMillis(at)
			list = append(list, &e)
		}
		return rows.Err()
	})
	return list, err
}

// LedgerMismatches returns the codes of vouchers whose stored balance is not
// the sum of their ledger: always none, which tests and operators check.
func (db *DB) LedgerMismatches(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT v.code FROM vouchers v
		LEFT JOIN (SELECT voucher_id,
			SUM(CASE WHEN part = 'paid' THEN amount ELSE 0 END) AS paid,
			SUM(CASE WHEN part = 'bonus' THEN amount ELSE 0 END) AS bonus
			FROM voucher_entries GROUP BY voucher_id) e ON e.voucher_id = v.id
		WHERE v.balance <> COALESCE(e.paid, 0) OR v.bonus <> COALESCE(e.bonus, 0)`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, translate(err)
		}
		codes = append(codes, c)
	}
	return codes, translate(rows.Err())
}

func scanVoucher(s scanner) (*market.Voucher, error) {
	var v market.Voucher
	var currency, status string
	var created, bonusExpires, deliverAt int64
	err := s.Scan(&v.ID, &v.Code, &v.MerchantID, &v.MerchantSlug, &v.MerchantName, &v.OrderID, &v.Initial, &v.Balance,
		&v.Bonus, &bonusExpires, &currency, &v.RecipientName, &v.RecipientEmail, &v.Message, &status, &created, &v.ProgrammeID,
		&v.ProgrammeSlug, &deliverAt, &v.GiftMailID)
	if err != nil {
		return nil, err
	}
	v.Currency, v.Status, v.CreatedAt = market.Currency(currency), market.VoucherStatus(status), fromMillis(created)
	v.BonusExpiresAt, v.DeliverAt = fromMillis(bonusExpires), fromMillis(deliverAt)
	return &v, nil
}
