-- +goose Up
-- Where a campaign's hashtags are looked for: a Mastodon instance, Bluesky's
-- public AppView, or a feed. The poller (one instance at a time, under the
-- "mentions" lease) reads a source when next_read_at has come, at least a
-- minute after the last read, later after failures or when asked to wait.
CREATE TABLE mention_sources (
    id              TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES campaigns (id),
    network         TEXT NOT NULL,
    instance        TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    cursor          TEXT NOT NULL DEFAULT '',
    last_read_at    BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_read_at    BIGINT NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    gone_checked_at BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    UNIQUE (campaign_id, network, instance, url)
);
CREATE INDEX mention_sources_due ON mention_sources (next_read_at);

-- Public posts that carried one of a campaign's hashtags: one row per post
-- and campaign, whatever the number of reads or sources that found it.
-- Only a plain-text excerpt is kept, never media. share_link and
-- merchant_id say which share link's /s/CODE URL, and which merchant's
-- page, the post carried.
CREATE TABLE mentions (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id),
    source_id     TEXT NOT NULL DEFAULT '',
    network       TEXT NOT NULL,
    post_id       TEXT NOT NULL,
    url           TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name   TEXT NOT NULL DEFAULT '',
    posted_at     BIGINT NOT NULL,
    excerpt       TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL DEFAULT '',
    media_count   INTEGER NOT NULL DEFAULT 0,
    share_link    TEXT NOT NULL DEFAULT '',
    merchant_id   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending',
    reports       INTEGER NOT NULL DEFAULT 0,
    gone          INTEGER NOT NULL DEFAULT 0,
    found_at      BIGINT NOT NULL,
    UNIQUE (campaign_id, network, post_id)
);
CREATE INDEX mentions_campaign ON mentions (campaign_id, posted_at, id);
CREATE INDEX mentions_wall ON mentions (campaign_id, status, posted_at, id);
CREATE INDEX mentions_source ON mentions (source_id, status);

-- Authors an organiser blocked: their posts never reach the wall.
CREATE TABLE mention_blocks (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    network     TEXT NOT NULL,
    handle      TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, network, handle)
);

-- +goose Down
DROP TABLE mention_blocks;
DROP TABLE mentions;
DROP TABLE mention_sources;
