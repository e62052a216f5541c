package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// hoursJSON is how opening hours are stored: [{"day":1,"opens":"08:00","closes":"18:00"}].
type hoursJSON struct {
	Day    int    `json:"day"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

func encodeHours(h []market.OpeningHours) string {
	out := make([]hoursJSON, len(h))
	for i, s := range h {
		out[i] = hoursJSON{s.Day, s.Opens, s.Closes}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeHours(s string) ([]market.OpeningHours, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var in []hoursJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	out := make([]market.OpeningHours, len(in))
	for i, h := range in {
		out[i] = market.OpeningHours{Day: h.Day, Opens: h.Opens, Closes: h.Closes}
	}
	return out, nil
}

// statusSetAt is when a new merchant's status was set: at its creation
// when it has one.
func statusSetAt(m *market.Merchant) int64 {
	if m.OpenStatus == "" {
		return 0
	}
	return millis(m.CreatedAt)
}

// UpdateProfile writes the page fields of m (texts, links, hours, amounts)
// and its search text, and records one page change per name in changed,
// by actorID, in one transaction. ENotFound for an unknown merchant.
func (db *DB) UpdateProfile(ctx context.Context, m *market.Merchant, actorID string, changed []string) error {
	suggested, _ := json.Marshal(nonNil(m.Suggested))
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET summary = $1, description = $2, description_en = $3,
			address = $4, website = $5, facebook = $6, instagram = $7, hours = $8, suggested = $9,
			min_amount = $10, max_amount = $11, search = $12 WHERE id = $13`,
			m.Summary, m.Description, m.DescriptionEN, m.Address, m.Website, m.Facebook, m.Instagram,
			encodeHours(m.Hours), string(suggested), m.MinAmount, m.MaxAmount, merchantSearch(m), m.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		for _, what := range changed {
			if err := db.recordChange(ctx, tx, m.ID, actorID, what, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetOpenStatus sets today's status of a merchant with its note and the
// time it lapses (zero: never), or clears it (""), and records the change.
// ENotFound for an unknown merchant.
func (db *DB) SetOpenStatus(ctx context.Context, merchantID, actorID string, s market.OpenStatus, note string, until, now time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET open_status = $1, status_note = $2, status_until = $3,
			status_set_at = $4 WHERE id = $5`, string(s), note, millis(until), millis(now), merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		detail := string(s)
		if s == "" {
			detail = "cleared"
		}
		return db.recordChange(ctx, tx, merchantID, actorID, "status", detail)
	})
}

// MerchantPage returns what a merchant's public page shows beyond the
// Merchant: its visible photos by position and its count of confirmed
// followers. ENotFound for an unknown merchant.
func (db *DB) MerchantPage(ctx context.Context, merchantID string) (*market.MerchantPage, error) {
	page := &market.MerchantPage{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM merchants WHERE id = $1`, merchantID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return market.NotFound("Commerce")
		}
		var err error
		if page.Photos, err = pagePhotos(ctx, tx, merchantID, false); err != nil {
			return err
		}
		page.Followers, err = followerCount(ctx, tx, merchantID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// recordChange writes one page change within tx, at the store's clock.
func (db *DB) recordChange(ctx context.Context, tx *sql.Tx, merchantID, actorID, what, detail string) error {
	if len(detail) > 300 {
		detail = strings.ToValidUTF8(detail[:300], "")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO page_changes (id, merchant_id, actor_id, what, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, market.NewID("chg"), merchantID, actorID, what, detail, millis(db.now()))
	return err
}
