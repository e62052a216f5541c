-- +goose Up
CREATE TABLE share_links (
    code        TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    channel     TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    ambassador  TEXT NOT NULL DEFAULT '',
    target      TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX share_links_campaign ON share_links (campaign_id, created_at);

-- Counts per link and day: clicks and visitors rolled up from the cache,
-- orders and money added by fulfilment in the order's transaction.
CREATE TABLE share_link_days (
    code     TEXT NOT NULL REFERENCES share_links (code),
    day      TEXT NOT NULL,
    clicks   BIGINT NOT NULL DEFAULT 0,
    visitors BIGINT NOT NULL DEFAULT 0,
    orders   BIGINT NOT NULL DEFAULT 0,
    raised   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (code, day)
);

-- +goose Down
DROP TABLE share_link_days;
DROP TABLE share_links;
