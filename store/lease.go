package store

import (
	"context"
	"database/sql"
	"time"
)

// TakeLease gives the lease name to holder until until if it is free,
// expired, or holder's already (a renewal): one conditional upsert, so two
// instances never both hold it. It reports whether holder has it.
func (db *DB) TakeLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	var got bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE leases.until <= $4 OR leases.holder = excluded.holder`, name, holder, millis(until), millis(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// DropLease frees a lease that holder has, so that another instance may
// take it at once.
func (db *DB) DropLease(ctx context.Context, name, holder string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
		return err
	})
}
