package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// BeginIdempotent claims (scope, key) for a request whose hash is given.
// found is false when the claim is new: the caller answers, then calls
// FinishIdempotent or AbandonIdempotent. Otherwise it returns what is
// stored: the first request's hash, and its status and body (status 0
// while that request is still being answered).
func (db *DB) BeginIdempotent(ctx context.Context, scope, key, hash string) (status int, body []byte, requestHash string, found bool, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING`, scope, key, hash, millis(db.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var stored string
		err = tx.QueryRowContext(ctx, `SELECT request_hash, status, response FROM idempotency_keys
			WHERE scope = $1 AND key = $2`, scope, key).Scan(&requestHash, &status, &stored)
		if errors.Is(err, sql.ErrNoRows) {
			return errors.New("store: idempotency key vanished") // raced with a purge; the client retries
		}
		body, found = []byte(stored), true
		return err
	})
	return status, body, requestHash, found, err
}

// FinishIdempotent stores the answer given for (scope, key).
func (db *DB) FinishIdempotent(ctx context.Context, scope, key string, status int, body []byte) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, response = $2 WHERE scope = $3 AND key = $4`,
			status, string(body), scope, key)
		return err
	})
}

// AbandonIdempotent forgets (scope, key) after a failure the client should
// retry (a 5xx), so that the retry is not answered with the failure.
func (db *DB) AbandonIdempotent(ctx context.Context, scope, key string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key)
		return err
	})
}

// PurgeIdempotent forgets keys older than age and returns how many.
func (db *DB) PurgeIdempotent(ctx context.Context, age time.Duration) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, millis(db.now().Add(-age)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
