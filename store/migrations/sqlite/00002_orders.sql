-- +goose Up
ALTER TABLE merchants ADD COLUMN stripe_account TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN charges_enabled INTEGER NOT NULL DEFAULT 0;

CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (id),
    status         TEXT NOT NULL,
    buyer_email    TEXT NOT NULL,
    buyer_name     TEXT NOT NULL DEFAULT '',
    lang           TEXT NOT NULL DEFAULT 'fr',
    currency       TEXT NOT NULL,
    total          INTEGER NOT NULL CHECK (total > 0),
    platform_fee   INTEGER NOT NULL DEFAULT 0 CHECK (platform_fee >= 0 AND platform_fee <= total),
    access_hash    TEXT NOT NULL,
    session_id     TEXT NOT NULL DEFAULT '',
    payment_intent TEXT NOT NULL DEFAULT '',
    ref            TEXT NOT NULL DEFAULT '',
    review_note    TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    paid_at        INTEGER NOT NULL DEFAULT 0,
    expires_at     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX orders_pending ON orders (status, created_at);
CREATE INDEX orders_session ON orders (session_id);
CREATE INDEX orders_merchant ON orders (merchant_id, created_at);

CREATE TABLE order_items (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    recipient_name  TEXT NOT NULL DEFAULT '',
    recipient_email TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    event_id        TEXT NOT NULL DEFAULT '',
    ticket_type_id  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX order_items_order ON order_items (order_id, position);

-- A voucher's balance is the sum of its entries; the column is kept equal
-- to it by every write and can never go below zero.
CREATE TABLE vouchers (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    order_id        TEXT NOT NULL DEFAULT '',
    initial         INTEGER NOT NULL CHECK (initial >= 0),
    balance         INTEGER NOT NULL CHECK (balance >= 0),
    currency        TEXT NOT NULL,
    recipient_name  TEXT NOT NULL DEFAULT '',
    recipient_email TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX vouchers_order ON vouchers (order_id);
CREATE INDEX vouchers_merchant ON vouchers (merchant_id, created_at);

CREATE TABLE voucher_entries (
    id            TEXT PRIMARY KEY,
    voucher_id    TEXT NOT NULL REFERENCES vouchers (id),
    kind          TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    reference     TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX voucher_entries_voucher ON voucher_entries (voucher_id, created_at);

CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    attachments     TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE outbox;
DROP TABLE webhook_events;
DROP TABLE voucher_entries;
DROP TABLE vouchers;
DROP TABLE order_items;
DROP TABLE orders;
ALTER TABLE merchants DROP COLUMN charges_enabled;
ALTER TABLE merchants DROP COLUMN stripe_account;
