-- +goose Up
-- A campaign's public counter without a hot row (#14): each paid order adds
-- itself to one of 16 shards of its campaign's counter (the shard chosen by
-- its order id), so that concurrent sales of one campaign do not queue on a
-- single row's lock. The counter read is campaigns.supporters/raised (the
-- part counted before this migration, and a campaign's starting figures)
-- plus the sum of its shards.
CREATE TABLE campaign_counters (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    shard       INTEGER NOT NULL,
    supporters  INTEGER NOT NULL DEFAULT 0,
    raised      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, shard)
) STRICT;

-- +goose Down
UPDATE campaigns SET
    supporters = supporters + COALESCE((SELECT SUM(k.supporters) FROM campaign_counters k WHERE k.campaign_id = campaigns.id), 0),
    raised = raised + COALESCE((SELECT SUM(k.raised) FROM campaign_counters k WHERE k.campaign_id = campaigns.id), 0);
DROP TABLE campaign_counters;
