-- +goose Up
-- The directory's search, through an index rather than a scan of every
-- merchant: each term of a query must begin a word of the merchant's
-- search text (market.SearchText: name, summary, city, category names,
-- folded). merchant_search is a narrow copy of what a search filters and
-- sorts on, kept in step with merchants by triggers whatever statement
-- writes them; merchant_search_fts indexes its words, with prefix indexes
-- for the short terms. Its own INTEGER PRIMARY KEY is the index's rowid:
-- merchants' implicit rowid may change on VACUUM, this one does not.
CREATE TABLE merchant_search (
    id          INTEGER PRIMARY KEY,
    merchant_id TEXT NOT NULL UNIQUE,
    slug        TEXT NOT NULL,
    status      TEXT NOT NULL,
    category    TEXT NOT NULL,
    city_key    TEXT NOT NULL,
    search      TEXT NOT NULL
) STRICT;
-- A search that matches many merchants walks them in slug order.
CREATE INDEX merchant_search_listing ON merchant_search (status, slug, category, city_key);

CREATE VIRTUAL TABLE merchant_search_fts USING fts5 (
    search,
    content = 'merchant_search',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- +goose StatementBegin
CREATE TRIGGER merchant_search_fts_insert AFTER INSERT ON merchant_search BEGIN
    INSERT INTO merchant_search_fts (rowid, search) VALUES (new.id, new.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merchant_search_fts_update AFTER UPDATE OF search ON merchant_search
WHEN old.search IS NOT new.search BEGIN
    INSERT INTO merchant_search_fts (merchant_search_fts, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO merchant_search_fts (rowid, search) VALUES (new.id, new.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merchant_search_fts_delete AFTER DELETE ON merchant_search BEGIN
    INSERT INTO merchant_search_fts (merchant_search_fts, rowid, search) VALUES ('delete', old.id, old.search);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER merchants_search_insert AFTER INSERT ON merchants BEGIN
    INSERT INTO merchant_search (merchant_id, slug, status, category, city_key, search)
    VALUES (new.id, new.slug, new.status, new.category, new.city_key, new.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merchants_search_update AFTER UPDATE OF id, slug, status, category, city_key, search ON merchants BEGIN
    UPDATE merchant_search SET merchant_id = new.id, slug = new.slug, status = new.status,
        category = new.category, city_key = new.city_key, search = new.search
    WHERE merchant_id = old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merchants_search_delete AFTER DELETE ON merchants BEGIN
    DELETE FROM merchant_search WHERE merchant_id = old.id;
END;
-- +goose StatementEnd

INSERT INTO merchant_search (merchant_id, slug, status, category, city_key, search)
SELECT id, slug, status, category, city_key, search FROM merchants ORDER BY slug;

-- The cities merchants can be in, one per key (market.CityKey: folded),
-- written as the list writes them: a business applying picks one, an admin
-- adds the others. Seeded with the cities of the merchants already here
-- (their most used spelling) and the demo's.
CREATE TABLE cities (
    city_key   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    country    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO cities (city_key, name, country, created_at)
SELECT city_key, city, CASE WHEN currency = 'eur' THEN 'FR' ELSE 'CA' END, CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM (
    SELECT city_key, city, currency, ROW_NUMBER() OVER (PARTITION BY city_key ORDER BY n DESC, city) AS nth
    FROM (SELECT city_key, city, MIN(currency) AS currency, COUNT(*) AS n FROM merchants
          WHERE city_key <> '' GROUP BY city_key, city) AS spellings
) AS ranked
WHERE nth = 1
ON CONFLICT (city_key) DO NOTHING;

INSERT INTO cities (city_key, name, country, created_at) VALUES
    ('montreal', 'Montréal', 'CA', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
    ('quebec', 'Québec', 'CA', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
    ('sherbrooke', 'Sherbrooke', 'CA', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
    ('lyon', 'Lyon', 'FR', CAST(strftime('%s', 'now') AS INTEGER) * 1000)
ON CONFLICT (city_key) DO NOTHING;

-- +goose Down
DROP TABLE cities;
DROP TRIGGER merchants_search_delete;
DROP TRIGGER merchants_search_update;
DROP TRIGGER merchants_search_insert;
DROP TABLE merchant_search_fts;
DROP TABLE merchant_search;
