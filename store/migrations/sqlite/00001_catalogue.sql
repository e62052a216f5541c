-- +goose Up
-- Times are Unix milliseconds; money is integer minor units. Lists (accepts,
-- suggested amounts, hashtags) are JSON text: they are read whole, never
-- queried inside.
CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    city        TEXT NOT NULL,
    city_key    TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    currency    TEXT NOT NULL,
    accepts     TEXT NOT NULL DEFAULT '[]',
    min_amount  INTEGER NOT NULL CHECK (min_amount > 0),
    max_amount  INTEGER NOT NULL CHECK (max_amount >= min_amount),
    suggested   TEXT NOT NULL DEFAULT '[]',
    status      TEXT NOT NULL,
    search      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX merchants_listing ON merchants (status, slug);
CREATE INDEX merchants_category ON merchants (category, status, slug);
CREATE INDEX merchants_city ON merchants (city_key, status, slug);

CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (id),
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    starts_at      INTEGER NOT NULL,
    status         TEXT NOT NULL,
    status_note    TEXT NOT NULL DEFAULT '',
    currency       TEXT NOT NULL,
    solidarity_min INTEGER NOT NULL DEFAULT 0 CHECK (solidarity_min >= 0),
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX events_listing ON events (starts_at, id);
CREATE INDEX events_merchant ON events (merchant_id, starts_at);

CREATE TABLE ticket_types (
    id         TEXT PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES events (id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    price      INTEGER NOT NULL CHECK (price >= 0),
    capacity   INTEGER NOT NULL CHECK (capacity >= 0),
    seats_left INTEGER NOT NULL CHECK (seats_left >= 0 AND seats_left <= capacity)
) STRICT;
CREATE INDEX ticket_types_event ON ticket_types (event_id, position);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    hashtags    TEXT NOT NULL DEFAULT '[]',
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL,
    goal        INTEGER NOT NULL DEFAULT 0 CHECK (goal >= 0),
    supporters  INTEGER NOT NULL DEFAULT 0,
    raised      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE campaign_merchants (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, merchant_id)
) STRICT;

CREATE TABLE campaign_events (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    event_id    TEXT NOT NULL REFERENCES events (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, event_id)
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE user_merchants (
    user_id     TEXT NOT NULL REFERENCES users (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (user_id, merchant_id)
) STRICT;

CREATE TABLE user_campaigns (
    user_id     TEXT NOT NULL REFERENCES users (id),
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (user_id, campaign_id)
) STRICT;

-- +goose Down
DROP TABLE user_campaigns;
DROP TABLE user_merchants;
DROP TABLE users;
DROP TABLE campaign_events;
DROP TABLE campaign_merchants;
DROP TABLE campaigns;
DROP TABLE ticket_types;
DROP TABLE events;
DROP TABLE merchants;
