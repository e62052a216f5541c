package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/solidaire-app/solidaire/market"
)

// Parts of a voucher's balance that a ledger entry moves: the paid value
// (never expires) and the promotional bonus (may expire).
const (
	partPaid  = "paid"
	partBonus = "bonus"
)

// entry is one movement of the ledger: kind (market.Entry*), on one part of
// one voucher, signed amount, the part's balance after it, and what caused
// it (an order, a redemption, a dispute, a charge…).
type entry struct {
	voucherID    string
	kind         string
	part         string
	amount       int64
	balanceAfter int64
	reference    string
	at           int64 // Unix milliseconds
}

// insertEntry appends one entry to the ledger, within the transaction that
// changes the voucher: the only way anything is written to voucher_entries,
// which triggers keep append-only.
func insertEntry(ctx context.Context, tx *sql.Tx, e entry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO voucher_entries (id, voucher_id, kind, amount, balance_after, reference, created_at, part)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, market.NewID("ent"), e.voucherID, e.kind, e.amount, e.balanceAfter, e.reference, e.at, e.part)
	return err
}

// voidVoucher cancels what is left of a voucher (both parts) if its status
// is active or disputed, with one compensating entry per part (a programme
// card's bonus back to its fund), and returns the paid value it took. The amounts are read, then taken by an update
// conditional on them, retried if a concurrent debit changed them: the
// entries always say exactly what the update took.
func voidVoucher(ctx context.Context, tx *sql.Tx, voucherID, reference string, at int64) (int64, error) {
	for range 20 {
		var balance, bonus int64
		var status, programme string
		err := tx.QueryRowContext(ctx, `SELECT balance, bonus, status, programme_id FROM vouchers WHERE id = $1`, voucherID).
			Scan(&balance, &bonus, &status, &programme)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != string(market.VoucherActive) && status != string(market.VoucherDisputed) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE vouchers SET status = 'void', balance = 0, bonus = 0
			WHERE id = $1 AND balance = $2 AND bonus = $3 AND status = $4`, voucherID, balance, bonus, status)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		for _, p := range []struct {
			part   string
			amount int64
		}{{partPaid, balance}, {partBonus, bonus}} {
			if p.amount == 0 {
				continue
			}
			if err := insertEntry(ctx, tx, entry{voucherID, market.EntryVoid, p.part, -p.amount, 0, reference, at}); err != nil {
				return 0, err
			}
		}
		if programme != "" && bonus > 0 {
			// A programme card's bonus that will never be spent goes back
			// to the sponsor's fund.
			if _, err := fundMove(ctx, tx, programme, market.FundReturn, bonus, voucherID, at); err != nil {
				return 0, err
			}
		}
		return balance, nil
	}
	return 0, &market.Error{Code: market.EUnavailable, Message: "Bon trop sollicité : réessayez dans un instant."}
}
