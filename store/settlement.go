package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// unsettled selects a programme's redemptions ($1) made before $2 that no
// run has settled and nobody reversed.
const unsettled = `r.programme_id = $1 AND r.settlement_id = '' AND r.reversed_at = 0 AND r.created_at < $2`

// PreviewSettlement returns what a run until until would pay each merchant
// (a dry run: nothing is written), the fee at feeBPS basis points.
func (db *DB) PreviewSettlement(ctx context.Context, programmeID string, until time.Time, feeBPS int64) (*market.SettlementRun, error) {
	run := &market.SettlementRun{ProgrammeID: programmeID, Until: until}
	rows, err := db.read.QueryContext(ctx, `SELECT r.merchant_id, m.slug, m.name, m.currency, COUNT(*), COALESCE(SUM(r.amount - r.from_bonus), 0),
		COALESCE(SUM(r.from_bonus), 0) FROM redemptions r JOIN merchants m ON m.id = r.merchant_id WHERE `+unsettled+`
		GROUP BY r.merchant_id, m.slug, m.name, m.currency ORDER BY m.name, r.merchant_id`, programmeID, millis(until))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		l := &market.SettlementLine{ProgrammeID: programmeID, Status: market.SettlementPending}
		var currency string
		if err := rows.Scan(&l.MerchantID, &l.MerchantSlug, &l.MerchantName, &currency, &l.Redemptions, &l.Paid, &l.Bonus); err != nil {
			return nil, translate(err)
		}
		l.Currency = market.Currency(currency)
		l.Fee = (l.Paid + l.Bonus) * feeBPS / 10000
		l.Amount = l.Paid + l.Bonus - l.Fee
		run.Lines = append(run.Lines, l)
	}
	return run, translate(rows.Err())
}

