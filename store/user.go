package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// CreateUser stores u with its email folded to lower case, giving it an id
// and a creation time where missing. EConflict when the email is taken.
func (db *DB) CreateUser(ctx context.Context, u *market.User) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email == "" || !strings.Contains(u.Email, "@") {
		return market.Invalid("email", "must be an email address")
	}
	if u.ID == "" {
		u.ID = market.NewID("usr")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error { return db.insertUser(ctx, tx, u) })
}

func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, u *market.User) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.ID == "" {
		u.ID = market.NewID("usr")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = db.now().UTC()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, u.ID, u.Email, u.Name, u.PasswordHash, boolInt(u.Admin), millis(u.CreatedAt))
	return err
}

// UserByEmail returns the user with that email (any case); ENotFound when
// there is none.
func (db *DB) UserByEmail(ctx context.Context, email string) (*market.User, error) {
	var u market.User
	var admin int
	var created int64
	err := db.read.QueryRowContext(ctx, `SELECT id, email, name, password_hash, admin, created_at
		FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))).
		Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &admin, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Utilisateur")
	}
	if err != nil {
		return nil, translate(err)
	}
	u.Admin, u.CreatedAt = admin == 1, fromMillis(created)
	return &u, nil
}

// GrantMerchant gives a user a role on a merchant, replacing any role it had.
func (db *DB) GrantMerchant(ctx context.Context, userID, merchantID string, r market.Role) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_merchants (user_id, merchant_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, merchant_id) DO UPDATE SET role = excluded.role`, userID, merchantID, string(r))
		return err
	})
}

// GrantCampaign gives a user a role on a campaign, replacing any role it had.
func (db *DB) GrantCampaign(ctx context.Context, userID, campaignID string, r market.Role) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_campaigns (user_id, campaign_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, campaign_id) DO UPDATE SET role = excluded.role`, userID, campaignID, string(r))
		return err
	})
}
