package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
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

// redeemSQL debits amount ($1) from a voucher with one conditional update:
// the live bonus first (it may expire, the paid value never does), then the
// paid value, never below zero on either part, whatever runs concurrently
// on any instance. Both engines compute every SET expression from the row
// as it was, so the split is the database's, taken from the row it
// changes; bonus_debited carries it back through RETURNING, which shows
// new values only.
var redeemSQL = `UPDATE vouchers SET
		bonus_debited = CASE WHEN bonus_expires_at > $4 THEN (CASE WHEN bonus < $1 THEN bonus ELSE $1 END) ELSE 0 END,
		bonus = bonus - CASE WHEN bonus_expires_at > $4 THEN (CASE WHEN bonus < $1 THEN bonus ELSE $1 END) ELSE 0 END,
		balance = balance - ($1 - CASE WHEN bonus_expires_at > $4 THEN (CASE WHEN bonus < $1 THEN bonus ELSE $1 END) ELSE 0 END)
	WHERE code = $2 AND status = 'active' AND ` + spendableAt + `
		AND balance + CASE WHEN bonus_expires_at > $4 THEN bonus ELSE 0 END >= $1
	RETURNING id, balance, bonus, bonus_debited, bonus_expires_at, currency, programme_id`

// redeemWithRecordsSQL is redeemSQL (its $1 to $4) that also writes the
// debit's ledger entries (bonus part, then paid part, each only when not
// zero; ids $5 and $6) and the redemption (id $7, actor $8 and $9) from
// the row it changed: PostgreSQL's data-modifying WITH, so that the
// voucher's row lock, which every concurrent redemption of the voucher
// waits for, is held for one round trip and the commit instead of three
// and the commit. SQLite has no data-modifying WITH and no round trips:
// it runs the statements one by one (Redeem).
var redeemWithRecordsSQL = `WITH v AS (` + redeemSQL + `),
	entries AS (INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
		SELECT $5, v.id, '` + market.EntryRedeem + `', -v.bonus_debited, v.bonus, $7, $4, '` + partBonus + `' FROM v WHERE v.bonus_debited > 0
		UNION ALL
		SELECT $6, v.id, '` + market.EntryRedeem + `', v.bonus_debited - $1, v.balance, $7, $4, '` + partPaid + `' FROM v WHERE $1 - v.bonus_debited > 0),
	redemption AS (INSERT INTO redemptions (id, voucher_id, merchant_id, amount, balance_after, actor_id, actor_name, created_at, from_bonus, programme_id)
		SELECT $7, v.id, $3, $1, v.balance + CASE WHEN v.bonus_expires_at > $4 THEN v.bonus ELSE 0 END, $8, $9, $4, v.bonus_debited, v.programme_id FROM v)
	SELECT id, balance, bonus, bonus_debited, bonus_expires_at, currency, programme_id FROM v`

// spendableAt is the condition of a voucher spendable at merchant $3: its
// own, or a programme's card where the programme accepted the merchant.
const spendableAt = `(vouchers.merchant_id = $3 OR (vouchers.programme_id <> '' AND EXISTS (SELECT 1 FROM programme_merchants pm
		WHERE pm.programme_id = vouchers.programme_id AND pm.merchant_id = $3 AND pm.status = 'accepted')))`

