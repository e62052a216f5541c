-- +goose Up
ALTER TABLE merchants ADD COLUMN registration TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';

-- Browser sessions and tills' bearer tokens; only hashes are stored.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX devices_merchant ON devices (merchant_id);

-- Password resets, device pairings, staff invitations: used once.
CREATE TABLE one_time_codes (
    hash        TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    user_id     TEXT NOT NULL DEFAULT '',
    merchant_id TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE redemptions (
    id            TEXT PRIMARY KEY,
    voucher_id    TEXT NOT NULL REFERENCES vouchers (id),
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    amount        INTEGER NOT NULL CHECK (amount > 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    reversed_at   INTEGER NOT NULL DEFAULT 0,
    reversed_by   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX redemptions_merchant ON redemptions (merchant_id, created_at);
CREATE INDEX voucher_entries_time ON voucher_entries (created_at);

-- +goose Down
DROP INDEX voucher_entries_time;
DROP TABLE redemptions;
DROP TABLE one_time_codes;
DROP TABLE devices;
DROP TABLE sessions;
ALTER TABLE merchants DROP COLUMN contact_phone;
ALTER TABLE merchants DROP COLUMN contact_email;
ALTER TABLE merchants DROP COLUMN registration;
