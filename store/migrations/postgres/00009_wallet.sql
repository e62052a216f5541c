-- +goose Up
-- The citizens' wallet: a sign-in link by email (single use, stored
-- hashed), a wallet session per device (revocable), gifts delivered on a
-- date, and the phone wallet passes' registrations.
ALTER TABLE order_items ADD COLUMN deliver_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD COLUMN deliver_at BIGINT NOT NULL DEFAULT 0;
-- The recipient's mail of a gift sent on a date: the buyer may change the
-- date or the address while it has not left the outbox.
ALTER TABLE vouchers ADD COLUMN gift_mail_id TEXT NOT NULL DEFAULT '';
CREATE INDEX vouchers_recipient ON vouchers (recipient_email);
CREATE INDEX orders_buyer ON orders (buyer_email, created_at);
CREATE INDEX tickets_holder ON tickets (holder_email);

CREATE TABLE wallet_links (
    token_hash TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX wallet_links_age ON wallet_links (expires_at);

CREATE TABLE wallet_sessions (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX wallet_sessions_email ON wallet_sessions (email);

-- A pass saved in a phone's wallet: Apple's devices register with a push
-- token; a Google Wallet object is recorded when its save link is made.
-- pushed_at is the time of the last change of value the holder was told of.
CREATE TABLE pass_registrations (
    wallet     TEXT NOT NULL CHECK (wallet IN ('apple', 'google')),
    device_id  TEXT NOT NULL,
    serial     TEXT NOT NULL REFERENCES vouchers (id),
    push_token TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    pushed_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wallet, device_id, serial)
);
CREATE INDEX pass_registrations_serial ON pass_registrations (serial);

-- +goose Down
DROP TABLE pass_registrations;
DROP TABLE wallet_sessions;
DROP TABLE wallet_links;
DROP INDEX tickets_holder;
DROP INDEX orders_buyer;
DROP INDEX vouchers_recipient;
ALTER TABLE vouchers DROP COLUMN gift_mail_id;
ALTER TABLE vouchers DROP COLUMN deliver_at;
ALTER TABLE order_items DROP COLUMN deliver_at;
