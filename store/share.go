package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"

	"github.com/solidaire-app/solidaire/market"
)

// CreateShareLink stores a new share link of a campaign.
func (db *DB) CreateShareLink(ctx context.Context, l *market.ShareLink) error {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = db.now().UTC()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO share_links (code, campaign_id, channel, label, ambassador, target, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.Code, l.CampaignID, string(l.Channel), l.Label, l.Ambassador, l.Target,
			l.CreatedBy, millis(l.CreatedAt))
		return err
	})
}

const linkColumns = `l.code, l.campaign_id, c.slug, l.channel, l.label, l.ambassador, l.target, l.created_by, l.created_at, l.disabled`

// ShareLink returns a link by code; ENotFound when unknown.
func (db *DB) ShareLink(ctx context.Context, code string) (*market.ShareLink, error) {
	rows, err := db.query(ctx, `SELECT `+linkColumns+` FROM share_links l JOIN campaigns c ON c.id = l.campaign_id WHERE l.code = $1`, code)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
		return nil, market.NotFound("Lien")
	}
	l, err := scanLink(rows)
	return l, translate(err)
}

// AddLinkStats adds rolled-up clicks and visitors to a link's day.
func (db *DB) AddLinkStats(ctx context.Context, code, day string, clicks, visitors int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO share_link_days (code, day, clicks, visitors) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code, day) DO UPDATE SET clicks = share_link_days.clicks + excluded.clicks,
			visitors = share_link_days.visitors + excluded.visitors`, code, day, clicks, visitors)
		return err
	})
}

// campaignShards is how many rows a campaign's counter is spread over
// (campaign_counters, migration 00015).
const campaignShards = 16

// counterShard returns the shard of a campaign's counter an order adds
// itself to: a hash of its id (FNV-1a), so that concurrent sales spread.
func counterShard(orderID string) int64 {
	h := uint32(2166136261)
	for i := 0; i < len(orderID); i++ {
		h ^= uint32(orderID[i])
		h *= 16777619
	}
	return int64(h % campaignShards)
}

// attribute counts a paid order for the share link that brought it (if
// any) and for the campaigns it supports: the link's campaign, or the
// running campaigns that feature its merchant. Called in the fulfilment's
// transaction.
func attribute(ctx context.Context, tx *sql.Tx, orderID, ref, merchantID, currency string, total, paidAt int64) error {
	linkCampaign := ""
	if ref != "" {
		err := tx.QueryRowContext(ctx, `SELECT campaign_id FROM share_links WHERE code = $1`, ref).Scan(&linkCampaign)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if linkCampaign != "" {
			day := fromMillis(paidAt).Format("2006-01-02")
			if _, err := tx.ExecContext(ctx, `INSERT INTO share_link_days (code, day, orders, raised) VALUES ($1, $2, 1, $3)
				ON CONFLICT (code, day) DO UPDATE SET orders = share_link_days.orders + 1,
				raised = share_link_days.raised + excluded.raised`, ref, day, total); err != nil {
				return err
			}
		}
	}
	// One shard of each campaign's counter, by the order's id: concurrent
	// sales of a campaign each touch one of campaignShards rows instead of
	// queueing on the campaign's row.
	_, err := tx.ExecContext(ctx, `INSERT INTO campaign_counters (campaign_id, shard, supporters, raised)
		SELECT id, $6, 1, $1 FROM campaigns
		WHERE currency = $2 AND starts_at <= $3 AND (ends_at = 0 OR ends_at > $3)
		  AND (id = $4 OR ($4 = '' AND id IN (SELECT campaign_id FROM campaign_merchants WHERE merchant_id = $5)))
		ON CONFLICT (campaign_id, shard) DO UPDATE SET supporters = campaign_counters.supporters + 1,
		  raised = campaign_counters.raised + excluded.raised`,
		total, currency, paidAt, linkCampaign, merchantID, counterShard(orderID))
	return err
}

// ShareLinks returns a campaign's links with their statistics, newest first.
func (db *DB) ShareLinks(ctx context.Context, campaignID string) ([]*market.ShareLink, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+linkColumns+`,
		COALESCE(SUM(d.clicks), 0), COALESCE(SUM(d.visitors), 0), COALESCE(SUM(d.orders), 0), COALESCE(SUM(d.raised), 0)
		FROM share_links l JOIN campaigns c ON c.id = l.campaign_id LEFT JOIN share_link_days d ON d.code = l.code
		WHERE l.campaign_id = $1
		GROUP BY l.code, l.campaign_id, c.slug, l.channel, l.label, l.ambassador, l.target, l.created_by, l.created_at, l.disabled
		ORDER BY l.created_at DESC, l.code`, campaignID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var list []*market.ShareLink
	for rows.Next() {
		var l market.ShareLink
		var channel string
		var created int64
		var disabled int
		if err := rows.Scan(&l.Code, &l.CampaignID, &l.Campaign, &channel, &l.Label, &l.Ambassador, &l.Target, &l.CreatedBy,
			&created, &disabled, &l.Stats.Clicks, &l.Stats.Visitors, &l.Stats.Orders, &l.Stats.Raised); err != nil {
			return nil, translate(err)
		}
		l.Channel, l.CreatedAt, l.Disabled = market.Channel(channel), fromMillis(created), disabled == 1
		list = append(list, &l)
	}
	return list, translate(rows.Err())
}

// CampaignStats returns a campaign's dashboard: totals, links, and the
// breakdowns by channel and by day.
func (db *DB) CampaignStats(ctx context.Context, c *market.Campaign) (*market.CampaignStats, error) {
	links, err := db.ShareLinks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	st := &market.CampaignStats{Links: links, ByChannel: map[market.Channel]market.LinkStats{}, Currency: c.Currency}
	for _, l := range links {
		add(&st.Totals, l.Stats)
		ch := st.ByChannel[l.Channel]
		add(&ch, l.Stats)
		st.ByChannel[l.Channel] = ch
	}
	rows, err := db.read.QueryContext(ctx, `SELECT d.day, SUM(d.clicks), SUM(d.visitors), SUM(d.orders), SUM(d.raised)
		FROM share_link_days d JOIN share_links l ON l.code = d.code WHERE l.campaign_id = $1 GROUP BY d.day ORDER BY d.day`, c.ID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d market.DayStats
		if err := rows.Scan(&d.Day, &d.Clicks, &d.Visitors, &d.Orders, &d.Raised); err != nil {
			return nil, translate(err)
		}
		st.ByDay = append(st.ByDay, d)
	}
	sort.Slice(st.ByDay, func(i, j int) bool { return st.ByDay[i].Day < st.ByDay[j].Day })
	return st, translate(rows.Err())
}

func add(to *market.LinkStats, s market.LinkStats) {
	to.Clicks += s.Clicks
	to.Visitors += s.Visitors
	to.Orders += s.Orders
	to.Raised += s.Raised
}

func scanLink(s scanner) (*market.ShareLink, error) {
	var l market.ShareLink
	var channel string
	var created int64
	var disabled int
	if err := s.Scan(&l.Code, &l.CampaignID, &l.Campaign, &channel, &l.Label, &l.Ambassador, &l.Target, &l.CreatedBy,
		&created, &disabled); err != nil {
		return nil, err
	}
	l.Channel, l.CreatedAt, l.Disabled = market.Channel(channel), fromMillis(created), disabled == 1
	return &l, nil
}

// DisableShareLink turns a campaign's link off: /s/{code} then answers with
// the friendly 404. ENotFound when the link is not the campaign's.
func (db *DB) DisableShareLink(ctx context.Context, campaignID, code string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE share_links SET disabled = 1 WHERE code = $1 AND campaign_id = $2`, code, campaignID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Lien")
		}
		return nil
	})
}
