package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/solidaire-app/solidaire/market"
)

// campaignColumns are the columns scanCampaign reads, of the campaign
// aliased c; its counter is the campaign row's figures plus the sum of its
// shards (campaign_counters).
const campaignColumns = `c.id, c.slug, c.title, c.description, c.hashtags, c.starts_at, c.ends_at, c.currency, c.goal,
	c.supporters + COALESCE((SELECT CAST(SUM(k.supporters) AS BIGINT) FROM campaign_counters k WHERE k.campaign_id = c.id), 0),
	c.raised + COALESCE((SELECT CAST(SUM(k.raised) AS BIGINT) FROM campaign_counters k WHERE k.campaign_id = c.id), 0),
	c.created_at`

// Campaign returns the campaign with the given slug, with its featured
// merchants and events (those that agreed, of approved merchants only) and
// the names of its organisers; ENotFound when there is none.
func (db *DB) Campaign(ctx context.Context, slug string) (*market.Campaign, error) {
	var c *market.Campaign
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns c WHERE c.slug = $1`, slug))
		if errors.Is(err, sql.ErrNoRows) {
			return market.NotFound("Campagne")
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+merchantPrefixed+`
			FROM campaign_merchants cm JOIN merchants m ON m.id = cm.merchant_id
			WHERE cm.campaign_id = $1 AND cm.accepted = 1 AND m.status = 'approved' ORDER BY cm.position`, c.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		c.Merchants = []*market.Merchant{}
		for rows.Next() {
			m, err := scanMerchant(rows)
			if err != nil {
				return err
			}
			c.Merchants = append(c.Merchants, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT `+eventColumns+`
			FROM campaign_events ce JOIN events e ON e.id = ce.event_id JOIN merchants m ON m.id = e.merchant_id
			WHERE ce.campaign_id = $1 AND ce.accepted = 1 AND m.status = 'approved' AND e.published = 1
			ORDER BY e.starts_at, e.id`, c.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		c.Events = []*market.Event{}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
			}
			c.Events = append(c.Events, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT u.name FROM user_campaigns uc JOIN users u ON u.id = uc.user_id
			WHERE uc.campaign_id = $1 AND uc.role = $2 AND u.name <> '' ORDER BY u.name, u.id`, c.ID, string(market.RoleOrganiser))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			c.RunBy = append(c.RunBy, name)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return loadTicketTypes(ctx, tx, c.Events)
	})
	return c, err
}

// ListCampaigns returns every campaign without its featured items, newest
// first.
func (db *DB) ListCampaigns(ctx context.Context) ([]*market.Campaign, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns c ORDER BY c.starts_at DESC, c.id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, c)
	}
	return list, translate(rows.Err())
}

// CreateCampaign validates and stores c with its featured merchants (by
// slug) and events (by id), in that order: the merchants c.Awaiting names,
// and their events, wait for their agreement (AcceptCampaign). EConflict
// when the slug is taken; EInvalid naming the first unknown merchant or
// event.
func (db *DB) CreateCampaign(ctx context.Context, c *market.Campaign, merchantSlugs, eventIDs []string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = market.NewID("cam")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now().UTC()
	}
	tags, _ := json.Marshal(c.Hashtags)
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, slug, title, description, hashtags,
			starts_at, ends_at, currency, goal, supporters, raised, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			c.ID, c.Slug, c.Title, c.Description, string(tags), millis(c.StartsAt), millis(c.EndsAt),
			string(c.Currency), c.Goal, c.Counter.Supporters, c.Counter.Raised, millis(c.CreatedAt)); err != nil {
			return err
		}
		for i, slug := range merchantSlugs {
			res, err := tx.ExecContext(ctx, `INSERT INTO campaign_merchants (campaign_id, merchant_id, position, accepted)
				SELECT $1, id, $2, $4 FROM merchants WHERE slug = $3`, c.ID, i, slug, boolInt(!c.Awaiting[slug]))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return market.Invalid("merchants", "unknown merchant "+slug)
			}
		}
		for i, id := range eventIDs {
			var venue string
			err := tx.QueryRowContext(ctx, `SELECT m.slug FROM events e JOIN merchants m ON m.id = e.merchant_id WHERE e.id = $1`, id).Scan(&venue)
			if errors.Is(err, sql.ErrNoRows) {
				return market.Invalid("events", "unknown event "+id)
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_events (campaign_id, event_id, position, accepted)
				VALUES ($1, $2, $3, $4)`, c.ID, id, i, boolInt(!c.Awaiting[venue])); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanCampaign(s scanner) (*market.Campaign, error) {
	var c market.Campaign
	var tags, currency string
	var starts, ends, created int64
	err := s.Scan(&c.ID, &c.Slug, &c.Title, &c.Description, &tags, &starts, &ends, &currency,
		&c.Goal, &c.Counter.Supporters, &c.Counter.Raised, &created)
	if err != nil {
		return nil, err
	}
	c.Currency = market.Currency(currency)
	c.StartsAt, c.EndsAt, c.CreatedAt = fromMillis(starts), fromMillis(ends), fromMillis(created)
	if err := json.Unmarshal([]byte(tags), &c.Hashtags); err != nil {
		return nil, err
	}
	return &c, nil
}
