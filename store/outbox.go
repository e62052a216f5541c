package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// HoldMail makes new mails wait as held instead of pending: the server sets
// it when no SMTP server is configured, so mails are kept for the admin to
// read rather than lost, and released once one is (ReleaseHeldMail).
func (db *DB) HoldMail(hold bool) { db.holdMail.Store(hold) }

// insertMail queues a mail in the outbox within tx.
func (db *DB) insertMail(ctx context.Context, tx *sql.Tx, m *market.Mail) error {
	if m.ID == "" {
		m.ID = market.NewID("mail")
	}
	now := db.now().UTC()
	// A mail may be due later (a gift sent on a date); never earlier.
	m.CreatedAt = now
	if m.NextAttempt.Before(now) {
		m.NextAttempt = now
	}
	m.Status = market.MailPending
	if db.holdMail.Load() {
		m.Status = market.MailHeld
	}
	att, err := json.Marshal(nonNil(m.Attachments))
	if err != nil {
		return err
	}
	headers := []byte("{}")
	if len(m.Headers) > 0 {
		if headers, err = json.Marshal(m.Headers); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (id, to_addr, subject, text_body, html_body, attachments, status,
		next_attempt_at, created_at, headers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		m.ID, m.To, m.Subject, m.Text, m.HTML, string(att), string(m.Status), millis(m.NextAttempt), millis(now), string(headers))
	return err
}

// ReleaseHeldMail turns every held mail into a pending one, to be sent, and
// returns how many.
func (db *DB) ReleaseHeldMail(ctx context.Context) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending',
			next_attempt_at = CASE WHEN next_attempt_at > $1 THEN next_attempt_at ELSE $1 END WHERE status = 'held'`, millis(db.now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// ClaimMail takes up to n due pending mails and leases them to the caller
// for lease: a conditional update per mail, so two workers (on two
// instances) never both take one.
func (db *DB) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]*market.Mail, error) {
	var claimed []*market.Mail
	err := db.tx(ctx, func(tx *sql.Tx) error {
		now := millis(db.now())
		rows, err := tx.QueryContext(ctx, `SELECT id, to_addr, subject, text_body, html_body, attachments, status,
			attempts, last_error, next_attempt_at, created_at, headers FROM outbox
			WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
			ORDER BY next_attempt_at LIMIT $2`, now, n)
		if err != nil {
			return err
		}
		var due []*market.Mail
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range due {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_until = $1
				WHERE id = $2 AND status = 'pending' AND lease_until <= $3`, now+lease.Milliseconds(), m.ID, now)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 1 {
				claimed = append(claimed, m)
			}
		}
		return nil
	})
	return claimed, err
}

// MailSent marks a mail delivered.
func (db *DB) MailSent(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, lease_until = 0, last_error = ''
			WHERE id = $2`, millis(db.now()), id)
		return err
	})
}

// MailFailed records a failed attempt (Attempts counts them): retried at
// retryAt, or given up when final.
func (db *DB) MailFailed(ctx context.Context, id, reason string, retryAt time.Time, final bool) error {
	status := market.MailPending
	if final {
		status = market.MailFailed
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, lease_until = 0,
			attempts = attempts + 1 WHERE id = $4`, string(status), reason, millis(retryAt), id)
		return err
	})
}

// Mails returns the newest mails of the outbox (all statuses when status is
// empty), for the admin.
func (db *DB) Mails(ctx context.Context, status market.MailStatus, n int) ([]*market.Mail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, to_addr, subject, text_body, html_body, attachments, status,
		attempts, last_error, next_attempt_at, created_at, headers FROM outbox
		WHERE ($1 = '' OR status = $1) ORDER BY created_at DESC, id LIMIT $2`, string(status), n)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, m)
	}
	return list, translate(rows.Err())
}

func scanMail(s scanner) (*market.Mail, error) {
	var m market.Mail
	var att, status, headers string
	var next, created int64
	if err := s.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &att, &status, &m.Attempts, &m.LastError,
		&next, &created, &headers); err != nil {
		return nil, err
	}
	if headers != "{}" && headers != "" {
		if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
			return nil, err
		}
	}
	m.Status, m.NextAttempt, m.CreatedAt = market.MailStatus(status), fromMillis(next), fromMillis(created)
	if err := json.Unmarshal([]byte(att), &m.Attachments); err != nil {
		return nil, err
	}
	return &m, nil
}