// Redeem debits a voucher of the merchant (redeemSQL), then appends the
// ledger entries, the redemption and the request's Idempotency-Key, all in
// one transaction; on PostgreSQL the debit, the entries and the
// redemption are one statement (redeemWithRecordsSQL). r.BalanceAfter and r.BonusAfter are what the update
// returned. A refusal is kept with the key in the same transaction when
// the claim asks for it (market.Claim.Refuse). See market.RedemptionStore.
func (db *DB) Redeem(ctx context.Context, r *market.Redemption) error {
	now := millis(r.CreatedAt)
	var refusal error
	err := db.tx(ctx, func(tx *sql.Tx) error {
		refusal = nil // the transaction may be tried again
		var paid, bonus, bonusExpires int64
		var currency string
		var programme string
		var row *sql.Row
		if db.Dialect == Postgres {
			row = tx.QueryRowContext(ctx, redeemWithRecordsSQL, r.Amount, r.VoucherCode, r.MerchantID, now,
				market.NewID("ent"), market.NewID("ent"), r.ID, r.ActorID, r.ActorName)
		} else {
			row = tx.QueryRowContext(ctx, redeemSQL, r.Amount, r.VoucherCode, r.MerchantID, now)
		}
		err := row.Scan(&r.VoucherID, &paid, &bonus, &r.FromBonus, &bonusExpires, &currency, &programme)
		if errors.Is(err, sql.ErrNoRows) {
			refusal = redeemRefusal(ctx, tx, r, now)
			return db.keepRefusal(ctx, tx, refusal)
		}
		if err != nil {
			return err
		}
		r.Currency = market.Currency(currency)
		r.BonusAfter = 0
		if bonusExpires > now {
			r.BonusAfter = bonus
		}
		r.BalanceAfter = paid + r.BonusAfter
		if db.Dialect == Postgres {
			return db.keepClaim(ctx, tx, r) // the records were written with the debit
		}
		if r.FromBonus > 0 {
			if err := insertEntry(ctx, tx, entry{r.VoucherID, market.EntryRedeem, partBonus, -r.FromBonus, bonus, r.ID, now}); err != nil {
				return err
			}
		}
		if fromPaid := r.Amount - r.FromBonus; fromPaid > 0 {
			if err := insertEntry(ctx, tx, entry{r.VoucherID, market.EntryRedeem, partPaid, -fromPaid, paid, r.ID, now}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO redemptions (id, voucher_id, merchant_id, amount, balance_after, actor_id,
			actor_name, created_at, from_bonus, programme_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ID, r.VoucherID, r.MerchantID, r.Amount, r.BalanceAfter, r.ActorID, r.ActorName, now, r.FromBonus, programme); err != nil {
			return err
		}
		return db.keepClaim(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	return refusal
}

// redeemRefusal says why the debit changed nothing: an unknown voucher (or
// another merchant's), a void or disputed one, or a balance too short. The
// read only words the refusal; nothing is written after it.
func redeemRefusal(ctx context.Context, tx *sql.Tx, r *market.Redemption, now int64) error {
	var status, currency string
	var balance, bonus, bonusExpires int64
	err := tx.QueryRowContext(ctx, `SELECT status, balance, bonus, bonus_expires_at, currency FROM vouchers
		WHERE code = $1 AND $2 <> '' AND `+strings.ReplaceAll(spendableAt, "$3", "$2"), r.VoucherCode, r.MerchantID).
		Scan(&status, &balance, &bonus, &bonusExpires, &currency)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &market.Error{Code: market.ENotFound, Message: "Code inconnu ou bon d'un autre commerce."}
	case err != nil:
		return err
	case status == string(market.VoucherDisputed):
		return &market.Error{Code: market.EVoucherDisputed, Message: "Bon bloqué : paiement contesté. Il ne peut pas être utilisé pour l'instant."}
	case status != string(market.VoucherActive):
		return &market.Error{Code: market.EVoucherVoid, Message: "Ce bon a été annulé."}
	}
	left := balance
	if bonusExpires > now {
		left += bonus
	}
	return &market.Error{Code: market.EInsufficientBalance,
		Message: "Solde insuffisant : il reste " + market.Money{Amount: left, Currency: market.Currency(currency)}.Format("fr") + " sur ce bon.",
		Fields:  map[string]string{"amount": "exceeds the balance", "balance": strconv.FormatInt(left, 10)}}
}

const redemptionColumns = `r.id, r.voucher_id, v.code, r.merchant_id, r.amount, r.balance_after, v.currency, r.actor_id,
	r.actor_name, r.created_at, r.reversed_at, r.reversed_by, r.from_bonus`

// ReverseRedemption gives a redemption's amount back, once, if it was made
// after notBefore: the redemption is marked reversed by a conditional
// update that returns what it reverses, the voucher is credited on the
// parts it was debited from (a void voucher refuses: its value was given
// back otherwise), and compensating entries and the request's
// Idempotency-Key are written, in one transaction.
func (db *DB) ReverseRedemption(ctx context.Context, merchantID, redemptionID, actorID string, notBefore, now time.Time) (*market.Redemption, error) {
	r := &market.Redemption{ID: redemptionID, MerchantID: merchantID}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, `UPDATE redemptions SET reversed_at = $1, reversed_by = $2
			WHERE id = $3 AND merchant_id = $4 AND reversed_at = 0 AND created_at >= $5 AND settlement_id = ''
			RETURNING voucher_id, amount, from_bonus, actor_id, actor_name, created_at`,
			millis(now), actorID, redemptionID, merchantID, millis(notBefore)).
			Scan(&r.VoucherID, &r.Amount, &r.FromBonus, &r.ActorID, &r.ActorName, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return reverseRefusal(ctx, tx, merchantID, redemptionID)
		}
		if err != nil {
			return err
		}
		paid := r.Amount - r.FromBonus
		var balance, bonus, bonusExpires int64
		var currency string
		err = tx.QueryRowContext(ctx, `UPDATE vouchers SET balance = balance + $1, bonus = bonus + $2
			WHERE id = $3 AND status IN ('active', 'disputed') RETURNING code, balance, bonus, bonus_expires_at, currency`,
			paid, r.FromBonus, r.VoucherID).Scan(&r.VoucherCode, &balance, &bonus, &bonusExpires, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.EVoucherVoid, Message: "Ce bon a été annulé entre-temps : l'encaissement ne peut plus être annulé à la caisse."}
		}
		if err != nil {
			return err
		}
		at := millis(now)
		r.Currency, r.CreatedAt, r.ReversedAt, r.ReversedBy = market.Currency(currency), fromMillis(created), now, actorID
		if bonusExpires > at {
			r.BonusAfter = bonus
		}
		r.BalanceAfter = balance + r.BonusAfter
		if paid > 0 {
			if err := insertEntry(ctx, tx, entry{r.VoucherID, market.EntryReverse, partPaid, paid, balance, r.ID, at}); err != nil {
				return err
			}
		}
		if r.FromBonus > 0 {
			if err := insertEntry(ctx, tx, entry{r.VoucherID, market.EntryReverse, partBonus, r.FromBonus, bonus, r.ID, at}); err != nil {
				return err
			}
		}
		return db.keepClaim(ctx, tx, r)
	})
	return r, err
}

