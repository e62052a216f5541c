-- +goose Up
-- Merchants run their own page (#13): an English description, social
-- links, opening hours (JSON: [{"day":1,"opens":"08:00","closes":"18:00"}]),
-- today's status with its note, the time it lapses by itself (0: never)
-- and when it was set.
ALTER TABLE merchants ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN facebook TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN instagram TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN hours TEXT NOT NULL DEFAULT '[]';
ALTER TABLE merchants ADD COLUMN open_status TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN status_note TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN status_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE merchants ADD COLUMN status_set_at BIGINT NOT NULL DEFAULT 0;
-- The directory's filter on today's status reads the few that have one.
CREATE INDEX merchants_open_status ON merchants (open_status, slug) WHERE open_status <> '';

-- A page's photos, each stored in several widths under storage_key
-- (storage_key-<width>.jpg); position 0 is the cover. An admin may hide
-- one, with the reason its merchant sees.
CREATE TABLE page_photos (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    storage_key   TEXT NOT NULL,
    widths        TEXT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    position      BIGINT NOT NULL,
    hidden        BIGINT NOT NULL DEFAULT 0,
    hidden_reason TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX page_photos_merchant ON page_photos (merchant_id, position, id);

-- A merchant's news, newest first on its page, in its city's feed and on
-- the home page.
CREATE TABLE news_posts (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    body          TEXT NOT NULL,
    photo_id      TEXT NOT NULL DEFAULT '',
    author_id     TEXT NOT NULL DEFAULT '',
    hidden        BIGINT NOT NULL DEFAULT 0,
    hidden_reason TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX news_posts_merchant ON news_posts (merchant_id, created_at, id);
CREATE INDEX news_posts_recent ON news_posts (created_at, id);

-- Citizens who follow a merchant by email: double opt-in (only the
-- confirmation token's hash is kept, it expires), consent recorded with
-- its time and the exact wording shown, in the language shown (no
-- address of the device is kept). The unsubscribe token is written into
-- every mail sent to the follower, so it is kept as is: it only ever
-- stops this merchant's mails to this address.
CREATE TABLE followers (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL REFERENCES merchants (id),
    email             TEXT NOT NULL,
    lang              TEXT NOT NULL DEFAULT 'fr',
    consent_text      TEXT NOT NULL,
    consent_at        BIGINT NOT NULL,
    confirm_hash      TEXT NOT NULL DEFAULT '',
    confirm_expires   BIGINT NOT NULL DEFAULT 0,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    confirmed_at      BIGINT NOT NULL DEFAULT 0,
    unsubscribed_at   BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    UNIQUE (merchant_id, email)
);
CREATE INDEX followers_confirm ON followers (confirm_hash) WHERE confirm_hash <> '';

-- Every change of a public page: who, when, what (a field, "photo",
-- "post", "status", an admin's hide) and a short detail.
CREATE TABLE page_changes (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    actor_id    TEXT NOT NULL DEFAULT '',
    what        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX page_changes_merchant ON page_changes (merchant_id, at, id);

-- Headers a mail carries beyond the usual ones (List-Unsubscribe), JSON.
ALTER TABLE outbox ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE outbox DROP COLUMN headers;
DROP TABLE page_changes;
DROP TABLE followers;
DROP TABLE news_posts;
DROP TABLE page_photos;
DROP INDEX merchants_open_status;
ALTER TABLE merchants DROP COLUMN status_set_at;
ALTER TABLE merchants DROP COLUMN status_until;
ALTER TABLE merchants DROP COLUMN status_note;
ALTER TABLE merchants DROP COLUMN open_status;
ALTER TABLE merchants DROP COLUMN hours;
ALTER TABLE merchants DROP COLUMN instagram;
ALTER TABLE merchants DROP COLUMN facebook;
ALTER TABLE merchants DROP COLUMN description_en;
