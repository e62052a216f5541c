package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// PassVoucher returns the voucher whose id is serial and the time of its
// last ledger entry; ENotFound when unknown.
func (db *DB) PassVoucher(ctx context.Context, serial string) (*market.Voucher, time.Time, error) {
	rows, err := db.query(ctx, `SELECT `+voucherColumns+`, COALESCE((SELECT buyer_name FROM orders WHERE id = v.order_id), ''),
		`+lastChangeOf("v.id")+` FROM vouchers v JOIN merchants m ON m.id = v.merchant_id WHERE v.id = $1`, serial)
	if err != nil {
		return nil, time.Time{}, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, time.Time{}, translate(err)
		}
		return nil, time.Time{}, market.NotFound("Pass")
	}
	var giver string
	var changed int64
	v, err := scanVoucher(extraScanner{rows, []any{&giver, &changed}})
	if err != nil {
		return nil, time.Time{}, translate(err)
	}
	v.Giver = giver
	return v, fromMillis(changed), nil
}

// RegisterPass records a registration, told of the voucher as it is now,
// and reports whether it is new; a repeated one keeps its row (a new push
// token replaces the old).
func (db *DB) RegisterPass(ctx context.Context, r *market.PassRegistration) (bool, error) {
	var created bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vouchers WHERE id = $1`, r.Serial).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return market.NotFound("Pass")
		}
		now := millis(db.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO pass_registrations (wallet, device_id, serial, push_token, created_at, pushed_at)
			VALUES ($1, $2, $3, $4, $5, `+lastChangeOf("$3")+`) ON CONFLICT (wallet, device_id, serial) DO NOTHING`,
			r.Wallet, r.DeviceID, r.Serial, r.PushToken, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created = true
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE pass_registrations SET push_token = $1
			WHERE wallet = $2 AND device_id = $3 AND serial = $4`, r.PushToken, r.Wallet, r.DeviceID, r.Serial)
		return err
	})
	return created, translate(err)
}

// lastChangeOf is the time of the last ledger entry of the voucher whose
// id is the SQL expression id (an index lookup on voucher_entries).
func lastChangeOf(param string) string {
	return `COALESCE((SELECT MAX(created_at) FROM voucher_entries WHERE voucher_id = ` + param + `), 0)`
}

// UnregisterPass forgets a registration.
func (db *DB) UnregisterPass(ctx context.Context, wallet, deviceID, serial string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM pass_registrations WHERE wallet = $1 AND device_id = $2 AND serial = $3`,
			wallet, deviceID, serial)
		return err
	})
}

// DevicePasses lists the serials a device registered whose voucher changed
// after since, and the latest such change.
func (db *DB) DevicePasses(ctx context.Context, wallet, deviceID string, since time.Time) ([]string, time.Time, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT serial, changed FROM (SELECT r.serial, `+lastChangeOf("r.serial")+` AS changed
		FROM pass_registrations r WHERE r.wallet = $1 AND r.device_id = $2) x WHERE changed > $3 ORDER BY serial`,
		wallet, deviceID, millis(since))
	if err != nil {
		return nil, time.Time{}, translate(err)
	}
	defer rows.Close()
	var serials []string
	var last int64
	for rows.Next() {
		var s string
		var at int64
		if err := rows.Scan(&s, &at); err != nil {
			return nil, time.Time{}, translate(err)
		}
		serials, last = append(serials, s), max(last, at)
	}
	return serials, fromMillis(last), translate(rows.Err())
}

// PassesToPush lists up to n registrations whose voucher changed after the
// holder was last told.
func (db *DB) PassesToPush(ctx context.Context, n int) ([]*market.PassRegistration, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT wallet, device_id, serial, push_token, changed FROM (
		SELECT r.wallet, r.device_id, r.serial, r.push_token, r.pushed_at, `+lastChangeOf("r.serial")+` AS changed
		FROM pass_registrations r) x WHERE changed > pushed_at ORDER BY changed LIMIT $1`, n)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.PassRegistration
	for rows.Next() {
		var r market.PassRegistration
		var at int64
		if err := rows.Scan(&r.Wallet, &r.DeviceID, &r.Serial, &r.PushToken, &at); err != nil {
			return nil, translate(err)
		}
		r.ChangedAt = fromMillis(at)
		list = append(list, &r)
	}
	return list, translate(rows.Err())
}

// PassPushed records that a registration's holder was told of the change
// at r.ChangedAt; never moving back.
func (db *DB) PassPushed(ctx context.Context, r *market.PassRegistration) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE pass_registrations SET pushed_at = $1
			WHERE wallet = $2 AND device_id = $3 AND serial = $4 AND pushed_at < $1`,
			millis(r.ChangedAt), r.Wallet, r.DeviceID, r.Serial)
		return err
	})
}
