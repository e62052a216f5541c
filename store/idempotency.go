package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// keepClaim writes the Idempotency-Key that ctx carries (market.Claim),
// with the answer its Answer renders for result, within tx: the
// transaction that moves the money. EIdempotentReplay when a request with
// the same key committed first; the caller's transaction then rolls back,
// so nothing is written twice. Without a claim it does nothing.
func (db *DB) keepClaim(ctx context.Context, tx *sql.Tx, result any) error {
	c := market.ClaimOf(ctx)
	if c == nil || c.Answer == nil {
		return nil
	}
	status, body, err := c.Answer(result)
	if err != nil {
		return err
	}
	return db.insertClaim(ctx, tx, c, status, body)
}

// keepRefusal writes the Idempotency-Key that ctx carries with the answer
// to refusal, in the transaction that decided it, when the claim asks for
// refusals (market.Claim.Refuse) and this one is to be kept. It returns
// nil when the key was written (the caller commits, then returns the
// refusal), EIdempotentReplay when a request with the same key committed
// first, and the refusal itself otherwise (the caller rolls back).
func (db *DB) keepRefusal(ctx context.Context, tx *sql.Tx, refusal error) error {
	c := market.ClaimOf(ctx)
	if c == nil || c.Refuse == nil {
		return refusal
	}
	status, body, ok := c.Refuse(refusal)
	if !ok {
		return refusal
	}
	return db.insertClaim(ctx, tx, c, status, body)
}

// insertClaim writes c's key with its answer; EIdempotentReplay when the
// key is already there.
func (db *DB) insertClaim(ctx context.Context, tx *sql.Tx, c *market.Claim, status int, body []byte) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`, c.Scope, c.Key, c.Hash, status, string(body), millis(db.now()))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &market.Error{Code: market.EIdempotentReplay, Message: "La même requête vient d'aboutir."}
	}
	c.Kept, c.Status, c.Body = true, status, body
	return nil
}

// IdempotentAnswer returns what (scope, key) holds: the first request's
// fingerprint and the answer kept for it (status 0 for an answer still to
// complete). found is false for a key never used.
func (db *DB) IdempotentAnswer(ctx context.Context, scope, key string) (requestHash string, status int, body []byte, found bool, err error) {
	// The read pool: on SQLite the writer's one connection is for money.
	// A key committed a moment ago is seen (WAL readers see every commit);
	// one committing now is caught by the money transaction itself.
	rows, err := db.query(ctx, `SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key)
	if err != nil {
		return "", 0, nil, false, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return "", 0, nil, false, translate(rows.Err())
	}
	var stored string
	if err := rows.Scan(&requestHash, &status, &stored); err != nil {
		return "", 0, nil, false, translate(err)
	}
	return requestHash, status, []byte(stored), true, nil
}

// KeepAnswer keeps the answer to a request that moved no money (a refusal,
// or an operation without a transaction of its own), unless the key holds
// one already.
func (db *DB) KeepAnswer(ctx context.Context, scope, key, hash string, status int, body []byte) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`, scope, key, hash, status, string(body), millis(db.now()))
		return err
	})
}

// FinishAnswer completes an unfinished answer (status 0): a checkout whose
// payment page is now open. An answer already complete is kept as it is.
func (db *DB) FinishAnswer(ctx context.Context, scope, key string, status int, body []byte) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, response = $2 WHERE scope = $3 AND key = $4 AND status = 0`,
			status, string(body), scope, key)
		return err
	})
}

// StuckIdempotent counts keys older than age whose answer never completed:
// none, when every money path keeps its key in its own transaction (the
// invariant tests check it after killing an instance).
func (db *DB) StuckIdempotent(ctx context.Context, age time.Duration) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE status = 0 AND created_at < $1`,
		millis(db.now().Add(-age))).Scan(&n)
	return n, translate(err)
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