// SettleProgramme records a settlement run of a programme, in one
// transaction: each merchant's redemptions made before until, not settled
// nor reversed, are marked with the merchant's line (a conditional update,
// so no redemption is ever in two runs, whatever runs concurrently on any
// instance), the line holds their paid part, bonus part and fee, and the
// merchant's statement mail (made by statement) is queued. The transfers
// are made afterwards (ClaimSettlementLines). nil, nil when nothing is
// owed: no run is recorded.
func (db *DB) SettleProgramme(ctx context.Context, programmeID string, until time.Time, feeBPS int64, by string, at time.Time,
	statement func(*market.SettlementLine) (*market.Mail, error)) (*market.SettlementRun, error) {
	var run *market.SettlementRun
	err := db.tx(ctx, func(tx *sql.Tx) error {
		run = nil
		// One run of a programme at a time: take its row.
		var slug string
		err := tx.QueryRowContext(ctx, `UPDATE programmes SET fund_total = fund_total WHERE id = $1 RETURNING slug`, programmeID).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Programme")
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT r.merchant_id FROM redemptions r WHERE `+unsettled, programmeID, millis(until))
		if err != nil {
			return err
		}
		var merchants []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			merchants = append(merchants, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(merchants) == 0 {
			return err
		}
		run = &market.SettlementRun{ID: market.NewID("set"), ProgrammeID: programmeID, Until: until, CreatedBy: by, CreatedAt: at}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settlement_runs (id, programme_id, until_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5)`, run.ID, programmeID, millis(until), by, millis(at)); err != nil {
			return err
		}
		for _, merchantID := range merchants {
			l := &market.SettlementLine{ID: market.NewID("stl"), RunID: run.ID, ProgrammeID: programmeID, MerchantID: merchantID,
				Status: market.SettlementPending, CreatedAt: at}
			if _, err := tx.ExecContext(ctx, `UPDATE redemptions AS r SET settlement_id = $3 WHERE `+unsettled+` AND r.merchant_id = $4`,
				programmeID, millis(until), l.ID, merchantID); err != nil {
				return err
			}
			var currency string
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(r.amount - r.from_bonus), 0), COALESCE(SUM(r.from_bonus), 0),
				m.slug, m.name, m.currency FROM redemptions r JOIN merchants m ON m.id = r.merchant_id WHERE r.settlement_id = $1
				GROUP BY m.slug, m.name, m.currency`, l.ID).Scan(&l.Redemptions, &l.Paid, &l.Bonus, &l.MerchantSlug, &l.MerchantName, &currency); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					continue // reversed meanwhile
				}
				return err
			}
			l.Currency = market.Currency(currency)
			l.Fee = (l.Paid + l.Bonus) * feeBPS / 10000
			l.Amount = l.Paid + l.Bonus - l.Fee
			if l.Amount == 0 {
				l.Status, l.DoneAt = market.SettlementPaid, at
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settlement_lines (id, run_id, programme_id, merchant_id, redemptions, paid, bonus,
				fee, amount, currency, status, created_at, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				l.ID, run.ID, programmeID, merchantID, l.Redemptions, l.Paid, l.Bonus, l.Fee, l.Amount, string(l.Currency),
				string(l.Status), millis(at), millis(l.DoneAt)); err != nil {
				return err
			}
			if statement != nil {
				m, err := statement(l)
				if err != nil {
					return err
				}
				if m != nil {
					if err := db.insertMail(ctx, tx, m); err != nil {
						return err
					}
				}
			}
			run.Lines = append(run.Lines, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

const lineColumns = `l.id, l.run_id, l.programme_id, l.merchant_id, m.slug, m.name, m.stripe_account, l.redemptions, l.paid, l.bonus,
	l.fee, l.amount, l.currency, l.status, l.transfer_id, l.attempts, l.last_error, l.created_at, l.done_at`

func scanLine(s scanner) (*market.SettlementLine, error) {
	var l market.SettlementLine
	var currency, status string
	var created, done int64
	if err := s.Scan(&l.ID, &l.RunID, &l.ProgrammeID, &l.MerchantID, &l.MerchantSlug, &l.MerchantName, &l.Account, &l.Redemptions,
		&l.Paid, &l.Bonus, &l.Fee, &l.Amount, &currency, &status, &l.TransferID, &l.Attempts, &l.LastError, &created, &done); err != nil {
		return nil, err
	}
	l.Currency, l.Status, l.CreatedAt, l.DoneAt = market.Currency(currency), market.SettlementStatus(status), fromMillis(created), fromMillis(done)
	return &l, nil
}

func (db *DB) lines(ctx context.Context, q *sql.Tx, where string, args ...any) ([]*market.SettlementLine, error) {
	query := `SELECT ` + lineColumns + ` FROM settlement_lines l JOIN merchants m ON m.id = l.merchant_id WHERE ` + where
	var rows *sql.Rows
	var err error
	if q != nil {
		rows, err = q.QueryContext(ctx, query, args...)
	} else {
		rows, err = db.read.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*market.SettlementLine
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, l)
	}
	return list, rows.Err()
}

// SettlementRuns returns a programme's newest runs, at most n, with their
// lines.
func (db *DB) SettlementRuns(ctx context.Context, programmeID string, n int) ([]*market.SettlementRun, error) {
	var runs []*market.SettlementRun
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, until_at, created_by, created_at FROM settlement_runs WHERE programme_id = $1
			ORDER BY created_at DESC, id DESC LIMIT $2`, programmeID, n)
		if err != nil {
			return err
		}
		for rows.Next() {
			r := &market.SettlementRun{ProgrammeID: programmeID}
			var until, created int64
			if err := rows.Scan(&r.ID, &until, &r.CreatedBy, &created); err != nil {
				rows.Close()
				return err
			}
			r.Until, r.CreatedAt = fromMillis(until), fromMillis(created)
			runs = append(runs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range runs {
			if r.Lines, err = db.lines(ctx, tx, `l.run_id = $1 ORDER BY m.name, l.id`, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return runs, err
}

// MerchantStatements returns a merchant's settlement lines in a programme,
// newest first: its statements.
func (db *DB) MerchantStatements(ctx context.Context, programmeID, merchantID string) ([]*market.SettlementLine, error) {
	list, err := db.lines(ctx, nil, `l.programme_id = $1 AND l.merchant_id = $2 ORDER BY l.created_at DESC, l.id LIMIT 200`,
		programmeID, merchantID)
	return list, translate(err)
}

// StatementRedemptions returns the redemptions a settlement line paid,
// oldest first, for the merchant's statement.
func (db *DB) StatementRedemptions(ctx context.Context, lineID string) ([]*market.Redemption, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+redemptionColumns+` FROM redemptions r JOIN vouchers v ON v.id = r.voucher_id
		WHERE r.settlement_id = $1 ORDER BY r.created_at, r.id`, lineID)
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

// lineDue is the condition of a line a pass may pay: pending, its retry
// time come by $2, not leased at $1.
const lineDue = `l.status = 'pending' AND l.retry_at <= $2 AND l.lease_until <= $1`

// ClaimSettlementLines leases up to n lines to pay whose retry time comes
// by dueBy, oldest first: a conditional update each, so that two passes
// never both pay one.
func (db *DB) ClaimSettlementLines(ctx context.Context, now, dueBy time.Time, n int, lease time.Duration) ([]*market.SettlementLine, error) {
	var claimed []*market.SettlementLine
	err := db.tx(ctx, func(tx *sql.Tx) error {
		due, err := db.lines(ctx, tx, lineDue+` ORDER BY l.created_at, l.id LIMIT $3`, millis(now), millis(dueBy), n)
		if err != nil {
			return err
		}
		for _, l := range due {
			res, err := tx.ExecContext(ctx, `UPDATE settlement_lines SET lease_until = $1 WHERE id = $2 AND status = 'pending'
				AND lease_until <= $3`, millis(now.Add(lease)), l.ID, millis(now))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 1 {
				claimed = append(claimed, l)
			}
		}
		return nil
	})
	return claimed, err
}

// SettlementAttempted counts a transfer call about to start, committed
// before the call: after a crash the line is looked up before it is paid
// again.
func (db *DB) SettlementAttempted(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE settlement_lines SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending'`, id)
		return err
	})
}

// SettlementPaid records the transfer that paid a line, once.
func (db *DB) SettlementPaid(ctx context.Context, id, transferID string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE settlement_lines SET status = 'paid', transfer_id = $1, done_at = $2, lease_until = 0,
			last_error = '' WHERE id = $3 AND status = 'pending'`, transferID, millis(at), id)
		return err
	})
}

// SettlementFailed records a failed transfer and when to try again.
func (db *DB) SettlementFailed(ctx context.Context, id, reason string, retryAt time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE settlement_lines SET last_error = $1, retry_at = $2, lease_until = 0
			WHERE id = $3 AND status = 'pending'`, truncate(reason, 500), millis(retryAt), id)
		return err
	})
}

// SettlementMismatches returns the lines whose paid and bonus parts differ
// from the redemptions they marked: always none, which tests check.
func (db *DB) SettlementMismatches(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT l.id FROM settlement_lines l LEFT JOIN (SELECT settlement_id, COUNT(*) AS n,
			SUM(amount - from_bonus) AS paid, SUM(from_bonus) AS bonus FROM redemptions WHERE settlement_id <> '' GROUP BY settlement_id) r
		ON r.settlement_id = l.id WHERE l.redemptions <> COALESCE(r.n, 0) OR l.paid <> COALESCE(r.paid, 0) OR l.bonus <> COALESCE(r.bonus, 0)`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err())
}
