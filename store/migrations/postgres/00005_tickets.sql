-- +goose Up
ALTER TABLE events ADD COLUMN published INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN cancel_options TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN choice_deadline BIGINT NOT NULL DEFAULT 0;

-- A promotional bonus (a credit's matching funds) is a separate part of a
-- voucher's balance: it may expire, the paid part never does. Every ledger
-- entry says which part it moves.
ALTER TABLE vouchers ADD COLUMN bonus BIGINT NOT NULL DEFAULT 0 CHECK (bonus >= 0);
ALTER TABLE vouchers ADD COLUMN bonus_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE voucher_entries ADD COLUMN part TEXT NOT NULL DEFAULT 'paid';
ALTER TABLE redemptions ADD COLUMN from_bonus BIGINT NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    event_id       TEXT NOT NULL REFERENCES events (id),
    ticket_type_id TEXT NOT NULL DEFAULT '',
    order_id       TEXT NOT NULL REFERENCES orders (id),
    kind           TEXT NOT NULL,
    price          BIGINT NOT NULL CHECK (price >= 0),
    currency       TEXT NOT NULL,
    holder_name    TEXT NOT NULL DEFAULT '',
    holder_email   TEXT NOT NULL,
    status         TEXT NOT NULL,
    checked_in_at  BIGINT NOT NULL DEFAULT 0,
    checked_in_by  TEXT NOT NULL DEFAULT '',
    choice         TEXT NOT NULL DEFAULT '',
    choice_at      BIGINT NOT NULL DEFAULT 0,
    choice_ref     TEXT NOT NULL DEFAULT '',
    notified_at    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
CREATE INDEX tickets_event ON tickets (event_id, notified_at);
CREATE INDEX tickets_order ON tickets (order_id);

-- +goose Down
DROP TABLE tickets;
ALTER TABLE redemptions DROP COLUMN from_bonus;
ALTER TABLE voucher_entries DROP COLUMN part;
ALTER TABLE vouchers DROP COLUMN bonus_expires_at;
ALTER TABLE vouchers DROP COLUMN bonus;
ALTER TABLE events DROP COLUMN choice_deadline;
ALTER TABLE events DROP COLUMN cancel_options;
ALTER TABLE events DROP COLUMN published;
