package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/solidaire-app/solidaire/market"
)

const photoColumns = `id, merchant_id, storage_key, widths, width, height, position, hidden, hidden_reason, created_at`

func scanPhoto(s scanner) (*market.PagePhoto, error) {
	var p market.PagePhoto
	var widths string
	var hidden int
	var created int64
	if err := s.Scan(&p.ID, &p.MerchantID, &p.Key, &widths, &p.Width, &p.Height, &p.Position, &hidden, &p.HiddenReason, &created); err != nil {
		return nil, err
	}
	p.Hidden, p.CreatedAt = hidden == 1, fromMillis(created)
	if err := json.Unmarshal([]byte(widths), &p.Widths); err != nil {
		return nil, err
	}
	return &p, nil
}

// lockMerchant keeps other writers of the merchant's page out until tx
// ends: PostgreSQL locks the merchant's row; SQLite's write transactions
// already run one at a time.
func (db *DB) lockMerchant(ctx context.Context, tx *sql.Tx, merchantID string) error {
	q := `SELECT id FROM merchants WHERE id = $1`
	if db.Dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var id string
	err := tx.QueryRowContext(ctx, q, merchantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return market.NotFound("Commerce")
	}
	return err
}

// AddPhoto stores p after the merchant's other photos and records the
// change. The count is taken under the merchant's lock, in the statement
// that inserts: a seventh photo is EConflict, however many uploads race.
func (db *DB) AddPhoto(ctx context.Context, p *market.PagePhoto, actorID string) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = db.now().UTC()
	}
	widths, _ := json.Marshal(nonNil(p.Widths))
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMerchant(ctx, tx, p.MerchantID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO page_photos (id, merchant_id, storage_key, widths, width, height, position, created_at)
			SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS BIGINT), CAST($6 AS BIGINT), c.n, CAST($7 AS BIGINT)
			FROM (SELECT COUNT(*) AS n FROM page_photos WHERE merchant_id = $2) AS c WHERE c.n < $8 RETURNING position`,
			p.ID, p.MerchantID, p.Key, string(widths), p.Width, p.Height, millis(p.CreatedAt), market.MaxPagePhotos).Scan(&p.Position)
		if errors.Is(err, sql.ErrNoRows) {
			return &market.Error{Code: market.EConflict, Message: "Une page a au plus 6 photos : retirez-en une d'abord."}
		}
		if err != nil {
			return err
		}
		return db.recordChange(ctx, tx, p.MerchantID, actorID, "photo", "added "+p.ID)
	})
}

// MovePhoto moves one of the merchant's photos to position (clamped to
// its photos; 0 is the cover), the others keeping their order, and
// records the change. ENotFound unless the photo is the merchant's.
func (db *DB) MovePhoto(ctx context.Context, merchantID, photoID string, position int, actorID string) (*market.PagePhoto, error) {
	var p *market.PagePhoto
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMerchant(ctx, tx, merchantID); err != nil {
			return err
		}
		var err error
		p, err = scanPhoto(tx.QueryRowContext(ctx, `SELECT `+photoColumns+` FROM page_photos WHERE id = $1 AND merchant_id = $2`, photoID, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Photo")
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM page_photos WHERE merchant_id = $1`, merchantID).Scan(&n); err != nil {
			return err
		}
		position = min(max(position, 0), n-1)
		if position == p.Position {
			return nil
		}
		if position < p.Position {
			_, err = tx.ExecContext(ctx, `UPDATE page_photos SET position = position + 1
				WHERE merchant_id = $1 AND position >= $2 AND position < $3`, merchantID, position, p.Position)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE page_photos SET position = position - 1
				WHERE merchant_id = $1 AND position > $2 AND position <= $3`, merchantID, p.Position, position)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE page_photos SET position = $1 WHERE id = $2`, position, photoID); err != nil {
			return err
		}
		p.Position = position
		return db.recordChange(ctx, tx, merchantID, actorID, "photo", "moved "+photoID)
	})
	return p, err
}

// DeletePhoto removes one of the merchant's photos, closes the gap in the
// positions, takes it off the posts that showed it, records the change
// and returns it (its files are the caller's to delete). ENotFound unless
// the photo is the merchant's.
func (db *DB) DeletePhoto(ctx context.Context, merchantID, photoID, actorID string) (*market.PagePhoto, error) {
	var p *market.PagePhoto
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMerchant(ctx, tx, merchantID); err != nil {
			return err
		}
		var err error
		p, err = scanPhoto(tx.QueryRowContext(ctx, `DELETE FROM page_photos WHERE id = $1 AND merchant_id = $2 RETURNING `+photoColumns, photoID, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Photo")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE page_photos SET position = position - 1 WHERE merchant_id = $1 AND position > $2`,
			merchantID, p.Position); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE news_posts SET photo_id = '' WHERE merchant_id = $1 AND photo_id = $2`, merchantID, photoID); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, merchantID, actorID, "photo", "deleted "+photoID)
	})
	return p, err
}

// HidePhoto hides one of the merchant's photos with the reason the
// merchant reads, and records the change. ENotFound unless it is the
// merchant's.
func (db *DB) HidePhoto(ctx context.Context, merchantID, photoID, actorID, reason string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE page_photos SET hidden = 1, hidden_reason = $1 WHERE id = $2 AND merchant_id = $3`,
			reason, photoID, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Photo")
		}
		return db.recordChange(ctx, tx, merchantID, actorID, "photo_hidden", photoID+": "+reason)
	})
}

// PagePhotos lists a merchant's photos by position: the visible ones, or
// all of them with withHidden (the merchant's own view).
func (db *DB) PagePhotos(ctx context.Context, merchantID string, withHidden bool) ([]*market.PagePhoto, error) {
	var list []*market.PagePhoto
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = pagePhotos(ctx, tx, merchantID, withHidden)
		return err
	})
	return list, err
}

// PagePhoto returns one of the merchant's photos, hidden or not;
// ENotFound otherwise.
func (db *DB) PagePhoto(ctx context.Context, merchantID, photoID string) (*market.PagePhoto, error) {
	p, err := scanPhoto(db.read.QueryRowContext(ctx, `SELECT `+photoColumns+` FROM page_photos WHERE id = $1 AND merchant_id = $2`, photoID, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Photo")
	}
	return p, translate(err)
}

func pagePhotos(ctx context.Context, tx *sql.Tx, merchantID string, withHidden bool) ([]*market.PagePhoto, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+photoColumns+` FROM page_photos WHERE merchant_id = $1 AND ($2 = 1 OR hidden = 0)
		ORDER BY position, id`, merchantID, boolInt(withHidden))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*market.PagePhoto{}
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}