// reverseRefusal says why a reversal changed nothing: not the merchant's,
// reversed already, or too old.
func reverseRefusal(ctx context.Context, tx *sql.Tx, merchantID, redemptionID string) error {
	var created, reversed int64
	err := tx.QueryRowContext(ctx, `SELECT created_at, reversed_at FROM redemptions WHERE id = $1 AND merchant_id = $2`,
		redemptionID, merchantID).Scan(&created, &reversed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return market.NotFound("Encaissement")
	case err != nil:
		return err
	case reversed != 0:
		return &market.Error{Code: market.EAlreadyReversed, Message: "Cet encaissement a déjà été annulé."}
	}
	return &market.Error{Code: market.EReverseTooLate, Message: "Cet encaissement est trop ancien pour être annulé à la caisse."}
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
	// Its own vouchers' movements, and those of programme cards spent at
	// its till (their redemptions and reversals).
	// A redemption and its reversal name who redeemed.
	rows, err := db.read.QueryContext(ctx, `SELECT e.created_at, e.kind, v.code, e.amount, e.balance_after, v.currency, e.reference,
			COALESCE(r.actor_name, '')
		FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id
		LEFT JOIN redemptions r ON r.id = e.reference AND e.kind IN ('redeem', 'reverse')
		WHERE e.created_at >= $2 AND e.created_at < $3 AND (v.merchant_id = $1 OR (v.programme_id <> ''
			AND e.kind IN ('redeem', 'reverse') AND e.reference IN (SELECT id FROM redemptions WHERE merchant_id = $1)))
		ORDER BY e.created_at, e.id`, merchantID, millis(from), millis(to))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.LedgerLine
	for rows.Next() {
		var l market.LedgerLine
		var at int64
		var code, currency string
		if err := rows.Scan(&at, &l.Kind, &code, &l.Amount, &l.BalanceAfter, &currency, &l.Reference, &l.By); err != nil {
			return nil, translate(err)
		}
		// The last four characters only, without the ellipsis that lists on
		// screens use: a spreadsheet column.
		l.At, l.Voucher, l.Code, l.Currency = fromMillis(at), code[max(0, len(code)-4):], code, market.Currency(currency)
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
		&r.ActorName, &created, &reversed, &r.ReversedBy, &r.FromBonus)
	if err != nil {
		return nil, err
	}
	r.Currency, r.CreatedAt, r.ReversedAt = market.Currency(currency), fromMillis(created), fromMillis(reversed)
	return &r, nil
}
