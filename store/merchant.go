package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// merchantCardColumns are what a listing shows: no description.
const merchantCardColumns = `id, slug, name, category, city, summary, currency, accepts, status`

const merchantColumns = `id, slug, name, category, city, address, summary, description, website,
	currency, accepts, min_amount, max_amount, suggested, status, stripe_account, charges_enabled,
	registration, contact_email, contact_phone, created_at, payouts_enabled, payments_due, payments_disabled_reason,
	payments_checked_at`

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

// SetMerchantAccount gives a merchant its connected account, once: a
// conditional write keeps the first account when two requests race, and
// the account the merchant has afterwards is returned. ENotFound when no
// merchant has that id.
func (db *DB) SetMerchantAccount(ctx context.Context, merchantID, account string) (string, error) {
	var have string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE merchants SET stripe_account = $1 WHERE id = $2 AND stripe_account = ''
			RETURNING stripe_account`, account, merchantID).Scan(&have)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Another request gave it one first: that one stays.
		err = tx.QueryRowContext(ctx, `SELECT stripe_account FROM merchants WHERE id = $1`, merchantID).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Commerce")
		}
		return err
	})
	return have, err
}

// SetPaymentAccount records what the provider says of a connected account:
// whether it can be charged and paid out, what it still needs, why it is
// disabled. It records the event (when eventID is set) once, in the same
// transaction, and never lets older news (at) overwrite newer. Times are
// compared to the second, Stripe's resolution: an event of the same second
// as the owner's last look wins, so a merchant enabled just after that
// look is never left waiting. An account no merchant has changes nothing.
func (db *DB) SetPaymentAccount(ctx context.Context, eventID string, a *market.PaymentAccount, at time.Time) error {
	due, err := json.Marshal(nonNil(a.CurrentlyDue))
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		fresh, err := recordEvent(ctx, tx, eventID, market.AccountUpdated, market.OutcomeAccountUpdated, db.now())
		if err != nil || !fresh || a.ID == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE merchants SET charges_enabled = $1, payouts_enabled = $2, payments_due = $3,
			payments_disabled_reason = $4, payments_checked_at = $5
			WHERE stripe_account = $6 AND payments_checked_at <= $5`,
			boolInt(a.ChargesEnabled), boolInt(a.PayoutsEnabled), string(due), a.DisabledReason, millis(at.Truncate(time.Second)), a.ID)
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
	var created, checked int64
	var charges, payouts int
	var due string
	err := s.Scan(&m.ID, &m.Slug, &m.Name, &category, &m.City, &m.Address, &m.Summary,
		&m.Description, &m.Website, &currency, &accepts, &m.MinAmount, &m.MaxAmount,
		&suggested, &status, &m.StripeAccount, &charges, &m.Registration, &m.ContactEmail, &m.ContactPhone, &created,
		&payouts, &due, &m.PaymentsDisabledReason, &checked)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, translate(err)
	}
	m.Category, m.Currency, m.Status = market.Category(category), market.Currency(currency), market.MerchantStatus(status)
	m.CreatedAt, m.ChargesEnabled = fromMillis(created), charges == 1
	m.PayoutsEnabled, m.PaymentsCheckedAt = payouts == 1, fromMillis(checked)
	if due != "[]" && due != "" {
		if err := json.Unmarshal([]byte(due), &m.PaymentsDue); err != nil {
			return nil, err
		}
	}
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
