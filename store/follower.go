package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// AddFollower records a follow request with its confirmation hash, and
// queues the mail mail writes, in one transaction: a new address, one
// that never confirmed (a new link replaces the old) or one that had
// unsubscribed (it must confirm again) is (re)asked, with the consent
// given now; an address that follows already is left alone, with no mail
// (false).
func (db *DB) AddFollower(ctx context.Context, f *market.Follower, confirmHash string, expires time.Time, mail func(*market.Follower) (*market.Mail, error)) (bool, error) {
	asked := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO followers (id, merchant_id, email, lang, consent_text, consent_at,
			confirm_hash, confirm_expires, unsubscribe_token, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6)
			ON CONFLICT (merchant_id, email) DO UPDATE SET lang = excluded.lang, consent_text = excluded.consent_text,
				consent_at = excluded.consent_at, confirm_hash = excluded.confirm_hash, confirm_expires = excluded.confirm_expires,
				confirmed_at = 0, unsubscribed_at = 0
			WHERE followers.confirmed_at = 0 OR followers.unsubscribed_at <> 0
			RETURNING id, unsubscribe_token`,
			f.ID, f.MerchantID, f.Email, f.Lang, f.ConsentText, millis(f.ConsentAt), confirmHash, millis(expires), f.UnsubscribeToken).
			Scan(&f.ID, &f.UnsubscribeToken)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		asked = true
		m, err := mail(f)
		if err != nil {
			return err
		}
		return db.insertMail(ctx, tx, m)
	})
	return asked, err
}

// ConfirmFollower confirms the follower whose live confirmation hash is
// given (the link works once) and returns its merchant's id; EInvalid on
// "token" otherwise.
func (db *DB) ConfirmFollower(ctx context.Context, confirmHash string, now time.Time) (string, error) {
	var merchantID string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE followers SET confirmed_at = $1, confirm_hash = ''
			WHERE confirm_hash = $2 AND confirm_hash <> '' AND confirm_expires > $1 AND unsubscribed_at = 0
			RETURNING merchant_id`, millis(now), confirmHash).Scan(&merchantID)
		if errors.Is(err, sql.ErrNoRows) {
			return market.FollowTokenInvalid()
		}
		return err
	})
	return merchantID, err
}

// Unsubscribe ends the follow of an unsubscribe token (one already ended
// stays so) and returns its merchant's id; EInvalid on "token" for an
// unknown token.
func (db *DB) Unsubscribe(ctx context.Context, token string, now time.Time) (string, error) {
	var merchantID string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE followers SET unsubscribed_at = CASE WHEN unsubscribed_at = 0 THEN $1 ELSE unsubscribed_at END,
			confirm_hash = '' WHERE unsubscribe_token = $2 RETURNING merchant_id`, millis(now), token).Scan(&merchantID)
		if errors.Is(err, sql.ErrNoRows) {
			return market.FollowTokenInvalid()
		}
		return err
	})
	return merchantID, err
}

// FollowerCount counts a merchant's confirmed, subscribed followers.
func (db *DB) FollowerCount(ctx context.Context, merchantID string) (int64, error) {
	var n int64
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = followerCount(ctx, tx, merchantID)
		return err
	})
	return n, err
}

func followerCount(ctx context.Context, tx *sql.Tx, merchantID string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM followers WHERE merchant_id = $1 AND confirmed_at <> 0 AND unsubscribed_at = 0`,
		merchantID).Scan(&n)
	return n, err
}

// MailFollowers queues one mail per confirmed follower of the merchant,
// written by compose, in one transaction, and returns how many.
func (db *DB) MailFollowers(ctx context.Context, merchantID string, compose func(*market.Follower) (*market.Mail, error)) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = db.mailFollowers(ctx, tx, merchantID, compose)
		return err
	})
	return n, err
}

// mailFollowers queues, within tx, a mail per confirmed follower of the
// merchant, reading them in batches of followerBatch by id.
func (db *DB) mailFollowers(ctx context.Context, tx *sql.Tx, merchantID string, compose func(*market.Follower) (*market.Mail, error)) (int, error) {
	const followerBatch = 500
	after, sent := "", 0
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, email, lang, unsubscribe_token FROM followers
			WHERE merchant_id = $1 AND confirmed_at <> 0 AND unsubscribed_at = 0 AND id > $2 ORDER BY id LIMIT $3`,
			merchantID, after, followerBatch)
		if err != nil {
			return sent, err
		}
		var batch []*market.Follower
		for rows.Next() {
			f := &market.Follower{MerchantID: merchantID}
			if err := rows.Scan(&f.ID, &f.Email, &f.Lang, &f.UnsubscribeToken); err != nil {
				rows.Close()
				return sent, err
			}
			batch = append(batch, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sent, err
		}
		for _, f := range batch {
			m, err := compose(f)
			if err != nil {
				return sent, err
			}
			if err := db.insertMail(ctx, tx, m); err != nil {
				return sent, err
			}
			sent++
		}
		if len(batch) < followerBatch {
			return sent, nil
		}
		after = batch[len(batch)-1].ID
	}
}
