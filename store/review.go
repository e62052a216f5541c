package store

import (
	"context"
	"database/sql"

	"github.com/solidaire-app/solidaire/market"
)

// RefuseMerchant sets a merchant refused with the admin's reason and queues
// the mail that tells the applicant, in one transaction. ENotFound when no
// merchant has that id.
func (db *DB) RefuseMerchant(ctx context.Context, merchantID, reason string, m *market.Mail) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET status = $1, refused_reason = $2 WHERE id = $3`,
			string(market.MerchantRefused), reason, merchantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return market.NotFound("Commerce")
		}
		return db.insertMail(ctx, tx, m)
	})
}

// AcceptCampaign marks a merchant's link to a campaign, and the links of
// its events in that campaign, as agreed. ENotFound when the campaign does
// not feature the merchant (nor any of its events).
func (db *DB) AcceptCampaign(ctx context.Context, campaignID, merchantID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaign_merchants SET accepted = 1 WHERE campaign_id = $1 AND merchant_id = $2`,
			campaignID, merchantID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE campaign_events SET accepted = 1 WHERE campaign_id = $1
			AND event_id IN (SELECT id FROM events WHERE merchant_id = $2)`, campaignID, merchantID)
		if err != nil {
			return err
		}
		if m, _ := res.RowsAffected(); n+m == 0 {
			return market.NotFound("Campagne")
		}
		return nil
	})
}

// CampaignInvitations lists the campaigns that feature a merchant or one of
// its events, newest first, with whether the merchant agreed.
func (db *DB) CampaignInvitations(ctx context.Context, merchantID string) ([]*market.CampaignInvitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+campaignColumns+`, MIN(f.accepted)
		FROM campaigns c JOIN (
			SELECT campaign_id, accepted FROM campaign_merchants WHERE merchant_id = $1
			UNION ALL
			SELECT ce.campaign_id, ce.accepted FROM campaign_events ce JOIN events e ON e.id = ce.event_id WHERE e.merchant_id = $1
		) f ON f.campaign_id = c.id
		GROUP BY c.id
		ORDER BY c.starts_at DESC, c.id`, merchantID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	list := []*market.CampaignInvitation{}
	for rows.Next() {
		var accepted int
		c, err := scanCampaign(rowWith{rows, &accepted})
		if err != nil {
			return nil, translate(err)
		}
		list = append(list, &market.CampaignInvitation{Campaign: c, Accepted: accepted == 1})
	}
	return list, translate(rows.Err())
}

// rowWith scans a row whose last columns follow what its scan function
// reads.
type rowWith struct {
	s     scanner
	extra any
}

func (r rowWith) Scan(dest ...any) error { return r.s.Scan(append(dest, r.extra)...) }
