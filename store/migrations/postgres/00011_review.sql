-- +goose Up
-- An admin refuses an application with a reason, mailed to the applicant
-- and kept for the admin's list (merchants.status 'refused').
ALTER TABLE merchants ADD COLUMN refused_reason TEXT NOT NULL DEFAULT '';

-- A campaign features only merchants (and their events) that agreed: the
-- merchant's owner accepted from its dashboard, or the organiser runs the
-- merchant. The links that existed before were set up by Solidaire's team:
-- they stay agreed.
ALTER TABLE campaign_merchants ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaign_events ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;
UPDATE campaign_merchants SET accepted = 1;
UPDATE campaign_events SET accepted = 1;
CREATE INDEX campaign_merchants_merchant ON campaign_merchants (merchant_id);

-- +goose Down
DROP INDEX campaign_merchants_merchant;
ALTER TABLE campaign_events DROP COLUMN accepted;
ALTER TABLE campaign_merchants DROP COLUMN accepted;
ALTER TABLE merchants DROP COLUMN refused_reason;
