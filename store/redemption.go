package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// MerchantByID returns a merchant by id, whatever its status; ENotFound
// when unknown.
func (db *DB) MerchantByID(ctx context.Context, id string) (*market.Merchant, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE id = $1`, id)
	m, err := scanMerchant(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Commerce")
	}
	return m, err
}

// Redeem debits a voucher of the merchant with a conditional update that
// cannot take its balance below zero whatever runs concurrently, on any
// instance, then appends the ledger entries and the redemption; all in one
// transaction. A live promotional bonus is spent first (it may expire, the
// paid value never does). See market.RedemptionStore.
func (db *DB) Redeem(ctx context.Context, r *market.Redemption) error {
	now := millis(r.CreatedAt)
	return db.tx(ctx, func(tx *sql.Tx) error {
		var currency string
		// The common case, no live bonus: one conditional update.
		err := tx.QueryRowContext(ctx, `UPDATE vouchers SET balance = balance - $1
			WHERE code = $2 AND merchant_id = $3 AND status = 'active' AND balance >= $1 AND (bonus = 0 OR bonus_expires_at <= $4)
			RETURNING id, balance, currency`, r.Amount, r.VoucherCode, r.MerchantID, now).Scan(&r.VoucherID, &r.BalanceAfter, &currency)
		fromBonus := int64(0)
		if errors.Is(err, sql.ErrNoRows) {
			var status string
			var balance, bonus, bonusExpires int64
			err := tx.QueryRowContext(ctx, `SELECT id, status, balance, bonus, bonus_expires_at, currency FROM vouchers
				WHERE code = $1 AND merchant_id = $2`, r.VoucherCode, r.MerchantID).Scan(&r.VoucherID, &status, &balance, &bonus, &bonusExpires, &currency)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return &market.Error{Code: market.ENotFound, Message: "Code inconnu ou bon d'un autre commerce."}
			case err != nil:
				return err
			case status != string(market.VoucherActive):
				return &market.Error{Code: market.EVoucherVoid, Message: "Ce bon a été annulé."}
			}
			live := int64(0)
			if bonusExpires > now {
				live = bonus
			}
			if balance+live < r.Amount {
				return &market.Error{Code: market.EInsufficientBalance,
					Message: "Solde insuffisant : il reste " + market.Money{Amount: balance + live, Currency: market.Currency(currency)}.String() + " sur ce bon.",
					Fields:  map[string]string{"amount": "exceeds the balance", "balance": strconv.FormatInt(balance+live, 10)}}
			}
			// A live bonus: spend it first, still with a conditional update
			// on both parts.
			fromBonus = min(live, r.Amount)
			fromPaid := r.Amount - fromBonus
			res, err := tx.ExecContext(ctx, `UPDATE vouchers SET balance = balance - $1, bonus = bonus - $2
				WHERE id = $3 AND status = 'active' AND balance >= $1 AND bonus >= $2`, fromPaid, fromBonus, r.VoucherID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return &market.Error{Code: market.EInsufficientBalance, Message: "Solde insuffisant.", Fields: map[string]string{"amount": "exceeds the balance"}}
			}
			r.BalanceAfter = balance - fromPaid
			if fromBonus > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
					VALUES ($1, $2, $3, $4, $5, $6, $7, 'bonus')`, market.NewID("ent"), r.VoucherID, market.EntryRedeem, -fromBonus,
					bonus-fromBonus, r.ID, now); err != nil {
					return err
				}
			}
		} else if err != nil {
			return err
		}
		r.Currency = market.Currency(currency)
		if paid := r.Amount - fromBonus; paid > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'paid')`, market.NewID("ent"), r.VoucherID, market.EntryRedeem, -paid, r.BalanceAfter,
				r.ID, now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO redemptions (id, voucher_id, merchant_id, amount, balance_after, actor_id,
			actor_name, created_at, from_bonus) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.VoucherID, r.MerchantID, r.Amount, r.BalanceAfter, r.ActorID, r.ActorName, now, fromBonus)
		return err
	})
}

const redemptionColumns = `r.id, r.voucher_id, v.code, r.merchant_id, r.amount, r.balance_after, v.currency, r.actor_id,
	r.actor_name, r.created_at, r.reversed_at, r.reversed_by`

// ReverseRedemption gives a redemption's amount back, once, if it was made
// after notBefore: the redemption is marked reversed (a conditional
// update), the voucher credited, and a compensating entry appended.
func (db *DB) ReverseRedemption(ctx context.Context, merchantID, redemptionID, actorID string, notBefore, now time.Time) (*market.Redemption, error) {
	var r *market.Redemption
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanRedemption(tx.QueryRowContext(ctx, `SELECT `+redemptionColumns+` FROM redemptions r
			JOIN vouchers v ON v.id = r.voucher_id WHERE r.id = $1 AND r.merchant_id = $2`, redemptionID, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Encaissement")
		}
		if err != nil {
			return err
		}
		if !r.ReversedAt.IsZero() {
			return &market.Error{Code: market.EAlreadyReversed, Message: "Cet encaissement a déjà été annulé."}
		}
		if r.CreatedAt.Before(notBefore) {
			return &market.Error{Code: market.EReverseTooLate, Message: "Cet encaissement est trop ancien pour être annulé à la caisse."}
		}
		res, err := tx.ExecContext(ctx, `UPDATE redemptions SET reversed_at = $1, reversed_by = $2 WHERE id = $3 AND reversed_at = 0`,
			millis(now), actorID, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.EAlreadyReversed, Message: "Cet encaissement a déjà été annulé."}
		}
		var fromBonus int64
		if err := tx.QueryRowContext(ctx, `SELECT from_bonus FROM redemptions WHERE id = $1`, r.ID).Scan(&fromBonus); err != nil {
			return err
		}
		paid := r.Amount - fromBonus
		var balance, bonus int64
		if err := tx.QueryRowContext(ctx, `UPDATE vouchers SET balance = balance + $1, bonus = bonus + $2 WHERE id = $3 RETURNING balance, bonus`,
			paid, fromBonus, r.VoucherID).Scan(&balance, &bonus); err != nil {
			return err
		}
		r.BalanceAfter, r.ReversedAt, r.ReversedBy = balance, now, actorID
		if paid > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'paid')`, market.NewID("ent"), r.VoucherID, market.EntryReverse, paid, balance, r.ID, millis(now)); err != nil {
				return err
			}
		}
		if fromBonus > 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'bonus')`, market.NewID("ent"), r.VoucherID, market.EntryReverse, fromBonus, bonus, r.ID, millis(now))
		}
		return err
	})
	return r, err
}

// Redemptions returns a merchant's redemptions made in [from, to), newest
// first, at most n.
func (db *DB) Redemptions(ctx context.Context, merchantID string, from, to time.Time, n int) ([]*market.Redemption, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+redemptionColumns+` FROM redemptions r JOIN vouchers v ON v.id = r.voucher_id
		WHERE r.merchant_id = $1 AND r.created_at >= $2 AND r.created_at < $3 ORDER BY r.created_at DESC, r.id LIMIT $4`,
		merchantID, millis(from), millis(to), n)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Redemption
	for rows.Next() {
		r, err := scanRedemption(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, r)
	}
	return list, translate(rows.Err())
}

// MerchantLedger returns the movements on a merchant's vouchers in
// [from, to), oldest first: what the accountant needs (sales tax is due at
// redemption).
func (db *DB) MerchantLedger(ctx context.Context, merchantID string, from, to time.Time) ([]*market.LedgerLine, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.created_at, e.kind, v.code, e.amount, e.balance_after, v.currency, e.reference
		FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id
		WHERE v.merchant_id = $1 AND e.created_at >= $2 AND e.created_at < $3 ORDER BY e.created_at, e.id`,
		merchantID, millis(from), millis(to))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.LedgerLine
	for rows.Next() {
		var l market.LedgerLine
		var at int64
		var code, currency string
		if err := rows.Scan(&at, &l.Kind, &code, &l.Amount, &l.BalanceAfter, &currency, &l.Reference); err != nil {
			return nil, translate(err)
		}
		// The last four characters only, without the ellipsis that lists on
		// screens use: a spreadsheet column.
		l.At, l.Voucher, l.Currency = fromMillis(at), code[max(0, len(code)-4):], market.Currency(currency)
		list = append(list, &l)
	}
	return list, translate(rows.Err())
}

// Liability returns what a merchant owes its holders: the sum of its
// active vouchers' balances, and how many have a balance left.
func (db *DB) Liability(ctx context.Context, merchantID string) (int64, int, error) {
	var total int64
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(balance), 0), COUNT(*) FROM vouchers
		WHERE merchant_id = $1 AND status = 'active' AND balance > 0`, merchantID).Scan(&total, &n)
	return total, n, translate(err)
}

func scanRedemption(s scanner) (*market.Redemption, error) {
	var r market.Redemption
	var currency string
	var created, reversed int64
	err := s.Scan(&r.ID, &r.VoucherID, &r.VoucherCode, &r.MerchantID, &r.Amount, &r.BalanceAfter, &currency, &r.ActorID,
		&r.ActorName, &created, &reversed, &r.ReversedBy)
	if err != nil {
		return nil, err
	}
	r.Currency, r.CreatedAt, r.ReversedAt = market.Currency(currency), fromMillis(created), fromMillis(reversed)
	return &r, nil
}
