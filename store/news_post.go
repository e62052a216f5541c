package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"

	"github.com/solidaire-app/solidaire/market"
)

const postColumns = `p.id, p.merchant_id, p.body, p.photo_id, p.author_id, p.hidden, p.hidden_reason, p.created_at`

func scanPost(s scanner) (*market.NewsPost, error) {
	var p market.NewsPost
	var hidden int
	var created int64
	if err := s.Scan(&p.ID, &p.MerchantID, &p.Body, &p.PhotoID, &p.AuthorID, &hidden, &p.HiddenReason, &created); err != nil {
		return nil, err
	}
	p.Hidden, p.CreatedAt = hidden == 1, fromMillis(created)
	return &p, nil
}

// CreatePost stores a news post, records the change, and queues one mail
// per confirmed follower (written by compose; none when compose is nil),
// all in one transaction. EInvalid when its photo is not one of the
// merchant's.
func (db *DB) CreatePost(ctx context.Context, p *market.NewsPost, compose func(*market.Follower) (*market.Mail, error)) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if p.PhotoID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM page_photos WHERE id = $1 AND merchant_id = $2 AND hidden = 0`,
				p.PhotoID, p.MerchantID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return market.Invalid("photo", "Choisissez une des photos de la page.")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO news_posts (id, merchant_id, body, photo_id, author_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, p.MerchantID, p.Body, p.PhotoID, p.AuthorID, millis(p.CreatedAt)); err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, p.MerchantID, p.AuthorID, "post", "added "+p.ID); err != nil {
			return err
		}
		if compose == nil {
			return nil
		}
		_, err := db.mailFollowers(ctx, tx, p.MerchantID, compose)
		return err
	})
}

// DeletePost removes one of the merchant's posts and records the change.
// ENotFound unless it is the merchant's.
func (db *DB) DeletePost(ctx context.Context, merchantID, postID, actorID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM news_posts WHERE id = $1 AND merchant_id = $2`, postID, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Nouvelle")
		}
		return db.recordChange(ctx, tx, merchantID, actorID, "post", "deleted "+postID)
	})
}

// HidePost hides one of the merchant's posts with the reason the merchant
// reads, and records the change. ENotFound unless it is the merchant's.
func (db *DB) HidePost(ctx context.Context, merchantID, postID, actorID, reason string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE news_posts SET hidden = 1, hidden_reason = $1 WHERE id = $2 AND merchant_id = $3`,
			reason, postID, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Nouvelle")
		}
		return db.recordChange(ctx, tx, merchantID, actorID, "post_hidden", postID+": "+reason)
	})
}

// MerchantPosts returns one page of a merchant's visible posts, newest
// first, and the next page's cursor ("" on the last).
func (db *DB) MerchantPosts(ctx context.Context, merchantID string, p market.Page) ([]*market.NewsPost, string, error) {
	return db.merchantPosts(ctx, merchantID, p, false)
}

// OwnPosts is MerchantPosts with the hidden posts too: the merchant's own
// view, where it reads why a post was hidden.
func (db *DB) OwnPosts(ctx context.Context, merchantID string, p market.Page) ([]*market.NewsPost, string, error) {
	return db.merchantPosts(ctx, merchantID, p, true)
}

func (db *DB) merchantPosts(ctx context.Context, merchantID string, pg market.Page, withHidden bool) ([]*market.NewsPost, string, error) {
	before, beforeID := int64(math.MaxInt64), ""
	if pg.Cursor != "" {
		var err error
		if before, beforeID, err = decodeTimeCursor(pg.Cursor); err != nil {
			return nil, "", err
		}
	}
	n := limit(pg)
	list, err := db.posts(ctx, `SELECT `+postColumns+` FROM news_posts p WHERE p.merchant_id = $1 AND ($2 = 1 OR p.hidden = 0)
		AND (p.created_at < $3 OR p.created_at = $3 AND $4 <> '' AND p.id < $4)
		ORDER BY p.created_at DESC, p.id DESC LIMIT $5`, merchantID, boolInt(withHidden), before, beforeID, n+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > n {
		list = list[:n]
		last := list[n-1]
		next = encodeCursor(strconv.FormatInt(millis(last.CreatedAt), 10), last.ID)
	}
	return list, next, nil
}

// NewsPost returns a visible post of an approved merchant; ENotFound
// otherwise (hidden ones too).
func (db *DB) NewsPost(ctx context.Context, id string) (*market.NewsPost, error) {
	p, err := scanPost(db.read.QueryRowContext(ctx, `SELECT `+postColumns+` FROM news_posts p JOIN merchants m ON m.id = p.merchant_id
		WHERE p.id = $1 AND p.hidden = 0 AND m.status = 'approved'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, market.NotFound("Nouvelle")
	}
	return p, translate(err)
}

// CityPosts returns the newest visible posts of the approved merchants of
// a city (by key, market.CityKey).
func (db *DB) CityPosts(ctx context.Context, cityKey string, n int) ([]*market.NewsPost, error) {
	return db.posts(ctx, `SELECT `+postColumns+` FROM news_posts p JOIN merchants m ON m.id = p.merchant_id
		WHERE m.city_key = $1 AND m.status = 'approved' AND p.hidden = 0 ORDER BY p.created_at DESC, p.id DESC LIMIT $2`,
		market.CityKey(cityKey), clampLimit(n))
}

// LatestPosts returns the newest visible posts of every approved merchant:
// the home page's feed.
func (db *DB) LatestPosts(ctx context.Context, n int) ([]*market.NewsPost, error) {
	return db.posts(ctx, `SELECT `+postColumns+` FROM news_posts p JOIN merchants m ON m.id = p.merchant_id
		WHERE m.status = 'approved' AND p.hidden = 0 ORDER BY p.created_at DESC, p.id DESC LIMIT $1`, clampLimit(n))
}

func clampLimit(n int) int { return limit(market.Page{Limit: n}) }

func (db *DB) posts(ctx context.Context, q string, args ...any) ([]*market.NewsPost, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.NewsPost{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, p)
	}
	return list, translate(rows.Err())
}
