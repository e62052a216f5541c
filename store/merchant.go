package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// merchantCardColumns are what a listing shows: no description.
const merchantCardColumns = `id, slug, name, category, city, summary, currency, accepts, status`

const merchantColumns = `id, slug, name, category, city, address, summary, description, website,
	currency, accepts, min_amount, max_amount, suggested, status, stripe_account, charges_enabled,
	registration, contact_email, contact_phone, created_at`

// ListMerchants returns one page of approved merchants matching f, ordered
// by slug, and the cursor of the next page ("" on the last one).
func (db *DB) ListMerchants(ctx context.Context, f market.MerchantFilter) ([]*market.Merchant, string, error) {
	after := ""
	if f.Page.Cursor != "" {
		parts, err := decodeCursor(f.Page.Cursor, 1)
		if err != nil {
			return nil, "", err
		}
		after = parts[0]
	}
	q := ""
	if f.Query != "" {
		q = "%" + likeEscaper.Replace(market.Fold(f.Query)) + "%"
	}
	n := limit(f.Page)
	rows, err := db.query(ctx, `SELECT `+merchantCardColumns+`
		FROM merchants
		WHERE status = 'approved'
		  AND ($1 = '' OR search LIKE $1 ESCAPE '\')
		  AND ($2 = '' OR category = $2)
		  AND ($3 = '' OR city_key = $3)
		  AND slug > $4
		ORDER BY slug
		LIMIT $5`,
		q, string(f.Category), market.Fold(f.City), after, n+1)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	var list []*market.Merchant
	for rows.Next() {
		var m market.Merchant
		var category, currency, accepts, status string
		if err := rows.Scan(&m.ID, &m.Slug, &m.Name, &category, &m.City, &m.Summary, &currency, &accepts, &status); err != nil {
			return nil, "", translate(err)
		}
		m.Category, m.Currency, m.Status = market.Category(category), market.Currency(currency), market.MerchantStatus(status)
		if m.Accepts, err = decodeKinds(accepts); err != nil {
			return nil, "", err
		}
		list = append(list, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(list) > n {
		list = list[:n]
		next = encodeCursor(list[n-1].Slug)
	}
	return list, next, nil
}

// likeEscaper escapes LIKE's wildcards in user text.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Merchant returns the merchant with the given slug, whatever its status;
// ENotFound when there is none.
func (db *DB) Merchant(ctx context.Context, slug string) (*market.Merchant, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE slug = $1`, slug)
	m, err := scanMerchant(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Commerce")
	}
	return m, err
}

// CreateMerchant validates and stores m, giving it an id and a creation time
// when it has none. EConflict when the slug is taken.
func (db *DB) CreateMerchant(ctx context.Context, m *market.Merchant) error {
	if err := db.prepareMerchant(m); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error { return insertMerchant(ctx, tx, m) })
}

// CreateApplication stores a business that applies, pending, with its
// owner's account, in one transaction. EConflict when the slug or the
// email is taken.
func (db *DB) CreateApplication(ctx context.Context, m *market.Merchant, owner *market.User) error {
	if err := db.prepareMerchant(m); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertMerchant(ctx, tx, m); err != nil {
			return err
		}
		if err := db.insertUser(ctx, tx, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_merchants (user_id, merchant_id, role) VALUES ($1, $2, $3)`,
			owner.ID, m.ID, string(market.RoleOwner))
		return err
	})
}

func (db *DB) prepareMerchant(m *market.Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = market.NewID("mer")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now().UTC()
	}
	if m.Status == "" {
		m.Status = market.MerchantPending
	}
	return nil
}

