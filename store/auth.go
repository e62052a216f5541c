package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// CreateSession stores a session (its token hashed).
func (db *DB) CreateSession(ctx context.Context, s *market.Session) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, s.ID, s.TokenHash, s.UserID, millis(s.CreatedAt), millis(s.ExpiresAt))
		return err
	})
}

// DeleteSession ends a session; ending an unknown one is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		return err
	})
}

// actorBySessionSQL reads a live session's user and every role of theirs
// in one statement: the user's row (of no kind) then one row per role, each
// branch joined to the session so that an unknown or expired session
// yields no row at all. One statement is one snapshot on both engines: no
// transaction, one round trip.
const actorBySessionSQL = `
SELECT s.id, u.id, u.email, u.name, u.admin, '', '', '' FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = $1 AND s.expires_at > $2
UNION ALL
SELECT s.id, u.id, u.email, u.name, u.admin, 'm', r.merchant_id, r.role FROM sessions s JOIN users u ON u.id = s.user_id
	JOIN user_merchants r ON r.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2
UNION ALL
SELECT s.id, u.id, u.email, u.name, u.admin, 'c', r.campaign_id, r.role FROM sessions s JOIN users u ON u.id = s.user_id
	JOIN user_campaigns r ON r.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2
UNION ALL
SELECT s.id, u.id, u.email, u.name, u.admin, 'p', r.programme_id, r.role FROM sessions s JOIN users u ON u.id = s.user_id
	JOIN user_programmes r ON r.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2`

// ActorBySession returns the user of a live session with their roles;
// ENotFound for an unknown or expired session. One statement, no
// transaction (it was a read transaction of four queries: a fifth of a
// redemption's CPU on PostgreSQL).
func (db *DB) ActorBySession(ctx context.Context, tokenHash string, now time.Time) (*market.Actor, error) {
	rows, err := db.query(ctx, actorBySessionSQL, tokenHash, millis(now))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var a *market.Actor
	for rows.Next() {
		var sessionID, userID, email, name, kind, target, role string
		var admin int
		if err := rows.Scan(&sessionID, &userID, &email, &name, &admin, &kind, &target, &role); err != nil {
			return nil, translate(err)
		}
		if a == nil {
			a = &market.Actor{SessionID: sessionID, UserID: userID, Email: email, Name: name, Admin: admin == 1,
				Merchants: map[string]market.Role{}, Campaigns: map[string]market.Role{}, Programmes: map[string]market.Role{}}
			if a.Name == "" {
				a.Name = a.Email
			}
		}
		switch kind {
		case "m":
			a.Merchants[target] = market.Role(role)
		case "c":
			a.Campaigns[target] = market.Role(role)
		case "p":
			a.Programmes[target] = market.Role(role)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	if a == nil {
		return nil, market.NotFound("Session")
	}
	return a, nil
}

// ActorByDevice returns a paired device that is not revoked, acting for
// its merchant; ENotFound otherwise. It notes when the device was last
// seen, at most once a minute.
func (db *DB) ActorByDevice(ctx context.Context, tokenHash string, now time.Time) (*market.Actor, error) {
	var id, merchantID, name string
	var seen int64
	err := db.read.QueryRowContext(ctx, `SELECT id, merchant_id, name, last_seen_at FROM devices
		WHERE token_hash = $1 AND revoked_at = 0`, tokenHash).Scan(&id, &merchantID, &name, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Appareil")
	}
	if err != nil {
		return nil, translate(err)
	}
	if millis(now)-seen > 60_000 {
		db.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE devices SET last_seen_at = $1 WHERE id = $2`, millis(now), id)
			return err
		})
	}
	return &market.Actor{DeviceID: id, Name: name, Merchants: map[string]market.Role{merchantID: market.RoleDevice}}, nil
}

// SetPassword replaces a user's password hash and ends their sessions.
func (db *DB) SetPassword(ctx context.Context, userID, hash string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// RevokeMerchant removes a user's role on a merchant.
func (db *DB) RevokeMerchant(ctx context.Context, userID, merchantID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_merchants WHERE user_id = $1 AND merchant_id = $2`, userID, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Membre")
		}
		return nil
	})
}

// CreateOneTimeCode stores a one-time code.
func (db *DB) CreateOneTimeCode(ctx context.Context, c *market.OneTimeCode) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO one_time_codes (hash, purpose, user_id, merchant_id, email, role, name,
			created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.Hash, c.Purpose, c.UserID, c.MerchantID, c.Email, string(c.Role), c.Name, c.CreatedBy, millis(c.ExpiresAt))
		return err
	})
}

