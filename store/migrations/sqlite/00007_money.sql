-- +goose Up
-- Money that holds in production: connected accounts as Stripe reports
-- them, disputes, Solidaire's own refunds, leases for background passes,
-- retries with backoff recorded on each item, and an append-only ledger.

-- What Stripe says of a merchant's connected account, asked whenever the
-- owner looks and on every account.updated.
ALTER TABLE merchants ADD COLUMN payouts_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE merchants ADD COLUMN payments_due TEXT NOT NULL DEFAULT '[]';
ALTER TABLE merchants ADD COLUMN payments_disabled_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN payments_checked_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX merchants_stripe_account ON merchants (stripe_account);

-- bonus_debited is the bonus share of the voucher's latest debit, set by
-- the debit's own conditional UPDATE: RETURNING shows new values only, and
-- the split must come from the row the database changed, not from a read.
-- initial_bonus is the bonus given at issue, so that "untouched" is a
-- condition on the voucher row itself.
ALTER TABLE vouchers ADD COLUMN bonus_debited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD COLUMN initial_bonus INTEGER NOT NULL DEFAULT 0;
UPDATE vouchers SET initial_bonus = COALESCE((SELECT SUM(amount) FROM voucher_entries e
    WHERE e.voucher_id = vouchers.id AND e.part = 'bonus' AND e.kind = 'bonus'), 0);

-- seats_held: the order's ticket items hold their seats (released on
-- expiry, taken again by a late payment or an accepted review).
-- amount_paid: what the payment said was paid (an order in review may
-- differ from its total). external_refunded: the value voided from the
-- order's vouchers and tickets for refunds made outside Solidaire (the
-- Stripe dashboard). retry_at, attempts, last_error: the reconciliation
-- pass's backoff on this order.
ALTER TABLE orders ADD COLUMN seats_held INTEGER NOT NULL DEFAULT 1;
ALTER TABLE orders ADD COLUMN amount_paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN external_refunded INTEGER NOT NULL DEFAULT 0 CHECK (external_refunded >= 0);
ALTER TABLE orders ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
UPDATE orders SET seats_held = 0 WHERE status IN ('expired', 'review');
CREATE INDEX orders_payment_intent ON orders (payment_intent);

-- The cancellation passes' backoff on each ticket.
ALTER TABLE tickets ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN last_error TEXT NOT NULL DEFAULT '';

-- A chargeback, once per Stripe dispute: open freezes the order's
-- vouchers and tickets, won unfreezes, lost voids what is left.
CREATE TABLE disputes (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    status     TEXT NOT NULL,
    amount     INTEGER NOT NULL DEFAULT 0,
    opened_at  INTEGER NOT NULL DEFAULT 0,
    closed_at  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX disputes_order ON disputes (order_id, status);

-- Every refund Solidaire asks for, once per thing refunded (a ticket, an
-- order in review): written in the transaction that decides it, paid by
-- a leased pass that looks a refund of unknown outcome up at Stripe
-- before asking again.
CREATE TABLE refunds (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    ticket_id       TEXT NOT NULL DEFAULT '',
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    provider_id     TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    retry_at        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX refunds_due ON refunds (status, retry_at);
CREATE INDEX refunds_order ON refunds (order_id);

-- The refunds of holders' choices made before this migration: paid ones
-- (the ticket is refunded, choice_ref is Stripe's id) and owed ones.
INSERT INTO refunds (id, order_id, ticket_id, amount, currency, status, provider_id, created_at, done_at)
SELECT id, order_id, id, price, currency, 'succeeded', choice_ref, choice_at, choice_at FROM tickets
WHERE choice = 'refund' AND status = 'refunded' AND price > 0;
INSERT INTO refunds (id, order_id, ticket_id, amount, currency, status, attempts, created_at)
SELECT id, order_id, id, price, currency, 'requested', 1, choice_at FROM tickets
WHERE choice = 'refund' AND status = 'valid' AND price > 0;

-- Background passes run on one instance at a time.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    until       INTEGER NOT NULL
) STRICT;

-- The ledger is append-only: a correction is a new entry, never an edit.
-- +goose StatementBegin
CREATE TRIGGER voucher_entries_no_update BEFORE UPDATE ON voucher_entries
BEGIN
    SELECT RAISE(ABORT, 'voucher_entries is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER voucher_entries_no_delete BEFORE DELETE ON voucher_entries
BEGIN
    SELECT RAISE(ABORT, 'voucher_entries is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER voucher_entries_no_delete;
DROP TRIGGER voucher_entries_no_update;
DROP TABLE leases;
DROP TABLE refunds;
DROP TABLE disputes;
ALTER TABLE tickets DROP COLUMN last_error;
ALTER TABLE tickets DROP COLUMN attempts;
ALTER TABLE tickets DROP COLUMN retry_at;
DROP INDEX orders_payment_intent;
ALTER TABLE orders DROP COLUMN last_error;
ALTER TABLE orders DROP COLUMN attempts;
ALTER TABLE orders DROP COLUMN retry_at;
ALTER TABLE orders DROP COLUMN external_refunded;
ALTER TABLE orders DROP COLUMN amount_paid;
ALTER TABLE orders DROP COLUMN seats_held;
ALTER TABLE vouchers DROP COLUMN initial_bonus;
ALTER TABLE vouchers DROP COLUMN bonus_debited;
DROP INDEX merchants_stripe_account;
ALTER TABLE merchants DROP COLUMN payments_checked_at;
ALTER TABLE merchants DROP COLUMN payments_disabled_reason;
ALTER TABLE merchants DROP COLUMN payments_due;
ALTER TABLE merchants DROP COLUMN payouts_enabled;