func insertMerchant(ctx context.Context, tx *sql.Tx, m *market.Merchant) error {
	accepts, _ := json.Marshal(nonNil(m.Accepts))
	suggested, _ := json.Marshal(nonNil(m.Suggested))
	cat, _ := market.CategoryByslug(m.Category)
	search := market.Fold(strings.Join([]string{m.Name, m.Summary, m.City, cat.FR, cat.EN, string(m.Category)}, " "))
	_, err := tx.ExecContext(ctx, `INSERT INTO merchants (id, slug, name, category, city, city_key,
		address, summary, description, website, currency, accepts, min_amount, max_amount,
		suggested, status, search, stripe_account, charges_enabled, registration, contact_email, contact_phone, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		m.ID, m.Slug, m.Name, string(m.Category), m.City, market.Fold(m.City),
		m.Address, m.Summary, m.Description, m.Website, string(m.Currency), string(accepts),
		m.MinAmount, m.MaxAmount, string(suggested), string(m.Status), search,
		m.StripeAccount, boolInt(m.ChargesEnabled), m.Registration, m.ContactEmail, m.ContactPhone, millis(m.CreatedAt))
	return err
}

// ListMerchantsByStatus returns the merchants of a status, oldest first:
// the admin's queue of applications.
func (db *DB) ListMerchantsByStatus(ctx context.Context, status market.MerchantStatus) ([]*market.Merchant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE status = $1 ORDER BY created_at, id LIMIT 500`, string(status))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, translate(rows.Err())
}

// SetMerchantStatus approves or closes a merchant. ENotFound when unknown.
func (db *DB) SetMerchantStatus(ctx context.Context, merchantID string, status market.MerchantStatus) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET status = $1 WHERE id = $2`, string(status), merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		return nil
	})
}

// SetChargesEnabled records Stripe's word on a connected account (its
// account.updated event); an account no merchant has is ignored.
func (db *DB) SetChargesEnabled(ctx context.Context, account string, enabled bool) error {
	if account == "" {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE merchants SET charges_enabled = $1 WHERE stripe_account = $2`, boolInt(enabled), account)
		return err
	})
}

// Cities returns the names of the cities that have approved merchants, in
// alphabetical order.
func (db *DB) Cities(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT city, MIN(city_key) FROM merchants
		WHERE status = 'approved' GROUP BY city ORDER BY MIN(city_key)`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var cities []string
	for rows.Next() {
		var c, key string
		if err := rows.Scan(&c, &key); err != nil {
			return nil, translate(err)
		}
		cities = append(cities, c)
	}
	return cities, translate(rows.Err())
}

type scanner interface{ Scan(dest ...any) error }

func scanMerchant(s scanner) (*market.Merchant, error) {
	var m market.Merchant
	var category, currency, accepts, suggested, status string
	var created int64
	var charges int
	err := s.Scan(&m.ID, &m.Slug, &m.Name, &category, &m.City, &m.Address, &m.Summary,
		&m.Description, &m.Website, &currency, &accepts, &m.MinAmount, &m.MaxAmount,
		&suggested, &status, &m.StripeAccount, &charges, &m.Registration, &m.ContactEmail, &m.ContactPhone, &created)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, translate(err)
	}
	m.Category, m.Currency, m.Status = market.Category(category), market.Currency(currency), market.MerchantStatus(status)
	m.CreatedAt, m.ChargesEnabled = fromMillis(created), charges == 1
	if m.Accepts, err = decodeKinds(accepts); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(suggested), &m.Suggested); err != nil {
		return nil, err
	}
	return &m, nil
}

// nonNil makes a nil slice marshal as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// decodeKinds reads the stored list of item kinds. The lists are tiny and
// read on every listing row, so the common values skip the JSON decoder.
func decodeKinds(s string) ([]market.ItemKind, error) {
	switch s {
	case `["gift_certificate"]`:
		return []market.ItemKind{market.KindGiftCertificate}, nil
	case `[]`:
		return []market.ItemKind{}, nil
	}
	var kinds []market.ItemKind
	err := json.Unmarshal([]byte(s), &kinds)
	return kinds, err
}

// SetMerchantPayments records a merchant's connected payment account and
// whether it can be charged (Stripe's account.updated). ENotFound when no
// merchant has that id.
func (db *DB) SetMerchantPayments(ctx context.Context, merchantID, account string, chargesEnabled bool) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET stripe_account = $1, charges_enabled = $2 WHERE id = $3`,
			account, boolInt(chargesEnabled), merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