// TakeOneTimeCode consumes a code of the purpose, once; ENotFound when it
// is unknown, used or expired. The conditional update makes two
// concurrent uses impossible.
func (db *DB) TakeOneTimeCode(ctx context.Context, purpose, hash string, now time.Time) (*market.OneTimeCode, error) {
	var c market.OneTimeCode
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE one_time_codes SET used_at = $1
			WHERE hash = $2 AND purpose = $3 AND used_at = 0 AND expires_at > $1`, millis(now), hash, purpose)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &market.Error{Code: market.ENotFound, Message: "Lien ou code inconnu, déjà utilisé ou expiré."}
		}
		var role string
		var expires int64
		err = tx.QueryRowContext(ctx, `SELECT hash, purpose, user_id, merchant_id, email, role, name, created_by, expires_at
			FROM one_time_codes WHERE hash = $1`, hash).Scan(&c.Hash, &c.Purpose, &c.UserID, &c.MerchantID, &c.Email, &role,
			&c.Name, &c.CreatedBy, &expires)
		c.Role, c.ExpiresAt = market.Role(role), fromMillis(expires)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateDevice stores a paired device with its token's hash.
func (db *DB) CreateDevice(ctx context.Context, d *market.Device, tokenHash string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO devices (id, merchant_id, name, token_hash, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, d.ID, d.MerchantID, d.Name, tokenHash, d.CreatedBy, millis(d.CreatedAt))
		return err
	})
}

// Devices returns a merchant's devices, revoked ones included, newest first.
func (db *DB) Devices(ctx context.Context, merchantID string) ([]*market.Device, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, merchant_id, name, created_by, created_at, last_seen_at, revoked_at
		FROM devices WHERE merchant_id = $1 ORDER BY created_at DESC, id`, merchantID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Device
	for rows.Next() {
		var d market.Device
		var created, seen, revoked int64
		if err := rows.Scan(&d.ID, &d.MerchantID, &d.Name, &d.CreatedBy, &created, &seen, &revoked); err != nil {
			return nil, translate(err)
		}
		d.CreatedAt, d.LastSeenAt, d.RevokedAt = fromMillis(created), fromMillis(seen), fromMillis(revoked)
		list = append(list, &d)
	}
	return list, translate(rows.Err())
}

// RevokeDevice revokes a merchant's device: its token stops working at
// once. ENotFound when it is not the merchant's.
func (db *DB) RevokeDevice(ctx context.Context, merchantID, deviceID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = $1 WHERE id = $2 AND merchant_id = $3 AND revoked_at = 0`,
			millis(db.now()), deviceID, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Appareil")
		}
		return nil
	})
}

// QueueMail puts one mail in the outbox.
func (db *DB) QueueMail(ctx context.Context, m *market.Mail) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return db.insertMail(ctx, tx, m) })
}

// Staff returns the people with a role at a merchant.
func (db *DB) Staff(ctx context.Context, merchantID string) ([]market.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.email, u.name, um.role FROM user_merchants um
		JOIN users u ON u.id = um.user_id WHERE um.merchant_id = $1 ORDER BY um.role, u.email`, merchantID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []market.Member
	for rows.Next() {
		var m market.Member
		var role string
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &role); err != nil {
			return nil, translate(err)
		}
		m.Role = market.Role(role)
		list = append(list, m)
	}
	return list, translate(rows.Err())
}

// PeekOneTimeCode reads a live code of the purpose without using it;
// ENotFound when it is unknown, used or expired.
func (db *DB) PeekOneTimeCode(ctx context.Context, purpose, hash string, now time.Time) (*market.OneTimeCode, error) {
	var c market.OneTimeCode
	var role string
	var expires int64
	err := db.read.QueryRowContext(ctx, `SELECT hash, purpose, user_id, merchant_id, email, role, name, created_by, expires_at
		FROM one_time_codes WHERE hash = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3`, hash, purpose, millis(now)).
		Scan(&c.Hash, &c.Purpose, &c.UserID, &c.MerchantID, &c.Email, &role, &c.Name, &c.CreatedBy, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &market.Error{Code: market.ENotFound, Message: "Lien ou code inconnu, déjà utilisé ou expiré."}
	}
	if err != nil {
		return nil, translate(err)
	}
	c.Role, c.ExpiresAt = market.Role(role), fromMillis(expires)
	return &c, nil
}

// RevokeDeviceByToken revokes the device whose token hash this is; an
// unknown token is not an error.
func (db *DB) RevokeDeviceByToken(ctx context.Context, tokenHash string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at = 0`, millis(db.now()), tokenHash)
		return err
	})
}
