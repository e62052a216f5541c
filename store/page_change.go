package store

import (
	"context"

	"github.com/solidaire-app/solidaire/market"
)

// PageChanges returns the latest n changes of a merchant's public page,
// newest first, with the name (or email) of whoever made each.
func (db *DB) PageChanges(ctx context.Context, merchantID string, n int) ([]*market.PageChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.merchant_id, c.actor_id, COALESCE(NULLIF(u.name, ''), u.email, ''),
		c.what, c.detail, c.at FROM page_changes c LEFT JOIN users u ON u.id = c.actor_id
		WHERE c.merchant_id = $1 ORDER BY c.at DESC, c.id DESC LIMIT $2`, merchantID, clampLimit(n))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.PageChange{}
	for rows.Next() {
		var c market.PageChange
		var at int64
		if err := rows.Scan(&c.ID, &c.MerchantID, &c.ActorID, &c.ActorName, &c.What, &c.Detail, &at); err != nil {
			return nil, translate(err)
		}
		c.At = fromMillis(at)
		list = append(list, &c)
	}
	return list, translate(rows.Err())
}
