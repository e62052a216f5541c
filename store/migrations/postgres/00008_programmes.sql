-- +goose Up
-- A town's solidarity card: one card for many local shops, with matching
-- funds. The programme sells through an operator row of merchants (status
-- 'programme', never listed) so that its orders and cards are orders and
-- vouchers like any other; the card is spendable wherever a merchant was
-- accepted into the programme.
CREATE TABLE programmes (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    city             TEXT NOT NULL,
    currency         TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    operator_id      TEXT NOT NULL REFERENCES merchants (id),
    -- The matching fund, a ledger too (fund_entries): what can still be
    -- promised, what pending orders hold, what cards were given, what
    -- came back when bonuses expired unspent. remaining + reserved +
    -- issued - returned = total, and none goes below zero.
    fund_total       BIGINT NOT NULL CHECK (fund_total >= 0),
    fund_remaining   BIGINT NOT NULL CHECK (fund_remaining >= 0),
    fund_reserved    BIGINT NOT NULL DEFAULT 0 CHECK (fund_reserved >= 0),
    fund_issued      BIGINT NOT NULL DEFAULT 0 CHECK (fund_issued >= 0),
    fund_returned    BIGINT NOT NULL DEFAULT 0 CHECK (fund_returned >= 0),
    bonus_rule       TEXT NOT NULL,
    min_amount       BIGINT NOT NULL CHECK (min_amount > 0),
    max_amount       BIGINT NOT NULL CHECK (max_amount >= min_amount),
    cards_per_buyer  INTEGER NOT NULL DEFAULT 0 CHECK (cards_per_buyer >= 0),
    amount_per_buyer BIGINT NOT NULL DEFAULT 0 CHECK (amount_per_buyer >= 0),
    bonus_expires_at BIGINT NOT NULL,
    sales_open_at    BIGINT NOT NULL DEFAULT 0,
    sales_close_at   BIGINT NOT NULL DEFAULT 0,
    waitlist         INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE fund_entries (
    id           TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    kind         TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    reference    TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX fund_entries_programme ON fund_entries (programme_id, created_at);

CREATE TABLE programme_merchants (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    status       TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (programme_id, merchant_id)
);
CREATE INDEX programme_merchants_merchant ON programme_merchants (merchant_id, status);

-- What each buyer (email, normalised) holds of a programme's caps: cards
-- and amount of their pending and paid orders.
CREATE TABLE programme_buyers (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    buyer        TEXT NOT NULL,
    cards        BIGINT NOT NULL DEFAULT 0 CHECK (cards >= 0),
    amount       BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
    PRIMARY KEY (programme_id, buyer)
);

CREATE TABLE programme_waitlist (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    email        TEXT NOT NULL,
    lang         TEXT NOT NULL DEFAULT 'fr',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (programme_id, email)
);

CREATE TABLE user_programmes (
    user_id      TEXT NOT NULL REFERENCES users (id),
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    role         TEXT NOT NULL,
    PRIMARY KEY (user_id, programme_id)
);

-- A settlement run pays each merchant what was redeemed at its till; its
-- lines are marked on the redemptions in the run's own transaction, and
-- paid by transfers afterwards, each once.
CREATE TABLE settlement_runs (
    id           TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    until_at     BIGINT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX settlement_runs_programme ON settlement_runs (programme_id, created_at);

CREATE TABLE settlement_lines (
    id           TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES settlement_runs (id),
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    redemptions  BIGINT NOT NULL,
    paid         BIGINT NOT NULL CHECK (paid >= 0),
    bonus        BIGINT NOT NULL CHECK (bonus >= 0),
    fee          BIGINT NOT NULL CHECK (fee >= 0),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,
    transfer_id  TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    retry_at     BIGINT NOT NULL DEFAULT 0,
    lease_until  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX settlement_lines_run ON settlement_lines (run_id);
CREATE INDEX settlement_lines_due ON settlement_lines (status, retry_at);
CREATE INDEX settlement_lines_merchant ON settlement_lines (merchant_id, created_at);

ALTER TABLE vouchers ADD COLUMN programme_id TEXT NOT NULL DEFAULT '';
CREATE INDEX vouchers_programme ON vouchers (programme_id, bonus_expires_at);
ALTER TABLE redemptions ADD COLUMN programme_id TEXT NOT NULL DEFAULT '';
ALTER TABLE redemptions ADD COLUMN settlement_id TEXT NOT NULL DEFAULT '';
CREATE INDEX redemptions_unsettled ON redemptions (programme_id, settlement_id, merchant_id, created_at);
CREATE INDEX redemptions_settlement ON redemptions (settlement_id);
ALTER TABLE order_items ADD COLUMN programme_id TEXT NOT NULL DEFAULT '';
ALTER TABLE order_items ADD COLUMN bonus BIGINT NOT NULL DEFAULT 0 CHECK (bonus >= 0);
ALTER TABLE orders ADD COLUMN buyer_key TEXT NOT NULL DEFAULT '';
-- Seats, bonus reserved from a fund, buyers' caps: what a pending order
-- holds, released on expiry and taken again by a late payment.
ALTER TABLE orders RENAME COLUMN seats_held TO held;

-- +goose StatementBegin
CREATE FUNCTION fund_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'fund_entries is append-only: % refused', TG_OP USING ERRCODE = 'P0001';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER fund_entries_append_only BEFORE UPDATE OR DELETE ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_append_only();

-- +goose Down
DROP TRIGGER fund_entries_append_only ON fund_entries;
DROP FUNCTION fund_append_only();
ALTER TABLE orders RENAME COLUMN held TO seats_held;
ALTER TABLE orders DROP COLUMN buyer_key;
ALTER TABLE order_items DROP COLUMN bonus;
ALTER TABLE order_items DROP COLUMN programme_id;
DROP INDEX redemptions_settlement;
DROP INDEX redemptions_unsettled;
ALTER TABLE redemptions DROP COLUMN settlement_id;
ALTER TABLE redemptions DROP COLUMN programme_id;
DROP INDEX vouchers_programme;
ALTER TABLE vouchers DROP COLUMN programme_id;
DROP TABLE settlement_lines;
DROP TABLE settlement_runs;
DROP TABLE user_programmes;
DROP TABLE programme_waitlist;
DROP TABLE programme_buyers;
DROP TABLE programme_merchants;
DROP TABLE fund_entries;
DROP TABLE programmes;
